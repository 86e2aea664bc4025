/**
 * `translate --format cdk8s`: the generated module type-checks against the real `cdk8s` and
 * `constructs` (dev dependencies) under strict compiler options with zero diagnostics, and, run
 * through cdk8s, synthesises exactly the objects `translate --format json` prints.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli, snapshotTree, temporaryDirectory } from '../../test/helpers.js';
import { TARGET_NAMES, type TargetName } from '../target-names.js';
import { targets as registry, type KubernetesObject } from '../targets.js';
import { chartModule, constructId } from './chart-module.js';
import { chartClassName } from './index.js';

const execFileAsync = promisify(execFile);
const cliNodeModules = path.join(repoRoot, 'packages', 'cli', 'node_modules');

/** Values that are easy to get wrong in generated code. */
const tricky: KubernetesObject = {
  apiVersion: 'example.dev/v1',
  kind: 'Tricky',
  metadata: { name: 'tricky', namespace: 'ns', annotations: { 'a/b~c': 'x' } },
  spec: {
    rego: 'package x\n\nviolation[{"msg": msg}] {\n  msg := sprintf("`%v` ${not a template} \\\\ done", [input])\n}\n',
    crlf: 'line one\r\nline two',
    control: 'bell\u0007\nnext',
    unicode: 'é 😀 \u2028 end',
    'key with spaces': 1,
    '0starts-with-digit': -0,
    nothing: null,
    list: [1, null, 'two', { deep: null }],
    empty: { list: [], map: {} },
    big: 2 ** 53 - 1,
  },
};

/** The strictest options a cdk8s user might compile with. */
const STRICT: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts'],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  verbatimModuleSyntax: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noImplicitOverride: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noPropertyAccessFromIndexSignature: true,
  skipLibCheck: true,
  types: [],
};

/** Generated modules by file name (`<ClassName>.ts`), written to the work directory. */
const modules = new Map<string, string>();

async function addModule(className: string, source: string): Promise<void> {
  modules.set(className, source);
  await writeFile(path.join(dir, `${className}.ts`), source);
}

/** Type-checks every generated module in one program (a program costs seconds); returns every diagnostic, formatted. */
function typeCheckAll(): string[] {
  const program = ts.createProgram(
    [...modules.keys()].map((className) => path.join(dir, `${className}.ts`)),
    STRICT,
  );
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start) : undefined;
    const line = where ? `${path.basename(diagnostic.file!.fileName)}:${where.line + 1}:${where.character + 1}: ` : '';
    return `${line}${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
  });
}

/** Compiles every module to JavaScript and synthesises each chart with cdk8s, in one child node. */
async function synthesiseAll(): Promise<Record<string, KubernetesObject[]>> {
  const classNames = [...modules.keys()];
  for (const [className, source] of modules) {
    const javascript = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    await writeFile(path.join(dir, `${className}.mjs`), javascript);
  }
  const script = [
    "import { Testing } from 'cdk8s';",
    ...classNames.map((className) => `import { ${className} } from './${className}.mjs';`),
    'const synthesised = {};',
    ...classNames.map((className) => `synthesised.${className} = Testing.synth(new ${className}(Testing.app(), 'psp-translate'));`),
    'process.stdout.write(JSON.stringify(synthesised));',
  ].join('\n');
  await writeFile(path.join(dir, 'synth.mjs'), script);
  const { stdout } = await execFileAsync(process.execPath, [path.join(dir, 'synth.mjs')], { cwd: dir, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as Record<string, KubernetesObject[]>;
}

const byIdentity = (a: KubernetesObject, b: KubernetesObject) => {
  const key = (o: KubernetesObject) => `${o.kind}\u0000${o.metadata.namespace ?? ''}\u0000${o.metadata.name}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
};

let dir: string;
let existing: TargetName[];
/** What cdk8s must synthesise, by chart class name. */
const expected: Record<string, KubernetesObject[]> = {};
/** The stdout module, for the assertions on its text. */
let stdoutModule = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'psp-translate-cdk8s-'));
  // The generated modules import `cdk8s` and `constructs`: resolve them from the CLI's dev dependencies.
  await symlink(cliNodeModules, path.join(dir, 'node_modules'), 'dir');
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  existing = TARGET_NAMES.filter((name) => registry[name] !== undefined);

  // stdout: one module with every target's objects, against the JSON List of the same run.
  const generated = await runCli(['translate', 'examples/cluster', '--format', 'cdk8s', '--action', 'deny']);
  expect(generated.code, generated.stderr).toBeLessThan(2);
  stdoutModule = generated.stdout;
  await addModule('PspTranslateChart', generated.stdout);
  const json = await runCli(['translate', 'examples/cluster', '--format', 'json', '--action', 'deny']);
  expected['PspTranslateChart'] = (JSON.parse(json.stdout) as { items: KubernetesObject[] }).items;

  // --out-dir: one module per target, against the JSON files --out-dir writes for the same run.
  const charts = await temporaryDirectory();
  const files = await temporaryDirectory();
  try {
    const written = await runCli(['translate', 'examples/cluster', '--format', 'cdk8s', '--out-dir', charts.dir]);
    expect(written.code, written.stderr).toBeLessThan(2);
    const chartTree = await snapshotTree(charts.dir);
    expect(Object.keys(chartTree).filter((file) => file.endsWith('.ts'))).toEqual(existing.map((target) => `${target}/chart.ts`));
    await runCli(['translate', 'examples/cluster', '--format', 'json', '--out-dir', files.dir]);
    const fileTree = await snapshotTree(files.dir);
    for (const target of existing) {
      const className = chartClassName(target);
      await addModule(className, chartTree[`${target}/chart.ts`]!);
      expected[className] = Object.entries(fileTree)
        .filter(([file]) => file.startsWith(`${target}/`) && file.endsWith('.json') && !path.posix.basename(file).startsWith('.'))
        .map(([, text]) => JSON.parse(text) as KubernetesObject);
    }
  } finally {
    await charts.remove();
    await files.remove();
  }
  await addModule(
    'TrickyChart',
    chartModule({ className: 'TrickyChart', description: 'Tricky values.', objects: [{ target: 'gatekeeper', object: tricky }], generator: 'test' }),
  );
  expected['TrickyChart'] = [JSON.parse(JSON.stringify(tricky)) as KubernetesObject];
}, 180_000);
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('translate --format cdk8s', () => {
  it('prints one module for every target and writes <target>/chart.ts per target with --out-dir', () => {
    expect(existing.length).toBeGreaterThan(0);
    expect(stdoutModule).toMatch(/^\/\/ Generated by psp-translate \S+ \(translate --format cdk8s\): \d+ objects for /);
    expect(stdoutModule).toContain('export class PspTranslateChart extends Chart {');
    for (const target of existing) expect(modules.get(chartClassName(target))).toContain(`export class ${chartClassName(target)} extends Chart {`);
    expect(expected['PspTranslateChart']!.length).toBeGreaterThan(0);
  });

  it('generates modules that type-check against the real cdk8s with the strictest options: zero diagnostics', () => {
    expect(typeCheckAll()).toEqual([]);
  }, 60_000);

  it('generates modules that cdk8s synthesises into exactly the objects the YAML/JSON output holds', async () => {
    const synthesised = await synthesiseAll();
    expect(Object.keys(synthesised).sort()).toEqual([...modules.keys()].sort());
    expect(synthesised['PspTranslateChart']).toEqual(expected['PspTranslateChart']);
    for (const target of existing) {
      const className = chartClassName(target);
      expect([...synthesised[className]!].sort(byIdentity), target).toEqual([...expected[className]!].sort(byIdentity));
    }
    expect(synthesised['TrickyChart']).toEqual(expected['TrickyChart']);
  }, 60_000);
});

describe('chartModule', () => {
  it('writes multi-line text as template literals and __proto__ as a computed key', () => {
    const source = modules.get('TrickyChart')!;
    expect(source).toContain('import { ApiObject, Chart, JsonPatch, type ChartProps } from "cdk8s";');
    expect(source).toContain('rego: `package x\n');
    expect(source).toContain('crlf: "line one\\r\\nline two"');
    const proto = chartModule({
      className: 'ProtoChart',
      description: 'd',
      objects: [{ target: 'psa', object: JSON.parse('{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"},"__proto__":{"x":1}}') as KubernetesObject }],
      generator: 't',
    });
    expect(proto).toContain('["__proto__"]: {');
  });

  it('imports JsonPatch only when an object holds a null', () => {
    const source = chartModule({
      className: 'PlainChart',
      description: 'Plain.',
      objects: [{ target: 'psa', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } } }],
      generator: 'test',
    });
    expect(source).toContain('import { ApiObject, Chart, type ChartProps } from "cdk8s";');
    expect(source).toContain('new ApiObject(this, "psa:Namespace:a", {');
  });

  it('refuses two objects with the same construct id and values that are not JSON data', () => {
    const object: KubernetesObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } };
    expect(constructId({ target: 'psa', object })).toBe('psa:Namespace:a');
    expect(() => chartModule({ className: 'C', description: 'd', objects: [{ target: 'psa', object }, { target: 'psa', object }], generator: 't' })).toThrow(
      /construct id psa:Namespace:a/,
    );
    expect(() => chartModule({ className: 'C', description: 'd', objects: [{ target: 'psa', object: { ...object, spec: { n: Number.NaN } } }], generator: 't' })).toThrow(
      /psa:Namespace:a: \/spec\/n: NaN cannot be written/,
    );
  });
});
