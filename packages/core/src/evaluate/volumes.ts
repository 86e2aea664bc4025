/**
 * Which `spec.volumes` type (`FSType`) a pod volume is, as PSP decided it.
 */
import type { FSType } from '../schema/psp.js';
import type { Volume } from '../pod/types.js';

/**
 * Pod volume source keys and the PSP volume type each maps to, in the order PSP tested them. Two
 * spellings differ: the pod's `cephfs` is PSP's `cephFS`; `storageos` is written the same.
 */
export const VOLUME_SOURCE_TYPES: readonly (readonly [string, Exclude<FSType, '*'>])[] = [
  ['hostPath', 'hostPath'],
  ['emptyDir', 'emptyDir'],
  ['gcePersistentDisk', 'gcePersistentDisk'],
  ['awsElasticBlockStore', 'awsElasticBlockStore'],
  ['gitRepo', 'gitRepo'],
  ['secret', 'secret'],
  ['nfs', 'nfs'],
  ['iscsi', 'iscsi'],
  ['glusterfs', 'glusterfs'],
  ['persistentVolumeClaim', 'persistentVolumeClaim'],
  ['rbd', 'rbd'],
  ['flexVolume', 'flexVolume'],
  ['cinder', 'cinder'],
  ['cephfs', 'cephFS'],
  ['flocker', 'flocker'],
  ['downwardAPI', 'downwardAPI'],
  ['fc', 'fc'],
  ['azureFile', 'azureFile'],
  ['configMap', 'configMap'],
  ['vsphereVolume', 'vsphereVolume'],
  ['quobyte', 'quobyte'],
  ['azureDisk', 'azureDisk'],
  ['photonPersistentDisk', 'photonPersistentDisk'],
  ['projected', 'projected'],
  ['portworxVolume', 'portworxVolume'],
  ['scaleIO', 'scaleIO'],
  ['storageos', 'storageos'],
  ['csi', 'csi'],
  ['ephemeral', 'ephemeral'],
];

/**
 * The PSP volume type of a pod volume; `undefined` for a source PSP did not know (such as `image`),
 * which PSP rejected as an unknown volume type. A volume with no source at all is `emptyDir`: the API
 * server defaults it so before admission sees it.
 */
export function volumeFsType(volume: Volume): Exclude<FSType, '*'> | undefined {
  // Look the volume's own keys up (usually `name` and one source) instead of probing all 29 sources.
  let best: number | undefined;
  let unknownSource = false;
  for (const key in volume) {
    if (key === 'name') continue;
    const value = volume[key];
    if (value === undefined || value === null) continue;
    const rank = SOURCE_RANK.get(key);
    if (rank === undefined) unknownSource = true;
    else if (best === undefined || rank < best) best = rank;
  }
  // An invalid volume with several sources: PSP took the first in its own order.
  if (best !== undefined) return (VOLUME_SOURCE_TYPES[best] as readonly [string, Exclude<FSType, '*'>])[1];
  return unknownSource ? undefined : 'emptyDir';
}

const SOURCE_RANK = new Map(VOLUME_SOURCE_TYPES.map(([key], i) => [key, i]));
