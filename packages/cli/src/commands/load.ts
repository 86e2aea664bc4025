/**
 * Reading the user's manifests for a command: paths resolved against the CLI's working directory,
 * file names shown as the user typed them, core's input errors turned into `error:` lines.
 */
import path from 'node:path';
import type { InputSet } from '@psp-translate/core';
import { CliError } from '../errors.js';
import type { CliIO } from '../io.js';
import type { Messages } from '../messages.js';

/** A file name as the user would write it: relative to the working directory when inside it. */
function displayPath(file: string, cwd: string): string {
  if (!path.isAbsolute(file)) return file;
  const relative = path.relative(cwd, file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

/** Options shared by the commands that read inputs. */
export interface LoadOptions {
  /** Namespace of namespaced objects that name none. */
  defaultNamespace: string;
  /** Total input size cap in bytes. */
  maxBytes: number;
  /** The commands need PSPs: fail when the inputs hold none. */
  requirePolicies: boolean;
}

/** The hint core appends to "input is too large". */
export const MAX_INPUT_HINT = 'pass --max-input-mib with a higher limit';

/**
 * Read and parse every input (`-` reads stdin).
 * @throws CliError for a missing or unreadable input, invalid manifests (every issue, one per
 *   line, `file:line:column: object: field: message`), or no PSP when `requirePolicies`.
 */
export async function loadCluster(inputs: readonly string[], io: CliIO, options: LoadOptions): Promise<InputSet> {
  // Not the main entry point: it would also load the CEL runtime, a third of `ir`'s start-up.
  const core = await import('@psp-translate/core/inputs');
  const show = (file: string) => displayPath(file, io.cwd);
  try {
    const files = await core.readInputs(
      inputs.map((input) => (input === '-' ? input : path.resolve(io.cwd, input))),
      { stdin: io.stdin, maxBytes: options.maxBytes, maxBytesHint: MAX_INPUT_HINT },
    );
    const inputSet = core.parseInputs(
      files.map((file) => ({ ...file, path: show(file.path) })),
      { defaultNamespace: options.defaultNamespace, maxBytes: options.maxBytes, maxBytesHint: MAX_INPUT_HINT },
    );
    if (options.requirePolicies) core.requirePolicies(inputSet, inputs.join(', '));
    return inputSet;
  } catch (error) {
    if (error instanceof core.InputError) {
      throw new CliError(
        error.issues.map((issue) => core.formatInputIssue({ ...issue, file: show(issue.file) })),
        { cause: error },
      );
    }
    throw error;
  }
}

function place(object: { source: { file: string; line: number } }): string {
  return `${object.source.file}:${object.source.line}`;
}

/**
 * Say what was skipped: each object with `verbose`, else one line with the count. Other engines'
 * admission policies (`others`) count as skipped too, except for a command that reads them
 * (`othersRead`: `evaluate`).
 */
export function reportSkipped(inputSet: InputSet, say: Messages, verbose: boolean, options: { othersRead?: boolean } = {}): void {
  const counted = new Set(inputSet.skipped.map(place));
  const unread = options.othersRead === true ? [] : inputSet.others.filter((object) => !counted.has(place(object)));
  const skipped = [...inputSet.skipped, ...unread.map(({ apiVersion, kind, name, source }) => ({ apiVersion, kind, name, source }))];
  if (skipped.length === 0) return;
  if (verbose) {
    for (const object of skipped) {
      say.note(`skipped ${object.kind}/${object.name} (${object.apiVersion}) at ${object.source.file}:${object.source.line}`);
    }
    return;
  }
  const kinds = [...new Set(skipped.map((object) => object.kind))].sort();
  say.note(
    `skipped ${skipped.length} object${skipped.length === 1 ? '' : 's'} of kinds psp-translate does not read (${kinds.join(', ')}); --verbose lists them`,
  );
}
