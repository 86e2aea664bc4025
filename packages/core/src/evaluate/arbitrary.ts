/**
 * fast-check generators for property and differential tests: pods that exercise every field a PSP
 * control reads, in every container kind, and PolicyIRs as the API server accepted them.
 *
 * Test-only (imports fast-check, a dev dependency): import it by path from tests, never from the
 * package index.
 */
import fc from 'fast-check';
import { FS_TYPES } from '../schema/psp.js';
import type { PolicyIR, Range } from '../ir/ir.js';
import type { Container, ContainerPort, Pod, PodSecurityContext, ProfileRef, SecurityContext, SELinuxOptions, Volume, VolumeMount } from '../pod/types.js';
import { SAFE_SYSCTLS_1_24, SAFE_SYSCTLS_ADDED_AFTER_1_24 } from './sysctls.js';
import { policyFixture, type PolicyFixtureOverrides } from './test-support.js';

/** Value pools, exported so differential tests can name the same values. */
export const POOLS = {
  capabilities: ['NET_BIND_SERVICE', 'CHOWN', 'NET_RAW', 'SYS_ADMIN', 'ALL', 'KILL', 'SETUID', 'MKNOD', 'SYS_TIME'],
  /** UIDs/GIDs around the edges of the ranges {@link arbitraryPolicy} uses. */
  ids: [0, 1, 2, 100, 999, 1000, 1001, 1999, 2000, 2001, 3000, 65534, 65535, 65536],
  hostPaths: ['/foo', '/foo/', '/foo/bar', '/food', '/fo', '/var/log', '/var/log/app', '/var/lib/docker', '/', '/etc', '/etc/kubernetes'],
  hostPathPrefixes: ['/foo', '/foo/', '/var/log', '/', '/etc'],
  hostPorts: [0, 1, 80, 443, 8000, 8080, 8081, 9000, 65535],
  flexDrivers: ['example/lvm', 'example/cifs'],
  csiDrivers: ['csi.example.com', 'secrets-store.csi.k8s.io'],
  seccompAnnotations: ['runtime/default', 'docker/default', 'unconfined', 'localhost/profiles/audit.json', ''],
  seccompFields: [
    { type: 'RuntimeDefault' },
    { type: 'Unconfined' },
    { type: 'Localhost', localhostProfile: 'profiles/audit.json' },
  ] as ProfileRef[],
  appArmorAnnotations: ['runtime/default', 'localhost/k8s-apparmor-example', 'unconfined', ''],
  appArmorFields: [{ type: 'RuntimeDefault' }, { type: 'Unconfined' }, { type: 'Localhost', localhostProfile: 'k8s-apparmor-example' }] as ProfileRef[],
  seLinuxOptions: [
    { level: 's0:c1,c2' },
    { level: 's0:c2,c1' },
    { level: 's0:c1,c2', type: 'container_t' },
    { type: 'spc_t' },
    { user: 'system_u', role: 'system_r', type: 'container_t', level: 's0:c3' },
  ] as SELinuxOptions[],
  sysctls: [
    ...SAFE_SYSCTLS_1_24,
    ...SAFE_SYSCTLS_ADDED_AFTER_1_24,
    'kernel.msgmax',
    'kernel.shm_rmid_forced',
    'net.core.somaxconn',
    'net.ipv4.route.min_pmtu',
  ],
  sysctlPatterns: ['kernel.msgmax', 'kernel.*', 'net.core.*', 'net.*', '*', 'net.ipv4.tcp_syncookies'],
  runtimeClasses: ['gvisor', 'kata', 'runc'],
  /** Pod volume sources by key (a volume without a source is an emptyDir to the API server). */
  volumeSources: {
    emptyDir: {},
    secret: { secretName: 's' },
    configMap: { name: 'cm' },
    persistentVolumeClaim: { claimName: 'pvc' },
    ephemeral: { volumeClaimTemplate: { spec: {} } },
    projected: { sources: [] },
    downwardAPI: { items: [] },
    nfs: { server: 'nfs.example.com', path: '/exports' },
    cephfs: { monitors: ['10.0.0.1:6789'] },
  } as Record<string, unknown>,
} as const;

const CONTAINER_NAMES = { containers: ['app', 'sidecar'], initContainers: ['init'], ephemeralContainers: ['debugger'] } as const;
const VOLUME_NAMES = ['v0', 'v1', 'v2'];

/** A record whose keys are each present with probability `1 / (1 + absentWeight)` (default 1 in 4), so most pods stay plausible. */
function optionalRecord<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }, absentWeight = 3): fc.Arbitrary<Partial<T>> {
  const sparse: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, arb] of Object.entries(model) as [string, fc.Arbitrary<unknown>][]) {
    sparse[key] = fc.oneof({ arbitrary: fc.constant(undefined), weight: absentWeight }, { arbitrary: arb, weight: 1 });
  }
  return fc.record(sparse).map((r) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(r)) if (value !== undefined) out[key] = value;
    return out as Partial<T>;
  });
}

/** Undefined 3 times in 4. */
function rarely<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: arb, weight: 1 });
}

/** Mostly the permissive value (2 in 3), sometimes a restrictive one: policies that admit something. */
function lean<T>(permissive: T, arb: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: fc.constant(permissive), weight: 2 }, { arbitrary: arb, weight: 1 });
}

const id = fc.constantFrom(...POOLS.ids);
const seLinux = fc.constantFrom(...POOLS.seLinuxOptions).map((o) => ({ ...o }));
const seccompField = fc.constantFrom(...POOLS.seccompFields).map((p) => ({ ...p }));
const appArmorField = fc.constantFrom(...POOLS.appArmorFields).map((p) => ({ ...p }));

const securityContext: fc.Arbitrary<SecurityContext> = optionalRecord<SecurityContext>({
  privileged: fc.boolean(),
  capabilities: optionalRecord<{ add: string[]; drop: string[] }>(
    { add: fc.subarray([...POOLS.capabilities], { maxLength: 2 }), drop: fc.subarray([...POOLS.capabilities], { maxLength: 3 }) },
    1,
  ),
  runAsUser: id,
  runAsGroup: id,
  runAsNonRoot: fc.boolean(),
  readOnlyRootFilesystem: fc.boolean(),
  allowPrivilegeEscalation: fc.boolean(),
  procMount: fc.constantFrom('Default', 'Unmasked'),
  seLinuxOptions: seLinux,
  seccompProfile: seccompField,
  appArmorProfile: appArmorField,
});

const podSecurityContext: fc.Arbitrary<PodSecurityContext> = optionalRecord<PodSecurityContext>({
  runAsUser: id,
  runAsGroup: id,
  runAsNonRoot: fc.boolean(),
  fsGroup: id,
  supplementalGroups: fc.subarray([...POOLS.ids], { maxLength: 3 }),
  seLinuxOptions: seLinux,
  seccompProfile: seccompField,
  appArmorProfile: appArmorField,
  sysctls: fc.subarray([...POOLS.sysctls], { maxLength: 3 }).map((names) => names.map((name) => ({ name, value: '1' }))),
});

const volumeMount: fc.Arbitrary<VolumeMount> = fc.record(
  { name: fc.constantFrom(...VOLUME_NAMES), mountPath: fc.constantFrom('/data', '/logs'), readOnly: fc.boolean() },
  { requiredKeys: ['name', 'mountPath'] },
);

function container(name: string, withPorts: boolean): fc.Arbitrary<Container> {
  const port: fc.Arbitrary<ContainerPort> = fc.record({ containerPort: fc.constant(8080), hostPort: fc.constantFrom(...POOLS.hostPorts) }, { requiredKeys: ['containerPort'] });
  return fc
    .record(
      {
        securityContext: fc.option(securityContext, { nil: undefined, freq: 3 }),
        ports: withPorts ? fc.array(port, { maxLength: 2 }) : fc.constant(undefined),
        volumeMounts: fc.uniqueArray(volumeMount, { maxLength: 2, selector: (m) => m.mountPath }),
      },
      { requiredKeys: [] },
    )
    .map((fields) => {
      const c: Container = { name, image: 'registry.example.com/app:1' };
      for (const [key, value] of Object.entries(fields)) if (value !== undefined) c[key] = value;
      return c;
    });
}

function containers(kind: keyof typeof CONTAINER_NAMES, min: number): fc.Arbitrary<Container[]> {
  const names = CONTAINER_NAMES[kind];
  return fc.integer({ min, max: names.length }).chain((n) => fc.tuple(...names.slice(0, n).map((name) => container(name, kind !== 'ephemeralContainers'))));
}

const volume = (name: string): fc.Arbitrary<Volume> =>
  fc.oneof(
    fc.constantFrom(...POOLS.hostPaths).map((path) => ({ name, hostPath: { path } })),
    fc.constantFrom(...POOLS.flexDrivers).map((driver) => ({ name, flexVolume: { driver } })),
    fc.constantFrom(...POOLS.csiDrivers).map((driver) => ({ name, csi: { driver } })),
    fc.constantFrom(...Object.keys(POOLS.volumeSources)).map((key) => ({ name, [key]: structuredClone(POOLS.volumeSources[key]) })),
    fc.constant({ name }),
  );

/**
 * Pods covering every field a PSP control reads: pod and container security contexts (all three
 * container kinds), host namespaces and ports, volumes of every family (hostPath prefixes such as
 * `/foo` vs `/food`, flex, CSI, ephemeral), seccomp and AppArmor as annotations and fields, sysctls,
 * procMount and runtime classes. Paths never contain `..`: the API server rejects those pods before
 * any policy sees them.
 */
export const arbitraryPod: fc.Arbitrary<Pod> = fc
  .record(
    {
      containers: containers('containers', 1),
      initContainers: containers('initContainers', 0),
      ephemeralContainers: containers('ephemeralContainers', 0),
      volumes: fc.integer({ min: 0, max: VOLUME_NAMES.length }).chain((n) => fc.tuple(...VOLUME_NAMES.slice(0, n).map(volume))),
      securityContext: fc.option(podSecurityContext, { nil: undefined, freq: 3 }),
      hostNetwork: rarely(fc.boolean()),
      hostPID: rarely(fc.boolean()),
      hostIPC: rarely(fc.boolean()),
      runtimeClassName: rarely(fc.constantFrom(...POOLS.runtimeClasses)),
      seccompPod: rarely(fc.constantFrom(...POOLS.seccompAnnotations)),
      seccompContainers: fc.dictionary(fc.constantFrom('app', 'sidecar', 'init', 'debugger'), fc.constantFrom(...POOLS.seccompAnnotations), { maxKeys: 2 }),
      appArmorContainers: fc.dictionary(fc.constantFrom('app', 'sidecar', 'init', 'debugger'), fc.constantFrom(...POOLS.appArmorAnnotations), { maxKeys: 2 }),
    },
    { requiredKeys: ['containers', 'initContainers', 'ephemeralContainers', 'volumes', 'seccompContainers', 'appArmorContainers'] },
  )
  .map((g) => {
    const annotations: Record<string, string> = {};
    if (g.seccompPod !== undefined) annotations['seccomp.security.alpha.kubernetes.io/pod'] = g.seccompPod;
    for (const [name, profile] of Object.entries(g.seccompContainers)) annotations[`container.seccomp.security.alpha.kubernetes.io/${name}`] = profile;
    for (const [name, profile] of Object.entries(g.appArmorContainers)) annotations[`container.apparmor.security.beta.kubernetes.io/${name}`] = profile;
    const spec: Pod['spec'] = { containers: g.containers };
    if (g.initContainers.length > 0) spec.initContainers = g.initContainers;
    if (g.ephemeralContainers.length > 0) spec.ephemeralContainers = g.ephemeralContainers;
    if (g.volumes.length > 0) spec.volumes = g.volumes;
    if (g.securityContext !== undefined) spec.securityContext = g.securityContext;
    if (g.hostNetwork !== undefined) spec.hostNetwork = g.hostNetwork;
    if (g.hostPID !== undefined) spec.hostPID = g.hostPID;
    if (g.hostIPC !== undefined) spec.hostIPC = g.hostIPC;
    if (g.runtimeClassName !== undefined) spec.runtimeClassName = g.runtimeClassName;
    const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod', namespace: 'default' }, spec };
    if (Object.keys(annotations).length > 0) pod.metadata.annotations = annotations;
    return pod;
  });

// ---------------------------------------------------------------------------------------------

const RANGE_SETS: Range[][] = [[{ min: 1000, max: 1999 }], [{ min: 1, max: 65535 }], [{ min: 0, max: 0 }], [{ min: 1000, max: 1000 }, { min: 2000, max: 3000 }]];
const ranges = fc.constantFrom(...RANGE_SETS);

function groupControl() {
  return fc.tuple(fc.constantFrom('MustRunAs', 'MayRunAs', 'RunAsAny') as fc.Arbitrary<'MustRunAs' | 'MayRunAs' | 'RunAsAny'>, ranges).map(([rule, r]) => ({
    rule,
    ranges: rule === 'RunAsAny' ? [] : r,
  }));
}

/** Capabilities in at most one role, as PSP validation required (a required drop is never allowed or added by default). */
const capabilityRoles = fc
  .tuple(...POOLS.capabilities.map(() => fc.constantFrom('none', 'none', 'allowed', 'defaultAdd', 'allowedAndDefault', 'requiredDrop')))
  .map((roles) => {
    const pick = (...wanted: string[]) => POOLS.capabilities.filter((_, i) => wanted.includes(roles[i] as string));
    return { allowed: pick('allowed', 'allowedAndDefault'), defaultAdd: pick('defaultAdd', 'allowedAndDefault'), requiredDrop: pick('requiredDrop') };
  });

/**
 * PolicyIRs as the API server accepted them: MustRunAs rules have ranges, required drops are never
 * allowed or added by default, runtime class defaults are allowed, SELinux MustRunAs has options.
 * Every control is varied; defaults follow from the values exactly as parsing derives them.
 */
export const arbitraryPolicy: fc.Arbitrary<PolicyIR> = fc
  .record({
    name: fc.constantFrom('alpha', 'baseline', 'chown', 'privileged', 'restricted', 'zeta'),
    privileged: lean(true, fc.boolean()),
    hostNetwork: lean(true, fc.boolean()),
    hostPID: lean(true, fc.boolean()),
    hostIPC: lean(true, fc.boolean()),
    hostPorts: lean<Range[]>([{ min: 0, max: 65535 }], fc.constantFrom<Range[]>([{ min: 0, max: 65535 }], [{ min: 80, max: 80 }, { min: 8000, max: 8080 }], [])),
    volumesAny: lean(true, fc.boolean()),
    volumeTypes: fc.subarray(FS_TYPES.filter((t) => t !== '*')),
    hostPaths: lean<{ pathPrefix: string; readOnly: boolean }[]>([], fc.subarray(
      POOLS.hostPathPrefixes.flatMap((pathPrefix) => [
        { pathPrefix, readOnly: false },
        { pathPrefix, readOnly: true },
      ]),
      { maxLength: 3 },
    )),
    flexDrivers: fc.subarray([...POOLS.flexDrivers]),
    csiDrivers: fc.subarray([...POOLS.csiDrivers]),
    readOnlyRoot: lean(false, fc.boolean()),
    allowEscalation: lean(true, fc.boolean()),
    defaultAllowEscalation: rarely(fc.boolean()),
    capsAny: lean(true, fc.boolean()),
    caps: lean({ allowed: [] as string[], defaultAdd: [] as string[], requiredDrop: [] as string[] }, capabilityRoles),
    runAsUser: fc.tuple(fc.constantFrom('MustRunAs', 'MustRunAsNonRoot', 'RunAsAny', 'RunAsAny', 'RunAsAny') as fc.Arbitrary<'MustRunAs' | 'MustRunAsNonRoot' | 'RunAsAny'>, ranges),
    runAsGroup: rarely(groupControl()),
    fsGroup: lean({ rule: 'RunAsAny' as const, ranges: [] as Range[] }, groupControl()),
    supplementalGroups: lean({ rule: 'RunAsAny' as const, ranges: [] as Range[] }, groupControl()),
    seLinux: rarely(seLinux),
    procMount: lean<('Default' | 'Unmasked')[]>(['Default', 'Unmasked'], fc.subarray(['Default', 'Unmasked'] as const)),
    forbiddenSysctls: lean<string[]>([], fc.subarray([...POOLS.sysctlPatterns], { maxLength: 2 })),
    allowedUnsafeSysctls: lean<string[]>(['*'], fc.subarray([...POOLS.sysctlPatterns], { maxLength: 2 })),
    seccompAllowed: lean<string[] | null>(['*'], fc.option(fc.subarray(['*', ...POOLS.seccompAnnotations], { minLength: 1 }), { nil: null })),
    seccompDefault: rarely(fc.constantFrom('runtime/default', 'docker/default', 'localhost/profiles/audit.json')),
    appArmorAllowed: lean<string[] | null>(null, fc.option(fc.subarray(POOLS.appArmorAnnotations.filter((p) => p !== ''), { minLength: 1 }), { nil: null })),
    appArmorDefault: rarely(fc.constantFrom('runtime/default', 'localhost/k8s-apparmor-example')),
    runtimeClassAllowed: lean<string[] | null>(null, fc.option(fc.subarray(['*', ...POOLS.runtimeClasses]), { nil: null })),
    runtimeClassDefault: rarely(fc.constantFrom(...POOLS.runtimeClasses)),
  })
  .map((g) => {
    const [userRule, userRanges] = g.runAsUser;
    const groupDefaults = (c: { rule: string; ranges: Range[] }) => (c.rule === 'MustRunAs' ? (c.ranges[0] as Range).min : undefined);
    const escalationDefault = g.defaultAllowEscalation ?? (g.allowEscalation ? undefined : false);
    const runtimeDefault =
      g.runtimeClassAllowed !== null && g.runtimeClassDefault !== undefined && (g.runtimeClassAllowed.includes('*') || g.runtimeClassAllowed.includes(g.runtimeClassDefault))
        ? g.runtimeClassDefault
        : undefined;
    const fs = groupDefaults(g.fsGroup);
    const sup = groupDefaults(g.supplementalGroups);
    const gid = g.runAsGroup ? groupDefaults(g.runAsGroup) : undefined;
    const overrides: PolicyFixtureOverrides = {
      name: g.name,
      controls: {
        privileged: { validate: { allowPrivileged: g.privileged } },
        hostNamespaces: { validate: { allowHostNetwork: g.hostNetwork, allowHostPID: g.hostPID, allowHostIPC: g.hostIPC } },
        hostPorts: { validate: { ranges: g.hostPorts } },
        volumes: { validate: { anyType: g.volumesAny, allowedTypes: g.volumeTypes } },
        hostPaths: { validate: { allowed: g.hostPaths } },
        flexVolumeDrivers: { validate: { allowedDrivers: g.flexDrivers } },
        csiDrivers: { validate: { allowedDrivers: g.csiDrivers } },
        readOnlyRootFilesystem: { validate: { required: g.readOnlyRoot }, defaults: g.readOnlyRoot ? { readOnlyRootFilesystem: true } : null },
        privilegeEscalation: {
          validate: { allowPrivilegeEscalation: g.allowEscalation },
          defaults: escalationDefault === undefined ? null : { allowPrivilegeEscalation: escalationDefault },
        },
        capabilities: {
          validate: { allowAny: g.capsAny, allowed: g.caps.allowed, requiredDrop: g.caps.requiredDrop },
          defaults: g.caps.defaultAdd.length + g.caps.requiredDrop.length > 0 ? { add: g.caps.defaultAdd, drop: g.caps.requiredDrop } : null,
        },
        runAsUser: {
          validate: { rule: userRule, ranges: userRule === 'MustRunAs' ? userRanges : [] },
          defaults:
            userRule === 'MustRunAs' ? { runAsUser: (userRanges[0] as Range).min } : userRule === 'MustRunAsNonRoot' ? { runAsNonRoot: true } : null,
        },
        runAsGroup: {
          validate: g.runAsGroup ? { specified: true, ...g.runAsGroup } : { specified: false, rule: 'RunAsAny', ranges: [] },
          defaults: gid === undefined ? null : { runAsGroup: gid },
        },
        fsGroup: { validate: g.fsGroup, defaults: fs === undefined ? null : { fsGroup: fs } },
        supplementalGroups: { validate: g.supplementalGroups, defaults: sup === undefined ? null : { supplementalGroups: [sup] } },
        seLinux: g.seLinux
          ? { validate: { rule: 'MustRunAs', options: g.seLinux }, defaults: { seLinuxOptions: g.seLinux } }
          : { validate: { rule: 'RunAsAny', options: null }, defaults: null },
        procMount: { validate: { allowed: g.procMount } },
        sysctls: { validate: { forbidden: g.forbiddenSysctls, allowedUnsafe: g.allowedUnsafeSysctls } },
        seccomp: { validate: { allowed: g.seccompAllowed }, defaults: g.seccompDefault ? { profile: g.seccompDefault } : null },
        appArmor: { validate: { allowed: g.appArmorAllowed }, defaults: g.appArmorDefault ? { profile: g.appArmorDefault } : null },
        runtimeClass: {
          validate: { allowed: g.runtimeClassAllowed },
          defaults: runtimeDefault === undefined ? null : { runtimeClassName: runtimeDefault },
        },
      },
    };
    return policyFixture(overrides);
  });

/** Sets of candidate policies with distinct names (PSP names are unique), 0 to `maxLength`. */
export function arbitraryCandidates(maxLength = 4): fc.Arbitrary<PolicyIR[]> {
  return fc.uniqueArray(arbitraryPolicy, { maxLength, selector: (p) => p.name });
}

/** fast-check parameters every property test uses: a fixed seed unless PSP_TRANSLATE_FUZZ=random. */
export function fuzzParameters(numRuns: number): fc.Parameters<unknown> {
  if (process.env['PSP_TRANSLATE_FUZZ'] === 'random') return { numRuns: numRuns * 10 };
  return { numRuns, seed: Number(process.env['PSP_TRANSLATE_FUZZ_SEED'] ?? 42) };
}
