import type { Check } from './check.js';
import { v1 } from './check.js';
import { ALLOWED, containersPhrase, forbidden, isWindowsPod, joinQuote, sortedUnique, visitContainers, type CheckPodFn } from './helpers.js';

/** The container runtime's default capability set: baseline lets containers add these (adding them changes nothing). */
export const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

const capabilitiesBaseline1_0: CheckPodFn = (_meta, spec) => {
  const bad: string[] = [];
  const added: string[] = [];
  visitContainers(spec, (c) => {
    let valid = true;
    for (const cap of c.securityContext?.capabilities?.add ?? []) {
      if (!BASELINE_CAPABILITIES.has(cap)) {
        valid = false;
        added.push(cap);
      }
    }
    if (!valid) bad.push(c.name);
  });
  if (bad.length === 0) return ALLOWED;
  return forbidden(
    'non-default capabilities',
    `${containersPhrase(bad)} must not include ${joinQuote(sortedUnique(added))} in securityContext.capabilities.add`,
  );
};

/** Baseline: capabilities.add only from the runtime's default set (v1.0+). */
export const capabilitiesBaselineCheck: Check = {
  id: 'capabilities_baseline',
  level: 'baseline',
  versions: [{ minVersion: v1(0), evaluate: capabilitiesBaseline1_0 }],
};

/** The only capability restricted lets containers add (they must drop ALL). */
export const RESTRICTED_ADDABLE_CAPABILITIES: ReadonlySet<string> = new Set(['NET_BIND_SERVICE']);

const capabilitiesRestricted1_22: CheckPodFn = (_meta, spec) => {
  const missingDropAll: string[] = [];
  const addingForbidden: string[] = [];
  const added: string[] = [];
  visitContainers(spec, (c) => {
    const caps = c.securityContext?.capabilities;
    if (caps == null) {
      missingDropAll.push(c.name);
      return;
    }
    // Exact match: "all" or "CAP_ALL" do not count.
    if (!(caps.drop ?? []).includes('ALL')) missingDropAll.push(c.name);
    let adds = false;
    for (const cap of caps.add ?? []) {
      if (!RESTRICTED_ADDABLE_CAPABILITIES.has(cap)) {
        adds = true;
        added.push(cap);
      }
    }
    if (adds) addingForbidden.push(c.name);
  });
  const details: string[] = [];
  if (missingDropAll.length > 0) {
    details.push(`${containersPhrase(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  }
  if (addingForbidden.length > 0) {
    details.push(
      `${containersPhrase(addingForbidden)} must not include ${joinQuote(sortedUnique(added))} in securityContext.capabilities.add`,
    );
  }
  if (details.length === 0) return ALLOWED;
  return forbidden('unrestricted capabilities', details.join('; '));
};

// Windows pods cannot set capabilities at all (API validation), so from v1.25 they pass.
const capabilitiesRestricted1_25: CheckPodFn = (meta, spec) =>
  isWindowsPod(spec) ? ALLOWED : capabilitiesRestricted1_22(meta, spec);

/** Restricted: drop ALL, add at most NET_BIND_SERVICE (v1.22+); replaces capabilities_baseline. */
export const capabilitiesRestrictedCheck: Check = {
  id: 'capabilities_restricted',
  level: 'restricted',
  versions: [
    { minVersion: v1(22), evaluate: capabilitiesRestricted1_22 },
    { minVersion: v1(25), evaluate: capabilitiesRestricted1_25 },
  ],
  overrides: ['capabilities_baseline'],
};
