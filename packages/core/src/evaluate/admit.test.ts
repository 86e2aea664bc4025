import { describe, expect, it } from 'vitest';
import type { Pod } from '../pod/types.js';
import { admit, NO_CANDIDATES_MESSAGE } from './admit.js';
import { policyFixture } from './test-support.js';

const pod = (spec: Partial<Pod['spec']> = {}, annotations?: Record<string, string>): Pod => ({
  metadata: { name: 'p', ...(annotations ? { annotations } : {}) },
  spec: { containers: [{ name: 'app' }], ...spec },
});

const privileged = policyFixture({ name: 'privileged' });
const noPrivileged = (name: string) => policyFixture({ name, controls: { privileged: { validate: { allowPrivileged: false } } } });
const defaultsUser = (name: string, uid: number) =>
  policyFixture({ name, controls: { runAsUser: { validate: { rule: 'MustRunAs', ranges: [{ min: uid, max: uid + 1000 }] }, defaults: { runAsUser: uid } } } });
const defaultsFsGroup = (name: string) =>
  policyFixture({ name, controls: { fsGroup: { validate: { rule: 'MustRunAs', ranges: [{ min: 1, max: 65535 }] }, defaults: { fsGroup: 1 } } } });

describe('admit', () => {
  it('rejects when no policy is authorised', () => {
    const result = admit(pod(), []);
    expect(result).toMatchObject({ admitted: false, policy: null, candidates: [], reasons: [{ message: NO_CANDIDATES_MESSAGE }] });
  });

  it('prefers a policy that admits the pod unchanged over an earlier mutating one', () => {
    const result = admit(pod(), [privileged, defaultsUser('a-restricted', 1000)]);
    expect(result).toMatchObject({ admitted: true, policy: 'privileged', mutations: [], candidates: ['a-restricted', 'privileged'] });
    expect(result.mutatedPod).toEqual(pod());
  });

  it('otherwise picks the first mutating policy by name and returns its patch and pod', () => {
    const result = admit(pod(), [defaultsUser('zeta', 3000), defaultsUser('alpha', 2000)]);
    expect(result.policy).toBe('alpha');
    expect(result.mutatedPod.spec.containers[0]?.securityContext?.runAsUser).toBe(2000);
    expect(result.mutations.at(-1)).toEqual({ op: 'add', path: '/spec/containers/0/securityContext/runAsUser', value: 2000 });
  });

  it('collects the reasons of every candidate on rejection', () => {
    const result = admit(pod({ containers: [{ name: 'app', securityContext: { privileged: true } }] }), [noPrivileged('b'), noPrivileged('a')]);
    expect(result.admitted).toBe(false);
    expect(result.reasons.map((r) => r.policy)).toEqual(['a', 'b']);
    expect(result.verdicts.map((v) => v.allowed)).toEqual([false, false]);
  });

  it('warns when only name order decides between policies that default differently', () => {
    const result = admit(pod(), [defaultsUser('restricted', 1000), defaultsUser('chown', 5000)]);
    expect(result.policy).toBe('chown');
    expect(result.warningDetails).toEqual([{ code: 'name-order', policies: ['chown', 'restricted'], message: expect.stringContaining('"chown"') }]);
    expect(result.warnings).toEqual([result.warningDetails[0]?.message]);
  });

  it('does not warn when the mutating policies agree, or when a policy admits the pod unchanged', () => {
    expect(admit(pod(), [defaultsFsGroup('a'), defaultsFsGroup('b')]).warnings).toEqual([]);
    expect(admit(pod(), [defaultsUser('a', 1000), defaultsUser('b', 5000), privileged]).warnings).toEqual([]);
  });

  it('UPDATE: only a policy that admits the pod unchanged will do, the recorded policy first', () => {
    const mutating = defaultsUser('a-mutating', 1000);
    expect(admit(pod(), [mutating], { operation: 'UPDATE' })).toMatchObject({ admitted: false, mutations: [] });
    const result = admit(pod({}, { 'kubernetes.io/psp': 'z-recorded' }), [policyFixture({ name: 'b' }), policyFixture({ name: 'z-recorded' })], { operation: 'UPDATE' });
    expect(result).toMatchObject({ admitted: true, policy: 'z-recorded', candidates: ['z-recorded', 'b'] });
  });

  it('an ephemeral container is checked on UPDATE like any other', () => {
    const debug = pod({ ephemeralContainers: [{ name: 'dbg', securityContext: { privileged: true } }] });
    const result = admit(debug, [noPrivileged('restricted')], { operation: 'UPDATE' });
    expect(result.reasons).toEqual([
      { policy: 'restricted', path: 'spec.ephemeralContainers[0].securityContext.privileged', message: 'privileged containers are not allowed' },
    ]);
  });
});
