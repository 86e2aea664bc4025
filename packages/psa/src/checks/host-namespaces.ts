import type { Check } from './check.js';
import { v1 } from './check.js';
import { ALLOWED, forbidden, isTrue, type CheckPodFn } from './helpers.js';

const hostNamespaces1_0: CheckPodFn = (_meta, spec) => {
  const shared: string[] = [];
  if (isTrue(spec.hostNetwork)) shared.push('hostNetwork=true');
  if (isTrue(spec.hostPID)) shared.push('hostPID=true');
  if (isTrue(spec.hostIPC)) shared.push('hostIPC=true');
  if (shared.length === 0) return ALLOWED;
  return forbidden('host namespaces', shared.join(', '));
};

/** Baseline: hostNetwork, hostPID and hostIPC must be unset or false (v1.0+). */
export const hostNamespacesCheck: Check = {
  id: 'hostNamespaces',
  level: 'baseline',
  versions: [{ minVersion: v1(0), evaluate: hostNamespaces1_0 }],
};
