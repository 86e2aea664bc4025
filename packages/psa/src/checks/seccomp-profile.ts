import type { Check } from './check.js';
import { v1 } from './check.js';
import { ALLOWED, containersPhrase, forbidden, goQuote, isWindowsPod, joinQuote, pluralize, sortedUnique, visitContainers, type CheckPodFn } from './helpers.js';

const POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

function validAnnotationValue(value: string): boolean {
  return value === 'runtime/default' || value === 'docker/default' || value.startsWith('localhost/');
}

// An explicit seccompProfile must name RuntimeDefault or Localhost; `{}` (no type) is not allowed.
function validType(type: unknown): boolean {
  return type === 'RuntimeDefault' || type === 'Localhost';
}

function typeText(type: unknown): string {
  return typeof type === 'string' ? type : '';
}

// Before the seccompProfile field (v1.19) seccomp was set with alpha annotations.
const seccompProfileBaseline1_0: CheckPodFn = (meta, spec) => {
  const annotations = meta.annotations;
  if (annotations == null) return ALLOWED;
  const bad: string[] = [];
  const podValue = annotations[POD_ANNOTATION];
  if (typeof podValue === 'string' && !validAnnotationValue(podValue)) bad.push(`${POD_ANNOTATION}=${goQuote(podValue)}`);
  visitContainers(spec, (c) => {
    const key = CONTAINER_ANNOTATION_PREFIX + c.name;
    const value = annotations[key];
    if (typeof value === 'string' && !validAnnotationValue(value)) bad.push(`${key}=${goQuote(value)}`);
  });
  if (bad.length === 0) return ALLOWED;
  const listed = sortedUnique(bad);
  return forbidden('seccompProfile', `forbidden ${pluralize('annotation', 'annotations', listed.length)} ${listed.join(', ')}`);
};

/** Pod or containers that set a seccompProfile with a forbidden type, and what they set. */
interface ExplicitSeccomp {
  readonly setters: string[];
  readonly badTypes: string[];
  /** The pod sets an allowed profile, which containers inherit. */
  readonly podValid: boolean;
  /** Containers that set none and so inherit the pod's. */
  readonly unset: string[];
}

function explicitSeccomp(spec: Parameters<CheckPodFn>[1]): ExplicitSeccomp {
  const setters: string[] = [];
  const badTypes: string[] = [];
  let podValid = false;
  const podProfile = spec.securityContext?.seccompProfile;
  if (podProfile != null) {
    if (validType(podProfile.type)) podValid = true;
    else {
      setters.push('pod');
      badTypes.push(typeText(podProfile.type));
    }
  }
  const bad: string[] = [];
  const unset: string[] = [];
  visitContainers(spec, (c) => {
    const profile = c.securityContext?.seccompProfile;
    if (profile == null) unset.push(c.name);
    else if (!validType(profile.type)) {
      bad.push(c.name);
      badTypes.push(typeText(profile.type));
    }
  });
  if (bad.length > 0) setters.push(containersPhrase(bad));
  return { setters, badTypes, podValid, unset };
}

function explicitlyForbidden(found: ExplicitSeccomp) {
  return forbidden(
    'seccompProfile',
    `${found.setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedUnique(found.badTypes))}`,
  );
}

const seccompProfileBaseline1_19: CheckPodFn = (_meta, spec) => {
  const found = explicitSeccomp(spec);
  return found.setters.length === 0 ? ALLOWED : explicitlyForbidden(found);
};

/** Baseline: seccomp, when set, must be RuntimeDefault or Localhost (annotations before v1.19, fields from v1.19). */
export const seccompProfileBaselineCheck: Check = {
  id: 'seccompProfile_baseline',
  level: 'baseline',
  versions: [
    { minVersion: v1(0), evaluate: seccompProfileBaseline1_0 },
    { minVersion: v1(19), evaluate: seccompProfileBaseline1_19 },
  ],
};

const seccompProfileRestricted1_19: CheckPodFn = (_meta, spec) => {
  const found = explicitSeccomp(spec);
  if (found.setters.length > 0) return explicitlyForbidden(found);
  // Containers without a profile of their own are fine only under a valid pod-level profile.
  if (found.podValid || found.unset.length === 0) return ALLOWED;
  return forbidden(
    'seccompProfile',
    `pod or ${containersPhrase(found.unset)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
  );
};

// Windows pods cannot set seccomp (API validation), so from v1.25 they pass.
const seccompProfileRestricted1_25: CheckPodFn = (meta, spec) =>
  isWindowsPod(spec) ? ALLOWED : seccompProfileRestricted1_19(meta, spec);

/** Restricted: seccomp must be set (pod or every container) to RuntimeDefault or Localhost (v1.19+); replaces the baseline check. */
export const seccompProfileRestrictedCheck: Check = {
  id: 'seccompProfile_restricted',
  level: 'restricted',
  versions: [
    { minVersion: v1(19), evaluate: seccompProfileRestricted1_19 },
    { minVersion: v1(25), evaluate: seccompProfileRestricted1_25 },
  ],
  overrides: ['seccompProfile_baseline'],
};
