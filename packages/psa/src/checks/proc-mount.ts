import type { Check } from './check.js';
import { v1 } from './check.js';
import { ALLOWED, containersPhrase, forbidden, inUserNamespace, joinQuote, sortedUnique, visitContainers, type CheckPodFn } from './helpers.js';

// Only the default /proc masking; Unmasked exposes host kernel interfaces.
const procMount1_0: CheckPodFn = (_meta, spec) => {
  const bad: string[] = [];
  const types: string[] = [];
  visitContainers(spec, (c) => {
    const procMount = c.securityContext?.procMount;
    if (procMount != null && procMount !== 'Default') {
      bad.push(c.name);
      types.push(procMount);
    }
  });
  if (bad.length === 0) return ALLOWED;
  return forbidden('procMount', `${containersPhrase(bad)} must not set securityContext.procMount to ${joinQuote(sortedUnique(types))}`);
};

// From v1.35 baseline lets pods in their own user namespace unmask /proc: it is not the host's.
const procMount1_35: CheckPodFn = (meta, spec) => (inUserNamespace(spec) ? ALLOWED : procMount1_0(meta, spec));

/** Baseline: procMount unset or Default (v1.0+), any value for `hostUsers: false` pods (v1.35+). */
export const procMountCheck: Check = {
  id: 'procMount',
  level: 'baseline',
  versions: [
    { minVersion: v1(0), evaluate: procMount1_0 },
    { minVersion: v1(35), evaluate: procMount1_35 },
  ],
};

/** Restricted: keeps the unconditional v1.0 procMount rule once baseline relaxed it (v1.35+). */
export const procMountRestrictedCheck: Check = {
  id: 'procMount_restricted',
  level: 'restricted',
  versions: [{ minVersion: v1(35), evaluate: procMount1_0 }],
  overrides: ['procMount'],
};
