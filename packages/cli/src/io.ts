/**
 * Everything the CLI reads from or writes to the outside world, so tests can run the real
 * commands in-process and assert on what a user would see.
 */

/** A sink for text output (`process.stdout`, `process.stderr`, or a test buffer). */
export interface TextWriter {
  write(chunk: string): unknown;
}

/** The process environment the CLI runs in. */
export interface CliIO {
  /** Data output: IR, translated objects. Nothing else goes here, so it can be piped to kubectl. */
  stdout: TextWriter;
  /** Messages for people: errors, warnings, notes, reports. */
  stderr: TextWriter;
  /** Read when an input is `-`. */
  stdin: NodeJS.ReadableStream;
  /** Relative input and output paths are resolved against this directory. */
  cwd: string;
  /** True when stderr is a terminal: messages may be coloured. */
  isTTY: boolean;
  /** Environment variables (`NO_COLOR` turns colour off). */
  env: Readonly<Record<string, string | undefined>>;
}
