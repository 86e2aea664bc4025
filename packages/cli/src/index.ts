/**
 * psp-translate's command line as a function: `run(argv, io)` returns the exit code. The bin only
 * calls it; tests call it in-process with their own IO.
 */
import { CommanderError } from 'commander';
import pc from 'picocolors';
import { CliError, ExitCode } from './errors.js';
import type { CliIO } from './io.js';
import { addCheckCommands } from './commands/check-program.js';
import { addReportCommands } from './commands/report-program.js';
import { buildProgram, cliVersion, type ProgramContext } from './program.js';
import type { TargetRegistry } from './targets.js';

export { ACTIONS, ACTION_WORDS, normaliseAction, type Action, type EngineActions, type ValidationAction } from './action.js';
export { CliError, ExitCode } from './errors.js';
export type { CliIO, TextWriter } from './io.js';
export { isTargetName, parseTargetList, TARGET_NAMES, type TargetName, type TargetSelection } from './target-names.js';
export type {
  Fidelity,
  FidelityEntry,
  KubernetesObject,
  TargetModule,
  TargetRegistry,
  TargetVerdict,
  TranslateOptions,
  TranslationResult,
  WorkloadContext,
  WorkloadEvaluator,
  WorkloadRef,
} from './targets.js';

/** Options for embedding and testing `run`. */
export interface RunOptions {
  /** Replace the target registry (tests plug in their own targets). */
  targets?: TargetRegistry;
}

function write(stream: CliIO['stderr'], text: string): void {
  try {
    stream.write(text);
  } catch {
    // Nowhere left to report to (closed pipe); the exit code still tells.
  }
}

/**
 * Run the psp-translate command line.
 *
 * @param argv arguments after the program name (`process.argv.slice(2)`).
 * @param io where output goes and input comes from; defaults to the process's.
 * @returns the exit code: 0 ok, 1 findings (per command; translate only with `--strict`), 2 bad input or usage (also for internal errors).
 *   Never throws and never calls `process.exit`.
 */
export async function run(argv: readonly string[], io: Partial<CliIO> = {}, options: RunOptions = {}): Promise<number> {
  const fullIO: CliIO = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    // process.stdin is created on first access: touch it only when a command may read it.
    get stdin() {
      return io.stdin ?? process.stdin;
    },
    cwd: io.cwd ?? process.cwd(),
    isTTY: io.isTTY ?? process.stderr.isTTY === true,
    env: io.env ?? process.env,
  };
  const colours = pc.createColors(fullIO.isTTY && !fullIO.env['NO_COLOR']);
  const debug = argv.includes('--debug');
  let exitCode: number = ExitCode.ok;
  try {
    const context: ProgramContext = {
      io: fullIO,
      ...(options.targets ? { targets: options.targets } : {}),
      setExitCode: (code) => {
        exitCode = code;
      },
    };
    const program = buildProgram(context);
    addCheckCommands(program, context);
    addReportCommands(program, context);
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed help, the version or the usage error.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof CliError) {
      for (const line of error.lines) write(fullIO.stderr, `${colours.red('error:')} ${line}\n`);
      if (debug && error.cause !== undefined) write(fullIO.stderr, `${describeCause(error.cause)}\n`);
      return ExitCode.usage;
    }
    const message = error instanceof Error ? error.message : String(error);
    write(
      fullIO.stderr,
      `${colours.red('error:')} internal error in psp-translate ${safeVersion()}: ${message.split('\n')[0]} (please report this, with the command line and inputs${debug ? '' : ', rerun with --debug for a stack trace'})\n`,
    );
    if (debug) write(fullIO.stderr, `${describeCause(error)}\n`);
    return ExitCode.usage;
  }
}

function describeCause(cause: unknown): string {
  return cause instanceof Error ? (cause.stack ?? cause.message) : String(cause);
}

function safeVersion(): string {
  try {
    return cliVersion();
  } catch {
    return '(unknown version)';
  }
}
