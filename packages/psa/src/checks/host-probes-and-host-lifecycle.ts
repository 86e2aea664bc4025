import type { Container } from '@psp-translate/core';
import type { Check } from './check.js';
import { v1 } from './check.js';
import { ALLOWED, containersPhrase, forbidden, joinQuote, objectField, pluralize, sortedUnique, stringField, visitContainers, type CheckPodFn } from './helpers.js';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const LIFECYCLE_HANDLERS = ['postStart', 'preStop'] as const;

/** Pushes the non-empty httpGet.host and tcpSocket.host of a probe or lifecycle handler. */
function collectHosts(handler: Record<string, unknown> | undefined, into: string[]): void {
  if (handler === undefined) return;
  const httpHost = stringField(objectField(handler, 'httpGet'), 'host');
  if (httpHost !== '') into.push(httpHost);
  const tcpHost = stringField(objectField(handler, 'tcpSocket'), 'host');
  if (tcpHost !== '') into.push(tcpHost);
}

const hostProbesAndHostLifecycle1_34: CheckPodFn = (_meta, spec) => {
  const bad: string[] = [];
  const hosts: string[] = [];
  visitContainers(spec, (c: Container) => {
    const before = hosts.length;
    for (const probe of PROBES) collectHosts(objectField(c, probe), hosts);
    const lifecycle = objectField(c, 'lifecycle');
    for (const handler of LIFECYCLE_HANDLERS) collectHosts(objectField(lifecycle, handler), hosts);
    if (hosts.length > before) bad.push(c.name);
  });
  if (bad.length === 0) return ALLOWED;
  // Upstream keeps both lists as sorted sets here (unlike most checks, which list in visit order).
  const containers = sortedUnique(bad);
  const listed = sortedUnique(hosts);
  return forbidden(
    'probe or lifecycle host',
    `${containersPhrase(containers)} ${pluralize('uses', 'use', containers.length)} ${pluralize('probe or lifecycle host', 'probe or lifecycle hosts', listed.length)} ${joinQuote(listed)}`,
  );
};

/**
 * Baseline: probes and lifecycle handlers must not set `host` in httpGet or tcpSocket (v1.34+),
 * which would let the kubelet reach arbitrary addresses on the pod's behalf.
 */
export const hostProbesAndHostLifecycleCheck: Check = {
  id: 'hostProbesAndHostLifecycle',
  level: 'baseline',
  versions: [{ minVersion: v1(34), evaluate: hostProbesAndHostLifecycle1_34 }],
};
