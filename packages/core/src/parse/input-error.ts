/**
 * Problems found in the user's manifests. Parsing collects every problem across every file before
 * it gives up, so one run shows the user everything they have to fix.
 */

/** One problem in the input, located as precisely as we can. */
export interface InputIssue {
  /** Path as given on the command line, or `<stdin>`. */
  file: string;
  /** 1-based line of the offending node, when known. */
  line?: number;
  /** 1-based column of the offending node, when known. */
  column?: number;
  /** The object the problem is in, e.g. `PodSecurityPolicy/baseline`. */
  object?: string;
  /** Dotted path of the offending field inside the object, e.g. `spec.privileged`. */
  field?: string;
  /** What is wrong and, where we can tell, what to do, e.g. `expected boolean, got string "yes please"`. */
  message: string;
}

/**
 * One issue as a line: `file:line:column: object: field: message`, parts that are absent omitted.
 * The `file:line:column` prefix is the form editors and terminals turn into links.
 */
export function formatInputIssue(issue: InputIssue): string {
  let location = issue.file;
  if (issue.line !== undefined) {
    location += `:${issue.line}`;
    if (issue.column !== undefined) location += `:${issue.column}`;
  }
  const parts = [location];
  if (issue.object) parts.push(issue.object);
  if (issue.field) parts.push(issue.field);
  parts.push(issue.message);
  return parts.join(': ');
}

/**
 * Orders issues by file (in `fileOrder`, then by name for files not in it), line and column, so the
 * report reads top to bottom like the input.
 */
export function sortInputIssues(issues: readonly InputIssue[], fileOrder: readonly string[] = []): InputIssue[] {
  const rank = new Map(fileOrder.map((file, index) => [file, index] as const));
  return [...issues].sort(
    (a, b) =>
      (rank.get(a.file) ?? Number.MAX_SAFE_INTEGER) - (rank.get(b.file) ?? Number.MAX_SAFE_INTEGER) ||
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}

/**
 * The input cannot be translated as it stands. `issues` holds every problem found (sorted by file
 * and line); the message lists them one per line. The CLI exits with status 2 on this error.
 */
export class InputError extends Error {
  /** Every problem found, sorted by file, line and column. */
  readonly issues: readonly InputIssue[];

  constructor(issues: readonly InputIssue[], options?: { cause?: unknown }) {
    super(issues.map(formatInputIssue).join('\n'), options);
    this.name = 'InputError';
    this.issues = issues;
  }
}
