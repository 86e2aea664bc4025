/**
 * PSP defaults as `policies.kyverno.io/v1` MutatingPolicy mutations: CEL expressions returning
 * server-side-apply configurations (`patchType: ApplyConfiguration`). Each expression names only
 * the containers (merged by their `name` key) and fields the pod left unset, and yields an empty
 * configuration (`Object{}`) when nothing is to change, so values the pod set are never replaced.
 */
import type { ContainerKind } from '@psp-translate/core';
import { CONTAINER_KINDS } from '../kyverno-shapes.js';
import { celString, celStringList } from '../scope.js';
import { APPARMOR_ANNOTATION_PREFIX, type AppArmorDefault, type CapabilitiesDefault, type ContainerFieldDefault, type DefaultEdit, type PodFieldDefault } from './defaults.js';

/** One MutatingPolicy mutation. */
export interface ApplyConfigurationMutation {
  patchType: 'ApplyConfiguration';
  applyConfiguration: { expression: string };
}

const EMPTY = 'Object{}';

/** A JSON value as a CEL apply-configuration value; objects become `Type{field: ...}` constructors. */
export function celApplyValue(typeName: string, value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return celString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`cannot express ${value} as a CEL int: PSP defaults are integers`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => celApplyValue(typeName, v)).join(', ')}]`;
  if (typeof value === 'object') {
    const fields = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}: ${celApplyValue(`${typeName}.${k}`, v)}`);
    return `${typeName}{${fields.join(', ')}}`;
  }
  throw new Error(`cannot express a ${typeof value} as a CEL value`);
}

/** `has(a.b) && has(a.b.c)`: whether a path under `base` is set. */
function isSet(base: string, path: readonly string[]): string {
  const tests: string[] = [];
  let expr = base;
  for (const seg of path) {
    expr = `${expr}.${seg}`;
    tests.push(`has(${expr})`);
  }
  return tests.join(' && ');
}

/** Wraps `inner` (an apply value at `spec.<path>`) into `Object{spec: Object.spec{...}}` along the path. */
function specConfiguration(path: readonly string[], inner: string): string {
  let node = inner;
  for (let i = path.length - 1; i >= 0; i--) {
    const typeName = ['Object', 'spec', ...path.slice(0, i)].join('.');
    node = `${typeName}{${path[i]}: ${node}}`;
  }
  return `Object{spec: ${node}}`;
}

function podFieldMutation(edit: PodFieldDefault): string {
  const value = celApplyValue(['Object', 'spec', ...edit.path].join('.'), edit.value);
  const access = `object.spec.${edit.path.join('.')}`;
  const keep = [edit.emptyIsUnset ? `(${isSet('object.spec', edit.path)} && ${access}.size() > 0)` : `(${isSet('object.spec', edit.path)})`];
  if (edit.unlessAnnotation !== undefined) {
    const key = celString(edit.unlessAnnotation);
    keep.push(`(has(object.metadata.annotations) && ${key} in object.metadata.annotations && object.metadata.annotations[${key}] != "")`);
  }
  const parent = edit.path.slice(0, -1);
  return `${keep.join(' || ')} ? ${EMPTY} : ${specConfiguration(parent, `Object.spec${parent.map((p) => `.${p}`).join('')}{${edit.path[edit.path.length - 1]}: ${value}}`)}`;
}

/**
 * A mutation setting `securityContext` fields on the containers of `kind` that `selects`, where
 * `fields(c)` gives the fields per container `c`, guarded by pod-level `podGuard`.
 */
function containerMutation(kind: ContainerKind, podGuard: string | undefined, selects: string, fields: string): string {
  const type = `Object.spec.${kind}`;
  const selected = `object.spec.${kind}.filter(c, ${selects})`;
  const guard = [`has(object.spec.${kind})`, ...(podGuard === undefined ? [] : [podGuard]), `${selected}.size() > 0`].join(' && ');
  return `${guard} ? Object{spec: Object.spec{${kind}: ${selected}.map(c, ${type}{name: c.name, securityContext: ${type}.securityContext{${fields}}})}} : ${EMPTY}`;
}

const unsetInContainer = (field: string) => `!(${isSet('c', ['securityContext', field])})`;
const unsetInPod = (field: string) => `!(${isSet('object.spec', ['securityContext', field])})`;

function containerFieldMutations(edit: ContainerFieldDefault): string[] {
  const podGuard = edit.podUnset.length === 0 ? undefined : edit.podUnset.map(unsetInPod).join(' && ');
  const selects = [edit.field, ...edit.containerUnset].map(unsetInContainer).join(' && ');
  return CONTAINER_KINDS.map((kind) =>
    containerMutation(kind, podGuard, selects, `${edit.field}: ${celApplyValue(`Object.spec.${kind}.securityContext.${edit.field}`, edit.value)}`),
  );
}

function appArmorSelects(): string {
  const key = `(${celString(APPARMOR_ANNOTATION_PREFIX)} + c.name)`;
  const annotated = `(has(object.metadata.annotations) && ${key} in object.metadata.annotations && object.metadata.annotations[${key}] != "")`;
  return `${unsetInContainer('appArmorProfile')} && !${annotated}`;
}

const capList = (which: 'add' | 'drop') => `(${isSet('c', ['securityContext', 'capabilities', which])} ? c.securityContext.capabilities.${which} : [])`;
const missingDrops = (edit: CapabilitiesDefault) => `${celStringList(edit.drop)}.filter(x, !(x in ${capList('drop')}))`;
// PSP added a default capability unless the container already adds or drops it.
const missingAdds = (edit: CapabilitiesDefault) => `${celStringList(edit.add)}.filter(x, !(x in ${capList('add')}) && !(x in ${capList('drop')}))`;

function appArmorMutations(edit: AppArmorDefault): string[] {
  return CONTAINER_KINDS.map((kind) =>
    containerMutation(
      kind,
      unsetInPod('appArmorProfile'),
      appArmorSelects(),
      `appArmorProfile: ${celApplyValue(`Object.spec.${kind}.securityContext.appArmorProfile`, edit.profile)}`,
    ),
  );
}

function capabilitiesMutations(edit: CapabilitiesDefault): string[] {
  const out: string[] = [];
  for (const kind of CONTAINER_KINDS) {
    const capsType = `Object.spec.${kind}.securityContext.capabilities`;
    // Capability lists are atomic for apply: the whole list is written, existing entries first.
    if (edit.drop.length > 0) {
      out.push(containerMutation(kind, undefined, `${missingDrops(edit)}.size() > 0`, `capabilities: ${capsType}{drop: ${capList('drop')} + ${missingDrops(edit)}}`));
    }
    if (edit.add.length > 0) {
      out.push(containerMutation(kind, undefined, `${missingAdds(edit)}.size() > 0`, `capabilities: ${capsType}{add: ${capList('add')} + ${missingAdds(edit)}}`));
    }
  }
  return out;
}

/**
 * Boolean CEL: some default of these edits would still change the pod (a field PSP would set is
 * unset). `undefined` when there are no edits. PSP did not default pods on UPDATE (the
 * ephemeralcontainers subresource): it skipped a policy whose defaults would have changed the pod.
 */
export function pendingDefaultsExpression(edits: readonly DefaultEdit[]): string | undefined {
  const parts = edits.flatMap((edit): string[] => {
    switch (edit.kind) {
      case 'podField':
        return [`!(${podFieldMutation(edit).split(' ? ')[0]})`];
      case 'containerField': {
        const podGuard = edit.podUnset.length === 0 ? undefined : edit.podUnset.map(unsetInPod).join(' && ');
        const selects = [edit.field, ...edit.containerUnset].map(unsetInContainer).join(' && ');
        return CONTAINER_KINDS.map((kind) => containerPending(kind, podGuard, selects));
      }
      case 'appArmor':
        return CONTAINER_KINDS.map((kind) => containerPending(kind, unsetInPod('appArmorProfile'), appArmorSelects()));
      case 'capabilities':
        return CONTAINER_KINDS.flatMap((kind) => [
          ...(edit.drop.length > 0 ? [containerPending(kind, undefined, `${missingDrops(edit)}.size() > 0`)] : []),
          ...(edit.add.length > 0 ? [containerPending(kind, undefined, `${missingAdds(edit)}.size() > 0`)] : []),
        ]);
    }
  });
  return parts.length === 0 ? undefined : parts.map((p) => `(${p})`).join(' || ');
}

function containerPending(kind: ContainerKind, podGuard: string | undefined, selects: string): string {
  return [`has(object.spec.${kind})`, ...(podGuard === undefined ? [] : [podGuard]), `object.spec.${kind}.exists(c, ${selects})`].join(' && ');
}

/** The MutatingPolicy mutations of one PSP's defaults, in PSP's order (applied in sequence). */
export function applyConfigurationMutations(edits: readonly DefaultEdit[]): ApplyConfigurationMutation[] {
  const expressions = edits.flatMap((edit) => {
    switch (edit.kind) {
      case 'podField':
        return [podFieldMutation(edit)];
      case 'containerField':
        return containerFieldMutations(edit);
      case 'appArmor':
        return appArmorMutations(edit);
      case 'capabilities':
        return capabilitiesMutations(edit);
    }
  });
  return expressions.map((expression) => ({ patchType: 'ApplyConfiguration', applyConfiguration: { expression } }));
}
