import type { Check } from './check.js';
import { v1 } from './check.js';
import { ALLOWED, containersPhrase, forbidden, inUserNamespace, visitContainers, type CheckPodFn } from './helpers.js';

const runAsNonRoot1_0: CheckPodFn = (_meta, spec) => {
  const setters: string[] = [];
  let podNonRoot = false;
  const podValue = spec.securityContext?.runAsNonRoot;
  if (podValue != null) {
    if (podValue === true) podNonRoot = true;
    else setters.push('pod');
  }
  const explicitlyBad: string[] = [];
  const implicitlyBad: string[] = [];
  visitContainers(spec, (c) => {
    const value = c.securityContext?.runAsNonRoot;
    if (value != null) {
      if (value !== true) explicitlyBad.push(c.name);
    } else if (!podNonRoot) {
      implicitlyBad.push(c.name);
    }
  });
  if (explicitlyBad.length > 0) setters.push(containersPhrase(explicitlyBad));
  if (setters.length > 0) {
    return forbidden('runAsNonRoot != true', `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false`);
  }
  if (implicitlyBad.length > 0) {
    return forbidden('runAsNonRoot != true', `pod or ${containersPhrase(implicitlyBad)} must set securityContext.runAsNonRoot=true`);
  }
  return ALLOWED;
};

// Root inside a user namespace is not root on the node (KEP-127), so v1.35 lets such pods run as root.
const runAsNonRoot1_35: CheckPodFn = (meta, spec) => (inUserNamespace(spec) ? ALLOWED : runAsNonRoot1_0(meta, spec));

/** Restricted: runAsNonRoot=true at pod level or on every container (v1.0+; any value with `hostUsers: false` from v1.35). */
export const runAsNonRootCheck: Check = {
  id: 'runAsNonRoot',
  level: 'restricted',
  versions: [
    { minVersion: v1(0), evaluate: runAsNonRoot1_0 },
    { minVersion: v1(35), evaluate: runAsNonRoot1_35 },
  ],
};

const runAsUser1_23: CheckPodFn = (_meta, spec) => {
  const setters: string[] = [];
  if (spec.securityContext?.runAsUser === 0) setters.push('pod');
  const bad: string[] = [];
  visitContainers(spec, (c) => {
    if (c.securityContext?.runAsUser === 0) bad.push(c.name);
  });
  if (bad.length > 0) setters.push(containersPhrase(bad));
  if (setters.length === 0) return ALLOWED;
  return forbidden('runAsUser=0', `${setters.join(' and ')} must not set runAsUser=0`);
};

const runAsUser1_35: CheckPodFn = (meta, spec) => (inUserNamespace(spec) ? ALLOWED : runAsUser1_23(meta, spec));

/** Restricted: no explicit runAsUser: 0 (v1.23+; any value with `hostUsers: false` from v1.35). */
export const runAsUserCheck: Check = {
  id: 'runAsUser',
  level: 'restricted',
  versions: [
    { minVersion: v1(23), evaluate: runAsUser1_23 },
    { minVersion: v1(35), evaluate: runAsUser1_35 },
  ],
};
