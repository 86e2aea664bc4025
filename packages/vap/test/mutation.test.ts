/**
 * The MutatingAdmissionPolicy mutations, executed (CEL via @bufbuild/cel, merged as server-side
 * apply merges), give the pod the reference evaluator's defaults (as fields where PSP wrote
 * annotations; capability lists as sets); and the cost report.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CEL_PER_CALL_LIMIT, evaluatePolicy, type NameSelector, type ScopeGroup } from '@psp-translate/core';
import { policyFixture } from '@psp-translate/core/testing';
import { arbitraryPod, arbitraryPolicy } from '../../core/src/evaluate/arbitrary.js';
import { translateVap } from '../src/index.js';
import { admitThrough } from './support/admission.js';
import { comparable } from '../../../test/support/comparable.js';

const seed = process.env.PSP_TRANSLATE_FUZZ === 'random' ? Date.now() : Number(process.env.PSP_TRANSLATE_FUZZ_SEED ?? 42);
const ANY: NameSelector = { op: 'NotIn', values: [] };
const everyone = (candidates: string[]): ScopeGroup => ({ namespace: ANY, serviceAccount: ANY, requester: ANY, requesterWorkloadKinds: [], candidates });

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
