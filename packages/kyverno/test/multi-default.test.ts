/**
 * Scopes where several candidate PSPs, at least two of them defaulting, may admit a pod: PSP
 * admission chose the first by name to admit the pod unchanged, else the first by name to admit it
 * after its own defaults, and applied only that policy's defaults. The `policies.kyverno.io/v1`
 * output, executed in-process (MutatingPolicies, then the ValidatingPolicy), must admit exactly the
 * pods PSP admitted and leave each admitted pod as PSP's chosen policy defaulted it; every
 * MutatingPolicy expression stays under the per-expression CEL cost limit, and each policy's
 * expressions together under the per-evaluation budget.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CEL_PER_CALL_LIMIT, CEL_RUNTIME_BUDGET, admit, estimateCelCost, type PolicyIR, type Pod } from '@psp-translate/core';
import { arbitraryPod, arbitraryPolicy } from '../../core/src/evaluate/arbitrary.js';
import { defaultsPlan, translateKyverno, type KubernetesObject, type ScopeGroupLike } from '../src/index.js';
import { admitWithKyverno } from './support/kyverno-engine.js';
import { comparable } from '../../../test/support/comparable.js';

const seed = process.env['PSP_TRANSLATE_FUZZ'] === 'random' ? Date.now() : Number(process.env['PSP_TRANSLATE_FUZZ_SEED'] ?? 42);
const ANY = { op: 'NotIn', values: [] } as const;
const everyone = (candidates: string[]): ScopeGroupLike => ({ namespace: ANY, serviceAccount: ANY, requester: ANY, requesterWorkloadKinds: [], candidates }) as ScopeGroupLike;

/** 2 or 3 candidates with distinct names, at least two of which have defaults. */
const defaultingCandidates = fc
  .uniqueArray(arbitraryPolicy, { minLength: 2, maxLength: 3, selector: (p) => p.name })
  .filter((ps) => ps.filter((p) => defaultsPlan(p).edits.length > 0).length >= 2);

function mutatingExpressions(objects: readonly KubernetesObject[]): string[] {
  return objects
    .filter((o) => o.kind === 'MutatingPolicy')
    .flatMap((o) => {
      const spec = o['spec'] as { variables?: { expression: string }[]; mutations: { applyConfiguration: { expression: string } }[] };
      return [...(spec.variables ?? []).map((v) => v.expression), ...spec.mutations.map((m) => m.applyConfiguration.expression)];
    });
}

describe('policies.kyverno.io/v1, several defaulting candidates: the chosen PSP defaults the pod, as PSP admission did', () => {
  test('15 candidate sets x 60 CREATE requests: verdict and defaulted pod equal admit()', () => {
    const tally = { cases: 0, admitted: 0, defaulted: 0, laterDefaulting: 0, unchangedOverDefaulting: 0 };
    let maxCost = 0;
    fc.assert(
      fc.property(defaultingCandidates, fc.array(arbitraryPod, { minLength: 60, maxLength: 60 }), (candidates: PolicyIR[], pods: Pod[]) => {
        const names = candidates.map((p) => p.name);
        const { objects, report } = translateKyverno({ policies: candidates, scopeGroups: [everyone(names)], options: { api: 'policies.kyverno.io/v1', style: 'cel', exemptions: 'preconditions' } });
        // Exact: no scope fell back to first-by-name defaults.
        expect(report.filter((e) => e.fidelity === 'approximate' && e.control === null && e.message.includes('defaulting PSPs'))).toEqual([]);
        // Every MutatingPolicy expression stays under the per-expression cost limit.
        for (const policy of objects.filter((o) => o.kind === 'MutatingPolicy')) {
          const costs = mutatingExpressions([policy]).map((expression) => {
            const cost = estimateCelCost(expression);
            maxCost = Math.max(maxCost, cost);
            expect(cost, expression.slice(0, 200)).toBeLessThanOrEqual(CEL_PER_CALL_LIMIT);
            return cost;
          });
          // The first mutation reads the guard and so every variable: all of them fit one evaluation's budget.
          expect(costs.reduce((sum, cost) => sum + cost, 0), policy.metadata.name).toBeLessThanOrEqual(CEL_RUNTIME_BUDGET);
        }
        const byName = new Map(candidates.map((p) => [p.name, p]));
        const defaulting = [...names].sort().filter((n) => defaultsPlan(byName.get(n) as PolicyIR).edits.length > 0);
        for (const generated of pods) {
          const pod: Pod = { ...generated, metadata: { ...generated.metadata, namespace: 'default' } };
          const reference = admit(pod, candidates, { warnings: false });
          const outcome = admitWithKyverno(objects, pod, { namespace: 'default', operation: 'CREATE', userInfo: { username: 'alice' } });
          tally.cases++;
          if (outcome.admitted !== reference.admitted) {
            expect.fail(`Kyverno says ${outcome.admitted} (${outcome.failures.join(',')}), PSP said ${reference.admitted} (chose ${reference.policy})\npod ${JSON.stringify(pod)}\npolicies ${JSON.stringify(candidates)}`);
          }
          if (!reference.admitted) continue;
          tally.admitted++;
          if (reference.mutations.length > 0) tally.defaulted++;
          if (reference.mutations.length > 0 && reference.policy !== defaulting[0]) tally.laterDefaulting++;
          if (reference.mutations.length === 0 && defaulting.some((n) => n < (reference.policy as string))) tally.unchangedOverDefaulting++;
          const mutated = comparable(outcome.pod as Pod, pod);
          const expected = comparable(reference.mutatedPod, pod);
          if (!isDeepStrictEqual(mutated, expected)) expect(mutated, `chose ${reference.policy}`).toEqual(expected);
        }
      }),
      { seed, numRuns: 15, endOnFailure: true },
    );
    console.info('kyverno multi-default', tally, 'highest MutatingPolicy expression cost', maxCost);
    expect(tally.cases).toBe(900);
    // The cases first-by-name defaults got wrong occur often enough to mean something.
    expect(tally.admitted).toBeGreaterThan(150);
    expect(tally.defaulted).toBeGreaterThan(50);
    expect(tally.laterDefaulting).toBeGreaterThan(50);
    expect(tally.unchangedOverDefaulting).toBeGreaterThan(3);
  }, 120_000);

  test('shape: one MutatingPolicy per defaulting candidate, scoped by matchConditions without variables, every mutation guarded by the choice', () => {
    const [candidates] = fc.sample(defaultingCandidates, { seed, numRuns: 1 }) as [PolicyIR[]];
    const names = candidates.map((p) => p.name);
    const { objects, report } = translateKyverno({
      policies: candidates,
      scopeGroups: [{ ...everyone(names), namespace: { op: 'In', values: ['team-a'] } }, { ...everyone([]), namespace: { op: 'NotIn', values: ['team-a'] } }],
      options: { api: 'policies.kyverno.io/v1', style: 'cel', exemptions: 'preconditions' },
    });
    const mutating = objects.filter((o) => o.kind === 'MutatingPolicy');
    const defaulting = candidates.filter((p) => defaultsPlan(p).edits.length > 0).map((p) => p.name);
    expect(mutating.map((o) => o.metadata.annotations?.['psp-translate.io/defaults-of']).sort()).toEqual([...defaulting].sort());
    for (const o of mutating) {
      const spec = o['spec'] as { matchConditions: { expression: string }[]; variables: { name: string; expression: string }[]; mutations: { applyConfiguration: { expression: string } }[] };
      expect(spec.matchConditions.length).toBe(1);
      expect(spec.matchConditions[0]!.expression).toContain('team-a');
      expect(spec.matchConditions[0]!.expression).not.toContain('variables');
      expect(spec.variables.at(-1)!.name).toBe('psp_chose_this_policy');
      for (const m of spec.mutations) expect(m.applyConfiguration.expression).toMatch(/^variables\.psp_chose_this_policy \? \(.*\) : Object\{\}$/s);
    }
    expect(report.filter((e) => e.fidelity === 'exact' && e.message.includes('several defaulting PSPs'))).toHaveLength(1);
    // Every default of a defaulting candidate is reported applied by that candidate's MutatingPolicy.
    for (const name of defaulting) {
      const entries = report.filter((e) => e.policy === name && e.aspect === 'default' && e.message.startsWith('applied by'));
      expect(entries.length).toBeGreaterThan(0);
      for (const e of entries) expect(e.fidelity).toBe('exact');
    }
  });

  test('a choice over the CEL budget falls back to first-by-name defaults, reported approximate', () => {
    // Six candidates: about one set in twenty-five needs more than one evaluation's budget. A fixed
    // seed, so the search is the same in every run.
    const sets = fc.sample(
      fc.uniqueArray(arbitraryPolicy, { minLength: 6, maxLength: 6, selector: (p) => p.name }).filter((ps) => ps.filter((p) => defaultsPlan(p).edits.length > 0).length >= 2),
      { seed: 42, numRuns: 30 },
    );
    const found = sets
      .map((unsorted) => [...unsorted].sort((a, b) => (a.name < b.name ? -1 : 1)))
      .map((candidates) => ({ candidates, out: translateKyverno({ policies: candidates, scopeGroups: [everyone(candidates.map((p) => p.name))], options: { api: 'policies.kyverno.io/v1', style: 'cel', exemptions: 'preconditions' } }) }))
      .find(({ out }) => out.report.some((e) => e.fidelity === 'approximate' && e.message.includes('defaulting PSPs')));
    expect(found, 'no candidate set among 30 exceeded the budget').toBeDefined();
    const { candidates, out } = found!;
    const first = candidates.find((p) => p.mutating)!;
    const entry = out.report.find((e) => e.fidelity === 'approximate' && e.message.includes('defaulting PSPs'))!;
    expect(entry.policy).toBe(first.name);
    expect(entry.message).toContain('would exceed the per-expression CEL cost limit or the per-evaluation budget');
    expect(entry.message).toContain(`the defaults of ${first.name} (first by name) are applied`);
    const mutating = out.objects.filter((o) => o.kind === 'MutatingPolicy');
    expect(mutating.map((o) => o.metadata.annotations?.['psp-translate.io/defaults-of'])).toEqual([first.name]);
    expect(JSON.stringify(mutating)).not.toContain('psp_chose_this_policy');
  });
});
