import type { Check } from './check.js';
import { allowPrivilegeEscalationCheck } from './allow-privilege-escalation.js';
import { appArmorProfileCheck } from './app-armor-profile.js';
import { capabilitiesBaselineCheck, capabilitiesRestrictedCheck } from './capabilities.js';
import { hostNamespacesCheck } from './host-namespaces.js';
import { hostPathVolumesCheck } from './host-path-volumes.js';
import { hostPortsCheck } from './host-ports.js';
import { hostProbesAndHostLifecycleCheck } from './host-probes-and-host-lifecycle.js';
import { privilegedCheck } from './privileged.js';
import { procMountCheck, procMountRestrictedCheck } from './proc-mount.js';
import { restrictedVolumesCheck } from './restricted-volumes.js';
import { runAsNonRootCheck, runAsUserCheck } from './run-as.js';
import { seccompProfileBaselineCheck, seccompProfileRestrictedCheck } from './seccomp-profile.js';
import { seLinuxOptionsCheck } from './se-linux-options.js';
import { sysctlsCheck } from './sysctls.js';
import { windowsHostProcessCheck } from './windows-host-process.js';

/**
 * Every Pod Security Standards check, each with its version history, as in
 * k8s.io/pod-security-admission/policy (kept in step with the official fixtures up to v1.37).
 */
export const checks: readonly Check[] = Object.freeze([
  // baseline
  appArmorProfileCheck,
  capabilitiesBaselineCheck,
  hostNamespacesCheck,
  hostPathVolumesCheck,
  hostPortsCheck,
  hostProbesAndHostLifecycleCheck,
  privilegedCheck,
  procMountCheck,
  seLinuxOptionsCheck,
  seccompProfileBaselineCheck,
  sysctlsCheck,
  windowsHostProcessCheck,
  // restricted
  allowPrivilegeEscalationCheck,
  capabilitiesRestrictedCheck,
  procMountRestrictedCheck,
  restrictedVolumesCheck,
  runAsNonRootCheck,
  runAsUserCheck,
  seccompProfileRestrictedCheck,
]);

export type { Check, CheckId, VersionedCheck } from './check.js';
export type { CheckPodFn, CheckResult } from './helpers.js';
