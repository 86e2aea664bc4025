/**
 * The Pod Security level as the PSP psp-translate would translate for Gatekeeper and
 * ValidatingAdmissionPolicy, and the same PSP widened by exactly a chart's needs. Both engines'
 * exceptions are built from these two PolicyIRs with the engines' own emitters, so the parameters
 * and CEL of the exceptions are the ones the cluster's translation already uses.
 */
import { CONTROL_KINDS, controlParamsFor, FS_TYPES, PodSecurityPolicySchema, policyToIR, type ControlKind, type FSType, type PolicyIR } from '@psp-translate/core';
import { BASELINE_CAPABILITIES, RESTRICTED_VOLUME_SOURCES, type CheckId } from '@psp-translate/psa';
import { FINE_CHECKS, type ExceptionNeed } from './needs.js';

/** The label chart pods are selected by, shared by every pod of the chart that needs an exception. */
export interface ChartSelector {
  key: string;
  value: string;
}

const RESTRICTED_VOLUMES = FS_TYPES.filter((t): t is Exclude<FSType, '*'> => RESTRICTED_VOLUME_SOURCES.has(t));
const BASELINE_VOLUMES: FSType[] = FS_TYPES.filter((t) => t !== '*' && t !== 'hostPath');

/** The checks a level PSP expresses; the others (SELinux, sysctls, AppArmor, procMount, host probes, host process) are not modelled. */
export const PSP_MODELLED_CHECKS: ReadonlySet<CheckId> = new Set<CheckId>(FINE_CHECKS);

const SECCOMP_ALLOWED = 'seccomp.security.alpha.kubernetes.io/allowedProfileNames';
/**
 * Seccomp profiles of the level in PSP's annotation form (exact names: PSP has no `localhost/*`, so
 * Localhost profiles are outside the modelled level). `''` = unset: PSP checks the pod-level profile
 * too, so restricted's "every container RuntimeDefault or Localhost, the pod's may be unset" needs it,
 * and the modelled restricted level then does not require a profile (reported).
 */
const LEVEL_SECCOMP = { baseline: ['runtime/default', 'docker/default', ''], restricted: ['runtime/default', ''] } as const;
/** A need's seccomp type (needs.ts notation) in PSP's annotation form. */
const SECCOMP_ANNOTATION_FORM: Record<string, string> = { undefined: '', Unconfined: 'unconfined', RuntimeDefault: 'runtime/default' };

/** Name of the PSP standing for a level (`pod-security-baseline`): the cluster's translated objects are named after it. */
export function levelPolicyName(level: 'baseline' | 'restricted'): string {
  return `pod-security-${level}`;
}

type PspSpec = Record<string, unknown>;

function levelSpec(level: 'baseline' | 'restricted'): PspSpec {
  const spec: PspSpec = {
    privileged: false,
    hostNetwork: false,
    hostPID: false,
    hostIPC: false,
    allowedCapabilities: level === 'baseline' ? [...BASELINE_CAPABILITIES] : ['NET_BIND_SERVICE'],
    volumes: level === 'baseline' ? BASELINE_VOLUMES : RESTRICTED_VOLUMES,
    allowPrivilegeEscalation: level === 'baseline',
    runAsUser: { rule: level === 'baseline' ? 'RunAsAny' : 'MustRunAsNonRoot' },
    seLinux: { rule: 'RunAsAny' },
    supplementalGroups: { rule: 'RunAsAny' },
    fsGroup: { rule: 'RunAsAny' },
  };
  if (level === 'restricted') spec['requiredDropCapabilities'] = ['ALL'];
  return spec;
}

function toIR(name: string, spec: PspSpec, seccomp: readonly string[]): PolicyIR {
  const psp = PodSecurityPolicySchema.parse({ apiVersion: 'policy/v1beta1', kind: 'PodSecurityPolicy', metadata: { name, annotations: { [SECCOMP_ALLOWED]: seccomp.join(',') } }, spec });
  return policyToIR(psp, { file: '<psp-translate exceptions>', line: 1, column: 1 });
}

/** The level as a PSP's IR (validation only: translate it with mutation off). */
export function levelPolicy(level: 'baseline' | 'restricted'): PolicyIR {
  return toIR(levelPolicyName(level), levelSpec(level), LEVEL_SECCOMP[level]);
}

/**
 * The level's PSP widened by exactly `needs` (their values, unioned over the chart's pods and
 * containers: a PSP has no per-container handle). Needs of checks a PSP does not model are ignored
 * here; the callers report them. A host path is allowed read-only when the chart mounts it only
 * read-only (`readOnlyPaths`).
 */
export function chartPolicy(name: string, level: 'baseline' | 'restricted', needs: readonly ExceptionNeed[], readOnlyPaths: ReadonlySet<string>): PolicyIR {
  const spec = levelSpec(level);
  const caps = new Set(spec['allowedCapabilities'] as string[]);
  const volumes = new Set(spec['volumes'] as FSType[]);
  const paths = new Map<string, boolean>();
  const ports = new Set<number>();
  const seccomp = new Set<string>(LEVEL_SECCOMP[level]);
  for (const need of needs) {
    if (need.wholeCheck === true || !PSP_MODELLED_CHECKS.has(need.check)) continue;
    switch (need.check) {
      case 'hostNamespaces':
        spec[need.field.slice('spec.'.length)] = true;
        break;
      case 'privileged':
        spec['privileged'] = true;
        break;
      case 'capabilities_baseline':
      case 'capabilities_restricted':
        if (need.field.endsWith('capabilities.drop')) delete spec['requiredDropCapabilities'];
        else for (const cap of need.values) caps.add(cap);
        break;
      case 'hostPathVolumes':
      case 'restrictedVolumes':
        if (need.field === 'spec.volumes[*].hostPath') {
          volumes.add('hostPath');
          for (const path of need.values) paths.set(path, readOnlyPaths.has(path));
        } else for (const type of need.values) volumes.add(type as FSType);
        break;
      case 'hostPorts':
        for (const port of need.values) ports.add(Number(port));
        break;
      case 'allowPrivilegeEscalation':
        spec['allowPrivilegeEscalation'] = true;
        break;
      case 'runAsNonRoot':
      case 'runAsUser':
        spec['runAsUser'] = { rule: 'RunAsAny' };
        break;
      case 'seccompProfile_baseline':
      case 'seccompProfile_restricted':
        for (const type of need.values) {
          const name = SECCOMP_ANNOTATION_FORM[type];
          if (name !== undefined) seccomp.add(name);
        }
        break;
      default:
        break;
    }
  }
  spec['allowedCapabilities'] = [...caps].sort();
  spec['volumes'] = [...volumes].sort();
  // PSP matches path prefixes segment-wise: a path under an allowed one (as writable, or both read-only) adds nothing.
  for (const [path, readOnly] of [...paths]) {
    if ([...paths].some(([other, otherReadOnly]) => other !== path && isUnder(path, other) && (!otherReadOnly || readOnly))) paths.delete(path);
  }
  if (paths.size > 0) spec['allowedHostPaths'] = [...paths].sort(([a], [b]) => a.localeCompare(b)).map(([pathPrefix, readOnly]) => ({ pathPrefix, readOnly }));
  if (ports.size > 0) spec['hostPorts'] = [...ports].sort((a, b) => a - b).map((port) => ({ min: port, max: port }));
  // Keep the level's order, then the chart's additions, so an unchanged list compares equal.
  return toIR(name, spec, [...seccomp]);
}

/** `path` is `prefix` or below it, segment-wise (`/foo` holds `/foo/bar`, not `/food`). */
export function isUnder(path: string, prefix: string): boolean {
  const base = prefix.replace(/\/+$/, '');
  return path === prefix || base === '' || path === base || path.startsWith(`${base}/`);
}

/** The control kinds whose parameters differ between the two policies (what an exception has to widen). */
export function widenedControls(base: PolicyIR, widened: PolicyIR): ControlKind[] {
  return CONTROL_KINDS.filter((kind) => JSON.stringify(controlParamsFor(kind, base.controls[kind])) !== JSON.stringify(controlParamsFor(kind, widened.controls[kind])));
}
