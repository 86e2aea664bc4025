/**
 * The reference evaluator: one PodSecurityPolicy against one pod, deciding exactly what the
 * Kubernetes 1.24 PSP admission controller decided (provider.go and its strategies): apply the
 * policy's defaults (pod level, then every container), then validate the defaulted pod.
 */
import type { PolicyIR, Range } from '../ir/ir.js';
import type { Container, Pod, ProfileRef, SecurityContext, SELinuxOptions } from '../pod/types.js';
import { hostPathAllowed } from './host-path.js';
import { PodDraft, jsonPointer } from './pod-draft.js';
import {
  APPARMOR_CONTAINER_ANNOTATION_PREFIX,
  SECCOMP_CONTAINER_ANNOTATION_PREFIX,
  SECCOMP_POD_ANNOTATION,
  appArmorAnnotationForField,
  seccompAnnotationForField,
  selinuxLevelsEqual,
} from './profiles.js';
import { classifySysctl } from './sysctls.js';
import type { AdmissionOperation, EvaluateOptions, JsonPatchOp, PolicyVerdict, Reason } from './types.js';
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
  /** What {@link generateCapabilities} writes for a container with no capabilities of its own. */
  capabilitiesWhenUnset: { add: readonly string[]; drop: readonly string[] };
  seccompAllowAny: boolean;
  /** Allowed seccomp profiles without `*`; empty for no list at all. */
  seccompAllowed: ReadonlySet<string>;
  /** The allowed seccomp profiles as a rejection lists them. */
  seccompAllowedText: string;
  /** SELinux MustRunAs with options: the only rule PSP validated. */
  seLinuxMustRunAs: boolean;
  /** `volumes` without `*`. */
  volumesAllowed: ReadonlySet<string>;
  appArmorAllowed: ReadonlySet<string> | null;
  procMountAllowed: ReadonlySet<string>;
  runtimeClassAnyName: boolean;
  runtimeClassAllowed: ReadonlySet<string> | null;
}

/**
 * Why PSP admission could not build this policy's strategies (and so admitted no pod with it): a
 * MustRunAs/MayRunAs rule without ranges, SELinux MustRunAs without options. Empty when usable.
 */
export function unusablePolicyReasons(policy: PolicyIR): string[] {
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
  return problems;
}

const compiledCache = new WeakMap<PolicyIR, CompiledPolicy>();

function compile(policy: PolicyIR): CompiledPolicy {
  const cached = compiledCache.get(policy);
  if (cached) return cached;
  const c = policy.controls;
  const problems = unusablePolicyReasons(policy);
  const defaultAdd = c.capabilities.defaults?.add ?? [];
  const seccompList = c.seccomp.validate.allowed ?? [];
  const runtimeList = c.runtimeClass.validate.allowed;
  const seccompAllowed = new Set(seccompList.filter((p) => p !== '*'));
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
    capabilitiesWhenUnset: { add: [...new Set(defaultAdd)].sort(), drop: [...new Set(c.capabilities.validate.requiredDrop)].sort() },
    seccompAllowAny: seccompList.includes('*'),
    seccompAllowed,
    seccompAllowedText: [...seccompAllowed].map((a) => (a === '' ? '(unset)' : a)).join(', '),
    seLinuxMustRunAs: c.seLinux.validate.rule === 'MustRunAs' && c.seLinux.validate.options !== null,
    volumesAllowed: new Set(c.volumes.validate.allowedTypes),
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
  // Named loads: a keyed load by a variable name is a megamorphic lookup on every call.
  const spec = pod.spec;
  const list = kind === 'containers' ? spec.containers : kind === 'initContainers' ? spec.initContainers : spec.ephemeralContainers;
  return list ?? [];
}

/**
 * Whether any annotation key starts with `prefix`: when none does, per-container annotation lookups
 * (a string-keyed Map lookup and a property lookup each) can be skipped.
 */
function hasAnnotationWithPrefix(pod: Pod, prefix: string): boolean {
  const annotations = pod.metadata.annotations;
  if (annotations === undefined || annotations === null) return false;
  for (const key in annotations) if (key.startsWith(prefix)) return true;
  return false;
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

const POD_SECCOMP_ANNOTATION_PATH = `metadata.annotations[${SECCOMP_POD_ANNOTATION}]`;

// Profiles are read on every evaluation, their field paths only for a rejection: the two are
// computed apart so that an admitted pod builds no path strings.

/** The pod's seccomp profile in annotation form: the annotation if non-empty, else the field. */
function podSeccompProfile(pod: Pod): string {
  const fromAnnotation = annotation(pod, SECCOMP_POD_ANNOTATION) ?? '';
  if (fromAnnotation !== '') return fromAnnotation;
  const field = pod.spec.securityContext?.seccompProfile;
  return isSet(field) ? seccompAnnotationForField(field) : '';
}

/** Where {@link podSeccompProfile} read the profile. */
function podSeccompPath(pod: Pod): string {
  if ((annotation(pod, SECCOMP_POD_ANNOTATION) ?? '') === '' && isSet(pod.spec.securityContext?.seccompProfile)) return 'spec.securityContext.seccompProfile';
  return POD_SECCOMP_ANNOTATION_PATH;
}

/** A container's seccomp profile: its field, else its annotation (even empty), else the pod's (`podProfile`). */
function containerSeccompProfile(pod: Pod, container: Container, annotated: boolean, podProfile: string): string {
  const field = container.securityContext?.seccompProfile;
  if (isSet(field)) return seccompAnnotationForField(field);
  if (!annotated) return podProfile;
  const fromAnnotation = annotation(pod, keyFor(seccompKeys, SECCOMP_CONTAINER_ANNOTATION_PREFIX, container.name));
  return fromAnnotation !== undefined ? fromAnnotation : podProfile;
}

/** Where {@link containerSeccompProfile} read the profile. */
function containerSeccompPath(pod: Pod, container: Container, containerPath: string): string {
  if (isSet(container.securityContext?.seccompProfile)) return `${containerPath}.securityContext.seccompProfile`;
  const key = keyFor(seccompKeys, SECCOMP_CONTAINER_ANNOTATION_PREFIX, container.name);
  if (annotation(pod, key) !== undefined) return `metadata.annotations[${key}]`;
  return podSeccompPath(pod);
}

/**
 * A container's AppArmor profile in annotation form. PSP (1.24) read only the annotation; the
 * `appArmorProfile` fields (1.30+, container then pod) count when the annotation is absent, as the API
 * server of those versions copies them into the annotation. `annotated`: whether the pod has any
 * per-container AppArmor annotation at all (see {@link hasAnnotationWithPrefix}).
 */
function containerAppArmorProfile(pod: Pod, container: Container, annotated: boolean): string {
  const fromAnnotation = annotated ? (annotation(pod, keyFor(appArmorKeys, APPARMOR_CONTAINER_ANNOTATION_PREFIX, container.name)) ?? '') : '';
  if (fromAnnotation !== '') return fromAnnotation;
  const field: ProfileRef | null | undefined = container.securityContext?.appArmorProfile ?? pod.spec.securityContext?.appArmorProfile;
  return isSet(field) ? appArmorAnnotationForField(field) : '';
}

// ---------------------------------------------------------------------------------------------
// Defaulting (MutatePod)

const POD_SECURITY_CONTEXT_PATH = ['spec', 'securityContext'] as const;
const POD_SECURITY_CONTEXT_POINTER = '/spec/securityContext';
const ANNOTATIONS_PATH = ['metadata', 'annotations'] as const;
const ANNOTATIONS_POINTER = '/metadata/annotations';
const SPEC_PATH = ['spec'] as const;
const SPEC_POINTER = '/spec';
/** {@link SECCOMP_POD_ANNOTATION} as a JSON Pointer segment. */
const SECCOMP_POD_ANNOTATION_SEGMENT = jsonPointer([SECCOMP_POD_ANNOTATION]).slice(1);

/** `/spec/<kind>/<i>/securityContext`, built once per container kind and index. */
const containerPointers: Record<(typeof VISIT_ORDER)[number], string[]> = { initContainers: [], containers: [], ephemeralContainers: [] };
function containerSecurityContextPointer(kind: (typeof VISIT_ORDER)[number], i: number): string {
  const cached = containerPointers[kind];
  let pointer = cached[i];
  if (pointer === undefined) {
    pointer = `/spec/${kind}/${i}/securityContext`;
    if (i < 256) cached[i] = pointer;
  }
  return pointer;
}

/**
 * Apply the policy's defaults to the draft in PSP's order: supplementalGroups, fsGroup, seLinuxOptions,
 * seccomp annotation, runtimeClassName; then per container (init, regular, ephemeral): runAsUser,
 * runAsGroup, seLinuxOptions, AppArmor annotation, runAsNonRoot, capabilities, readOnlyRootFilesystem,
 * allowPrivilegeEscalation. A field counts as set when the container or (for the user, group,
 * non-root and SELinux fields) the pod sets it.
 */
function applyDefaults(p: CompiledPolicy, draft: PodDraft): void {
  const c = p.controls;
  const input = draft.pod;
  const inputSC = input.spec.securityContext;
  // The pod's security context, owned by the draft once the first pod-level default is written.
  let podTarget: DraftTarget | undefined;

  // A nil list is defaulted. We also default an empty list, as the API server sees it when the pod
  // arrives over protobuf (every controller-created pod); JSON `[]` from kubectl was not defaulted.
  const supplemental = c.supplementalGroups.defaults;
  if (supplemental) {
    const groups = inputSC?.supplementalGroups;
    if (!isSet(groups) || groups.length === 0) {
      draft.putField((podTarget ??= draft.at(POD_SECURITY_CONTEXT_PATH, POD_SECURITY_CONTEXT_POINTER)), 'supplementalGroups', [...supplemental.supplementalGroups]);
    }
  }
  // Each pod-level default writes a different field, so each reads the input's value.
  if (c.fsGroup.defaults && !isSet(inputSC?.fsGroup)) {
    draft.putField((podTarget ??= draft.at(POD_SECURITY_CONTEXT_PATH, POD_SECURITY_CONTEXT_POINTER)), 'fsGroup', c.fsGroup.defaults.fsGroup);
  }
  if (c.seLinux.defaults && !isSet(inputSC?.seLinuxOptions)) {
    draft.putField((podTarget ??= draft.at(POD_SECURITY_CONTEXT_PATH, POD_SECURITY_CONTEXT_POINTER)), 'seLinuxOptions', seLinuxValue(c.seLinux.defaults.seLinuxOptions));
  }
  // Generate: a set pod annotation stays; else the pod's seccompProfile field, translated; else the default.
  if ((annotation(input, SECCOMP_POD_ANNOTATION) ?? '') === '') {
    const field = inputSC?.seccompProfile;
    const profile = isSet(field) ? seccompAnnotationForField(field) : (c.seccomp.defaults?.profile ?? '');
    if (profile !== '') draft.put(draft.at(ANNOTATIONS_PATH, ANNOTATIONS_POINTER), SECCOMP_POD_ANNOTATION, profile, SECCOMP_POD_ANNOTATION_SEGMENT);
  }
  if (c.runtimeClass.defaults && !isSet(input.spec.runtimeClassName)) {
    draft.putField(draft.at(SPEC_PATH, SPEC_POINTER), 'runtimeClassName', c.runtimeClass.defaults.runtimeClassName);
  }

  if (!p.containerDefaults) return;
  // Container defaults never change the pod's security context: read it once.
  const podSC = draft.pod.spec.securityContext;
  const userDefault = c.runAsUser.defaults;
  const hasUidDefault = isSet(userDefault) && 'runAsUser' in userDefault;
  const uidDefault = hasUidDefault ? userDefault.runAsUser : undefined;
  const groupDefault = c.runAsGroup.defaults;
  const seLinuxDefault = c.seLinux.defaults;
  const appArmorDefault = c.appArmor.defaults?.profile ?? '';
  const mustRunAsNonRoot = c.runAsUser.validate.rule === 'MustRunAsNonRoot';
  const readOnlyDefault = c.readOnlyRootFilesystem.defaults;
  const escalationDefault = c.privilegeEscalation.defaults;
  let appArmorAnnotated = appArmorDefault !== '' && hasAnnotationWithPrefix(input, APPARMOR_CONTAINER_ANNOTATION_PREFIX);
  for (const kind of VISIT_ORDER) {
    // The input's containers: a container's own defaults are the only writes to it, so reading the
    // input's copy is reading it as defaulted so far.
    const containers = containersOf(input, kind);
    for (let i = 0; i < containers.length; i++) {
      const container = containers[i] as Container;
      const sc = container.securityContext;
      // Decide every default first and write only when one applies: most containers need none,
      // and then nothing is allocated. The writes below keep PSP's order.
      const setUid = hasUidDefault && !isSet(sc?.runAsUser ?? podSC?.runAsUser);
      const setGid = isSet(groupDefault) && !isSet(sc?.runAsGroup ?? podSC?.runAsGroup);
      const setSELinux = isSet(seLinuxDefault) && !isSet(sc?.seLinuxOptions ?? podSC?.seLinuxOptions);
      // The annotations may have gained this container's key from an earlier container of the same name.
      const setAppArmor = appArmorDefault !== '' && containerAppArmorProfile(draft.pod, container, appArmorAnnotated) === '';
      // A UID defaulted just above counts as set.
      const setNonRoot = mustRunAsNonRoot && !isSet(sc?.runAsNonRoot ?? podSC?.runAsNonRoot) && !isSet(setUid ? uidDefault : (sc?.runAsUser ?? podSC?.runAsUser));
      const capabilities = generateCapabilities(p, sc?.capabilities);
      const setReadOnly = isSet(readOnlyDefault) && !isSet(sc?.readOnlyRootFilesystem);
      const setEscalation = isSet(escalationDefault) && !isSet(sc?.allowPrivilegeEscalation);
      if (!(setUid || setGid || setSELinux || setAppArmor || setNonRoot || capabilities !== undefined || setReadOnly || setEscalation)) continue;

      // The container's security context, owned by the draft from its first write on.
      let target: DraftTarget | undefined;
      if (setUid) draft.putField((target ??= containerTarget(draft, kind, i)), 'runAsUser', uidDefault);
      if (setGid) draft.putField((target ??= containerTarget(draft, kind, i)), 'runAsGroup', groupDefault.runAsGroup);
      if (setSELinux) draft.putField((target ??= containerTarget(draft, kind, i)), 'seLinuxOptions', seLinuxValue(seLinuxDefault.seLinuxOptions));
      if (setAppArmor) {
        draft.put(draft.at(ANNOTATIONS_PATH, ANNOTATIONS_POINTER), keyFor(appArmorKeys, APPARMOR_CONTAINER_ANNOTATION_PREFIX, container.name), appArmorDefault);
        appArmorAnnotated = true;
      }
      if (setNonRoot) draft.putField((target ??= containerTarget(draft, kind, i)), 'runAsNonRoot', true);
      if (capabilities !== undefined) draft.putField((target ??= containerTarget(draft, kind, i)), 'capabilities', capabilities);
      if (setReadOnly) draft.putField((target ??= containerTarget(draft, kind, i)), 'readOnlyRootFilesystem', true);
      if (setEscalation) draft.putField((target ??= containerTarget(draft, kind, i)), 'allowPrivilegeEscalation', escalationDefault.allowPrivilegeEscalation);
    }
  }
}

/** A container's security context, owned by the draft (created when missing). */
function containerTarget(draft: PodDraft, kind: (typeof VISIT_ORDER)[number], i: number): DraftTarget {
  return draft.at(['spec', kind, i, 'securityContext'], containerSecurityContextPointer(kind, i));
}

type DraftTarget = ReturnType<PodDraft['at']>;

/** SELinux options as PSP wrote them: empty fields are left out. */
function seLinuxValue(options: SELinuxOptions): SELinuxOptions {
  const out: SELinuxOptions = {};
  if (options.user) out.user = options.user;
  if (options.role) out.role = options.role;
  if (options.type) out.type = options.type;
  if (options.level) out.level = options.level;
  return out;
}

const NO_CAPABILITIES: readonly string[] = [];

/** A capability list as read: workloads get only a light check, so a malformed value is read as a Set would read it. */
function asList(value: readonly string[] | null | undefined): readonly string[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? NO_CAPABILITIES : [...new Set(value)];
}

/**
 * The capabilities PSP generated for a container: default adds the container does not drop, plus its
 * own adds; required drops plus its own drops. `undefined` when nothing changes; otherwise both lists
 * come out sorted and de-duplicated, as PSP wrote them.
 */
function generateCapabilities(p: CompiledPolicy, current: SecurityContext['capabilities']): { add?: string[]; drop?: string[] } | undefined {
  const defaultAdd = p.capabilitiesDefaultAdd;
  const requiredDrop = p.capabilitiesRequiredDrop;
  if (defaultAdd.length === 0 && requiredDrop.length === 0) return undefined;
  const containerAdd = asList(current?.add);
  const containerDrop = asList(current?.drop);
  if (containerAdd.length === 0 && containerDrop.length === 0) {
    // The common case (no capabilities of its own): the policy's lists, computed once per policy.
    // Fresh arrays each time: the lists end up in the defaulted pod, which callers own.
    const out: { add?: string[]; drop?: string[] } = {};
    if (p.capabilitiesWhenUnset.add.length > 0) out.add = p.capabilitiesWhenUnset.add.slice();
    if (p.capabilitiesWhenUnset.drop.length > 0) out.drop = p.capabilitiesWhenUnset.drop.slice();
    return out;
  }
  // Lists are a few entries long: `includes` beats building Sets, and most containers need no change.
  let changed = false;
  for (const cap of defaultAdd) if (!containerDrop.includes(cap) && !containerAdd.includes(cap)) changed = true;
  for (const cap of requiredDrop) if (!containerDrop.includes(cap)) changed = true;
  if (!changed) return undefined;
  const add = uniqueValues(containerAdd);
  for (const cap of defaultAdd) if (!containerDrop.includes(cap) && !add.includes(cap)) add.push(cap);
  const drop = uniqueValues(containerDrop);
  for (const cap of requiredDrop) if (!drop.includes(cap)) drop.push(cap);
  const out: { add?: string[]; drop?: string[] } = {};
  if (add.length > 0) out.add = add.sort();
  if (drop.length > 0) out.drop = drop.sort();
  return out;
}

/** The values of a short list without repeats (as a Set would keep them). */
function uniqueValues(list: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of list) if (!out.includes(value)) out.push(value);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Validation (ValidatePod)

// Most rejections quote a policy's ranges: format each list once (IR lists are not changed).
const formattedRanges = new WeakMap<readonly Range[], string>();

function formatRanges(ranges: readonly Range[]): string {
  let text = formattedRanges.get(ranges);
  if (text === undefined) {
    text = ranges.length === 0 ? 'none' : ranges.map((r) => (r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`)).join(', ');
    formattedRanges.set(ranges, text);
  }
  return text;
}

function inRanges(value: number, ranges: readonly Range[]): boolean {
  for (let i = 0; i < ranges.length; i++) {
    const range = ranges[i] as Range;
    if (value >= range.min && value <= range.max) return true;
  }
  return false;
}

function reason(p: CompiledPolicy, path: string, message: string): Reason {
  return { policy: p.name, path, message };
}

/** fsGroup (a single value, `undefined` when unset). */
function checkFsGroup(reasons: Reason[], p: CompiledPolicy, rule: 'MustRunAs' | 'MayRunAs' | 'RunAsAny', ranges: readonly Range[], value: number | undefined): void {
  if (rule === 'RunAsAny') return;
  const path = 'spec.securityContext.fsGroup';
  if (value === undefined) {
    if (rule === 'MustRunAs') reasons.push(reason(p, path, `fsGroup must be set (allowed ranges: ${formatRanges(ranges)})`));
  } else if (!inRanges(value, ranges)) {
    reasons.push(reason(p, path, `fsGroup ${value} is not in the allowed ranges: ${formatRanges(ranges)}`));
  }
}

/** supplementalGroups. */
function checkSupplementalGroups(reasons: Reason[], p: CompiledPolicy, rule: 'MustRunAs' | 'MayRunAs' | 'RunAsAny', ranges: readonly Range[], values: readonly number[]): void {
  if (rule === 'RunAsAny') return;
  const path = 'spec.securityContext.supplementalGroups';
  if (rule === 'MustRunAs' && values.length === 0) reasons.push(reason(p, path, `supplemental group must be set (allowed ranges: ${formatRanges(ranges)})`));
  for (let i = 0; i < values.length; i++) {
    const g = values[i] as number;
    if (!inRanges(g, ranges)) reasons.push(reason(p, `${path}[${i}]`, `supplemental group ${g} is not in the allowed ranges: ${formatRanges(ranges)}`));
  }
}

const NO_GROUPS: readonly number[] = [];

function validatePod(p: CompiledPolicy, pod: Pod): Reason[] {
  const reasons: Reason[] = [];
  const c = p.controls;
  const spec = pod.spec;
  const podSC = spec.securityContext;

  for (const problem of p.problems) reasons.push(reason(p, '', `the policy cannot be used: ${problem}`));

  const fsGroup = podSC?.fsGroup;
  checkFsGroup(reasons, p, c.fsGroup.validate.rule, c.fsGroup.validate.ranges, isSet(fsGroup) ? fsGroup : undefined);
  checkSupplementalGroups(reasons, p, c.supplementalGroups.validate.rule, c.supplementalGroups.validate.ranges, podSC?.supplementalGroups ?? NO_GROUPS);

  // seccomp, pod level
  const podProfile = podSeccompProfile(pod);
  const podProblem = seccompProblem(p, podProfile);
  if (podProblem !== undefined) reasons.push(reason(p, podSeccompPath(pod), podProblem));

  // SELinux, pod level
  if (p.seLinuxMustRunAs) validateSELinux(reasons, p, podSC?.seLinuxOptions, 'spec.securityContext.seLinuxOptions');

  const hostNs = c.hostNamespaces.validate;
  if (!hostNs.allowHostNetwork && spec.hostNetwork === true) reasons.push(reason(p, 'spec.hostNetwork', 'host network is not allowed'));
  if (!hostNs.allowHostPID && spec.hostPID === true) reasons.push(reason(p, 'spec.hostPID', 'host PID is not allowed'));
  if (!hostNs.allowHostIPC && spec.hostIPC === true) reasons.push(reason(p, 'spec.hostIPC', 'host IPC is not allowed'));

  const sysctls = podSC?.sysctls ?? [];
  for (let i = 0; i < sysctls.length; i++) {
    const sysctl = sysctls[i] as (typeof sysctls)[number];
    const decision = classifySysctl(sysctl.name, c.sysctls.validate.forbidden, c.sysctls.validate.allowedUnsafe);
    if (decision === 'forbidden') reasons.push(reason(p, `spec.securityContext.sysctls[${i}]`, `sysctl "${sysctl.name}" is forbidden`));
    else if (decision === 'unsafe') reasons.push(reason(p, `spec.securityContext.sysctls[${i}]`, `unsafe sysctl "${sysctl.name}" is not allowed`));
  }

  validateVolumes(reasons, p, pod);

  const runtimeClassName = spec.runtimeClassName;
  if (p.runtimeClassAllowed !== null && isSet(runtimeClassName) && !p.runtimeClassAnyName && !p.runtimeClassAllowed.has(runtimeClassName)) {
    reasons.push(reason(p, 'spec.runtimeClassName', `runtime class "${runtimeClassName}" is not allowed`));
  }

  const facts: PodFacts = {
    seccompAnnotated: !p.seccompAllowAny && hasAnnotationWithPrefix(pod, SECCOMP_CONTAINER_ANNOTATION_PREFIX),
    appArmorAnnotated: p.appArmorAllowed !== null && hasAnnotationWithPrefix(pod, APPARMOR_CONTAINER_ANNOTATION_PREFIX),
    seccompProfile: podProfile,
  };
  for (const kind of VISIT_ORDER) {
    const containers = containersOf(pod, kind);
    for (let i = 0; i < containers.length; i++) validateContainer(reasons, p, pod, containers[i] as Container, kind, i, facts);
  }
  return reasons;
}

/** Why PSP refused a seccomp profile (annotation form), or undefined when it allowed it. */
function seccompProblem(p: CompiledPolicy, profile: string): string | undefined {
  if (!p.seccompAllowAny && p.seccompAllowed.size === 0) {
    // No allowedProfileNames (or an empty one): no profile may be set, not even the policy's default.
    return profile !== '' ? 'seccomp may not be set' : undefined;
  }
  if (p.seccompAllowAny || p.seccompAllowed.has(profile)) return undefined;
  return `seccomp profile ${profile === '' ? '(unset)' : profile} is not allowed; allowed: ${p.seccompAllowedText}`;
}

/** Only for a MustRunAs policy with options (see `CompiledPolicy.seLinuxMustRunAs`). */
function validateSELinux(reasons: Reason[], p: CompiledPolicy, options: SELinuxOptions | null | undefined, path: string): void {
  const expected = p.controls.seLinux.validate.options as SELinuxOptions;
  if (!isSet(options)) {
    reasons.push(reason(p, path, 'seLinuxOptions must be set'));
    return;
  }
  if (!selinuxLevelsEqual(expected.level ?? '', options.level ?? '')) reasons.push(reason(p, `${path}.level`, `must be ${quoteEmpty(expected.level)}`));
  if ((options.role ?? '') !== (expected.role ?? '')) reasons.push(reason(p, `${path}.role`, `must be ${quoteEmpty(expected.role)}`));
  if ((options.type ?? '') !== (expected.type ?? '')) reasons.push(reason(p, `${path}.type`, `must be ${quoteEmpty(expected.type)}`));
  if ((options.user ?? '') !== (expected.user ?? '')) reasons.push(reason(p, `${path}.user`, `must be ${quoteEmpty(expected.user)}`));
}

function quoteEmpty(value: string | undefined): string {
  return value ? value : 'empty';
}

function validateVolumes(reasons: Reason[], p: CompiledPolicy, pod: Pod): void {
  const c = p.controls;
  const volumes = pod.spec.volumes ?? [];
  for (let i = 0; i < volumes.length; i++) {
    const volume = volumes[i] as (typeof volumes)[number];
    const type = volumeFsType(volume);
    if (type === undefined) {
      reasons.push(reason(p, `spec.volumes[${i}]`, 'volume type is unknown to PodSecurityPolicy'));
      continue;
    }
    if (!c.volumes.validate.anyType && !p.volumesAllowed.has(type)) {
      reasons.push(reason(p, `spec.volumes[${i}]`, `${type} volumes are not allowed`));
      continue;
    }
    if (type === 'hostPath') {
      const path = `spec.volumes[${i}]`;
      const hostPath = volume.hostPath?.path ?? '';
      const decision = hostPathAllowed(hostPath, c.hostPaths.validate.allowed);
      if (decision.backsteps) {
        reasons.push(reason(p, `${path}.hostPath.path`, `host path ${hostPath} must not contain '..' (the API server rejects it)`));
      } else if (!decision.allowed) {
        const prefixes = c.hostPaths.validate.allowed.map((a) => a.pathPrefix).join(', ');
        reasons.push(reason(p, `${path}.hostPath.path`, `host path ${hostPath} is not allowed; allowed prefixes: ${prefixes}`));
      } else if (decision.mustBeReadOnly) {
        for (const kind of VISIT_ORDER) {
          containersOf(pod, kind).forEach((container, j) => {
            (container.volumeMounts ?? []).forEach((mount, m) => {
              if (mount.name === volume.name && mount.readOnly !== true) {
                reasons.push(reason(p, `spec.${kind}[${j}].volumeMounts[${m}].readOnly`, `must be read-only: host path ${hostPath} is allowed read-only`));
              }
            });
          });
        }
      }
    } else if (type === 'flexVolume') {
      const allowed = c.flexVolumeDrivers.validate.allowedDrivers;
      const driver = volume.flexVolume?.driver ?? '';
      if (allowed.length > 0 && !allowed.includes(driver)) reasons.push(reason(p, `spec.volumes[${i}].flexVolume.driver`, `flexVolume driver ${driver} is not allowed`));
    } else if (type === 'csi') {
      const allowed = c.csiDrivers.validate.allowedDrivers;
      const driver = volume.csi?.driver ?? '';
      if (allowed.length > 0 && !allowed.includes(driver)) reasons.push(reason(p, `spec.volumes[${i}].csi.driver`, `inline CSI driver ${driver} is not allowed`));
    }
  }
}

/** `spec.<kind>[<i>]`: built only for a reason, never for an admitted container. */
function containerPath(kind: (typeof VISIT_ORDER)[number], i: number): string {
  return `spec.${kind}[${i}]`;
}

function securityContextPath(kind: (typeof VISIT_ORDER)[number], i: number, field: string): string {
  return `spec.${kind}[${i}].securityContext.${field}`;
}

/** What every container's validation reads from the pod, read once per evaluation. */
interface PodFacts {
  /** Whether the pod has any per-container seccomp annotation (else the lookups are skipped). */
  seccompAnnotated: boolean;
  /** The same for AppArmor. */
  appArmorAnnotated: boolean;
  /** The pod's seccomp profile ({@link podSeccompProfile}), which containers without their own inherit. */
  seccompProfile: string;
}

function validateContainer(
  reasons: Reason[],
  p: CompiledPolicy,
  pod: Pod,
  container: Container,
  kind: (typeof VISIT_ORDER)[number],
  i: number,
  facts: PodFacts,
): void {
  const c = p.controls;
  const podSC = pod.spec.securityContext;
  const sc = container.securityContext;

  // runAsUser: the container's value overrides the pod's.
  const user = c.runAsUser.validate;
  if (user.rule === 'MustRunAs') {
    const uid = sc?.runAsUser ?? podSC?.runAsUser;
    if (!isSet(uid)) reasons.push(reason(p, securityContextPath(kind, i, 'runAsUser'), `runAsUser must be set (allowed ranges: ${formatRanges(user.ranges)})`));
    else if (!inRanges(uid, user.ranges)) reasons.push(reason(p, securityContextPath(kind, i, 'runAsUser'), `runAsUser ${uid} is not in the allowed ranges: ${formatRanges(user.ranges)}`));
  } else if (user.rule === 'MustRunAsNonRoot') {
    const uid = sc?.runAsUser ?? podSC?.runAsUser;
    const nonRoot = sc?.runAsNonRoot ?? podSC?.runAsNonRoot;
    if (!isSet(nonRoot) && !isSet(uid)) reasons.push(reason(p, securityContextPath(kind, i, 'runAsNonRoot'), 'runAsNonRoot must be true or runAsUser must be set to a non-zero UID'));
    else if (nonRoot === false) reasons.push(reason(p, securityContextPath(kind, i, 'runAsNonRoot'), 'runAsNonRoot must be true'));
    else if (uid === 0) reasons.push(reason(p, securityContextPath(kind, i, 'runAsUser'), 'running with the root UID is forbidden'));
  }

  const group = c.runAsGroup.validate;
  if (group.specified && group.rule !== 'RunAsAny') {
    const gid = sc?.runAsGroup ?? podSC?.runAsGroup;
    if (!isSet(gid)) {
      if (group.rule === 'MustRunAs') reasons.push(reason(p, securityContextPath(kind, i, 'runAsGroup'), `runAsGroup must be set (allowed ranges: ${formatRanges(group.ranges)})`));
    } else if (!inRanges(gid, group.ranges)) {
      reasons.push(reason(p, securityContextPath(kind, i, 'runAsGroup'), `runAsGroup ${gid} is not in the allowed ranges: ${formatRanges(group.ranges)}`));
    }
  }

  if (p.seLinuxMustRunAs) validateSELinux(reasons, p, sc?.seLinuxOptions ?? podSC?.seLinuxOptions, securityContextPath(kind, i, 'seLinuxOptions'));

  if (p.appArmorAllowed !== null) {
    const profile = containerAppArmorProfile(pod, container, facts.appArmorAnnotated);
    if (profile === '') {
      if (p.appArmorAllowed.size > 0) {
        reasons.push(reason(p, `metadata.annotations[${keyFor(appArmorKeys, APPARMOR_CONTAINER_ANNOTATION_PREFIX, container.name)}]`, 'AppArmor profile must be set'));
      }
    } else if (!p.appArmorAllowed.has(profile)) {
      reasons.push(
        reason(
          p,
          `metadata.annotations[${keyFor(appArmorKeys, APPARMOR_CONTAINER_ANNOTATION_PREFIX, container.name)}]`,
          `AppArmor profile ${profile} is not allowed; allowed: ${[...p.appArmorAllowed].join(', ')}`,
        ),
      );
    }
  }

  if (!p.seccompAllowAny) {
    const seccomp = seccompProblem(p, containerSeccompProfile(pod, container, facts.seccompAnnotated, facts.seccompProfile));
    if (seccomp !== undefined) reasons.push(reason(p, containerSeccompPath(pod, container, containerPath(kind, i)), seccomp));
  }

  if (!c.privileged.validate.allowPrivileged && sc?.privileged === true) {
    reasons.push(reason(p, securityContextPath(kind, i, 'privileged'), 'privileged containers are not allowed'));
  }

  const procMount = sc?.procMount ?? 'Default';
  if (!p.procMountAllowed.has(procMount)) reasons.push(reason(p, securityContextPath(kind, i, 'procMount'), `procMount ${procMount} is not allowed`));

  validateCapabilities(reasons, p, sc?.capabilities, kind, i);

  const ports = container.ports;
  if (ports) {
    for (let j = 0; j < ports.length; j++) {
      const hostPort = (ports[j] as (typeof ports)[number]).hostPort ?? 0;
      if (hostPort > 0 && !inRanges(hostPort, c.hostPorts.validate.ranges)) {
        reasons.push(reason(p, `${containerPath(kind, i)}.ports[${j}].hostPort`, `host port ${hostPort} is not allowed; allowed ranges: ${formatRanges(c.hostPorts.validate.ranges)}`));
      }
    }
  }

  if (c.readOnlyRootFilesystem.validate.required) {
    const readOnly = sc?.readOnlyRootFilesystem;
    if (!isSet(readOnly)) reasons.push(reason(p, securityContextPath(kind, i, 'readOnlyRootFilesystem'), 'readOnlyRootFilesystem must be set to true'));
    else if (!readOnly) reasons.push(reason(p, securityContextPath(kind, i, 'readOnlyRootFilesystem'), 'readOnlyRootFilesystem must be true'));
  }

  const escalation = sc?.allowPrivilegeEscalation;
  if (!c.privilegeEscalation.validate.allowPrivilegeEscalation && escalation !== false) {
    reasons.push(reason(p, securityContextPath(kind, i, 'allowPrivilegeEscalation'), 'allowing privilege escalation for containers is not allowed'));
  }
}

function validateCapabilities(reasons: Reason[], p: CompiledPolicy, caps: SecurityContext['capabilities'], kind: (typeof VISIT_ORDER)[number], i: number): void {
  if (!isSet(caps)) {
    // PSP's defaults always set capabilities when there are default adds or required drops.
    if (p.capabilitiesDefaultAdd.length > 0 || p.capabilitiesRequiredDrop.length > 0) {
      reasons.push(reason(p, securityContextPath(kind, i, 'capabilities'), `required capabilities are not set (must drop: ${p.capabilitiesRequiredDrop.join(', ') || 'none'})`));
    }
    return;
  }
  // `*` in allowedCapabilities skipped every capability check, required drops included.
  if (p.controls.capabilities.validate.allowAny) return;
  const add = caps.add ?? [];
  for (let j = 0; j < add.length; j++) {
    const cap = add[j] as string;
    if (!p.capabilitiesAllowed.has(cap)) reasons.push(reason(p, `${securityContextPath(kind, i, 'capabilities')}.add[${j}]`, `capability ${cap} may not be added`));
  }
  const drops = asList(caps.drop);
  for (const cap of p.capabilitiesRequiredDrop) {
    // Literal membership: dropping ALL does not by itself satisfy a required drop of NET_RAW.
    if (!drops.includes(cap)) reasons.push(reason(p, `${securityContextPath(kind, i, 'capabilities')}.drop`, `capability ${cap} must be dropped`));
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
  const { verdict, pod: result } = evaluateVerdict(policy, pod, options.operation ?? 'CREATE');
  return { ...verdict, pod: result };
}

/**
 * {@link evaluatePolicy} with the verdict and the pod apart, so that `admit` keeps each verdict as
 * it is instead of copying it without the pod.
 * @internal
 */
export function evaluateVerdict(policy: PolicyIR, pod: Pod, operation: AdmissionOperation): { verdict: PolicyVerdict; pod: Pod } {
  const compiled = compile(policy);
  const draft = new PodDraft(pod);
  applyDefaults(compiled, draft);
  const reasons = validatePod(compiled, draft.pod);
  const mutations: JsonPatchOp[] = draft.ops;
  const mutated = draft.changed;
  if (operation === 'UPDATE') {
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
    return { verdict: { policy: policy.name, allowed: reasons.length === 0 && !mutated, mutated, mutations, reasons }, pod };
  }
  return { verdict: { policy: policy.name, allowed: reasons.length === 0, mutated, mutations, reasons }, pod: draft.pod };
}
