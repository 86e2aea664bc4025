import type { Check } from './check.js';
import { v1 } from './check.js';
import { ALLOWED, containersPhrase, forbidden, pluralize, sortedUnique, visitContainers, type CheckPodFn } from './helpers.js';

const hostPorts1_0: CheckPodFn = (_meta, spec) => {
  const bad: string[] = [];
  const ports: string[] = [];
  visitContainers(spec, (c) => {
    let uses = false;
    for (const port of c.ports ?? []) {
      const hostPort = port?.hostPort;
      // 0 and unset both mean "no host port".
      if (typeof hostPort === 'number' && hostPort !== 0) {
        uses = true;
        ports.push(String(hostPort));
      }
    }
    if (uses) bad.push(c.name);
  });
  if (bad.length === 0) return ALLOWED;
  // Upstream sorts the ports as strings ("10" before "9"); keep that so messages match.
  const listed = sortedUnique(ports);
  return forbidden(
    'hostPort',
    `${containersPhrase(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', listed.length)} ${listed.join(', ')}`,
  );
};

/** Baseline: containers must not bind host ports (v1.0+). */
export const hostPortsCheck: Check = {
  id: 'hostPorts',
  level: 'baseline',
  versions: [{ minVersion: v1(0), evaluate: hostPorts1_0 }],
};
