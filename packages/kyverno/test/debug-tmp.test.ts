import fc from 'fast-check';
import { admit, type PolicyIR, type Pod } from '@psp-translate/core';
import { it } from 'vitest';
import { arbitraryCandidates, arbitraryPod } from '../../core/src/evaluate/arbitrary.js';
import { translateKyverno } from '../src/index.js';
import { byNamespace } from './support/policies.js';
import { admitWithKyverno } from './support/kyverno-engine.js';

it('debug', () => {
  const api = (process.env['API'] ?? 'kyverno.io/v1') as never;
  const scen = fc.sample(arbitraryCandidates(4).chain((policies) => { const names = policies.map((p) => p.name); const sub = fc.subarray(names); return fc.tuple(sub, sub, sub).map(([a, b, r]) => ({ policies, groups: byNamespace({ 'team-a': a, 'team-b': b }, r) })); }), { seed: 42, numRuns: 40 });
  const pods = fc.sample(fc.tuple(arbitraryPod, fc.constantFrom('team-a', 'team-b', 'elsewhere'), fc.constantFrom<'CREATE' | 'UPDATE'>('CREATE', 'CREATE', 'UPDATE')), { seed: 43, numRuns: 40 * 25 });
  const cats = new Map<string, number>();
  let shown = 0;
  scen.forEach((s, i) => {
    const { objects } = translateKyverno({ policies: s.policies, scopeGroups: s.groups, options: { api, style: (process.env['STYLE'] ?? 'cel') as never } });
    for (let j = 0; j < 25; j++) {
      const [g, ns, op] = pods[i * 25 + j]!;
      const pod: Pod = { ...g, metadata: { ...g.metadata, namespace: ns } };
      const group = s.groups.find((gr) => (gr.namespace.op === 'In' ? gr.namespace.values.includes(ns) : !gr.namespace.values.includes(ns)))!;
      const cands = group.candidates.map((n) => s.policies.find((p) => p.name === n)!) as PolicyIR[];
      const psp = admit(pod, cands, { operation: op, warnings: false });
      const ky = admitWithKyverno(objects, pod, { namespace: ns, operation: op, userInfo: { username: '' } });
      if (psp.admitted !== ky.admitted && (process.env['OP'] === undefined || process.env['OP'] === op)) {
        if (process.env['N'] !== undefined && String(cands.length) !== process.env['N']) continue;
        const key = `${op} n=${cands.length} mut=${cands.filter((c) => c.mutating).length} psp=${psp.admitted} via=${psp.policy}`;
        cats.set(key, (cats.get(key) ?? 0) + 1);
        if (shown < Number(process.env['SHOW'] ?? 0)) {
          shown++;
          console.log(key, ky.failures, JSON.stringify(psp.verdicts.map((v) => [v.policy, v.allowed, v.reasons.map((r) => r.message)])));
          console.log(JSON.stringify(ky.pod));
          console.log('PSP mutated:', JSON.stringify(psp.mutatedPod));
        }
      }
    }
  });
  console.log([...cats.entries()].sort().join('\n'));
});
