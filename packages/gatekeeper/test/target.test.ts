import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { admit, buildRbacIndex, candidatesFor, parseInputs, scopeGroups, type Pod } from '@psp-translate/core';
import * as api from '@psp-translate/gatekeeper';
import { arbitraryPod } from '../../core/src/evaluate/arbitrary.js';

const seed = process.env.PSP_TRANSLATE_FUZZ === 'random' ? Date.now() : Number(process.env.PSP_TRANSLATE_FUZZ_SEED ?? 42);

const inputs = parseInputs([
  { path: 'mode-auto-rbac/input.yaml', text: readFileSync(new URL('./fixtures/mode-auto-rbac/input.yaml', import.meta.url), 'utf8') },
]);

describe('public API', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'MAX_MUTATOR_NAME',
        'POLICY_SET_KIND',
        'SOURCE_ANNOTATION',
        'appArmorProfileField',
        'applyMutator',
        'constraintKind',
        'containerLocation',
        'evaluateGatekeeperExisting',
        'gatekeeperAction',
        'gatekeeperEvaluator',
        'gatekeeperTarget',
        'isDns1123Name',
        'mutatePod',
        'mutatorHandlers',
        'objectName',
        'parseLocation',
        'planMutators',
        'seccompProfileField',
        'serializeObjects',
        'templateName',
        'translateGatekeeper',
      ].sort(),
    );
  });

  it('maps --action words', () => {
    expect(['audit', 'dryrun', 'warn', 'deny', 'DENY'].map(api.gatekeeperAction)).toEqual(['dryrun', 'dryrun', 'warn', 'deny', 'deny']);
    expect(api.gatekeeperAction(undefined)).toBe('dryrun');
    expect(() => api.gatekeeperAction('enforce-ish')).toThrow(/use audit, warn or deny/);
  });

  it('names are DNS-1123 and stable: template = kind lowercased, no hashes', () => {
    expect(api.templateName(api.constraintKind('readOnlyRootFilesystem'))).toBe('k8spspreadonlyrootfilesystem');
    expect(api.objectName(['psp', 'My_PSP.v2', 'caps'])).toBe('psp-my-psp.v2-caps');
    expect(() => api.objectName(['psp', 'x'.repeat(70)], api.MAX_MUTATOR_NAME)).toThrow(/at most 63/);
  });
});

describe('gatekeeperTarget (CLI registry shape)', () => {
  it('translates an InputSet with its RBAC, --action in Gatekeeper words', () => {
    const out = api.gatekeeperTarget.translate(inputs, { actions: { gatekeeper: 'warn' } });
    const direct = api.translateGatekeeper({
      policies: inputs.policies,
      scopeGroups: scopeGroups(buildRbacIndex(inputs.rbac), inputs.policies),
      options: { action: 'warn' },
    });
    expect(out).toEqual(direct);
    const actions = out.objects.filter((o) => o.apiVersion.startsWith('constraints.')).map((o) => (o.spec as { enforcementAction: string }).enforcementAction);
    expect(new Set(actions)).toEqual(new Set(['warn']));
  });

  it('without RBAC every PSP is usable everywhere, and the report says so', () => {
    const out = api.gatekeeperTarget.translate({ policies: inputs.policies, rbac: { roles: [], clusterRoles: [], roleBindings: [], clusterRoleBindings: [] } });
    expect(out.report[0]).toMatchObject({ fidelity: 'note', message: expect.stringMatching(/no RBAC/) });
  });

  it('evaluate (check --target gatekeeper) decides workloads as PSP admission did, mutators included', () => {
    const translation = api.gatekeeperTarget.translate(inputs, { actions: { gatekeeper: 'deny' } });
    const judge = api.gatekeeperTarget.evaluate(translation);
    const index = buildRbacIndex(inputs.rbac);
    const byName = new Map(inputs.policies.map((p) => [p.name, p]));
    let admitted = 0;
    let checked = 0;
    fc.assert(
      fc.property(arbitraryPod, fc.constantFrom(['apps', 'default'], ['tools', 'ops'], ['tools', 'default'], ['web', 'default']), (raw, [namespace, serviceAccount]) => {
        const pod: Pod = { ...raw, metadata: { ...raw.metadata, namespace }, spec: { ...raw.spec, serviceAccountName: serviceAccount } };
        const candidates = candidatesFor(index, inputs.policies, { namespace: namespace!, serviceAccount: serviceAccount! }).map((n) => byName.get(n)!);
        const expected = admit(pod, candidates);
        // Where candidates disagree on defaults no mutator runs: compare only where PSP needed none or all agreed.
        const verdict = judge({ pod });
        checked++;
        if (expected.admitted) admitted++;
        if (verdict.admitted !== expected.admitted && !(expected.admitted && expected.mutations.length > 0 && candidates.length > 1)) {
          expect.fail(`gatekeeper ${JSON.stringify(verdict.reasons)} vs PSP ${JSON.stringify(expected.reasons)} in ${namespace}/${serviceAccount}\n${JSON.stringify(pod)}`);
        }
      }),
      { seed, numRuns: 400 },
    );
    expect(admitted).toBeGreaterThan(checked * 0.05);
    expect(checked - admitted).toBeGreaterThan(checked * 0.2);
  }, 120_000);
});

describe('gatekeeperTarget.evaluate namespace', () => {
  it("judges a pod without metadata.namespace in the workload's namespace (--namespace), not in default", () => {
    const translation = api.gatekeeperTarget.translate(inputs, { actions: { gatekeeper: 'deny' }, excludedNamespaces: ['exempt'] });
    const judge = api.gatekeeperTarget.evaluate(translation);
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'root' },
      spec: { containers: [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }] },
    };
    expect(judge({ pod, workload: { namespace: 'default' } }).admitted).toBe(false);
    expect(judge({ pod, workload: { namespace: 'exempt' } })).toEqual({ admitted: true, reasons: [] });
  });
});
