/** Running the CLI in-process, the way a user would see it. */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { run, type RunOptions } from '../src/index.js';

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The bundled example cluster. */
export const exampleCluster = path.join(repoRoot, 'examples', 'cluster');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `psp-translate <argv>` in `cwd` (default: the repo root) with `stdin` text. */
export async function runCli(
  argv: readonly string[],
  options: { cwd?: string; stdin?: string; env?: Record<string, string> } & RunOptions = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(
    argv,
    {
      stdout: { write: (chunk: string) => (stdout += chunk) },
      stderr: { write: (chunk: string) => (stderr += chunk) },
      stdin: Readable.from([options.stdin ?? '']),
      cwd: options.cwd ?? repoRoot,
      isTTY: false,
      env: options.env ?? {},
    },
    options.targets ? { targets: options.targets } : {},
  );
  return { code, stdout, stderr };
}

/** A fresh temporary directory, removed by the returned function. */
export async function temporaryDirectory(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'psp-translate-cli-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Every file under `dir` (relative, `/`-separated, sorted) with its contents. */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    result[path.relative(dir, full).split(path.sep).join('/')] = await readFile(full, 'utf8');
  }
  return Object.fromEntries(Object.entries(result).sort(([a], [b]) => (a < b ? -1 : 1)));
}
