/**
 * The official mapping of PodSecurityPolicy fields to Pod Security Standards levels, as data: one
 * row per PSP field of "Mapping PodSecurityPolicies to Pod Security Standards"
 * (kubernetes/website, content/en/docs/reference/access-authn-authz/psp-to-pod-security-standards.md),
 * in the document's order. It answers "which level was this PSP meant to be?", where the strict
 * assessment answers "which level does every pod it admitted pass?".
 *
 * Each row says where a PSP's value of the field lands: `restricted` when it meets the doc's
 * Restricted requirement (or the doc has no opinion), `baseline` when it meets Baseline only,
 * `privileged` otherwise ("anything outside the allowed values ... would fall under Privileged").
 *
 * Read literally, the table puts the Kubernetes docs' own example PSPs below the levels they are
 * named after: `restricted-psp.yaml` and `baseline-psp.yaml` (content/en/examples/policy/) both
 * leave `seLinux` at RunAsAny ("assumes the nodes are using AppArmor rather than SELinux"), and
 * `baseline-psp.yaml` allows NET_RAW (the moby default set) and the `unconfined` seccomp profile,
 * which the table's Baseline excludes. A PSP without an AppArmor
 * `allowedProfileNames` is read like seLinux RunAsAny: PSP's open default for a Linux security
 * module, which says nothing about the level meant (most chart PSPs set neither). A mapping that calls the docs'
 * restricted PSP privileged tells no admin what their PSP was meant to be, so where a row's value
 * is one of those example values, the row maps it as the examples do and keeps the literal verdict
 * beside it (`tableLevel`). The pods such a value lets through are still reported: they are the
 * strict assessment's blockers, listed as gaps.
 */
import type { Level } from '../version.js';
import { allowsSomeHostPort, formatList, formatRanges, sysctlsBeyond, type PolicyFacts } from './facts.js';
import { baselineSysctls } from '../checks/sysctls.js';
import { BASELINE_CAPABILITIES } from '../checks/capabilities.js';

/** Where one PSP field's value lands in the official mapping. */
export interface FieldMapping {
  /** The level the field's value maps to: the docs' example PSPs' reading where they differ from the table. */
  readonly level: Level;
  /** The level the table, read literally, gives the value. */
  readonly tableLevel: Level;
  /** The PSP's value, as written (`RunAsAny`, `[NET_RAW, CHOWN]`, `unset`). */
  readonly value: string;
  /** Why {@link level} differs from {@link tableLevel}, when it does. */
  readonly note?: string;
}

/** One row of the official mapping table. */
export interface MappingRow {
  /** The PSP field: `spec.<field>` or `metadata.annotations["..."]`. */
  readonly field: string;
  /** The doc's "Type" column: whether PSP mutated pods through the field, validated them, or both. */
  readonly type: 'Validating' | 'Mutating' | 'Mutating & Validating';
  /** The doc's Baseline requirement (`no opinion` = every value is allowed). */
  readonly baseline: string;
  /** The doc's Restricted requirement. */
  readonly restricted: string;
  /** Where this PSP's value lands; `minor` is the policy version assessed (for the safe sysctl set). */
  readonly map: (facts: PolicyFacts, minor: number) => FieldMapping;
}

const NO_OPINION = 'no opinion';

/**
 * The doc's Baseline list for `allowedCapabilities` (and `defaultAddCapabilities`): the same set the
 * capabilities_baseline check lets containers add, so the two can never drift apart.
 */
export const MAPPING_BASELINE_CAPABILITIES: ReadonlySet<string> = BASELINE_CAPABILITIES;

/** The doc's Restricted list for `volumes`. */
export const MAPPING_RESTRICTED_VOLUMES: ReadonlySet<string> = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/** The doc's SELinux types for Baseline and Restricted (besides unset). */
export const MAPPING_SELINUX_TYPES: ReadonlySet<string> = new Set(['container_t', 'container_init_t', 'container_kvm_t']);

const EXAMPLES = 'the Kubernetes docs';
const SELINUX_NOTE = `${EXAMPLES}' restricted and baseline PSPs leave seLinux at RunAsAny ("assumes the nodes are using AppArmor rather than SELinux")`;
const NET_RAW_NOTE = `${EXAMPLES}' baseline PSP allows the moby default capability set, NET_RAW included`;
// PSP's open default for the other Linux security module: the counterpart of seLinux RunAsAny above.
const APPARMOR_NOTE = `no allowedProfileNames is PSP's open default for AppArmor, as seLinux RunAsAny is for SELinux, which ${EXAMPLES}' PSPs leave open for nodes that do not use it`;
const UNCONFINED_NOTE = `${EXAMPLES}' baseline PSP allows (and defaults to) the unconfined seccomp profile`;

function same(level: Level, value: string): FieldMapping {
  return { level, tableLevel: level, value };
}

function noOpinion(value: string): FieldMapping {
  return same('restricted', value);
}

function listValue(values: readonly string[]): string {
  return values.length === 0 ? 'unset' : `[${formatList(values)}]`;
}

function capabilityMapping(listed: readonly string[], any: boolean): FieldMapping {
  if (any) return same('privileged', '[*]');
  const value = listValue(listed);
  if (listed.every((cap) => cap === 'NET_BIND_SERVICE')) return same('restricted', value);
  if (listed.every((cap) => MAPPING_BASELINE_CAPABILITIES.has(cap))) return same('baseline', value);
  if (listed.every((cap) => MAPPING_BASELINE_CAPABILITIES.has(cap) || cap === 'NET_RAW')) {
    return { level: 'baseline', tableLevel: 'privileged', value, note: NET_RAW_NOTE };
  }
  return same('privileged', value);
}

/** Seccomp profile names as the Pod Security Standards group them. */
type SeccompClass = 'runtime' | 'localhost' | 'unset' | 'unconfined';

function seccompClass(name: string): SeccompClass | undefined {
  if (name === 'runtime/default' || name === 'docker/default') return 'runtime';
  if (name.startsWith('localhost/')) return 'localhost';
  if (name === '') return 'unset';
  if (name === 'unconfined') return 'unconfined';
  return undefined;
}

function profileListMapping(allowed: readonly string[] | null, absentMeans: 'unset only' | 'any', seccomp: boolean): FieldMapping {
  if (allowed === null) {
    // Absent seccomp list: PSP admitted only pods without a profile; absent AppArmor list: any profile.
    if (absentMeans === 'unset only') return same('baseline', 'unset (no profile allowed)');
    return { level: 'restricted', tableLevel: 'privileged', value: 'unset (any profile allowed)', note: APPARMOR_NOTE };
  }
  const value = allowed.length === 0 ? '""' : JSON.stringify(allowed.join(','));
  const classes = new Set(allowed.includes('*') ? (['runtime', 'localhost', 'unset', 'unconfined'] as const) : allowed.map(seccompClass));
  if (classes.has(undefined)) return same('privileged', value);
  if (classes.has('unconfined')) return seccomp ? { level: 'baseline', tableLevel: 'privileged', value, note: UNCONFINED_NOTE } : same('privileged', value);
  if (classes.has('unset')) return same('baseline', value);
  return same('restricted', value);
}

function flag(allowed: boolean): FieldMapping {
  return allowed ? same('privileged', 'true') : same('restricted', 'false');
}

const SECCOMP = 'seccomp.security.alpha.kubernetes.io';
const APPARMOR = 'apparmor.security.beta.kubernetes.io';

/** The mapping table, one row per PSP field, in the order of the Kubernetes doc. */
export const PSP_MAPPING: readonly MappingRow[] = [
  {
    field: 'spec.privileged',
    type: 'Validating',
    baseline: 'false / undefined / nil',
    restricted: 'false / undefined / nil',
    map: (f) => flag(f.controls.privileged.validate.allowPrivileged),
  },
  {
    field: 'spec.defaultAddCapabilities',
    type: 'Mutating & Validating',
    baseline: 'requirements match allowedCapabilities',
    restricted: 'requirements match allowedCapabilities',
    map: (f) => capabilityMapping(f.controls.capabilities.defaults?.add ?? [], false),
  },
  {
    field: 'spec.allowedCapabilities',
    type: 'Validating',
    baseline: `subset of ${formatList([...MAPPING_BASELINE_CAPABILITIES])}`,
    restricted: 'empty / undefined / nil, or only NET_BIND_SERVICE',
    map: (f) => capabilityMapping(f.controls.capabilities.validate.allowed, f.controls.capabilities.validate.allowAny),
  },
  {
    field: 'spec.requiredDropCapabilities',
    type: 'Mutating & Validating',
    baseline: NO_OPINION,
    restricted: 'must include ALL',
    map: (f) => {
      const drop = f.controls.capabilities.validate.requiredDrop;
      return same(drop.includes('ALL') ? 'restricted' : 'baseline', listValue(drop));
    },
  },
  {
    field: 'spec.volumes',
    type: 'Validating',
    baseline: 'anything except hostPath and *',
    restricted: `subset of ${formatList([...MAPPING_RESTRICTED_VOLUMES])}`,
    map: (f) => {
      const v = f.controls.volumes.validate;
      if (v.anyType) return same('privileged', '[*]');
      const value = listValue([...v.allowedTypes]);
      if (v.allowedTypes.includes('hostPath')) return same('privileged', value);
      return same(v.allowedTypes.every((t) => MAPPING_RESTRICTED_VOLUMES.has(t)) ? 'restricted' : 'baseline', value);
    },
  },
  {
    field: 'spec.hostNetwork',
    type: 'Validating',
    baseline: 'false / undefined / nil',
    restricted: 'false / undefined / nil',
    map: (f) => flag(f.controls.hostNamespaces.validate.allowHostNetwork),
  },
  {
    field: 'spec.hostPorts',
    type: 'Validating',
    baseline: 'undefined / nil / empty',
    restricted: 'undefined / nil / empty',
    // A range holding only port 0 opens no host port (0 means "no host port").
    map: (f) => {
      const ranges = f.controls.hostPorts.validate.ranges;
      return same(allowsSomeHostPort(ranges) ? 'privileged' : 'restricted', ranges.length === 0 ? 'unset' : formatRanges(ranges));
    },
  },
  {
    field: 'spec.hostPID',
    type: 'Validating',
    baseline: 'false / undefined / nil',
    restricted: 'false / undefined / nil',
    map: (f) => flag(f.controls.hostNamespaces.validate.allowHostPID),
  },
  {
    field: 'spec.hostIPC',
    type: 'Validating',
    baseline: 'false / undefined / nil',
    restricted: 'false / undefined / nil',
    map: (f) => flag(f.controls.hostNamespaces.validate.allowHostIPC),
  },
  {
    field: 'spec.seLinux',
    type: 'Mutating & Validating',
    baseline: `rule MustRunAs, user and role unset, type unset or one of ${formatList([...MAPPING_SELINUX_TYPES])}, any level`,
    restricted: `rule MustRunAs, user and role unset, type unset or one of ${formatList([...MAPPING_SELINUX_TYPES])}, any level`,
    map: (f) => {
      const v = f.controls.seLinux.validate;
      if (v.rule !== 'MustRunAs') return { level: 'restricted', tableLevel: 'privileged', value: `rule ${v.rule}`, note: SELINUX_NOTE };
      const o = v.options ?? {};
      const value = `MustRunAs {${(['user', 'role', 'type', 'level'] as const).filter((k) => o[k]).map((k) => `${k}: ${o[k] ?? ''}`).join(', ')}}`;
      const fits = !o.user && !o.role && (!o.type || MAPPING_SELINUX_TYPES.has(o.type));
      return same(fits ? 'restricted' : 'privileged', value);
    },
  },
  {
    field: 'spec.runAsUser',
    type: 'Mutating & Validating',
    baseline: 'anything',
    restricted: 'rule MustRunAsNonRoot',
    map: (f) => {
      const rule = f.controls.runAsUser.validate.rule;
      return same(rule === 'MustRunAsNonRoot' ? 'restricted' : 'baseline', `rule ${rule}`);
    },
  },
  {
    field: 'spec.runAsGroup',
    type: 'Mutating & Validating',
    baseline: NO_OPINION,
    restricted: NO_OPINION,
    map: (f) => noOpinion(f.controls.runAsGroup.validate.specified ? `rule ${f.controls.runAsGroup.validate.rule}` : 'unset'),
  },
  {
    field: 'spec.supplementalGroups',
    type: 'Mutating & Validating',
    baseline: NO_OPINION,
    restricted: NO_OPINION,
    map: (f) => noOpinion(`rule ${f.controls.supplementalGroups.validate.rule}`),
  },
  {
    field: 'spec.fsGroup',
    type: 'Mutating & Validating',
    baseline: NO_OPINION,
    restricted: NO_OPINION,
    map: (f) => noOpinion(`rule ${f.controls.fsGroup.validate.rule}`),
  },
  {
    field: 'spec.readOnlyRootFilesystem',
    type: 'Mutating & Validating',
    baseline: NO_OPINION,
    restricted: NO_OPINION,
    map: (f) => noOpinion(String(f.controls.readOnlyRootFilesystem.validate.required)),
  },
  {
    field: 'spec.defaultAllowPrivilegeEscalation',
    type: 'Mutating',
    baseline: NO_OPINION,
    restricted: NO_OPINION,
    map: (f) => noOpinion(f.controls.privilegeEscalation.defaults === null ? 'unset' : String(f.controls.privilegeEscalation.defaults.allowPrivilegeEscalation)),
  },
  {
    field: 'spec.allowPrivilegeEscalation',
    type: 'Mutating & Validating',
    baseline: NO_OPINION,
    restricted: 'false',
    map: (f) => (f.controls.privilegeEscalation.validate.allowPrivilegeEscalation ? same('baseline', 'true or unset') : same('restricted', 'false')),
  },
  {
    field: 'spec.allowedHostPaths',
    type: 'Validating',
    baseline: `${NO_OPINION} (volumes takes precedence)`,
    restricted: `${NO_OPINION} (volumes takes precedence)`,
    map: (f) => noOpinion(listValue(f.controls.hostPaths.validate.allowed.map((a) => a.pathPrefix))),
  },
  {
    field: 'spec.allowedFlexVolumes',
    type: 'Validating',
    baseline: `${NO_OPINION} (volumes takes precedence)`,
    restricted: `${NO_OPINION} (volumes takes precedence)`,
    map: (f) => noOpinion(listValue(f.controls.flexVolumeDrivers.validate.allowedDrivers)),
  },
  {
    field: 'spec.allowedCSIDrivers',
    type: 'Validating',
    baseline: `${NO_OPINION} (volumes takes precedence)`,
    restricted: `${NO_OPINION} (volumes takes precedence)`,
    map: (f) => noOpinion(listValue(f.controls.csiDrivers.validate.allowedDrivers)),
  },
  {
    field: 'spec.allowedUnsafeSysctls',
    type: 'Validating',
    baseline: 'undefined / nil / empty',
    restricted: 'undefined / nil / empty',
    map: (f, minor) => {
      const listed = f.controls.sysctls.validate.allowedUnsafe;
      if (listed.length === 0) return same('restricted', 'unset');
      const unsafe = sysctlsBeyond(f, new Set(baselineSysctls(minor)));
      if (unsafe.length > 0) return same('privileged', listValue(listed));
      // Listing a sysctl the standards call safe (or one forbiddenSysctls takes back) allows nothing unsafe.
      return { level: 'restricted', tableLevel: 'privileged', value: listValue(listed), note: `every entry is in the safe set of v1.${minor} or forbidden` };
    },
  },
  {
    field: 'spec.forbiddenSysctls',
    type: 'Validating',
    baseline: NO_OPINION,
    restricted: NO_OPINION,
    map: (f) => noOpinion(listValue(f.controls.sysctls.validate.forbidden)),
  },
  {
    field: 'spec.allowedProcMountTypes',
    type: 'Validating',
    baseline: '["Default"] or undefined / nil / empty',
    restricted: '["Default"] or undefined / nil / empty',
    map: (f) => {
      const allowed = f.controls.procMount.validate.allowed;
      return same(allowed.every((t) => t === 'Default') ? 'restricted' : 'privileged', listValue(allowed));
    },
  },
  {
    field: 'spec.runtimeClass.defaultRuntimeClassName',
    type: 'Mutating',
    baseline: NO_OPINION,
    restricted: NO_OPINION,
    map: (f) => noOpinion(f.controls.runtimeClass.defaults?.runtimeClassName ?? 'unset'),
  },
  {
    field: 'spec.runtimeClass.allowedRuntimeClassNames',
    type: 'Validating',
    baseline: NO_OPINION,
    restricted: NO_OPINION,
    map: (f) => noOpinion(f.controls.runtimeClass.validate.allowed === null ? 'unset' : listValue(f.controls.runtimeClass.validate.allowed)),
  },
  {
    field: `metadata.annotations["${SECCOMP}/defaultProfileName"]`,
    type: 'Mutating',
    baseline: NO_OPINION,
    restricted: NO_OPINION,
    map: (f) => noOpinion(f.controls.seccomp.defaults?.profile ?? 'unset'),
  },
  {
    field: `metadata.annotations["${SECCOMP}/allowedProfileNames"]`,
    type: 'Validating',
    baseline: '"runtime/default," (trailing comma to allow unset); localhost/* also permitted',
    restricted: '"runtime/default" (no trailing comma); localhost/* also permitted',
    map: (f) => profileListMapping(f.controls.seccomp.validate.allowed, 'unset only', true),
  },
  {
    field: `metadata.annotations["${APPARMOR}/defaultProfileName"]`,
    type: 'Mutating',
    baseline: NO_OPINION,
    restricted: NO_OPINION,
    map: (f) => noOpinion(f.controls.appArmor.defaults?.profile ?? 'unset'),
  },
  {
    field: `metadata.annotations["${APPARMOR}/allowedProfileNames"]`,
    type: 'Validating',
    baseline: '"runtime/default," (trailing comma to allow unset); localhost/* also permitted',
    restricted: '"runtime/default" (no trailing comma); localhost/* also permitted',
    map: (f) => profileListMapping(f.controls.appArmor.validate.allowed, 'any', false),
  },
];

/** A PSP field whose value keeps the PSP from mapping to restricted. */
export interface MappedField extends FieldMapping {
  readonly field: string;
  /** The table's requirement the value misses, read literally: Baseline's when {@link FieldMapping.tableLevel} is privileged, else Restricted's. */
  readonly requirement: string;
}

/** The official mapping of one PSP: its level, and the fields that keep it from a stricter one. */
export interface PolicyMapping {
  /** The least strict level among the rows. */
  readonly level: Level;
  /** Every row whose value maps below restricted (or maps differently from the literal table), in table order. */
  readonly fields: readonly MappedField[];
}

const ORDER: Readonly<Record<Level, number>> = { privileged: 0, baseline: 1, restricted: 2 };

/** Maps a PSP's fields through {@link PSP_MAPPING}, at policy version `v1.<minor>`. */
export function mapPolicy(facts: PolicyFacts, minor: number): PolicyMapping {
  let level: Level = 'restricted';
  const fields: MappedField[] = [];
  for (const row of PSP_MAPPING) {
    const mapped = row.map(facts, minor);
    if (ORDER[mapped.level] < ORDER[level]) level = mapped.level;
    if (mapped.level !== 'restricted' || mapped.tableLevel !== mapped.level) {
      fields.push({ field: row.field, ...mapped, requirement: mapped.tableLevel === 'privileged' ? `baseline: ${row.baseline}` : `restricted: ${row.restricted}` });
    }
  }
  return { level, fields };
}
