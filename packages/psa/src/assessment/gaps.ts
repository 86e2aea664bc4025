/**
 * Gaps: the concrete pods a PSP admitted that the level it was meant to be (its official mapping)
 * would reject, phrased for the admin who labels the namespace. Two causes:
 * - `admitted`: the PSP let such pods through (a blocker of the strict assessment);
 * - `defaulted`: the pods relied on a PSP default that PSA, being validation only, never writes.
 */
import type { ControlKind } from '@psp-translate/core';
import type { CheckId } from '../checks/check.js';
import { BASELINE_CAPABILITIES, RESTRICTED_ADDABLE_CAPABILITIES } from '../checks/capabilities.js';
import { RESTRICTED_VOLUME_SOURCES } from '../checks/restricted-volumes.js';
import { baselineSysctls } from '../checks/sysctls.js';
import type { Level } from '../version.js';
import type { Finding } from './blockers.js';
import { formatList, formatRanges, sysctlsBeyond, type PolicyFacts } from './facts.js';
import type { LostDefault } from './lost.js';

/** A way a pod the PSP admitted fails the level the PSP maps to. */
export interface Gap {
  /** `admitted`: the PSP admitted such pods; `defaulted`: they relied on a PSP default PSA does not apply. */
  readonly cause: 'admitted' | 'defaulted';
  /** The Pod Security check that rejects them. */
  readonly check: CheckId;
  /** The PSP fields responsible. */
  readonly fields: readonly string[];
  /** Which pods, why the PSP admitted them, and the level that rejects them. */
  readonly message: string;
}

/** Which pods, and (optionally) why the PSP admitted them, replacing the blocker's own reason. */
interface PodsPhrase {
  readonly pods: string;
  readonly why?: string;
}

type GapPhraser = (facts: PolicyFacts, minor: number) => readonly PodsPhrase[];

const HOST_NAMESPACE_NAMES: Readonly<Record<string, string>> = { 'spec.hostNetwork': 'network', 'spec.hostPID': 'PID', 'spec.hostIPC': 'IPC' };

/** Which pods each check rejects among those the PSP admits, in an admin's words. */
const phrasers = {
  privileged: () => [{ pods: 'pods with privileged containers' }],
  hostNamespaces: (f) => {
    const v = f.controls.hostNamespaces.validate;
    const names = [v.allowHostNetwork && 'spec.hostNetwork', v.allowHostPID && 'spec.hostPID', v.allowHostIPC && 'spec.hostIPC']
      .filter((x): x is string => typeof x === 'string')
      .map((field) => HOST_NAMESPACE_NAMES[field]);
    return [{ pods: `pods that share the host's ${names.join(', ')} namespace${names.length > 1 ? 's' : ''}` }];
  },
  hostPathVolumes: () => [{ pods: 'pods with hostPath volumes' }],
  hostPorts: () => [{ pods: 'pods that use host ports' }],
  capabilities_baseline: (f) => {
    const extra = f.addableCapabilities === null ? null : [...f.addableCapabilities].filter((cap) => !BASELINE_CAPABILITIES.has(cap)).sort();
    return [{ pods: extra === null ? "pods that add capabilities beyond the container runtime's default set" : `pods whose containers add ${formatList(extra)}` }];
  },
  appArmorProfile: (f) => {
    const allowed = f.controls.appArmor.validate.allowed;
    const bad = allowed === null ? ['unconfined'] : allowed.filter((p) => p !== '' && p !== 'runtime/default' && !p.startsWith('localhost/'));
    return [{ pods: `pods that run a container under the AppArmor profile ${formatList(bad)}` }];
  },
  seLinuxOptions: (f) => {
    const v = f.controls.seLinux.validate;
    if (v.rule !== 'MustRunAs' || v.options === null) return [{ pods: 'pods that set a custom SELinux type, user or role' }];
    return [{ pods: 'pods that set the SELinux options the PSP required themselves', why: 'the PSP required and defaulted options outside the baseline set (spec.seLinux.seLinuxOptions)' }];
  },
  procMount: (f) => [{ pods: `pods that set procMount ${formatList(f.controls.procMount.validate.allowed.filter((t) => t !== 'Default'))}` }],
  procMount_restricted: (f) => [{ pods: `pods that set procMount ${formatList(f.controls.procMount.validate.allowed.filter((t) => t !== 'Default'))}` }],
  seccompProfile_baseline: () => [{ pods: 'pods that set the seccomp profile unconfined' }],
  sysctls: (f, minor) => [{ pods: `pods that set the sysctls ${formatList(sysctlsBeyond(f, new Set(baselineSysctls(minor))))}` }],
  windowsHostProcess: () => [{ pods: 'Windows HostProcess pods', why: 'the PSP allowed the host network they need, and had no control of its own for them (spec.hostNetwork: true)' }],
  hostProbesAndHostLifecycle: () => [
    { pods: 'pods whose probes or lifecycle handlers set httpGet.host or tcpSocket.host', why: 'PSP had no control for them' },
  ],
  allowPrivilegeEscalation: (f) =>
    f.controls.privilegeEscalation.defaults?.allowPrivilegeEscalation === false
      ? [{ pods: 'pods whose containers set allowPrivilegeEscalation: true', why: 'spec.allowPrivilegeEscalation allows it; defaultAllowPrivilegeEscalation: false only filled in unset ones' }]
      : [{ pods: 'pods whose containers do not set allowPrivilegeEscalation: false', why: 'spec.allowPrivilegeEscalation: true or unset' }],
  capabilities_restricted: (f) => {
    const out: PodsPhrase[] = [];
    if (!f.controls.capabilities.validate.requiredDrop.includes('ALL')) {
      out.push({ pods: 'pods whose containers do not drop ALL capabilities', why: 'spec.requiredDropCapabilities does not include ALL' });
    }
    const extra = f.addableCapabilities === null ? null : [...f.addableCapabilities].filter((cap) => !RESTRICTED_ADDABLE_CAPABILITIES.has(cap)).sort();
    if (extra === null) out.push({ pods: 'pods that add capabilities other than NET_BIND_SERVICE', why: 'spec.allowedCapabilities: "*"' });
    else if (extra.length > 0) out.push({ pods: `pods whose containers add ${formatList(extra)}`, why: 'spec.allowedCapabilities or spec.defaultAddCapabilities' });
    return out;
  },
  restrictedVolumes: (f) => {
    if (f.volumeTypes === null) return [{ pods: 'pods with volumes of any type beyond configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected and secret' }];
    const bad = [...f.volumeTypes].filter((t) => !RESTRICTED_VOLUME_SOURCES.has(t)).sort();
    return [{ pods: `pods with ${formatList(bad)} volumes` }];
  },
  runAsNonRoot: (f) => {
    const v = f.controls.runAsUser.validate;
    if (v.rule === 'RunAsAny') return [{ pods: 'pods whose containers do not set runAsNonRoot: true', why: 'spec.runAsUser.rule: RunAsAny' }];
    if (v.rule === 'MustRunAs') {
      return [{ pods: 'pods that do not set runAsNonRoot: true', why: `PSP MustRunAs checked the UID (${formatRanges(v.ranges)}), never runAsNonRoot` }];
    }
    return [
      { pods: 'pods that set runAsUser without runAsNonRoot: true', why: 'PSP MustRunAsNonRoot only defaulted runAsNonRoot when neither was set' },
      { pods: 'pods that set runAsNonRoot: false at pod level while every container sets it true', why: "PSP MustRunAsNonRoot checked each container's effective value only" },
    ];
  },
  runAsUser: (f) => {
    const v = f.controls.runAsUser.validate;
    if (v.rule === 'RunAsAny') return [{ pods: 'pods that set runAsUser: 0', why: 'spec.runAsUser.rule: RunAsAny' }];
    if (v.rule === 'MustRunAs' && v.ranges.some((r) => r.min <= 0 && r.max >= 0)) {
      return [{ pods: 'pods that set runAsUser: 0', why: `spec.runAsUser.ranges: ${formatRanges(v.ranges)}` }];
    }
    return [{ pods: 'pods that set runAsUser: 0 at pod level while every container sets its own UID', why: `PSP ${v.rule} checked each container's effective UID only` }];
  },
  seccompProfile_restricted: (f) => {
    if (f.seccompUnconfined) return [{ pods: 'pods that set the seccomp profile unconfined' }];
    if (f.seccompNone) return [{ pods: 'every pod: none has a seccomp profile', why: 'the PSP forbade setting one (no allowedProfileNames)' }];
    return [{ pods: 'pods without a seccomp profile' }];
  },
} satisfies Record<CheckId, GapPhraser>;

/** The check that requires the value a lost default used to write, and which pods relied on it. */
const DEFAULT_GAPS: Partial<Record<ControlKind, { check: CheckId; pods: string }>> = {
  runAsUser: { check: 'runAsNonRoot', pods: 'pods whose containers set neither runAsNonRoot nor runAsUser' },
  privilegeEscalation: { check: 'allowPrivilegeEscalation', pods: 'pods whose containers leave allowPrivilegeEscalation unset' },
  capabilities: { check: 'capabilities_restricted', pods: 'pods whose containers do not drop ALL capabilities themselves' },
  seccomp: { check: 'seccompProfile_restricted', pods: 'pods without a seccomp profile of their own' },
};

function versionsText(versions: readonly { readonly from: { readonly minor: number } }[]): string {
  const from = versions[0]?.from.minor ?? 0;
  return from > 0 ? ` from v1.${from}` : '';
}

/**
 * The gaps between a PSP and `level`: one per blocker of a check in force at `level` (at most a
 * few phrases each), then one per lost default that `level` rejects pods for.
 */
export function gapsTo(
  level: Level,
  facts: PolicyFacts,
  minor: number,
  blockers: readonly (Finding & { readonly check: CheckId; readonly versions: readonly { readonly from: { readonly minor: number } }[] })[],
  activeChecks: ReadonlySet<CheckId>,
  rejectedDefaults: readonly LostDefault[],
): Gap[] {
  if (level === 'privileged') return [];
  const gaps: Gap[] = [];
  for (const blocker of blockers) {
    if (!activeChecks.has(blocker.check)) continue;
    const phraser: GapPhraser = phrasers[blocker.check];
    for (const phrase of phraser(facts, minor)) {
      const rejected = `will be rejected by ${level}${versionsText(blocker.versions)}`;
      gaps.push({
        cause: 'admitted',
        check: blocker.check,
        fields: blocker.fields,
        // The blocker's reason ends in its own parenthesised fields, so it follows rather than nests.
        message: phrase.why === undefined ? `${phrase.pods} ${rejected}: the PSP ${blocker.reason}` : `${phrase.pods} (${phrase.why}) ${rejected}`,
      });
    }
  }
  for (const lost of rejectedDefaults) {
    const known = DEFAULT_GAPS[lost.control];
    if (!known || !activeChecks.has(known.check)) continue;
    gaps.push({
      cause: 'defaulted',
      check: known.check,
      fields: lost.fields,
      message: `${known.pods} (PSP set ${lost.value} on them; PSA sets nothing) will be rejected by ${level}`,
    });
  }
  return gaps;
}
