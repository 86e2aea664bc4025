/**
 * Fuzzing the command line through `run(argv, io)`: random YAML text (malformed, deeply nested,
 * anchors and aliases, large scalars, binary junk) and random PSP-shaped objects (valid, and
 * subtly invalid in one place) on stdin, for `ir`, `translate` (every target that exists) and
 * `check`. Whatever comes in, the CLI answers like a tool, not a crash: exit 0, 1 or 2, a message
 * on stderr when it is not 0, never an internal error or a stack trace, and exit 2 with the field
 * named when the input is invalid.
 *
 * Fixed seed by default (`PSP_TRANSLATE_FUZZ_SEED`, default 42); `PSP_TRANSLATE_FUZZ=random`
 * draws a new seed and ten times the runs (`pnpm test:fuzz`). A failure prints the seed and the
 * shrunk input to replay it.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { PodSecurityPolicySchema, FS_TYPES, RUN_AS_USER_RULES, GROUP_RULES } from '@psp-translate/core';
import { arbitraryPod, fuzzParameters } from '../../core/src/evaluate/arbitrary.js';
import { run } from '../src/index.js';
import { TARGET_NAMES } from '../src/target-names.js';
import { targets } from '../src/targets.js';
import { repoRoot } from './helpers.js';

// ---------------------------------------------------------------------------------------------
// Running the CLI

interface Outcome {
  argv: string[];
  code: number;
  stdout: string;
  stderr: string;
  /** Node process warnings emitted during the run: they reach the user's terminal outside `io`. */
  warnings: string[];
}

/** Process warnings already known and reported (none today): each entry names its issue. */
const KNOWN_WARNINGS: RegExp[] = [];

// The shipped registry: every target the CLI registers is fuzzed.
const existingTargets = TARGET_NAMES.filter((name) => targets[name] !== undefined);

/** Command lines to run each input through; all read stdin (`-`). */
const COMMANDS: string[][] = [
  ['ir', '-'],
  ['ir', '-', '--format', 'json'],
  ['translate', '-'],
  ['translate', '-', '--format', 'json', '--action', 'deny'],
  ['translate', '-', '--format', 'cdk8s'],
  ['translate', '-', '--format', 'kubectl', '--target', 'psa'],
  ...existingTargets.map((name) => ['translate', '-', '--target', name]),
  ['check', '-'],
  ['check', '-', '--format', 'json', ...(existingTargets.length > 0 ? ['--target', 'all'] : [])],
];

const timings = new Map<string, { runs: number; ms: number }>();

async function runWith(argv: string[], stdin: string | Buffer): Promise<Outcome> {
  const started = performance.now();
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.message);
  process.on('warning', onWarning);
  let stdout = '';
  let stderr = '';
  const code = await run(
    argv,
    {
      stdout: { write: (chunk: string) => (stdout += chunk) },
      stderr: { write: (chunk: string) => (stderr += chunk) },
      stdin: Readable.from([stdin]),
      cwd: repoRoot,
      isTTY: false,
      env: {},
    },
  );
  // Warnings are emitted on the next tick: let them arrive before listening stops.
  await new Promise((resolve) => setImmediate(resolve));
  process.off('warning', onWarning);
  const key = argv.join(' ');
  const timing = timings.get(key) ?? { runs: 0, ms: 0 };
  timings.set(key, { runs: timing.runs + 1, ms: timing.ms + performance.now() - started });
  return { argv, code, stdout, stderr, warnings };
}

/** A line of a JavaScript stack trace (`    at fn (file:1:2)`). */
const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;

function describeOutcome(outcome: Outcome): string {
  return `psp-translate ${outcome.argv.join(' ')} exited ${outcome.code}\n--- stderr:\n${outcome.stderr.slice(0, 2000)}`;
}

/** What every run must do, whatever the input. */
function expectWellBehaved(outcome: Outcome): void {
  const why = describeOutcome(outcome);
  expect([0, 1, 2], why).toContain(outcome.code);
  expect(outcome.stderr, why).not.toMatch(/internal error/);
  expect(outcome.stderr, why).not.toMatch(STACK_LINE);
  expect(outcome.warnings.filter((warning) => !KNOWN_WARNINGS.some((known) => known.test(warning))), why).toEqual([]);
  if (outcome.code === 2) expect(outcome.stderr, why).toMatch(/^error: \S/m);
  // `check` explains a rejection in its report on stdout; the other commands on stderr.
  if (outcome.code === 1) expect(outcome.argv[0] === 'check' ? outcome.stdout : outcome.stderr, why).not.toBe('');
}

// ---------------------------------------------------------------------------------------------
// Random YAML text

const YAML_TOKENS = [
  ...['apiVersion: policy/v1beta1\n', 'kind: PodSecurityPolicy\n', 'metadata:\n  name: x\n', 'spec:\n', '  privileged: true\n', '  runAsUser: {rule: RunAsAny}\n'],
  ...['---\n', '...\n', '%YAML 1.1\n', '%TAG ! tag:x,2000:\n', '- ', '? ', ': ', ':', ',', '[', ']', '{', '}', '"', "'", '|', '>', '|-', '>+', '#', '!!str ', '!!binary ', '!local ', '!<tag:x> '],
  ...['&a ', '*a', '&b ', '*b', '*undefined', '<<: *a\n', '<<: [*a, *b]\n', '\n', '  ', '\t', '\r\n', 'key', 'yes', 'no', 'on', '0o17', '017', '0x1F', '1e400', '.nan', '-.inf', '~', 'null'],
  ...['\u0000', '\u0007', '\uFEFF', '\u2028', '\uD800', '\u00e9', '😀', 'kind: List\nitems:\n', 'kind: ClusterRole\n', 'kind: Deployment\n', 'apiVersion: v1\n'],
];

const tokenSoup = fc.array(fc.constantFrom(...YAML_TOKENS), { maxLength: 60 }).map((tokens) => tokens.join(''));

/** Valid YAML of random JSON-like data, then optionally damaged at one place. */
const damagedYaml = fc
  .tuple(
    fc.jsonValue({ maxDepth: 4 }),
    fc.option(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat({ max: 8 }), fc.constantFrom(...YAML_TOKENS)), { nil: undefined }),
  )
  .map(([value, damage]) => {
    const text = stringify(value);
    if (damage === undefined) return text;
    const [where, deleted, inserted] = damage;
    const at = Math.floor(where * text.length);
    return text.slice(0, at) + inserted + text.slice(at + deleted);
  });

/**
 * Deep nesting, flow and block, on both sides of core's 256-level limit and well past the depth
 * (~800) where the `yaml` package's recursion used to overflow the stack (see the release test for
 * 20,000 levels through the real bin). Block shapes indent one space per level to keep the text
 * small.
 */
const deepNesting = fc.tuple(fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1_000, max: 3_000 })), fc.constantFrom('flow-seq', 'flow-map', 'block-seq', 'block-map', 'unbalanced'), fc.boolean()).map(([depth, shape, asPsp]) => {
  const nested = (() => {
    switch (shape) {
      case 'flow-seq':
        return '['.repeat(depth) + '1' + ']'.repeat(depth);
      case 'flow-map':
        return '{a: '.repeat(depth) + '1' + '}'.repeat(depth);
      case 'block-seq':
        return Array.from({ length: depth }, (_, i) => `\n${' '.repeat(i)}-`).join('') + ' 1';
      case 'block-map':
        return Array.from({ length: depth }, (_, i) => `\n${' '.repeat(i)}a:`).join('') + ' 1';
      default:
        return '['.repeat(depth) + '{a: '.repeat(depth);
    }
  })();
  return asPsp
    ? `apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: deep}\nspec:\n  privileged: ${nested.replace(/\n/g, '\n    ')}\n`
    : nested;
});

/** Anchors and aliases: exponential alias bombs, self references, aliases to nowhere, merge keys. */
const aliasGames = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 2, max: 12 })).map(([levels, width]) => {
    const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: bomb}', 'data:', `  l0: &l0 [${Array(width).fill('"lol"').join(', ')}]`];
    for (let level = 1; level <= levels; level++) lines.push(`  l${level}: &l${level} [${Array(width).fill(`*l${level - 1}`).join(', ')}]`);
    return lines.join('\n') + '\n';
  }),
  fc.constant('a: &a [*a]\n'),
  fc.constant('a: &a {b: *a}\n'),
  fc.constant('apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: x}\nspec: *nowhere\n'),
  fc.constantFrom('&a', '*a', 'x: &', '&a &b x', '*a: 1').map((text) => `${text}\n`),
  fc.constant(
    [
      'base: &strategy {rule: RunAsAny}',
      '---',
      'apiVersion: policy/v1beta1',
      'kind: PodSecurityPolicy',
      'metadata: {name: merged}',
      'spec:',
      '  <<: {privileged: "yes"}',
      '  runAsUser: {<<: *strategy, extra: 1}',
      '  seLinux: {rule: RunAsAny}',
      '  fsGroup: {rule: RunAsAny}',
      '  supplementalGroups: {rule: RunAsAny}',
    ].join('\n'),
  ),
);

/** Large scalars (well under the default 64 MiB input cap), as PSP fields and elsewhere. */
const hugeScalars = fc.tuple(fc.integer({ min: 1_000, max: 300_000 }), fc.constantFrom('name', 'annotation', 'capability', 'plain', 'block')).map(([size, where]) => {
  const big = 'x'.repeat(size);
  const psp = (spec: string, meta = 'name: big') =>
    `apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {${meta}}\nspec:\n  runAsUser: {rule: RunAsAny}\n  seLinux: {rule: RunAsAny}\n  fsGroup: {rule: RunAsAny}\n  supplementalGroups: {rule: RunAsAny}\n${spec}`;
  switch (where) {
    case 'name':
      return psp('', `name: ${big}`);
    case 'annotation':
      return psp('', `name: big, annotations: {seccomp.security.alpha.kubernetes.io/allowedProfileNames: "${big}"}`);
    case 'capability':
      return psp(`  allowedCapabilities: [${big}]\n`);
    case 'block':
      return `key: |\n${big.replace(/(.{80})/g, '  $1\n')}\n`;
    default:
      return big;
  }
});

const binaryJunk = fc.oneof(
  fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes)),
  fc.tuple(fc.constantFrom(Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from([0xff, 0xfe]), Buffer.from([0xfe, 0xff]), Buffer.alloc(0)), fc.uint8Array({ maxLength: 100 })).map(([bom, bytes]) =>
    Buffer.concat([bom, Buffer.from('apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\n'), Buffer.from(bytes)]),
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

const randomYaml: fc.Arbitrary<string | Buffer> = fc.oneof(
  { arbitrary: tokenSoup, weight: 4 },
  { arbitrary: damagedYaml, weight: 4 },
  { arbitrary: deepNesting, weight: 2 },
  { arbitrary: aliasGames, weight: 2 },
  { arbitrary: hugeScalars, weight: 1 },
  { arbitrary: binaryJunk, weight: 2 },
);

// ---------------------------------------------------------------------------------------------
// Random PSP-shaped objects

const ids = fc.constantFrom(0, 1, 100, 1000, 2000, 65534, 65535, 2 ** 31 - 1);
const ranges = (max: number) =>
  fc
    .array(fc.tuple(ids, ids), { minLength: 1, maxLength: 3 })
    .map((pairs) => pairs.map(([a, b]) => ({ min: Math.min(a, b, max), max: Math.min(Math.max(a, b), max) })));

function strategy<Rule extends string>(rules: readonly Rule[], rangeRules: readonly Rule[]) {
  return fc.constantFrom(...rules).chain((rule) => (rangeRules.includes(rule) ? ranges(2 ** 31 - 1).map((r) => ({ rule, ranges: r })) : fc.constant({ rule })));
}

const CAPABILITIES = ['CHOWN', 'NET_BIND_SERVICE', 'SYS_ADMIN', 'KILL', 'NET_RAW', 'SETUID'];

/**
 * PodSecurityPolicies the API server accepts (ranges where rules need them, dropped capabilities
 * never also allowed, runtime class defaults allowed, SELinux options for MustRunAs), with RBAC
 * granting them and a few workloads, so `translate` and `check` get past parsing.
 */
const validPsp = fc
  .record(
    {
      name: fc.constantFrom('restricted', 'baseline', 'privileged', 'a', 'psp.example.com', 'z-9'),
      privileged: fc.boolean(),
      allowedCapabilities: fc.subarray(CAPABILITIES.slice(0, 3)),
      defaultAddCapabilities: fc.subarray(CAPABILITIES.slice(0, 3)),
      requiredDropCapabilities: fc.subarray(CAPABILITIES.slice(3)),
      volumes: fc.subarray([...FS_TYPES]),
      hostNetwork: fc.boolean(),
      hostPID: fc.boolean(),
      hostIPC: fc.boolean(),
      hostPorts: ranges(65535),
      seLinux: fc.oneof(fc.constant({ rule: 'RunAsAny' }), fc.constant({ rule: 'MustRunAs', seLinuxOptions: { level: 's0:c1,c2' } })),
      runAsUser: strategy(RUN_AS_USER_RULES, ['MustRunAs']),
      runAsGroup: strategy(GROUP_RULES, ['MustRunAs', 'MayRunAs']),
      supplementalGroups: strategy(GROUP_RULES, ['MustRunAs', 'MayRunAs']),
      fsGroup: strategy(GROUP_RULES, ['MustRunAs', 'MayRunAs']),
      readOnlyRootFilesystem: fc.boolean(),
      allowPrivilegeEscalation: fc.boolean(),
      allowedHostPaths: fc.array(fc.record({ pathPrefix: fc.constantFrom('/var/log', '/', '/foo/'), readOnly: fc.boolean() }, { requiredKeys: ['pathPrefix'] }), { maxLength: 2 }),
      allowedFlexVolumes: fc.array(fc.record({ driver: fc.constantFrom('example/lvm', 'x') }), { maxLength: 2 }),
      allowedCSIDrivers: fc.array(fc.record({ name: fc.constantFrom('csi.example.com') }), { maxLength: 1 }),
      allowedUnsafeSysctls: fc.subarray(['kernel.msg*', 'net.core.somaxconn']),
      forbiddenSysctls: fc.subarray(['kernel.shm_rmid_forced', 'net.ipv4.*']),
      allowedProcMountTypes: fc.subarray(['Default', 'Unmasked']),
      runtimeClass: fc.constantFrom({ allowedRuntimeClassNames: ['*'] }, { allowedRuntimeClassNames: ['gvisor'], defaultRuntimeClassName: 'gvisor' }),
      seccomp: fc.constantFrom('runtime/default', '*', 'runtime/default,localhost/audit.json'),
    },
    { requiredKeys: ['name', 'seLinux', 'runAsUser', 'supplementalGroups', 'fsGroup', 'seccomp'] },
  )
  .map(({ name, seccomp, ...spec }) => ({
    apiVersion: 'policy/v1beta1',
    kind: 'PodSecurityPolicy',
    metadata: { name, annotations: { 'seccomp.security.alpha.kubernetes.io/allowedProfileNames': seccomp } },
    spec,
  }));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every path inside `value` that leads to a value (not the root). */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => [[...prefix, index], ...pathsOf(item, [...prefix, index])]);
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => [[...prefix, key], ...pathsOf(item, [...prefix, key])]);
  return [];
}

function objectPathsOf(value: Json, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => objectPathsOf(item, [...prefix, index]));
  if (value !== null && typeof value === 'object') return [prefix, ...Object.entries(value).flatMap(([key, item]) => objectPathsOf(item, [...prefix, key]))];
  return [];
}

function updated(value: Json, path: Path, change: (old: Json | undefined) => Json | undefined): Json {
  const copy = structuredClone(value) as Record<string | number, Json>;
  if (path.length === 0) return change(copy) ?? null;
  let parent: Record<string | number, Json> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  const next = change(parent[last]);
  if (next === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else parent[last] = next;
  return copy;
}

const WRONG_VALUES: Json[] = [42, -1, 1.5, 2 ** 64, 'text', '', 'yes', true, false, null, [], {}, [1, 'a', null], { unexpected: 1 }, '0x1F'];
const BAD_ENUMS = ['runAsany', 'MUSTRUNAS', 'hostpath', 'Any', '', '*'];

/** One plausible mistake somewhere in a valid PSP. */
function mutation(psp: Json): fc.Arbitrary<{ kind: string; psp: Json }> {
  const paths = pathsOf(psp);
  const enumPaths = paths.filter((path) => path[path.length - 1] === 'rule' || ['volumes', 'allowedProcMountTypes'].includes(String(path[path.length - 2])));
  const rangePaths = paths.filter((path) => path[path.length - 1] === 'min').map((path) => path.slice(0, -1));
  const mistakes: fc.Arbitrary<{ kind: string; psp: Json }>[] = [
    fc.tuple(fc.constantFrom(...paths), fc.constantFrom(...WRONG_VALUES)).map(([path, wrong]) => ({ kind: `${path.join('.')} = ${JSON.stringify(wrong)}`, psp: updated(psp, path, () => wrong) })),
    fc.tuple(fc.constantFrom(...objectPathsOf(psp)), fc.constantFrom('privilged', 'runAsUsers', 'extra', 'Privileged', '')).map(([path, key]) => ({
      kind: `unknown key ${[...path, key].join('.')}`,
      psp: updated(psp, path, (old) => ({ ...(old as Record<string, Json>), [key]: true })),
    })),
    fc.constantFrom<Path[]>(['spec', 'runAsUser'], ['spec', 'seLinux'], ['metadata', 'name'], ['apiVersion'], ['kind'], ['spec']).map((path) => ({ kind: `missing ${path.join('.')}`, psp: updated(psp, path, () => undefined) })),
    fc.constantFrom('Restricted', 'a_b', '-x', 'x'.repeat(254), '').map((name) => ({ kind: `bad name ${JSON.stringify(name)}`, psp: updated(psp, ['metadata', 'name'], () => name) })),
  ];
  if (enumPaths.length > 0) {
    mistakes.push(fc.tuple(fc.constantFrom(...enumPaths), fc.constantFrom(...BAD_ENUMS)).map(([path, bad]) => ({ kind: `bad enum ${path.join('.')} = ${bad}`, psp: updated(psp, path, () => bad) })));
  }
  if (rangePaths.length > 0) {
    mistakes.push(
      fc.constantFrom(...rangePaths).map((path) => ({
        kind: `reversed range at ${path.join('.')}`,
        psp: updated(psp, path, (old) => {
          const range = old as { min: number; max: number };
          return range.min === range.max ? { min: range.max + 1, max: range.min } : { min: range.max, max: range.min };
        }),
      })),
    );
  }
  return fc.oneof(...mistakes);
}

const RBAC = [
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'psp-use' }, rules: [{ apiGroups: ['policy'], resources: ['podsecuritypolicies'], verbs: ['use'] }] },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'psp-use' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'psp-use' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:serviceaccounts' }],
  },
];

const workloads = fc
  .array(fc.tuple(arbitraryPod, fc.constantFrom('Pod', 'Deployment', 'Job')), { minLength: 1, maxLength: 3 })
  .map((drawn) => drawn.map(([pod, kind], index): Json => {
    const { metadata, spec } = structuredClone(pod) as unknown as { metadata: Record<string, Json>; spec: Json };
    if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata: { ...metadata, name: `pod-${index}` }, spec };
    const template = { metadata: { labels: { app: 'x' }, ...(metadata['annotations'] ? { annotations: metadata['annotations'] } : {}) }, spec };
    return { apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1', kind, metadata: { name: `w-${index}`, namespace: 'default' }, spec: { selector: { matchLabels: { app: 'x' } }, template } };
  }));

function toStream(documents: Json[], format: 'yaml' | 'json'): string {
  return format === 'json' ? JSON.stringify({ apiVersion: 'v1', kind: 'List', items: documents }) : documents.map((document) => `---\n${stringify(document)}`).join('');
}

const pspCase = fc
  .record({
    policies: fc.array(validPsp, { minLength: 1, maxLength: 3 }),
    broken: fc.option(fc.nat(), { nil: undefined }),
    workloads,
    format: fc.constantFrom<'yaml' | 'json'>('yaml', 'yaml', 'json'),
    // `check --target` compiles every target's policies per run (~0.5 s): drawn less often.
    command: fc.oneof(
      { arbitrary: fc.constantFrom(...COMMANDS.filter((argv) => !(argv[0] === 'check' && argv.includes('--target')))), weight: 12 },
      { arbitrary: fc.constantFrom(...COMMANDS), weight: 1 },
    ),
  })
  .chain((drawn) => {
    // Names are unique per cluster; keep the first of each.
    const policies = drawn.policies.filter((policy, index, all) => all.findIndex((other) => other.metadata.name === policy.metadata.name) === index) as unknown as Json[];
    if (drawn.broken === undefined) return fc.constant({ ...drawn, policies, mistake: undefined as string | undefined });
    const at = drawn.broken % policies.length;
    return mutation(policies[at]!).map(({ kind, psp }) => ({ ...drawn, policies: policies.map((policy, index) => (index === at ? psp : policy)), mistake: kind as string | undefined }));
  });

// ---------------------------------------------------------------------------------------------

describe('fuzzing psp-translate run() on stdin', () => {
  afterAll(() => {
    if (process.env['PSP_TRANSLATE_FUZZ_TIMINGS']) console.table([...timings].map(([argv, { runs, ms }]) => ({ argv, runs, 'ms/run': Math.round(ms / runs) })));
  });

  it(`answers random YAML text with exit 0, 1 or 2 and a message, never a crash (${COMMANDS.length} command lines)`, async () => {
    await fc.assert(
      fc.asyncProperty(randomYaml, fc.constantFrom(...COMMANDS), async (text, argv) => {
        expectWellBehaved(await runWith(argv, text));
      }),
      fuzzParameters(200),
    );
  });

  it('answers random PSP-shaped objects: valid ones are translated, a mistake is exit 2 naming where it is', async () => {
    await fc.assert(
      fc.asyncProperty(pspCase, async ({ policies, workloads: pods, format, command, mistake }) => {
        const documents = [...policies, ...(RBAC as unknown as Json[]), ...pods];
        const outcome = await runWith(command, toStream(documents, format));
        expectWellBehaved(outcome);
        const why = `${mistake ?? 'valid'}: ${describeOutcome(outcome)}`;
        const invalid = policies.some((policy) => !PodSecurityPolicySchema.safeParse(policy).success);
        if (invalid) {
          expect(outcome.code, why).toBe(2);
          expect(outcome.stdout, why).toBe('');
          // Every error names its place (`<stdin>:line:column:`): a PSP whose apiVersion is wrong is
          // refused, never skipped as another kind of object.
          for (const line of outcome.stderr.split('\n').filter((text) => text.startsWith('error: '))) {
            expect(line, why).toMatch(/^error: <stdin>:\d+:\d+: /);
          }
        } else if (mistake === undefined) {
          // Generated to be accepted by the API server: never "bad input".
          expect(outcome.code, why).not.toBe(2);
          // psa labels the namespaces the inputs name; with none named it has nothing to print.
          if (outcome.argv.join(' ') !== 'translate - --target psa') expect(outcome.stdout, why).not.toBe('');
        }
      }),
      fuzzParameters(80),
    );
  });

  it('refuses YAML nested past 1,000 levels with one located error, run after run (no stack overflow, no V8 out-of-memory)', async () => {
    const shapes = ['['.repeat(5_000) + ']'.repeat(5_000), Array.from({ length: 1_500 }, (_, level) => `${' '.repeat(level)}a:`).join('\n') + ' 1\n'];
    for (const argv of [['ir', '-'], ['translate', '-'], ['check', '-']]) {
      for (const text of shapes) {
        const outcome = await runWith(argv, text);
        expectWellBehaved(outcome);
        expect(outcome.code, describeOutcome(outcome)).toBe(2);
        expect(outcome.stderr).toMatch(/^error: <stdin>:(1:257|257:\d+): YAML nests (5000|1500) levels deep; the limit is 256 levels[^\n]+\n$/);
      }
    }
  });

  it('the property can fail: an invalid PSP is noticed, a valid one is accepted', async () => {
    const valid = fc.sample(validPsp, { numRuns: 1, seed: 1 })[0]!;
    const accepted = await runWith(['ir', '-'], toStream([valid as unknown as Json], 'yaml'));
    expect(accepted.code, describeOutcome(accepted)).toBe(0);
    const rejected = await runWith(['ir', '-'], toStream([updated(valid as unknown as Json, ['spec', 'privileged'], () => 'yes please')], 'yaml'));
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toMatch(/^error: <stdin>:\d+:\d+: PodSecurityPolicy\/\S+: spec\.privileged: /m);
    expect(() => expectWellBehaved({ argv: ['ir'], code: 2, stdout: '', stderr: 'error: internal error in psp-translate: x\n', warnings: [] })).toThrow();
    expect(() => expectWellBehaved({ argv: ['ir'], code: 2, stdout: '', stderr: 'TypeError: x\n    at f (file.js:1:2)\n', warnings: [] })).toThrow();
    expect(() => expectWellBehaved({ argv: ['ir'], code: 2, stdout: '', stderr: 'error: x\n', warnings: ['DeprecationWarning: y'] })).toThrow();
    // A collection as a mapping key made the yaml package print a warning; it is a located error now.
    const collectionKey = await runWith(['ir', '-'], '? [a, b]\n: 1\n');
    expectWellBehaved(collectionKey);
    expect(collectionKey.warnings).toEqual([]);
    expect(collectionKey.code).toBe(2);
    expect(collectionKey.stderr).toMatch(/^error: <stdin>:1:3: mapping key is a sequence; /m);
  });
});
