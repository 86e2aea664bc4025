/**
 * Differential test: the CEL of every control, run by @bufbuild/cel on the pod the reference
 * evaluator defaulted, decides exactly as the evaluator did (`evaluatePolicy(...).allowed`).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CONTROL_KINDS } from '../ir/ir.js';
import type { Pod } from '../pod/types.js';
import type { PolicyIR } from '../ir/ir.js';
import { arbitraryPod, arbitraryPolicy } from '../evaluate/arbitrary.js';
import { evaluatePolicy } from '../evaluate/evaluate.js';
import { celControls, compileCel, policyAdmitsExpression, policyMessageExpression, policyParams, toCelValue } from './index.js';

const seed = process.env.PSP_TRANSLATE_FUZZ === 'random' ? Date.now() : Number(process.env.PSP_TRANSLATE_FUZZ_SEED ?? 42);

/** All controls, static code, each reading its own params: `params.<control>`. */
const staticPolicyCel = CONTROL_KINDS.map((kind) => `(${celControls[kind].admits({ params: `params.${kind}`, object: 'object' })})`).join(' && ');
const staticPolicy = compileCel(staticPolicyCel);

function explain(policy: PolicyIR, pod: Pod): string {
  const verdict = evaluatePolicy(policy, pod);
  const message = compileCel(policyMessageExpression(policy, { object: 'object' }))({ object: verdict.pod });
  return JSON.stringify({ policy: policyParams(policy), defaultedPod: verdict.pod, evaluator: verdict.reasons, cel: message }, null, 1);
}

/**
 * Pods are drawn from one pool generated up front (generating pods costs more than checking them);
 * every case pairs a fresh policy with pods from the pool, each defaulted by that policy.
 */
const POD_POOL = fc.sample(arbitraryPod, { seed, numRuns: 500 });
const podsFromPool = (n: number) => fc.array(fc.nat({ max: POD_POOL.length - 1 }), { minLength: n, maxLength: n }).map((is) => is.map((i) => POD_POOL[i] as Pod));

describe('CEL agrees with the reference evaluator', () => {
  test('static code with params: 1,000 policies x 20 pods', () => {
    let checked = 0;
    let admitted = 0;
    fc.assert(
      fc.property(arbitraryPolicy, podsFromPool(20), (policy, pods) => {
        const params = toCelValue(policyParams(policy));
        for (const pod of pods) {
          const verdict = evaluatePolicy(policy, pod);
          const cel = staticPolicy({ object: toCelValue(verdict.pod), params });
          checked++;
          if (verdict.allowed) admitted++;
          if (cel !== verdict.allowed) expect.fail(`CEL says ${String(cel)}, evaluator ${verdict.allowed}:\n${explain(policy, pod)}`);
        }
      }),
      { seed, numRuns: 1000 },
    );
    expect(checked).toBe(20_000);
    // Both outcomes occur often enough for the comparison to mean something.
    expect(admitted).toBeGreaterThan(checked * 0.05);
    expect(checked - admitted).toBeGreaterThan(checked * 0.05);
  });

  test('inlined, folded params: 12 policies x 25 pods', () => {
    fc.assert(
      fc.property(arbitraryPolicy, podsFromPool(25), (policy, pods) => {
        const admits = compileCel(policyAdmitsExpression(policy, { object: 'object' }));
        const message = compileCel(policyMessageExpression(policy, { object: 'object' }));
        for (const pod of pods) {
          const verdict = evaluatePolicy(policy, pod);
          const object = toCelValue(verdict.pod);
          const cel = admits({ object });
          if (cel !== verdict.allowed) expect.fail(`inline CEL says ${String(cel)}, evaluator ${verdict.allowed}:\n${explain(policy, pod)}`);
          expect(message({ object }) === '').toBe(verdict.allowed);
        }
      }),
      { seed, numRuns: 12 },
    );
  });
});
