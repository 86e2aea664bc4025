/**
 * The command line: commander set up to write through {@link CliIO} and to throw instead of
 * exiting, so `run` decides every exit code. Commands are imported when they run, which keeps
 * `--version` and `--help` from loading the parser, zod schemas or `yaml`.
 */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { defaultActions, normaliseAction, type EngineActions } from './action.js';
import type { CliIO } from './io.js';
import { parseTargetList, TARGET_NAMES, type TargetSelection } from './target-names.js';
import type { TargetRegistry } from './targets.js';

/** The CLI package's version, read from its package.json (beside both `src/` and `dist/`). */
export function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

/** Options of `ir`, as parsed. */
export interface IrOptions {
  format: 'json' | 'yaml';
  namespace: string;
  maxInputMib: number;
  verbose: boolean;
}

/** Options of `translate`, as parsed. */
export interface TranslateCommandOptions {
  target: TargetSelection;
  action: EngineActions;
  outDir?: string;
  /** `cdk8s`: a TypeScript module with a cdk8s `Chart` (one per target with `--out-dir`); `kubectl`: `kubectl label` commands (psa only). */
  format: 'json' | 'yaml' | 'cdk8s' | 'kubectl';
  /** `--kube-version`: `v1.N` or `1.N`, normalised to `v1.N`. */
  kubeVersion?: string;
  /** `--gatekeeper-mode`: how several PSPs applying to one scope become Gatekeeper constraints. */
  gatekeeperMode: 'per-control' | 'policy-set' | 'auto';
  /** False with `--no-mutate`: no mutators, mutate rules or mutating policies; every default reported as lost. */
  mutate: boolean;
  /** `--kyverno-api`. */
  kyvernoApi: 'kyverno.io/v1' | 'policies.kyverno.io/v1';
  /** `--kyverno-style` (ClusterPolicy rules). */
  kyvernoStyle: 'cel' | 'pattern' | 'podsecurity';
  /** `--emit-tests`: write each target's tests for its engine's own CLI beside the objects (needs `--out-dir`). */
  emitTests: boolean;
  /** `--strict`: exit 1 when any control or default is translated approximately or cannot be expressed. */
  strict: boolean;
  namespace: string;
  maxInputMib: number;
  verbose: boolean;
}

/** Run-time dependencies that tests may replace. */
export interface ProgramContext {
  io: CliIO;
  /** Target registry; defaults to the shipped one. */
  targets?: TargetRegistry;
  /** Called with the exit code of the command that ran. */
  setExitCode(code: number): void;
}

/** Wrap a parser so commander reports its error as an invalid option argument (usage error). */
function argument<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

const inputsHelp = 'files or directories (read recursively: *.yaml, *.yml, *.json) with PSPs, RBAC, namespaces, service accounts and workloads; - reads stdin';

function namespaceOption(): Option {
  return new Option('-n, --namespace <namespace>', 'namespace of namespaced objects that do not name one').default('default');
}

function maxInputOption(): Option {
  return new Option('--max-input-mib <mebibytes>', 'refuse inputs larger than this in total, before parsing')
    .argParser(
      argument((value) => {
        const mebibytes = Number(value);
        if (!Number.isFinite(mebibytes) || mebibytes <= 0) throw new Error(`expected a positive number of MiB, got "${value}"`);
        return mebibytes;
      }),
    )
    .default(64);
}

function formatOption(): Option {
  return new Option('-f, --format <format>', 'output format').choices(['yaml', 'json']).default('yaml');
}

/** Build the command line for one run. */
export function buildProgram(context: ProgramContext): Command {
  const { io } = context;
  const program = new Command('psp-translate');
  program
    .description(
      'Move a Kubernetes cluster off PodSecurityPolicy: read PSPs with the RBAC that grants them and translate them to Gatekeeper, Kyverno, Pod Security Admission or ValidatingAdmissionPolicy.',
    )
    .version(cliVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help (also: psp-translate <command> --help)')
    .option('--debug', 'print stack traces of internal errors')
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      getOutHelpWidth: () => 100,
      getErrHelpWidth: () => 100,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .exitOverride()
    .showHelpAfterError('(run psp-translate --help for usage)')
    .addHelpText(
      'after',
      `
Exit codes: 0 ok; 1 findings: check/evaluate: a workload rejected; translate: only with --strict,
  something approximate or not expressible; report: something approximate or not expressible, a
  failed target, or a workload decided differently from PSP; exceptions: an exception approximate
  or not expressible; 2 bad input or usage.

Examples:
  psp-translate ir examples/cluster/
  psp-translate translate examples/cluster/ --target gatekeeper,vap --action warn --out-dir policies/
  kubectl get psp,clusterroles,clusterrolebindings,roles,rolebindings -A -o yaml | psp-translate translate -`,
    );

  program
    .command('ir')
    .summary('print the IR of each PSP with who may use it')
    .description(
      "Print each PodSecurityPolicy as psp-translate understands it (the engine-neutral IR: every control's validation and defaulting), with the service accounts and users RBAC lets use it.",
    )
    .argument('<inputs...>', inputsHelp)
    .addOption(formatOption())
    .addOption(namespaceOption())
    .addOption(maxInputOption())
    .option('-v, --verbose', 'list the objects of other kinds that were skipped', false)
    .addHelpText(
      'after',
      `
Examples:
  psp-translate ir examples/cluster/
  psp-translate ir psp.yaml rbac.yaml --format json
  kubectl get psp -o yaml | psp-translate ir -`,
    )
    .action(async (inputs: string[], options: IrOptions) => {
      const { irCommand } = await import('./commands/ir.js');
      context.setExitCode(await irCommand(inputs, options, io));
    });

  program
    .command('translate')
    .summary('translate PSPs to policy engine objects')
    .description(
      'Translate every PodSecurityPolicy, scoped by the RBAC that grants it, into the objects of each target engine. Writes multi-document YAML (or a JSON List) to stdout, or one file per object with --out-dir. The fidelity report (what a target cannot express exactly) goes to stderr.',
    )
    .argument('<inputs...>', inputsHelp)
    .addOption(
      new Option('-t, --target <targets>', `comma-separated targets (${TARGET_NAMES.join(', ')}) or all`)
        .argParser(argument(parseTargetList))
        .default(parseTargetList('all'), 'all'),
    )
    .addOption(
      new Option(
        '-a, --action <action>',
        'what the engines do with a pod the policy rejects: audit, warn or deny (engine words accepted: dryrun, Audit, Warn, Deny, Enforce)',
      )
        .argParser(argument(normaliseAction))
        .default(defaultActions(), "each target's own: gatekeeper dryrun, kyverno Audit, vap [Audit, Warn], psa enforce with audit/warn stricter"),
    )
    .option('-o, --out-dir <dir>', 'write <dir>/<target>/<kind>-<name>.<format> files (all or nothing) instead of stdout')
    .addOption(
      new Option(
        '-f, --format <format>',
        'output format; cdk8s: TypeScript with a cdk8s Chart of ApiObjects (<dir>/<target>/chart.ts with --out-dir); kubectl: kubectl label commands (with --target psa only)',
      )
        .choices(['yaml', 'json', 'cdk8s', 'kubectl'])
        .default('yaml'),
    )
    .addOption(
      new Option('--kube-version <version>', "the cluster's Kubernetes version, v1.N or 1.N (psa pins the label versions to it; default: the newest known)").argParser(
        argument((value) => {
          const match = /^v?1\.(0|[1-9][0-9]*)$/.exec(value);
          if (!match) throw new Error(`expected a Kubernetes version as v1.N or 1.N (e.g. v1.29), got "${value}"`);
          return `v1.${match[1] ?? ''}`;
        }),
      ),
    )
    .addOption(
      new Option('--gatekeeper-mode <mode>', 'gatekeeper: per-control templates, one policy-set template per scope, or auto (policy-set only where several PSPs apply)')
        .choices(['per-control', 'policy-set', 'auto'])
        .default('auto'),
    )
    .option('--no-mutate', 'leave out mutators, mutate rules and mutating policies for the PSP defaults (the report lists every default lost)')
    .addOption(new Option('--kyverno-api <api>', 'kyverno: ClusterPolicy (kyverno.io/v1) or ValidatingPolicy/MutatingPolicy (policies.kyverno.io/v1)').choices(['kyverno.io/v1', 'policies.kyverno.io/v1']).default('kyverno.io/v1'))
    .addOption(
      new Option('--kyverno-style <style>', 'kyverno ClusterPolicy rules: validate.cel (1.11+), pattern (1.6+), or podsecurity where a PSP is exactly a Pod Security level')
        .choices(['cel', 'pattern', 'podsecurity'])
        .default('cel'),
    )
    .option('--emit-tests', 'with --out-dir: also write tests for the engines\' own CLIs (gatekeeper: <dir>/gatekeeper/rego-tests/*_test.rego for opa test; kyverno: <dir>/kyverno/tests/kyverno-test.yaml for kyverno test)', false)
    .option('--strict', 'exit 1 when any control or default is translated approximately or cannot be expressed (for CI gates)', false)
    .addOption(namespaceOption())
    .addOption(maxInputOption())
    .option('-v, --verbose', 'list skipped objects and every fidelity entry, exact ones too', false)
    .addHelpText(
      'after',
      `
Examples:
  psp-translate translate examples/cluster/
  psp-translate translate examples/cluster/ --target kyverno --action audit --out-dir policies/
  psp-translate translate psp.yaml rbac.yaml --target gatekeeper,vap --format json > policies.json
  psp-translate translate examples/cluster/ --target kyverno --format cdk8s > src/psp-policies.ts
  psp-translate translate examples/cluster/ --target psa --kube-version 1.29 --format kubectl
  psp-translate translate examples/cluster/ --target kyverno --kyverno-api policies.kyverno.io/v1 --emit-tests --out-dir policies/`,
    )
    .action(async (inputs: string[], options: TranslateCommandOptions) => {
      const [{ translateCommand }, registry] = await Promise.all([
        import('./commands/translate.js'),
        context.targets ?? import('./targets.js').then((module) => module.targets),
      ]);
      context.setExitCode(await translateCommand(inputs, options, io, registry));
    });

  return program;
}
