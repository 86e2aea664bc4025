/**
 * The emitted policies, EXECUTED (CEL with core's runner, JMESPath with the community engine,
 * mutations with ./support/kyverno-engine.ts), decide like the reference PSP evaluator: for
 * generated policy sets scoped to namespaces, and generated pods using all three container kinds,
 * on CREATE (defaults, then validation) and on UPDATE (the ephemeralcontainers subresource).
 */
import fc from 'fast-check';
import { admit, type PolicyIR, type Pod } from '@psp-translate/core';
import { describe, expect, it } from 'vitest';
import { arbitraryCandidates, arbitraryPod } from '../../core/src/evaluate/arbitrary.js';
import { translateKyverno, type ExemptionMode, type KyvernoApi, type ScopeGroupLike } from '../src/index.js';
import { byNamespace } from './support/policies.js';
import { admitWithKyverno, type Request } from './support/kyverno-engine.js';

const SEED = Number(process.env['PSP_TRANSLATE_FUZZ_SEED'] ?? 42);
const RANDOM = process.env['PSP_TRANSLATE_FUZZ'] === 'random';
const NAMESPACES = ['team-a', 'team-b', 'elsewhere'];

interface Scenario {
  policies: PolicyIR[];
  groups: ScopeGroupLike[];
}

/** Policies, and per namespace a subset of them as candidates. */
const arbitraryScenario: fc.Arbitrary<Scenario> = arbitraryCandidates(4).chain((policies) => {
  const names = policies.map((p) => p.name);
  const subset = fc.subarray(names);
  return fc.tuple(subset, subset, subset).map(([a, b, rest]) => ({ policies, groups: byNamespace({ 'team-a': a, 'team-b': b }, rest) }));
});

const arbitraryRequest = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  operation: fc.constantFrom<'CREATE' | 'UPDATE'>('CREATE', 'CREATE', 'UPDATE'),
});

function candidatesIn(scenario: Scenario, namespace: string): PolicyIR[] {
  const group = scenario.groups.find((g) => (g.namespace.op === 'In' ? g.namespace.values.includes(namespace) : !g.namespace.values.includes(namespace)))!;
  return group.candidates.map((name) => scenario.policies.find((p) => p.name === name)!);
}

interface Mismatch {
  policies: string[];
  candidates: string[];
  request: Request;
  pspAdmitted: boolean;
  kyvernoAdmitted: boolean;
  failures: string[];
  pod: Pod;
}

function runDifferential(api: KyvernoApi, exemptions: ExemptionMode, scenarios: number, podsPerScenario: number): { cases: number; mismatches: Mismatch[] } {
  const seed = RANDOM ? Date.now() : SEED;
  const scenarioSamples = fc.sample(arbitraryScenario, { seed, numRuns: scenarios });
  const pods = fc.sample(fc.tuple(arbitraryPod, arbitraryRequest), { seed: seed + 1, numRuns: scenarios * podsPerScenario });
  const mismatches: Mismatch[] = [];
  let cases = 0;
  scenarioSamples.forEach((scenario, s) => {
    const { objects } = translateKyverno({ policies: scenario.policies, scopeGroups: scenario.groups, options: { api, style: 'cel', exemptions } });
    for (let i = 0; i < podsPerScenario; i++) {
      const [generated, req] = pods[s * podsPerScenario + i]!;
      const pod: Pod = { ...generated, metadata: { ...generated.metadata, namespace: req.namespace } };
      const request: Request = { ...req, userInfo: { username: '' } };
      const candidates = candidatesIn(scenario, req.namespace);
      const psp = admit(pod, candidates, { operation: req.operation, warnings: false });
      const kyverno = admitWithKyverno(objects, pod, request);
      cases++;
      if (psp.admitted !== kyverno.admitted) {
        mismatches.push({
          policies: scenario.policies.map((p) => p.name),
          candidates: candidates.map((p) => p.name),
          request,
          pspAdmitted: psp.admitted,
          kyvernoAdmitted: kyverno.admitted,
          failures: kyverno.failures,
          pod,
        });
      }
    }
  });
  return { cases, mismatches };
}

describe('emitted Kyverno policies decide as PSP admission did', () => {
  for (const [api, exemptions] of [
    ['kyverno.io/v1', 'policy-exception'],
    ['policies.kyverno.io/v1', 'preconditions'],
  ] as const) {
    it(`${api} (exemptions: ${exemptions}), 10,000+ generated pods`, () => {
      const { cases, mismatches } = runDifferential(api, exemptions, 200, 51);
      expect(cases).toBeGreaterThanOrEqual(10_000);
      if (mismatches.length > 0) console.error(JSON.stringify(mismatches.slice(0, 3), null, 1));
      expect(mismatches.length).toBe(0);
    });
  }
});
