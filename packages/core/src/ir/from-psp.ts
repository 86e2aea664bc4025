/**
 * PodSecurityPolicy -> IR. One function, one place where every PSP field gets its meaning, as
 * PSP admission (kubernetes pkg/security/podsecuritypolicy, release-1.24) gave it, including the
 * defaults it wrote into pods.
 */
import { PSP_ANNOTATIONS, type PodSecurityPolicy } from '../schema/psp.js';
import type { Controls, PolicyIR, Range, SourceRef } from './ir.js';

const ALL_CONTAINERS: ['containers', 'initContainers', 'ephemeralContainers'] = ['containers', 'initContainers', 'ephemeralContainers'];

/** How an annotation appears in a control's `sources`. */
export function annotationSource(key: string): string {
  return `metadata.annotations[${JSON.stringify(key)}]`;
}

/** The PSP annotations controls consume; they are not copied to `PolicyIR.annotations`. */
const CONSUMED_ANNOTATIONS = new Set<string>(Object.values(PSP_ANNOTATIONS));

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function ranges(list: readonly { min: number; max: number }[] | null | undefined): Range[] {
  return (list ?? []).map(({ min, max }) => ({ min, max }));
}

/** PSP splits profile lists on commas; blanks around names are trimmed (the API server would refuse them). */
function profileList(value: string | undefined): string[] | null {
  return value === undefined ? null : value.split(',').map((name) => name.trim());
}

/** A default profile annotation; empty means no default, as in PSP. */
function defaultProfile(value: string | undefined): { profile: string } | null {
  const profile = value?.trim();
  return profile ? { profile } : null;
}

function dropNullish<T extends Record<string, unknown>>(object: T): { [K in keyof T]?: Exclude<T[K], null | undefined> } {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value != null)) as {
    [K in keyof T]?: Exclude<T[K], null | undefined>;
  };
}

/**
 * Builds the IR of one (schema-valid) PodSecurityPolicy. Every control is always present; its
 * `sources` list every PSP field it is built from, whether or not the policy sets it, so coverage of
 * the API can be checked mechanically. Unset fields take PSP's meaning of unset (see ir.ts).
 *
 * @param psp a PodSecurityPolicy validated by `PodSecurityPolicySchema`.
 * @param source where the PSP object starts.
 */
export function policyToIR(psp: PodSecurityPolicy, source: SourceRef): PolicyIR {
  const spec = psp.spec;
  const annotations = psp.metadata.annotations ?? {};

  const allowPrivilegeEscalation = spec.allowPrivilegeEscalation ?? true;
  const readOnlyRootFilesystem = spec.readOnlyRootFilesystem ?? false;

  const allowedCapabilities = spec.allowedCapabilities ?? [];
  const requiredDrop = unique(spec.requiredDropCapabilities ?? []);
  const defaultAdd = unique(spec.defaultAddCapabilities ?? []);

  const volumes = spec.volumes ?? [];

  const runAsUserRanges = ranges(spec.runAsUser.ranges);
  const firstUid = runAsUserRanges[0]?.min;
  const runAsGroupRanges = ranges(spec.runAsGroup?.ranges);
  const runAsGroupRule = spec.runAsGroup?.rule ?? 'RunAsAny';
  const supplementalRanges = ranges(spec.supplementalGroups.ranges);
  const fsGroupRanges = ranges(spec.fsGroup.ranges);

  const seLinuxOptions = spec.seLinux.seLinuxOptions ? dropNullish(spec.seLinux.seLinuxOptions) : null;

  const controls: Controls = {
    privileged: {
      appliesTo: ALL_CONTAINERS,
      sources: ['spec.privileged'],
      validate: { allowPrivileged: spec.privileged ?? false },
      defaults: null,
    },
    hostNamespaces: {
      appliesTo: 'pod',
      sources: ['spec.hostNetwork', 'spec.hostPID', 'spec.hostIPC'],
      validate: {
        allowHostNetwork: spec.hostNetwork ?? false,
        allowHostPID: spec.hostPID ?? false,
        allowHostIPC: spec.hostIPC ?? false,
      },
      defaults: null,
    },
    hostPorts: {
      appliesTo: ALL_CONTAINERS,
      sources: ['spec.hostPorts'],
      validate: { ranges: ranges(spec.hostPorts) },
      defaults: null,
    },
    volumes: {
      appliesTo: 'pod',
      sources: ['spec.volumes'],
      validate: {
        anyType: volumes.includes('*'),
        allowedTypes: unique(volumes.filter((type) => type !== '*')),
      },
      defaults: null,
    },
    hostPaths: {
      appliesTo: 'pod',
      sources: ['spec.allowedHostPaths'],
      validate: {
        allowed: (spec.allowedHostPaths ?? []).map((entry) => ({ pathPrefix: entry.pathPrefix, readOnly: entry.readOnly ?? false })),
      },
      defaults: null,
    },
    flexVolumeDrivers: {
      appliesTo: 'pod',
      sources: ['spec.allowedFlexVolumes'],
      validate: { allowedDrivers: unique((spec.allowedFlexVolumes ?? []).map((entry) => entry.driver)) },
      defaults: null,
    },
    csiDrivers: {
      appliesTo: 'pod',
      sources: ['spec.allowedCSIDrivers'],
      validate: { allowedDrivers: unique((spec.allowedCSIDrivers ?? []).map((entry) => entry.name)) },
      defaults: null,
    },
    readOnlyRootFilesystem: {
      appliesTo: ALL_CONTAINERS,
      sources: ['spec.readOnlyRootFilesystem'],
      validate: { required: readOnlyRootFilesystem },
      defaults: readOnlyRootFilesystem ? { readOnlyRootFilesystem: true } : null,
    },
    privilegeEscalation: {
      appliesTo: ALL_CONTAINERS,
      sources: ['spec.allowPrivilegeEscalation', 'spec.defaultAllowPrivilegeEscalation'],
      validate: { allowPrivilegeEscalation },
      defaults:
        spec.defaultAllowPrivilegeEscalation != null
          ? { allowPrivilegeEscalation: spec.defaultAllowPrivilegeEscalation }
          : allowPrivilegeEscalation
            ? null
            : { allowPrivilegeEscalation: false },
    },
    capabilities: {
      appliesTo: ALL_CONTAINERS,
      sources: ['spec.allowedCapabilities', 'spec.requiredDropCapabilities', 'spec.defaultAddCapabilities'],
      validate: {
        allowAny: allowedCapabilities.includes('*'),
        allowed: unique(allowedCapabilities.filter((capability) => capability !== '*')),
        requiredDrop,
      },
      defaults: defaultAdd.length > 0 || requiredDrop.length > 0 ? { add: defaultAdd, drop: requiredDrop } : null,
    },
    runAsUser: {
      appliesTo: ALL_CONTAINERS,
      sources: ['spec.runAsUser'],
      validate: { rule: spec.runAsUser.rule, ranges: runAsUserRanges },
      defaults:
        spec.runAsUser.rule === 'MustRunAs' && firstUid !== undefined
          ? { runAsUser: firstUid }
          : spec.runAsUser.rule === 'MustRunAsNonRoot'
            ? { runAsNonRoot: true }
            : null,
    },
    runAsGroup: {
      appliesTo: ALL_CONTAINERS,
      sources: ['spec.runAsGroup'],
      validate: { specified: spec.runAsGroup != null, rule: runAsGroupRule, ranges: runAsGroupRanges },
      defaults: runAsGroupRule === 'MustRunAs' && runAsGroupRanges[0] ? { runAsGroup: runAsGroupRanges[0].min } : null,
    },
    supplementalGroups: {
      appliesTo: 'pod',
      sources: ['spec.supplementalGroups'],
      validate: { rule: spec.supplementalGroups.rule, ranges: supplementalRanges },
      defaults:
        spec.supplementalGroups.rule === 'MustRunAs' && supplementalRanges[0]
          ? { supplementalGroups: [supplementalRanges[0].min] }
          : null,
    },
    fsGroup: {
      appliesTo: 'pod',
      sources: ['spec.fsGroup'],
      validate: { rule: spec.fsGroup.rule, ranges: fsGroupRanges },
      defaults: spec.fsGroup.rule === 'MustRunAs' && fsGroupRanges[0] ? { fsGroup: fsGroupRanges[0].min } : null,
    },
    seLinux: {
      appliesTo: ALL_CONTAINERS,
      sources: ['spec.seLinux'],
      validate: { rule: spec.seLinux.rule, options: seLinuxOptions },
      defaults: spec.seLinux.rule === 'MustRunAs' && seLinuxOptions ? { seLinuxOptions } : null,
    },
    procMount: {
      appliesTo: ALL_CONTAINERS,
      sources: ['spec.allowedProcMountTypes'],
      validate: { allowed: unique(spec.allowedProcMountTypes ?? []) },
      defaults: null,
    },
    sysctls: {
      appliesTo: 'pod',
      sources: ['spec.forbiddenSysctls', 'spec.allowedUnsafeSysctls'],
      validate: { forbidden: unique(spec.forbiddenSysctls ?? []), allowedUnsafe: unique(spec.allowedUnsafeSysctls ?? []) },
      defaults: null,
    },
    seccomp: {
      appliesTo: ALL_CONTAINERS,
      sources: [
        annotationSource(PSP_ANNOTATIONS.seccompAllowedProfileNames),
        annotationSource(PSP_ANNOTATIONS.seccompDefaultProfileName),
      ],
      validate: { allowed: profileList(annotations[PSP_ANNOTATIONS.seccompAllowedProfileNames]) },
      defaults: defaultProfile(annotations[PSP_ANNOTATIONS.seccompDefaultProfileName]),
    },
    appArmor: {
      appliesTo: ALL_CONTAINERS,
      sources: [
        annotationSource(PSP_ANNOTATIONS.appArmorAllowedProfileNames),
        annotationSource(PSP_ANNOTATIONS.appArmorDefaultProfileName),
      ],
      validate: { allowed: profileList(annotations[PSP_ANNOTATIONS.appArmorAllowedProfileNames]) },
      defaults: defaultProfile(annotations[PSP_ANNOTATIONS.appArmorDefaultProfileName]),
    },
    runtimeClass: {
      appliesTo: 'pod',
      sources: ['spec.runtimeClass'],
      validate: { allowed: spec.runtimeClass ? [...spec.runtimeClass.allowedRuntimeClassNames] : null },
      defaults: spec.runtimeClass?.defaultRuntimeClassName
        ? { runtimeClassName: spec.runtimeClass.defaultRuntimeClassName }
        : null,
    },
  };

  return {
    name: psp.metadata.name,
    apiVersion: psp.apiVersion,
    source,
    labels: { ...(psp.metadata.labels ?? {}) },
    annotations: Object.fromEntries(Object.entries(annotations).filter(([key]) => !CONSUMED_ANNOTATIONS.has(key))),
    mutating: Object.values(controls).some((control) => control.defaults !== null),
    controls,
  };
}
