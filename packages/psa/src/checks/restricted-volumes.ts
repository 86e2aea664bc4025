import type { Volume } from '@psp-translate/core';
import type { Check } from './check.js';
import { v1 } from './check.js';
import { ALLOWED, forbidden, joinQuote, pluralize, sortedUnique, type CheckPodFn } from './helpers.js';

/** Inline volume sources restricted pods may use: none of them reaches the node or the network directly. */
export const RESTRICTED_VOLUME_SOURCES: ReadonlySet<string> = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

// Restricted sources, in the order upstream names the first one a volume sets.
const RESTRICTED_SOURCES: readonly string[] = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
];

function isSet(volume: Volume, key: string): boolean {
  return volume[key] != null;
}

/**
 * The restricted source type a volume uses, or undefined when it uses an allowed one. A volume
 * with no source at all counts as emptyDir: the API server defaults it so before admission.
 */
function restrictedSourceOf(volume: Volume): string | undefined {
  let hasSource = false;
  for (const key in volume) {
    if (key === 'name' || volume[key] == null) continue;
    if (RESTRICTED_VOLUME_SOURCES.has(key)) return undefined;
    hasSource = true;
  }
  if (!hasSource) return undefined;
  for (const source of RESTRICTED_SOURCES) if (isSet(volume, source)) return source;
  return 'unknown';
}

const restrictedVolumes1_0: CheckPodFn = (_meta, spec) => {
  const bad: string[] = [];
  const types: string[] = [];
  for (const volume of spec.volumes ?? []) {
    if (volume == null) continue;
    const source = restrictedSourceOf(volume);
    if (source === undefined) continue;
    bad.push(volume.name);
    types.push(source);
  }
  if (bad.length === 0) return ALLOWED;
  const listed = sortedUnique(types);
  return forbidden(
    'restricted volume types',
    `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('restricted volume type', 'restricted volume types', listed.length)} ${joinQuote(listed)}`,
  );
};

/** Restricted: only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes (v1.0+); replaces hostPathVolumes. */
export const restrictedVolumesCheck: Check = {
  id: 'restrictedVolumes',
  level: 'restricted',
  versions: [{ minVersion: v1(0), evaluate: restrictedVolumes1_0 }],
  overrides: ['hostPathVolumes'],
};
