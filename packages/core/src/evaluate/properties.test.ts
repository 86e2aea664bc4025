import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Container, Pod } from '../pod/types.js';
import { admit } from './admit.js';
import { arbitraryCandidates, arbitraryPod, arbitraryPolicy, fuzzParameters } from './arbitrary.js';
import { evaluatePolicy } from './evaluate.js';
import { applyJsonPatch } from './json-patch.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

type Kind = 'containers' | 'initContainers' | 'ephemeralContainers';

/** Settings some policy forbids, applied to one container (or the pod). */
const FORBIDDEN_SETTINGS: Record<string, (pod: Pod, kind: Kind, index: number) => Pod> = {
  privileged: (pod, kind, i) => withContainer(pod, kind, i, (c) => ({ ...c, securityContext: { ...c.securityContext, privileged: true } })),
  'add SYS_ADMIN': (pod, kind, i) =>
    withContainer(pod, kind, i, (c) => {
      const caps = c.securityContext?.capabilities;
      return { ...c, securityContext: { ...c.securityContext, capabilities: { ...caps, add: [...(caps?.add ?? []), 'SYS_ADMIN'] } } };
    }),
  'procMount Unmasked': (pod, kind, i) => withContainer(pod, kind, i, (c) => ({ ...c, securityContext: { ...c.securityContext, procMount: 'Unmasked' } })),
  'allowPrivilegeEscalation true': (pod, kind, i) =>
    withContainer(pod, kind, i, (c) => ({ ...c, securityContext: { ...c.securityContext, allowPrivilegeEscalation: true } })),
  'runAsUser 0': (pod, kind, i) => withContainer(pod, kind, i, (c) => ({ ...c, securityContext: { ...c.securityContext, runAsUser: 0 } })),
  'runAsNonRoot false': (pod, kind, i) => withContainer(pod, kind, i, (c) => ({ ...c, securityContext: { ...c.securityContext, runAsNonRoot: false } })),
  'hostPort 9999': (pod, kind, i) => withContainer(pod, kind, i, (c) => ({ ...c, ports: [...(c.ports ?? []), { containerPort: 9999, hostPort: 9999 }] })),
  hostNetwork: (pod) => ({ ...pod, spec: { ...pod.spec, hostNetwork: true } }),
  hostPID: (pod) => ({ ...pod, spec: { ...pod.spec, hostPID: true } }),
  'hostPath /etc': (pod) => ({ ...pod, spec: { ...pod.spec, volumes: [...(pod.spec.volumes ?? []), { name: 'etc', hostPath: { path: '/etc' } }] } }),
};

function withContainer(pod: Pod, kind: Kind, index: number, change: (c: Container) => Container): Pod {
  const list = [...(pod.spec[kind] ?? [])];
  const existing = list[index];
  if (!existing) return pod;
  list[index] = change(existing);
  return { ...pod, spec: { ...pod.spec, [kind]: list } };
}

const operation = fc.constantFrom<'CREATE' | 'UPDATE'>('CREATE', 'UPDATE');

describe('evaluator properties', () => {
  it('never throws, never changes its (frozen) input, and its patch reproduces its pod', () => {
    fc.assert(
      fc.property(arbitraryPolicy, arbitraryPod, operation, (policy, pod, op) => {
        const snapshot = structuredClone(pod);
        const verdict = evaluatePolicy(policy, deepFreeze(pod), { operation: op });
        expect(pod).toEqual(snapshot);
        expect(verdict.allowed).toBe(verdict.reasons.length === 0 && !(op === 'UPDATE' && verdict.mutated));
        if (op === 'CREATE') expect(applyJsonPatch(pod, verdict.mutations)).toEqual(verdict.pod);
        else expect(verdict.pod).toBe(pod);
      }),
      fuzzParameters(300),
    );
  });

  it('the chosen policy admits its own mutated pod without further change, also on UPDATE', () => {
    fc.assert(
      fc.property(arbitraryCandidates(), arbitraryPod, (candidates, pod) => {
        const result = admit(pod, candidates);
        if (!result.admitted) return;
        const chosen = candidates.find((p) => p.name === result.policy);
        if (!chosen) throw new Error(`admitted by unknown policy ${result.policy}`);
        const again = evaluatePolicy(chosen, result.mutatedPod);
        expect(again).toMatchObject({ allowed: true, mutated: false, mutations: [] });
        expect(admit(result.mutatedPod, candidates, { operation: 'UPDATE' }).admitted).toBe(true);
      }),
      fuzzParameters(300),
    );
  });

  it('adding a forbidden setting to any container, init or ephemeral container never turns a rejection into an admission', () => {
    const kindIndex = fc.record({ kind: fc.constantFrom<Kind>('containers', 'initContainers', 'ephemeralContainers'), index: fc.nat(1) });
    fc.assert(
      fc.property(
        arbitraryCandidates(),
        arbitraryPod,
        fc.constantFrom(...Object.keys(FORBIDDEN_SETTINGS)),
        kindIndex,
        (candidates, pod, setting, { kind, index }) => {
          if (admit(pod, candidates).admitted) return;
          const worse = (FORBIDDEN_SETTINGS[setting] as (typeof FORBIDDEN_SETTINGS)[string])(pod, kind, index);
          expect(admit(worse, candidates).admitted).toBe(false);
        },
      ),
      fuzzParameters(300),
    );
  });

  it('admission is monotone in candidates: adding a policy never turns an admission into a rejection', () => {
    fc.assert(
      fc.property(arbitraryCandidates(3), arbitraryPolicy, arbitraryPod, operation, (candidates, extra, pod, op) => {
        if (candidates.some((p) => p.name === extra.name)) return;
        if (!admit(pod, candidates, { operation: op }).admitted) return;
        expect(admit(pod, [...candidates, extra], { operation: op }).admitted).toBe(true);
      }),
      fuzzParameters(300),
    );
  });

  it('the generators reach both outcomes and every container kind', () => {
    const stats = { admitted: 0, rejected: 0, ephemeral: 0, init: 0, mutated: 0, unchanged: 0, warned: 0 };
    fc.assert(
      fc.property(arbitraryCandidates(), arbitraryPod, (candidates, pod) => {
        const result = admit(pod, candidates);
        stats[result.admitted ? 'admitted' : 'rejected']++;
        if (result.admitted) stats[result.mutations.length > 0 ? 'mutated' : 'unchanged']++;
        if (result.warnings.length > 0) stats.warned++;
        if (pod.spec.ephemeralContainers) stats.ephemeral++;
        if (pod.spec.initContainers) stats.init++;
      }),
      fuzzParameters(300),
    );
    // Each outcome in at least 1 run in 20: otherwise the properties above would hold vacuously.
    for (const [key, count] of Object.entries(stats)) expect(count, key).toBeGreaterThan(15);
  });
});
