import type { Check } from './check.js';
import { v1 } from './check.js';
import { ALLOWED, containersPhrase, forbidden, isTrue, visitContainers, type CheckPodFn } from './helpers.js';

const windowsHostProcess1_0: CheckPodFn = (_meta, spec) => {
  const bad: string[] = [];
  visitContainers(spec, (c) => {
    if (isTrue(c.securityContext?.windowsOptions?.hostProcess)) bad.push(c.name);
  });
  const setters: string[] = [];
  if (isTrue(spec.securityContext?.windowsOptions?.hostProcess)) setters.push('pod');
  if (bad.length > 0) setters.push(containersPhrase(bad));
  if (setters.length === 0) return ALLOWED;
  return forbidden('hostProcess', `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`);
};

/** Baseline: no Windows HostProcess containers, at pod or container level (v1.0+). */
export const windowsHostProcessCheck: Check = {
  id: 'windowsHostProcess',
  level: 'baseline',
  versions: [{ minVersion: v1(0), evaluate: windowsHostProcess1_0 }],
};
