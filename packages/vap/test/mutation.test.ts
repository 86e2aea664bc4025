/**
 * The MutatingAdmissionPolicy mutations, executed (CEL via @bufbuild/cel, merged as server-side
 * apply merges), give the pod the reference evaluator's defaults (as fields where PSP wrote
 * annotations; capability lists as sets); and the cost report.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CEL_PER_CALL_LIMIT, evaluatePolicy, type NameSelector, type Pod, type ScopeGroup } from '@psp-translate/core';
import { policyFixture } from '@psp-translate/core/testing';
import { arbitraryPod, arbitraryPolicy } from '../../core/src/evaluate/arbitrary.js';
import { profileField, translateVap } from '../src/index.js';
import { admitThrough } from './support/admission.js';

const seed = process.env.PSP_TRANSLATE_FUZZ === 'random' ? Date.now() : Number(process.env.PSP_TRANSLATE_FUZZ_SEED ?? 42);
const ANY: NameSelector = { op: 'NotIn', values: [] };
const everyone = (candidates: string[]): ScopeGroup => ({ namespace: ANY, serviceAccount: ANY, requester: ANY, requesterWorkloadKinds: [], candidates });

type Json = Record<string, unknown>;
const SECCOMP_POD = 'seccomp.security.alpha.kubernetes.io/pod';
const APPARMOR = 'container.apparmor.security.beta.kubernetes.io/';

/** Put an annotation back as the original pod had it. */
function restore(copy: Pod, original: Pod, key: string): void {
  const before = original.metadata.annotations?.[key];
  if (before === undefined) delete copy.metadata.annotations?.[key];
  else (copy.metadata.annotations as Record<string, string>)[key] = before;
}

/**
 * The evaluator writes profile defaults as annotations (as PSP did); the mutations write the fields
 * the kubelet reads today. Move the evaluator's annotations to fields so the pods compare, and sort
 * capability lists (PSP sorted them; order means nothing).
 */
function comparable(pod: Pod, original: Pod): Json {
  const copy = structuredClone(pod) as unknown as Json & Pod;
  // Written by the evaluator: present now, absent or empty before.
  const added = (key: string) => copy.metadata.annotations?.[key] !== undefined && (original.metadata.annotations?.[key] ?? '') === '' && copy.metadata.annotations?.[key] !== '';
  if (added(SECCOMP_POD)) {
    copy.spec.securityContext = { ...copy.spec.securityContext, seccompProfile: profileField(copy.metadata.annotations?.[SECCOMP_POD] as string) as never };
    restore(copy, original, SECCOMP_POD);
  }
  for (const kind of ['containers', 'initContainers', 'ephemeralContainers'] as const) {
    for (const container of copy.spec[kind] ?? []) {
      const key = APPARMOR + container.name;
      if (added(key)) {
        container.securityContext = { ...container.securityContext, appArmorProfile: profileField(copy.metadata.annotations?.[key] as string) as never };
        restore(copy, original, key);
      }
      const caps = container.securityContext?.capabilities;
      // An empty list means the same as none (PSP wrote only non-empty lists).
      if (caps?.add) caps.add = caps.add.length === 0 ? undefined : [...new Set(caps.add)].sort();
      if (caps?.drop) caps.drop = caps.drop.length === 0 ? undefined : [...new Set(caps.drop)].sort();
    }
  }
  if (copy.metadata.annotations && Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  return JSON.parse(JSON.stringify(copy)) as Json;
}

describe('MutatingAdmissionPolicy mutations reproduce PSP defaults', () => {
  test('200 policies x 10 pods: the mutated pod equals the evaluator defaulted pod, in every container kind', () => {
    let mutated = 0;
    fc.assert(
      fc.property(arbitraryPolicy, fc.array(arbitraryPod, { minLength: 10, maxLength: 10 }), (policy, pods) => {
        const { objects, report } = translateVap({ policies: [policy], scopeGroups: [everyone([policy.name])] }, { kubeVersion: '1.36', estimateCosts: false });
        // Defaults with no field form are reported unsupported; their pods cannot match.
        if (report.some((e) => e.fidelity === 'unsupported' && (e.control === 'seccomp' || e.control === 'appArmor'))) return;
        for (const pod of pods) {
          const expected = evaluatePolicy(policy, pod).pod;
          const actual = admitThrough(objects, new Map([[policy.name, policy]]), {
            operation: 'CREATE',
            namespace: 'default',
            userInfo: { username: 'alice', groups: ['system:authenticated'] },
            object: pod,
          }, { messages: false }).pod;
          if (actual !== pod) mutated++;
          expect(comparable(actual, pod)).toEqual(comparable(expected, pod));
        }
      }),
      { seed, numRuns: 200 },
    );
    expect(mutated).toBeGreaterThan(300);
  }, 120_000);
});

describe('CEL cost', () => {
  test('every expression is estimated; the read-only hostPath check stays within the limit, a variable per container list', () => {
    const simple = policyFixture({ name: 'simple', controls: { privileged: { validate: { allowPrivileged: false } }, runAsUser: { validate: { rule: 'MustRunAsNonRoot' }, defaults: { runAsNonRoot: true } } } });
    const { costs, report } = translateVap({ policies: [simple], scopeGroups: [everyone(['simple'])] }, { kubeVersion: '1.36' });
    expect(costs.length).toBeGreaterThan(5);
    expect(costs.every((c) => c.cost > 0 && !c.overLimit)).toBe(true);
    expect(report.some((e) => e.message.startsWith('error:'))).toBe(false);
    console.info('vap cost, simple policy', Object.fromEntries(costs.map((c) => [`${c.object} ${c.field}`, c.cost])));

    const readOnlyHostPath = policyFixture({ name: 'logs', controls: { hostPaths: { validate: { allowed: [{ pathPrefix: '/var/log', readOnly: true }] } } } });
    const heavy = translateVap({ policies: [readOnlyHostPath], scopeGroups: [everyone(['logs'])] });
    expect(heavy.costs.filter((c) => c.overLimit)).toEqual([]);
    expect(heavy.report.filter((e) => e.message.startsWith('error:'))).toEqual([]);
    // The costly control got variables of its own, split once more per container list.
    const spec = heavy.objects[0]?.spec as { variables: { name: string }[] };
    const names = spec.variables.map((v) => v.name);
    expect(names).toContain('psp_logs_hostPaths');
    expect(names).toEqual(expect.arrayContaining(['containers', 'initContainers', 'ephemeralContainers'].map((list) => `psp_logs_hostPaths_readOnlyMounts_${list}`)));
    const heaviest = Math.max(...heavy.costs.map((c) => c.cost));
    expect(heaviest).toBeGreaterThan(CEL_PER_CALL_LIMIT / 10);
    expect(heaviest).toBeLessThan(CEL_PER_CALL_LIMIT);
    console.info('vap cost, read-only hostPath', heavy.costs.map((c) => `${c.field} ${c.cost}`));
  });
});
