/**
 * Mutator objects for the PSP defaults, scoped by namespace class. A default is emitted for a
 * namespace class only when every PSP that pods there may use has the same default for that
 * control: PSP applied the defaults of the policy that admitted the pod, which a mutator (running
 * before validation, blind to which policy will admit) cannot know; when the candidates agree it
 * does not matter.
 */
import { CONTROL_KINDS, type ControlKind, type PolicyIR } from '@psp-translate/core';
import { planMutators, type MutatorDraft } from './mutators.js';
import { MAX_MUTATOR_NAME, objectName } from './names.js';
import { matchForClasses, namespaceClasses, selectorKey } from './scope.js';
import type { FidelityEntry, GatekeeperScopeGroup, KubernetesObject, NameSelector } from './types.js';

/** Annotation naming the PSP (and control) an object was translated from. */
export const SOURCE_ANNOTATION = 'psp-translate.io/source';

export const POD_KINDS_MATCH = [{ apiGroups: [''], kinds: ['Pod'] }];

interface Unanimity {
  /** Policy the mutators are named after: the first candidate (by name) with these defaults. */
  policy: PolicyIR;
  key: string;
  classes: NameSelector[];
}

function mutatorObject(draft: MutatorDraft, policy: PolicyIR, control: ControlKind, match: object): KubernetesObject {
  const parameters =
    draft.kind === 'Assign'
      ? {
          // PSP defaults only filled unset fields: never overwrite what the pod sets.
          pathTests: [{ subPath: draft.location, condition: 'MustNotExist' }],
          assign: { value: draft.value },
        }
      : { operation: 'merge', values: { fromList: [...draft.values] } };
  return {
    apiVersion: 'mutations.gatekeeper.sh/v1',
    kind: draft.kind,
    metadata: {
      name: objectName(['psp', policy.name, draft.id], MAX_MUTATOR_NAME),
      annotations: { [SOURCE_ANNOTATION]: `PodSecurityPolicy/${policy.name} ${control}` },
    },
    spec: {
      applyTo: [{ groups: [''], kinds: ['Pod'], versions: ['v1'], operations: [...draft.operations] }],
      match: { scope: 'Namespaced', kinds: POD_KINDS_MATCH, ...match },
      location: draft.location,
      parameters,
    },
  };
}

export interface EmitMutatorsInput {
  policies: readonly PolicyIR[];
  groups: readonly GatekeeperScopeGroup[];
  excludedNamespaces: readonly string[];
  mutate: boolean;
}

/** Mutators for every PSP default that can be applied unambiguously, and report entries for the rest. */
export function emitMutators(input: EmitMutatorsInput): { objects: KubernetesObject[]; report: FidelityEntry[] } {
  const byName = new Map(input.policies.map((p) => [p.name, p]));
  const classes = namespaceClasses(input.groups);
  const objects: KubernetesObject[] = [];
  const report: FidelityEntry[] = [];

  for (const control of CONTROL_KINDS) {
    const unanimous = new Map<string, Unanimity>();
    const conflicts: string[] = [];
    for (const cls of classes) {
      const candidates = [
        ...new Set(
          input.groups.filter((g) => selectorKey(g.namespace) === selectorKey(cls)).flatMap((g) => g.candidates),
        ),
      ]
        .sort()
        .map((name) => byName.get(name))
        .filter((p): p is PolicyIR => p !== undefined);
      const withDefaults = candidates.filter((p) => p.controls[control].defaults !== null);
      if (withDefaults.length === 0) continue;
      const keys = new Set(candidates.map((p) => JSON.stringify(p.controls[control].defaults)));
      if (keys.size > 1) {
        conflicts.push(
          `${describeClass(cls)} (candidates ${candidates.map((p) => p.name).join(', ')})`,
        );
        continue;
      }
      const key = [...keys][0]!;
      const entry = unanimous.get(key) ?? { policy: withDefaults[0]!, key, classes: [] };
      entry.classes.push(cls);
      unanimous.set(key, entry);
    }

    for (const entry of [...unanimous.values()].sort((a, b) => a.policy.name.localeCompare(b.policy.name))) {
      const plan = planMutators(control, entry.policy.controls[control]);
      const sharers = input.policies.filter((p) => JSON.stringify(p.controls[control].defaults) === entry.key);
      for (const policy of sharers) {
        if (!input.mutate) {
          report.push({
            policy: policy.name,
            control,
            aspect: 'default',
            fidelity: 'unsupported',
            message: `mutators left out (--no-mutate): pods no longer get the ${control} default PSP set (${entry.key})`,
          });
          continue;
        }
        for (const note of plan.approximations) report.push({ policy: policy.name, control, aspect: 'default', fidelity: 'approximate', message: note });
        for (const note of plan.lost) report.push({ policy: policy.name, control, aspect: 'default', fidelity: 'unsupported', message: note });
        if (plan.drafts.length > 0 && plan.approximations.length === 0 && plan.lost.length === 0) {
          report.push({ policy: policy.name, control, aspect: 'default', fidelity: 'exact', message: 'defaults applied by mutators' });
        }
      }
      if (!input.mutate) continue;
      const match = matchForClasses(entry.classes, input.excludedNamespaces);
      if (match === null) continue;
      for (const draft of plan.drafts) objects.push(mutatorObject(draft, entry.policy, control, match));
    }

    if (conflicts.length > 0) {
      const policies = new Set(
        input.groups.flatMap((g) => g.candidates).filter((name) => byName.get(name)?.controls[control].defaults != null),
      );
      for (const policy of [...policies].sort()) {
        report.push({
          policy,
          control,
          aspect: 'default',
          fidelity: 'unsupported',
          message:
            `the ${control} default is not applied in ${conflicts.join('; ')}: the PSPs usable there default it ` +
            'differently (or not at all), and PSP applied the defaults of whichever policy admitted the pod, which a ' +
            'mutator cannot know; set the field in the pod templates where those pods relied on it',
        });
      }
    }
  }
  return { objects, report };
}

function describeClass(cls: NameSelector): string {
  if (cls.op === 'In') return `namespaces ${cls.values.join(', ')}`;
  return cls.values.length === 0 ? 'every namespace' : `namespaces other than ${cls.values.join(', ')}`;
}
