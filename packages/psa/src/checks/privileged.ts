import type { Check } from './check.js';
import { v1 } from './check.js';
import { ALLOWED, containersPhrase, forbidden, isTrue, visitContainers, type CheckPodFn } from './helpers.js';

// Privileged containers disable most isolation: securityContext.privileged must be unset or false.
const privileged1_0: CheckPodFn = (_meta, spec) => {
  const bad: string[] = [];
  visitContainers(spec, (c) => {
    if (isTrue(c.securityContext?.privileged)) bad.push(c.name);
  });
  if (bad.length === 0) return ALLOWED;
  return forbidden('privileged', `${containersPhrase(bad)} must not set securityContext.privileged=true`);
};

/** Baseline: no privileged containers (v1.0+). */
export const privilegedCheck: Check = {
  id: 'privileged',
  level: 'baseline',
  versions: [{ minVersion: v1(0), evaluate: privileged1_0 }],
};
