import { describe, expect, test } from 'vitest';
import { CONTAINER_KINDS, CONTROL_KINDS, type ContainerKind, type ControlKind, type PolicyIR } from '../ir/ir.js';
import type { Container, Pod, PodSpec } from '../pod/types.js';
import { evaluatePolicy } from '../evaluate/evaluate.js';
import { policyFixture, type PolicyFixtureOverrides } from '../evaluate/test-support.js';
import { celControls, controlDefinitions, evaluateCel, policyControlExpressions, policyParams } from './index.js';

type Controls = NonNullable<PolicyFixtureOverrides['controls']>;

/** A pod whose `kind` list holds `container`; other lists hold nothing but a plain main container. */
function podWith(
  kind: ContainerKind,
  container: Partial<Container>,
  pod: { spec?: Partial<PodSpec>; annotations?: Record<string, string> } = {},
  main: Partial<Container> = {},
): Pod {
  const subject: Container = { name: 'subject', image: 'busybox', ...container };
  const spec: PodSpec = { containers: kind === 'containers' ? [subject] : [{ name: 'main', image: 'busybox', ...main }], ...pod.spec };
  if (kind !== 'containers') spec[kind] = [subject];
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', annotations: pod.annotations ?? {} }, spec };
}

/** CEL of every control of the policy, params bound, on `pod`. */
function celWithParams(policy: PolicyIR, pod: Pod): boolean {
  const params = policyParams(policy);
  return CONTROL_KINDS.every(
    (kind) => evaluateCel(celControls[kind].admits({ params: 'params', object: 'object' }), { object: pod, params: params[kind] }) === true,
  );
}

/**
 * The CEL verdict on `pod` (validation of a defaulted pod), checked three ways: params bound, params
 * inlined, and against the reference evaluator on the pod it defaulted.
 */
function decide(controls: Controls, pod: Pod): boolean {
  const policy = policyFixture({ name: 'p', controls });
  const viaParams = celWithParams(policy, pod);
  const inline = policyControlExpressions(policy, { object: 'object' });
  const viaInline = inline.every((c) => evaluateCel(c.admits, { object: pod }) === true);
  expect(viaInline).toBe(viaParams);
  // The message names a failure exactly when the pod is rejected.
  const messages = inline.map((c) => evaluateCel(c.message, { object: pod }) as string);
  expect(messages.some((m) => m !== '')).toBe(!viaParams);
  // PSP validated the pod after its defaults: on that pod, CEL and the oracle agree.
  const oracle = evaluatePolicy(policy, pod);
  expect(celWithParams(policy, oracle.pod)).toBe(oracle.allowed);
  return viaParams;
}

interface ContainerCase {
  name: string;
  controls: Controls;
  pass: Partial<Container>[];
  fail: Partial<Container>[];
  pod?: { spec?: Partial<PodSpec>; annotations?: Record<string, string> };
}

const containerCases: ContainerCase[] = [
  {
    name: 'privileged',
    controls: { privileged: { validate: { allowPrivileged: false } } },
    pass: [{}, { securityContext: { privileged: false } }],
    fail: [{ securityContext: { privileged: true } }],
  },
  {
    name: 'hostPorts',
    controls: { hostPorts: { validate: { ranges: [{ min: 8000, max: 8080 }] } } },
    pass: [{}, { ports: [{ containerPort: 80 }] }, { ports: [{ containerPort: 80, hostPort: 8000 }, { containerPort: 1, hostPort: 0 }] }],
    fail: [{ ports: [{ containerPort: 80, hostPort: 8000 }, { containerPort: 90, hostPort: 8081 }] }],
  },
  {
    name: 'readOnlyRootFilesystem',
    controls: { readOnlyRootFilesystem: { validate: { required: true } } },
    pass: [{ securityContext: { readOnlyRootFilesystem: true } }],
    fail: [{}, { securityContext: { readOnlyRootFilesystem: false } }],
  },
  {
    name: 'privilegeEscalation',
    controls: { privilegeEscalation: { validate: { allowPrivilegeEscalation: false } } },
    pass: [{ securityContext: { allowPrivilegeEscalation: false } }],
    fail: [{}, { securityContext: { allowPrivilegeEscalation: true } }],
  },
  {
    name: 'capabilities add',
    controls: { capabilities: { validate: { allowAny: false, allowed: ['NET_BIND_SERVICE'], requiredDrop: [] }, defaults: { add: ['CHOWN'], drop: [] } } },
    pass: [{ securityContext: { capabilities: { add: ['NET_BIND_SERVICE', 'CHOWN'] } } }],
    fail: [{}, { securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }],
  },
  {
    name: 'capabilities requiredDrop',
    controls: { capabilities: { validate: { allowAny: false, allowed: [], requiredDrop: ['NET_RAW'] }, defaults: { add: [], drop: ['NET_RAW'] } } },
    pass: [{ securityContext: { capabilities: { drop: ['NET_RAW', 'KILL'] } } }],
    fail: [{ securityContext: { capabilities: { drop: ['ALL'] } } }, { securityContext: { capabilities: {} } }],
  },
  {
    name: 'runAsUser MustRunAs (pod level counts)',
    controls: { runAsUser: { validate: { rule: 'MustRunAs', ranges: [{ min: 1000, max: 2000 }] } } },
    pass: [{ securityContext: { runAsUser: 1000 } }],
    fail: [{ securityContext: { runAsUser: 999 } }, { securityContext: { runAsUser: 2001 } }],
    pod: { spec: { securityContext: { runAsUser: 1500 } } },
  },
  {
    name: 'runAsUser MustRunAsNonRoot',
    controls: { runAsUser: { validate: { rule: 'MustRunAsNonRoot', ranges: [] } } },
    pass: [{ securityContext: { runAsNonRoot: true } }, { securityContext: { runAsUser: 1 } }],
    fail: [{}, { securityContext: { runAsUser: 0 } }, { securityContext: { runAsNonRoot: false, runAsUser: 5 } }, { securityContext: { runAsNonRoot: true, runAsUser: 0 } }],
  },
  {
    name: 'runAsGroup MayRunAs',
    controls: { runAsGroup: { validate: { specified: true, rule: 'MayRunAs', ranges: [{ min: 100, max: 200 }] } } },
    pass: [{}, { securityContext: { runAsGroup: 150 } }],
    fail: [{ securityContext: { runAsGroup: 0 } }],
  },
  {
    name: 'runAsGroup MustRunAs',
    controls: { runAsGroup: { validate: { specified: true, rule: 'MustRunAs', ranges: [{ min: 100, max: 200 }] } } },
    pass: [{ securityContext: { runAsGroup: 100 } }],
    fail: [{}, { securityContext: { runAsGroup: 201 } }],
  },
  {
    name: 'seLinux MustRunAs (categories in any order)',
    controls: { seLinux: { validate: { rule: 'MustRunAs', options: { type: 'container_t', level: 's0:c1,c2' } } } },
    // A container without options inherits the pod's.
    pass: [{ securityContext: { seLinuxOptions: { type: 'container_t', level: 's0:c2,c1' } } }, {}],
    fail: [
      { securityContext: { seLinuxOptions: { type: 'container_t', level: 's0:c1' } } },
      { securityContext: { seLinuxOptions: { type: 'spc_t', level: 's0:c1,c2' } } },
      { securityContext: { seLinuxOptions: { type: 'container_t', level: 's0:c1,c2', user: 'u' } } },
      { securityContext: { seLinuxOptions: { type: 'container_t', level: 's0:c1,c1' } } },
      { securityContext: { seLinuxOptions: { type: 'container_t', level: 's1:c1,c2' } } },
    ],
    pod: { spec: { securityContext: { seLinuxOptions: { type: 'container_t', level: 's0:c1,c2' } } } },
  },
  {
    name: 'procMount',
    controls: { procMount: { validate: { allowed: [] } } },
    pass: [{}, { securityContext: { procMount: 'Default' } }],
    fail: [{ securityContext: { procMount: 'Unmasked' } }],
  },
  {
    name: 'seccomp allowed list',
    controls: { seccomp: { validate: { allowed: ['runtime/default'] } } },
    pass: [{ securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }],
    fail: [{}, { securityContext: { seccompProfile: { type: 'Unconfined' } } }],
    pod: { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default', 'container.seccomp.security.alpha.kubernetes.io/subject': 'unconfined' } },
  },
  {
    name: 'seccomp no list: nothing may be set',
    controls: { seccomp: { validate: { allowed: null } } },
    pass: [{}],
    fail: [{ securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'x.json' } } }],
  },
  {
    name: 'appArmor',
    controls: { appArmor: { validate: { allowed: ['runtime/default'] } } },
    pass: [{ securityContext: { appArmorProfile: { type: 'RuntimeDefault' } } }],
    fail: [{}, { securityContext: { appArmorProfile: { type: 'Unconfined' } } }],
  },
  {
    name: 'hostPath read-only mounts',
    controls: { hostPaths: { validate: { allowed: [{ pathPrefix: '/var/log', readOnly: true }] } } },
    pass: [{}, { volumeMounts: [{ name: 'logs', mountPath: '/l', readOnly: true }] }],
    fail: [{ volumeMounts: [{ name: 'logs', mountPath: '/l' }] }],
    pod: { spec: { volumes: [{ name: 'logs', hostPath: { path: '/var/log/app' } }] } },
  },
];

describe('container-level controls reject a bad container in every container kind', () => {
  for (const c of containerCases) {
    for (const kind of CONTAINER_KINDS) {
      test(`${c.name} in ${kind}`, () => {
        // The other lists' main container is a passing one, so only the subject decides.
        const main = c.pass[0] ?? {};
        for (const container of c.pass) expect(decide(c.controls, podWith(kind, container, c.pod, main)), JSON.stringify(container)).toBe(true);
        for (const container of c.fail) expect(decide(c.controls, podWith(kind, container, c.pod, main)), JSON.stringify(container)).toBe(false);
      });
    }
  }
});

interface PodCase {
  name: string;
  controls: Controls;
  pass: { spec?: Partial<PodSpec>; annotations?: Record<string, string> }[];
  fail: { spec?: Partial<PodSpec>; annotations?: Record<string, string> }[];
}

const podCases: PodCase[] = [
  {
    name: 'hostNamespaces',
    controls: { hostNamespaces: { validate: { allowHostNetwork: false, allowHostPID: true, allowHostIPC: false } } },
    pass: [{}, { spec: { hostPID: true, hostNetwork: false } }],
    fail: [{ spec: { hostNetwork: true } }, { spec: { hostIPC: true } }],
  },
  {
    name: 'volumes',
    controls: { volumes: { validate: { anyType: false, allowedTypes: ['configMap', 'cephFS', 'emptyDir'] } } },
    pass: [{}, { spec: { volumes: [{ name: 'a', configMap: { name: 'c' } }, { name: 'b', cephfs: { monitors: [] } }, { name: 'c' }] } }],
    fail: [{ spec: { volumes: [{ name: 'a', secret: { secretName: 's' } }] } }, { spec: { volumes: [{ name: 'a', image: { reference: 'x' } }] } }],
  },
  {
    name: 'volumes * still rejects unknown sources',
    controls: { volumes: { validate: { anyType: true, allowedTypes: [] } } },
    pass: [{ spec: { volumes: [{ name: 'a', hostPath: { path: '/x' } }] } }],
    fail: [{ spec: { volumes: [{ name: 'a', image: { reference: 'x' } }] } }],
  },
  {
    name: 'hostPaths prefixes are segment-wise',
    controls: { hostPaths: { validate: { allowed: [{ pathPrefix: '/foo', readOnly: false }, { pathPrefix: '/bar/', readOnly: false }] } } },
    pass: [
      { spec: { volumes: [{ name: 'a', hostPath: { path: '/foo' } }] } },
      { spec: { volumes: [{ name: 'a', hostPath: { path: '/foo/' } }] } },
      { spec: { volumes: [{ name: 'a', hostPath: { path: '/foo/x/y' } }] } },
      { spec: { volumes: [{ name: 'a', hostPath: { path: '/bar' } }] } },
      { spec: { volumes: [{ name: 'a', emptyDir: {} }] } },
    ],
    fail: [
      { spec: { volumes: [{ name: 'a', hostPath: { path: '/food' } }] } },
      { spec: { volumes: [{ name: 'a', hostPath: { path: '/fo' } }] } },
      { spec: { volumes: [{ name: 'a', hostPath: { path: '/foo/../etc' } }] } },
      { spec: { volumes: [{ name: 'a', hostPath: { path: '/' } }] } },
    ],
  },
  {
    name: 'flexVolume drivers',
    controls: { flexVolumeDrivers: { validate: { allowedDrivers: ['example/lvm'] } } },
    pass: [{ spec: { volumes: [{ name: 'a', flexVolume: { driver: 'example/lvm' } }] } }],
    fail: [{ spec: { volumes: [{ name: 'a', flexVolume: { driver: 'example/cifs' } }] } }],
  },
  {
    name: 'CSI drivers',
    controls: { csiDrivers: { validate: { allowedDrivers: ['csi.example.com'] } } },
    pass: [{ spec: { volumes: [{ name: 'a', csi: { driver: 'csi.example.com' } }] } }],
    fail: [{ spec: { volumes: [{ name: 'a', csi: { driver: 'other' } }] } }],
  },
  {
    name: 'supplementalGroups MustRunAs',
    controls: { supplementalGroups: { validate: { rule: 'MustRunAs', ranges: [{ min: 10, max: 20 }] } } },
    pass: [{ spec: { securityContext: { supplementalGroups: [10, 20] } } }],
    fail: [{}, { spec: { securityContext: { supplementalGroups: [10, 21] } } }],
  },
  {
    name: 'fsGroup MayRunAs',
    controls: { fsGroup: { validate: { rule: 'MayRunAs', ranges: [{ min: 10, max: 20 }] } } },
    pass: [{}, { spec: { securityContext: { fsGroup: 15 } } }],
    fail: [{ spec: { securityContext: { fsGroup: 0 } } }],
  },
  {
    name: 'fsGroup MayRunAs without ranges makes the policy unusable',
    controls: { fsGroup: { validate: { rule: 'MayRunAs', ranges: [] } } },
    pass: [],
    fail: [{}],
  },
  {
    name: 'sysctls',
    controls: { sysctls: { validate: { forbidden: ['kernel.shm_rmid_forced', 'net.core.*'], allowedUnsafe: ['kernel.msg*'] } } },
    pass: [{ spec: { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_syncookies', value: '1' }, { name: 'kernel.msgmax', value: '1' }] } } }],
    fail: [
      { spec: { securityContext: { sysctls: [{ name: 'kernel.shm_rmid_forced', value: '1' }] } } },
      { spec: { securityContext: { sysctls: [{ name: 'net.core.somaxconn', value: '1' }] } } },
      { spec: { securityContext: { sysctls: [{ name: 'net.ipv4.tcp_keepalive_time', value: '1' }] } } },
    ],
  },
  {
    name: 'seccomp pod level is checked too',
    controls: { seccomp: { validate: { allowed: ['runtime/default'] } } },
    pass: [{ annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default' } }],
    fail: [
      { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined', 'container.seccomp.security.alpha.kubernetes.io/main': 'runtime/default' } },
    ],
  },
  {
    name: 'runtimeClass',
    controls: { runtimeClass: { validate: { allowed: ['gvisor'] } } },
    pass: [{}, { spec: { runtimeClassName: 'gvisor' } }],
    fail: [{ spec: { runtimeClassName: 'runc' } }],
  },
];

describe('pod-level controls', () => {
  for (const c of podCases) {
    test(c.name, () => {
      for (const pod of c.pass) expect(decide(c.controls, podWith('containers', {}, pod)), JSON.stringify(pod)).toBe(true);
      for (const pod of c.fail) expect(decide(c.controls, podWith('containers', {}, pod)), JSON.stringify(pod)).toBe(false);
    });
  }
});

describe('static code', () => {
  test('every control has rules, and its CEL holds no value of a particular policy', () => {
    const loose = policyParams(policyFixture());
    for (const kind of CONTROL_KINDS) {
      const definition = controlDefinitions[kind as ControlKind];
      expect(definition.rules.length).toBeGreaterThan(0);
      expect(definition.params.safeParse(loose[kind]).success).toBe(true);
      const cel = celControls[kind].admits({ params: 'params', object: 'object' });
      expect(cel).not.toMatch(/\b(1000|8080|gvisor|NET_RAW)\b/);
    }
  });

  test('messages name the control, container kind, container and field', () => {
    const policy = policyFixture({ controls: { privileged: { validate: { allowPrivileged: false } } } });
    const [control] = policyControlExpressions(policy, { object: 'object' });
    const pod = podWith('ephemeralContainers', { name: 'debugger', securityContext: { privileged: true } });
    expect(evaluateCel(control?.message ?? '', { object: pod })).toBe(
      'privileged: spec.ephemeralContainers[debugger].securityContext.privileged: privileged containers are not allowed',
    );
  });

  test('params can come from any CEL expression, e.g. variables.params or an inline literal', () => {
    const pod = podWith('initContainers', { securityContext: { privileged: true } });
    const cel = celControls.privileged.admits({ params: 'variables.params', object: 'request.object' });
    expect(evaluateCel(cel, { variables: { params: { allowPrivileged: false } }, request: { object: pod } })).toBe(false);
    expect(evaluateCel(cel, { variables: { params: { allowPrivileged: true } }, request: { object: pod } })).toBe(true);
    const inline = celControls.privileged.admits({ params: '{"allowPrivileged": false}', object: 'object' });
    expect(evaluateCel(inline, { object: pod })).toBe(false);
  });
});
