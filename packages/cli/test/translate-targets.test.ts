/**
 * `psp-translate translate` with the gatekeeper, kyverno and vap targets wired into the registry:
 * objects per target, exit codes by fidelity, files per target, and the target flags
 * (--gatekeeper-mode, --no-mutate, --kyverno-api, --kyverno-style, --emit-tests).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runCli, snapshotTree, temporaryDirectory, type CliResult } from './helpers.js';

interface ObjectOut {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
  [field: string]: unknown;
}

function objectsOf(stdout: string): ObjectOut[] {
  return parseAllDocuments(stdout).map((document) => {
    expect(document.errors).toEqual([]);
    return document.toJS() as ObjectOut;
  });
}

/** Without --strict a translation that was written exits 0, whatever its report says; with --strict, 1 exactly when the report has an approximate or unsupported entry. */
function expectExitByFidelity(result: CliResult, strict = false): void {
  const findings = /^\w+: (approximate|unsupported): /m.test(result.stderr);
  expect(result.code, result.stderr).toBe(strict && findings ? 1 : 0);
}

const groupOf = (o: ObjectOut) => o.apiVersion.split('/')[0];

/** One PSP Gatekeeper expresses exactly, usable by every service account. */
const EXACT = `
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: { name: no-privileged }
spec:
  privileged: false
  seLinux: { rule: RunAsAny }
  runAsUser: { rule: RunAsAny }
  supplementalGroups: { rule: RunAsAny }
  fsGroup: { rule: RunAsAny }
  volumes: ['*']
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: use-psp }
rules: [{ apiGroups: [policy], resources: [podsecuritypolicies], resourceNames: [no-privileged, baseline-like], verbs: [use] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: every-service-account }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: use-psp }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: Group, name: 'system:serviceaccounts' }]
`;

/** A PSP that is exactly the Pod Security baseline level (for --kyverno-style), granted like EXACT's. */
const BASELINE_LIKE = `
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: baseline-like
  annotations: { seccomp.security.alpha.kubernetes.io/allowedProfileNames: '*' }
spec:
  privileged: false
  allowedCapabilities: ['*']
  volumes: [configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret, nfs, iscsi]
  runAsUser: { rule: RunAsAny }
  seLinux: { rule: RunAsAny }
  supplementalGroups: { rule: RunAsAny }
  fsGroup: { rule: RunAsAny }
${EXACT.slice(EXACT.indexOf('---'))}`;

describe('translate --target gatekeeper', () => {
  it('writes templates, constraints and mutators for the example cluster, observing by default', async () => {
    const result = await runCli(['translate', 'examples/cluster', '--target', 'gatekeeper', '--strict']);
    expectExitByFidelity(result, true);
    expect(result.code).toBe(1); // the example's defaults differ between PSPs sharing a namespace
    expect((await runCli(['translate', 'examples/cluster', '--target', 'gatekeeper'])).code).toBe(0);
    const objects = objectsOf(result.stdout);
    expect(new Set(objects.map(groupOf))).toEqual(new Set(['templates.gatekeeper.sh', 'constraints.gatekeeper.sh', 'mutations.gatekeeper.sh']));
    const constraints = objects.filter((o) => groupOf(o) === 'constraints.gatekeeper.sh');
    expect(constraints.length).toBeGreaterThan(0);
    for (const constraint of constraints) expect(constraint.spec?.['enforcementAction'], constraint.metadata.name).toBe('dryrun');
    expect(result.stderr).toMatch(/^gatekeeper: unsupported: /m);
  });

  it('exits 0 when everything is exact', async () => {
    const result = await runCli(['translate', '-', '--target', 'gatekeeper'], { stdin: EXACT });
    expect(result.code, result.stderr).toBe(0);
    const objects = objectsOf(result.stdout);
    expect(objects.map((o) => o.kind)).toContain('K8sPspPrivileged');
    expect(new Set(objects.map(groupOf))).toEqual(new Set(['templates.gatekeeper.sh', 'constraints.gatekeeper.sh']));
  });

  it('--gatekeeper-mode chooses per-control or policy-set constraints', async () => {
    const kinds = async (mode: string) =>
      objectsOf((await runCli(['translate', 'examples/cluster', '--target', 'gatekeeper', '--gatekeeper-mode', mode])).stdout)
        .filter((o) => groupOf(o) === 'constraints.gatekeeper.sh')
        .map((o) => o.kind);
    const policySet = await kinds('policy-set');
    expect(new Set(policySet)).toEqual(new Set(['K8sPspPolicySet']));
    const auto = await kinds('auto');
    expect(auto).toContain('K8sPspPrivileged');
    expect(auto).toContain('K8sPspPolicySet');
    // A scope with several PSPs always needs the any-of template; per-control differs from policy-set where one PSP applies.
    expect(await kinds('per-control')).toEqual(auto);
  });

  it('--action deny enforces', async () => {
    const result = await runCli(['translate', '-', '--target', 'gatekeeper', '--action', 'deny'], { stdin: EXACT });
    expect(objectsOf(result.stdout).find((o) => o.kind === 'K8sPspPrivileged')?.spec?.['enforcementAction']).toBe('deny');
  });
});

describe('translate --target kyverno', () => {
  it('writes ClusterPolicies and a PolicyException for the example cluster, in Audit by default', async () => {
    const result = await runCli(['translate', 'examples/cluster', '--target', 'kyverno']);
    expectExitByFidelity(result);
    const objects = objectsOf(result.stdout);
    expect(new Set(objects.map((o) => `${o.apiVersion} ${o.kind}`))).toEqual(new Set(['kyverno.io/v1 ClusterPolicy', 'kyverno.io/v2 PolicyException']));
    const validating = objects.filter((o) => o.kind === 'ClusterPolicy' && !o.metadata.name.endsWith('-defaults'));
    expect(validating.length).toBeGreaterThan(0);
    for (const policy of validating) expect(policy.spec?.['validationFailureAction'], policy.metadata.name).toBe('Audit');
    // Defaults become mutate rules.
    expect(objects.some((o) => o.metadata.name.endsWith('-defaults'))).toBe(true);
  });

  it('--kyverno-api policies.kyverno.io/v1 writes ValidatingPolicy and MutatingPolicy instead', async () => {
    const result = await runCli(['translate', 'examples/cluster', '--target', 'kyverno', '--kyverno-api', 'policies.kyverno.io/v1']);
    expectExitByFidelity(result);
    const kinds = new Set(objectsOf(result.stdout).map((o) => `${o.apiVersion} ${o.kind}`));
    expect(kinds).toContain('policies.kyverno.io/v1 ValidatingPolicy');
    expect(kinds).toContain('policies.kyverno.io/v1 MutatingPolicy');
    expect([...kinds].filter((kind) => kind.startsWith('kyverno.io/'))).toEqual([]);
  });

  it('--kyverno-style writes cel, pattern/deny or podSecurity rules', async () => {
    const rules = async (style: string) => {
      const result = await runCli(['translate', '-', '--target', 'kyverno', '--kyverno-style', style], { stdin: BASELINE_LIKE });
      expect(result.code, result.stderr).toBeLessThan(2);
      const policy = objectsOf(result.stdout).find((o) => o.metadata.name === 'psp-baseline-like');
      expect(policy, result.stdout).toBeDefined();
      return (policy!.spec!['rules'] as { validate: Record<string, unknown> }[]).map((rule) => Object.keys(rule.validate).filter((key) => key !== 'message'));
    };
    expect((await rules('cel')).flat().every((key) => key === 'cel')).toBe(true);
    const pattern = (await rules('pattern')).flat();
    expect(pattern.some((key) => key === 'deny' || key === 'foreach' || key === 'pattern')).toBe(true);
    expect(pattern).not.toContain('podSecurity');
    expect((await rules('podsecurity')).flat()).toContain('podSecurity');
  });
});

describe('translate --no-mutate', () => {
  it('leaves out every mutation and reports each default as lost, for every target that mutates', async () => {
    const withMutations = await runCli(['translate', 'examples/cluster', '--target', 'gatekeeper,kyverno,vap', '--kyverno-api', 'policies.kyverno.io/v1']);
    const without = await runCli(['translate', 'examples/cluster', '--target', 'gatekeeper,kyverno,vap', '--kyverno-api', 'policies.kyverno.io/v1', '--no-mutate']);
    expect(without.code).toBe(0);
    expect(without.stderr).toMatch(/--strict makes this exit 1/);
    const mutating = (o: ObjectOut) => groupOf(o) === 'mutations.gatekeeper.sh' || o.kind === 'MutatingPolicy' || o.kind.startsWith('MutatingAdmissionPolicy');
    const before = objectsOf(withMutations.stdout).filter(mutating);
    expect(new Set(before.map((o) => groupOf(o)))).toEqual(new Set(['mutations.gatekeeper.sh', 'policies.kyverno.io', 'admissionregistration.k8s.io']));
    expect(objectsOf(without.stdout).filter(mutating)).toEqual([]);
    // The example's restricted PSP defaults fsGroup: each target says that default is now lost.
    for (const target of ['gatekeeper', 'kyverno', 'vap']) {
      expect(without.stderr, target).toMatch(new RegExp(`^${target}: (approximate|unsupported): restricted/fsGroup: .*--no-mutate`, 'm'));
    }
  });
});

describe('translate --emit-tests', () => {
  it('needs --out-dir', async () => {
    const result = await runCli(['translate', 'examples/cluster', '--target', 'kyverno', '--emit-tests']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: --emit-tests .*--out-dir/m);
  });

  it('writes a kyverno test suite whose files parse and are the ones the Test names', async () => {
    const { dir, remove } = await temporaryDirectory();
    try {
      const out = path.join(dir, 'out');
      const result = await runCli(['translate', 'examples/cluster', '--target', 'kyverno,gatekeeper', '--emit-tests', '--out-dir', out]);
      expectExitByFidelity(result);
      expect(result.stderr).not.toMatch(/--emit-tests: no tests written/);
      const files = Object.keys(await snapshotTree(out));
      // Gatekeeper: each constrained template's Rego beside its opa tests, in one package, outside the applied folder's top level.
      const regoTests = files.filter((file) => file.startsWith('gatekeeper/rego-tests/'));
      expect(regoTests.length).toBeGreaterThan(0);
      for (const file of regoTests.filter((f) => f.endsWith('_test.rego'))) {
        const regoFile = file.replace(/_test\.rego$/, '.rego');
        expect(regoTests, file).toContain(regoFile);
        const packageOf = async (f: string) => /^package (\S+)$/m.exec(await readFile(path.join(out, f), 'utf8'))?.[1];
        expect(await packageOf(file)).toBe(await packageOf(regoFile));
        expect(await readFile(path.join(out, file), 'utf8')).toMatch(/^test_\w+ if \{\n {2}count\(violation\) (== 0|> 0) with input as \{/m);
      }
      const tests = files.filter((file) => file.startsWith('kyverno/tests/'));
      expect(tests).toEqual(['kyverno/tests/exceptions.yaml', 'kyverno/tests/kyverno-test.yaml', 'kyverno/tests/policies.yaml', 'kyverno/tests/resources.yaml']);
      const [test] = objectsOf(await readFile(path.join(out, 'kyverno/tests/kyverno-test.yaml'), 'utf8'));
      expect(test).toMatchObject({ apiVersion: 'cli.kyverno.io/v1alpha1', kind: 'Test' });
      const named = [...(test!['policies'] as string[]), ...(test!['resources'] as string[]), ...((test!['exceptions'] as string[] | undefined) ?? [])];
      expect(named.map((file) => `kyverno/tests/${file}`).sort()).toEqual(tests.filter((file) => !file.endsWith('kyverno-test.yaml')));
      const resources = objectsOf(await readFile(path.join(out, 'kyverno/tests/resources.yaml'), 'utf8'));
      expect(resources.length).toBeGreaterThan(0);
      expect(resources.every((o) => o.kind === 'Pod')).toBe(true);
      const results = test!['results'] as { resources: string[] }[];
      const names = new Set(resources.map((o) => o.metadata.name));
      for (const entry of results) for (const name of entry.resources) expect(names.has(name), name).toBe(true);
      const policies = objectsOf(await readFile(path.join(out, 'kyverno/tests/policies.yaml'), 'utf8'));
      const exceptions = objectsOf(await readFile(path.join(out, 'kyverno/tests/exceptions.yaml'), 'utf8'));
      expect(policies.every((o) => o.kind === 'ClusterPolicy')).toBe(true);
      expect(exceptions.map((o) => o.kind)).toEqual(['PolicyException']);
      // The test pods stay out of the directory a user applies.
      expect(files.filter((file) => file.startsWith('kyverno/') && !file.startsWith('kyverno/tests/') && /pod-/.test(file))).toEqual([]);
    } finally {
      await remove();
    }
  });
});

describe('translate --target all', () => {
  it('translates to every target: objects per target on stdout, files per target with --out-dir', async () => {
    const printed = await runCli(['translate', 'examples/cluster']);
    expectExitByFidelity(printed);
    expect(printed.stderr).not.toMatch(/not implemented/);
    const groups = new Set(objectsOf(printed.stdout).map(groupOf));
    for (const group of ['templates.gatekeeper.sh', 'constraints.gatekeeper.sh', 'kyverno.io', 'v1', 'admissionregistration.k8s.io']) expect(groups).toContain(group);
    for (const target of ['gatekeeper', 'kyverno', 'psa', 'vap']) expect(printed.stderr).toMatch(new RegExp(`^${target}: `, 'm'));
    // VAP observes by default.
    const bindings = objectsOf(printed.stdout).filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding');
    expect(bindings.length).toBeGreaterThan(0);
    for (const binding of bindings) expect(binding.spec?.['validationActions']).toEqual(['Audit', 'Warn']);

    const { dir, remove } = await temporaryDirectory();
    try {
      const written = await runCli(['translate', 'examples/cluster', '--out-dir', dir]);
      expect(written.code).toBe(printed.code);
      const tree = await snapshotTree(dir);
      const byTarget = new Map<string, string[]>();
      for (const file of Object.keys(tree)) byTarget.set(file.split('/')[0]!, [...(byTarget.get(file.split('/')[0]!) ?? []), file]);
      expect([...byTarget.keys()].sort()).toEqual(['gatekeeper', 'kyverno', 'psa', 'vap']);
      const fromFiles = Object.entries(tree)
        .filter(([file]) => !file.endsWith('.psp-translate-output'))
        .flatMap(([, contents]) => objectsOf(contents));
      expect(fromFiles.length).toBe(objectsOf(printed.stdout).length);
      expect(byTarget.get('kyverno')!.some((file) => file.startsWith('kyverno/tests/'))).toBe(false);
    } finally {
      await remove();
    }
  });
});

describe('invalid target flags', () => {
  it.each([
    ['--gatekeeper-mode', 'sometimes'],
    ['--kyverno-api', 'kyverno.io/v2'],
    ['--kyverno-style', 'jmespath'],
  ])('%s %s is a usage error: exit 2, nothing written', async (flag, value) => {
    const result = await runCli(['translate', 'examples/cluster', flag, value]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`'${value}' is invalid`);
  });
});
