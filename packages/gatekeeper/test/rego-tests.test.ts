/**
 * `--emit-tests`: the Rego unit tests written beside the templates are run here with our Rego-subset
 * interpreter (OPA is not available): every `test_` rule must hold, its verdict having been
 * computed by the reference PSP evaluator, and each test must be able to fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseInputs, type TargetFile } from '@psp-translate/core';
import { gatekeeperTarget } from '@psp-translate/gatekeeper';
import { parseRego, RegoInterpreter, type Module } from './support/rego-interpreter.js';

const fixtures = new URL('./fixtures/', import.meta.url);
const cases = readdirSync(fixtures).filter((name) => name.startsWith('control-') || name.startsWith('mode-'));

function translate(fixture: string) {
  const text = readFileSync(new URL(`${fixture}/input.yaml`, fixtures), 'utf8');
  return gatekeeperTarget.translate(parseInputs([{ path: `${fixture}/input.yaml`, text }]), { emitTests: true });
}

function textOf(file: TargetFile): string {
  if (!('text' in file)) throw new Error(`${file.path}: expected text`);
  return file.text;
}

/** The template's module and its test module, loaded together as `opa test` loads one package. */
function loadPackage(files: readonly TargetFile[], testPath: string): Module {
  const tests = parseRego(textOf(files.find((f) => f.path === testPath)!));
  const template = parseRego(textOf(files.find((f) => f.path === testPath.replace(/_test\.rego$/, '.rego'))!));
  expect(tests.pkg).toBe(template.pkg);
  const rules = new Map(template.rules);
  for (const [name, defs] of tests.rules) rules.set(name, [...(rules.get(name) ?? []), ...defs]);
  return { pkg: template.pkg, imports: [...new Set([...template.imports, ...tests.imports])], rules };
}

function runTests(module: Module): Map<string, boolean> {
  const interpreter = new RegoInterpreter(module, {});
  const results = new Map<string, boolean>();
  for (const name of module.rules.keys()) {
    if (!name.startsWith('test_')) continue;
    let passed: boolean;
    try {
      passed = interpreter.term({ k: 'var', name }, new Map()) === true;
    } catch {
      passed = false;
    }
    results.set(name, passed);
  }
  return results;
}

describe('gatekeeper --emit-tests (Rego unit tests)', () => {
  it('returns no files without emitTests', () => {
    const text = readFileSync(new URL('mode-auto-rbac/input.yaml', fixtures), 'utf8');
    expect(gatekeeperTarget.translate(parseInputs([{ path: 'input.yaml', text }])).files).toBeUndefined();
  });

  it.each(cases)('%s: every emitted test rule holds', (fixture) => {
    const out = translate(fixture);
    const files = out.files ?? [];
    const templates = out.objects.filter((o) => o.kind === 'ConstraintTemplate').map((o) => o.metadata.name);
    const testFiles = files.filter((f) => f.path.endsWith('_test.rego'));
    // One test file per template with a constraint, beside its Rego, in rego-tests/.
    const constrained = new Set(out.objects.filter((o) => o.apiVersion.startsWith('constraints.')).map((o) => o.kind.toLowerCase()));
    expect(testFiles.map((f) => f.path).sort()).toEqual(templates.filter((t) => constrained.has(t)).map((t) => `rego-tests/${t}_test.rego`).sort());
    for (const file of testFiles) {
      const text = textOf(file);
      expect(text).toMatch(/^import future\.keywords\.if$/m);
      expect(text).not.toMatch(/rego\.v1/);
      // opa joins same-named rules with "or": one definition per test name, or a failing test hides.
      expect([...parseRego(text).rules].filter(([name, defs]) => name.startsWith('test_') && defs.length !== 1).map(([name]) => name)).toEqual([]);
      const results = runTests(loadPackage(files, file.path));
      expect(results.size, file.path).toBeGreaterThan(0);
      expect([...results].filter(([, ok]) => !ok).map(([name]) => name), file.path).toEqual([]);
    }
  });

  it('per-control tests refuse a pod in each container kind, CREATE and the kubectl debug UPDATE', () => {
    const files = translate('control-privileged').files ?? [];
    const text = textOf(files.find((f) => f.path === 'rego-tests/k8spspprivileged_test.rego')!);
    const names = [...parseRego(text).rules.keys()];
    for (const kind of ['create_containers', 'create_initContainers', 'update_ephemeral']) {
      expect(names.some((n) => n.includes(`_${kind}_privileged_refuses`)), kind).toBe(true);
    }
    expect(names.some((n) => n.endsWith('_create_baseline_admits'))).toBe(true);
    expect(names.some((n) => n.endsWith('_update_ephemeral_baseline_admits'))).toBe(true);
    expect(text).toMatch(/"operation":"UPDATE","namespace":"[^"]+","kind":\{[^}]*\},"userInfo":\{[^}]*\},"object":\{.*"ephemeralContainers":\[\{"name":"debug"/);
    expect(text).toMatch(/"subResource":"ephemeralcontainers"/);
  });

  it('policy-set tests: admitted when a candidate admits the pod unchanged, refused when no PSP may be used', () => {
    const files = translate('mode-policy-set').files ?? [];
    const names = [...parseRego(textOf(files.find((f) => f.path === 'rego-tests/k8spsppolicyset_test.rego')!)).rules.keys()];
    expect(names).toContain('test_any_of_privileged_restricted_create_baseline_admits');
    expect(names).toContain('test_no_usable_psp_create_baseline_refuses');
  });

  it('a test whose expected verdict is wrong fails (the tests can fail)', () => {
    const files = translate('mode-auto-rbac').files ?? [];
    let flipped = 0;
    for (const file of files.filter((f) => f.path.endsWith('_test.rego'))) {
      const wrong = textOf(file).replaceAll('count(violation) == 0', 'count(violation) @@').replaceAll('count(violation) > 0', 'count(violation) == 0').replaceAll('@@', '> 0');
      const results = runTests(loadPackage([...files.filter((f) => f !== file), { path: file.path, text: wrong }], file.path));
      for (const [name, ok] of results) {
        expect(ok, name).toBe(false);
        flipped++;
      }
    }
    expect(flipped).toBeGreaterThan(10);
  });
});
