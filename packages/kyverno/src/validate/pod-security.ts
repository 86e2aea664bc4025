/**
 * `--kyverno-style podsecurity`: a `validate.podSecurity` rule (a Pod Security Standards level plus
 * exclusions) where the PSP is exactly that level for some controls and fully permissive for others.
 * Every PSS control is classified against the PSP:
 * - `exact`: the PSP checked the same thing; the PSS check stays;
 * - `permissive`: the PSP allowed everything there; the PSS control is excluded;
 * - `differs`: the PSP checked something else; the PSS control is excluded and the PSP's own
 *   controls are added as `validate.cel` rules.
 * When no PSS control is `exact` the level adds nothing, and the PSP falls back to CEL entirely.
 */
import type { ControlKind, PolicyIR } from '@psp-translate/core';
import { controlIsUnrestricted } from '../permissive.js';
import type { FidelityEntry } from '../types.js';
import type { ClassicRule, StyledRules } from './pattern.js';

/** The Pod Security Standards version the rule pins (Kyverno's newest named version). */
export const POD_SECURITY_VERSION = 'v1.32';

type Level = 'baseline' | 'restricted';
type Verdict = 'exact' | 'permissive' | 'differs';

interface PssControl {
  /** Kyverno's `controlName`. */
  name: string;
  level: Level;
  /** Pod-level fields, container-level fields, or both: decides the exclusion entries. */
  fields: 'pod' | 'container' | 'both';
  /** How the PSP compares. */
  verdict: (p: PolicyIR) => Verdict;
  /** The PSP controls an `exact` verdict fully covers (no CEL rule needed for them). */
  covers: ControlKind[];
}

const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

const verdictOf = (exact: boolean, permissive: boolean): Verdict => (exact ? 'exact' : permissive ? 'permissive' : 'differs');

const PSS_CONTROLS: readonly PssControl[] = [
  // PSP never looked at Windows hostProcess: always permissive.
  { name: 'HostProcess', level: 'baseline', fields: 'both', verdict: () => 'permissive', covers: [] },
  {
    name: 'Host Namespaces',
    level: 'baseline',
    fields: 'pod',
    verdict: (p) => {
      const v = p.controls.hostNamespaces.validate;
      return verdictOf(!v.allowHostNetwork && !v.allowHostPID && !v.allowHostIPC, v.allowHostNetwork && v.allowHostPID && v.allowHostIPC);
    },
    covers: ['hostNamespaces'],
  },
  {
    name: 'Privileged Containers',
    level: 'baseline',
    fields: 'container',
    verdict: (p) => verdictOf(!p.controls.privileged.validate.allowPrivileged, p.controls.privileged.validate.allowPrivileged),
    covers: ['privileged'],
  },
  {
    name: 'Host Ports',
    level: 'baseline',
    fields: 'container',
    verdict: (p) => verdictOf(p.controls.hostPorts.validate.ranges.length === 0, controlIsUnrestricted('hostPorts', p.controls.hostPorts)),
    covers: ['hostPorts'],
  },
  {
    name: 'HostPath Volumes',
    level: 'baseline',
    fields: 'pod',
    verdict: (p) => {
      const v = p.controls.volumes.validate;
      const hostPathAllowed = v.anyType || v.allowedTypes.includes('hostPath');
      return verdictOf(!hostPathAllowed, hostPathAllowed && p.controls.hostPaths.validate.allowed.length === 0);
    },
    covers: [],
  },
  {
    name: '/proc Mount Type',
    level: 'baseline',
    fields: 'container',
    verdict: (p) => {
      const allowed = p.controls.procMount.validate.allowed;
      return verdictOf(allowed.length === 0 || (allowed.length === 1 && allowed[0] === 'Default'), allowed.includes('Unmasked') && allowed.includes('Default'));
    },
    covers: ['procMount'],
  },
  { name: 'Capabilities', level: 'baseline', fields: 'container', verdict: (p) => verdictOf(false, controlIsUnrestricted('capabilities', p.controls.capabilities)), covers: [] },
  { name: 'AppArmor', level: 'baseline', fields: 'both', verdict: (p) => verdictOf(false, controlIsUnrestricted('appArmor', p.controls.appArmor)), covers: [] },
  { name: 'SELinux', level: 'baseline', fields: 'both', verdict: (p) => verdictOf(false, controlIsUnrestricted('seLinux', p.controls.seLinux)), covers: [] },
  { name: 'Seccomp', level: 'baseline', fields: 'both', verdict: (p) => verdictOf(false, controlIsUnrestricted('seccomp', p.controls.seccomp)), covers: [] },
  { name: 'Sysctls', level: 'baseline', fields: 'pod', verdict: (p) => verdictOf(false, controlIsUnrestricted('sysctls', p.controls.sysctls)), covers: [] },
  {
    name: 'Volume Types',
    level: 'restricted',
    fields: 'pod',
    verdict: (p) => {
      const v = p.controls.volumes.validate;
      const same = !v.anyType && v.allowedTypes.length === RESTRICTED_VOLUME_TYPES.length && RESTRICTED_VOLUME_TYPES.every((t) => (v.allowedTypes as readonly string[]).includes(t));
      return verdictOf(same, v.anyType);
    },
    covers: ['volumes'],
  },
  {
    name: 'Privilege Escalation',
    level: 'restricted',
    fields: 'container',
    verdict: (p) => verdictOf(!p.controls.privilegeEscalation.validate.allowPrivilegeEscalation, p.controls.privilegeEscalation.validate.allowPrivilegeEscalation),
    covers: ['privilegeEscalation'],
  },
  // PSP's MustRunAsNonRoot also accepted a non-zero runAsUser without runAsNonRoot: never the same.
  { name: 'Running as Non-root', level: 'restricted', fields: 'both', verdict: (p) => verdictOf(false, p.controls.runAsUser.validate.rule === 'RunAsAny'), covers: [] },
  { name: 'Running as Non-root user', level: 'restricted', fields: 'both', verdict: (p) => verdictOf(false, p.controls.runAsUser.validate.rule === 'RunAsAny'), covers: [] },
];

/** Kyverno exclusion entries for a PSS control: pod-level entries name no images, container-level ones all. */
function exclusions(control: PssControl): Record<string, unknown>[] {
  const pod = { controlName: control.name };
  const containers = { controlName: control.name, images: ['*'] };
  return control.fields === 'pod' ? [pod] : control.fields === 'container' ? [containers] : [pod, containers];
}

/** A podSecurity rule for one PSP, plus the PSP controls left to CEL; or CEL for everything. */
export function podSecurityRules(policy: PolicyIR): StyledRules {
  const report: FidelityEntry[] = [];
  let best: { level: Level; exact: PssControl[]; excluded: PssControl[] } | undefined;
  for (const level of ['restricted', 'baseline'] as const) {
    const controls = PSS_CONTROLS.filter((c) => level === 'restricted' || c.level === 'baseline');
    const exact = controls.filter((c) => c.verdict(policy) === 'exact');
    if (best === undefined || exact.length > best.exact.length) best = { level, exact, excluded: controls.filter((c) => c.verdict(policy) !== 'exact') };
  }
  if (best === undefined || best.exact.length === 0) {
    report.push({ policy: policy.name, control: null, fidelity: 'note', message: `--kyverno-style podsecurity: no Pod Security Standards check is exactly what PSP ${policy.name} checked, so it is written as validate.cel rules` });
    return { rules: undefined, celControls: [], report };
  }
  const covered = new Set(best.exact.flatMap((c) => c.covers));
  const celControls = (Object.keys(policy.controls) as ControlKind[]).filter((kind) => !covered.has(kind) && !controlIsUnrestricted(kind, policy.controls[kind] as never));
  const rule: ClassicRule = {
    name: 'pod-security',
    validate: {
      message: `PodSecurityPolicy ${policy.name} (as Pod Security Standards ${best.level} ${POD_SECURITY_VERSION} with exclusions)`,
      podSecurity: { level: best.level, version: POD_SECURITY_VERSION, exclude: best.excluded.flatMap(exclusions) },
    },
  };
  report.push({
    policy: policy.name,
    control: null,
    fidelity: 'note',
    message: `--kyverno-style podsecurity: ${policy.name} is Pod Security Standards ${best.level} for ${best.exact.map((c) => c.name).join(', ')}; excluded: ${best.excluded.map((c) => c.name).join(', ')}${celControls.length > 0 ? `; written as validate.cel rules: ${celControls.join(', ')}` : ''}`,
  });
  return { rules: [rule], celControls, report };
}
