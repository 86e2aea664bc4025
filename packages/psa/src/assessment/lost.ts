/**
 * What a namespace loses when a PodSecurityPolicy is replaced by a Pod Security level: the
 * restrictions PSA at that level does not enforce (they must come from Gatekeeper, Kyverno or
 * ValidatingAdmissionPolicy), and the defaults PSP wrote into pods, which PSA, being validation
 * only, never writes. One handler per IR control (`satisfies Record<ControlKind, ...>`), so a new
 * control cannot be forgotten here.
 */
import { CONTROL_KINDS, FS_TYPES, classifySysctl, type ControlKind, type Controls } from '@psp-translate/core';
import type { CheckId } from '../checks/check.js';
import { BASELINE_CAPABILITIES, RESTRICTED_ADDABLE_CAPABILITIES } from '../checks/capabilities.js';
import { RESTRICTED_VOLUME_SOURCES } from '../checks/restricted-volumes.js';
import { baselineSysctls } from '../checks/sysctls.js';
import { checksFor } from '../evaluate.js';
import type { Level } from '../version.js';
import { allowsAllHostPorts, allowsVolumeType, formatList, formatRanges, type PolicyFacts } from './facts.js';

/** A restriction the PSP enforced that the Pod Security level does not. */
export interface LostProtection {
  readonly control: ControlKind;
  /** The PSP fields that expressed it. */
  readonly fields: readonly string[];
  /** What PSP enforced and what the level admits instead. */
  readonly message: string;
}

/**
 * What happens to a pod that relied on a PSP default once only PSA decides:
 * - `rejected`: the level requires the value PSP used to set, so the pod is now rejected;
 * - `changed`: the pod is admitted but runs without the value;
 * - `unchanged`: the default was what Kubernetes does anyway when the field is unset.
 */
export type LostDefaultEffect = 'rejected' | 'changed' | 'unchanged';

/** A default PSP wrote into pods that PSA does not. */
export interface LostDefault {
  readonly control: ControlKind;
  readonly fields: readonly string[];
  /** What PSP set, e.g. `runAsNonRoot: true` or `capabilities.drop: [ALL]`. */
  readonly value: string;
  readonly effect: LostDefaultEffect;
  /** One line for the user: what PSP did, what happens now, what to do. */
  readonly message: string;
}

/** The Pod Security level and version a namespace would enforce. */
interface Target {
  readonly level: Level;
  readonly minor: number;
  /** True when check `id` runs at the level and version. */
  readonly active: (id: CheckId) => boolean;
}

type ProtectionHandler<K extends ControlKind> = (control: Controls[K], facts: PolicyFacts, target: Target) => LostProtection[];

const PSP_VOLUME_TYPES: readonly string[] = FS_TYPES.filter((t) => t !== '*').sort();

function lost<K extends ControlKind>(control: K, fields: readonly string[], message: string): LostProtection[] {
  return [{ control, fields, message }];
}

function levelText(target: Target): string {
  return target.level === 'privileged' ? 'privileged' : `${target.level}:v1.${target.minor}`;
}

const protectionHandlers: { [K in ControlKind]: ProtectionHandler<K> } = {
  privileged: (c, _f, t) =>
    !c.validate.allowPrivileged && !t.active('privileged') ? lost('privileged', ['spec.privileged'], 'no privileged containers (spec.privileged: false)') : [],

  hostNamespaces: (c, _f, t) => {
    if (t.active('hostNamespaces')) return [];
    const fields = [
      ...(c.validate.allowHostNetwork ? [] : ['spec.hostNetwork']),
      ...(c.validate.allowHostPID ? [] : ['spec.hostPID']),
      ...(c.validate.allowHostIPC ? [] : ['spec.hostIPC']),
    ];
    return fields.length === 0 ? [] : lost('hostNamespaces', fields, `no host namespaces (${fields.map((f) => `${f}: false`).join(', ')})`);
  },

  hostPorts: (c, _f, t) => {
    const ranges = c.validate.ranges;
    if (t.active('hostPorts') || allowsAllHostPorts(ranges)) return [];
    const what = ranges.length === 0 ? 'no host ports' : `host ports only in ${formatRanges(ranges)}`;
    return lost('hostPorts', ['spec.hostPorts'], `${what} (spec.hostPorts)`);
  },

  volumes: (_c, f, t) => {
    if (f.volumeTypes === null) return [];
    const admitted = t.active('restrictedVolumes')
      ? PSP_VOLUME_TYPES.filter((type) => RESTRICTED_VOLUME_SOURCES.has(type))
      : t.active('hostPathVolumes')
        ? PSP_VOLUME_TYPES.filter((type) => type !== 'hostPath')
        : PSP_VOLUME_TYPES;
    const extra = admitted.filter((type) => !f.volumeTypes?.has(type));
    if (extra.length === 0) return [];
    const allowed = f.volumeTypes.size === 0 ? 'no volumes' : `volume types limited to ${formatList([...f.volumeTypes].sort())}`;
    return lost('volumes', ['spec.volumes'], `${allowed} (spec.volumes); ${levelText(t)} also admits ${formatList(extra)}`);
  },

  hostPaths: (c, f, t) => {
    if (c.validate.allowed.length === 0 || !allowsVolumeType(f, 'hostPath') || t.active('hostPathVolumes') || t.active('restrictedVolumes')) return [];
    const prefixes = c.validate.allowed.map((a) => `${a.pathPrefix}${a.readOnly ? ' (read-only)' : ''}`);
    return lost('hostPaths', ['spec.allowedHostPaths'], `hostPath volumes only under ${prefixes.join(', ')} (spec.allowedHostPaths)`);
  },

  flexVolumeDrivers: (c, f, t) => {
    if (c.validate.allowedDrivers.length === 0 || !allowsVolumeType(f, 'flexVolume') || t.active('restrictedVolumes')) return [];
    return lost('flexVolumeDrivers', ['spec.allowedFlexVolumes'], `flexVolume drivers limited to ${formatList(c.validate.allowedDrivers)} (spec.allowedFlexVolumes)`);
  },

  // Every level admits inline CSI volumes whatever their driver.
  csiDrivers: (c, f) => {
    if (c.validate.allowedDrivers.length === 0 || !allowsVolumeType(f, 'csi')) return [];
    return lost('csiDrivers', ['spec.allowedCSIDrivers'], `inline CSI drivers limited to ${formatList(c.validate.allowedDrivers)} (spec.allowedCSIDrivers)`);
  },

  readOnlyRootFilesystem: (c) =>
    c.validate.required
      ? lost('readOnlyRootFilesystem', ['spec.readOnlyRootFilesystem'], 'read-only root filesystems (spec.readOnlyRootFilesystem: true); no level checks it')
      : [],

  privilegeEscalation: (c, _f, t) =>
    !c.validate.allowPrivilegeEscalation && !t.active('allowPrivilegeEscalation')
      ? lost('privilegeEscalation', ['spec.allowPrivilegeEscalation'], 'no privilege escalation (spec.allowPrivilegeEscalation: false)')
      : [],

  capabilities: (c, f, t) => {
    const out: LostProtection[] = [];
    if (f.addableCapabilities !== null) {
      const levelAdds = t.active('capabilities_restricted') ? RESTRICTED_ADDABLE_CAPABILITIES : t.active('capabilities_baseline') ? BASELINE_CAPABILITIES : null;
      const own = f.addableCapabilities.size === 0 ? 'no added capabilities' : `added capabilities limited to ${formatList([...f.addableCapabilities].sort())}`;
      if (levelAdds === null) {
        out.push(...lost('capabilities', ['spec.allowedCapabilities'], `${own} (spec.allowedCapabilities); ${levelText(t)} admits any`));
      } else {
        const extra = [...levelAdds].filter((cap) => !f.addableCapabilities?.has(cap)).sort();
        if (extra.length > 0) out.push(...lost('capabilities', ['spec.allowedCapabilities'], `${own} (spec.allowedCapabilities); ${levelText(t)} also admits ${formatList(extra)}`));
      }
    }
    if (c.validate.requiredDrop.length > 0 && !t.active('capabilities_restricted')) {
      out.push(...lost('capabilities', ['spec.requiredDropCapabilities'], `containers must drop ${formatList(c.validate.requiredDrop)} (spec.requiredDropCapabilities)`));
    }
    return out;
  },

  runAsUser: (c, _f, t) => {
    const v = c.validate;
    if (v.rule === 'MustRunAsNonRoot' && !t.active('runAsNonRoot')) {
      return lost('runAsUser', ['spec.runAsUser.rule'], 'containers must not run as root (spec.runAsUser.rule: MustRunAsNonRoot)');
    }
    if (v.rule === 'MustRunAs') {
      const partly = t.active('runAsNonRoot') ? `; ${levelText(t)} only requires non-root` : '';
      return lost('runAsUser', ['spec.runAsUser.ranges'], `UIDs limited to ${formatRanges(v.ranges)} (spec.runAsUser.ranges)${partly}`);
    }
    return [];
  },

  runAsGroup: (c) =>
    c.validate.specified && c.validate.rule !== 'RunAsAny'
      ? lost('runAsGroup', ['spec.runAsGroup'], `GIDs limited to ${formatRanges(c.validate.ranges)}${c.validate.rule === 'MustRunAs' ? ', and set' : ' when set'} (spec.runAsGroup: ${c.validate.rule})`)
      : [],

  supplementalGroups: (c) =>
    c.validate.rule !== 'RunAsAny'
      ? lost('supplementalGroups', ['spec.supplementalGroups'], `supplemental groups limited to ${formatRanges(c.validate.ranges)} (spec.supplementalGroups: ${c.validate.rule})`)
      : [],

  fsGroup: (c) =>
    c.validate.rule !== 'RunAsAny'
      ? lost('fsGroup', ['spec.fsGroup'], `fsGroup limited to ${formatRanges(c.validate.ranges)} (spec.fsGroup: ${c.validate.rule})`)
      : [],

  seLinux: (c) => {
    const o = c.validate.options;
    if (c.validate.rule !== 'MustRunAs' || o === null) return [];
    const parts = (['user', 'role', 'type', 'level'] as const).filter((k) => o[k]).map((k) => `${k} ${o[k] ?? ''}`);
    return lost('seLinux', ['spec.seLinux'], `SELinux options fixed to ${parts.length > 0 ? parts.join(', ') : 'none'} (spec.seLinux: MustRunAs); no level pins a label`);
  },

  procMount: (c, _f, t) => {
    if (c.validate.allowed.some((type) => type !== 'Default') || t.active('procMount_restricted')) return [];
    if (!t.active('procMount')) return lost('procMount', ['spec.allowedProcMountTypes'], 'procMount Default only (spec.allowedProcMountTypes)');
    if (t.minor < 35) return [];
    return lost(
      'procMount',
      ['spec.allowedProcMountTypes'],
      `procMount Default only, also in pods with their own user namespace (hostUsers: false), which ${levelText(t)} lets unmask /proc (spec.allowedProcMountTypes)`,
    );
  },

  sysctls: (c, _f, t) => {
    const { forbidden, allowedUnsafe } = c.validate;
    const fields = ['spec.forbiddenSysctls', 'spec.allowedUnsafeSysctls'];
    if (!t.active('sysctls')) {
      if (allowedUnsafe.includes('*') && forbidden.length === 0) return [];
      const unsafe = allowedUnsafe.length > 0 ? ` and ${formatList(allowedUnsafe)}` : '';
      const forbids = forbidden.length > 0 ? `, never ${formatList(forbidden)}` : '';
      return lost('sysctls', fields, `sysctls limited to the safe set${unsafe}${forbids} (spec.allowedUnsafeSysctls, spec.forbiddenSysctls); ${levelText(t)} admits any`);
    }
    const refused = baselineSysctls(t.minor).filter((name) => {
      const decision = classifySysctl(name, forbidden, allowedUnsafe);
      return decision === 'forbidden' || decision === 'unsafe';
    });
    if (refused.length === 0) return [];
    return lost('sysctls', fields, `sysctls ${formatList(refused)} not allowed (spec.forbiddenSysctls, spec.allowedUnsafeSysctls); ${levelText(t)} allows them`);
  },

  seccomp: (_c, f, t) => {
    if (f.seccompAny) return [];
    const restricted = t.active('seccompProfile_restricted');
    const baseline = restricted || t.active('seccompProfile_baseline');
    const localhost = [...f.seccompListed].filter((p) => p.startsWith('localhost/'));
    const extra: string[] = [];
    if (!baseline && !f.seccompUnconfined) extra.push('unconfined');
    if (!restricted && !f.seccompUnset) extra.push('no profile');
    if (!f.seccompListed.has('runtime/default') && !f.seccompListed.has('docker/default')) extra.push('runtime/default');
    extra.push(localhost.length === 0 ? 'any localhost/ profile' : 'other localhost/ profiles');
    const own = f.seccompNone ? 'no seccomp profile' : `seccomp profiles limited to ${formatList([...f.seccompListed].sort())}`;
    const field = 'metadata.annotations["seccomp.security.alpha.kubernetes.io/allowedProfileNames"]';
    return lost('seccomp', [field], `${own} (${field}); ${levelText(t)} also admits ${extra.join(', ')}`);
  },

  appArmor: (c, _f, t) => {
    const allowed = c.validate.allowed;
    if (allowed === null) return [];
    const extra: string[] = [];
    if (!t.active('appArmorProfile') && !allowed.includes('unconfined')) extra.push('unconfined');
    if (!allowed.includes('runtime/default')) extra.push('runtime/default');
    extra.push(allowed.some((p) => p.startsWith('localhost/')) ? 'other localhost/ profiles' : 'any localhost/ profile');
    const own = allowed.length === 0 ? 'no AppArmor profile' : `AppArmor profiles limited to ${formatList(allowed)}`;
    const field = 'metadata.annotations["apparmor.security.beta.kubernetes.io/allowedProfileNames"]';
    return lost('appArmor', [field], `${own} (${field}); ${levelText(t)} also admits ${extra.join(', ')}`);
  },

  runtimeClass: (c) => {
    const allowed = c.validate.allowed;
    if (allowed === null || allowed.includes('*')) return [];
    const what = allowed.length === 0 ? 'no runtime class' : `runtime classes limited to ${formatList(allowed)}`;
    return lost('runtimeClass', ['spec.runtimeClass.allowedRuntimeClassNames'], `${what} (spec.runtimeClass.allowedRuntimeClassNames); no level checks it`);
  },
};

type DefaultHandler<K extends ControlKind> = (control: Controls[K], target: Target) => LostDefault[];

const EFFECT_TEXT: Record<LostDefaultEffect, string> = {
  rejected: 'pods that relied on it are now rejected, unless they set it themselves or a mutating policy (Gatekeeper, Kyverno) sets it',
  changed: 'pods that relied on it now run without it, unless a mutating policy (Gatekeeper, Kyverno) sets it',
  unchanged: 'no change: Kubernetes behaves so when the field is unset',
};

function lostDefault<K extends ControlKind>(control: K, fields: readonly string[], value: string, effect: LostDefaultEffect, what: string): LostDefault[] {
  return [{ control, fields, value, effect, message: `PSP set ${value} ${what}; ${EFFECT_TEXT[effect]}` }];
}

const CONTAINERS = 'on containers that left it unset';

const defaultHandlers: { [K in ControlKind]: DefaultHandler<K> } = {
  privileged: () => [],
  hostNamespaces: () => [],
  hostPorts: () => [],
  volumes: () => [],
  hostPaths: () => [],
  flexVolumeDrivers: () => [],
  csiDrivers: () => [],
  readOnlyRootFilesystem: (c) =>
    c.defaults ? lostDefault('readOnlyRootFilesystem', ['spec.readOnlyRootFilesystem'], 'readOnlyRootFilesystem: true', 'changed', CONTAINERS) : [],
  privilegeEscalation: (c, t) => {
    if (!c.defaults) return [];
    const value = c.defaults.allowPrivilegeEscalation;
    const effect: LostDefaultEffect = value ? 'unchanged' : t.active('allowPrivilegeEscalation') ? 'rejected' : 'changed';
    return lostDefault('privilegeEscalation', ['spec.defaultAllowPrivilegeEscalation', 'spec.allowPrivilegeEscalation'], `allowPrivilegeEscalation: ${value}`, effect, CONTAINERS);
  },
  capabilities: (c, t) => {
    if (!c.defaults) return [];
    const out: LostDefault[] = [];
    if (c.defaults.add.length > 0) {
      out.push(...lostDefault('capabilities', ['spec.defaultAddCapabilities'], `capabilities.add: [${c.defaults.add.join(', ')}]`, 'changed', 'on containers that did not drop them'));
    }
    if (c.defaults.drop.length > 0) {
      const effect: LostDefaultEffect = c.defaults.drop.includes('ALL') && t.active('capabilities_restricted') ? 'rejected' : 'changed';
      out.push(...lostDefault('capabilities', ['spec.requiredDropCapabilities'], `capabilities.drop: [${c.defaults.drop.join(', ')}]`, effect, 'on every container'));
    }
    return out;
  },
  runAsUser: (c, t) => {
    const d = c.defaults;
    if (!d) return [];
    if ('runAsUser' in d) return lostDefault('runAsUser', ['spec.runAsUser.ranges'], `runAsUser: ${d.runAsUser}`, 'changed', 'on containers without a UID');
    const effect: LostDefaultEffect = t.active('runAsNonRoot') ? 'rejected' : 'changed';
    return lostDefault('runAsUser', ['spec.runAsUser.rule'], 'runAsNonRoot: true', effect, 'on containers that set neither runAsNonRoot nor runAsUser');
  },
  runAsGroup: (c) => (c.defaults ? lostDefault('runAsGroup', ['spec.runAsGroup.ranges'], `runAsGroup: ${c.defaults.runAsGroup}`, 'changed', 'on containers without a GID') : []),
  supplementalGroups: (c) =>
    c.defaults
      ? lostDefault('supplementalGroups', ['spec.supplementalGroups.ranges'], `supplementalGroups: [${c.defaults.supplementalGroups.join(', ')}]`, 'changed', 'on pods without any')
      : [],
  fsGroup: (c) => (c.defaults ? lostDefault('fsGroup', ['spec.fsGroup.ranges'], `fsGroup: ${c.defaults.fsGroup}`, 'changed', 'on pods without one') : []),
  seLinux: (c) => {
    if (!c.defaults) return [];
    const o = c.defaults.seLinuxOptions;
    const text = (['user', 'role', 'type', 'level'] as const).filter((k) => o[k]).map((k) => `${k}: ${o[k] ?? ''}`).join(', ');
    return lostDefault('seLinux', ['spec.seLinux.seLinuxOptions'], `seLinuxOptions {${text}}`, 'changed', 'on pods and containers without any');
  },
  procMount: () => [],
  sysctls: () => [],
  seccomp: (c, t) => {
    if (!c.defaults) return [];
    const profile = c.defaults.profile;
    const acceptable = profile === 'runtime/default' || profile === 'docker/default' || profile.startsWith('localhost/');
    const effect: LostDefaultEffect = acceptable && t.active('seccompProfile_restricted') ? 'rejected' : 'changed';
    return lostDefault(
      'seccomp',
      ['metadata.annotations["seccomp.security.alpha.kubernetes.io/defaultProfileName"]'],
      `seccomp profile ${profile}`,
      effect,
      'on pods without one',
    );
  },
  appArmor: (c) =>
    c.defaults
      ? lostDefault(
          'appArmor',
          ['metadata.annotations["apparmor.security.beta.kubernetes.io/defaultProfileName"]'],
          `AppArmor profile ${c.defaults.profile}`,
          'changed',
          'on containers without one',
        )
      : [],
  runtimeClass: (c) =>
    c.defaults
      ? lostDefault('runtimeClass', ['spec.runtimeClass.defaultRuntimeClassName'], `runtimeClassName: ${c.defaults.runtimeClassName}`, 'changed', 'on pods without one')
      : [],
};

function targetFor(level: Level, minor: number): Target {
  const ids = new Set(checksFor(level, { major: 1, minor }).map((c) => c.id));
  return { level, minor, active: (id) => ids.has(id) };
}

/** The PSP's restrictions that `level` at `v1.<minor>` does not enforce, in IR control order. */
export function lostProtections(facts: PolicyFacts, level: Level, minor: number): LostProtection[] {
  const target = targetFor(level, minor);
  const out: LostProtection[] = [];
  for (const kind of CONTROL_KINDS) {
    const handler = protectionHandlers[kind] as ProtectionHandler<ControlKind>;
    out.push(...handler(facts.controls[kind], facts, target));
  }
  return out;
}

/** The PSP's defaults, each with what becomes of pods that relied on it at `level` and `v1.<minor>`. */
export function lostDefaults(facts: PolicyFacts, level: Level, minor: number): LostDefault[] {
  const target = targetFor(level, minor);
  const out: LostDefault[] = [];
  for (const kind of CONTROL_KINDS) {
    const handler = defaultHandlers[kind] as DefaultHandler<ControlKind>;
    out.push(...handler(facts.controls[kind], target));
  }
  return out;
}
