import type { Check } from './check.js';
import { v1 } from './check.js';
import { ALLOWED, forbidden, joinQuote, pluralize, type CheckPodFn } from './helpers.js';

const hostPathVolumes1_0: CheckPodFn = (_meta, spec) => {
  const bad: string[] = [];
  for (const volume of spec.volumes ?? []) {
    if (volume?.hostPath != null) bad.push(volume.name);
  }
  if (bad.length === 0) return ALLOWED;
  return forbidden('hostPath volumes', `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)}`);
};

/** Baseline: no hostPath volumes (v1.0+). Restricted replaces it with restrictedVolumes. */
export const hostPathVolumesCheck: Check = {
  id: 'hostPathVolumes',
  level: 'baseline',
  versions: [{ minVersion: v1(0), evaluate: hostPathVolumes1_0 }],
};
