/**
 * Whether a PSP admits every pod unchanged. Such a PSP among a pod's candidates decides the
 * outcome alone (PSP tries policies that leave the pod unchanged first), so those pods are exempt
 * from every translated policy, and no other candidate's defaults apply to them.
 */
import type { ControlKind, Controls, PolicyIR } from '@psp-translate/core';

const ALL_HOST_PORTS = (ranges: readonly { min: number; max: number }[]): boolean => {
  // Ranges may overlap or touch: merge them and see whether 1..65535 is covered (0 is "no host port").
  const sorted = [...ranges].sort((a, b) => a.min - b.min);
  let covered = 0;
  for (const r of sorted) {
    if (r.min > covered + 1) return false;
    covered = Math.max(covered, r.max);
  }
  return covered >= 65535;
};

/** Per control: it rejects no pod. One entry per control kind, so a new control must be judged here. */
const unrestricted = {
  privileged: (c) => c.validate.allowPrivileged,
  hostNamespaces: (c) => c.validate.allowHostNetwork && c.validate.allowHostPID && c.validate.allowHostIPC,
  hostPorts: (c) => ALL_HOST_PORTS(c.validate.ranges),
  // PSP rejected volume sources it did not know even with `*`: never fully unrestricted, but no pod
  // that a real API server accepts has such a volume, so `*` counts as unrestricted here.
  volumes: (c) => c.validate.anyType,
  hostPaths: (c) => c.validate.allowed.length === 0,
  flexVolumeDrivers: (c) => c.validate.allowedDrivers.length === 0,
  csiDrivers: (c) => c.validate.allowedDrivers.length === 0,
  readOnlyRootFilesystem: (c) => !c.validate.required,
  privilegeEscalation: (c) => c.validate.allowPrivilegeEscalation,
  capabilities: (c) => c.validate.allowAny && c.validate.requiredDrop.length === 0,
  runAsUser: (c) => c.validate.rule === 'RunAsAny',
  runAsGroup: (c) => !c.validate.specified || c.validate.rule === 'RunAsAny',
  supplementalGroups: (c) => c.validate.rule === 'RunAsAny',
  fsGroup: (c) => c.validate.rule === 'RunAsAny',
  seLinux: (c) => c.validate.rule === 'RunAsAny',
  procMount: (c) => c.validate.allowed.includes('Unmasked') && c.validate.allowed.includes('Default'),
  sysctls: (c) => c.validate.forbidden.length === 0 && c.validate.allowedUnsafe.includes('*'),
  seccomp: (c) => c.validate.allowed !== null && c.validate.allowed.includes('*'),
  appArmor: (c) => c.validate.allowed === null || c.validate.allowed.includes('*'),
  runtimeClass: (c) => c.validate.allowed === null || c.validate.allowed.includes('*'),
} satisfies { [K in ControlKind]: (control: Controls[K]) => boolean };

/** Whether one control of a policy rejects no pod. */
export function controlIsUnrestricted<K extends ControlKind>(kind: K, control: Controls[K]): boolean {
  return (unrestricted[kind] as (c: Controls[K]) => boolean)(control);
}

/** The policy neither changes nor rejects any pod. */
export function admitsEveryPod(policy: PolicyIR): boolean {
  if (policy.mutating) return false;
  return (Object.keys(unrestricted) as ControlKind[]).every((kind) => controlIsUnrestricted(kind, policy.controls[kind]));
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * `decider` (a policy without defaults) admits every pod that `other` admits after its defaults:
 * per control, `decider` is unrestricted, or neither has defaults there and both check exactly the
 * same values. A sufficient condition, not a necessary one: when it holds PSP admission's outcome
 * for pods that may use both is `decider`'s alone (it is tried first and never changes the pod).
 */
export function dominates(decider: PolicyIR, other: PolicyIR): boolean {
  if (decider.mutating) return false;
  return (Object.keys(unrestricted) as ControlKind[]).every((kind) => {
    if (controlIsUnrestricted(kind, decider.controls[kind])) return true;
    const theirs = other.controls[kind];
    return theirs.defaults === null && sameJson(decider.controls[kind].validate, theirs.validate);
  });
}

/**
 * The policy that alone decides pods with these candidates, if any: a non-defaulting candidate that
 * dominates every other candidate (see {@link dominates}); the first by name when several do.
 */
export function decidingPolicy(candidates: readonly PolicyIR[]): PolicyIR | undefined {
  return candidates.find((d) => candidates.every((c) => c === d || dominates(d, c)));
}
