/**
 * Mutators (`mutations.gatekeeper.sh/v1` Assign and ModifySet) that reproduce what PSP admission
 * wrote into pods: its defaults only ever filled fields the pod left unset, so every Assign
 * carries a `MustNotExist` path test on its own location and never overwrites a value.
 *
 * Where PSP defaulted a container field that the pod level can also carry (UID, GID, SELinux,
 * non-root), the default goes to `spec.securityContext`: path tests can only look at prefixes of
 * the location (Gatekeeper rejects others), so a container-level Assign could not see a pod-level
 * value and would override it; a pod-level default reaches every container that sets nothing,
 * which is exactly PSP's "effective value unset" rule. Ephemeral containers are added later, to
 * running pods, by an UPDATE of `pods/ephemeralcontainers` that cannot change the pod level, so
 * they get their own container-level Assign.
 */
import type { ContainerKind, Controls, ControlKind } from '@psp-translate/core';
import { CONTAINER_KINDS } from '@psp-translate/core';

/** When a mutator runs (Gatekeeper 3.24+ reads `applyTo.operations`; older releases run it on both). */
export type MutatorOperations = readonly ('CREATE' | 'UPDATE')[];

interface DraftBase {
  /** Short, stable suffix of the mutator's name, e.g. `runasuser-pod`. */
  id: string;
  /** Gatekeeper location, e.g. `spec.containers[name: *].securityContext.readOnlyRootFilesystem`. */
  location: string;
  operations: MutatorOperations;
}

/** An Assign that sets `value` at `location` only where nothing is set yet. */
export interface AssignDraft extends DraftBase {
  kind: 'Assign';
  value: unknown;
}

/** A ModifySet that merges `values` into the list at `location` (creating it when absent). */
export interface ModifySetDraft extends DraftBase {
  kind: 'ModifySet';
  values: readonly unknown[];
}

/**
 * One mutator to emit for a PSP default, before it gets its name, match and applyTo: an Assign
 * that fills an unset field, or a ModifySet that merges capabilities into a list.
 */
export type MutatorDraft = AssignDraft | ModifySetDraft;

/** What one control's defaults become: mutators, and notes on where they differ from PSP. */
export interface MutatorPlan {
  drafts: MutatorDraft[];
  /** Where the mutators differ from PSP, or what they cannot express. */
  approximations: string[];
  lost: string[];
}

type MutatorHandler<K extends ControlKind> = (control: Controls[K]) => MutatorPlan;

/** Pods are created with containers and initContainers; ephemeral containers only arrive by UPDATE. */
const CREATE_ONLY: MutatorOperations = ['CREATE'];
const CREATE_AND_UPDATE: MutatorOperations = ['CREATE', 'UPDATE'];

function operationsFor(kind: ContainerKind | 'pod'): MutatorOperations {
  return kind === 'ephemeralContainers' ? CREATE_AND_UPDATE : CREATE_ONLY;
}

/** Location of a field in every container of one kind. */
export function containerLocation(kind: ContainerKind, field: string): string {
  return `spec.${kind}[name: *].${field}`;
}

function idOf(field: string, kind: ContainerKind | 'pod'): string {
  const shortKind = { pod: 'pod', containers: 'ctr', initContainers: 'init', ephemeralContainers: 'eph' }[kind];
  return `${field.toLowerCase()}-${shortKind}`;
}

/** An Assign on the same field of all three container kinds. */
function assignInEveryContainer(field: string, securityContextField: string, value: unknown): AssignDraft[] {
  return CONTAINER_KINDS.map((kind) => ({
    kind: 'Assign',
    id: idOf(field, kind),
    location: containerLocation(kind, `securityContext.${securityContextField}`),
    operations: operationsFor(kind),
    value,
  }));
}

/** A pod-level Assign plus one for ephemeral containers (see the module comment). */
function assignAtPodAndEphemeral(field: string, value: unknown): AssignDraft[] {
  return [
    {
      kind: 'Assign',
      id: idOf(field, 'pod'),
      location: `spec.securityContext.${field}`,
      operations: CREATE_ONLY,
      value,
    },
    {
      kind: 'Assign',
      id: idOf(field, 'ephemeralContainers'),
      location: containerLocation('ephemeralContainers', `securityContext.${field}`),
      operations: CREATE_AND_UPDATE,
      value,
    },
  ];
}

const none = (): MutatorPlan => ({ drafts: [], approximations: [], lost: [] });

/** A seccomp profile name in annotation form as the `seccompProfile` field. */
export function seccompProfileField(name: string): { type: string; localhostProfile?: string } | undefined {
  if (name === 'runtime/default' || name === 'docker/default') return { type: 'RuntimeDefault' };
  if (name === 'unconfined') return { type: 'Unconfined' };
  if (name.startsWith('localhost/') && name.length > 'localhost/'.length) {
    return { type: 'Localhost', localhostProfile: name.slice('localhost/'.length) };
  }
  return undefined;
}

/** A seccompProfile field in annotation form (what PSP compared it as). */
function seccompFieldName(field: { type: string; localhostProfile?: string }): string {
  if (field.type === 'RuntimeDefault') return 'runtime/default';
  if (field.type === 'Unconfined') return 'unconfined';
  return `localhost/${field.localhostProfile ?? ''}`;
}

/** An AppArmor profile name in annotation form as the `appArmorProfile` field (Kubernetes 1.30+). */
export function appArmorProfileField(name: string): { type: string; localhostProfile?: string } | undefined {
  if (name === 'runtime/default') return { type: 'RuntimeDefault' };
  if (name === 'unconfined') return { type: 'Unconfined' };
  if (name.startsWith('localhost/') && name.length > 'localhost/'.length) {
    return { type: 'Localhost', localhostProfile: name.slice('localhost/'.length) };
  }
  return undefined;
}

/** One handler per control: a control added to the IR fails to compile here until it is handled. */
export const mutatorHandlers = {
  privileged: none,
  hostNamespaces: none,
  hostPorts: none,
  volumes: none,
  hostPaths: none,
  flexVolumeDrivers: none,
  csiDrivers: none,
  procMount: none,
  sysctls: none,
  readOnlyRootFilesystem: (control) =>
    control.defaults === null
      ? none()
      : { drafts: assignInEveryContainer('rorootfs', 'readOnlyRootFilesystem', true), approximations: [], lost: [] },
  privilegeEscalation: (control) =>
    control.defaults === null
      ? none()
      : {
          drafts: assignInEveryContainer(
            'privesc',
            'allowPrivilegeEscalation',
            control.defaults.allowPrivilegeEscalation,
          ),
          approximations: [],
          lost: [],
        },
  capabilities: (control) => {
    if (control.defaults === null) return none();
    const drafts: MutatorDraft[] = [];
    for (const [list, values] of [
      ['add', control.defaults.add],
      ['drop', control.defaults.drop],
    ] as const) {
      if (values.length === 0) continue;
      for (const kind of CONTAINER_KINDS) {
        drafts.push({
          kind: 'ModifySet',
          id: idOf(`caps${list}`, kind),
          location: containerLocation(kind, `securityContext.capabilities.${list}`),
          operations: operationsFor(kind),
          values: [...values],
        });
      }
    }
    const approximations =
      control.defaults.add.length > 0
        ? [
            'defaultAddCapabilities are merged into capabilities.add even for a container that drops them ' +
              '(PSP skipped those); ModifySet cannot test list membership',
          ]
        : [];
    return { drafts, approximations, lost: [] };
  },
  runAsUser: (control) => {
    if (control.defaults === null) return none();
    if ('runAsUser' in control.defaults) {
      return {
        drafts: assignAtPodAndEphemeral('runAsUser', control.defaults.runAsUser),
        approximations: [
          'the default UID is set at pod level (containers without their own UID inherit it, as PSP ' +
            'decided); an ephemeral container without a UID gets the default even when the pod level has one',
        ],
        lost: [],
      };
    }
    return {
      drafts: assignAtPodAndEphemeral('runAsNonRoot', true),
      approximations: [
        'runAsNonRoot: true is set at pod level when the pod sets no runAsNonRoot, also when a ' +
          'container sets a UID (PSP then left it unset); admission verdicts are the same',
      ],
      lost: [],
    };
  },
  runAsGroup: (control) =>
    control.defaults === null
      ? none()
      : {
          drafts: assignAtPodAndEphemeral('runAsGroup', control.defaults.runAsGroup),
          approximations: [],
          lost: [],
        },
  supplementalGroups: (control) =>
    control.defaults === null
      ? none()
      : {
          drafts: [
            {
              kind: 'Assign',
              id: idOf('supplementalGroups', 'pod'),
              location: 'spec.securityContext.supplementalGroups',
              operations: CREATE_ONLY,
              value: [...control.defaults.supplementalGroups],
            },
          ],
          approximations: [],
          lost: [],
        },
  fsGroup: (control) =>
    control.defaults === null
      ? none()
      : {
          drafts: [
            {
              kind: 'Assign',
              id: idOf('fsGroup', 'pod'),
              location: 'spec.securityContext.fsGroup',
              operations: CREATE_ONLY,
              value: control.defaults.fsGroup,
            },
          ],
          approximations: [],
          lost: [],
        },
  seLinux: (control) =>
    control.defaults === null
      ? none()
      : {
          drafts: assignAtPodAndEphemeral('seLinuxOptions', { ...control.defaults.seLinuxOptions }),
          approximations: [],
          lost: [],
        },
  seccomp: (control) => {
    if (control.defaults === null) return none();
    const name = control.defaults.profile;
    const field = seccompProfileField(name);
    const allowed = control.validate.allowed ?? [];
    // The field reads back as runtime/default; PSP compared names as strings, so docker/default
    // written as RuntimeDefault is only as good as the original where runtime/default is allowed too.
    // With no allowed list PSP still wrote the default and then refused it; the field reproduces that.
    const readsBackAllowed =
      field !== undefined && (allowed.length === 0 || allowed.includes('*') || allowed.includes(seccompFieldName(field)));
    if (field === undefined || !readsBackAllowed) {
      return {
        drafts: [],
        approximations: [],
        lost: [
          field === undefined
            ? `defaultProfileName "${name}" has no seccompProfile field equivalent`
            : `defaultProfileName "${name}" would be written as the seccompProfile field, which reads back as ` +
              `"${seccompFieldName(field)}", not in allowedProfileNames; add it there (or set the profile in the pods) to keep the default`,
        ],
      };
    }
    return {
      drafts: [
        {
          kind: 'Assign',
          id: idOf('seccomp', 'pod'),
          location: 'spec.securityContext.seccompProfile',
          operations: CREATE_ONLY,
          value: field,
        },
      ],
      approximations: [
        'the default is written as the seccompProfile field (Kubernetes 1.19+), not the deprecated pod ' +
          'annotation; a pod that sets its profile only by annotation also gets the field, and the API ' +
          'server rejects the pair if they differ',
      ],
      lost: [],
    };
  },
  appArmor: (control) => {
    if (control.defaults === null) return none();
    const field = appArmorProfileField(control.defaults.profile);
    if (field === undefined) {
      return {
        drafts: [],
        approximations: [],
        lost: [`AppArmor defaultProfileName "${control.defaults.profile}" has no appArmorProfile field equivalent`],
      };
    }
    return {
      drafts: [
        {
          kind: 'Assign',
          id: idOf('apparmor', 'pod'),
          location: 'spec.securityContext.appArmorProfile',
          operations: CREATE_ONLY,
          value: field,
        },
      ],
      approximations: [
        'the default is written as the pod-level appArmorProfile field, which needs Kubernetes 1.30+ ' +
          '(older API servers drop it); the per-container annotation PSP wrote cannot be produced: ' +
          'AssignMetadata only adds one fixed key and cannot iterate over container names',
      ],
      lost: [],
    };
  },
  runtimeClass: (control) =>
    control.defaults === null
      ? none()
      : {
          drafts: [
            {
              kind: 'Assign',
              id: 'runtimeclass-pod',
              location: 'spec.runtimeClassName',
              operations: CREATE_ONLY,
              value: control.defaults.runtimeClassName,
            },
          ],
          approximations: [],
          lost: [],
        },
} satisfies { [K in ControlKind]: MutatorHandler<K> };

/** The mutator plan of one control of a policy. */
export function planMutators<K extends ControlKind>(kind: K, control: Controls[K]): MutatorPlan {
  const handler = mutatorHandlers[kind] as MutatorHandler<K>;
  return handler(control);
}
