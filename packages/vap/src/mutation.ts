/**
 * PSP defaults as MutatingAdmissionPolicy mutations (`patchType: ApplyConfiguration`), one handler
 * per control (`satisfies Record<ControlKind, ...>`, so a control added to the IR fails to compile
 * here until its defaults are handled).
 *
 * Each default is a pair: `changes`, a boolean CEL expression saying whether PSP would have changed
 * the pod, and `apply`, the apply configuration that makes the change. The emitted expression is
 * `changes ? apply : Object{}`, so a pod that set the field keeps its value. Container lists are
 * list-maps keyed by `name`, so an apply configuration naming only the containers to change merges
 * into the pod without touching the others; every mutation covers `containers`, `initContainers`
 * and `ephemeralContainers`. Capability lists are atomic: the whole list is written, existing
 * entries first.
 *
 * `changes` is reused by the ValidatingAdmissionPolicy: PSP admitted an UPDATE (including
 * `pods/ephemeralcontainers`) under a policy only when that policy's defaults would change nothing.
 *
 * Semantics follow core's reference evaluator (PSP's MutatePod): pod level first (supplementalGroups,
 * fsGroup, seLinuxOptions, seccomp, runtimeClassName), then per container runAsUser, runAsGroup,
 * AppArmor, runAsNonRoot, capabilities, readOnlyRootFilesystem, allowPrivilegeEscalation, each only
 * where the pod left the field unset. The guards read only fields no earlier mutation writes, so
 * the result is the same whether the API server shows each mutation the original pod or the pod as
 * changed by the mutations before it.
 */
import { APPARMOR_CONTAINER_ANNOTATION_PREFIX, CONTAINER_KINDS, DEFAULTING_ORDER, SECCOMP_POD_ANNOTATION, celLiteral, celString, type ContainerKind, type ControlKind, type Controls, type Json, type PolicyIR, profileFieldForAnnotation } from '@psp-translate/core';
import type { FidelityEntry } from './types.js';

/** Prints apply-configuration objects: typed `Object.spec{...}` for the API server. */
export interface ApplyPrinter {
  /** An object of the apply-configuration type at `type` (field path under the root, `[]` = root). */
  object(type: readonly string[], fields: readonly (readonly [string, string])[]): string;
}

/** The printer for the API server: `Object.spec.containers{name: c.name}`. */
export const TYPED_APPLY_PRINTER: ApplyPrinter = {
  object: (type, fields) => `${['Object', ...type].join('.')}{${fields.map(([key, value]) => `${key}: ${value}`).join(', ')}}`,
};

/** One PSP default as a guarded apply configuration. */
export interface DefaultMutation {
  control: ControlKind;
  /** Boolean CEL over `object`: PSP would change the pod here. */
  changes: string;
  /**
   * The apply configuration making the change (evaluate only when `changes` holds); `undefined`
   * when the default has no form a mutation can write (reported), though `changes` still counts.
   */
  apply: ((printer: ApplyPrinter) => string) | undefined;
}

/** A policy's defaults as mutations, plus what could not be expressed. */
export interface DefaultsPlan {
  mutations: DefaultMutation[];
  report: FidelityEntry[];
}

/** A JSON value as an apply-configuration value of type `type`. */
function applyValue(type: readonly string[], value: Json, printer: ApplyPrinter): string {
  if (Array.isArray(value)) return `[${value.map((item: Json) => applyValue(type, item, printer)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return printer.object(
      type,
      Object.entries(value).map(([key, item]) => [key, applyValue([...type, key], item as Json, printer)] as const),
    );
  }
  return celLiteral(value);
}

/** `has(a.b) && has(a.b.c)` for `path` under `base`. */
function isSet(base: string, path: readonly string[]): string {
  let access = base;
  return path
    .map((key) => {
      access = `${access}.${key}`;
      return `has(${access})`;
    })
    .join(' && ');
}

const podScField = (field: string) => `(${isSet('object.spec', ['securityContext', field])})`;
const containerScField = (field: string) => `(${isSet('c', ['securityContext', field])})`;

/** A pod field under `spec` set to `value` when `unset` holds. */
function podFieldDefault(control: ControlKind, path: readonly string[], value: Json, unset: string): DefaultMutation {
  return {
    control,
    changes: unset,
    apply: (printer) => {
      let node = applyValue(['spec', ...path], value, printer);
      for (let i = path.length - 1; i >= 0; i--) node = printer.object(['spec', ...path.slice(0, i)], [[path[i] as string, node]]);
      return printer.object([], [['spec', node]]);
    },
  };
}

/**
 * A container `securityContext` field set on the containers (of every kind) that `select` picks
 * (a CEL predicate over `c`), when `podGuard` holds. `value(kind)` is the CEL apply value.
 */
function containerDefaults(
  control: ControlKind,
  field: string,
  select: string,
  podGuard: string | undefined,
  value: ((kind: ContainerKind, printer: ApplyPrinter) => string) | undefined,
): DefaultMutation[] {
  return CONTAINER_KINDS.map((kind) => {
    const list = `object.spec.${kind}`;
    const changes = [...(podGuard === undefined ? [] : [podGuard]), `has(${list})`, `${list}.exists(c, ${select})`].join(' && ');
    if (value === undefined) return { control, changes, apply: undefined };
    return {
      control,
      changes,
      apply: (printer: ApplyPrinter) => {
        const securityContext = printer.object(['spec', kind, 'securityContext'], [[field, value(kind, printer)]]);
        const container = printer.object(['spec', kind], [['name', 'c.name'], ['securityContext', securityContext]]);
        return printer.object([], [['spec', printer.object(['spec'], [[kind, `${list}.filter(c, ${select}).map(c, ${container})`]])]]);
      },
    };
  });
}

/** A profile in annotation form as a `seccompProfile` / `appArmorProfile` field (core's `profileFieldForAnnotation`). */
export const profileField = profileFieldForAnnotation;

const APPARMOR_CONTAINER_PREFIX = APPARMOR_CONTAINER_ANNOTATION_PREFIX;

/** A non-empty annotation `key` (a CEL string expression) on the pod. */
const annotationSet = (key: string) => `(has(object.metadata.annotations) && ${key} in object.metadata.annotations && object.metadata.annotations[${key}] != "")`;

type Handler<K extends ControlKind> = (control: Controls[K], policy: PolicyIR) => DefaultsPlan;

const none: DefaultsPlan = { mutations: [], report: [] };
const only = (...mutations: DefaultMutation[]): DefaultsPlan => ({ mutations, report: [] });

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
  // PSP also filled an empty list (as it arrives over protobuf from every controller).
  supplementalGroups: (c) =>
    c.defaults === null
      ? none
      : only(
          podFieldDefault('supplementalGroups', ['securityContext', 'supplementalGroups'], [...c.defaults.supplementalGroups], `!(${podScField('supplementalGroups')} && object.spec.securityContext.supplementalGroups.size() > 0)`),
        ),
  fsGroup: (c) => (c.defaults === null ? none : only(podFieldDefault('fsGroup', ['securityContext', 'fsGroup'], c.defaults.fsGroup, `!${podScField('fsGroup')}`))),
  // Set at pod level before the containers are visited, so no container default is ever needed.
  seLinux: (c) => {
    if (c.defaults === null) return none;
    const options: Record<string, string> = {};
    for (const key of ['user', 'role', 'type', 'level'] as const) {
      const value = c.defaults.seLinuxOptions[key];
      if (value) options[key] = value;
    }
    return only(podFieldDefault('seLinux', ['securityContext', 'seLinuxOptions'], options, `!${podScField('seLinuxOptions')}`));
  },
  seccomp: (c, policy) => {
    if (c.defaults === null || c.defaults.profile === '') return none;
    const field = profileField(c.defaults.profile);
    const unset = `!${annotationSet(celString(SECCOMP_POD_ANNOTATION))} && !${podScField('seccompProfile')}`;
    if (field === undefined) {
      return {
        mutations: [{ control: 'seccomp', changes: unset, apply: undefined }],
        report: [{ policy: policy.name, control: 'seccomp', aspect: 'default', fidelity: 'unsupported', message: `default seccomp profile "${c.defaults.profile}" has no securityContext.seccompProfile form; pods that set no profile are not given one` }],
      };
    }
    const report: FidelityEntry[] = [];
    const allowed = c.validate.allowed ?? [];
    if (c.defaults.profile === 'docker/default' && !allowed.includes('runtime/default') && !allowed.includes('*')) {
      report.push({
        policy: policy.name,
        control: 'seccomp',
        aspect: 'default',
        fidelity: 'approximate',
        message: 'the default seccomp profile docker/default is written as seccompProfile RuntimeDefault, which reads as runtime/default; add runtime/default to allowedProfileNames or defaulted pods are rejected',
      });
    }
    // The pod annotation (non-functional since 1.25) is left alone; the field is what the kubelet reads.
    return { mutations: [podFieldDefault('seccomp', ['securityContext', 'seccompProfile'], field, unset)], report };
  },
  runtimeClass: (c) => (c.defaults === null ? none : only(podFieldDefault('runtimeClass', ['runtimeClassName'], c.defaults.runtimeClassName, '!has(object.spec.runtimeClassName)'))),
  runAsUser: (c) => {
    if (c.defaults === null) return none;
    if ('runAsUser' in c.defaults) {
      const uid = c.defaults.runAsUser;
      return only(...containerDefaults('runAsUser', 'runAsUser', `!${containerScField('runAsUser')}`, `!${podScField('runAsUser')}`, () => celLiteral(uid)));
    }
    // MustRunAsNonRoot: the marker for the kubelet, where neither a UID nor the marker is effective.
    return only(
      ...containerDefaults('runAsUser', 'runAsNonRoot', `!${containerScField('runAsNonRoot')} && !${containerScField('runAsUser')}`, `!${podScField('runAsNonRoot')} && !${podScField('runAsUser')}`, () => 'true'),
    );
  },
  runAsGroup: (c) => {
    if (c.defaults === null) return none;
    const gid = c.defaults.runAsGroup;
    return only(...containerDefaults('runAsGroup', 'runAsGroup', `!${containerScField('runAsGroup')}`, `!${podScField('runAsGroup')}`, () => celLiteral(gid)));
  },
  appArmor: (c, policy) => {
    if (c.defaults === null || c.defaults.profile === '') return none;
    const field = profileField(c.defaults.profile);
    const annotated = annotationSet(`(${celString(APPARMOR_CONTAINER_PREFIX)} + c.name)`);
    const select = `!${annotated} && !${containerScField('appArmorProfile')}`;
    if (field === undefined || c.defaults.profile === 'docker/default') {
      return {
        mutations: containerDefaults('appArmor', 'appArmorProfile', select, `!${podScField('appArmorProfile')}`, undefined),
        report: [{ policy: policy.name, control: 'appArmor', aspect: 'default', fidelity: 'unsupported', message: `default AppArmor profile "${c.defaults.profile}" has no securityContext.appArmorProfile form; containers that set no profile are not given one` }],
      };
    }
    return {
      mutations: containerDefaults('appArmor', 'appArmorProfile', select, `!${podScField('appArmorProfile')}`, (kind, printer) =>
        applyValue(['spec', kind, 'securityContext', 'appArmorProfile'], field, printer),
      ),
      report: [
        {
          policy: policy.name,
          control: 'appArmor',
          aspect: 'default',
          fidelity: 'note',
          message: 'the default AppArmor profile is written as securityContext.appArmorProfile (Kubernetes 1.30+), not as the deprecated per-container annotation PSP wrote',
        },
      ],
    };
  },
  capabilities: (c) => {
    const add = c.defaults?.add ?? [];
    const drop = c.validate.requiredDrop;
    const list = (which: 'add' | 'drop') => `(${isSet('c', ['securityContext', 'capabilities', which])} ? c.securityContext.capabilities.${which} : [])`;
    const mutations: DefaultMutation[] = [];
    if (add.length > 0) {
      // PSP added a default capability unless the container already added or dropped it.
      const missing = `${celLiteral(add)}.filter(x, !(x in ${list('add')}) && !(x in ${list('drop')}))`;
      mutations.push(
        ...containerDefaults('capabilities', 'capabilities', `${missing}.size() > 0`, undefined, (kind, printer) =>
          printer.object(['spec', kind, 'securityContext', 'capabilities'], [['add', `${list('add')} + ${missing}`]]),
        ),
      );
    }
    if (drop.length > 0) {
      const missing = `${celLiteral(drop)}.filter(x, !(x in ${list('drop')}))`;
      mutations.push(
        ...containerDefaults('capabilities', 'capabilities', `${missing}.size() > 0`, undefined, (kind, printer) =>
          printer.object(['spec', kind, 'securityContext', 'capabilities'], [['drop', `${list('drop')} + ${missing}`]]),
        ),
      );
    }
    return only(...mutations);
  },
  readOnlyRootFilesystem: (c) =>
    c.defaults === null ? none : only(...containerDefaults('readOnlyRootFilesystem', 'readOnlyRootFilesystem', `!${containerScField('readOnlyRootFilesystem')}`, undefined, () => 'true')),
  privilegeEscalation: (c) => {
    if (c.defaults === null) return none;
    const value = c.defaults.allowPrivilegeEscalation;
    return only(...containerDefaults('privilegeEscalation', 'allowPrivilegeEscalation', `!${containerScField('allowPrivilegeEscalation')}`, undefined, () => celLiteral(value)));
  },
};


/** The defaults of one PSP as guarded mutations, in PSP's order. */
export function defaultsPlan(policy: PolicyIR): DefaultsPlan {
  const mutations: DefaultMutation[] = [];
  const report: FidelityEntry[] = [];
  for (const kind of DEFAULTING_ORDER) {
    const handler = handlers[kind] as Handler<ControlKind>;
    const plan = handler(policy.controls[kind], policy);
    mutations.push(...plan.mutations);
    report.push(...plan.report);
  }
  return { mutations, report };
}

/**
 * One mutation as the API server evaluates it: the change when PSP would make it, else nothing.
 * `undefined` for a default with no writable form.
 */
export function mutationExpression(mutation: DefaultMutation, printer: ApplyPrinter = TYPED_APPLY_PRINTER): string | undefined {
  if (mutation.apply === undefined) return undefined;
  return `${mutation.changes} ? ${mutation.apply(printer)} : ${printer.object([], [])}`;
}

/**
 * Boolean CEL: the policy's defaults would change the pod (PSP's "mutation not allowed" on UPDATE),
 * including defaults no mutation can write. `undefined` when the policy has no defaults.
 */
export function wouldChangeExpression(plan: DefaultsPlan): string | undefined {
  if (plan.mutations.length === 0) return undefined;
  return plan.mutations.map((m) => `(${m.changes})`).join(' || ');
}
