/**
 * PSP defaults as `kyverno.io/v1` ClusterPolicy mutate rules. Fields are only ever added where the
 * pod left them unset: `+(field)` add-if-absent anchors in strategic merge patches, and
 * preconditions on the pod-level fields PSP looked through. Capabilities are lists that must be
 * extended, not replaced, so they use JSON patches appending one capability at a time.
 */
import yaml from 'yaml';
import type { ContainerKind } from '@psp-translate/core';
import { CONTAINER_KINDS, jmespathContainerList, type Condition, type Conditions } from '../kyverno-shapes.js';
import { kebabCase } from '../names.js';
import { jmespathLiteral } from '../scope.js';
import { APPARMOR_ANNOTATION_PREFIX, type AppArmorDefault, type CapabilitiesDefault, type ContainerFieldDefault, type DefaultEdit, type PodFieldDefault } from './defaults.js';

/** One ClusterPolicy mutate rule (without `match`, added by the caller). */
export interface MutateRuleBody {
  name: string;
  preconditions?: Conditions;
  mutate: { patchStrategicMerge: Record<string, unknown> } | { foreach: ForEachMutation[] };
}

interface ForEachMutation {
  list: string;
  preconditions?: Conditions;
  patchStrategicMerge?: Record<string, unknown>;
  patchesJson6902?: string;
}

const isTrue = (expression: string): Condition => ({ key: `{{ ${expression} }}`, operator: 'Equals', value: true });
const unsetIn = (base: string, field: string) => `${base}.${field} == \`null\``;

/** `{a: {b: value}}` for path [a, b], with `+(last)` as the add-if-absent anchor. */
function anchoredPatch(path: readonly string[], value: unknown): Record<string, unknown> {
  const last = path[path.length - 1]!;
  let node: Record<string, unknown> = { [`+(${last})`]: value };
  for (let i = path.length - 2; i >= 0; i--) node = { [path[i]!]: node };
  return node;
}

/** A patch addressing the foreach element by name (the merge key of all three container lists). */
function elementPatch(kind: ContainerKind, securityContext: Record<string, unknown>): Record<string, unknown> {
  return { spec: { [kind]: [{ name: '{{ element.name }}', securityContext }] } };
}

function podFieldRule(edit: PodFieldDefault): MutateRuleBody {
  const all: Condition[] = [];
  if (edit.unlessAnnotation !== undefined) {
    all.push({ key: `{{ request.object.metadata.annotations.${JSON.stringify(edit.unlessAnnotation)} || '' }}`, operator: 'Equals', value: '' });
  }
  let patch: Record<string, unknown>;
  if (edit.emptyIsUnset) {
    // The anchor would keep an empty list: test for "absent or empty" and set the field outright.
    all.push(isTrue(`length(request.object.spec.${edit.path.join('.')} || \`[]\`) == \`0\``));
    patch = { [edit.path[edit.path.length - 1]!]: edit.value };
    for (let i = edit.path.length - 2; i >= 0; i--) patch = { [edit.path[i]!]: patch };
  } else {
    patch = anchoredPatch(edit.path, edit.value);
  }
  const rule: MutateRuleBody = { name: ruleName(edit), mutate: { patchStrategicMerge: { spec: patch } } };
  if (all.length > 0) rule.preconditions = { all };
  return rule;
}

function containerFieldRule(edit: ContainerFieldDefault): MutateRuleBody {
  const rule: MutateRuleBody = {
    name: ruleName(edit),
    mutate: {
      foreach: CONTAINER_KINDS.map((kind) => {
        const each: ForEachMutation = { list: jmespathContainerList(kind) };
        if (edit.containerUnset.length > 0) each.preconditions = { all: edit.containerUnset.map((f) => isTrue(unsetIn('element.securityContext', f))) };
        each.patchStrategicMerge = elementPatch(kind, { [`+(${edit.field})`]: edit.value });
        return each;
      }),
    },
  };
  if (edit.podUnset.length > 0) rule.preconditions = { all: edit.podUnset.map((f) => isTrue(unsetIn('request.object.spec.securityContext', f))) };
  return rule;
}

function appArmorRule(edit: AppArmorDefault): MutateRuleBody {
  return {
    name: ruleName(edit),
    // A pod-level appArmorProfile applies to every container that sets none.
    preconditions: { all: [isTrue(unsetIn('request.object.spec.securityContext', 'appArmorProfile'))] },
    mutate: {
      foreach: CONTAINER_KINDS.map((kind) => ({
        list: jmespathContainerList(kind),
        // The deprecated per-container annotation, when non-empty, still names a profile. The inner
        // variable is substituted first (Kyverno resolves nested variables inside out).
        preconditions: {
          all: [{ key: `{{ request.object.metadata.annotations."${APPARMOR_ANNOTATION_PREFIX}{{ element.name }}" || '' }}`, operator: 'Equals', value: '' }],
        },
        patchStrategicMerge: elementPatch(kind, { '+(appArmorProfile)': edit.profile }),
      })),
    },
  };
}

/**
 * The JSON patch (as YAML text) appending `cap` to a container's capability list. Memoised: every
 * PSP with capability defaults writes one per capability and container list, mostly the same few
 * (`drop: [ALL]`), and yaml's stringify costs more than the rest of the rule. Bounded.
 */
const appendPatches = new Map<string, string>();
const APPEND_PATCHES_LIMIT = 1000;
function appendPatch(kind: ContainerKind, which: 'add' | 'drop', cap: string): string {
  const key = `${kind}\u0000${which}\u0000${cap}`;
  let text = appendPatches.get(key);
  if (text === undefined) {
    text = yaml.stringify([{ op: 'add', path: `/spec/${kind}/{{ elementIndex }}/securityContext/capabilities/${which}/-`, value: cap }], { lineWidth: 0 });
    if (appendPatches.size >= APPEND_PATCHES_LIMIT) appendPatches.clear();
    appendPatches.set(key, text);
  }
  return text;
}

function capabilitiesRule(edit: CapabilitiesDefault): MutateRuleBody {
  const listOf = (which: 'add' | 'drop') => `(element.securityContext.capabilities.${which} || \`[]\`)`;
  const missingDrop = (cap: string) => `!contains(${listOf('drop')}, ${jmespathLiteral(cap)})`;
  // PSP added a default capability unless the container already adds or drops it.
  const missingAdd = (cap: string) => `!contains(${listOf('add')}, ${jmespathLiteral(cap)}) && ${missingDrop(cap)}`;
  const needs = [...edit.drop.map(missingDrop), ...edit.add.map((c) => `(${missingAdd(c)})`)];
  const lists: Record<string, unknown[]> = {};
  if (edit.add.length > 0) lists['+(add)'] = [];
  if (edit.drop.length > 0) lists['+(drop)'] = [];
  const foreach: ForEachMutation[] = [];
  for (const kind of CONTAINER_KINDS) {
    // First make sure the lists exist on containers that will change, then append to them.
    foreach.push({
      list: jmespathContainerList(kind),
      preconditions: { all: [isTrue(needs.join(' || '))] },
      patchStrategicMerge: elementPatch(kind, { capabilities: structuredClone(lists) }),
    });
    const append = (which: 'add' | 'drop', cap: string, condition: string): ForEachMutation => ({
      list: jmespathContainerList(kind),
      preconditions: { all: [isTrue(condition)] },
      patchesJson6902: appendPatch(kind, which, cap),
    });
    for (const cap of edit.drop) foreach.push(append('drop', cap, missingDrop(cap)));
    for (const cap of edit.add) foreach.push(append('add', cap, missingAdd(cap)));
  }
  return { name: ruleName(edit), mutate: { foreach } };
}

function ruleName(edit: DefaultEdit): string {
  if (edit.kind === 'containerField' && edit.field === 'runAsNonRoot') return 'run-as-non-root';
  return kebabCase(edit.control);
}

/** The mutate rules of one PSP's defaults, in PSP's order. */
export function clusterPolicyMutateRules(edits: readonly DefaultEdit[]): MutateRuleBody[] {
  return edits.map((edit) => {
    switch (edit.kind) {
      case 'podField':
        return podFieldRule(edit);
      case 'containerField':
        return containerFieldRule(edit);
      case 'appArmor':
        return appArmorRule(edit);
      case 'capabilities':
        return capabilitiesRule(edit);
    }
  });
}
