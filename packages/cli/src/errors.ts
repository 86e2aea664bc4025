/**
 * An error the user can fix (bad input, a refused output directory, a target that does not exist
 * yet). The CLI prints each line prefixed `error:` on stderr and exits 2; no stack trace, since
 * the message, not our code, is what the user needs.
 */
export class CliError extends Error {
  /** One message per line of output; the first is also `message`. */
  readonly lines: readonly string[];

  constructor(lines: string | readonly string[], options?: { cause?: unknown }) {
    const all = typeof lines === 'string' ? [lines] : [...lines];
    super(all.join('\n'), options);
    this.name = 'CliError';
    this.lines = all;
  }
}

/** Exit codes, the same for every command. */
export const ExitCode = {
  /** Done, nothing to report. */
  ok: 0,
  /** Done, with findings the user should read (e.g. a control a target cannot express exactly). */
  findings: 1,
  /** Bad input or usage; nothing was written. */
  usage: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
