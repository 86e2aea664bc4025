/**
 * Defaults-aware admission in CEL against the reference evaluator: per policy, "admits after its own
 * defaults" and "its defaults would change the pod" on the pod as submitted; per candidate set, the
 * policy PSP admission chose (`admit`) and which policy's defaults a mutator must apply.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { admit } from '../evaluate/admit.js';
import { arbitraryPod, arbitraryPolicy } from '../evaluate/arbitrary.js';
import { evaluatePolicy } from '../evaluate/evaluate.js';
import { policyFixture } from '../evaluate/test-support.js';
import { CONTROL_KINDS, type PolicyIR } from '../ir/ir.js';
import type { Pod } from '../pod/types.js';
import {
  chosenPolicyExpression,
  compileCel,
  controlConditionAfterDefaults,
  estimateCelCost,
  evaluateCel,
  policyAdmitsAfterDefaultsExpression,
  policyControlExpressionsAfterDefaults,
  policyDefaults,
  policyParams,
  policyWouldChangeExpression,
  printCel,
  toCelValue,
  wouldChangeCondition,
} from './index.js';

const seed = process.env.PSP_TRANSLATE_FUZZ === 'random' ? Date.now() : Number(process.env.PSP_TRANSLATE_FUZZ_SEED ?? 42);

/** Static code: every control after defaults, reading `params.<control>` and `defaults`. */
const staticAfterDefaults = compileCel(
  CONTROL_KINDS.map((kind) => `(${printCel(controlConditionAfterDefaults(kind), { object: 'object', params: `params.${kind}` })})`).join(' && '),
);
const staticWouldChange = compileCel(printCel(wouldChangeCondition(), { object: 'object', params: 'params' }));

const POD_POOL = fc.sample(arbitraryPod, { seed, numRuns: 400 });
/** The pool bound as CEL values once (binding costs about as much as a small evaluation). */
const CEL_POOL = POD_POOL.map((pod) => toCelValue(pod));
const podsFromPool = (n: number) => fc.array(fc.nat({ max: POD_POOL.length - 1 }), { minLength: n, maxLength: n });

/** 2 or 3 candidates with distinct names, at least two of which have defaults. */
const defaultingCandidates = fc
  .uniqueArray(arbitraryPolicy, { minLength: 2, maxLength: 3, selector: (p) => p.name })
  .filter((ps) => ps.filter((p) => p.mutating).length >= 2);

describe('defaults-aware admission agrees with the reference evaluator', () => {
  test('5,000 cases: candidate sets with several defaulting PSPs x pods (static code, the choice over variables)', () => {
    let cases = 0;
    let admitted = 0;
    let defaulted = 0;
    let laterChoice = 0;
    fc.assert(
      fc.property(defaultingCandidates, podsFromPool(20), (candidates, podIndexes) => {
        const set = chosenPolicyExpression(candidates, { object: 'object' });
        const chosen = compileCel(set.chosen);
        const admits = compileCel(set.admits);
        const applies = set.candidates.map((c) => compileCel(c.appliesDefaults));
        const byName = new Map(candidates.map((p) => [p.name, p]));
        const bound = set.candidates.map((c) => {
          const policy = byName.get(c.policy) as PolicyIR;
          return { c, policy, params: toCelValue(policyParams(policy)), defaults: toCelValue(policyDefaults(policy)) };
        });
        for (const index of podIndexes) {
          const pod = POD_POOL[index] as Pod;
          const object = CEL_POOL[index];
          const variables: Record<string, boolean> = {};
          for (const { c, policy, params, defaults } of bound) {
            const verdict = evaluatePolicy(policy, pod);
            const after = staticAfterDefaults({ object, params, defaults });
            const changes = staticWouldChange({ object, defaults });
            if (after !== verdict.allowed) expect.fail(`${policy.name}: admits after defaults: CEL ${String(after)}, evaluator ${verdict.allowed}\n${JSON.stringify({ pod, defaults: policyDefaults(policy), reasons: verdict.reasons })}`);
            if (changes !== verdict.mutated) expect.fail(`${policy.name}: would change: CEL ${String(changes)}, evaluator ${verdict.mutated}\n${JSON.stringify({ pod, mutations: verdict.mutations })}`);
            variables[c.variables.admitsAfterDefaults] = verdict.allowed;
            variables[c.variables.wouldChange] = verdict.mutated;
          }
          const expected = admit(pod, candidates);
          cases++;
          if (expected.admitted) admitted++;
          if (expected.mutations.length > 0) defaulted++;
          if (expected.admitted && expected.policy !== set.candidates[0]?.policy) laterChoice++;
          expect(admits({ object, variables })).toBe(expected.admitted);
          expect(chosen({ object, variables })).toBe(expected.policy ?? '');
          set.candidates.forEach((c, i) => {
            expect(applies[i]?.({ object, variables }), c.policy).toBe(expected.policy === c.policy && expected.mutations.length > 0);
          });
        }
      }),
      { seed, numRuns: 250 },
    );
    expect(cases).toBe(5000);
    // The interesting cases occur often enough to mean something.
    expect(admitted).toBeGreaterThan(cases * 0.1);
    expect(defaulted).toBeGreaterThan(cases * 0.05);
    expect(laterChoice).toBeGreaterThan(cases * 0.02);
  });

  test('inlined, folded values: 10 policies x 20 pods', () => {
    fc.assert(
      fc.property(arbitraryPolicy.filter((p) => p.mutating), podsFromPool(20), (policy, podIndexes) => {
        const after = compileCel(policyAdmitsAfterDefaultsExpression(policy, { object: 'object' }));
        const changes = compileCel(policyWouldChangeExpression(policy, { object: 'object' }));
        for (const index of podIndexes) {
          const verdict = evaluatePolicy(policy, POD_POOL[index] as Pod);
          expect(after({ object: CEL_POOL[index] })).toBe(verdict.allowed);
          expect(changes({ object: CEL_POOL[index] })).toBe(verdict.mutated);
        }
      }),
      { seed, numRuns: 10 },
    );
  });

  test('per control after defaults, the parts decide as the whole control and each costs less', () => {
    const seLinux = policyFixture({
      name: 'selinux',
      controls: { seLinux: { validate: { rule: 'MustRunAs', options: { level: 's0:c1,c2' } }, defaults: { seLinuxOptions: { level: 's0:c1,c2' } } } },
    });
    const controls = policyControlExpressionsAfterDefaults(seLinux, { object: 'object' });
    const control = controls.find((c) => c.kind === 'seLinux');
    expect(control?.parts.length).toBeGreaterThan(3);
    const whole = compileCel(control?.admits as string);
    const parts = (control?.parts ?? []).map((part) => compileCel(part));
    for (const part of control?.parts ?? []) expect(estimateCelCost(part)).toBeLessThan(estimateCelCost(control?.admits as string));
    let rejected = 0;
    for (const object of CEL_POOL.slice(0, 100)) {
      const admits = whole({ object });
      if (admits === false) rejected++;
      expect(parts.every((part) => part({ object }) === true)).toBe(admits);
    }
    expect(rejected).toBeGreaterThan(10);
  });

  test('the choice, inlined: the first unchanged admission wins over an earlier defaulting one', () => {
    const nonRoot = policyFixture({ name: 'a-nonroot', controls: { runAsUser: { validate: { rule: 'MustRunAsNonRoot', ranges: [] }, defaults: { runAsNonRoot: true } } } });
    const uid = policyFixture({ name: 'b-uid', controls: { runAsUser: { validate: { rule: 'MustRunAs', ranges: [{ min: 1000, max: 2000 }] }, defaults: { runAsUser: 1000 } } } });
    const anything = policyFixture({ name: 'c-anything' });
    const set = chosenPolicyExpression([uid, anything, nonRoot], { object: 'object', inline: true });
    expect(set.candidates.map((c) => c.policy)).toEqual(['a-nonroot', 'b-uid', 'c-anything']);
    const plain: Pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'app' }] } };
    const root: Pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'app', securityContext: { runAsUser: 0 } }] } };
    for (const pod of [plain, root]) {
      const expected = admit(pod, [uid, anything, nonRoot]);
      expect(evaluateCel(set.chosen, { object: pod })).toBe(expected.policy);
      expect(evaluateCel(set.admits, { object: pod })).toBe(true);
    }
    // c-anything admits both unchanged, so PSP changed neither: no mutator applies.
    expect(evaluateCel(set.chosen, { object: plain })).toBe('c-anything');
    expect(set.candidates.map((c) => evaluateCel(c.appliesDefaults, { object: plain }))).toEqual([false, false, false]);
    const twoDefaulting = chosenPolicyExpression([uid, nonRoot], { object: 'object', inline: true });
    expect(evaluateCel(twoDefaulting.chosen, { object: plain })).toBe('a-nonroot');
    expect(twoDefaulting.candidates.map((c) => evaluateCel(c.appliesDefaults, { object: plain }))).toEqual([true, false]);
    // runAsUser 0 fails a-nonroot after its defaults; b-uid's default does not apply (the UID is set) and 0 is out of range.
    expect(evaluateCel(twoDefaulting.admits, { object: root })).toBe(false);
    expect(evaluateCel(twoDefaulting.chosen, { object: root })).toBe('');
  });
});
