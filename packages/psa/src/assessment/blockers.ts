/**
 * For every Pod Security Standards check: can a PodSecurityPolicy admit a pod (after its defaults)
 * that fails the check? Decided from the IR controls alone, one analysis per check ID, so a check
 * added to the table fails to compile here until someone thinks it through.
 *
 * The analyses model pods the API server accepts (seccomp annotations and fields agree and are
 * mirrored, HostProcess pods use the host network, profile types are valid) as PSP-era clusters
 * had them: the pod-level `appArmorProfile` field (1.30+) postdates PSP, which never read it for a
 * container that had its own profile.
 */
import type { CheckId } from '../checks/check.js';
import { BASELINE_CAPABILITIES, RESTRICTED_ADDABLE_CAPABILITIES } from '../checks/capabilities.js';
import { RESTRICTED_VOLUME_SOURCES } from '../checks/restricted-volumes.js';
import { baselineSeLinuxTypes } from '../checks/se-linux-options.js';
import { baselineSysctls } from '../checks/sysctls.js';
import { allowsSomeHostPort, allowsVolumeType, formatList, formatRanges, sysctlsBeyond, type PolicyFacts } from './facts.js';

/** Why a policy can admit a pod that fails a check. */
export interface Finding {
  /** What the policy allows, then the PSP fields in parentheses: `allows privileged containers (spec.privileged: true)`. */
  readonly reason: string;
  /** The PSP fields responsible (dotted paths, annotations as `metadata.annotations[...]`). */
  readonly fields: readonly string[];
}

/** `undefined` = every pod the policy admits passes the check at policy version `v1.<minor>`. */
export type CheckAnalysis = (facts: PolicyFacts, minor: number) => Finding | undefined;

const SECCOMP_ALLOWED = 'metadata.annotations["seccomp.security.alpha.kubernetes.io/allowedProfileNames"]';
const SECCOMP_DEFAULT = 'metadata.annotations["seccomp.security.alpha.kubernetes.io/defaultProfileName"]';
const APPARMOR_ALLOWED = 'metadata.annotations["apparmor.security.beta.kubernetes.io/allowedProfileNames"]';

function finding(reason: string, ...fields: string[]): Finding {
  return { reason, fields };
}

// The safe list changes at a few versions only, and an assessment asks at every version: the
// sysctls a policy admits beyond each list are worked out once per (policy facts, list).
const safeSysctlSets = new WeakMap<readonly string[], ReadonlySet<string>>();
const beyondByFacts = new WeakMap<PolicyFacts, Map<readonly string[], string | null>>();

/** `allowedUnsafeSysctls` beyond `safe` as {@link formatList} writes them, `null` when none. */
function sysctlsBeyondListed(facts: PolicyFacts, safe: readonly string[]): string | null {
  let byList = beyondByFacts.get(facts);
  if (byList === undefined) beyondByFacts.set(facts, (byList = new Map()));
  const known = byList.get(safe);
  if (known !== undefined) return known;
  let safeSet = safeSysctlSets.get(safe);
  if (safeSet === undefined) safeSysctlSets.set(safe, (safeSet = new Set(safe)));
  const beyond = sysctlsBeyond(facts, safeSet);
  const listed = beyond.length === 0 ? null : formatList(beyond);
  byList.set(safe, listed);
  return listed;
}

function procMountAnalysis(facts: PolicyFacts): Finding | undefined {
  const other = facts.controls.procMount.validate.allowed.filter((t) => t !== 'Default');
  if (other.length === 0) return undefined;
  return finding(`allows procMount ${formatList(other)} (spec.allowedProcMountTypes)`, 'spec.allowedProcMountTypes');
}

function seccompUnconfined(facts: PolicyFacts): Finding | undefined {
  if (facts.seccompAny) return finding(`allows any seccomp profile, including unconfined (${SECCOMP_ALLOWED}: "*")`, SECCOMP_ALLOWED);
  if (facts.seccompListed.has('unconfined')) {
    const defaulted = facts.controls.seccomp.defaults?.profile === 'unconfined';
    return finding(
      `allows seccomp profile unconfined (${SECCOMP_ALLOWED} lists it${defaulted ? ', and defaultProfileName sets it' : ''})`,
      SECCOMP_ALLOWED,
      ...(defaulted ? [SECCOMP_DEFAULT] : []),
    );
  }
  return undefined;
}

/** One analysis per check, in the checks' own terms. */
export const checkAnalyses = {
  privileged: (facts) =>
    facts.controls.privileged.validate.allowPrivileged ? finding('allows privileged containers (spec.privileged: true)', 'spec.privileged') : undefined,

  hostNamespaces: (facts) => {
    const v = facts.controls.hostNamespaces.validate;
    const fields = [
      ...(v.allowHostNetwork ? ['spec.hostNetwork'] : []),
      ...(v.allowHostPID ? ['spec.hostPID'] : []),
      ...(v.allowHostIPC ? ['spec.hostIPC'] : []),
    ];
    if (fields.length === 0) return undefined;
    return finding(`allows host namespaces (${fields.map((f) => `${f}: true`).join(', ')})`, ...fields);
  },

  hostPathVolumes: (facts) =>
    allowsVolumeType(facts, 'hostPath')
      ? finding(`allows hostPath volumes (spec.volumes: ${facts.volumeTypes === null ? '"*"' : 'hostPath'})`, 'spec.volumes')
      : undefined,

  hostPorts: (facts) => {
    const ranges = facts.controls.hostPorts.validate.ranges;
    if (!allowsSomeHostPort(ranges)) return undefined;
    return finding(`allows host ports ${formatRanges(ranges)} (spec.hostPorts)`, 'spec.hostPorts');
  },

  capabilities_baseline: (facts) => {
    if (facts.addableCapabilities === null) return finding('allows adding any capability (spec.allowedCapabilities: "*")', 'spec.allowedCapabilities');
    const extra = [...facts.addableCapabilities].filter((cap) => !BASELINE_CAPABILITIES.has(cap)).sort();
    if (extra.length === 0) return undefined;
    return capabilityFinding(facts, extra, "beyond the container runtime's default set");
  },

  appArmorProfile: (facts) => {
    const allowed = facts.controls.appArmor.validate.allowed;
    if (allowed === null) {
      return finding(`allows any AppArmor profile, including unconfined (no ${APPARMOR_ALLOWED})`, APPARMOR_ALLOWED);
    }
    const bad = allowed.filter((p) => p !== '' && p !== 'runtime/default' && !p.startsWith('localhost/'));
    if (bad.length === 0) return undefined;
    return finding(`allows AppArmor profile ${formatList(bad)} (${APPARMOR_ALLOWED})`, APPARMOR_ALLOWED);
  },

  seLinuxOptions: (facts, minor) => {
    const v = facts.controls.seLinux.validate;
    if (v.rule !== 'MustRunAs' || v.options === null) {
      return finding('allows any SELinux options, including custom types, users and roles (spec.seLinux.rule: RunAsAny)', 'spec.seLinux.rule');
    }
    const problems: string[] = [];
    const type = v.options.type ?? '';
    if (!baselineSeLinuxTypes(minor).has(type)) problems.push(`type ${type}`);
    if (v.options.user) problems.push(`user ${v.options.user}`);
    if (v.options.role) problems.push(`role ${v.options.role}`);
    if (problems.length === 0) return undefined;
    return finding(`sets and requires SELinux ${problems.join(', ')} (spec.seLinux.seLinuxOptions)`, 'spec.seLinux.seLinuxOptions');
  },

  procMount: procMountAnalysis,
  procMount_restricted: procMountAnalysis,

  seccompProfile_baseline: seccompUnconfined,

  sysctls: (facts, minor) => {
    const beyond = sysctlsBeyondListed(facts, baselineSysctls(minor));
    if (beyond === null) return undefined;
    return finding(`allows sysctls outside the safe set of v1.${minor}: ${beyond} (spec.allowedUnsafeSysctls)`, 'spec.allowedUnsafeSysctls');
  },

  // The API server requires hostNetwork for HostProcess pods; PSP had no control of its own for them.
  windowsHostProcess: (facts) =>
    facts.controls.hostNamespaces.validate.allowHostNetwork
      ? finding('allows the host network, so Windows HostProcess pods, which PSP did not check, are admitted (spec.hostNetwork: true)', 'spec.hostNetwork')
      : undefined,

  hostProbesAndHostLifecycle: () =>
    finding('cannot forbid probe and lifecycle handler hosts (httpGet.host, tcpSocket.host): PSP had no such control; baseline forbids them from v1.34'),

  allowPrivilegeEscalation: (facts) => {
    const c = facts.controls.privilegeEscalation;
    if (!c.validate.allowPrivilegeEscalation) return undefined;
    const defaulted = c.defaults?.allowPrivilegeEscalation === false ? '; defaultAllowPrivilegeEscalation: false is only a default' : '';
    return finding(
      `allows privilege escalation (spec.allowPrivilegeEscalation: true or unset${defaulted})`,
      'spec.allowPrivilegeEscalation',
      ...(defaulted ? ['spec.defaultAllowPrivilegeEscalation'] : []),
    );
  },

  capabilities_restricted: (facts) => {
    const reasons: string[] = [];
    const fields: string[] = [];
    const v = facts.controls.capabilities.validate;
    if (!v.requiredDrop.includes('ALL')) {
      reasons.push('does not require dropping ALL capabilities (spec.requiredDropCapabilities)');
      fields.push('spec.requiredDropCapabilities');
    }
    if (facts.addableCapabilities === null) {
      reasons.push('allows adding any capability (spec.allowedCapabilities: "*")');
      fields.push('spec.allowedCapabilities');
    } else {
      const extra = [...facts.addableCapabilities].filter((cap) => !RESTRICTED_ADDABLE_CAPABILITIES.has(cap)).sort();
      if (extra.length > 0) {
        const added = capabilityFinding(facts, extra, 'beyond NET_BIND_SERVICE');
        reasons.push(added.reason);
        fields.push(...added.fields);
      }
    }
    return reasons.length === 0 ? undefined : { reason: reasons.join('; '), fields };
  },

  restrictedVolumes: (facts) => {
    if (facts.volumeTypes === null) return finding('allows every volume type (spec.volumes: "*")', 'spec.volumes');
    const bad = [...facts.volumeTypes].filter((t) => !RESTRICTED_VOLUME_SOURCES.has(t)).sort();
    if (bad.length === 0) return undefined;
    return finding(`allows volume types ${formatList(bad)} (spec.volumes)`, 'spec.volumes');
  },

  // PSA wants runAsNonRoot: true literally; no PSP rule wrote it for every container.
  runAsNonRoot: (facts) => {
    const rule = facts.controls.runAsUser.validate.rule;
    if (rule === 'RunAsAny') return finding('allows containers without runAsNonRoot: true (spec.runAsUser.rule: RunAsAny)', 'spec.runAsUser.rule');
    if (rule === 'MustRunAs') {
      return finding(
        'sets and checks runAsUser but never runAsNonRoot, which restricted requires to be true (spec.runAsUser.rule: MustRunAs)',
        'spec.runAsUser.rule',
      );
    }
    return finding(
      'admits containers that set a non-zero runAsUser without runAsNonRoot: true, and pods that set runAsNonRoot: false when every container sets true; it defaulted runAsNonRoot only where neither was set (spec.runAsUser.rule: MustRunAsNonRoot)',
      'spec.runAsUser.rule',
    );
  },

  runAsUser: (facts) => {
    const v = facts.controls.runAsUser.validate;
    if (v.rule === 'RunAsAny') return finding('allows runAsUser: 0 (spec.runAsUser.rule: RunAsAny)', 'spec.runAsUser.rule');
    if (v.rule === 'MustRunAs' && v.ranges.some((r) => r.min <= 0 && r.max >= 0)) {
      return finding(`allows runAsUser: 0 (spec.runAsUser.ranges: ${formatRanges(v.ranges)})`, 'spec.runAsUser.ranges');
    }
    return finding(
      `admits a pod-level runAsUser: 0 that every container overrides: PSP checked each container's effective UID only (spec.runAsUser.rule: ${v.rule})`,
      'spec.runAsUser.rule',
    );
  },

  seccompProfile_restricted: (facts) => {
    const unconfined = seccompUnconfined(facts);
    if (unconfined) return unconfined;
    if (!facts.seccompUnset) return undefined;
    if (facts.seccompNone) return finding(`forbids every seccomp profile, so pods run without one (no ${SECCOMP_ALLOWED})`, SECCOMP_ALLOWED);
    return finding(`admits pods without a seccomp profile (${SECCOMP_ALLOWED} lists "" and there is no defaultProfileName)`, SECCOMP_ALLOWED, SECCOMP_DEFAULT);
  },
} satisfies Record<CheckId, CheckAnalysis>;

function capabilityFinding(facts: PolicyFacts, extra: readonly string[], beyond: string): Finding {
  const defaults = new Set(facts.controls.capabilities.defaults?.add ?? []);
  const defaulted = extra.filter((cap) => defaults.has(cap));
  const fields: string[] = [];
  const where: string[] = [];
  if (extra.some((cap) => !defaults.has(cap))) {
    fields.push('spec.allowedCapabilities');
    where.push('spec.allowedCapabilities');
  }
  if (defaulted.length > 0) {
    fields.push('spec.defaultAddCapabilities');
    where.push(`spec.defaultAddCapabilities adds ${formatList(defaulted)}`);
  }
  return finding(`allows adding ${formatList(extra)} ${beyond} (${where.join('; ')})`, ...fields);
}
