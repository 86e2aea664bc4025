/**
 * ts-morph and the TypeScript compiler are heavy (tens of MB, ~0.5 s to load): only
 * `translate --format cdk8s` may load them. Checked at run time on the built CLI, in a child
 * `node` that records every module the ESM loader resolves (a `module.register` resolve hook) and
 * every CommonJS module in `require.cache` (TypeScript is CommonJS and is required, not imported,
 * by ts-morph), after running real command lines in-process through `run`.
 *
 * The static import walk in startup.test.ts keeps heavy modules out of `--version`; this test
 * sees what actually loads, dynamic imports and dependencies' own imports included.
 *
 * The same is checked on the shipped bin, the esbuild bundle in bin/ (scripts/bundle.mjs): it
 * must run from its own files alone, keep every lazy import lazy (a chunk per dynamic import)
 * and still load ts-morph, from node_modules, for `--format cdk8s`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorkspace } from '../../../test/release/build.js';
import { repoRoot } from './helpers.js';

const run = promisify(execFile);
const cliDist = path.join(repoRoot, 'packages', 'cli', 'dist', 'index.js');
const bundleScript = path.join(repoRoot, 'packages', 'cli', 'scripts', 'bundle.mjs');
const bundledBin = path.join(repoRoot, 'packages', 'cli', 'bin', 'psp-translate.js');
const bundleDir = path.dirname(bundledBin);

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
  // The test runs the built CLI: make sure dist/ matches the sources (incremental, quick when fresh),
  // and the bundle matches dist/.
  await buildWorkspace();
  await run(process.execPath, [bundleScript], { cwd: repoRoot, timeout: 120_000 });
}, 300_000);
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

/** Loaded by `--import` into the bin's process: records what the ESM loader resolves and, at exit, what CommonJS required. */
const PRELOAD = `
import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
const log = process.env.PSP_TRANSLATE_MODULE_LOG;
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOK)}), { data: { log } });
// require.cache is one for the process: any base path will do (this module's URL is a data: URL).
process.on('exit', () => appendFileSync(log, Object.keys(createRequire(process.cwd() + '/').cache).join('\\n') + '\\n'));
`;

interface BinRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Every module the process loaded: file paths for files, URLs (`node:fs`) otherwise. */
  modules: string[];
}

/** Runs the bundled bin as a user would (`node bin/psp-translate.js <argv>` in the repo root), recording the modules it loads. */
async function runBundledBin(argv: string[]): Promise<BinRun> {
  const log = path.join(workDir, `bin-modules-${Math.random().toString(36).slice(2)}.log`);
  await writeFile(log, '');
  const args = ['--no-warnings', '--import', `data:text/javascript,${encodeURIComponent(PRELOAD)}`, bundledBin, ...argv];
  const { code, stdout, stderr } = await new Promise<Omit<BinRun, 'modules'>>((resolve) => {
    execFile(process.execPath, args, { cwd: repoRoot, timeout: 60_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', PSP_TRANSLATE_MODULE_LOG: log } }, (error, out, err) => {
      const exit = error === null ? 0 : typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1;
      resolve({ code: exit, stdout: out, stderr: err });
    });
  });
  const lines = (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '');
  const modules = [...new Set(lines.map((line) => (line.startsWith('file:') ? fileURLToPath(line) : line)))];
  return { code, stdout, stderr, modules };
}

/** The files of the bundle a run loaded (the entry and its chunks). */
const bundleFiles = (modules: string[]) => modules.filter((file) => path.dirname(file) === bundleDir);

/**
 * Inlined modules whose code `--version` must not load. esbuild heads each inlined module with a
 * `// <path>` comment (the bundle is not minified), which names the package it came from.
 */
const PARSER_OR_TARGET = /^\/\/ (?:\S*node_modules\/\.pnpm\/(?:zod|yaml|handlebars|cli-table3|@bufbuild\+cel)@|\.\.\/(?:core|gatekeeper|kyverno|psa|vap|report)\/dist\/)/m;

describe('the shipped bin (the esbuild bundle)', () => {
  it('runs --version, ir, translate (every target) and check from its own files, without ts-morph or TypeScript', async () => {
    const commandLines = [
      ['--version'],
      ['ir', 'examples/cluster'],
      ['translate', 'examples/cluster', '--format', 'json', '--action', 'deny'],
      ['check', 'examples/cluster', '--workloads', 'examples/cluster/workloads', '--target', 'all'],
    ];
    for (const argv of commandLines) {
      const result = await runBundledBin(argv);
      expect(result.code, `${argv.join(' ')}: ${result.stderr}`).toBeLessThan(2);
      expect(result.stdout, argv.join(' ')).not.toBe('');
      // Only the bundle's files and Node's built-ins: workspace packages and dependencies are inlined.
      expect(bundleFiles(result.modules), argv.join(' ')).toContain(bundledBin);
      expect(result.modules.filter((module) => !module.startsWith('node:') && path.dirname(module) !== bundleDir), argv.join(' ')).toEqual([]);
      expect(result.modules.filter((module) => HEAVY.test(module)), argv.join(' ')).toEqual([]);
    }
  }, 120_000);

  it('keeps lazy imports lazy: --version loads no parser, yaml, zod or target code (ir does)', async () => {
    const version = await runBundledBin(['--version']);
    expect(version.code).toBe(0);
    const versionFiles = bundleFiles(version.modules);
    const loadedCode = async (files: string[]) => Promise.all(files.map(async (file) => ({ file: path.basename(file), text: await readFile(file, 'utf8') })));
    expect((await loadedCode(versionFiles)).filter(({ text }) => PARSER_OR_TARGET.test(text)).map(({ file }) => file)).toEqual([]);
    // The check itself works: ir loads chunks with those modules, and more files than --version.
    const ir = await runBundledBin(['ir', 'examples/cluster']);
    expect(ir.code).toBe(0);
    expect((await loadedCode(bundleFiles(ir.modules))).some(({ text }) => PARSER_OR_TARGET.test(text))).toBe(true);
    expect(bundleFiles(ir.modules).length).toBeGreaterThan(versionFiles.length);
  }, 60_000);

  it('translate --format cdk8s works from the bundle, loading ts-morph from node_modules', async () => {
    const result = await runBundledBin(['translate', 'examples/cluster', '--format', 'cdk8s']);
    expect(result.code, result.stderr).toBeLessThan(2);
    expect(result.stdout).toMatch(/^\/\/ Generated by psp-translate \S+ \(translate --format cdk8s\)/);
    expect(result.stdout).toContain('extends Chart');
    expect(result.modules.some((module) => /[/\\]node_modules[/\\].*[/\\]ts-morph[/\\]/.test(module))).toBe(true);
    // ts-morph requires @ts-morph/common through CommonJS: seen only in require.cache, so the exit recording works too.
    expect(result.modules.some((module) => /[/\\]@ts-morph[/\\]common[/\\]/.test(module))).toBe(true);
  }, 60_000);

  it('reports bad input as one clean error line, exit 2, no stack trace', async () => {
    const result = await runBundledBin(['translate', 'examples/does-not-exist']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: examples\/does-not-exist: [^\n]+\n$/);
  }, 60_000);
});
