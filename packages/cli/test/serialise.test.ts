import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { toJsonList, toYaml, toYamlStream, withKubernetesKeyOrder } from '../src/serialise.js';
import type { KubernetesObject } from '../src/targets.js';

const rego = 'package k8spsp\n\nviolation[{"msg": msg}] {\n  input.review.object.spec.hostPID\n  msg := "hostPID"\n}\n';

function template(name: string): KubernetesObject {
  // Deliberately out of order: serialisation must put apiVersion, kind, metadata first.
  return { spec: { targets: [{ target: 'admission.k8s.gatekeeper.sh', rego }] }, metadata: { name }, kind: 'ConstraintTemplate', apiVersion: 'templates.gatekeeper.sh/v1' };
}

describe('serialisation', () => {
  it('orders apiVersion, kind, metadata first and keeps the rest in order', () => {
    expect(Object.keys(withKubernetesKeyOrder({ spec: 1, status: 2, metadata: 3, kind: 4, apiVersion: 5 }))).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    expect(Object.keys(withKubernetesKeyOrder({ data: 1, kind: 'List' }))).toEqual(['kind', 'data']);
  });

  it('writes multi-line strings as literal blocks that round-trip', () => {
    const text = toYaml(withKubernetesKeyOrder(template('k8spsphostnamespace')));
    expect(text).toMatch(/^apiVersion: templates\.gatekeeper\.sh\/v1\nkind: ConstraintTemplate\nmetadata:\n/);
    expect(text).toContain('rego: |\n');
    expect(text).toContain('          input.review.object.spec.hostPID\n');
    expect(parse(text)).toEqual(template('k8spsphostnamespace'));
  });

  it('never folds long lines and never writes anchors for shared objects', () => {
    const shared = { matchLabels: { app: 'x' } };
    const long = `object.spec.containers.all(c, ${'has(c.securityContext) && '.repeat(20)}true)`;
    const text = toYaml({ a: shared, b: shared, expression: long });
    expect(text).not.toMatch(/[&*]a\d/);
    expect(text).toContain(`expression: ${long}\n`);
    expect(parse(text)).toEqual({ a: shared, b: shared, expression: long });
  });

  it('writes a multi-document stream that parses back to the objects, in order', () => {
    const objects = [template('one'), template('two')];
    const text = toYamlStream(objects);
    expect(text.startsWith('---\napiVersion:')).toBe(true);
    expect(parseAllDocuments(text).map((document) => document.toJS())).toEqual(objects);
    expect(toYamlStream(objects)).toBe(text);
  });

  it('writes JSON as a v1 List', () => {
    const list = JSON.parse(toJsonList([template('one')])) as { apiVersion: string; kind: string; items: KubernetesObject[] };
    expect(list.apiVersion).toBe('v1');
    expect(list.kind).toBe('List');
    expect(Object.keys(list.items[0] ?? {})).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
  });
});
