import { gatekeeperAction } from './action.js';
import { emitMutators } from './emit-mutators.js';
import { everywhere } from './scope.js';
import type { GatekeeperInput, GatekeeperOutput } from './types.js';

/**
 * Translate PSPs (IR) and who may use them into Gatekeeper objects and a fidelity report.
 * Pure: no file system, no clock, no randomness; the same input gives the same output.
 */
export function translateGatekeeper(input: GatekeeperInput): GatekeeperOutput {
  const options = input.options ?? {};
  gatekeeperAction(options.action);
  const policies = [...input.policies].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const groups = input.scopeGroups ?? everywhere(policies.map((p) => p.name));
  const excludedNamespaces = [...new Set(options.excludedNamespaces ?? [])].sort();
  const mutators = emitMutators({ policies, groups, excludedNamespaces, mutate: options.mutate ?? true });
  return { objects: [...mutators.objects], report: [...mutators.report] };
}
