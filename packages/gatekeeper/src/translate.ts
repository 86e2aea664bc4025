import { gatekeeperAction } from './action.js';
import { emitConstraints } from './emit-constraints.js';
import { emitMutators } from './emit-mutators.js';
import { everywhere } from './scope.js';
import type { GatekeeperInput, GatekeeperMode, GatekeeperOutput, KubernetesObject } from './types.js';

const MODES: readonly GatekeeperMode[] = ['per-control', 'policy-set', 'auto'];

const byName = (a: KubernetesObject, b: KubernetesObject) =>
  a.kind === b.kind ? (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0) : 0;

/**
 * Translate PSPs (IR) and who may use them into Gatekeeper objects and a fidelity report:
 * ConstraintTemplates, then Constraints, then mutators. Pure: no file system, clock or randomness;
 * the same input gives the same output.
 */
export function translateGatekeeper(input: GatekeeperInput): GatekeeperOutput {
  const options = input.options ?? {};
  const action = gatekeeperAction(options.action);
  const mode = options.mode ?? 'auto';
  if (!MODES.includes(mode)) throw new Error(`unknown --gatekeeper-mode "${String(mode)}": use per-control, policy-set or auto`);
  const policies = [...input.policies].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const groups = input.scopeGroups ?? everywhere(policies.map((p) => p.name));
  const excludedNamespaces = [...new Set(options.excludedNamespaces ?? [])].sort();

  const validation = emitConstraints({ policies, groups, mode, action, excludedNamespaces });
  const mutators = emitMutators({ policies, groups, excludedNamespaces, mutate: options.mutate ?? true });
  const report = [...validation.report, ...mutators.report];
  if (excludedNamespaces.length > 0) {
    report.unshift({
      policy: null,
      control: null,
      fidelity: 'note',
      message: `namespaces exempted from every constraint and mutator (excludedNamespaces): ${excludedNamespaces.join(', ')}`,
    });
  }
  return {
    objects: [...validation.templates, ...validation.constraints.sort(byName), ...mutators.objects],
    report,
  };
}
