/**
 * The templates' CEL (one failure list per control, container rules once over the three lists,
 * `source.variables`) decides and words its messages exactly as core's reference CEL for each
 * control (`celControls[kind].admits` / `.message`), per control and composed over candidates.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { celControls, CONTROL_KINDS, controlParamsFor, evaluateCel, type Pod, type PolicyIR } from '@psp-translate/core';
import { celContext } from '@psp-translate/vap';
import { perControlCelSource, policySetCelSource, type CelSource } from '../src/cel.js';
import { arbitraryPod, arbitraryPolicy } from '../../core/src/evaluate/arbitrary.js';

const seed = process.env.PSP_TRANSLATE_FUZZ === 'random' ? Date.now() : Number(process.env.PSP_TRANSLATE_FUZZ_SEED ?? 42);
const ANYONE = { op: 'NotIn', values: [] };
const EVERYWHERE = [{ namespace: ANYONE, serviceAccount: ANYONE, requester: ANYONE }];

/** Runs a template's validation as Gatekeeper would: '' when it passes, else its message. */
function run(source: CelSource, pod: Pod, params: Record<string, unknown>): string {
  const object = { ...pod, metadata: { ...pod.metadata, namespace: 'default' } };
  const evaluate = celContext({ object, request: { userInfo: { username: 'someone' } } }, source.variables, { params });
  const validation = source.validations[0]!;
  return evaluate(validation.expression) === true ? '' : String(evaluate(validation.messageExpression));
}

const perControl = new Map(CONTROL_KINDS.map((kind) => [kind, perControlCelSource(kind)]));
const reference = new Map(
  CONTROL_KINDS.map((kind) => [
    kind,
    {
      admits: celControls[kind].admits({ params: 'params', object: 'object' }),
      message: celControls[kind].message({ params: 'params', object: 'object' }),
    },
  ]),
);

/** Core's reference: '' when the control admits, else its first failure. */
function referenceMessage(kind: (typeof CONTROL_KINDS)[number], policy: PolicyIR, pod: Pod): string {
  const params = controlParamsFor(kind, policy.controls[kind] as never);
  const ref = reference.get(kind)!;
  const bindings = { object: { ...pod, metadata: { ...pod.metadata, namespace: 'default' } }, params };
  const admits = evaluateCel(ref.admits, bindings) === true;
  const message = String(evaluateCel(ref.message, bindings));
  // The reference's two expressions agree with each other.
  expect(message === '', `${kind}: admits ${admits} but message ${JSON.stringify(message)}`).toBe(admits);
  return message;
}

describe('template CEL against core reference CEL', () => {
  it('per-control: same verdict and same first failure (80 policies x 4 pods x 20 controls)', () => {
    let failures = 0;
    fc.assert(
      fc.property(arbitraryPolicy, fc.array(arbitraryPod, { minLength: 4, maxLength: 4 }), (policy, pods) => {
        for (const pod of pods) {
          for (const kind of CONTROL_KINDS) {
            const params = { ...controlParamsFor(kind, policy.controls[kind] as never), scopes: EVERYWHERE };
            const expected = referenceMessage(kind, policy, pod);
            if (expected !== '') failures++;
            expect(run(perControl.get(kind)!, pod, params), kind).toBe(expected);
          }
        }
      }),
      { seed, numRuns: 80 },
    );
    expect(failures).toBeGreaterThan(50);
  }, 120_000);

  it('policy-set: admitted iff some candidate admits; each candidate named with its failing controls (60 sets x 4 pods)', () => {
    const source = policySetCelSource();
    fc.assert(
      fc.property(fc.array(arbitraryPolicy, { minLength: 0, maxLength: 3 }), fc.array(arbitraryPod, { minLength: 4, maxLength: 4 }), (policies, pods) => {
        const candidates = policies.map((policy, i) => ({
          name: `psp-${i}`,
          controls: Object.fromEntries(CONTROL_KINDS.map((kind) => [kind, controlParamsFor(kind, policy.controls[kind] as never)])),
        }));
        for (const pod of pods) {
          const reasons = policies.map((policy) => CONTROL_KINDS.map((kind) => referenceMessage(kind, policy, pod)).filter((m) => m !== ''));
          const expected =
            policies.length === 0
              ? 'no PodSecurityPolicy may be used by this pod'
              : reasons.some((r) => r.length === 0)
                ? ''
                : `no PodSecurityPolicy admits this pod: ${reasons.map((r, i) => `psp-${i}: ${r.join('; ')}`).join(' | ')}`;
          expect(run(source, pod, { scopes: EVERYWHERE, candidates })).toBe(expected);
        }
      }),
      { seed, numRuns: 60 },
    );
  }, 120_000);

  it('pods outside every scope pass without reading the pod further', () => {
    const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i', securityContext: { privileged: true } }] } } as Pod;
    const elsewhere = [{ namespace: { op: 'In', values: ['other'] }, serviceAccount: ANYONE, requester: ANYONE }];
    const params = { allowPrivileged: false };
    expect(run(perControl.get('privileged')!, pod, { ...params, scopes: elsewhere })).toBe('');
    expect(run(perControl.get('privileged')!, pod, { ...params, scopes: EVERYWHERE })).toMatch(/^privileged: spec\.containers\[c\]\.securityContext\.privileged: /);
  });
});
