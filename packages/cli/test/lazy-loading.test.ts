/**
 * ts-morph and the TypeScript compiler are heavy (tens of MB, ~0.5 s to load): only
 * `translate --format cdk8s` may load them. Checked at run time on the built CLI, in a child
 * `node` that records every module the ESM loader resolves (a `module.register` resolve hook) and
 * every CommonJS module in `require.cache` (TypeScript is CommonJS and is required, not imported,
 * by ts-morph), after running real command lines in-process through `run`.
 *
 * The static import walk in startup.test.ts keeps heavy modules out of `--version`; this test
 * sees what actually loads, dynamic imports and dependencies' own imports included.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorkspace } from '../../../test/release/build.js';
import { repoRoot } from './helpers.js';

const run = promisify(execFile);
const cliDist = path.join(repoRoot, 'packages', 'cli', 'dist', 'index.js');

/** Module URLs and paths that belong to ts-morph or the TypeScript compiler. */
const HEAVY = /[/\\](ts-morph|@ts-morph[/\\]common|typescript)[/\\]/;

// The hook runs on the loader thread: it appends each resolved URL to a file, synchronously, so
// nothing is lost when the main thread reads the file after the commands ran.
const HOOK = `
import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(log, result.url + '\\n');
  return result;
}
`;

/** Runs the command lines in one child process; returns every module it loaded and each exit code. */
async function modulesLoadedBy(commandLines: string[][], extra = ''): Promise<{ modules: string[]; codes: number[] }> {
  const log = path.join(workDir, `modules-${Math.random().toString(36).slice(2)}.log`);
  await writeFile(log, '');
  const script = `
import { register, createRequire } from 'node:module';
import { writeFileSync, appendFileSync } from 'node:fs';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOK)}), { data: { log: ${JSON.stringify(log)} } });
const { run } = await import(${JSON.stringify(pathToFileURL(cliDist).href)});
const sink = { write: () => true };
const codes = [];
for (const argv of ${JSON.stringify(commandLines)}) {
  codes.push(await run(argv, { stdout: sink, stderr: sink, cwd: ${JSON.stringify(repoRoot)}, isTTY: false, env: {} }));
}
${extra}
const required = Object.keys(createRequire(import.meta.url).cache);
appendFileSync(${JSON.stringify(log)}, required.join('\\n') + '\\n');
console.log(JSON.stringify(codes));
`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '--no-warnings', '-e', script], { cwd: repoRoot, timeout: 60_000 });
  const modules = (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '');
  return { modules, codes: JSON.parse(stdout.trim().split('\n').pop()!) as number[] };
}

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'psp-translate-lazy-'));
  // The test runs the built CLI: make sure dist/ matches the sources (incremental, quick when fresh).
  await buildWorkspace();
}, 200_000);
afterAll(async () => rm(workDir, { recursive: true, force: true }));

describe('lazy loading of ts-morph and the TypeScript compiler', () => {
  it('does not load them for --version, ir, translate (every target, yaml and json) or check', async () => {
    const { modules, codes } = await modulesLoadedBy([
      ['--version'],
      ['ir', 'examples/cluster'],
      ['translate', 'examples/cluster'],
      ['translate', 'examples/cluster', '--format', 'json', '--action', 'deny'],
      ['check', 'examples/cluster', '--workloads', 'examples/cluster/workloads', '--target', 'all'],
    ]);
    // The commands really ran (no usage error) and the recording saw them work.
    expect(codes.every((code) => code === 0 || code === 1)).toBe(true);
    expect(modules.some((url) => url.includes('/packages/core/dist/'))).toBe(true);
    expect(modules.some((url) => /[/\\]yaml[/\\]/.test(url))).toBe(true);
    expect(modules.filter((url) => HEAVY.test(url))).toEqual([]);
  }, 90_000);

  it('loads ts-morph for translate --format cdk8s (the one command that needs it)', async () => {
    const { modules, codes } = await modulesLoadedBy([['translate', 'examples/cluster', '--format', 'cdk8s']]);
    expect(codes[0]).toBeLessThan(2);
    expect(modules.some((url) => /[/\\]ts-morph[/\\]/.test(url))).toBe(true);
  }, 60_000);

  it('would notice TypeScript loaded through CommonJS (the check itself works)', async () => {
    const { modules } = await modulesLoadedBy([['--version']], `createRequire(${JSON.stringify(path.join(repoRoot, 'package.json'))})('typescript');`);
    expect(modules.filter((url) => HEAVY.test(url)).length).toBeGreaterThan(0);
  }, 60_000);
});
