/**
 * What PSP admission wrote into a pod on CREATE, as engine-neutral edits. One handler per control
 * (`satisfies Record<ControlKind, ...>`), so a control added to the IR fails to compile here until
 * its defaults are handled. The ClusterPolicy and MutatingPolicy printers render these edits.
 *
 * Order and conditions follow PSP's `MutatePod`: pod-level fields first (supplementalGroups,
 * fsGroup, seLinuxOptions, seccomp, runtimeClassName), then per container runAsUser, runAsGroup,
 * AppArmor, runAsNonRoot, capabilities, readOnlyRootFilesystem, allowPrivilegeEscalation, each only
 * where the pod left the field unset.
 */
import { APPARMOR_CONTAINER_ANNOTATION_PREFIX, DEFAULTING_ORDER, SECCOMP_POD_ANNOTATION, profileFieldForAnnotation, type ControlKind, type Controls, type PolicyIR, type ProfileFieldValue } from '@psp-translate/core';
import type { FidelityEntry } from '../types.js';

/** A profile in field form (`securityContext.seccompProfile` / `appArmorProfile`): core's. */
export type ProfileField = ProfileFieldValue;

/** A pod-level field set when absent: `spec.<path>`. */
export interface PodFieldDefault {
  kind: 'podField';
  control: ControlKind;
  /** Path under `spec`, e.g. `['securityContext', 'fsGroup']`. */
  path: readonly string[];
  value: unknown;
  /** An empty list counts as unset (PSP defaulted `supplementalGroups: []` as it arrived over protobuf). */
  emptyIsUnset: boolean;
  /** A pod annotation that, when non-empty, means the field is set already (the legacy seccomp annotation). */
  unlessAnnotation: string | undefined;
}

/**
 * A container `securityContext` field set when absent in the container, provided the listed pod
 * `securityContext` fields and other container `securityContext` fields are absent too (PSP looked
 * at the effective value: the container's, else the pod's).
 */
export interface ContainerFieldDefault {
  kind: 'containerField';
  control: ControlKind;
  field: string;
  value: unknown;
  /** Pod `spec.securityContext` fields that must be unset. */
  podUnset: readonly string[];
  /** Other container `securityContext` fields that must be unset. */
  containerUnset: readonly string[];
}

/** AppArmor: a container with no profile (no annotation, no container or pod field) gets one. */
export interface AppArmorDefault {
  kind: 'appArmor';
  control: 'appArmor';
  profile: ProfileField;
}

/** Capabilities: missing required drops are appended to `drop`; default adds the container neither adds nor drops are appended to `add`. */
export interface CapabilitiesDefault {
  kind: 'capabilities';
  control: 'capabilities';
  add: readonly string[];
  drop: readonly string[];
}

/**
 * One default PSP admission wrote into pods on CREATE, as an engine-neutral edit that the
 * ClusterPolicy and MutatingPolicy printers render: a pod field, a container field, an AppArmor
 * profile or capabilities, each applied only where the pod left it unset.
 */
export type DefaultEdit = PodFieldDefault | ContainerFieldDefault | AppArmorDefault | CapabilitiesDefault;

/** A policy's defaults as edits, plus what could not be expressed. */
export interface DefaultsPlan {
  policy: string;
  edits: DefaultEdit[];
  report: FidelityEntry[];
}

/** A profile name in annotation form as a field (core's `profileFieldForAnnotation`). */
export const profileField = profileFieldForAnnotation;

/** The legacy per-container AppArmor annotation prefix (core's). */
export const APPARMOR_ANNOTATION_PREFIX = APPARMOR_CONTAINER_ANNOTATION_PREFIX;

/** SELinux options as PSP wrote them: empty fields left out. */
function seLinuxValue(options: { user?: string | undefined; role?: string | undefined; type?: string | undefined; level?: string | undefined }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['user', 'role', 'type', 'level'] as const) {
    const value = options[key];
    if (value) out[key] = value;
  }
  return out;
}

type Handler<K extends ControlKind> = (control: Controls[K], policy: PolicyIR) => { edits: DefaultEdit[]; report: FidelityEntry[] };

const none = { edits: [], report: [] };

const handlers: { [K in ControlKind]: Handler<K> } = {
  privileged: () => none,
  hostNamespaces: () => none,
  hostPorts: () => none,
  volumes: () => none,
  hostPaths: () => none,
  flexVolumeDrivers: () => none,
  csiDrivers: () => none,
  procMount: () => none,
  sysctls: () => none,
  supplementalGroups: (c) =>
    c.defaults === null
      ? none
      : { edits: [{ kind: 'podField', control: 'supplementalGroups', path: ['securityContext', 'supplementalGroups'], value: [...c.defaults.supplementalGroups], emptyIsUnset: true, unlessAnnotation: undefined }], report: [] },
  fsGroup: (c) =>
    c.defaults === null ? none : { edits: [{ kind: 'podField', control: 'fsGroup', path: ['securityContext', 'fsGroup'], value: c.defaults.fsGroup, emptyIsUnset: false, unlessAnnotation: undefined }], report: [] },
  // PSP set the pod's seLinuxOptions when the pod had none; containers then inherit it.
  seLinux: (c) =>
    c.defaults === null
      ? none
      : { edits: [{ kind: 'podField', control: 'seLinux', path: ['securityContext', 'seLinuxOptions'], value: seLinuxValue(c.defaults.seLinuxOptions), emptyIsUnset: false, unlessAnnotation: undefined }], report: [] },
  seccomp: (c, policy) => {
    if (c.defaults === null) return none;
    const field = profileField(c.defaults.profile);
    if (field === undefined) {
      return {
        edits: [],
        report: [
          {
            policy: policy.name,
            control: 'seccomp',
            aspect: 'default',
            fidelity: 'unsupported',
            message: `default seccomp profile "${c.defaults.profile}" has no securityContext.seccompProfile equivalent; it is not set on pods`,
          },
        ],
      };
    }
    return { edits: [{ kind: 'podField', control: 'seccomp', path: ['securityContext', 'seccompProfile'], value: field, emptyIsUnset: false, unlessAnnotation: SECCOMP_POD_ANNOTATION }], report: [] };
  },
  runtimeClass: (c) =>
    c.defaults === null ? none : { edits: [{ kind: 'podField', control: 'runtimeClass', path: ['runtimeClassName'], value: c.defaults.runtimeClassName, emptyIsUnset: false, unlessAnnotation: undefined }], report: [] },
  runAsUser: (c) => {
    if (c.defaults === null) return none;
    if ('runAsUser' in c.defaults) {
      return {
        edits: [{ kind: 'containerField', control: 'runAsUser', field: 'runAsUser', value: c.defaults.runAsUser, podUnset: ['runAsUser'], containerUnset: [] }],
        report: [],
      };
    }
    // MustRunAsNonRoot: the marker for the kubelet, only where no UID and no marker is effective.
    return {
      edits: [
        { kind: 'containerField', control: 'runAsUser', field: 'runAsNonRoot', value: true, podUnset: ['runAsNonRoot', 'runAsUser'], containerUnset: ['runAsUser'] },
      ],
      report: [],
    };
  },
  runAsGroup: (c) =>
    c.defaults === null
      ? none
      : { edits: [{ kind: 'containerField', control: 'runAsGroup', field: 'runAsGroup', value: c.defaults.runAsGroup, podUnset: ['runAsGroup'], containerUnset: [] }], report: [] },
  appArmor: (c, policy) => {
    if (c.defaults === null) return none;
    const field = profileField(c.defaults.profile);
    if (field === undefined) {
      return {
        edits: [],
        report: [
          {
            policy: policy.name,
            control: 'appArmor',
            aspect: 'default',
            fidelity: 'unsupported',
            message: `default AppArmor profile "${c.defaults.profile}" has no securityContext.appArmorProfile equivalent; it is not set on pods`,
          },
        ],
      };
    }
    return {
      edits: [{ kind: 'appArmor', control: 'appArmor', profile: field }],
      report: [
        {
          policy: policy.name,
          control: 'appArmor',
          aspect: 'default',
          fidelity: 'note',
          message: `the default AppArmor profile is written as securityContext.appArmorProfile (Kubernetes 1.30+), not as the deprecated per-container annotation PSP wrote`,
        },
      ],
    };
  },
  capabilities: (c) =>
    c.defaults === null || (c.defaults.add.length === 0 && c.defaults.drop.length === 0)
      ? none
      : { edits: [{ kind: 'capabilities', control: 'capabilities', add: [...c.defaults.add], drop: [...c.defaults.drop] }], report: [] },
  readOnlyRootFilesystem: (c) =>
    c.defaults === null
      ? none
      : { edits: [{ kind: 'containerField', control: 'readOnlyRootFilesystem', field: 'readOnlyRootFilesystem', value: true, podUnset: [], containerUnset: [] }], report: [] },
  privilegeEscalation: (c) =>
    c.defaults === null
      ? none
      : {
          edits: [
            {
              kind: 'containerField',
              control: 'privilegeEscalation',
              field: 'allowPrivilegeEscalation',
              value: c.defaults.allowPrivilegeEscalation,
              podUnset: [],
              containerUnset: [],
            },
          ],
          report: [],
        },
};


/** The defaults of one PSP as edits, in PSP's order. */
export function defaultsPlan(policy: PolicyIR): DefaultsPlan {
  const edits: DefaultEdit[] = [];
  const report: FidelityEntry[] = [];
  for (const kind of DEFAULTING_ORDER) {
    const handler = handlers[kind] as Handler<ControlKind>;
    const result = handler(policy.controls[kind], policy);
    edits.push(...result.edits);
    report.push(...result.report);
  }
  return { policy: policy.name, edits, report };
}
