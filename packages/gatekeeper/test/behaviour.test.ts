/**
 * Behaviour by execution: the emitted CEL (and Rego) decide as the reference PSP evaluator does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { admit, CONTROL_KINDS, evaluatePolicy, type Pod, type PolicyIR } from '@psp-translate/core';
import { perControlTemplate } from '../src/templates.js';
import { translateGatekeeper } from '@psp-translate/gatekeeper';
import { arbitraryCandidates, arbitraryPod, arbitraryPolicy } from '../../core/src/evaluate/arbitrary.js';
import { celAdmission, gatekeeperViolations } from './support/gatekeeper-runtime.js';
import { pspToIR } from './support/policies.js';

const seed = process.env.PSP_TRANSLATE_FUZZ === 'random' ? Date.now() : Number(process.env.PSP_TRANSLATE_FUZZ_SEED ?? 42);

/**
 * Candidate sets whose PSPs do not mutate: there PSP's decision is "some candidate admits the pod as
 * it is", exactly what the policy-set template checks. (With mutating candidates PSP applied the
 * admitting policy's defaults, which mutators can only do where candidates agree; see mutators.test.)
 */
const nonMutatingCandidates = (max: number) =>
  arbitraryCandidates(max)
    .map((set) => set.filter((p) => !p.mutating))
    .filter((set) => set.length > 0);

/** Every per-control template, so one static expression (compiled once) serves every policy. */
const ALL_TEMPLATES = CONTROL_KINDS.map(perControlTemplate);

const outputs = new Map<string, ReturnType<typeof translateGatekeeper>>();
function translateOnce(policies: PolicyIR[], mode: 'per-control' | 'policy-set' | 'auto'): ReturnType<typeof translateGatekeeper> {
  const key = JSON.stringify([policies, mode]);
  let out = outputs.get(key);
  if (out === undefined) outputs.set(key, (out = translateGatekeeper({ policies, options: { mode, mutate: false } })));
  return out;
}

describe('CEL executed against the reference evaluator', () => {
  it('per-control: one policy, pods as its defaults leave them (1,000 policies x 20 pods)', () => {
    let checked = 0;
    let admitted = 0;
    fc.assert(
      fc.property(arbitraryPolicy, fc.array(arbitraryPod, { minLength: 20, maxLength: 20 }), (policy, pods) => {
        const objects = translateOnce([policy], 'auto').objects;
        const admits = celAdmission([...ALL_TEMPLATES, ...objects.filter((o) => o.kind !== 'ConstraintTemplate')], 'default');
        for (const pod of pods) {
          const verdict = evaluatePolicy(policy, pod);
          checked++;
          if (verdict.allowed) admitted++;
          if (admits(verdict.pod) !== verdict.allowed) {
            const violations = gatekeeperViolations(objects, { pod: verdict.pod, namespace: 'default', operation: 'CREATE' }, 'cel', { mutate: false });
            expect.fail(`gatekeeper ${JSON.stringify(violations)} vs evaluator ${JSON.stringify(verdict.reasons)}\npod: ${JSON.stringify(verdict.pod)}`);
          }
        }
      }),
      { seed, numRuns: 1000 },
    );
    expect(checked).toBe(20_000);
    expect(admitted).toBeGreaterThan(checked * 0.05);
    expect(checked - admitted).toBeGreaterThan(checked * 0.05);
    // ~15 s on an idle 2-core machine; generous for CI runners shared with other suites.
  }, 240_000);

  it('policy-set: several candidates, admitted iff some candidate admits (300 sets x 10 pods)', () => {
    let checked = 0;
    let admitted = 0;
    fc.assert(
      fc.property(nonMutatingCandidates(4), fc.array(arbitraryPod, { minLength: 10, maxLength: 10 }), (candidates, pods) => {
        const objects = translateOnce(candidates, 'policy-set').objects;
        const admits = celAdmission(objects, 'default');
        for (const pod of pods) {
          const expected = admit(pod, candidates).admitted;
          checked++;
          if (expected) admitted++;
          if (admits(pod) !== expected) {
            const violations = gatekeeperViolations(objects, { pod, namespace: 'default', operation: 'CREATE' }, 'cel', { mutate: false });
            expect.fail(`gatekeeper ${JSON.stringify(violations)} vs admit ${expected}\npod: ${JSON.stringify(pod)}`);
          }
        }
      }),
      { seed, numRuns: 300 },
    );
    expect(checked).toBe(3_000);
    expect(admitted).toBeGreaterThan(checked * 0.05);
    expect(checked - admitted).toBeGreaterThan(checked * 0.05);
  }, 120_000);
});

describe('Rego (interpreted) against the reference evaluator', () => {
  it('per-control and policy-set Rego agree with the evaluator (60 policies x 5 pods, 30 sets x 3 pods)', () => {
    fc.assert(
      fc.property(arbitraryPolicy, fc.array(arbitraryPod, { minLength: 5, maxLength: 5 }), (policy, pods) => {
        const objects = translateOnce([policy], 'auto').objects;
        for (const pod of pods) {
          const verdict = evaluatePolicy(policy, pod);
          const review = { pod: verdict.pod, namespace: 'default', operation: 'CREATE' as const };
          const rego = gatekeeperViolations(objects, review, 'rego', { mutate: false });
          if ((rego.length === 0) !== verdict.allowed) expect.fail(`rego ${JSON.stringify(rego)} vs evaluator ${JSON.stringify(verdict.reasons)}\npod: ${JSON.stringify(verdict.pod)}`);
        }
      }),
      { seed, numRuns: 60 },
    );
    fc.assert(
      fc.property(nonMutatingCandidates(3), fc.array(arbitraryPod, { minLength: 3, maxLength: 3 }), (candidates, pods) => {
        const objects = translateOnce(candidates, 'policy-set').objects;
        for (const pod of pods) {
          const expected = admit(pod, candidates).admitted;
          const rego = gatekeeperViolations(objects, { pod, namespace: 'default', operation: 'CREATE' }, 'rego', { mutate: false });
          if ((rego.length === 0) !== expected) expect.fail(`rego ${JSON.stringify(rego)} vs admit ${expected}\npod: ${JSON.stringify(pod)}`);
        }
      }),
      { seed, numRuns: 30 },
    );
  }, 120_000);
});

describe('kubectl debug: UPDATE of pods/ephemeralcontainers', () => {
  const restricted = pspToIR('restricted', {
    privileged: false,
    allowPrivilegeEscalation: false,
    requiredDropCapabilities: ['ALL'],
    runAsUser: { rule: 'MustRunAsNonRoot' },
    volumes: ['configMap', 'secret', 'emptyDir', 'projected'],
  });
  const running: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { containers: [{ name: 'app', image: 'nginx', securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }] },
  };
  const debugged: Pod = {
    ...running,
    spec: { ...running.spec, ephemeralContainers: [{ name: 'debugger', image: 'busybox', targetContainerName: 'app', securityContext: { privileged: true } }] },
  };
  const { objects } = translateGatekeeper({ policies: [restricted] });

  for (const engine of ['cel', 'rego'] as const) {
    it(`adding a privileged ephemeral container is a violation (${engine})`, () => {
      expect(gatekeeperViolations(objects, { pod: running, namespace: 'shop', operation: 'CREATE' }, engine)).toEqual([]);
      const violations = gatekeeperViolations(objects, { pod: debugged, oldPod: running, namespace: 'shop', operation: 'UPDATE' }, engine);
      expect(violations.join('\n')).toMatch(/privileged: spec\.ephemeralContainers\[debugger\]\.securityContext\.privileged/);
      expect(evaluatePolicy(restricted, debugged, { operation: 'UPDATE' }).allowed).toBe(false);
    });
  }
});

describe('the whole Gatekeeper pipeline (mutators, then CEL) decides as PSP admission did', () => {
  it('one policy, pods as users submit them: 150 policies x 10 pods, mutators interpreted', () => {
    let checked = 0;
    let mutated = 0;
    let knownGap = 0;
    fc.assert(
      fc.property(arbitraryPolicy, fc.array(arbitraryPod, { minLength: 10, maxLength: 10 }), (policy, pods) => {
        const { objects, report } = translateGatekeeper({ policies: [policy] });
        // Known, reported gap: a docker/default seccomp default where runtime/default is not allowed has no field form.
        if (report.some((e) => e.control === 'seccomp' && e.fidelity === 'unsupported')) {
          knownGap += pods.length;
          return;
        }
        for (const pod of pods) {
          const verdict = evaluatePolicy(policy, pod);
          const violations = gatekeeperViolations(objects, { pod, namespace: 'default', operation: 'CREATE' }, 'cel');
          checked++;
          if (verdict.mutated) mutated++;
          if ((violations.length === 0) !== verdict.allowed) {
            expect.fail(`gatekeeper ${JSON.stringify(violations)} vs evaluator ${JSON.stringify(verdict.reasons)}\npod: ${JSON.stringify(pod)}\npolicy: ${JSON.stringify(policy.controls)}`);
          }
        }
      }),
      { seed, numRuns: 150 },
    );
    expect(checked + knownGap).toBe(1_500);
    expect(knownGap).toBeLessThan(150);
    // The defaults matter in this sample: PSP changed a good share of the pods.
    expect(mutated).toBeGreaterThan(checked * 0.2);
  });
});
