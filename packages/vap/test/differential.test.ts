/**
 * Differential test: the emitted admission policies, executed in-process (@bufbuild/cel through
 * ./support/admission.ts, which plays the API server's part: bindings, namespace selectors, match
 * conditions, mutations, variables, validations), decide as the reference PSP evaluator (`admit`
 * over `candidatesFor` from the RBAC) for random clusters, pods (all three container kinds),
 * namespaces, service accounts, requesters and operations (CREATE, UPDATE, UPDATE of
 * pods/ephemeralcontainers).
 *
 * Where the translation reports itself exact (UPDATE; CREATE with no defaulting candidate; CREATE
 * with defaulting candidates when MutatingAdmissionPolicy is available and every default has a
 * mutation, including scopes where several candidates may default a pod, unless the group fell
 * back to first-by-name defaults for cost), every decision must agree. Elsewhere the report says
 * `approximate`, and the agreement rate is measured, not required.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  admit,
  buildRbacIndex,
  candidatesFor,
  controllerRequester,
  scopeGroups,
  type Pod,
  type PolicyIR,
  type Requester,
} from '@psp-translate/core';
import { arbitraryPod, arbitraryPolicy } from '../../core/src/evaluate/arbitrary.js';
import { clusterRole, clusterRoleBinding, group, rbacInput, roleBinding, sa, useRule, user } from '../../core/src/rbac/__fixtures__/rbac-objects.js';
import { defaultsPlan, translateVap, type KubernetesObject } from '../src/index.js';
import { admitThrough, type AdmissionRequest } from './support/admission.js';

const seed = process.env.PSP_TRANSLATE_FUZZ === 'random' ? Date.now() : Number(process.env.PSP_TRANSLATE_FUZZ_SEED ?? 42);

const NAMESPACES = ['default', 'team-a', 'kube-system'];
const SERVICE_ACCOUNTS = ['default', 'builder'];
const POLICY_NAMES = ['p-alpha', 'p-beta', 'p-gamma'];
const ALICE: Requester = { user: 'alice', groups: ['system:authenticated'] };
const REQUESTERS: (Requester | undefined)[] = [controllerRequester('Deployment'), controllerRequester('Job'), ALICE, undefined];

const subject = fc.oneof(
  fc.tuple(fc.constantFrom(...NAMESPACES), fc.constantFrom(...SERVICE_ACCOUNTS)).map(([ns, name]) => sa(ns, name)),
  fc.constantFrom('system:serviceaccounts', 'system:authenticated', ...NAMESPACES.map((n) => `system:serviceaccounts:${n}`)).map(group),
  fc.constantFrom('alice', 'system:serviceaccount:kube-system:replicaset-controller').map(user),
);

/** A cluster: three PSPs and bindings granting `use` of some of them. */
const cluster = fc
  .record({
    policies: fc.tuple(arbitraryPolicy, arbitraryPolicy, arbitraryPolicy),
    grants: fc.array(
      fc.record({ policy: fc.constantFrom(...POLICY_NAMES), namespace: fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined }), subjects: fc.array(subject, { minLength: 1, maxLength: 2 }) }),
      { minLength: 1, maxLength: 5 },
    ),
  })
  .map(({ policies, grants }) => {
    const renamed = policies.map((p, i) => ({ ...p, name: POLICY_NAMES[i] as string }));
    const roles = POLICY_NAMES.map((name) => clusterRole(`use-${name}`, [useRule(name)]));
    const bindings = grants.map((g, i) =>
      g.namespace === undefined
        ? clusterRoleBinding(`grant-${i}`, `use-${g.policy}`, g.subjects)
        : roleBinding(g.namespace, `grant-${i}`, { kind: 'ClusterRole', name: `use-${g.policy}` }, g.subjects),
    );
    return { policies: renamed, rbac: rbacInput(...roles, ...bindings) };
  });

const request = fc.record({
  pod: arbitraryPod,
  namespace: fc.constantFrom(...NAMESPACES, 'elsewhere'),
  serviceAccount: fc.constantFrom(...SERVICE_ACCOUNTS, 'other'),
  requester: fc.constantFrom(...REQUESTERS),
  operation: fc.constantFrom('CREATE', 'CREATE', 'UPDATE', 'UPDATE-ephemeral'),
});

/** The 1.24 API server copied the pod's seccompProfile field into the annotation before PSP saw an update. */
function syncSeccompAnnotation(pod: Pod): Pod {
  const field = pod.spec.securityContext?.seccompProfile;
  const key = 'seccomp.security.alpha.kubernetes.io/pod';
  if (field === undefined || field === null || (pod.metadata.annotations?.[key] ?? '') !== '') return pod;
  const value = field.type === 'RuntimeDefault' ? 'runtime/default' : field.type === 'Unconfined' ? 'unconfined' : `localhost/${field.localhostProfile ?? ''}`;
  return { ...pod, metadata: { ...pod.metadata, annotations: { ...pod.metadata.annotations, [key]: value } } };
}

/** Scopes (`psp-translate.io/scope`) whose defaults fell back to the first defaulting candidate's: several candidates, no per-candidate choice. */
function firstByNameScopes(objects: readonly KubernetesObject[]): Set<string> {
  const scopes = new Set<string>();
  for (const o of objects) {
    if (o.kind !== 'MutatingAdmissionPolicy') continue;
    const variables = ((o.spec as { variables?: { name: string }[] }).variables ?? []).map((v) => v.name);
    const validating = objects.find((v) => v.kind === 'ValidatingAdmissionPolicy' && v.metadata.annotations?.['psp-translate.io/scope'] === o.metadata.annotations?.['psp-translate.io/scope']);
    const several = (validating?.metadata.annotations?.['psp-translate.io/candidates'] ?? '').split(',').length > 1;
    if (several && !variables.includes('psp_chose_this_policy')) scopes.add(o.metadata.annotations?.['psp-translate.io/scope'] as string);
  }
  return scopes;
}

/** The scope annotation of the ValidatingAdmissionPolicy that judged the request. */
function validatingScope(objects: readonly KubernetesObject[], validatedBy: readonly string[]): string | undefined {
  const name = validatedBy[0];
  return name === undefined ? undefined : objects.find((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === name)?.metadata.annotations?.['psp-translate.io/scope'];
}

interface Tally {
  /** CREATE requests in scopes where several candidates, some defaulting, may be chosen (exact with MutatingAdmissionPolicy). */
  multiDefault: number;
  exact: number;
  approximate: number;
  approximateAgreed: number;
  admitted: number;
  ephemeralUpdates: number;
}

function run(kubeVersion: string, worlds: number, podsPerWorld: number): Tally {
  const tally: Tally = { multiDefault: 0, exact: 0, approximate: 0, approximateAgreed: 0, admitted: 0, ephemeralUpdates: 0 };
  let worldsSeen = 0;
  fc.assert(
    fc.property(cluster, fc.array(request, { minLength: podsPerWorld, maxLength: podsPerWorld }), ({ policies, rbac }, requests) => {
      const index = buildRbacIndex(rbac);
      const groups = scopeGroups(index, policies, { requesters: [ALICE] });
      // Costs are estimated in cost.test.ts; the objects do not depend on it.
      const { objects } = translateVap({ policies, scopeGroups: groups }, { kubeVersion, estimateCosts: false });
      const withMessages = worldsSeen++ % 6 === 0;
      const byName = new Map(policies.map((p) => [p.name, p]));
      const mapAvailable = objects.some((o) => o.kind === 'MutatingAdmissionPolicy') || Number(kubeVersion.split('.')[1]) >= 34;
      const fallbackScopes = firstByNameScopes(objects);
      for (const r of requests) {
        const operation = r.operation === 'CREATE' ? 'CREATE' : 'UPDATE';
        const base: Pod = { ...r.pod, metadata: { ...r.pod.metadata, namespace: r.namespace }, spec: { ...r.pod.spec, serviceAccountName: r.serviceAccount } };
        const pod = operation === 'UPDATE' ? syncSeccompAnnotation(base) : base;
        const names = candidatesFor(index, policies, { namespace: r.namespace, serviceAccount: r.serviceAccount, ...(r.requester === undefined ? {} : { requester: r.requester }) });
        const candidates = names.map((n) => byName.get(n) as PolicyIR);
        const reference = admit(pod, candidates, { operation, warnings: false });
        const admission: AdmissionRequest = {
          operation,
          ...(r.operation === 'UPDATE-ephemeral' ? { subResource: 'ephemeralcontainers' as const } : {}),
          namespace: r.namespace,
          userInfo: r.requester === undefined ? { username: 'bob', groups: ['system:authenticated'] } : { username: r.requester.user, groups: r.requester.groups },
          object: pod,
          ...(operation === 'UPDATE' ? { oldObject: pod } : {}),
        };
        // Messages run in every 6th cluster only: they are the largest expressions to compile.
        const outcome = admitThrough(objects, byName, admission, { messages: withMessages });
        if (!outcome.allowed && outcome.messages.length > 0) expect(outcome.messages[0]).toMatch(/PodSecurityPolicy/);
        expect(outcome.validatedBy.length).toBeLessThanOrEqual(1);
        const defaulting = candidates.filter((p) => defaultsPlan(p).mutations.length > 0);
        const scope = validatingScope(objects, outcome.validatedBy);
        const exact =
          operation === 'UPDATE' ||
          defaulting.length === 0 ||
          (mapAvailable &&
            (scope === undefined || !fallbackScopes.has(scope)) &&
            defaulting.every((p) => defaultsPlan(p).report.every((e) => e.fidelity === 'note' || e.fidelity === 'exact')));
        if (exact && operation === 'CREATE' && candidates.length > 1 && defaulting.length > 0 && mapAvailable) tally.multiDefault++;
        if (r.operation === 'UPDATE-ephemeral') tally.ephemeralUpdates++;
        if (reference.admitted) tally.admitted++;
        if (exact) {
          tally.exact++;
          if (outcome.allowed !== reference.admitted) {
            expect.fail(
              `${operation}${admission.subResource ? '/' + admission.subResource : ''} ns=${r.namespace} sa=${r.serviceAccount} requester=${admission.userInfo.username}: ` +
                `VAP says ${outcome.allowed}, PSP said ${reference.admitted}; candidates ${names.join(',') || '(none)'}; matched ${outcome.validatedBy.join(',')}; ` +
                `VAP messages ${JSON.stringify(outcome.messages)}; PSP reasons ${JSON.stringify(reference.reasons)}\npod ${JSON.stringify(pod)}\npolicies ${JSON.stringify(candidates.map((c) => c.controls))}`,
            );
          }
        } else {
          tally.approximate++;
          if (outcome.allowed === reference.admitted) tally.approximateAgreed++;
        }
      }
    }),
    { seed, numRuns: worlds, endOnFailure: true },
  );
  return tally;
}

describe('emitted policies decide as PSP admission did', () => {
  test('Kubernetes 1.36 (MutatingAdmissionPolicy v1): 10 clusters x 1,200 requests', () => {
    const tally = run('1.36', 10, 1200);
    console.info('vap differential 1.36', tally);
    expect(tally.exact + tally.approximate).toBe(12_000);
    expect(tally.exact).toBeGreaterThan(11_000);
    // Scopes where several candidates, some defaulting, may be chosen are exact and exercised.
    expect(tally.multiDefault).toBeGreaterThan(300);
    expect(tally.ephemeralUpdates).toBeGreaterThan(2_000);
    // Both outcomes occur often enough for the comparison to mean something.
    expect(tally.admitted).toBeGreaterThan(300);
    expect(12_000 - tally.admitted).toBeGreaterThan(3_000);
  }, 120_000);

  test('Kubernetes 1.30 (no MutatingAdmissionPolicy: defaults lost): 8 clusters x 1,125 requests', () => {
    const tally = run('1.30', 8, 1125);
    console.info('vap differential 1.30', tally);
    expect(tally.exact + tally.approximate).toBe(9_000);
    expect(tally.exact).toBeGreaterThan(5_000);
    expect(tally.admitted).toBeGreaterThan(200);
  }, 120_000);
});
