import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClusterRoleBinding, PolicyRule, RoleBinding, Subject } from '../schema/rbac.js';
import {
  clusterRole,
  clusterRoleBinding,
  group,
  psps,
  rbacInput,
  role,
  roleBinding,
  sa,
  useRule,
  user,
} from './__fixtures__/rbac-objects.js';
import { CONTROLLER_IDENTITIES, controllerRequester } from './identities.js';
import { buildRbacIndex } from './rbac-index.js';
import { candidatesFor, scopeGroupFor, scopeGroups, type ScopeGroup } from './scope-groups.js';
import type { RbacInput, RbacObject, Requester } from './types.js';

const CONTROLLERS = CONTROLLER_IDENTITIES.map((c) => c.user);
const any = { op: 'NotIn', values: [] } as const;

describe('scopeGroups', () => {
  it('without RBAC, one group covers every pod and has no candidate: PSP admission denied them all', () => {
    const index = buildRbacIndex(rbacInput(), { policies: psps('a') });
    expect(scopeGroups(index, psps('a'))).toEqual([
      { namespace: any, serviceAccount: any, requester: any, requesterWorkloadKinds: [], candidates: [] },
    ]);
  });

  it('names the granted service account and makes "any other" explicit, with empty candidates', () => {
    const input = rbacInput(
      clusterRole('privileged', [useRule('privileged')]),
      roleBinding('kube-system', 'kube-proxy', { kind: 'ClusterRole', name: 'privileged' }, [sa('kube-system', 'kube-proxy')]),
    );
    const policies = psps('privileged');
    expect(scopeGroups(buildRbacIndex(input, { policies }), policies)).toEqual([
      { namespace: { op: 'In', values: ['kube-system'] }, serviceAccount: { op: 'In', values: ['kube-proxy'] }, requester: any, requesterWorkloadKinds: [], candidates: ['privileged'] },
      { namespace: { op: 'In', values: ['kube-system'] }, serviceAccount: { op: 'NotIn', values: ['kube-proxy'] }, requester: any, requesterWorkloadKinds: [], candidates: [] },
      { namespace: { op: 'NotIn', values: ['kube-system'] }, serviceAccount: any, requester: any, requesterWorkloadKinds: [], candidates: [] },
    ]);
  });

  it('splits by requester where a kube-system grant reaches controller-made pods everywhere', () => {
    const input = rbacInput(
      clusterRole('privileged', [useRule('privileged')]),
      clusterRole('restricted', [useRule('restricted')]),
      clusterRoleBinding('leak', 'privileged', [group('system:serviceaccounts:kube-system')]),
      clusterRoleBinding('everyone', 'restricted', [group('system:authenticated')]),
    );
    const policies = psps('privileged', 'restricted');
    const groups = scopeGroups(buildRbacIndex(input, { policies }), policies);
    expect(groups).toEqual([
      { namespace: { op: 'In', values: ['kube-system'] }, serviceAccount: any, requester: any, requesterWorkloadKinds: [], candidates: ['privileged', 'restricted'] },
      {
        namespace: { op: 'NotIn', values: ['kube-system'] },
        serviceAccount: any,
        requester: { op: 'In', values: CONTROLLERS },
        requesterWorkloadKinds: ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController'],
        candidates: ['privileged', 'restricted'],
      },
      { namespace: { op: 'NotIn', values: ['kube-system'] }, serviceAccount: any, requester: { op: 'NotIn', values: CONTROLLERS }, requesterWorkloadKinds: [], candidates: ['restricted'] },
    ]);
  });

  it('merges namespaces and service accounts that behave alike', () => {
    const input = rbacInput(
      clusterRole('a', [useRule('a')]),
      roleBinding('n1', 'rb', { kind: 'ClusterRole', name: 'a' }, [sa('n1', 'x'), sa('n1', 'y')]),
      roleBinding('n2', 'rb', { kind: 'ClusterRole', name: 'a' }, [sa('n2', 'x'), sa('n2', 'y')]),
    );
    const groups = scopeGroups(buildRbacIndex(input, { policies: psps('a') }), psps('a'));
    expect(groups.map((g) => [g.namespace, g.serviceAccount, g.candidates])).toEqual([
      [{ op: 'In', values: ['n1', 'n2'] }, { op: 'In', values: ['x', 'y'] }, ['a']],
      [{ op: 'In', values: ['n1', 'n2'] }, { op: 'NotIn', values: ['x', 'y'] }, []],
      [{ op: 'NotIn', values: ['n1', 'n2'] }, any, []],
    ]);
  });

  it('models extra requesters such as the kubelet for static pods', () => {
    const input = rbacInput(clusterRole('a', [useRule('a')]), roleBinding('kube-system', 'nodes', { kind: 'ClusterRole', name: 'a' }, [group('system:nodes')]));
    const kubelet: Requester = { user: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
    const index = buildRbacIndex(input, { policies: psps('a') });
    expect(scopeGroups(index, psps('a'))).toHaveLength(1);
    const groups = scopeGroups(index, psps('a'), { requesters: [kubelet] });
    expect(scopeGroupFor(groups, { namespace: 'kube-system', serviceAccount: 'default', requester: kubelet }).candidates).toEqual(['a']);
    expect(scopeGroupFor(groups, { namespace: 'kube-system', serviceAccount: 'default' }).candidates).toEqual([]);
    expect(scopeGroupFor(groups, { namespace: 'default', serviceAccount: 'default', requester: kubelet }).candidates).toEqual([]);
  });

  it('candidatesFor unions the service account and the requester grants', () => {
    const input = rbacInput(
      clusterRole('a', [useRule('a')]),
      clusterRole('b', [useRule('b')]),
      clusterRole('c', [useRule('c')]),
      roleBinding('team', 'sa', { kind: 'ClusterRole', name: 'b' }, [sa('team', 'app')]),
      roleBinding('team', 'ctrl', { kind: 'ClusterRole', name: 'a' }, [sa('kube-system', 'replicaset-controller')]),
      clusterRoleBinding('alice', 'c', [user('alice')]),
    );
    const policies = psps('c', 'b', 'a');
    const index = buildRbacIndex(input, { policies });
    expect(candidatesFor(index, policies, { namespace: 'team', serviceAccount: 'app', requester: controllerRequester('Deployment')! })).toEqual(['a', 'b']);
    expect(candidatesFor(index, policies, { namespace: 'team', serviceAccount: 'app', requester: controllerRequester('Job')! })).toEqual(['b']);
    expect(candidatesFor(index, policies, { namespace: 'team', serviceAccount: 'app' })).toEqual(['b']);
    expect(candidatesFor(index, policies, { namespace: 'team', serviceAccount: 'app', requester: { user: 'alice', groups: ['system:authenticated'] } })).toEqual(['b', 'c']);
  });

  it('candidatesFor answers for the index and policies passed, when calls alternate between them, and tells requesters apart by groups too', () => {
    const grant = (policy: string) =>
      rbacInput(
        clusterRole(policy, [useRule(policy)]),
        roleBinding('team', 'use', { kind: 'ClusterRole', name: policy }, [group('system:serviceaccounts:team')]),
        clusterRoleBinding('ops', policy, [group('ops')]),
      );
    const policies = psps('a', 'b');
    const indexA = buildRbacIndex(grant('a'), { policies });
    const indexB = buildRbacIndex(grant('b'), { policies });
    const onlyA = psps('a');
    const pod = { namespace: 'team', serviceAccount: 'app' };
    const other = { namespace: 'other', serviceAccount: 'app' };
    for (let round = 0; round < 2; round++) {
      expect(candidatesFor(indexA, policies, pod)).toEqual(['a']);
      expect(candidatesFor(indexB, policies, pod)).toEqual(['b']);
      expect(candidatesFor(indexB, onlyA, pod)).toEqual([]);
      expect(candidatesFor(indexA, onlyA, pod)).toEqual(['a']);
      expect(candidatesFor(indexA, policies, other)).toEqual([]);
      // The same user name with and without the granted group: two answers, not one.
      expect(candidatesFor(indexA, policies, { ...other, requester: { user: 'bob', groups: ['system:authenticated'] } })).toEqual([]);
      expect(candidatesFor(indexA, policies, { ...other, requester: { user: 'bob', groups: ['ops', 'system:authenticated'] } })).toEqual(['a']);
    }
  });
});

// ---- property: scopeGroups partitions every pod, agreeing with candidatesFor and a naive authorizer ----

const NAMESPACES = ['kube-system', 'n1', 'n2'];
const SA_NAMES = ['default', 'x', 'replicaset-controller', 'job-controller'];
const PSP_NAMES = ['p1', 'p2', 'p3'];
const ROLE_NAMES = ['r1', 'r2', 'r3'];
const LABELS = ['l1', 'l2'];

const ruleArb: fc.Arbitrary<PolicyRule> = fc.record({
  verbs: fc.subarray(['use', '*', 'get'], { minLength: 1 }),
  apiGroups: fc.subarray(['policy', 'extensions', '*', 'apps']),
  resources: fc.subarray(['podsecuritypolicies', '*', 'pods']),
  resourceNames: fc.option(fc.subarray(PSP_NAMES), { nil: undefined }),
});
const subjectArb: fc.Arbitrary<Subject> = fc.oneof(
  fc.tuple(fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined }), fc.constantFrom(...SA_NAMES)).map(([ns, name]) => sa(ns, name)),
  fc.constantFrom('system:serviceaccounts', 'system:authenticated', 'system:nodes', ...NAMESPACES.map((n) => `system:serviceaccounts:${n}`)).map(group),
  fc.constantFrom('alice', ...NAMESPACES.flatMap((n) => SA_NAMES.map((s) => `system:serviceaccount:${n}:${s}`))).map(user),
);
const labelsArb = fc.subarray(LABELS).map((ls) => Object.fromEntries(ls.map((l) => [l, 'yes'])));
const rbacArb: fc.Arbitrary<RbacInput> = fc
  .record({
    clusterRoles: fc.uniqueArray(
      fc.record({
        name: fc.constantFrom(...ROLE_NAMES),
        rules: fc.array(ruleArb, { maxLength: 2 }),
        labels: labelsArb,
        aggregate: fc.option(fc.subarray(LABELS, { minLength: 1 }), { nil: undefined }),
      }),
      { selector: (r) => r.name, maxLength: 3 },
    ),
    roles: fc.uniqueArray(
      fc.record({ namespace: fc.constantFrom(...NAMESPACES), name: fc.constantFrom(...ROLE_NAMES), rules: fc.array(ruleArb, { maxLength: 2 }) }),
      { selector: (r) => `${r.namespace}/${r.name}`, maxLength: 3 },
    ),
    roleBindings: fc.array(
      fc.record({
        namespace: fc.constantFrom(...NAMESPACES),
        kind: fc.constantFrom('Role' as const, 'ClusterRole' as const),
        role: fc.constantFrom(...ROLE_NAMES),
        subjects: fc.array(subjectArb, { minLength: 1, maxLength: 3 }),
      }),
      { maxLength: 4 },
    ),
    clusterRoleBindings: fc.array(
      fc.record({ role: fc.constantFrom(...ROLE_NAMES), subjects: fc.array(subjectArb, { minLength: 1, maxLength: 3 }) }),
      { maxLength: 3 },
    ),
  })
  .map((r) =>
    rbacInput(
      ...r.clusterRoles.map((c) =>
        clusterRole(c.name, c.rules, {
          labels: c.labels,
          ...(c.aggregate ? { aggregationRule: { clusterRoleSelectors: c.aggregate.map((l) => ({ matchLabels: { [l]: 'yes' } })) } } : {}),
        }),
      ),
      ...r.roles.map((x) => role(x.namespace, x.name, x.rules)),
      ...r.roleBindings.map((b, i) => roleBinding(b.namespace, `rb${i}`, { kind: b.kind, name: b.role }, b.subjects)),
      ...r.clusterRoleBindings.map((b, i) => clusterRoleBinding(`crb${i}`, b.role, b.subjects)),
    ),
  );

/** RBAC as the authorizer evaluates it, written independently of the index, for cross-checking. */
function naiveAuthorizer(input: RbacInput): (namespace: string, serviceAccount: string, requester: Requester | undefined) => string[] {
  const aggregated = new Map<string, Set<string>>();
  for (const c of input.clusterRoles) aggregated.set(c.name, new Set(c.raw.aggregationRule ? [] : (c.raw.rules ?? []).map((r) => JSON.stringify(r))));
  for (let changed = true; changed; ) {
    changed = false;
    for (const c of input.clusterRoles) {
      if (!c.raw.aggregationRule) continue;
      const mine = aggregated.get(c.name)!;
      for (const other of input.clusterRoles) {
        if (other.name === c.name) continue;
        const labels = other.raw.metadata.labels ?? {};
        const selected = (c.raw.aggregationRule.clusterRoleSelectors ?? []).some((s) => Object.entries(s.matchLabels ?? {}).every(([k, v]) => labels[k] === v));
        if (!selected) continue;
        for (const rule of aggregated.get(other.name)!) if (!mine.has(rule)) { mine.add(rule); changed = true; }
      }
    }
  }
  const rulesOf = (kind: string, name: string, bindingNs: string | undefined): PolicyRule[] =>
    kind === 'ClusterRole'
      ? [...(aggregated.get(name) ?? [])].map((r) => JSON.parse(r) as PolicyRule)
      : (input.roles.find((r) => r.name === name && r.namespace === bindingNs)?.raw.rules ?? []);
  const matchesSubject = (s: Subject, bindingNs: string | undefined, who: Requester) =>
    s.kind === 'Group' ? who.groups.includes(s.name)
      : s.kind === 'User' ? who.user === s.name
        : who.user === `system:serviceaccount:${s.namespace ?? bindingNs}:${s.name}`;
  const allows = (rule: PolicyRule, psp: string) =>
    (rule.verbs.includes('use') || rule.verbs.includes('*')) &&
    (rule.apiGroups ?? []).some((g) => g === 'policy' || g === 'extensions' || g === '*') &&
    (rule.resources ?? []).some((r) => r === 'podsecuritypolicies' || r === '*') &&
    ((rule.resourceNames ?? []).length === 0 || rule.resourceNames!.includes(psp));
  return (namespace, serviceAccount, requester) => {
    const identities: Requester[] = [
      // PSP admission's service-account identity: no system:authenticated.
      { user: `system:serviceaccount:${namespace}:${serviceAccount}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`] },
      requester ?? { user: '', groups: ['system:authenticated'] },
    ];
    const bindings: [RbacObject<RoleBinding | ClusterRoleBinding>, string | undefined][] = [
      ...input.roleBindings.filter((b) => b.namespace === namespace).map((b) => [b, b.namespace] as [RbacObject<RoleBinding>, string]),
      ...input.clusterRoleBindings.map((b) => [b, undefined] as [RbacObject<ClusterRoleBinding>, undefined]),
    ];
    return PSP_NAMES.filter((psp) =>
      bindings.some(
        ([b, ns]) =>
          (b.raw.subjects ?? []).some((s) => identities.some((who) => matchesSubject(s, ns, who))) &&
          rulesOf(b.raw.roleRef.kind, b.raw.roleRef.name, ns).some((rule) => allows(rule, psp)),
      ),
    );
  };
}

const fuzzSeed = process.env.PSP_TRANSLATE_FUZZ === 'random' ? undefined : Number(process.env.PSP_TRANSLATE_FUZZ_SEED ?? 42);

describe('scopeGroups (property)', () => {
  it('every (namespace, service account, requester) falls into exactly one group, whose candidates are the pod\'s', () => {
    const policies = psps(...PSP_NAMES);
    fc.assert(
      fc.property(rbacArb, (input) => {
        const index = buildRbacIndex(input, { policies });
        const groups = scopeGroups(index, policies);
        const naiveCandidates = naiveAuthorizer(input);
        expect(scopeGroups(index, policies)).toEqual(groups);
        for (const namespace of [...NAMESPACES, 'unmentioned']) {
          for (const serviceAccount of [...SA_NAMES, 'unmentioned']) {
            for (const requester of [undefined, ...CONTROLLER_IDENTITIES.map((c) => controllerRequester(c.workloadKinds[0]!)!)]) {
              const pod = { namespace, serviceAccount, ...(requester ? { requester } : {}) };
              // Plain comparisons: expect() in this hot loop would dominate the run time.
              const expected = naiveCandidates(namespace, serviceAccount, requester).join(',');
              const direct = candidatesFor(index, policies, pod).join(',');
              const grouped = scopeGroupFor(groups, pod).candidates.join(',');
              if (direct !== expected || grouped !== expected) {
                throw new Error(`${JSON.stringify(pod)}: naive [${expected}], candidatesFor [${direct}], scope group [${grouped}]`);
              }
            }
          }
        }
        assertMinimalRequesterSplit(groups);
      }),
      { numRuns: 200, ...(fuzzSeed === undefined ? {} : { seed: fuzzSeed }) },
    );
  });
});

/** Within one (namespace, service account) cell, requester classes have distinct candidate sets. */
function assertMinimalRequesterSplit(groups: readonly ScopeGroup[]): void {
  const byCell = new Map<string, string[]>();
  for (const g of groups) {
    const cell = JSON.stringify([g.namespace, g.serviceAccount]);
    const sets = byCell.get(cell) ?? [];
    sets.push(g.candidates.join(','));
    byCell.set(cell, sets);
  }
  for (const sets of byCell.values()) expect(new Set(sets).size).toBe(sets.length);
}
