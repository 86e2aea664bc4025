/**
 * `--emit-tests`: the `kyverno test` file is valid against the Test schema, its resources cover every
 * container kind, and its expected results agree with the reference PSP evaluator pod by pod.
 */
import { admit, type Pod } from '@psp-translate/core';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import { translateKyverno, type KyvernoApi } from '../src/index.js';
import { byNamespace, privilegedPsp, psp, restrictedPsp } from './support/policies.js';
import { schemaErrors } from './support/schemas.js';

const policies = [privilegedPsp(), restrictedPsp(), psp('hostnet', { hostNetwork: true, privileged: false, volumes: ['*'] })];
const groups = byNamespace({ 'kube-system': ['privileged', 'restricted'], monitoring: ['hostnet', 'restricted'] }, ['restricted']);

describe('the emitted kyverno-test.yaml', () => {
  for (const kyvernoApi of ['kyverno.io/v1', 'policies.kyverno.io/v1'] as KyvernoApi[]) {
    it(`${kyvernoApi}: expectations agree with PSP admission for every resource`, () => {
      const { tests } = translateKyverno({ policies, scopeGroups: groups, options: { api: kyvernoApi, style: 'cel', emitTests: true } });
      expect(tests).toBeDefined();
      expect(schemaErrors(tests!.test)).toEqual([]);
      const results = tests!.test['results'] as { policy: string; rule?: string; resources: string[]; result: string }[];
      const names = tests!.resources.map((r) => r.metadata.name);
      expect(names.some((n) => n.endsWith('privileged-ephemeral'))).toBe(true);
      expect(names.some((n) => n.endsWith('privileged-init'))).toBe(true);
      for (const resource of tests!.resources) {
        const pod = resource as unknown as Pod;
        const namespace = pod.metadata.namespace!;
        const group = groups.find((g) => (g.namespace.op === 'In' ? g.namespace.values.includes(namespace) : !g.namespace.values.includes(namespace)))!;
        const candidates = group.candidates.map((n) => policies.find((p) => p.name === n)!);
        const expected = admit(pod, candidates, { warnings: false }).admitted;
        const own = results.filter((r) => r.resources.includes(pod.metadata.name!));
        expect(own.length, pod.metadata.name).toBeGreaterThan(0);
        expect(own.every((r) => r.result !== 'fail'), `${pod.metadata.name}: ${JSON.stringify(own)}`).toBe(expected);
      }
    });
  }
});

describe('public API', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'POD_SECURITY_VERSION',
      'TEST_EXCEPTION_FILE',
      'TEST_POLICY_FILE',
      'TEST_RESOURCE_FILE',
      'admitsEveryPod',
      'applyMerge',
      'constructorsToMaps',
      'defaultsPlan',
      'dnsLabel',
      'evaluateKyvernoExisting',
      'kyvernoAction',
      'kyvernoEvaluator',
      'kyvernoTarget',
      'planScopes',
      'profileField',
      'runMutatingPolicy',
      'stableDigest',
      'translateInputs',
      'translateKyverno',
      'validationPolicyName',
    ]);
  });
});
