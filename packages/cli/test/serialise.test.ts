import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Document, parse, parseAllDocuments } from 'yaml';
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

/** The reference: yaml's document model with our options, as serialise.ts wrote YAML before its fast writer. */
function viaDocument(value: unknown): string {
  return new Document(value, { aliasDuplicateObjects: false }).toString({ blockQuote: 'literal', lineWidth: 0 });
}

const random = process.env['PSP_TRANSLATE_FUZZ'] === 'random';
const seed = random ? Date.now() : Number(process.env['PSP_TRANSLATE_FUZZ_SEED'] ?? 42);
const numRuns = random ? 3000 : 300;

/** Strings YAML must quote or write as blocks: look-alikes of other types, indicators, markers, whitespace, newlines. */
const trickyString = fc.oneof(
  fc.constantFrom(
    '', ' ', 'true', 'False', 'NULL', 'null', '~', 'yes', 'no', 'on', 'off', 'y', '1', '-1', '0x1F', '0o17', '017', '1e3', '.5', '-.inf', '.NaN', '1_000',
    '12:30', '2026-01-01', '---', '--- x', '...', '%TAG', '- a', '? a', ': a', 'a: b', 'a #b', '#c', 'a:', '@x', '`x`', '&a', '*a', '!t', '|', '>', "'q'", '"q"',
    "it's", 'say "hi"', `both ' and "`, 'a\nb', '\t', 'trailing ', ' leading', 'x\n', 'x\n\n', '\nx', '  indented\nnext', 'a\n  b\n', 'a \nb', 'a\n\n\nb\n\n',
    '---\nb', 'x\n---\ny', 'tab\there', 'ctl\u0001', 'nbsp\u00a0', 'é ü 中', '{a}', '[1]', 'a,b', 'k8s.io/x=y', "object.spec.containers.all(c, has(c.securityContext))",
  ),
  fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '\n', '\t', ':', '#', '-', '?', "'", '"', '\\', '|', '>', '%', '.', 'é', '\u0007') , maxLength: 24 }),
  fc.string({ maxLength: 12 }),
  // Multi-line text (Rego, CEL): blank lines, indented lines, trailing newlines and blanks, markers.
  fc
    .array(fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\t', '#', '-', ':', '%', '.', '\u0085', '\u2028'), maxLength: 6 }), { minLength: 2, maxLength: 6 })
    .map((lines) => lines.join('\n')),
);
const plainWord = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_./-]{0,8}$/);
const key = fc.oneof(trickyString, plainWord, fc.constantFrom('apiVersion', 'kind', 'metadata', 'spec', '__proto__x', 'a'.repeat(1100)));
const scalar = fc.oneof(trickyString, plainWord, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom(-0, 1e21, 1.5e-7, Number.MAX_SAFE_INTEGER, Infinity, -Infinity, Number.NaN));
const tree = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(key, fc.oneof(tie('value'), fc.constant(undefined)), { maxKeys: 4 }),
}));
const document = fc.oneof(tree.array, tree.object);

describe('fast YAML writer', () => {
  it('writes the same bytes as yaml\'s document model for any JSON-like value', () => {
    fc.assert(
      fc.property(document, (value) => {
        expect(toYaml(value)).toBe(viaDocument(value));
      }),
      { seed, numRuns },
    );
  });

  it('parses back to the same data, string look-alikes of other types staying strings (as kubectl, a YAML 1.2 reader, sees them)', () => {
    fc.assert(
      fc.property(tree.object, (value) => {
        const json = JSON.parse(JSON.stringify(value)) as unknown; // what parsing gives: no undefined, -0 as 0
        expect(parse(toYaml(json), { version: '1.2' })).toEqual(json);
      }),
      { seed, numRuns },
    );
  });

  it('writes streams of several objects as documents one by one would be written', () => {
    fc.assert(
      fc.property(fc.array(tree.object, { maxLength: 4 }), (objects) => {
        const stream = toYamlStream(objects as KubernetesObject[]);
        expect(stream).toBe(objects.map((object) => `---\n${viaDocument(withKubernetesKeyOrder(object))}`).join(''));
      }),
      { seed, numRuns: Math.ceil(numRuns / 3) },
    );
  });

  it('leaves values that are not plain data to yaml: class instances, Maps, BigInt, undefined list items', () => {
    class Thing {
      constructor(readonly name: string) {}
    }
    for (const value of [{ a: new Thing('x') }, { m: new Map([['k', 1]]) }, { n: 10n }, { list: [1, undefined, 2] }, { d: new Date(0) }, { s: new Set(['a']) }]) {
      expect(toYaml(value)).toBe(viaDocument(value));
    }
  });

  it('writes keys that look like document markers as yaml does at every depth', () => {
    // yaml quotes such a key in the top-level map only: the same key must be written both ways.
    const value = { '--- x': { '--- x': ['--- x', { '--- x': '...' }] } };
    expect(toYaml(value)).toBe('"--- x":\n  --- x:\n    - --- x\n    - --- x: ...\n');
    expect(toYaml(value)).toBe(viaDocument(value));
    expect(parse(toYaml(value))).toEqual(value);
  });
});
