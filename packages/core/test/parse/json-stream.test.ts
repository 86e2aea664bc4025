// The JSON fast path must be invisible: for any stream of JSON documents, parseInputs gives exactly
// what composing the same text as YAML gives (objects, positions, every error message), and any text
// it cannot read exactly is left to the YAML reading.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { LineCounter, Parser } from 'yaml';
import { InputError, type InputIssue, type InputSet, parseInputs } from '@psp-translate/core';
import { lineIndex, readJsonStream } from '../../src/parse/json-stream.js';
import { parseInputsAsYaml } from '../../src/parse/parse-inputs.js';

const random = process.env['PSP_TRANSLATE_FUZZ'] === 'random';
const seed = random ? Date.now() : Number(process.env['PSP_TRANSLATE_FUZZ_SEED'] ?? 42);

type Outcome = { set: InputSet } | { issues: readonly InputIssue[]; message: string };

function outcome(parse: () => InputSet): Outcome {
  try {
    return { set: parse() };
  } catch (error) {
    if (error instanceof InputError) return { issues: error.issues, message: error.message };
    throw error;
  }
}

/** JSON text with `gaps` (in turn) between every two tokens. */
function printWithGaps(value: unknown, gaps: readonly string[]): string {
  let turn = 0;
  const gap = () => gaps[turn++ % gaps.length]!;
  const print = (item: unknown): string => {
    if (Array.isArray(item)) return `[${gap()}${item.map((element) => print(element)).join(`${gap()},${gap()}`)}${gap()}]`;
    if (item !== null && typeof item === 'object') {
      const entries = Object.entries(item).map(([key, element]) => `${JSON.stringify(key)}${gap()}:${gap()}${print(element)}`);
      return `{${gap()}${entries.join(`${gap()},${gap()}`)}${gap()}}`;
    }
    return JSON.stringify(item) ?? 'null';
  };
  return print(value);
}

const SPEC = { seLinux: { rule: 'RunAsAny' }, runAsUser: { rule: 'RunAsAny' }, supplementalGroups: { rule: 'RunAsAny' }, fsGroup: { rule: 'RunAsAny' } };

describe('readJsonStream', () => {
  test('reads a stream of JSON documents with the offset of each value and of each List item', () => {
    const text = '# header\n{"a": 1}\n---\n--- {"kind": "List", "items": [ {"b": 2}, "x" ,[] ]} # trailing\n---\n\n';
    const documents = readJsonStream(text);
    expect(documents?.map((document) => [document.start, document.data])).toEqual([
      [9, { a: 1 }],
      [26, { kind: 'List', items: [{ b: 2 }, 'x', []] }],
    ]);
    expect(documents?.[1]?.itemStarts?.map((start) => text.slice(start, start + 3))).toEqual(['{"b', '"x"', '[] ']);
  });

  test.each([
    ['a key written twice (YAML refuses it, JSON.parse keeps the last)', '{"a": 1, "b": {"c": 1, "c": 2}}'],
    ['an anchor', '--- &x {"a": 1}'],
    ['a tag', '--- !!map {"a": 1}'],
    ['a directive', '%YAML 1.1\n---\n{"a": 1}'],
    ['a document end marker', '{"a": 1}\n...\n'],
    ['a comment glued to a token', '{"a": 1}# no space'],
    ['two values in one document', '{"a": 1}\n{"b": 2}'],
    ['a block mapping', 'a: 1'],
    ['a scalar document', '{"a": 1}\n---\nnull'],
    ['a tab before a value', '\t{"a": 1}'],
    ['a lone carriage return', '{"a": 1}\r---\r{"b": 2}'],
    ['a lone carriage return inside a value (YAML reads {"a": 1,\\r"b": 2} with a key "\\r\\"b\\"")', '{"a": 1,\r"b": 2}'],
    ['invalid JSON', '{"a": 01}'],
    ['an unterminated value', '{"a": [1, 2}'],
    ['nesting deeper than the YAML limit', `{"a": ${'['.repeat(300)}${']'.repeat(300)}}`],
  ])('leaves a file with %s to the YAML reading', (_, text) => {
    expect(readJsonStream(text)).toBeUndefined();
  });

  test('nesting up to the limit stays on the fast path', () => {
    expect(readJsonStream(`{"a": ${'['.repeat(255)}${']'.repeat(255)}}`)).toHaveLength(1);
  });

  test('lineIndex places offsets as the YAML parser does', () => {
    const text = '{\r\n  "a": [1,\n\n    2],\n"b": "x"}\n---\n{"c": {}}\n';
    const parsed = new LineCounter();
    for (const _ of new Parser(parsed.addNewLine).parse(text));
    const ours = lineIndex(text);
    for (let offset = 0; offset <= text.length; offset++) expect(ours.linePos(offset)).toEqual(parsed.linePos(offset));
  });
});

describe('parseInputs on JSON streams', () => {
  test('a key written twice is reported as the YAML reading reports it', () => {
    const text = JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'a' } }).replace('{"name"', '{"name":"b","name"');
    expect(outcome(() => parseInputs([{ path: 'dup.json', text }]))).toMatchObject({
      issues: [{ file: 'dup.json', line: 1, message: expect.stringContaining('Map keys must be unique') }],
    });
  });

  // Kubernetes-shaped documents with random values in the places errors come from.
  const anyJson = fc.jsonValue({ maxDepth: 3 });
  const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', '<<', 'items', 'kind', '', 'é\u2028"\\/'));
  const labels = fc.dictionary(key, fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null)), { maxKeys: 4 });
  const psp = fc.record({
    name: fc.constantFrom('a', 'b', 'c'),
    field: fc.constantFrom('privileged', 'hostPID', 'fsGroup', 'volumes', 'allowedCapabilites', 'hostPorts', 'runAsUser'),
    value: fc.oneof(anyJson, fc.constant({ rule: 'MustRunAs', ranges: [{ min: 5, max: 1 }] }), fc.constant(['*'])),
    labels,
    broken: fc.boolean(),
  }).map(({ name, field, value, labels, broken }) => ({
    apiVersion: 'policy/v1beta1',
    kind: 'PodSecurityPolicy',
    metadata: { name, labels },
    spec: broken ? { ...SPEC, [field]: value } : SPEC,
  }));
  const workload = fc.record({
    kind: fc.constantFrom('Pod', 'Deployment', 'CronJob'),
    containers: fc.oneof(fc.constant([{ name: 'app', image: 'x' }]), anyJson),
    labels,
  }).map(({ kind, containers, labels }) => {
    const podSpec = { containers };
    const metadata = { name: 'w', namespace: 'ns', labels };
    if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata, spec: podSpec };
    if (kind === 'CronJob') return { apiVersion: 'batch/v1', kind, metadata, spec: { jobTemplate: { spec: { template: { spec: podSpec } } } } };
    return { apiVersion: 'apps/v1', kind, metadata, spec: { template: { spec: podSpec } } };
  });
  const rbac = fc.record({ verbs: fc.oneof(fc.constant(['use']), anyJson), namespace: fc.option(fc.constant('ns')) }).map(({ verbs, namespace }) => [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' }, rules: [{ apiGroups: ['policy'], resources: ['podsecuritypolicies'], verbs }] },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'b' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'r' },
      subjects: [{ kind: 'ServiceAccount', name: 'sa', ...(namespace ? { namespace } : {}) }],
    },
  ]);
  const object = fc.oneof(psp, workload, rbac.map(([role]) => role), rbac.map(([, binding]) => binding), anyJson);
  const document = fc.oneof(
    { weight: 4, arbitrary: object },
    { weight: 1, arbitrary: fc.array(object, { maxLength: 4 }).map((items) => ({ apiVersion: 'v1', kind: 'List', items })) },
    { weight: 1, arbitrary: fc.array(psp, { maxLength: 3 }).map((items) => ({ apiVersion: 'policy/v1beta1', kind: 'PodSecurityPolicyList', items: items.map(({ metadata, spec }) => ({ metadata, spec })) })) },
  );
  // JSON as people and tools write it, and with any JSON white space between any two tokens.
  const whitespace = fc.array(fc.oneof({ weight: 30, arbitrary: fc.constantFrom('', ' ', '\n', '\t', '\r\n', '\n  ', ' \t ') }, { weight: 1, arbitrary: fc.constant('\r') }), { minLength: 1, maxLength: 8 });
  const printed = fc.tuple(document, fc.constantFrom<(string | number | undefined)>(undefined, 2, 4, '\t'), fc.boolean(), fc.option(whitespace, { freq: 3 })).map(([value, indent, crlf, gaps]) => {
    if (gaps) return printWithGaps(value, gaps);
    const text = JSON.stringify(value, null, indent) ?? 'null';
    return crlf ? text.replaceAll('\n', '\r\n') : text;
  });
  const separator = fc.constantFrom('\n---\n', '\n--- ', '\n---\n# Source: chart/templates/x.yaml\n', '\n\n---   # comment\n\n', '\r\n---\r\n');
  const stream = fc.tuple(fc.array(fc.tuple(printed, separator), { minLength: 1, maxLength: 5 }), fc.constantFrom('', '# header\n', '---\n'), fc.constantFrom('', '\n', '\n---\n')).map(
    ([parts, head, tail]) => head + parts.map(([text, sep], index) => (index === 0 ? text : sep + text)).join('') + tail,
  );

  test('give exactly what the YAML reading gives: objects, positions and every error', () => {
    let fastPath = 0;
    let runs = 0;
    fc.assert(
      fc.property(stream, (text) => {
        runs++;
        if (readJsonStream(text)) fastPath++;
        const files = [{ path: 'stream.yaml', text }];
        const fast = outcome(() => parseInputs(files));
        const reference = outcome(() => parseInputsAsYaml(files));
        expect(fast).toEqual(reference);
        // toEqual ignores key order, which shows in every object printed back (admission policies are kept whole).
        expect(JSON.stringify(fast)).toBe(JSON.stringify(reference));
      }),
      { seed, numRuns: 200 },
    );
    // Most generated streams must take the fast path, or this compares the YAML reading with itself.
    expect(fastPath).toBeGreaterThan(runs / 2);
  });
});
