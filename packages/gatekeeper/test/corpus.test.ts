/**
 * Every real PSP of the shared corpus (with its RBAC): the target translates it, every object
 * validates against the Gatekeeper CRDs, every Rego parses in our checked subset, output is
 * deterministic, and the emitted pipeline (mutators + CEL) decides generated pods as PSP admission
 * did for the pods' scope.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { admit, buildRbacIndex, candidatesFor, parseInputs, type Pod } from '@psp-translate/core';
import { gatekeeperTarget, serializeObjects } from '@psp-translate/gatekeeper';
import { arbitraryPod } from '../../core/src/evaluate/arbitrary.js';
import { parseRego } from './support/rego-interpreter.js';
import { loadCrdSchema, validateAgainstCrd } from '../../../test/support/structural-schema.js';

const corpus = new URL('../../../../shared/corpus/psp/', import.meta.url);
const present = existsSync(corpus);
if (!present) console.warn('shared corpus not found at ../shared/corpus: skipping the Gatekeeper corpus tests');
const seed = process.env.PSP_TRANSLATE_FUZZ === 'random' ? Date.now() : Number(process.env.PSP_TRANSLATE_FUZZ_SEED ?? 42);

const crds = {
  ConstraintTemplate: loadCrdSchema(new URL('./schemas/constrainttemplate-v1.json', import.meta.url)),
  Assign: loadCrdSchema(new URL('./schemas/assign-v1.json', import.meta.url)),
  ModifySet: loadCrdSchema(new URL('./schemas/modifyset-v1.json', import.meta.url)),
};

describe.skipIf(!present)('corpus', () => {
  const files = present ? readdirSync(corpus).filter((f) => f.endsWith('.yaml')).sort() : [];

  it('has the 48 corpus PSPs', () => expect(files).toHaveLength(48));

  it('every file translates into valid, deterministic objects that decide as PSP did', () => {
    let admitted = 0;
    let checked = 0;
    for (const file of files) {
      const inputs = parseInputs([{ path: file, text: readFileSync(new URL(file, corpus), 'utf8') }]);
      const out = gatekeeperTarget.translate(inputs, { actions: { gatekeeper: 'deny' } });
      expect(serializeObjects(gatekeeperTarget.translate(inputs, { actions: { gatekeeper: 'deny' } }).objects), file).toBe(serializeObjects(out.objects));
      for (const o of out.objects) {
        const crd = crds[o.kind as keyof typeof crds];
        if (crd !== undefined) expect(validateAgainstCrd(o as unknown as Record<string, unknown>, crd), `${file} ${o.kind}/${o.metadata.name}`).toEqual([]);
        if (o.kind === 'ConstraintTemplate') parseRego((o.spec as { targets: { rego: string }[] }).targets[0]!.rego);
      }
      const judge = gatekeeperTarget.evaluate(out);
      const index = buildRbacIndex(inputs.rbac);
      const rbacGiven = Object.values(inputs.rbac).some((l) => l.length > 0);
      // The service accounts the bindings name (where PSP use was granted), and one nobody named.
      const subjects = [...inputs.rbac.roleBindings, ...inputs.rbac.clusterRoleBindings].flatMap((b) =>
        ((b.raw as { subjects?: { kind: string; name: string; namespace?: string }[] }).subjects ?? [])
          .filter((s) => s.kind === 'ServiceAccount')
          .map((s) => [s.namespace ?? b.namespace ?? 'default', s.name] as const),
      );
      const identities: (readonly [string, string])[] = [['default', 'default'], ...subjects];
      fc.assert(
        fc.property(arbitraryPod, fc.constantFrom(...identities), (raw, [namespace, serviceAccount]) => {
          const pod: Pod = { ...raw, metadata: { ...raw.metadata, namespace }, spec: { ...raw.spec, serviceAccountName: serviceAccount } };
          const names = rbacGiven ? candidatesFor(index, inputs.policies, { namespace, serviceAccount }) : inputs.policies.map((p) => p.name);
          const candidates = inputs.policies.filter((p) => names.includes(p.name));
          const expected = admit(pod, candidates);
          const verdict = judge({ pod });
          checked++;
          if (expected.admitted) admitted++;
          if (verdict.admitted !== expected.admitted) {
            expect.fail(`${file}: gatekeeper ${JSON.stringify(verdict.reasons)} vs PSP ${JSON.stringify(expected.reasons)} in ${namespace}\n${JSON.stringify(pod)}`);
          }
        }),
        { seed, numRuns: 25 },
      );
    }
    expect(checked).toBe(files.length * 25);
    // Generated pods are mostly risky and corpus PSPs mostly strict: few admissions, but some.
    expect(admitted).toBeGreaterThan(checked * 0.02);
    expect(checked - admitted).toBeGreaterThan(checked * 0.1);
  }, 180_000);
});
