/**
 * Bringing dist/ up to date for the tests that run the built packages (release and lazy-loading
 * tests). Vitest runs test files in parallel: two `tsc -b` writing the same files at once could
 * leave a half-written file for the other test to load, so builds take a lock (a directory:
 * `mkdir` is atomic). In CI the install step has built everything and `tsc -b` only checks.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const lock = path.join(repoRoot, 'node_modules', '.cache', 'psp-translate-build.lock');
/** A lock older than this was left by a killed run. */
const STALE_MS = 5 * 60_000;

async function acquire(): Promise<void> {
  await mkdir(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      await mkdir(lock);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(lock).then((info) => Date.now() - info.mtimeMs, () => 0);
      if (age > STALE_MS) await rm(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * Runs `tsc -b` over the workspace under the lock. Type errors elsewhere in the tree still emit
 * JavaScript, so they are reported as a warning, not thrown: the tests then exercise what was built.
 */
export async function buildWorkspace(): Promise<void> {
  await acquire();
  try {
    await run(process.execPath, [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], { cwd: repoRoot, timeout: 300_000 });
  } catch (error) {
    console.warn(`tsc -b reported errors; testing the JavaScript it emitted:\n${(error as { stdout?: string }).stdout ?? (error as Error).message}`);
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
