import { describe, expect, test } from 'vitest';
import type { Pod } from '../pod/types.js';
import { policyFixture } from '../evaluate/test-support.js';
import { admit } from '../evaluate/admit.js';
import { evaluateCel, policySetExpression } from './index.js';

const restricted = policyFixture({
  name: 'restricted',
  controls: { privileged: { validate: { allowPrivileged: false } }, hostNamespaces: { validate: { allowHostNetwork: false } } },
});
const network = policyFixture({ name: 'host-network', controls: { privileged: { validate: { allowPrivileged: false } } } });
const noInit = policyFixture({ name: 'no.init-privileged', controls: { hostNamespaces: { validate: { allowHostNetwork: false } }, procMount: { validate: { allowed: [] } } } });

function pod(spec: Partial<Pod['spec']>): Pod {
  return { metadata: { name: 'p' }, spec: { containers: [{ name: 'app' }], ...spec } };
}

const pods: Record<string, Pod> = {
  plain: pod({}),
  hostNetwork: pod({ hostNetwork: true }),
  privilegedInit: pod({ initContainers: [{ name: 'setup', securityContext: { privileged: true } }] }),
  both: pod({ hostNetwork: true, ephemeralContainers: [{ name: 'debug', securityContext: { privileged: true } }] }),
};

describe('policySetExpression', () => {
  const set = policySetExpression([restricted, network, noInit], { object: 'object' });
  const variablesOf = (p: Pod) => Object.fromEntries(set.candidates.map((c) => [c.variable, evaluateCel(c.admits, { object: p })]));

  test('a pod is admitted when any candidate admits it, as PSP admission decided', () => {
    for (const [name, p] of Object.entries(pods)) {
      const expected = admit(p, [restricted, network, noInit]).admitted;
      expect(evaluateCel(set.inlineExpression, { object: p }), name).toBe(expected);
      expect(evaluateCel(set.expression, { object: p, variables: variablesOf(p) }), name).toBe(expected);
    }
    expect(evaluateCel(set.inlineExpression, { object: pods.hostNetwork })).toBe(true);
    expect(evaluateCel(set.inlineExpression, { object: pods.both })).toBe(false);
  });

  test('candidates get distinct CEL identifiers', () => {
    expect(set.candidates.map((c) => c.variable)).toEqual(['psp_restricted', 'psp_host_network', 'psp_no_init_privileged']);
    expect(set.expression).toBe('variables.psp_restricted || variables.psp_host_network || variables.psp_no_init_privileged');
  });

  test('the message names, per candidate, its first failing field', () => {
    expect(evaluateCel(set.messageExpression, { object: pods.both })).toBe(
      'no PodSecurityPolicy admits this pod: ' +
        'restricted: privileged: spec.ephemeralContainers[debug].securityContext.privileged: privileged containers are not allowed; ' +
        'host-network: privileged: spec.ephemeralContainers[debug].securityContext.privileged: privileged containers are not allowed; ' +
        'no.init-privileged: hostNamespaces: spec.hostNetwork: host network is not allowed to be used',
    );
  });

  test('no candidates admit nothing', () => {
    const empty = policySetExpression([], { object: 'object' });
    expect(evaluateCel(empty.expression, { object: pods.plain })).toBe(false);
    expect(evaluateCel(empty.messageExpression)).toMatch(/no PodSecurityPolicy/);
  });
});
