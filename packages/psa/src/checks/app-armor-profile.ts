import type { Check } from './check.js';
import { v1 } from './check.js';
import { ALLOWED, containersPhrase, forbidden, goQuote, joinQuote, pluralize, sortedUnique, visitContainers, type CheckPodFn } from './helpers.js';

const ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

// Beta annotation values: empty, the runtime default, or a profile loaded on the node.
function allowedAnnotationValue(value: string): boolean {
  return value === '' || value === 'runtime/default' || value.startsWith('localhost/');
}

// appArmorProfile.type (v1.30 field): anything but Unconfined, and an unset type is invalid too.
function allowedProfileType(type: unknown): boolean {
  return type === 'RuntimeDefault' || type === 'Localhost';
}

function typeText(type: unknown): string {
  return typeof type === 'string' ? type : '';
}

const appArmorProfile1_0: CheckPodFn = (meta, spec) => {
  const setters: string[] = [];
  const badTypes: string[] = [];
  const podProfile = spec.securityContext?.appArmorProfile;
  if (podProfile != null && !allowedProfileType(podProfile.type)) {
    setters.push('pod');
    badTypes.push(typeText(podProfile.type));
  }
  const bad: string[] = [];
  visitContainers(spec, (c) => {
    const profile = c.securityContext?.appArmorProfile;
    if (profile != null && !allowedProfileType(profile.type)) {
      bad.push(c.name);
      badTypes.push(typeText(profile.type));
    }
  });
  if (bad.length > 0) setters.push(containersPhrase(bad));

  const annotations: string[] = [];
  const podAnnotations = meta.annotations;
  if (podAnnotations != null) {
    for (const key in podAnnotations) {
      const value = podAnnotations[key];
      if (key.startsWith(ANNOTATION_PREFIX) && typeof value === 'string' && !allowedAnnotationValue(value)) {
        annotations.push(`${key}=${goQuote(value)}`);
      }
    }
  }
  const badValues = sortedUnique(badTypes);
  if (annotations.length > 0) {
    badValues.push(...annotations.sort());
    setters.push(pluralize('annotation', 'annotations', annotations.length));
  }
  if (setters.length === 0) return ALLOWED;
  return forbidden(
    pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', badValues.length),
    `${setters.join(' and ')} must not set AppArmor profile type to ${joinQuote(badValues)}`,
  );
};

/**
 * Baseline: AppArmor must not be disabled or overridden with an arbitrary profile, through the
 * beta annotations or the appArmorProfile fields (v1.0+; the fields are checked at every version).
 */
export const appArmorProfileCheck: Check = {
  id: 'appArmorProfile',
  level: 'baseline',
  versions: [{ minVersion: v1(0), evaluate: appArmorProfile1_0 }],
};
