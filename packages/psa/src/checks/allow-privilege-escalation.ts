import type { Check } from './check.js';
import { v1 } from './check.js';
import { ALLOWED, containersPhrase, forbidden, isWindowsPod, visitContainers, type CheckPodFn } from './helpers.js';

// Unset counts as true: the runtime allows setuid escalation unless told otherwise.
const allowPrivilegeEscalation1_8: CheckPodFn = (_meta, spec) => {
  const bad: string[] = [];
  visitContainers(spec, (c) => {
    if (c.securityContext?.allowPrivilegeEscalation !== false) bad.push(c.name);
  });
  if (bad.length === 0) return ALLOWED;
  return forbidden('allowPrivilegeEscalation != false', `${containersPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false`);
};

// Windows pods cannot set the field (API validation), so from v1.25 they pass.
const allowPrivilegeEscalation1_25: CheckPodFn = (meta, spec) =>
  isWindowsPod(spec) ? ALLOWED : allowPrivilegeEscalation1_8(meta, spec);

/** Restricted: every container sets allowPrivilegeEscalation=false (v1.8+, the field's first release). */
export const allowPrivilegeEscalationCheck: Check = {
  id: 'allowPrivilegeEscalation',
  level: 'restricted',
  versions: [
    { minVersion: v1(8), evaluate: allowPrivilegeEscalation1_8 },
    { minVersion: v1(25), evaluate: allowPrivilegeEscalation1_25 },
  ],
};
