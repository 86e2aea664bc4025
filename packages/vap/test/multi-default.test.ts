/**
 * Scopes where several candidate PSPs, at least two of them defaulting, may admit a pod: PSP
 * admission chose the first by name to admit the pod unchanged, else the first by name to admit
 * it after its own defaults, and applied only that policy's defaults. The emitted policies,
 * executed in-process (mutating policies, then the validation), must admit exactly the pods PSP
 * admitted and leave each admitted pod as PSP's chosen policy defaulted it.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { admit, type NameSelector, type PolicyIR, type ScopeGroup } from '@psp-translate/core';
import { arbitraryPod, arbitraryPolicy } from '../../core/src/evaluate/arbitrary.js';
import { defaultsPlan, matchConditionErrors, translateVap } from '../src/index.js';
import { admitThrough } from './support/admission.js';
import { comparable } from '../../../test/support/comparable.js';

const seed = process.env.PSP_TRANSLATE_FUZZ === 'random' ? Date.now() : Number(process.env.PSP_TRANSLATE_FUZZ_SEED ?? 42);
const ANY: NameSelector = { op: 'NotIn', values: [] };
const everyone = (candidates: string[]): ScopeGroup => ({ namespace: ANY, serviceAccount: ANY, requester: ANY, requesterWorkloadKinds: [], candidates });

/** Every default has a mutation (defaults without a field form are reported unsupported elsewhere). */
const fullyWritable = (p: PolicyIR) => defaultsPlan(p).report.every((e) => e.fidelity === 'note' || e.fidelity === 'exact');

/** 2 or 3 candidates with distinct names, at least two of which have defaults, all writable. */
const defaultingCandidates = fc
  .uniqueArray(arbitraryPolicy, { minLength: 2, maxLength: 3, selector: (p) => p.name })
  .filter((ps) => ps.filter((p) => defaultsPlan(p).mutations.length > 0).length >= 2 && ps.every(fullyWritable));

describe('several defaulting candidates: the chosen PSP defaults the pod, as PSP admission did', () => {
  test('20 candidate sets x 100 CREATE requests: verdict and defaulted pod equal admit()', () => {
    const tally = { cases: 0, admitted: 0, defaulted: 0, laterDefaulting: 0, unchangedOverDefaulting: 0 };
    let maxCost = 0;
    fc.assert(
      fc.property(defaultingCandidates, fc.array(arbitraryPod, { minLength: 100, maxLength: 100 }), (candidates, pods) => {
        const names = candidates.map((p) => p.name);
        const { objects, report, costs } = translateVap({ policies: candidates, scopeGroups: [everyone(names)] }, { kubeVersion: '1.36' });
        // The scope is reported exact: no group fell back to first-by-name defaults.
        expect(report.filter((e) => e.fidelity === 'approximate' && e.control === null)).toEqual([]);
        // Every expression, and each policy's total, stays within the API server's limits.
        expect(costs.filter((c) => c.overLimit)).toEqual([]);
        expect(report.filter((e) => e.message.startsWith('error:'))).toEqual([]);
        // The API server would accept every policy: no match condition reads variables (it compiles
        // them without). The full schema check compiles every expression, too slow per sample here;
        // translate.test.ts runs it on a multi-default scope.
        expect(objects.flatMap((o) => matchConditionErrors(((o.spec ?? {}) as { matchConditions?: { name: string; expression: string }[] }).matchConditions ?? []))).toEqual([]);
        maxCost = Math.max(maxCost, ...costs.map((c) => c.cost));
        const byName = new Map(candidates.map((p) => [p.name, p]));
        const defaulting = [...names].sort().filter((n) => defaultsPlan(byName.get(n) as PolicyIR).mutations.length > 0);
        for (const pod of pods) {
          const reference = admit(pod, candidates, { warnings: false });
          const outcome = admitThrough(objects, byName, { operation: 'CREATE', namespace: 'default', userInfo: { username: 'alice', groups: ['system:authenticated'] }, object: pod }, { messages: false });
          tally.cases++;
          if (outcome.allowed !== reference.admitted) {
            expect.fail(`VAP says ${outcome.allowed}, PSP said ${reference.admitted} (chose ${reference.policy}); mutated by ${outcome.mutatedBy.join(',')}\npod ${JSON.stringify(pod)}\npolicies ${JSON.stringify(candidates)}`);
          }
          if (!reference.admitted) continue;
          tally.admitted++;
          if (reference.mutations.length > 0) tally.defaulted++;
          if (reference.mutations.length > 0 && reference.policy !== defaulting[0]) tally.laterDefaulting++;
          if (reference.mutations.length === 0 && defaulting.some((n) => n < (reference.policy as string))) tally.unchangedOverDefaulting++;
          expect(comparable(outcome.pod, pod), `chose ${reference.policy}; mutated by ${outcome.mutatedBy.join(',')}`).toEqual(comparable(reference.mutatedPod, pod));
          // The chosen policy is recorded as PSP admission recorded it, where its defaults were written.
          if (reference.mutations.length > 0) expect(outcome.pod.metadata.annotations?.['kubernetes.io/psp']).toBe(reference.policy);
          // At most one policy's defaults are written: the chosen one's.
          expect(outcome.changedBy.length, `changed by ${outcome.changedBy.join(',')}`).toBeLessThanOrEqual(1);
        }
      }),
      { seed, numRuns: 20, endOnFailure: true },
    );
    console.info('vap multi-default', tally, 'highest expression cost', maxCost);
    expect(tally.cases).toBe(2000);
    // The cases first-by-name defaults got wrong occur often enough to mean something.
    expect(tally.admitted).toBeGreaterThan(150);
    expect(tally.defaulted).toBeGreaterThan(50);
    expect(tally.laterDefaulting).toBeGreaterThan(10);
    expect(tally.unchangedOverDefaulting).toBeGreaterThan(10);
  }, 120_000);
});
