/**
 * Reading manifests from files, directories and stdin, with a total size cap checked before any
 * byte is parsed (a multi-gigabyte file must be refused in seconds, not after it filled memory).
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError, type InputIssue } from './input-error.js';

/** One input text and where it came from. */
export interface InputFile {
  /** Path as given (a directory's files as `dir/sub/file.yaml`), or `<stdin>` for `-`. */
  path: string;
  text: string;
}

/** Options for {@link readInputs}. */
export interface ReadOptions {
  /** Stream read for the path `-`; defaults to `process.stdin`. */
  stdin?: NodeJS.ReadableStream;
  /** Total bytes accepted across all inputs; default {@link DEFAULT_MAX_INPUT_BYTES} (64 MiB). */
  maxBytes?: number;
  /**
   * How the user raises the cap, appended to the "too large" message; defaults to naming the
   * `maxBytes` option. The CLI passes its flag here.
   */
  maxBytesHint?: string;
}

/** Default total input size cap: 64 MiB, far beyond any real cluster's policies and RBAC. */
export const DEFAULT_MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** Name used for standard input in locations and messages. */
export const STDIN_PATH = '<stdin>';

/** Extensions picked up when a directory is given (kubectl's set). */
const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

/** The "input too large" issue, shared by the reader and {@link checkInputSize}. */
export function inputTooLargeIssue(
  file: string,
  bytes: number,
  maxBytes: number,
  hint?: string,
  stillReading = false,
): InputIssue {
  const how = hint ?? 'pass a higher `maxBytes` option';
  const size = stillReading ? `more than ${formatBytes(bytes)}` : formatBytes(bytes);
  return {
    file,
    message:
      `input is too large (${size}; the limit is ${formatBytes(maxBytes)} in total), refused before parsing; ` +
      `if the input is genuine, ${how}`,
  };
}

/** Files under `dir` with a manifest extension, recursively, in code-point order of their paths. */
async function listManifestFiles(dir: string, visited: Set<string>): Promise<string[]> {
  // Symlinked directories may form loops; each real directory is walked once.
  const real = await realpath(dir);
  if (visited.has(real)) return [];
  visited.add(real);
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.map((entry) => entry.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const files: string[] = [];
  for (const name of names) {
    const full = path.join(dir, name);
    const info = await stat(full).catch(() => undefined);
    if (!info) continue; // dangling symlink: nothing to read
    if (info.isDirectory()) files.push(...(await listManifestFiles(full, visited)));
    else if (info.isFile() && MANIFEST_EXTENSIONS.has(path.extname(name).toLowerCase())) files.push(full);
  }
  return files;
}

async function readStream(stream: NodeJS.ReadableStream, budget: number, onOver: (bytes: number) => never): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += buffer.length;
    if (bytes > budget) {
      // Stop reading at once: an endless or huge pipe must not fill memory.
      if ('destroy' in stream && typeof stream.destroy === 'function') stream.destroy();
      onOver(bytes);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads the inputs named on the command line: files as given, directories recursively (`*.yaml`,
 * `*.yml`, `*.json`, sorted by path so runs are deterministic), and `-` for stdin. The total size is
 * checked against `maxBytes` from file sizes before anything is read.
 *
 * @throws {InputError} listing every path that does not exist or cannot be read, or the size cap.
 */
export async function readInputs(paths: readonly string[], options: ReadOptions = {}): Promise<InputFile[]> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
  const issues: InputIssue[] = [];
  const planned: ({ kind: 'file'; path: string; size: number } | { kind: 'stdin' })[] = [];
  const visited = new Set<string>();

  for (const given of paths) {
    if (given === '-') {
      planned.push({ kind: 'stdin' });
      continue;
    }
    const info = await stat(given).catch((error: NodeJS.ErrnoException) => error);
    if (info instanceof Error) {
      const message =
        info.code === 'ENOENT'
          ? 'no such file or directory'
          : `cannot read: ${info.message}`;
      issues.push({ file: given, message });
      continue;
    }
    if (info.isDirectory()) {
      const files = await listManifestFiles(given, visited);
      if (files.length === 0) {
        issues.push({ file: given, message: 'directory holds no *.yaml, *.yml or *.json files' });
      }
      for (const file of files) planned.push({ kind: 'file', path: file, size: (await stat(file)).size });
    } else {
      planned.push({ kind: 'file', path: given, size: info.size });
    }
  }
  if (issues.length > 0) throw new InputError(issues);

  const fileBytes = planned.reduce((sum, item) => sum + (item.kind === 'file' ? item.size : 0), 0);
  if (fileBytes > maxBytes) {
    const first = planned.find((item) => item.kind === 'file');
    throw new InputError([
      inputTooLargeIssue(paths.length === 1 && first?.kind === 'file' ? first.path : paths.join(', '), fileBytes, maxBytes, options.maxBytesHint),
    ]);
  }

  const files: InputFile[] = [];
  let stdinRead = false;
  for (const item of planned) {
    if (item.kind === 'file') {
      try {
        files.push({ path: item.path, text: await readFile(item.path, 'utf8') });
      } catch (error) {
        issues.push({ file: item.path, message: `cannot read: ${(error as Error).message}` });
      }
      continue;
    }
    if (stdinRead) continue; // `-` twice: stdin can be read only once
    stdinRead = true;
    const stream = options.stdin ?? process.stdin;
    const text = await readStream(stream, maxBytes - fileBytes, (bytes) => {
      throw new InputError([inputTooLargeIssue(STDIN_PATH, fileBytes + bytes, maxBytes, options.maxBytesHint, true)]);
    });
    files.push({ path: STDIN_PATH, text });
  }
  if (issues.length > 0) throw new InputError(issues);
  return files;
}
