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
  for (const [key, type] of VOLUME_SOURCE_TYPES) {
    const source = volume[key];
    if (source !== undefined && source !== null) return type;
  }
  for (const [key, value] of Object.entries(volume)) {
    if (key !== 'name' && value !== undefined && value !== null) return undefined;
  }
  return 'emptyDir';
}
