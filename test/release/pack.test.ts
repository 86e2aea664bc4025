/**
 * The packages a user installs: `pnpm pack` every workspace package, check each tarball's file
 * list and metadata (and publint's verdict on it), install all tarballs together into an empty
 * directory with npm (third-party dependencies from the registry), and use them there as a user
 * would: `npx psp-translate --version`, a translation of the example cluster, the library from
 * Node, and the type declarations from TypeScript.
 *
 * Runs in CI (`pnpm test`, project `corpus`) in about a minute: the build is incremental and npm
 * reuses its cache.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorkspace } from './build.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const packagesDir = path.join(repoRoot, 'packages');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  bin?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
  main?: string;
  types?: string;
  keywords?: string[];
  publishConfig?: { access?: string };
  dependencies?: Record<string, string>;
}

/** Every publishable workspace package, by directory name. */
const workspace = readdirSync(packagesDir)
  .filter((dir) => existsSync(path.join(packagesDir, dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(path.join(packagesDir, dir, 'package.json'), 'utf8')) as Manifest }))
  .filter(({ manifest }) => manifest.private !== true)
  .sort((a, b) => (a.dir < b.dir ? -1 : 1));
const cli = workspace.find(({ manifest }) => manifest.bin?.['psp-translate'] !== undefined);

/** Paths inside a tarball that must never ship: tests, fixtures, test support, sources, build state, maps. */
const FORBIDDEN: [RegExp, string][] = [
  [/\.test\.[cm]?[jt]s$|\.test\.d\.ts$/, 'a test'],
  [/(^|\/)(test|tests|__tests__)\//, 'a test directory'],
  [/(^|\/)(__fixtures__|fixtures)\//, 'fixtures'],
  [/(^|\/)arbitrary\.(js|d\.ts)$/, 'fast-check generators (test support)'],
  [/(^|\/)support\//, 'test support'],
  [/^src\//, 'TypeScript sources'],
  [/\.tsbuildinfo$|(^|\/)tsconfig(\.[\w-]+)?\.json$/, 'build configuration'],
  [/\.map$/, 'a source map (it points at sources that are not shipped)'],
  [/(^|\/)node_modules\//, 'node_modules'],
];

interface Packed {
  dir: string;
  manifest: Manifest;
  tarball: string;
  /** Paths in the tarball, without the leading `package/`. */
  files: string[];
  /** package.json as packed (workspace ranges replaced). */
  packedManifest: Manifest;
}

let work: string;
let consumer: string;
const packed: Packed[] = [];
let installError: string | undefined;

async function tarList(tarball: string): Promise<string[]> {
  const { stdout } = await run('tar', ['-tzf', tarball], { maxBuffer: 16 * 1024 * 1024 });
  return stdout
    .split('\n')
    .filter((line) => line !== '' && !line.endsWith('/'))
    .map((line) => line.replace(/^package\//, ''))
    .sort();
}

async function tarRead(tarball: string, file: string): Promise<string> {
  const { stdout } = await run('tar', ['-xzOf', tarball, `package/${file}`], { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** Runs a command in the consumer directory; resolves with the exit code instead of throwing. */
async function inConsumer(command: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { cwd: consumer, timeout: 60_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : -1;
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'psp-translate-release-'));
  consumer = path.join(work, 'consumer');
  await mkdir(consumer);
  await mkdir(path.join(work, 'tarballs'));
  // Tarballs hold dist/: build first (incremental).
  await buildWorkspace();
  for (const { dir, manifest } of workspace) {
    const { stdout } = await run('pnpm', ['pack', '--pack-destination', path.join(work, 'tarballs')], { cwd: path.join(packagesDir, dir), timeout: 120_000 });
    const tarball = stdout.trim().split('\n').pop()!.trim();
    const files = await tarList(tarball);
    packed.push({ dir, manifest, tarball, files, packedManifest: JSON.parse(await tarRead(tarball, 'package.json')) as Manifest });
  }
  await writeFile(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  try {
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...packed.map(({ tarball }) => tarball)], {
      cwd: consumer,
      timeout: 240_000,
    });
  } catch (error) {
    installError = `npm install of the tarballs failed: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`;
  }
}, 600_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('packed tarballs', () => {
  it('exist for every workspace package, with a psp-translate bin among them', () => {
    expect(workspace.length).toBeGreaterThanOrEqual(2);
    expect(cli).toBeDefined();
    expect(packed.map(({ dir }) => dir)).toEqual(workspace.map(({ dir }) => dir));
  });

  it('hold dist with types, README and the Apache-2.0 LICENSE; no tests, fixtures, test support, sources or maps', async () => {
    const problems: string[] = [];
    for (const { manifest, files, tarball } of packed) {
      for (const required of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']) {
        if (!files.includes(required)) problems.push(`${manifest.name}: ${required} is missing`);
      }
      for (const file of files) {
        for (const [pattern, what] of FORBIDDEN) if (pattern.test(file)) problems.push(`${manifest.name}: ${file} is ${what}`);
      }
      // Every .js has its declarations beside it.
      for (const file of files.filter((name) => name.startsWith('dist/') && name.endsWith('.js'))) {
        if (!files.includes(file.replace(/\.js$/, '.d.ts'))) problems.push(`${manifest.name}: ${file} has no .d.ts`);
      }
      if (files.includes('LICENSE')) {
        const license = await tarRead(tarball, 'LICENSE');
        if (!/Apache License\s+Version 2\.0/.test(license)) problems.push(`${manifest.name}: LICENSE is not the Apache License 2.0`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('declare what the registry shows and resolve workspace ranges to versions', () => {
    const problems: string[] = [];
    for (const { manifest, packedManifest, files } of packed) {
      if (packedManifest.license !== 'Apache-2.0') problems.push(`${manifest.name}: license is ${packedManifest.license}`);
      if (!packedManifest.keywords?.length) problems.push(`${manifest.name}: no keywords`);
      if (manifest.name.startsWith('@') && packedManifest.publishConfig?.access !== 'public') problems.push(`${manifest.name}: scoped but not publishConfig.access public`);
      for (const [name, range] of Object.entries(packedManifest.dependencies ?? {})) {
        if (range.startsWith('workspace:')) problems.push(`${manifest.name}: dependency ${name} still ${range}`);
        const sibling = workspace.find((other) => other.manifest.name === name);
        if (sibling && range !== sibling.manifest.version) problems.push(`${manifest.name}: dependency ${name}@${range}, workspace has ${sibling.manifest.version}`);
      }
      const targets = [
        ...Object.values(packedManifest.bin ?? {}),
        ...Object.values(packedManifest.exports ?? {}).flatMap((entry) => (typeof entry === 'string' ? [entry] : Object.values(entry))),
        ...(packedManifest.main ? [packedManifest.main] : []),
        ...(packedManifest.types ? [packedManifest.types] : []),
      ];
      for (const target of targets) {
        if (!files.includes(path.posix.normalize(target))) problems.push(`${manifest.name}: ${target} (bin, exports, main or types) is not in the tarball`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('pass publint (every level: errors, warnings and suggestions)', async () => {
    const messages: string[] = [];
    for (const { manifest, tarball, packedManifest } of packed) {
      const bytes = await readFile(tarball);
      const result = await publint({ pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer }, level: 'suggestion', strict: true });
      for (const message of result.messages) messages.push(`${manifest.name}: ${message.type}: ${formatMessage(message, packedManifest, { color: false }) ?? message.code}`);
    }
    expect(messages).toEqual([]);
  });
});

describe('installed from the tarballs into an empty directory', () => {
  const cliVersion = cli?.manifest.version;

  it('npm installs them together', () => {
    expect(installError).toBeUndefined();
  });

  it('npx psp-translate --version prints the version', async () => {
    const result = await inConsumer('npx', ['--no', '--', 'psp-translate', '--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${cliVersion}\n` });
  });

  it('translates the example cluster (JSON and cdk8s) and runs check, from the installed bin', async () => {
    const bin = path.join(consumer, 'node_modules', '.bin', 'psp-translate');
    const cluster = path.join(repoRoot, 'examples', 'cluster');
    const json = await inConsumer(bin, ['translate', cluster, '--format', 'json']);
    expect(json.code, json.stderr).toBeLessThan(2);
    const list = JSON.parse(json.stdout) as { kind: string; items: { apiVersion: string; kind: string; metadata: { name: string } }[] };
    expect(list.kind).toBe('List');
    expect(list.items.length).toBeGreaterThan(0);
    for (const item of list.items) expect(item).toMatchObject({ apiVersion: expect.any(String), kind: expect.any(String), metadata: { name: expect.any(String) } });

    const cdk8s = await inConsumer(bin, ['translate', cluster, '--format', 'cdk8s']);
    expect(cdk8s.code, cdk8s.stderr).toBe(json.code);
    expect(cdk8s.stdout).toMatch(/^\/\/ Generated by psp-translate \S+ \(translate --format cdk8s\)/);

    const check = await inConsumer(bin, ['check', cluster, '--workloads', path.join(cluster, 'workloads'), '--format', 'json']);
    expect(check.code, check.stderr).toBe(1); // debug-tools is rejected: see examples/cluster/workloads/debug-tools.yaml
    expect(check.stdout).toContain('"debug-tools"');
  }, 120_000);

  it('answers 20,000 levels of YAML nesting on stdin with exit 2 and one error line, not a crash', async () => {
    const bin = path.join(consumer, 'node_modules', '.bin', 'psp-translate');
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    // Every command reads input through the same parser: one is enough.
    const result = await inConsumer(bin, ['translate', '-'], deep);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/^error: <stdin>:\d+:\d+: [^\n]+\n$/);
    expect(result.stderr).not.toMatch(/internal error|^\s+at /m);
  }, 60_000);

  it('exposes the same exports as the sources, importable from Node, entry point by entry point', async () => {
    // Every JavaScript entry point of the exports map (`.`, and subpaths such as `@psp-translate/core/testing`), with the source it is built from.
    const entryPoints = packed.flatMap(({ dir, manifest, packedManifest }) =>
      Object.entries(packedManifest.exports ?? { '.': { default: packedManifest.main ?? './dist/index.js' } }).flatMap(([subpath, target]) => {
        const built = typeof target === 'string' ? target : target['default'];
        if (!built?.endsWith('.js')) return [];
        return [{ specifier: manifest.name + subpath.slice(1), source: path.join(packagesDir, dir, built.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')) }];
      }),
    );
    expect(entryPoints.map(({ specifier }) => specifier)).toContain('@psp-translate/core/testing');
    const script = `
const specifiers = ${JSON.stringify(entryPoints.map(({ specifier }) => specifier))};
const out = {};
for (const specifier of specifiers) out[specifier] = Object.keys(await import(specifier)).sort();
console.log(JSON.stringify(out));`;
    const result = await inConsumer(process.execPath, ['--input-type=module', '-e', script]);
    expect(result.code, result.stderr).toBe(0);
    const installed = JSON.parse(result.stdout) as Record<string, string[]>;
    for (const { specifier, source } of entryPoints) {
      const exports = (await import(/* @vite-ignore */ source)) as Record<string, unknown>;
      expect(installed[specifier], specifier).toEqual(Object.keys(exports).sort());
    }
  }, 60_000);

  it('runs the core README example against the installed package', async () => {
    const readme = readFileSync(path.join(packagesDir, 'core', 'README.md'), 'utf8');
    const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const script = ts.transpileModule(
      example!.replace("'examples/cluster'", JSON.stringify(path.join(repoRoot, 'examples', 'cluster'))).replace(
        /\/\/ result\.admitted.*$/m,
        'console.log(`${workload.kind}/${workload.name} ${result.admitted ? `admitted by ${result.policy}` : "rejected"}`);',
      ),
      { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } },
    ).outputText;
    await writeFile(path.join(consumer, 'readme-example.mjs'), script);
    const result = await inConsumer(process.execPath, ['readme-example.mjs']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Deployment/debug-tools rejected');
    expect(result.stdout).toContain('Deployment/storefront admitted by allow-chown');
  });

  it('type-checks a TypeScript consumer of every package with zero diagnostics (declarations included)', async () => {
    const source = packed.map(({ manifest }, index) => `import * as package${index} from '${manifest.name}';\nexport const use${index}: object = package${index};`).join('\n');
    await writeFile(path.join(consumer, 'consumer.ts'), source);
    const program = ts.createProgram([path.join(consumer, 'consumer.ts')], {
      strict: true,
      noEmit: true,
      skipLibCheck: false, // our .d.ts files are checked below, file by file
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts'],
      // The packages are for Node: their declarations use Node's types, which the consumer has.
      types: ['node'],
      typeRoots: [path.join(repoRoot, 'node_modules', '@types')],
    });
    // Our declarations and the consumer, fully checked; third-party declarations only as far as they are used.
    const ours = program
      .getSourceFiles()
      .filter((file) => file.fileName === path.join(consumer, 'consumer.ts') || /\/node_modules\/(@psp-translate\/[^/]+|psp-translate)\/dist\//.test(file.fileName));
    const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(), ...ours.flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)])].map((diagnostic) => {
      const file = diagnostic.file ? path.relative(consumer, diagnostic.file.fileName) : '';
      return `${file}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
    });
    expect(diagnostics).toEqual([]);
    // It really resolved the installed declarations, not the workspace's.
    expect(ours.length).toBeGreaterThan(packed.length);
    expect(ours.every((file) => file.fileName.startsWith(consumer))).toBe(true);
  }, 120_000);
});
