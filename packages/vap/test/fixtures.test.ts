/**
 * Golden fixtures (fixtures/<case>/{input.yaml, vap.yaml}; a missing vap.yaml is written on the
 * first run, for review), emitting twice gives identical bytes, and the shared corpus translates
 * into objects that pass the schema check.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { buildRbacIndex, parseInputs, scopeGroups, type InputSet, type TranslateOptions } from '@psp-translate/core';
import { translateVap, vapTarget, type KubernetesObject } from '../src/index.js';
import { admissionObjectErrors } from './support/openapi.js';

const fixtures = new URL('./fixtures/', import.meta.url);

/** YAML as the CLI writes it: one document per object, keys as built (apiVersion, kind, metadata first). */
function serialise(objects: readonly KubernetesObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

function translateFile(path: string, text: string) {
  const inputs: InputSet = parseInputs([{ path, text }]);
  const kubeVersion = /^# kube-version: (\S+)/m.exec(text)?.[1];
  const groups = scopeGroups(buildRbacIndex(inputs.rbac), inputs.policies);
  return translateVap({ policies: inputs.policies, scopeGroups: groups }, kubeVersion === undefined ? {} : { kubeVersion });
}

describe('fixtures', () => {
  const cases = readdirSync(fixtures, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  test('there are fixtures', () => expect(cases.length).toBeGreaterThanOrEqual(2));

  for (const name of cases) {
    test(name, () => {
      const input = new URL(`${name}/input.yaml`, fixtures);
      const text = readFileSync(input, 'utf8');
      const first = serialise(translateFile(`${name}/input.yaml`, text).objects);
      const second = serialise(translateFile(`${name}/input.yaml`, text).objects);
      expect(second).toBe(first);
      expect(admissionObjectErrors(translateFile(`${name}/input.yaml`, text).objects)).toEqual([]);
      const expected = new URL(`${name}/vap.yaml`, fixtures);
      if (!existsSync(expected)) {
        writeFileSync(expected, first);
        console.warn(`wrote ${name}/vap.yaml: review it`);
      }
      expect(first).toBe(readFileSync(expected, 'utf8'));
    });
  }
});

const corpus = new URL('../../../../shared/corpus/psp/', import.meta.url);
const present = existsSync(corpus);
if (!present) console.warn('shared corpus not found at ../shared/corpus: skipping the ValidatingAdmissionPolicy corpus test');

describe.skipIf(!present)('corpus', () => {
  test('every corpus PSP with its RBAC translates into valid, deterministic objects', () => {
    const files = readdirSync(corpus).filter((f) => f.endsWith('.yaml')).sort();
    expect(files.length).toBeGreaterThan(40);
    let policies = 0;
    for (const file of files) {
      const inputs = parseInputs([{ path: file, text: readFileSync(new URL(file, corpus), 'utf8') }]);
      const options: TranslateOptions = { actions: { action: 'deny', gatekeeper: 'deny', kyverno: 'Enforce', vap: ['Deny'], psa: 'enforce', notes: {} } };
      const out = vapTarget.translate(inputs, options);
      expect(serialise(vapTarget.translate(inputs, options).objects), file).toBe(serialise(out.objects));
      expect(admissionObjectErrors(out.objects), file).toEqual([]);
      policies += out.objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy').length;
    }
    expect(policies).toBeGreaterThan(files.length);
  }, 120_000);
});
