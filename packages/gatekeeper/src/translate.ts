import { CONTROL_KINDS, type ControlKind, type PolicyIR } from '@psp-translate/core';
import { gatekeeperAction } from './action.js';
import { emitConstraints } from './emit-constraints.js';
import { emitMutators, SOURCE_ANNOTATION } from './emit-mutators.js';
import { everywhere } from './scope.js';
import type { FidelityEntry, GatekeeperInput, GatekeeperMode, GatekeeperOutput, KubernetesObject } from './types.js';

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
  const constraints = validation.constraints.sort(byName);
  report.push(...coverage(policies, constraints, report));
  return {
    objects: [...validation.templates, ...constraints, ...mutators.objects],
    report,
  };
}

/**
 * Exact entries for what the report says nothing else about, so every control's validation and
 * every default of every PSP has an entry: the Rego and CEL of each control decide as PSP did
 * (the differential tests hold them to the reference evaluator), so a validation without a finding
 * is exact, named by the constraints that check it.
 */
function coverage(policies: readonly PolicyIR[], constraints: readonly KubernetesObject[], report: readonly FidelityEntry[]): FidelityEntry[] {
  const has = (policy: string, control: ControlKind, aspect: 'validation' | 'default') =>
    report.some((e) => e.policy === policy && e.control === control && e.aspect === aspect);
  // Each constraint's source annotation names the PSPs it checks: `PodSecurityPolicy/<name> <control>` or a list of candidates.
  const checking = new Map<string, { perControl: Map<string, string>; sets: string[] }>();
  for (const constraint of constraints) {
    const source = constraint.metadata.annotations?.[SOURCE_ANNOTATION] ?? '';
    const control = /^PodSecurityPolicy\/\S+ (\w+)$/.exec(source)?.[1];
    for (const [, name] of source.matchAll(/PodSecurityPolicy\/(\S+)/g)) {
      const entry = checking.get(name!) ?? { perControl: new Map<string, string>(), sets: [] };
      if (control !== undefined) entry.perControl.set(control, `${constraint.kind}/${constraint.metadata.name}`);
      else entry.sets.push(`${constraint.kind}/${constraint.metadata.name}`);
      checking.set(name!, entry);
    }
  }
  const out: FidelityEntry[] = [];
  for (const policy of policies) {
    const checks = checking.get(policy.name);
    for (const control of CONTROL_KINDS) {
      if (!has(policy.name, control, 'validation')) {
        const by = [...(checks?.perControl.has(control) ? [checks.perControl.get(control)!] : []), ...(checks?.sets ?? [])];
        const message =
          checks === undefined
            ? 'no pod may use this PSP (RBAC), so no constraint checks it'
            : by.length === 0
              ? 'nothing to check: this PSP allows every value'
              : `checked by ${by.join(', ')}`;
        out.push({ policy: policy.name, control, aspect: 'validation', fidelity: 'exact', message });
      }
      if (policy.controls[control].defaults !== null && !has(policy.name, control, 'default')) {
        out.push({ policy: policy.name, control, aspect: 'default', fidelity: 'exact', message: 'no pod may use this PSP (RBAC), so this default applies to no pod' });
      }
    }
  }
  return out;
}
