import type { PsaMinorVersion } from '../version.js';
import type { CheckPodFn } from './helpers.js';

/** The upstream check IDs (`k8s.io/pod-security-admission/policy`), the names used in fixtures and docs. */
export type CheckId =
  | 'allowPrivilegeEscalation'
  | 'appArmorProfile'
  | 'capabilities_baseline'
  | 'capabilities_restricted'
  | 'hostNamespaces'
  | 'hostPathVolumes'
  | 'hostPorts'
  | 'hostProbesAndHostLifecycle'
  | 'privileged'
  | 'procMount'
  | 'procMount_restricted'
  | 'restrictedVolumes'
  | 'runAsNonRoot'
  | 'runAsUser'
  | 'seLinuxOptions'
  | 'seccompProfile_baseline'
  | 'seccompProfile_restricted'
  | 'sysctls'
  | 'windowsHostProcess';

/** One revision of a check, in force from `minVersion` until the next revision's `minVersion`. */
export interface VersionedCheck {
  readonly minVersion: PsaMinorVersion;
  readonly evaluate: CheckPodFn;
}

/**
 * A Pod Security Standards check. Baseline checks also run at restricted, unless a restricted
 * check that exists at that version lists them in `overrides` (it enforces a stricter form).
 */
export interface Check {
  readonly id: CheckId;
  readonly level: 'baseline' | 'restricted';
  /** Strictly increasing `minVersion`s; before the first one the check does not exist. */
  readonly versions: readonly VersionedCheck[];
  /** Baseline checks this restricted check replaces, at every version where it exists. */
  readonly overrides?: readonly CheckId[];
}

/** Shorthand for `{ major: 1, minor }`. */
export function v1(minor: number): PsaMinorVersion {
  return { major: 1, minor };
}
