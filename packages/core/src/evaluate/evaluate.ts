/**
 * The reference evaluator: one PodSecurityPolicy against one pod, deciding exactly what the
 * Kubernetes 1.24 PSP admission controller decided (provider.go and its strategies): apply the
 * policy's defaults (pod level, then every container), then validate the defaulted pod.
 */
import type { PolicyIR, Range } from '../ir/ir.js';
import type { Container, PodSecurityContext, Pod, ProfileRef, SecurityContext, SELinuxOptions } from '../pod/types.js';
import { hostPathAllowed } from './host-path.js';
import { PodDraft } from './pod-draft.js';
import {
  APPARMOR_CONTAINER_ANNOTATION_PREFIX,
  SECCOMP_CONTAINER_ANNOTATION_PREFIX,
  SECCOMP_POD_ANNOTATION,
  appArmorAnnotationForField,
  seccompAnnotationForField,
  selinuxLevelsEqual,
} from './profiles.js';
import { classifySysctl } from './sysctls.js';
import type { EvaluateOptions, JsonPatchOp, PolicyVerdict, Reason } from './types.js';
import { volumeFsType } from './volumes.js';

/** Container lists in the order PSP visited them (init containers first). */
const VISIT_ORDER = ['initContainers', 'containers', 'ephemeralContainers'] as const;

type Controls = PolicyIR['controls'];

/** Per-policy data computed once (sets instead of lists), cached by policy object. */
interface CompiledPolicy {
  name: string;
  controls: Controls;
  /** Whether any container-level default exists (else the per-container defaulting pass is skipped). */
  containerDefaults: boolean;
  /** Why PSP could not build a provider for this policy (it was then never usable). */
  problems: string[];
  capabilitiesAllowed: ReadonlySet<string>;
  capabilitiesDefaultAdd: readonly string[];
  capabilitiesRequiredDrop: readonly string[];
  seccompAllowAny: boolean;
  /** Allowed seccomp profiles without `*`; empty for no list at all. */
  seccompAllowed: ReadonlySet<string>;
  appArmorAllowed: ReadonlySet<string> | null;
  procMountAllowed: ReadonlySet<string>;
  runtimeClassAnyName: boolean;
  runtimeClassAllowed: ReadonlySet<string> | null;
}

const compiledCache = new WeakMap<PolicyIR, CompiledPolicy>();

function compile(policy: PolicyIR): CompiledPolicy {
  const cached = compiledCache.get(policy);
  if (cached) return cached;
  const c = policy.controls;
  const problems: string[] = [];
  const needRanges = (field: string, rule: string, ranges: readonly Range[]) => {
    if ((rule === 'MustRunAs' || rule === 'MayRunAs') && ranges.length === 0) {
      problems.push(`spec.${field}: rule ${rule} requires at least one range`);
    }
  };
  needRanges('runAsUser', c.runAsUser.validate.rule, c.runAsUser.validate.ranges);
  if (c.runAsGroup.validate.specified) needRanges('runAsGroup', c.runAsGroup.validate.rule, c.runAsGroup.validate.ranges);
  needRanges('fsGroup', c.fsGroup.validate.rule, c.fsGroup.validate.ranges);
  needRanges('supplementalGroups', c.supplementalGroups.validate.rule, c.supplementalGroups.validate.ranges);
  if (c.seLinux.validate.rule === 'MustRunAs' && c.seLinux.validate.options === null) {
    problems.push('spec.seLinux: rule MustRunAs requires seLinuxOptions');
  }
  const defaultAdd = c.capabilities.defaults?.add ?? [];
  const seccompList = c.seccomp.validate.allowed ?? [];
  const runtimeList = c.runtimeClass.validate.allowed;
  const compiled: CompiledPolicy = {
    name: policy.name,
    controls: c,
    problems,
    containerDefaults:
      c.runAsUser.defaults !== null ||
      c.runAsUser.validate.rule === 'MustRunAsNonRoot' ||
      c.runAsGroup.defaults !== null ||
      c.seLinux.defaults !== null ||
      (c.appArmor.defaults?.profile ?? '') !== '' ||
      defaultAdd.length > 0 ||
      c.capabilities.validate.requiredDrop.length > 0 ||
      (c.capabilities.defaults?.drop.length ?? 0) > 0 ||
      c.readOnlyRootFilesystem.defaults !== null ||
      c.privilegeEscalation.defaults !== null,
    capabilitiesAllowed: new Set([...c.capabilities.validate.allowed, ...defaultAdd]),
    capabilitiesDefaultAdd: defaultAdd,
    capabilitiesRequiredDrop: c.capabilities.validate.requiredDrop,
    seccompAllowAny: seccompList.includes('*'),
    seccompAllowed: new Set(seccompList.filter((p) => p !== '*')),
    appArmorAllowed: c.appArmor.validate.allowed === null ? null : new Set(c.appArmor.validate.allowed),
    procMountAllowed: new Set(c.procMount.validate.allowed.length > 0 ? c.procMount.validate.allowed : ['Default']),
    runtimeClassAnyName: runtimeList?.includes('*') ?? false,
    runtimeClassAllowed: runtimeList === null ? null : new Set(runtimeList),
  };
  compiledCache.set(policy, compiled);
  return compiled;
}

// ---------------------------------------------------------------------------------------------
// Reading a pod

function containersOf(pod: Pod, kind: (typeof VISIT_ORDER)[number]): readonly Container[] {
  return pod.spec[kind] ?? [];
}

/** Per-container annotation keys, built once per container name rather than per evaluation. */
const appArmorKeys = new Map<string, string>();
const seccompKeys = new Map<string, string>();
function keyFor(cache: Map<string, string>, prefix: string, name: string): string {
  let key = cache.get(name);
  if (key === undefined) {
    key = prefix + name;
    if (cache.size < 10_000) cache.set(name, key);
  }
  return key;
}

function annotation(pod: Pod, key: string): string | undefined {
  const value = pod.metadata.annotations?.[key];
  return typeof value === 'string' ? value : undefined;
}

function isSet<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}

/** The pod's seccomp profile in annotation form: the annotation if non-empty, else the field. */
function podSeccompProfile(pod: Pod): { profile: string; path: string } {
  const fromAnnotation = annotation(pod, SECCOMP_POD_ANNOTATION) ?? '';
  if (fromAnnotation !== '') return { profile: fromAnnotation, path: `metadata.annotations[${SECCOMP_POD_ANNOTATION}]` };
  const field = pod.spec.securityContext?.seccompProfile;
  if (isSet(field)) return { profile: seccompAnnotationForField(field), path: 'spec.securityContext.seccompProfile' };
  return { profile: '', path: `metadata.annotations[${SECCOMP_POD_ANNOTATION}]` };
}

/** A container's seccomp profile: its field, else its annotation (even empty), else the pod's. */
function containerSeccompProfile(pod: Pod, container: Container, containerPath: string): { profile: string; path: string } {
  const field = container.securityContext?.seccompProfile;
  if (isSet(field)) return { profile: seccompAnnotationForField(field), path: `${containerPath}.securityContext.seccompProfile` };
  const key = keyFor(seccompKeys, SECCOMP_CONTAINER_ANNOTATION_PREFIX, container.name);
  const fromAnnotation = annotation(pod, key);
  if (fromAnnotation !== undefined) return { profile: fromAnnotation, path: `metadata.annotations[${key}]` };
  return podSeccompProfile(pod);
}

/**
 * A container's AppArmor profile in annotation form. PSP (1.24) read only the annotation; the
 * `appArmorProfile` fields (1.30+, container then pod) count when the annotation is absent, as the API
 * server of those versions copies them into the annotation.
 */
function containerAppArmorProfile(pod: Pod, container: Container): string {
  const fromAnnotation = annotation(pod, keyFor(appArmorKeys, APPARMOR_CONTAINER_ANNOTATION_PREFIX, container.name)) ?? '';
  if (fromAnnotation !== '') return fromAnnotation;
  const field: ProfileRef | null | undefined = container.securityContext?.appArmorProfile ?? pod.spec.securityContext?.appArmorProfile;
  return isSet(field) ? appArmorAnnotationForField(field) : '';
}

// ---------------------------------------------------------------------------------------------
// Defaulting (MutatePod)

/**
 * Apply the policy's defaults to the draft in PSP's order: supplementalGroups, fsGroup, seLinuxOptions,
 * seccomp annotation, runtimeClassName; then per container (init, regular, ephemeral): runAsUser,
 * runAsGroup, seLinuxOptions, AppArmor annotation, runAsNonRoot, capabilities, readOnlyRootFilesystem,
 * allowPrivilegeEscalation. A field counts as set when the container or (for the user, group,
 * non-root and SELinux fields) the pod sets it.
 */
function applyDefaults(p: CompiledPolicy, draft: PodDraft): void {
  const c = p.controls;
  const podSC = (): PodSecurityContext | null | undefined => draft.pod.spec.securityContext;

  // A nil list is defaulted. We also default an empty list, as the API server sees it when the pod
  // arrives over protobuf (every controller-created pod); JSON `[]` from kubectl was not defaulted.
  const supplemental = c.supplementalGroups.defaults;
  const groups = podSC()?.supplementalGroups;
  if (supplemental && (!isSet(groups) || groups.length === 0)) {
    draft.set(['spec', 'securityContext', 'supplementalGroups'], [...supplemental.supplementalGroups]);
  }
  if (c.fsGroup.defaults && !isSet(podSC()?.fsGroup)) {
    draft.set(['spec', 'securityContext', 'fsGroup'], c.fsGroup.defaults.fsGroup);
  }
  if (c.seLinux.defaults && !isSet(podSC()?.seLinuxOptions)) {
    draft.set(['spec', 'securityContext', 'seLinuxOptions'], seLinuxValue(c.seLinux.defaults.seLinuxOptions));
  }
  // Generate: a set pod annotation stays; else the pod's seccompProfile field, translated; else the default.
  if ((annotation(draft.pod, SECCOMP_POD_ANNOTATION) ?? '') === '') {
    const field = podSC()?.seccompProfile;
    const profile = isSet(field) ? seccompAnnotationForField(field) : (c.seccomp.defaults?.profile ?? '');
    if (profile !== '') draft.set(['metadata', 'annotations', SECCOMP_POD_ANNOTATION], profile);
  }
  if (c.runtimeClass.defaults && !isSet(draft.pod.spec.runtimeClassName)) {
    draft.set(['spec', 'runtimeClassName'], c.runtimeClass.defaults.runtimeClassName);
  }

  if (!p.containerDefaults) return;
  for (const kind of VISIT_ORDER) {
    const count = containersOf(draft.pod, kind).length;
    for (let i = 0; i < count; i++) {
      const container = (): Container => containersOf(draft.pod, kind)[i] as Container;
      const sc = (): SecurityContext | null | undefined => container().securityContext;
      let target: ReturnType<PodDraft['at']> | undefined;
      const set = (field: string, value: unknown) => {
        target ??= draft.at(['spec', kind, i, 'securityContext']);
        draft.put(target, field, value);
      };

      const userDefault = c.runAsUser.defaults;
      if (userDefault && 'runAsUser' in userDefault && !isSet(sc()?.runAsUser ?? podSC()?.runAsUser)) {
        set('runAsUser', userDefault.runAsUser);
      }
      if (c.runAsGroup.defaults && !isSet(sc()?.runAsGroup ?? podSC()?.runAsGroup)) {
        set('runAsGroup', c.runAsGroup.defaults.runAsGroup);
      }
      if (c.seLinux.defaults && !isSet(sc()?.seLinuxOptions ?? podSC()?.seLinuxOptions)) {
        set('seLinuxOptions', seLinuxValue(c.seLinux.defaults.seLinuxOptions));
      }
      const appArmorDefault = c.appArmor.defaults?.profile ?? '';
      if (appArmorDefault !== '' && containerAppArmorProfile(draft.pod, container()) === '') {
        draft.set(['metadata', 'annotations', keyFor(appArmorKeys, APPARMOR_CONTAINER_ANNOTATION_PREFIX, container().name)], appArmorDefault);
      }
      if (
        c.runAsUser.validate.rule === 'MustRunAsNonRoot' &&
        !isSet(sc()?.runAsNonRoot ?? podSC()?.runAsNonRoot) &&
        !isSet(sc()?.runAsUser ?? podSC()?.runAsUser)
      ) {
        set('runAsNonRoot', true);
      }
      const capabilities = generateCapabilities(p, sc()?.capabilities);
      if (capabilities) set('capabilities', capabilities);
      if (c.readOnlyRootFilesystem.defaults && !isSet(sc()?.readOnlyRootFilesystem)) {
        set('readOnlyRootFilesystem', true);
      }
      if (c.privilegeEscalation.defaults && !isSet(sc()?.allowPrivilegeEscalation)) {
        set('allowPrivilegeEscalation', c.privilegeEscalation.defaults.allowPrivilegeEscalation);
      }
    }
  }
}

/** SELinux options as PSP wrote them: empty fields are left out. */
function seLinuxValue(options: SELinuxOptions): SELinuxOptions {
  const out: SELinuxOptions = {};
  if (options.user) out.user = options.user;
  if (options.role) out.role = options.role;
  if (options.type) out.type = options.type;
  if (options.level) out.level = options.level;
  return out;
}

/**
 * The capabilities PSP generated for a container: default adds the container does not drop, plus its
 * own adds; required drops plus its own drops. `undefined` when nothing changes; otherwise both lists
 * come out sorted and de-duplicated, as PSP wrote them.
 */
function generateCapabilities(p: CompiledPolicy, current: SecurityContext['capabilities']): { add?: string[]; drop?: string[] } | undefined {
  if (p.capabilitiesDefaultAdd.length === 0 && p.capabilitiesRequiredDrop.length === 0) return undefined;
  const containerAdd = new Set(current?.add ?? []);
  const containerDrop = new Set(current?.drop ?? []);
  const add = new Set(containerAdd);
  for (const cap of p.capabilitiesDefaultAdd) if (!containerDrop.has(cap)) add.add(cap);
  const drop = new Set(containerDrop);
  for (const cap of p.capabilitiesRequiredDrop) drop.add(cap);
  if (add.size === containerAdd.size && drop.size === containerDrop.size) return undefined;
  const out: { add?: string[]; drop?: string[] } = {};
  if (add.size > 0) out.add = [...add].sort();
  if (drop.size > 0) out.drop = [...drop].sort();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Validation (ValidatePod)

function formatRanges(ranges: readonly Range[]): string {
  if (ranges.length === 0) return 'none';
  return ranges.map((r) => (r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`)).join(', ');
}

function inRanges(value: number, ranges: readonly Range[]): boolean {
  return ranges.some((r) => value >= r.min && value <= r.max);
}

function validatePod(p: CompiledPolicy, pod: Pod): Reason[] {
  const reasons: Reason[] = [];
  const reject = (path: string, message: string) => reasons.push({ policy: p.name, path, message });
  const c = p.controls;
  const spec = pod.spec;
  const podSC = spec.securityContext;

  for (const problem of p.problems) reject('', `the policy cannot be used: ${problem}`);

  // fsGroup and supplementalGroups
  const groupCheck = (
    rule: 'MustRunAs' | 'MayRunAs' | 'RunAsAny',
    ranges: readonly Range[],
    values: readonly number[],
    path: string,
    what: string,
    single: boolean,
  ) => {
    if (rule === 'RunAsAny') return;
    if (rule === 'MustRunAs' && values.length === 0) reject(path, `${what} must be set (allowed ranges: ${formatRanges(ranges)})`);
    values.forEach((g, i) => {
      if (!inRanges(g, ranges)) {
        reject(single ? path : `${path}[${i}]`, `${what} ${g} is not in the allowed ranges: ${formatRanges(ranges)}`);
      }
    });
  };
  const fsGroup = podSC?.fsGroup;
  groupCheck(c.fsGroup.validate.rule, c.fsGroup.validate.ranges, isSet(fsGroup) ? [fsGroup] : [], 'spec.securityContext.fsGroup', 'fsGroup', true);
  groupCheck(
    c.supplementalGroups.validate.rule,
    c.supplementalGroups.validate.ranges,
    podSC?.supplementalGroups ?? [],
    'spec.securityContext.supplementalGroups',
    'supplemental group',
    false,
  );

  // seccomp, pod level
  const podProfile = podSeccompProfile(pod);
  validateSeccomp(p, podProfile.profile, podProfile.path, reject);

  // SELinux, pod level
  validateSELinux(p, podSC?.seLinuxOptions, 'spec.securityContext.seLinuxOptions', reject);

  const hostNs = c.hostNamespaces.validate;
  if (!hostNs.allowHostNetwork && spec.hostNetwork === true) reject('spec.hostNetwork', 'host network is not allowed');
  if (!hostNs.allowHostPID && spec.hostPID === true) reject('spec.hostPID', 'host PID is not allowed');
  if (!hostNs.allowHostIPC && spec.hostIPC === true) reject('spec.hostIPC', 'host IPC is not allowed');

  (podSC?.sysctls ?? []).forEach((sysctl, i) => {
    const decision = classifySysctl(sysctl.name, c.sysctls.validate.forbidden, c.sysctls.validate.allowedUnsafe);
    if (decision === 'forbidden') reject(`spec.securityContext.sysctls[${i}]`, `sysctl "${sysctl.name}" is forbidden`);
    else if (decision === 'unsafe') reject(`spec.securityContext.sysctls[${i}]`, `unsafe sysctl "${sysctl.name}" is not allowed`);
  });

  validateVolumes(p, pod, reject);

  const runtimeClassName = spec.runtimeClassName;
  if (p.runtimeClassAllowed !== null && isSet(runtimeClassName) && !p.runtimeClassAnyName && !p.runtimeClassAllowed.has(runtimeClassName)) {
    reject('spec.runtimeClassName', `runtime class "${runtimeClassName}" is not allowed`);
  }

  for (const kind of VISIT_ORDER) {
    containersOf(pod, kind).forEach((container, i) => validateContainer(p, pod, container, `spec.${kind}[${i}]`, reject));
  }
  return reasons;
}

type Reject = (path: string, message: string) => void;

function validateSeccomp(p: CompiledPolicy, profile: string, path: string, reject: Reject): void {
  if (!p.seccompAllowAny && p.seccompAllowed.size === 0) {
    // No allowedProfileNames (or an empty one): no profile may be set, not even the policy's default.
    if (profile !== '') reject(path, 'seccomp may not be set');
    return;
  }
  if (p.seccompAllowAny) return;
  if (!p.seccompAllowed.has(profile)) {
    const allowed = [...p.seccompAllowed].map((a) => (a === '' ? '(unset)' : a)).join(', ');
    reject(path, `seccomp profile ${profile === '' ? '(unset)' : profile} is not allowed; allowed: ${allowed}`);
  }
}

function validateSELinux(p: CompiledPolicy, options: SELinuxOptions | null | undefined, path: string, reject: Reject): void {
  const expected = p.controls.seLinux.validate.options;
  if (p.controls.seLinux.validate.rule !== 'MustRunAs' || expected === null) return;
  if (!isSet(options)) {
    reject(path, 'seLinuxOptions must be set');
    return;
  }
  if (!selinuxLevelsEqual(expected.level ?? '', options.level ?? '')) reject(`${path}.level`, `must be ${quoteEmpty(expected.level)}`);
  if ((options.role ?? '') !== (expected.role ?? '')) reject(`${path}.role`, `must be ${quoteEmpty(expected.role)}`);
  if ((options.type ?? '') !== (expected.type ?? '')) reject(`${path}.type`, `must be ${quoteEmpty(expected.type)}`);
  if ((options.user ?? '') !== (expected.user ?? '')) reject(`${path}.user`, `must be ${quoteEmpty(expected.user)}`);
}

function quoteEmpty(value: string | undefined): string {
  return value ? value : 'empty';
}

function validateVolumes(p: CompiledPolicy, pod: Pod, reject: Reject): void {
  const c = p.controls;
  const volumes = pod.spec.volumes ?? [];
  volumes.forEach((volume, i) => {
    const path = `spec.volumes[${i}]`;
    const type = volumeFsType(volume);
    if (type === undefined) {
      reject(path, 'volume type is unknown to PodSecurityPolicy');
      return;
    }
    if (!c.volumes.validate.anyType && !c.volumes.validate.allowedTypes.includes(type)) {
      reject(path, `${type} volumes are not allowed`);
      return;
    }
    if (type === 'hostPath') {
      const hostPath = volume.hostPath?.path ?? '';
      const decision = hostPathAllowed(hostPath, c.hostPaths.validate.allowed);
      if (decision.backsteps) {
        reject(`${path}.hostPath.path`, `host path ${hostPath} must not contain '..' (the API server rejects it)`);
      } else if (!decision.allowed) {
        const prefixes = c.hostPaths.validate.allowed.map((a) => a.pathPrefix).join(', ');
        reject(`${path}.hostPath.path`, `host path ${hostPath} is not allowed; allowed prefixes: ${prefixes}`);
      } else if (decision.mustBeReadOnly) {
        for (const kind of VISIT_ORDER) {
          containersOf(pod, kind).forEach((container, j) => {
            (container.volumeMounts ?? []).forEach((mount, m) => {
              if (mount.name === volume.name && mount.readOnly !== true) {
                reject(`spec.${kind}[${j}].volumeMounts[${m}].readOnly`, `must be read-only: host path ${hostPath} is allowed read-only`);
              }
            });
          });
        }
      }
    } else if (type === 'flexVolume') {
      const allowed = c.flexVolumeDrivers.validate.allowedDrivers;
      const driver = volume.flexVolume?.driver ?? '';
      if (allowed.length > 0 && !allowed.includes(driver)) reject(`${path}.flexVolume.driver`, `flexVolume driver ${driver} is not allowed`);
    } else if (type === 'csi') {
      const allowed = c.csiDrivers.validate.allowedDrivers;
      const driver = volume.csi?.driver ?? '';
      if (allowed.length > 0 && !allowed.includes(driver)) reject(`${path}.csi.driver`, `inline CSI driver ${driver} is not allowed`);
    }
  });
}

function validateContainer(p: CompiledPolicy, pod: Pod, container: Container, cpath: string, reject: Reject): void {
  const c = p.controls;
  const podSC = pod.spec.securityContext;
  const sc = container.securityContext;
  const scPath = `${cpath}.securityContext`;

  // runAsUser: the container's value overrides the pod's.
  const uid = sc?.runAsUser ?? podSC?.runAsUser;
  const nonRoot = sc?.runAsNonRoot ?? podSC?.runAsNonRoot;
  const user = c.runAsUser.validate;
  if (user.rule === 'MustRunAs') {
    if (!isSet(uid)) reject(`${scPath}.runAsUser`, `runAsUser must be set (allowed ranges: ${formatRanges(user.ranges)})`);
    else if (!inRanges(uid, user.ranges)) reject(`${scPath}.runAsUser`, `runAsUser ${uid} is not in the allowed ranges: ${formatRanges(user.ranges)}`);
  } else if (user.rule === 'MustRunAsNonRoot') {
    if (!isSet(nonRoot) && !isSet(uid)) reject(`${scPath}.runAsNonRoot`, 'runAsNonRoot must be true or runAsUser must be set to a non-zero UID');
    else if (nonRoot === false) reject(`${scPath}.runAsNonRoot`, 'runAsNonRoot must be true');
    else if (uid === 0) reject(`${scPath}.runAsUser`, 'running with the root UID is forbidden');
  }

  const group = c.runAsGroup.validate;
  if (group.specified && group.rule !== 'RunAsAny') {
    const gid = sc?.runAsGroup ?? podSC?.runAsGroup;
    if (!isSet(gid)) {
      if (group.rule === 'MustRunAs') reject(`${scPath}.runAsGroup`, `runAsGroup must be set (allowed ranges: ${formatRanges(group.ranges)})`);
    } else if (!inRanges(gid, group.ranges)) {
      reject(`${scPath}.runAsGroup`, `runAsGroup ${gid} is not in the allowed ranges: ${formatRanges(group.ranges)}`);
    }
  }

  validateSELinux(p, sc?.seLinuxOptions ?? podSC?.seLinuxOptions, `${scPath}.seLinuxOptions`, reject);

  if (p.appArmorAllowed !== null) {
    const key = keyFor(appArmorKeys, APPARMOR_CONTAINER_ANNOTATION_PREFIX, container.name);
    const profile = containerAppArmorProfile(pod, container);
    if (profile === '') {
      if (p.appArmorAllowed.size > 0) reject(`metadata.annotations[${key}]`, 'AppArmor profile must be set');
    } else if (!p.appArmorAllowed.has(profile)) {
      reject(`metadata.annotations[${key}]`, `AppArmor profile ${profile} is not allowed; allowed: ${[...p.appArmorAllowed].join(', ')}`);
    }
  }

  const seccomp = containerSeccompProfile(pod, container, cpath);
  validateSeccomp(p, seccomp.profile, seccomp.path, reject);

  if (!c.privileged.validate.allowPrivileged && sc?.privileged === true) {
    reject(`${scPath}.privileged`, 'privileged containers are not allowed');
  }

  const procMount = sc?.procMount ?? 'Default';
  if (!p.procMountAllowed.has(procMount)) reject(`${scPath}.procMount`, `procMount ${procMount} is not allowed`);

  validateCapabilities(p, sc?.capabilities, `${scPath}.capabilities`, reject);

  (container.ports ?? []).forEach((port, j) => {
    const hostPort = port.hostPort ?? 0;
    if (hostPort > 0 && !inRanges(hostPort, c.hostPorts.validate.ranges)) {
      reject(`${cpath}.ports[${j}].hostPort`, `host port ${hostPort} is not allowed; allowed ranges: ${formatRanges(c.hostPorts.validate.ranges)}`);
    }
  });

  if (c.readOnlyRootFilesystem.validate.required) {
    const readOnly = sc?.readOnlyRootFilesystem;
    if (!isSet(readOnly)) reject(`${scPath}.readOnlyRootFilesystem`, 'readOnlyRootFilesystem must be set to true');
    else if (!readOnly) reject(`${scPath}.readOnlyRootFilesystem`, 'readOnlyRootFilesystem must be true');
  }

  const escalation = sc?.allowPrivilegeEscalation;
  if (!c.privilegeEscalation.validate.allowPrivilegeEscalation && escalation !== false) {
    reject(`${scPath}.allowPrivilegeEscalation`, 'allowing privilege escalation for containers is not allowed');
  }
}

function validateCapabilities(p: CompiledPolicy, caps: SecurityContext['capabilities'], path: string, reject: Reject): void {
  if (!isSet(caps)) {
    // PSP's defaults always set capabilities when there are default adds or required drops.
    if (p.capabilitiesDefaultAdd.length > 0 || p.capabilitiesRequiredDrop.length > 0) {
      reject(path, `required capabilities are not set (must drop: ${p.capabilitiesRequiredDrop.join(', ') || 'none'})`);
    }
    return;
  }
  // `*` in allowedCapabilities skipped every capability check, required drops included.
  if (p.controls.capabilities.validate.allowAny) return;
  (caps.add ?? []).forEach((cap, i) => {
    if (!p.capabilitiesAllowed.has(cap)) reject(`${path}.add[${i}]`, `capability ${cap} may not be added`);
  });
  const drops = new Set(caps.drop ?? []);
  for (const cap of p.capabilitiesRequiredDrop) {
    // Literal membership: dropping ALL does not by itself satisfy a required drop of NET_RAW.
    if (!drops.has(cap)) reject(`${path}.drop`, `capability ${cap} must be dropped`);
  }
}

// ---------------------------------------------------------------------------------------------

/** A JSON Pointer of a mutation as a Kubernetes field path (`/spec/containers/0/x` -> `spec.containers[0].x`). */
export function fieldPathOfPointer(pointer: string): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = '';
  segments.forEach((segment, i) => {
    if (/^\d+$/.test(segment)) out += `[${segment}]`;
    else if (i > 0 && segments[i - 1] === 'annotations') out += `[${segment}]`;
    else out += (out === '' ? '' : '.') + segment;
  });
  return out;
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

/**
 * Apply one PSP's defaults to a copy of the pod and validate it, as PSP admission did.
 *
 * CREATE: `pod` is the defaulted pod (the input itself when nothing changed) and `allowed` says
 * whether it validates. UPDATE (pod updates and the `pods/ephemeralcontainers` subresource): PSP did
 * not change pods, so a policy admits only if it validates the pod and its defaults would change
 * nothing; `pod` is the input and `mutations` lists what the policy would have changed.
 *
 * The returned pod shares unchanged subtrees with the input: treat both as read-only.
 */
export function evaluatePolicy(policy: PolicyIR, pod: Pod, options: EvaluateOptions = {}): PolicyVerdict & { pod: Pod } {
  const compiled = compile(policy);
  const draft = new PodDraft(pod);
  applyDefaults(compiled, draft);
  const reasons = validatePod(compiled, draft.pod);
  const mutations: JsonPatchOp[] = draft.ops;
  const mutated = draft.changed;
  if (options.operation === 'UPDATE') {
    if (mutated) {
      for (const op of mutations) {
        if (isEmptyObject(op.value)) continue;
        reasons.push({
          policy: policy.name,
          path: fieldPathOfPointer(op.path),
          message: `the policy would set this to ${JSON.stringify(op.value)}, but PodSecurityPolicy changes pods only on CREATE`,
        });
      }
    }
    return { policy: policy.name, allowed: reasons.length === 0 && !mutated, mutated, mutations, reasons, pod };
  }
  return { policy: policy.name, allowed: reasons.length === 0, mutated, mutations, reasons, pod: draft.pod };
}
