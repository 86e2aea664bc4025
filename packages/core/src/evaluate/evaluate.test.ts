import { describe, expect, it } from 'vitest';
import type { Container, Pod, PodSpec } from '../pod/types.js';
import { evaluatePolicy } from './evaluate.js';
import { applyJsonPatch } from './json-patch.js';
import { policyFixture, type PolicyFixtureOverrides } from './test-support.js';

type Kind = 'containers' | 'initContainers' | 'ephemeralContainers';
const KINDS: Kind[] = ['containers', 'initContainers', 'ephemeralContainers'];

function makePod(spec: Partial<PodSpec> = {}, annotations?: Record<string, string>): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', ...(annotations ? { annotations } : {}) },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
  };
}

/** A pod whose only non-trivial container of `kind` is `container`. */
function podWith(kind: Kind, container: Partial<Container>, spec: Partial<PodSpec> = {}): Pod {
  const c: Container = { name: `${kind}-0`, image: 'busybox', ...container };
  if (kind === 'containers') return makePod({ ...spec, containers: [c] });
  return makePod({ ...spec, [kind]: [c] });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Evaluate and check the recorded patch turns the input into the returned pod. */
function evaluate(overrides: PolicyFixtureOverrides, pod: Pod, operation: 'CREATE' | 'UPDATE' = 'CREATE') {
  const policy = policyFixture({ name: 'psp', ...overrides });
  const input = deepFreeze(structuredClone(pod));
  const verdict = evaluatePolicy(policy, input, { operation });
  if (operation === 'CREATE') expect(applyJsonPatch(input, verdict.mutations)).toEqual(verdict.pod);
  expect(input).toEqual(pod);
  return verdict;
}

const paths = (v: { reasons: { path: string }[] }) => v.reasons.map((r) => r.path);

describe('permissive fixture', () => {
  it('admits a plain pod unchanged and returns the same object', () => {
    const pod = makePod();
    const v = evaluatePolicy(policyFixture(), pod);
    expect(v).toMatchObject({ allowed: true, mutated: false, mutations: [], reasons: [] });
    expect(v.pod).toBe(pod);
  });
});

describe.each(KINDS)('container-level checks visit %s', (kind) => {
  const sc = `spec.${kind}[0].securityContext`;
  it('privileged', () => {
    const v = evaluate({ controls: { privileged: { validate: { allowPrivileged: false } } } }, podWith(kind, { securityContext: { privileged: true } }));
    expect(v.allowed).toBe(false);
    expect(v.reasons).toEqual([{ policy: 'psp', path: `${sc}.privileged`, message: 'privileged containers are not allowed' }]);
  });
  it('capabilities may not be added', () => {
    const v = evaluate(
      { controls: { capabilities: { validate: { allowAny: false, allowed: ['NET_BIND_SERVICE'] } } } },
      podWith(kind, { securityContext: { capabilities: { add: ['NET_BIND_SERVICE', 'SYS_ADMIN'] } } }),
    );
    expect(v.reasons).toEqual([{ policy: 'psp', path: `${sc}.capabilities.add[1]`, message: 'capability SYS_ADMIN may not be added' }]);
  });
  it('hostPorts', () => {
    const v = evaluate({ controls: { hostPorts: { validate: { ranges: [{ min: 8000, max: 8080 }] } } } }, podWith(kind, { ports: [{ containerPort: 1, hostPort: 8081 }] }));
    expect(paths(v)).toEqual([`spec.${kind}[0].ports[0].hostPort`]);
  });
  it('procMount', () => {
    const v = evaluate({ controls: { procMount: { validate: { allowed: [] } } } }, podWith(kind, { securityContext: { procMount: 'Unmasked' } }));
    expect(paths(v)).toEqual([`${sc}.procMount`]);
  });
  it('runAsUser defaults per container', () => {
    const v = evaluate({ controls: { runAsUser: { validate: { rule: 'MustRunAs', ranges: [{ min: 1000, max: 2000 }] }, defaults: { runAsUser: 1000 } } } }, podWith(kind, {}));
    expect(v.allowed).toBe(true);
    expect((v.pod.spec[kind] as Container[])[0]?.securityContext?.runAsUser).toBe(1000);
  });
  it('readOnly hostPath mounts', () => {
    const v = evaluate(
      { controls: { hostPaths: { validate: { allowed: [{ pathPrefix: '/var/log', readOnly: true }] } } } },
      podWith(kind, { volumeMounts: [{ name: 'logs', mountPath: '/logs' }] }, { volumes: [{ name: 'logs', hostPath: { path: '/var/log/app' } }] }),
    );
    expect(paths(v)).toEqual([`spec.${kind}[0].volumeMounts[0].readOnly`]);
  });
});

describe('allowedHostPaths', () => {
  const policy = (allowed: { pathPrefix: string; readOnly: boolean }[]) => ({ controls: { hostPaths: { validate: { allowed } } } });
  const hostPathPod = (path: string) => makePod({ volumes: [{ name: 'h', hostPath: { path } }] });
  it.each([
    ['/foo', true],
    ['/foo/', true],
    ['/foo/bar', true],
    ['/food', false],
    ['/fo', false],
    ['/foo/../etc', false],
    ['/etc/../foo/bar', false],
  ])('/foo allows %s: %s', (path, allowed) => {
    expect(evaluate(policy([{ pathPrefix: '/foo', readOnly: false }]), hostPathPod(path)).allowed).toBe(allowed);
  });
  it('a trailing slash on the prefix changes nothing', () => {
    expect(evaluate(policy([{ pathPrefix: '/foo/', readOnly: false }]), hostPathPod('/foo')).allowed).toBe(true);
    expect(evaluate(policy([{ pathPrefix: '/foo/', readOnly: false }]), hostPathPod('/food')).allowed).toBe(false);
  });
  it('empty list allows any path', () => {
    expect(evaluate(policy([]), hostPathPod('/')).allowed).toBe(true);
  });
  it('explains backsteps', () => {
    const v = evaluate(policy([{ pathPrefix: '/foo', readOnly: false }]), hostPathPod('/foo/../etc'));
    expect(v.reasons[0]?.message).toContain("'..'");
  });
  it('a writable matching entry wins over a read-only one', () => {
    const pod = makePod({ volumes: [{ name: 'h', hostPath: { path: '/data/x' } }], containers: [{ name: 'a', volumeMounts: [{ name: 'h', mountPath: '/x' }] }] });
    expect(evaluate(policy([{ pathPrefix: '/data', readOnly: true }, { pathPrefix: '/data/x', readOnly: false }]), pod).allowed).toBe(true);
    expect(evaluate(policy([{ pathPrefix: '/data', readOnly: true }]), pod).allowed).toBe(false);
  });
  it('read-only entries require every mount of the volume, in every container kind, to be read-only', () => {
    const mounts = (readOnly: boolean) => [{ name: 'h', mountPath: '/x', readOnly }];
    const pod = makePod({
      volumes: [{ name: 'h', hostPath: { path: '/data' } }],
      containers: [{ name: 'a', volumeMounts: mounts(true) }],
      initContainers: [{ name: 'i', volumeMounts: mounts(true) }],
      ephemeralContainers: [{ name: 'e', volumeMounts: mounts(false) }],
    });
    const v = evaluate(policy([{ pathPrefix: '/data', readOnly: true }]), pod);
    expect(paths(v)).toEqual(['spec.ephemeralContainers[0].volumeMounts[0].readOnly']);
  });
});

describe('volumes', () => {
  const only = (allowedTypes: string[]) => ({ controls: { volumes: { validate: { anyType: false, allowedTypes } } } }) as PolicyFixtureOverrides;
  it('* allows every type', () => {
    expect(evaluate({}, makePod({ volumes: [{ name: 'a', nfs: { server: 's', path: '/' } }] })).allowed).toBe(true);
  });
  it('maps pod volume keys to PSP types (cephfs is cephFS)', () => {
    expect(evaluate(only(['cephFS']), makePod({ volumes: [{ name: 'a', cephfs: { monitors: [] } }] })).allowed).toBe(true);
    const v = evaluate(only(['secret']), makePod({ volumes: [{ name: 'a', cephfs: { monitors: [] } }] }));
    expect(v.reasons[0]).toMatchObject({ path: 'spec.volumes[0]', message: 'cephFS volumes are not allowed' });
  });
  it('generic ephemeral volumes are their own type', () => {
    const pod = makePod({ volumes: [{ name: 'a', ephemeral: { volumeClaimTemplate: {} } }] });
    expect(evaluate(only(['persistentVolumeClaim']), pod).allowed).toBe(false);
    expect(evaluate(only(['ephemeral']), pod).allowed).toBe(true);
  });
  it('a volume without a source is an emptyDir', () => {
    expect(evaluate(only(['emptyDir']), makePod({ volumes: [{ name: 'a' }] })).allowed).toBe(true);
  });
  it('volume types PSP did not know are rejected', () => {
    expect(evaluate({}, makePod({ volumes: [{ name: 'a', image: { reference: 'x' } }] })).allowed).toBe(false);
  });
  it('empty list and no * = no volumes', () => {
    expect(evaluate(only([]), makePod({ volumes: [{ name: 'a', emptyDir: {} }] })).allowed).toBe(false);
    expect(evaluate(only([]), makePod()).allowed).toBe(true);
  });
  it('flexVolume and CSI driver lists apply only when non-empty', () => {
    const pod = makePod({ volumes: [{ name: 'f', flexVolume: { driver: 'x/y' } }, { name: 'c', csi: { driver: 'csi.example.com' } }] });
    expect(evaluate({}, pod).allowed).toBe(true);
    const v = evaluate(
      { controls: { flexVolumeDrivers: { validate: { allowedDrivers: ['a/b'] } }, csiDrivers: { validate: { allowedDrivers: ['other'] } } } },
      pod,
    );
    expect(paths(v)).toEqual(['spec.volumes[0].flexVolume.driver', 'spec.volumes[1].csi.driver']);
  });
  it('driver lists are not consulted for a type the policy does not allow', () => {
    const v = evaluate({ controls: { volumes: { validate: { anyType: false, allowedTypes: [] } }, csiDrivers: { validate: { allowedDrivers: ['x'] } } } }, makePod({ volumes: [{ name: 'c', csi: { driver: 'y' } }] }));
    expect(paths(v)).toEqual(['spec.volumes[0]']);
  });
});

describe('hostPorts', () => {
  const ranges = { controls: { hostPorts: { validate: { ranges: [{ min: 80, max: 80 }, { min: 8000, max: 8080 }] } } } };
  it.each([
    [80, true],
    [8000, true],
    [8080, true],
    [8081, false],
    [443, false],
    [0, true],
  ])('hostPort %i allowed: %s', (hostPort, allowed) => {
    expect(evaluate(ranges, podWith('containers', { ports: [{ containerPort: 80, hostPort }] })).allowed).toBe(allowed);
  });
  it('empty ranges = no host ports', () => {
    expect(evaluate({ controls: { hostPorts: { validate: { ranges: [] } } } }, podWith('initContainers', { ports: [{ hostPort: 1 }] })).allowed).toBe(false);
  });
});

describe('capabilities', () => {
  const restricted: PolicyFixtureOverrides = {
    controls: {
      capabilities: {
        validate: { allowAny: false, allowed: ['NET_ADMIN'], requiredDrop: ['NET_RAW', 'MKNOD'] },
        defaults: { add: ['CHOWN'], drop: ['NET_RAW', 'MKNOD'] },
      },
    },
  };
  it('adds default adds and required drops, sorted, and admits', () => {
    const v = evaluate(restricted, makePod());
    expect(v.allowed).toBe(true);
    expect(v.mutations).toEqual([
      { op: 'add', path: '/spec/containers/0/securityContext', value: {} },
      { op: 'add', path: '/spec/containers/0/securityContext/capabilities', value: { add: ['CHOWN'], drop: ['MKNOD', 'NET_RAW'] } },
    ]);
  });
  it('gives each defaulted container lists of its own (computed once per policy, never shared)', () => {
    const policy = policyFixture({ name: 'psp', ...restricted });
    const two = makePod({ containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'x' }] });
    const first = evaluatePolicy(policy, two).pod.spec.containers;
    const a = first[0]?.securityContext?.capabilities;
    expect(a).toEqual({ add: ['CHOWN'], drop: ['MKNOD', 'NET_RAW'] });
    expect(a?.drop).not.toBe(first[1]?.securityContext?.capabilities?.drop);
    a?.drop?.push('SYS_ADMIN');
    expect(evaluatePolicy(policy, makePod()).pod.spec.containers[0]?.securityContext?.capabilities).toEqual({ add: ['CHOWN'], drop: ['MKNOD', 'NET_RAW'] });
  });
  it('does not add a default the container drops', () => {
    const v = evaluate(restricted, podWith('containers', { securityContext: { capabilities: { drop: ['CHOWN'] } } }));
    expect(v.pod.spec.containers[0]?.securityContext?.capabilities).toEqual({ drop: ['CHOWN', 'MKNOD', 'NET_RAW'] });
  });
  it('leaves capabilities untouched when nothing is missing', () => {
    const v = evaluate(restricted, podWith('containers', { securityContext: { capabilities: { add: ['CHOWN'], drop: ['NET_RAW', 'MKNOD'] } } }));
    expect(v.mutated).toBe(false);
  });
  it('a container may not add a required drop', () => {
    const v = evaluate(restricted, podWith('containers', { securityContext: { capabilities: { add: ['NET_RAW'] } } }));
    expect(v.reasons.map((r) => r.message)).toEqual(['capability NET_RAW may not be added']);
  });
  it('* allows any capability and skips the drop check', () => {
    const v = evaluate(
      { controls: { capabilities: { validate: { allowAny: true, allowed: [], requiredDrop: ['NET_RAW'] }, defaults: { add: [], drop: ['NET_RAW'] } } } },
      podWith('ephemeralContainers', { securityContext: { capabilities: { add: ['SYS_ADMIN', 'NET_RAW'] } } }),
    );
    expect(v.allowed).toBe(true);
    expect(v.pod.spec.ephemeralContainers?.[0]?.securityContext?.capabilities).toEqual({ add: ['NET_RAW', 'SYS_ADMIN'], drop: ['NET_RAW'] });
  });
  it('requiredDrop ALL is added to drop', () => {
    const v = evaluate(
      { controls: { capabilities: { validate: { allowAny: false, allowed: [], requiredDrop: ['ALL'] }, defaults: { add: [], drop: ['ALL'] } } } },
      podWith('initContainers', { securityContext: { capabilities: { drop: ['NET_RAW'] } } }),
    );
    expect(v.allowed).toBe(true);
    expect(v.pod.spec.initContainers?.[0]?.securityContext?.capabilities).toEqual({ drop: ['ALL', 'NET_RAW'] });
  });
  it('on UPDATE dropping ALL does not cover a required NET_RAW: PSP would add it, which it may not do on update', () => {
    const v = evaluate(restricted, podWith('containers', { securityContext: { capabilities: { add: ['CHOWN'], drop: ['ALL'] } } }), 'UPDATE');
    expect(v.allowed).toBe(false);
    expect(v.reasons).toEqual([expect.objectContaining({ path: 'spec.containers[0].securityContext.capabilities' })]);
  });
});

describe('runAsUser', () => {
  const mustRunAs: PolicyFixtureOverrides = {
    controls: { runAsUser: { validate: { rule: 'MustRunAs', ranges: [{ min: 1000, max: 1999 }, { min: 5000, max: 5000 }] }, defaults: { runAsUser: 1000 } } },
  };
  const nonRoot: PolicyFixtureOverrides = { controls: { runAsUser: { validate: { rule: 'MustRunAsNonRoot', ranges: [] }, defaults: { runAsNonRoot: true } } } };
  it('MustRunAs defaults to the first range min', () => {
    const v = evaluate(mustRunAs, makePod());
    expect(v.pod.spec.containers[0]?.securityContext?.runAsUser).toBe(1000);
  });
  it('the pod value counts: no container default when the pod sets one in range', () => {
    const v = evaluate(mustRunAs, makePod({ securityContext: { runAsUser: 5000 } }));
    expect(v).toMatchObject({ allowed: true, mutated: false });
  });
  it('the container value overrides the pod value', () => {
    const v = evaluate(mustRunAs, podWith('containers', { securityContext: { runAsUser: 999 } }, { securityContext: { runAsUser: 1500 } }));
    expect(v.reasons).toEqual([expect.objectContaining({ path: 'spec.containers[0].securityContext.runAsUser' })]);
    expect(evaluate(mustRunAs, podWith('containers', { securityContext: { runAsUser: 1999 } }, { securityContext: { runAsUser: 0 } })).allowed).toBe(true);
  });
  it.each([
    [{}, true, true],
    [{ runAsUser: 0 }, false, false],
    [{ runAsUser: 1 }, true, false],
    [{ runAsNonRoot: false, runAsUser: 1000 }, false, false],
    [{ runAsNonRoot: true, runAsUser: 0 }, false, false],
    [{ runAsNonRoot: true }, true, false],
  ])('MustRunAsNonRoot with %j: allowed %s, defaults runAsNonRoot %s', (securityContext, allowed, defaulted) => {
    const v = evaluate(nonRoot, podWith('containers', { securityContext }));
    expect(v.allowed).toBe(allowed);
    expect(v.mutations.some((m) => m.path.endsWith('/runAsNonRoot'))).toBe(defaulted);
  });
  it('MustRunAsNonRoot on UPDATE rejects a pod that sets neither field', () => {
    const v = evaluate(nonRoot, makePod(), 'UPDATE');
    expect(v.allowed).toBe(false);
  });
});

describe('groups', () => {
  it('runAsGroup MustRunAs defaults and checks; MayRunAs checks only when set', () => {
    const must = evaluate({ controls: { runAsGroup: { validate: { specified: true, rule: 'MustRunAs', ranges: [{ min: 10, max: 20 }] }, defaults: { runAsGroup: 10 } } } }, makePod());
    expect(must.pod.spec.containers[0]?.securityContext?.runAsGroup).toBe(10);
    const may: PolicyFixtureOverrides = { controls: { runAsGroup: { validate: { specified: true, rule: 'MayRunAs', ranges: [{ min: 10, max: 20 }] } } } };
    expect(evaluate(may, makePod()).allowed).toBe(true);
    expect(evaluate(may, makePod({ securityContext: { runAsGroup: 30 } })).allowed).toBe(false);
  });
  it('fsGroup and supplementalGroups MustRunAs default to the first range min', () => {
    const v = evaluate(
      {
        controls: {
          fsGroup: { validate: { rule: 'MustRunAs', ranges: [{ min: 2000, max: 3000 }] }, defaults: { fsGroup: 2000 } },
          supplementalGroups: { validate: { rule: 'MustRunAs', ranges: [{ min: 1, max: 65535 }] }, defaults: { supplementalGroups: [1] } },
        },
      },
      makePod(),
    );
    expect(v.allowed).toBe(true);
    expect(v.mutations).toEqual([
      { op: 'add', path: '/spec/securityContext', value: {} },
      { op: 'add', path: '/spec/securityContext/supplementalGroups', value: [1] },
      { op: 'add', path: '/spec/securityContext/fsGroup', value: 2000 },
    ]);
  });
  it('MayRunAs rejects out-of-range values and admits unset', () => {
    const may: PolicyFixtureOverrides = {
      controls: {
        fsGroup: { validate: { rule: 'MayRunAs', ranges: [{ min: 2000, max: 3000 }] } },
        supplementalGroups: { validate: { rule: 'MayRunAs', ranges: [{ min: 2000, max: 3000 }] } },
      },
    };
    expect(evaluate(may, makePod()).allowed).toBe(true);
    const v = evaluate(may, makePod({ securityContext: { fsGroup: 1, supplementalGroups: [2500, 4000] } }));
    expect(paths(v)).toEqual(['spec.securityContext.fsGroup', 'spec.securityContext.supplementalGroups[1]']);
  });
  it('a MustRunAs rule without ranges makes the policy unusable', () => {
    const v = evaluate({ controls: { fsGroup: { validate: { rule: 'MustRunAs', ranges: [] } } } }, makePod());
    expect(v.allowed).toBe(false);
  });
});

describe('seLinux', () => {
  const policy: PolicyFixtureOverrides = {
    controls: {
      seLinux: {
        validate: { rule: 'MustRunAs', options: { level: 's0:c1,c2', type: 'container_t' } },
        defaults: { seLinuxOptions: { level: 's0:c1,c2', type: 'container_t' } },
      },
    },
  };
  it('defaults the options at pod level', () => {
    const v = evaluate(policy, makePod());
    expect(v.allowed).toBe(true);
    expect(v.pod.spec.securityContext?.seLinuxOptions).toEqual({ level: 's0:c1,c2', type: 'container_t' });
    expect(v.pod.spec.containers[0]?.securityContext).toBeUndefined();
  });
  it('compares the level canonically and the rest exactly', () => {
    expect(evaluate(policy, makePod({ securityContext: { seLinuxOptions: { level: 's0:c2,c1', type: 'container_t' } } })).allowed).toBe(true);
    expect(evaluate(policy, makePod({ securityContext: { seLinuxOptions: { level: 's1:c1,c2', type: 'container_t' } } })).allowed).toBe(false);
    const v = evaluate(policy, podWith('initContainers', { securityContext: { seLinuxOptions: { level: 's0:c1,c2', type: 'spc_t' } } }));
    expect(paths(v)).toEqual(['spec.initContainers[0].securityContext.seLinuxOptions.type']);
  });
});

describe('seccomp', () => {
  const allowed = (list: string[] | null, profile?: string): PolicyFixtureOverrides => ({
    controls: { seccomp: { validate: { allowed: list }, defaults: profile ? { profile } : null } },
  });
  it('defaults the pod annotation', () => {
    const v = evaluate(allowed(['runtime/default'], 'runtime/default'), makePod());
    expect(v.allowed).toBe(true);
    expect(v.mutations).toEqual([
      { op: 'add', path: '/metadata/annotations', value: {} },
      { op: 'add', path: '/metadata/annotations/seccomp.security.alpha.kubernetes.io~1pod', value: 'runtime/default' },
    ]);
  });
  it('no allowed list rejects every profile, even the default', () => {
    expect(evaluate(allowed(null), makePod()).allowed).toBe(true);
    expect(evaluate(allowed(null, 'runtime/default'), makePod()).allowed).toBe(false);
    expect(evaluate(allowed(null), podWith('containers', { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } })).reasons[0]?.message).toBe(
      'seccomp may not be set',
    );
  });
  it('an unset profile passes only with * or an empty entry', () => {
    expect(evaluate(allowed(['runtime/default']), makePod()).allowed).toBe(false);
    expect(evaluate(allowed(['runtime/default', '']), makePod()).allowed).toBe(true);
    expect(evaluate(allowed(['*']), makePod()).allowed).toBe(true);
  });
  it('maps seccompProfile fields to annotation names', () => {
    const list = allowed(['runtime/default', 'localhost/profiles/audit.json']);
    expect(evaluate(list, makePod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } } })).allowed).toBe(true);
    expect(evaluate(list, makePod({ securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/audit.json' } } })).allowed).toBe(true);
    const v = evaluate(list, makePod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, ephemeralContainers: [{ name: 'dbg', securityContext: { seccompProfile: { type: 'Unconfined' } } }] }));
    expect(v.reasons).toEqual([expect.objectContaining({ path: 'spec.ephemeralContainers[0].securityContext.seccompProfile' })]);
  });
  it('docker/default and runtime/default are different names', () => {
    expect(evaluate(allowed(['docker/default']), makePod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } } })).allowed).toBe(false);
  });
  it('container annotations override the pod profile', () => {
    const pod = makePod({}, { 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default', 'container.seccomp.security.alpha.kubernetes.io/app': 'unconfined' });
    const v = evaluate(allowed(['runtime/default']), pod);
    expect(paths(v)).toEqual(['metadata.annotations[container.seccomp.security.alpha.kubernetes.io/app]']);
  });
});

describe('AppArmor', () => {
  const policy: PolicyFixtureOverrides = { controls: { appArmor: { validate: { allowed: ['runtime/default'] }, defaults: { profile: 'runtime/default' } } } };
  it('defaults each container annotation, including ephemeral containers', () => {
    const v = evaluate(policy, makePod({ ephemeralContainers: [{ name: 'dbg' }] }));
    expect(v.allowed).toBe(true);
    expect(v.pod.metadata.annotations).toEqual({
      'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default',
      'container.apparmor.security.beta.kubernetes.io/dbg': 'runtime/default',
    });
  });
  it('rejects profiles not listed, from annotations or fields', () => {
    expect(evaluate(policy, makePod({}, { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' })).allowed).toBe(false);
    const v = evaluate(policy, podWith('containers', { securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'x' } } }));
    expect(v.reasons[0]?.message).toContain('localhost/x');
    expect(v.mutated).toBe(false);
  });
  it('no allowed list: any profile; a list without a default requires a profile', () => {
    expect(evaluate({}, makePod({}, { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' })).allowed).toBe(true);
    expect(evaluate({ controls: { appArmor: { validate: { allowed: ['runtime/default'] } } } }, makePod()).allowed).toBe(false);
  });
});

describe('filesystem and escalation', () => {
  it('readOnlyRootFilesystem defaults to true when required and rejects explicit false', () => {
    const policy: PolicyFixtureOverrides = { controls: { readOnlyRootFilesystem: { validate: { required: true }, defaults: { readOnlyRootFilesystem: true } } } };
    expect(evaluate(policy, makePod()).pod.spec.containers[0]?.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(evaluate(policy, podWith('initContainers', { securityContext: { readOnlyRootFilesystem: false } })).allowed).toBe(false);
  });
  it('allowPrivilegeEscalation false defaults false and rejects true', () => {
    const policy: PolicyFixtureOverrides = { controls: { privilegeEscalation: { validate: { allowPrivilegeEscalation: false }, defaults: { allowPrivilegeEscalation: false } } } };
    const v = evaluate(policy, makePod({ initContainers: [{ name: 'i' }] }));
    expect(v.allowed).toBe(true);
    expect(v.mutations.map((m) => m.path)).toEqual([
      '/spec/initContainers/0/securityContext',
      '/spec/initContainers/0/securityContext/allowPrivilegeEscalation',
      '/spec/containers/0/securityContext',
      '/spec/containers/0/securityContext/allowPrivilegeEscalation',
    ]);
    const rejected = evaluate(policy, podWith('ephemeralContainers', { securityContext: { allowPrivilegeEscalation: true } }));
    expect(rejected.reasons).toEqual([
      { policy: 'psp', path: 'spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation', message: 'allowing privilege escalation for containers is not allowed' },
    ]);
  });
  it('defaultAllowPrivilegeEscalation is written even when escalation is allowed', () => {
    const v = evaluate({ controls: { privilegeEscalation: { validate: { allowPrivilegeEscalation: true }, defaults: { allowPrivilegeEscalation: true } } } }, makePod());
    expect(v.pod.spec.containers[0]?.securityContext?.allowPrivilegeEscalation).toBe(true);
  });
});

describe('host namespaces, sysctls, runtime class', () => {
  it('host namespaces', () => {
    const v = evaluate(
      { controls: { hostNamespaces: { validate: { allowHostNetwork: false, allowHostPID: false, allowHostIPC: true } } } },
      makePod({ hostNetwork: true, hostPID: true, hostIPC: true }),
    );
    expect(v.reasons.map((r) => r.message)).toEqual(['host network is not allowed', 'host PID is not allowed']);
  });
  it('sysctls: forbidden first, then the 1.24 safe set, then allowedUnsafe', () => {
    const policy: PolicyFixtureOverrides = { controls: { sysctls: { validate: { forbidden: ['kernel.shm_rmid_forced', 'net.core.*'], allowedUnsafe: ['net.*', 'kernel.msgmax'] } } } };
    const sysctl = (name: string) => makePod({ securityContext: { sysctls: [{ name, value: '1' }] } });
    expect(evaluate(policy, sysctl('kernel.shm_rmid_forced')).reasons[0]?.message).toBe('sysctl "kernel.shm_rmid_forced" is forbidden');
    expect(evaluate(policy, sysctl('net.core.somaxconn')).allowed).toBe(false);
    expect(evaluate(policy, sysctl('net.ipv4.tcp_syncookies')).allowed).toBe(true);
    expect(evaluate(policy, sysctl('net.ipv4.route.min_pmtu')).allowed).toBe(true);
    expect(evaluate(policy, sysctl('kernel.msgmax')).allowed).toBe(true);
    expect(evaluate(policy, sysctl('kernel.msgmnb')).reasons[0]?.message).toBe('unsafe sysctl "kernel.msgmnb" is not allowed');
    const none: PolicyFixtureOverrides = { controls: { sysctls: { validate: { forbidden: [], allowedUnsafe: [] } } } };
    expect(evaluate(none, sysctl('net.ipv4.ip_unprivileged_port_start')).allowed).toBe(true);
    expect(evaluate(none, sysctl('net.ipv4.tcp_keepalive_time')).allowed).toBe(false);
    expect(evaluate({ controls: { sysctls: { validate: { forbidden: ['*'], allowedUnsafe: [] } } } }, sysctl('net.ipv4.tcp_syncookies')).allowed).toBe(false);
  });
  it('runtime class: allowed list, *, default, unset always allowed', () => {
    const listed: PolicyFixtureOverrides = { controls: { runtimeClass: { validate: { allowed: ['gvisor'] } } } };
    expect(evaluate(listed, makePod()).allowed).toBe(true);
    expect(evaluate(listed, makePod({ runtimeClassName: 'gvisor' })).allowed).toBe(true);
    expect(evaluate(listed, makePod({ runtimeClassName: 'kata' })).reasons[0]?.path).toBe('spec.runtimeClassName');
    expect(evaluate({ controls: { runtimeClass: { validate: { allowed: ['*'] } } } }, makePod({ runtimeClassName: 'kata' })).allowed).toBe(true);
    expect(evaluate({ controls: { runtimeClass: { validate: { allowed: [] } } } }, makePod({ runtimeClassName: 'kata' })).allowed).toBe(false);
    const defaulted = evaluate({ controls: { runtimeClass: { validate: { allowed: ['gvisor'] }, defaults: { runtimeClassName: 'gvisor' } } } }, makePod());
    expect(defaulted.pod.spec.runtimeClassName).toBe('gvisor');
  });
});

describe('UPDATE (pod updates, pods/ephemeralcontainers)', () => {
  const restricted: PolicyFixtureOverrides = {
    controls: { privilegeEscalation: { validate: { allowPrivilegeEscalation: false }, defaults: { allowPrivilegeEscalation: false } } },
  };
  it('a policy that would change the pod does not admit it, and the pod stays as it was', () => {
    const pod = makePod({ containers: [{ name: 'a', securityContext: { allowPrivilegeEscalation: false } }], ephemeralContainers: [{ name: 'dbg' }] });
    const v = evaluate(restricted, pod, 'UPDATE');
    expect(v).toMatchObject({ allowed: false, mutated: true });
    expect(v.pod).toEqual(pod);
    expect(paths(v)).toContain('spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation');
  });
  it('a pod that already satisfies the policy is admitted', () => {
    const pod = makePod({ containers: [{ name: 'a', securityContext: { allowPrivilegeEscalation: false } }], ephemeralContainers: [{ name: 'dbg', securityContext: { allowPrivilegeEscalation: false } }] });
    expect(evaluate(restricted, pod, 'UPDATE')).toMatchObject({ allowed: true, mutated: false });
  });
});

describe('JSON patch', () => {
  it('escapes annotation keys and replaces null parents', () => {
    const v = evaluate(
      { controls: { fsGroup: { validate: { rule: 'MustRunAs', ranges: [{ min: 5, max: 5 }] }, defaults: { fsGroup: 5 } } } },
      makePod({ securityContext: null }),
    );
    expect(v.mutations).toEqual([
      { op: 'replace', path: '/spec/securityContext', value: {} },
      { op: 'add', path: '/spec/securityContext/fsGroup', value: 5 },
    ]);
  });
});
