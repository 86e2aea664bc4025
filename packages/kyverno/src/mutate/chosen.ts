/**
 * Exact defaults where several defaulting PSPs may admit a pod (`policies.kyverno.io/v1` output).
 * PSP admission chose the first candidate by name that admits the pod unchanged, else the first by
 * name that admits it after its own defaults, and applied only that policy's defaults. Core's
 * `chosenPolicyExpression` states that choice over per-candidate variables; here it becomes one
 * MutatingPolicy per defaulting candidate whose every mutation is guarded by the candidate's
 * `appliesDefaults` (`variables.psp_chose_this_policy ? <mutation> : Object{}`).
 *
 * The guard is a variable, not a match condition: Kyverno's matchConditions follow Kubernetes'
 * (compiled without `variables`). Kyverno binds a MutatingPolicy's variables once per evaluation,
 * lazily, and keeps each value once computed (pkg/cel/policies/mpol/compiler/policy.go, `lazy.MapValue`),
 * so the first mutation reads the choice on the pod as submitted and the later mutations of the
 * same policy see the same choice even though the object they patch has changed.
 */
import { CEL_PER_CALL_LIMIT, CEL_RUNTIME_BUDGET, chosenPolicyExpression, estimateCelCost, policyControlExpressions, policyControlExpressionsAfterDefaults, type PolicyIR } from '@psp-translate/core';
import { defaultsPlan } from './defaults.js';
import { applyConfigurationMutations, type ApplyConfigurationMutation } from './mutating-policy.js';

/** A MutatingPolicy variable. */
export interface CelVariable {
  name: string;
  expression: string;
}

/** The MutatingPolicy content for one defaulting candidate of a multi-default candidate set. */
export interface ChosenDefaults {
  policy: PolicyIR;
  /** Every candidate's variables (after its own defaults, would change the pod), then the guard. */
  variables: CelVariable[];
  /** The candidate's mutations, each applying `Object{}` (no change) unless PSP chose the candidate. */
  mutations: ApplyConfigurationMutation[];
}

/** The guard variable: PSP admission chose this policy and its defaults change the pod. */
export const CHOSE_THIS_POLICY = 'psp_chose_this_policy';

const costs = new Map<string, number>();

/** Estimated cost by expression text (candidates recur across candidate sets). */
function costOf(expression: string): number {
  let cost = costs.get(expression);
  if (cost === undefined) {
    cost = estimateCelCost(expression);
    costs.set(expression, cost);
  }
  return cost;
}

/**
 * The variables holding `policy`'s check after its own defaults under `name`: one variable when it
 * fits the per-expression cost limit, else one per control (and per part of a control that alone
 * exceeds it) combined by `&&`. `undefined` when even a part exceeds the limit.
 */
function afterDefaultsVariables(policy: PolicyIR, name: string): CelVariable[] | undefined {
  const plain = new Map(policyControlExpressions(policy, { object: 'object' }).map((c) => [c.kind, c]));
  // A control whose check reads no defaulted field prints as its plain check: keep the plain parts
  // (read-only hostPaths split per rule and container list, each well under the limit).
  const controls = policyControlExpressionsAfterDefaults(policy, { object: 'object' }).map((c) => {
    const same = plain.get(c.kind);
    return same !== undefined && same.admits === c.admits ? { kind: c.kind, admits: c.admits, parts: same.parts.map((part) => part.admits) } : c;
  });
  const joined = controls.length === 0 ? 'true' : controls.map((c) => (controls.length === 1 ? c.admits : `(${c.admits})`)).join(' && ');
  if (costOf(joined) <= CEL_PER_CALL_LIMIT) return [{ name, expression: joined }];
  const out: CelVariable[] = [];
  const refs: string[] = [];
  for (const control of controls) {
    const controlName = `${name}_${control.kind}`;
    if (costOf(control.admits) <= CEL_PER_CALL_LIMIT) {
      out.push({ name: controlName, expression: control.admits });
    } else {
      if (control.parts.length < 2 || control.parts.some((part) => costOf(part) > CEL_PER_CALL_LIMIT)) return undefined;
      const parts = control.parts.map((part, i) => ({ name: `${controlName}_part${i + 1}`, expression: part }));
      out.push(...parts, { name: controlName, expression: parts.map((p) => `variables.${p.name}`).join(' && ') });
    }
    refs.push(`variables.${controlName}`);
  }
  out.push({ name, expression: refs.join(' && ') });
  return out;
}

/**
 * Per defaulting candidate of `candidates` (several, two or more of them defaulting), its guarded
 * mutations and the variables they read; `undefined` where some candidate's checks after its
 * defaults, its would-change check or a mutation exceed the per-expression cost limit, or a
 * policy's variables and costliest mutation the per-evaluation budget (the caller then falls back
 * to first-by-name defaults and reports it).
 */
export function chosenDefaults(candidates: readonly PolicyIR[]): ChosenDefaults[] | undefined {
  const choice = chosenPolicyExpression(candidates, { object: 'object' });
  const byName = new Map(candidates.map((p) => [p.name, p]));
  const variables: CelVariable[] = [];
  for (const c of choice.candidates) {
    const policy = byName.get(c.policy) as PolicyIR;
    const after = afterDefaultsVariables(policy, c.variables.admitsAfterDefaults);
    if (after === undefined || costOf(c.wouldChange) > CEL_PER_CALL_LIMIT) return undefined;
    variables.push(...after, { name: c.variables.wouldChange, expression: c.wouldChange });
  }
  // Cannot happen (core dedupes the bases; kinds and part suffixes hold no `_`): an invariant, not a limit.
  const names = new Set(variables.map((v) => v.name));
  if (names.size !== variables.length || names.has(CHOSE_THIS_POLICY)) {
    throw new Error(`the candidate PSPs ${candidates.map((p) => p.name).join(', ')} give colliding CEL variable names; rename one`);
  }
  const variablesCost = variables.reduce((sum, v) => sum + costOf(v.expression), 0);
  const out: ChosenDefaults[] = [];
  for (const c of choice.candidates) {
    const policy = byName.get(c.policy) as PolicyIR;
    const edits = defaultsPlan(policy).edits;
    if (edits.length === 0) continue;
    const guard = `variables.${CHOSE_THIS_POLICY}`;
    const mutations = applyConfigurationMutations(edits).map((m) => ({
      ...m,
      applyConfiguration: { expression: `${guard} ? (${m.applyConfiguration.expression}) : Object{}` },
    }));
    const own = [...variables.map((v) => ({ ...v })), { name: CHOSE_THIS_POLICY, expression: c.appliesDefaults }];
    // The first mutation reads the guard, so its evaluation pays for every variable it reads: at most
    // all of them, plus the costliest mutation, must fit one evaluation's budget.
    const mutationCosts = mutations.map((m) => costOf(m.applyConfiguration.expression));
    if (mutationCosts.some((cost) => cost > CEL_PER_CALL_LIMIT)) return undefined;
    if (variablesCost + costOf(c.appliesDefaults) + Math.max(...mutationCosts) > CEL_RUNTIME_BUDGET) return undefined;
    out.push({ policy, variables: own, mutations });
  }
  return out;
}
