/**
 * The ValidatingAdmissionPolicy target: PSPs (IR) and the scope groups of their RBAC in, admission
 * policies and a fidelity report out. Pure: same input, same objects, same order.
 *
 * One ValidatingAdmissionPolicy plus one binding per scope group (matchConditions, which select the
 * service account and the requester, live on the policy; the namespace selector on the binding).
 * Each policy holds one variable per candidate PSP ("this PSP admits the pod") and one validation:
 * any candidate admits the pod, as PSP admission decided. A group with no candidate gets a
 * validation that always fails: PSP rejected every pod there.
 *
 * The CEL of each control comes from core's single definition (`policyControlExpressions`), with
 * the PSP's values inlined; nothing per control is written here.
 *
 * PSP defaults become MutatingAdmissionPolicies (Kubernetes 1.34+). Where several candidates may
 * default a pod, PSP applied the defaults of the policy it chose; one mutating policy per
 * defaulting candidate writes its defaults exactly where core's `chosenPolicyExpression` says PSP
 * chose it (the choice is a variable, as match conditions may not read variables; a first
 * mutation records it in the pod's `kubernetes.io/psp` annotation, as PSP admission did, and the
 * defaults are written where the annotation names the policy), and the validation admits a pod some candidate admits unchanged (as the chosen PSP's
 * defaults left it).
 */
import {
  CEL_PER_CALL_LIMIT,
  CEL_RUNTIME_BUDGET,
  CONTROL_KINDS,
  celString,
  chosenPolicyExpression,
  estimateCelCost,
  policyControlExpressions,
  policyControlExpressionsAfterDefaults,
  policyWouldChangeExpression,
  type ControlKind,
  type InlineControlCel,
  type PolicyIR,
  type ScopeGroup,
} from '@psp-translate/core';
import { DEFAULT_VALIDATION_ACTIONS, validationActionsFor } from './action.js';
import { TYPED_APPLY_PRINTER, defaultsPlan, mutationExpression, wouldChangeExpression, type DefaultsPlan } from './mutation.js';
import { IdentifierPool, objectName } from './names.js';
import { describeGroup, namespaceSelector, scopeConditions, type MatchCondition } from './scope.js';
import type { CelCostEntry, FidelityEntry, KubernetesObject, ValidationAction } from './types.js';
import { DEFAULT_KUBE_VERSION, hasValidatingPolicyV1, mutatingPolicyApi, parseKubeVersion, type KubeVersion } from './version.js';

/** What to translate. */
export interface VapInput {
  /** Every PSP, as IR. */
  policies: readonly PolicyIR[];
  /** core's `scopeGroups(index, policies)`: a partition of pod admissions with each cell's candidate PSPs. */
  scopeGroups: readonly ScopeGroup[];
}

/** How to translate. */
export interface VapOptions {
  /**
   * `--action`: `audit`, `warn`, `deny` or an engine's word (`dryrun`, `Audit`, `Warn`, `Deny`,
   * `Enforce`). Default: `[Audit, Warn]`.
   */
  action?: string;
  /** Explicit binding actions; wins over {@link action} (the CLI passes its normalised actions). */
  validationActions?: readonly ValidationAction[];
  /**
   * `--kube-version` (`1.34`, `v1.34`, `latest`); decides whether PSP defaults become
   * MutatingAdmissionPolicies. Default: the newest version known (1.36).
   */
  kubeVersion?: string | KubeVersion;
  /** `--no-mutate` sets false (default true): no MutatingAdmissionPolicies; each default is reported lost. */
  mutate?: boolean;
  /**
   * Estimate the cost of every emitted expression (default true). Estimating parses each
   * expression, which takes a while for large clusters; the objects are the same either way.
   */
  estimateCosts?: boolean;
}

/** What the translation produced. */
export interface VapTranslation {
  /** Policies and bindings, in output order: per scope group the mutating pair (if any), then the validating pair. */
  objects: KubernetesObject[];
  /** What the user should know; `approximate`/`unsupported` entries mean some pods are decided differently. */
  report: FidelityEntry[];
  /** The estimated cost of every emitted CEL expression. */
  costs: CelCostEntry[];
}

const LABELS = { 'app.kubernetes.io/managed-by': 'psp-translate' };
const POD_GROUP_VERSION = { apiGroups: [''], apiVersions: ['v1'] };

/** Validate pod creation, pod updates and `kubectl debug` (the ephemeralcontainers subresource), as PSP did. */
export const VALIDATE_RESOURCE_RULES = [{ ...POD_GROUP_VERSION, operations: ['CREATE', 'UPDATE'], resources: ['pods', 'pods/ephemeralcontainers'] }];
/** PSP changed pods on CREATE only. */
export const MUTATE_RESOURCE_RULES = [{ ...POD_GROUP_VERSION, operations: ['CREATE'], resources: ['pods'] }];

/** One candidate PSP as CEL variables. */
interface CandidateVariables {
  policy: PolicyIR;
  /** Variable name: the candidate admits the pod. */
  admits: string;
  /** Variable name: the candidate's first failing field, `''` when it admits (validating policies only). */
  failure: string | undefined;
  variables: { name: string; expression: string }[];
  /** Whether the candidate has defaults (then it admits an UPDATE only if they would change nothing). */
  mutating: boolean;
}

/** Estimates by expression text: groups share candidates, so the same expressions recur. */
type CostCache = Map<string, number>;

function costOf(expression: string, cache: CostCache): number {
  let cost = cache.get(expression);
  if (cost === undefined) {
    cost = estimateCelCost(expression);
    cache.set(expression, cost);
  }
  return cost;
}

/** What a candidate contributes, computed once per policy and translation. */
interface CandidateCel {
  readonly controls: InlineControlCel[];
  readonly plan: DefaultsPlan;
  /**
   * Per control, the check of the pod once this PSP's own defaults are applied (core's
   * `policyControlExpressionsAfterDefaults`); a control whose check reads no defaulted field keeps
   * its plain CEL, parts and message (so costly controls still split into parts).
   */
  afterDefaults: () => InlineControlCel[];
  /** Boolean CEL: applying this PSP's defaults would change the pod (core's `policyWouldChangeExpression`). */
  changes: () => string;
}

/**
 * Per-translation memo of each policy's CEL and defaults (groups share candidates), each part
 * computed when first asked for: a policy no ValidatingAdmissionPolicy checks needs only its
 * defaults, and printing its controls is the costliest step of a translation.
 */
class PolicyCelCache {
  readonly costs: CostCache = new Map();
  private readonly byPolicy = new Map<PolicyIR, CandidateCel>();
  private readonly variablesByPolicy = new Map<PolicyIR, Map<string, { claims: [string, string][]; result: CandidateVariables }>>();

  /** A policy's candidate variables built so far, by admits name and options (see candidateVariables). */
  variables(policy: PolicyIR): Map<string, { claims: [string, string][]; result: CandidateVariables }> {
    let found = this.variablesByPolicy.get(policy);
    if (found === undefined) this.variablesByPolicy.set(policy, (found = new Map()));
    return found;
  }

  of(policy: PolicyIR): CandidateCel {
    let found = this.byPolicy.get(policy);
    if (found === undefined) {
      let controls: InlineControlCel[] | undefined;
      let plan: DefaultsPlan | undefined;
      let after: InlineControlCel[] | undefined;
      let changes: string | undefined;
      const plainControls = () => (controls ??= policyControlExpressions(policy, { object: 'object' }));
      found = {
        get controls() {
          return plainControls();
        },
        get plan() {
          return (plan ??= defaultsPlan(policy));
        },
        afterDefaults: () => (after ??= afterDefaultsControls(policy, plainControls())),
        changes: () => (changes ??= policyWouldChangeExpression(policy, { object: 'object' })),
      };
      this.byPolicy.set(policy, found);
    }
    return found;
  }
}

/** A policy's controls checked after its own defaults, reusing the plain CEL where defaults change nothing. */
function afterDefaultsControls(policy: PolicyIR, plain: readonly InlineControlCel[]): InlineControlCel[] {
  const byKind = new Map(plain.map((c) => [c.kind, c]));
  return policyControlExpressionsAfterDefaults(policy, { object: 'object' }).map(({ kind, admits, parts }) => {
    const same = byKind.get(kind);
    if (same !== undefined && same.admits === admits) return same;
    // The conjuncts follow the control's rules and container lists as the plain parts do: where they
    // pair up, each keeps its plain part's name and message.
    const paired = same !== undefined && same.parts.length === parts.length;
    return {
      kind,
      admits,
      // The plain message names the first failing field as submitted; `''` when only the defaults fail it (see FAILS_AFTER_DEFAULTS_MESSAGE).
      message: same?.message ?? '""',
      parts: parts.map((part, i) => (paired ? { ...(same.parts[i] as InlineControlCel['parts'][number]), admits: part } : { id: `part${i + 1}`, admits: part, message: '""' })),
    };
  });
}

/** How a candidate's variables are built. */
interface CandidateOptions {
  /** Check the pod once the candidate's own defaults are applied (where the mutating policies write exactly PSP's choice). */
  afterDefaults: boolean;
  /** Bind `<name>_failure` messages (validating policies). */
  messages: boolean;
  /**
   * Where the candidate admits only a pod its defaults would not change: on UPDATE (PSP changed pods
   * on CREATE only), on every operation (where the mutating policies write exactly the defaults
   * PSP chose), or nowhere.
   */
  unchangedOn: 'UPDATE' | 'always' | 'never';
}

const VALIDATE_PLAIN: CandidateOptions = { afterDefaults: false, messages: true, unchangedOn: 'UPDATE' };

/** Whether every expression a candidate's after-defaults variables would hold stays under the per-expression cost limit. */
function afterDefaultsFitLimit(policy: PolicyIR, cache: PolicyCelCache): boolean {
  const { afterDefaults, changes } = cache.of(policy);
  const fits = (expression: string) => costOf(expression, cache.costs) <= CEL_PER_CALL_LIMIT;
  return fits(changes()) && afterDefaults().every((c) => fits(c.admits) || (c.parts.length > 1 && c.parts.every((p) => fits(p.admits))));
}

/**
 * The variables of one candidate: `psp_<name>` (admits) and `psp_<name>_failure` (why not). When
 * the checks would cost more than half the per-expression limit (the message costs about as much
 * again), each control gets variables of its own and the candidate's variables combine them, so
 * that no single expression carries the whole policy.
 *
 * A policy is a candidate in many scope groups: where the names come out the same, the variables
 * built for an earlier group are reused (the same strings, so their costs are looked up, not
 * estimated again).
 */
function candidateVariables(policy: PolicyIR, admitsName: string, pool: IdentifierPool, cache: PolicyCelCache, options: CandidateOptions = VALIDATE_PLAIN): CandidateVariables {
  const key = `${admitsName} ${options.afterDefaults} ${options.messages} ${options.unchangedOn}`;
  const earlier = cache.variables(policy).get(key);
  if (earlier !== undefined) {
    const bases = earlier.claims.map(([base]) => base);
    const names = pool.peek(bases);
    if (names.every((name, i) => name === earlier.claims[i]?.[1])) {
      for (const base of bases) pool.claim(base);
      return earlier.result;
    }
  }
  const claims: [string, string][] = [];
  const recorder = {
    claim: (base: string) => {
      const name = pool.claim(base);
      claims.push([base, name]);
      return name;
    },
  };
  const result = buildCandidateVariables(policy, admitsName, recorder, cache, options);
  cache.variables(policy).set(key, { claims, result });
  return result;
}

function buildCandidateVariables(policy: PolicyIR, admitsName: string, pool: Pick<IdentifierPool, 'claim'>, cache: PolicyCelCache, options: CandidateOptions): CandidateVariables {
  const { plan } = cache.of(policy);
  // A policy without defaults reads the same after them: its plain CEL.
  const controls = options.afterDefaults && plan.mutations.length > 0 ? cache.of(policy).afterDefaults() : cache.of(policy).controls;
  const failure = options.messages ? pool.claim(`${admitsName}_failure`) : undefined;
  const wouldChange = wouldChangeExpression(plan);
  // PSP admitted an UPDATE (incl. pods/ephemeralcontainers) under a policy only if its defaults would change nothing.
  const updateGuard =
    wouldChange === undefined || options.unchangedOn === 'never'
      ? undefined
      : options.unchangedOn === 'always'
        ? `!(${wouldChange})`
        : `(request.operation != "UPDATE" || !(${wouldChange}))`;
  const joined = controls.length === 0 ? 'true' : controls.map((c) => (controls.length === 1 ? c.admits : `(${c.admits})`)).join(' && ');
  // The conjunction costs its parts plus one per `&&` (how estimateCelCost counts calls).
  const joinedCost = controls.reduce((sum, c) => sum + costOf(c.admits, cache.costs), Math.max(0, controls.length - 1));
  const firstFailure = (parts: readonly { ok: string; message: string }[]) =>
    parts.reduceRight((rest, part) => `(${part.ok} ? ${rest} : ${part.message})`, '""');
  const single = firstFailure(controls.map((c) => ({ ok: c.admits, message: c.message })));
  const variables: { name: string; expression: string }[] = [];
  // Split by the admission checks' cost (messages cost about as much again and follow the same split).
  if (joinedCost <= CEL_PER_CALL_LIMIT / 2) {
    variables.push({ name: admitsName, expression: updateGuard === undefined ? joined : `(${joined}) && ${updateGuard}` });
    if (failure !== undefined) variables.push({ name: failure, expression: single });
  } else {
    const failureName = (base: string) => (failure === undefined ? '' : pool.claim(`${base}_failure`));
    const perControl = controls.map((c) => {
      const admits = pool.claim(`${admitsName}_${c.kind}`);
      return { control: c, admits, failure: failureName(admits) };
    });
    for (const part of perControl) {
      const { control } = part;
      // A control costlier still (read-only hostPaths: containers x mounts per container list) gets a variable per part.
      if (control.parts.length > 1 && costOf(control.admits, cache.costs) > CEL_PER_CALL_LIMIT / 2) {
        const pieces = control.parts.map((p) => {
          const admits = pool.claim(`${part.admits}_${p.id}`);
          return { p, admits, failure: failureName(admits) };
        });
        for (const piece of pieces) {
          variables.push({ name: piece.admits, expression: piece.p.admits });
          if (failure !== undefined) variables.push({ name: piece.failure, expression: piece.p.message });
        }
        variables.push({ name: part.admits, expression: pieces.map((piece) => `variables.${piece.admits}`).join(' && ') });
        if (failure !== undefined) {
          variables.push({ name: part.failure, expression: firstFailure(pieces.map((piece) => ({ ok: `variables.${piece.admits}`, message: `variables.${piece.failure}` }))) });
        }
        continue;
      }
      variables.push({ name: part.admits, expression: control.admits });
      if (failure !== undefined) variables.push({ name: part.failure, expression: control.message });
    }
    const all = perControl.map((p) => `variables.${p.admits}`).join(' && ');
    variables.push({ name: admitsName, expression: updateGuard === undefined ? all : `(${all}) && ${updateGuard}` });
    if (failure !== undefined) {
      variables.push({ name: failure, expression: firstFailure(perControl.map((p) => ({ ok: `variables.${p.admits}`, message: `variables.${p.failure}` }))) });
    }
  }
  return { policy, admits: admitsName, failure, variables, mutating: wouldChange !== undefined };
}

const UPDATE_CHANGE_MESSAGE = 'its defaults would change this pod, and PodSecurityPolicy changed pods only on CREATE';
/** Why a candidate rejects a pod that it admits as submitted: applying its defaults makes a check fail. */
const FAILS_AFTER_DEFAULTS_MESSAGE = 'the pod with its defaults applied is not admitted';

/**
 * The spec of one group's ValidatingAdmissionPolicy. With `unchangedOnCreate` (the mutating
 * policies write exactly the defaults of the PSP that PSP admission chose), a candidate admits
 * only a pod its defaults would not change, on CREATE too: the chosen PSP admits the pod as its
 * defaults left it, unchanged; where PSP admitted a pod unchanged, so does this; and where PSP
 * rejected a pod no defaults were written and no candidate admits it unchanged.
 */
function validatingSpec(group: ScopeGroup, candidates: readonly PolicyIR[], cache: PolicyCelCache, unchangedOnCreate: boolean): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    failurePolicy: 'Fail',
    matchConstraints: { resourceRules: VALIDATE_RESOURCE_RULES },
  };
  const conditions = scopeConditions(group);
  if (conditions.length > 0) spec.matchConditions = conditions;
  if (candidates.length === 0) {
    spec.validations = [
      {
        expression: 'false',
        message:
          "no PodSecurityPolicy is authorised for this pod's service account or requesting user, so PodSecurityPolicy admission rejected every pod here; grant `use` of a PodSecurityPolicy (and translate again) to admit pods",
        reason: 'Forbidden',
      },
    ];
    return spec;
  }
  const pool = new IdentifierPool();
  // Named as core's policySetExpression names candidates: psp_<name>, non-identifier characters as `_`.
  const options: CandidateOptions = { ...VALIDATE_PLAIN, unchangedOn: unchangedOnCreate ? 'always' : 'UPDATE' };
  const parts = candidates.map((policy) => candidateVariables(policy, pool.claim(`psp_${policy.name.replace(/[^A-Za-z0-9_]/g, '_')}`), pool, cache, options));
  // Copies: the variables are shared with other groups' policies, and a YAML printer would alias shared objects.
  spec.variables = parts.flatMap((p) => p.variables.map((v) => ({ ...v })));
  // On CREATE such a candidate admits the pod as submitted, but PSP did not choose it: it rejects the pod with its defaults.
  const unchangedWhy = unchangedOnCreate
    ? `(request.operation == "UPDATE" ? ${celString(UPDATE_CHANGE_MESSAGE)} : ${celString(FAILS_AFTER_DEFAULTS_MESSAGE)})`
    : celString(UPDATE_CHANGE_MESSAGE);
  const why = (p: CandidateVariables) =>
    p.mutating ? `(variables.${p.failure} != "" ? variables.${p.failure} : ${unchangedWhy})` : `variables.${p.failure}`;
  spec.validations = [
    {
      expression: parts.map((p) => `variables.${p.admits}`).join(' || '),
      messageExpression: `${celString('no PodSecurityPolicy admits this pod: ')} + ${parts.map((p) => `${celString(`${p.policy.name}: `)} + ${why(p)}`).join(' + "; " + ')}`,
      message: `no PodSecurityPolicy admits this pod (candidates: ${candidates.map((p) => p.name).join(', ')})`,
      reason: 'Forbidden',
    },
  ];
  return spec;
}

/** Whether a candidate admits every pod unchanged: then PSP picked it and the group needs no policy. */
function admitsEveryPod(policy: PolicyIR, cache: PolicyCelCache): boolean {
  const entry = cache.of(policy);
  return entry.plan.mutations.length === 0 && entry.controls.length === 0;
}

function metadata(name: string, annotations: Record<string, string>): KubernetesObject['metadata'] {
  return { name, labels: { ...LABELS }, annotations };
}

/** Every CEL expression of an emitted policy, with its field path. */
function expressionsOf(object: KubernetesObject): { field: string; expression: string }[] {
  const spec = object.spec as Record<string, unknown>;
  const out: { field: string; expression: string }[] = [];
  const list = (key: string) => (Array.isArray(spec[key]) ? (spec[key] as Record<string, unknown>[]) : []);
  list('matchConditions').forEach((c, i) => out.push({ field: `spec.matchConditions[${i}].expression`, expression: c.expression as string }));
  list('variables').forEach((v, i) => out.push({ field: `spec.variables[${i}].expression`, expression: v.expression as string }));
  list('validations').forEach((v, i) => {
    out.push({ field: `spec.validations[${i}].expression`, expression: v.expression as string });
    if (typeof v.messageExpression === 'string') out.push({ field: `spec.validations[${i}].messageExpression`, expression: v.messageExpression });
  });
  list('mutations').forEach((m, i) =>
    out.push({ field: `spec.mutations[${i}].applyConfiguration.expression`, expression: (m.applyConfiguration as { expression: string }).expression }),
  );
  return out;
}

/** Cost of every expression of `object`; over-limit expressions and budgets become errors in `report`. */
function accountCosts(object: KubernetesObject, costs: CelCostEntry[], report: FidelityEntry[], cache: CostCache): void {
  const id = `${object.kind}/${object.metadata.name}`;
  let total = 0;
  for (const { field, expression } of expressionsOf(object)) {
    const cost = costOf(expression, cache);
    total += cost;
    const overLimit = cost > CEL_PER_CALL_LIMIT;
    costs.push({ object: id, field, cost, overLimit });
    if (overLimit) {
      report.push({
        policy: null,
        control: null,
        fidelity: 'unsupported',
        message: `error: ${id} ${field} has an estimated CEL cost of ${cost.toLocaleString('en-US')} for pods with 64-item lists, over the API server's per-expression limit of ${CEL_PER_CALL_LIMIT.toLocaleString('en-US')}; such pods would be rejected by failurePolicy Fail`,
      });
    }
  }
  if (total > CEL_RUNTIME_BUDGET) {
    report.push({
      policy: null,
      control: null,
      fidelity: 'unsupported',
      message: `error: ${id} has an estimated total CEL cost of ${total.toLocaleString('en-US')} for pods with 64-item lists, over the API server's per-evaluation budget of ${CEL_RUNTIME_BUDGET.toLocaleString('en-US')}`,
    });
  }
}

/** The MutatingAdmissionPolicies (and bindings) of a group, and whether its validation checks candidates after their own defaults. */
interface GroupMutations {
  objects: KubernetesObject[];
  /**
   * Several candidates, and each defaulting one's defaults are written exactly where PSP chose it:
   * the validation is then "some candidate admits the pod, as the mutating policies left it,
   * unchanged". With one candidate, or no defaults, validating the pod as the mutating policies
   * left it is already exact.
   */
  validateUnchanged: boolean;
}

/**
 * The MutatingAdmissionPolicies applying the defaults PSP would have chosen for a group. A lone
 * candidate is PSP's only choice: one policy writes its defaults wherever they change the pod.
 * With several, one policy per defaulting candidate, matched by the scope, whose defaults are
 * written only where core's `appliesDefaults` for it holds (the variable `psp_chose_this_policy`,
 * recorded by a first mutation in the `kubernetes.io/psp` annotation, see mutatingPair): PSP
 * admission chose this policy (no candidate admits the pod unchanged, and it is the first by name
 * to admit it after its own defaults) and its defaults change the pod. (The choice cannot be a
 * match condition: the API server compiles those without variables and refuses the policy.) The
 * choice reads one variable per candidate (admits
 * after its own defaults, its defaults change the pod), split per control as the validating policy
 * splits them, so no expression carries the whole choice. At most one of these policies changes a pod.
 *
 * Where a candidate's checks after defaults would exceed the per-expression cost limit even split
 * per control, or a policy's total the per-evaluation budget, the group falls back to the first
 * defaulting candidate's defaults (reported approximate).
 */
function mutatingPolicies(
  group: ScopeGroup,
  candidates: readonly PolicyIR[],
  baseName: string,
  apiVersion: string,
  report: FidelityEntry[],
  cache: PolicyCelCache,
): GroupMutations {
  const plan = (p: PolicyIR) => cache.of(p).plan;
  const defaulting = candidates.filter((p) => plan(p).mutations.length > 0);
  const first = defaulting[0];
  if (first === undefined) return { objects: [], validateUnchanged: false };
  const scope = describeGroup(group);
  if (candidates.length === 1) {
    return { objects: mutatingPair(group, first, [...scopeConditions(group)], [], objectName(baseName, 'defaults'), apiVersion, cache, 'IfNeeded'), validateUnchanged: false };
  }
  const tooCostly = candidates.filter((p) => !afterDefaultsFitLimit(p, cache));
  let why = `the checks of ${tooCostly.map((p) => p.name).join(', ')} after its defaults would exceed the per-expression CEL cost limit`;
  if (tooCostly.length === 0) {
    const choice = chosenPolicyExpression(candidates, { object: 'object' });
    const byName = new Map(candidates.map((p) => [p.name, p]));
    const pool = new IdentifierPool();
    for (const c of choice.candidates) {
      pool.claim(c.variables.admitsAfterDefaults);
      pool.claim(c.variables.wouldChange);
    }
    const options: CandidateOptions = { afterDefaults: true, messages: false, unchangedOn: 'never' };
    const variables = choice.candidates.flatMap((c) => {
      const policy = byName.get(c.policy) as PolicyIR;
      return [...candidateVariables(policy, c.variables.admitsAfterDefaults, pool, cache, options).variables, { name: c.variables.wouldChange, expression: cache.of(policy).changes() }];
    });
    // The API server compiles matchConditions without variables (and refuses a policy whose
    // conditions read them), so the choice is a variable read by the mutations (see mutatingPair).
    const chosen = pool.claim('psp_chose_this_policy');
    const objects = choice.candidates.flatMap((c) => {
      const policy = byName.get(c.policy) as PolicyIR;
      if (plan(policy).mutations.length === 0) return [];
      return mutatingPair(
        group,
        policy,
        [...scopeConditions(group)],
        [...variables, { name: chosen, expression: c.appliesDefaults }],
        objectName(baseName, 'defaults', policy.name),
        apiVersion,
        cache,
        // Run once: on a pod another of these policies already changed, the choice would be judged afresh.
        'Never',
        `variables.${chosen}`,
      );
    });
    // Each policy evaluates the whole choice: its estimated total must fit the per-evaluation budget.
    const overBudget = objects.filter((o) => o.kind === 'MutatingAdmissionPolicy' && expressionsOf(o).reduce((sum, e) => sum + costOf(e.expression, cache.costs), 0) > CEL_RUNTIME_BUDGET);
    if (overBudget.length === 0) {
      if (objects.length > 0 && !report.some((e) => e.message === RECORDED_CHOICE_NOTE)) report.push({ policy: null, control: null, fidelity: 'note', message: RECORDED_CHOICE_NOTE });
      return { objects, validateUnchanged: true };
    }
    why = `deciding which of them PSP chose would exceed the per-evaluation CEL budget (${overBudget.map((o) => o.metadata.name).join(', ')})`;
  }
  report.push({
    policy: first.name,
    control: null,
    fidelity: 'approximate',
    message: `pods in scope (${scope}) may use ${candidates.map((p) => p.name).join(', ')}; ${why}, so which PSP's defaults PSP applied cannot be decided here: the defaults of ${first.name} (first defaulting PSP by name) are applied wherever no other candidate admits the pod as submitted, whereas PSP used another policy's defaults when ${first.name} rejected the defaulted pod`,
  });
  const unchanged = candidates.filter((p) => !defaulting.includes(p));
  const conditions: MatchCondition[] = [...scopeConditions(group)];
  if (unchanged.length > 0) {
    // PSP preferred a policy that admitted the pod as submitted: then it changed nothing.
    conditions.push({
      name: 'psp-no-unchanged-admission',
      expression: unchanged.map((p) => `!(${cache.of(p).controls.map((c) => `(${c.admits})`).join(' && ') || 'true'})`).join(' && '),
    });
  }
  return { objects: mutatingPair(group, first, conditions, [], objectName(baseName, 'defaults'), apiVersion, cache, 'IfNeeded'), validateUnchanged: false };
}

/** The annotation PSP admission wrote on every pod it admitted: the name of the PSP it chose. */
const CHOSEN_PSP_ANNOTATION = 'kubernetes.io/psp';

const RECORDED_CHOICE_NOTE =
  'where several defaulting PSPs may admit a pod, the MutatingAdmissionPolicy of the PSP that PSP admission would have chosen records it in the pod\'s kubernetes.io/psp annotation, as PSP admission did, and writes its defaults where the annotation names it (the choice is made once, on the pod as submitted; match conditions cannot read the variables it needs); an annotation naming a defaulting PSP that was not chosen is set to ""';

/** Boolean CEL: the pod's `kubernetes.io/psp` annotation names `policy`. */
function annotationNames(policy: string): string {
  const key = celString(CHOSEN_PSP_ANNOTATION);
  return `(has(object.metadata.annotations) && ${key} in object.metadata.annotations && object.metadata.annotations[${key}] == ${celString(policy)})`;
}

/** The apply configuration setting the `kubernetes.io/psp` annotation to `value`. */
function annotationConfiguration(value: string): string {
  const p = TYPED_APPLY_PRINTER;
  return p.object([], [['metadata', p.object(['metadata'], [['annotations', `{${celString(CHOSEN_PSP_ANNOTATION)}: ${celString(value)}}`]])]]);
}

/**
 * One MutatingAdmissionPolicy (and binding) writing `policy`'s defaults where `conditions` hold.
 *
 * With `chosen` (boolean CEL over the variables: PSP admission chose this policy), the defaults are
 * written only where it holds. Each mutation sees the pod as the mutations before it left it, and
 * the variables are evaluated afresh for each, so the choice is made once, by a first mutation on
 * the pod as submitted: it records the choice as PSP admission did, in the pod's
 * `kubernetes.io/psp` annotation (and clears an annotation naming this policy where it was not
 * chosen), and every default is then written where that annotation names this policy. Elsewhere
 * each mutation applies `Object{}`, no change.
 */
function mutatingPair(
  group: ScopeGroup,
  policy: PolicyIR,
  conditions: readonly MatchCondition[],
  variables: readonly { name: string; expression: string }[],
  name: string,
  apiVersion: string,
  cache: PolicyCelCache,
  reinvocationPolicy: 'IfNeeded' | 'Never',
  chosen?: string,
): KubernetesObject[] {
  const defaults = cache
    .of(policy)
    .plan.mutations.map((m) => mutationExpression(m))
    .filter((e): e is string => e !== undefined);
  if (defaults.length === 0) return [];
  const none = TYPED_APPLY_PRINTER.object([], []);
  const recorded = annotationNames(policy.name);
  const expressions =
    chosen === undefined
      ? defaults
      : [
          `${chosen} ? ${annotationConfiguration(policy.name)} : (${recorded} ? ${annotationConfiguration('')} : ${none})`,
          ...defaults.map((e) => `${recorded} ? (${e}) : ${none}`),
        ];
  const annotations = { 'psp-translate.io/defaults-of': policy.name, 'psp-translate.io/scope': describeGroup(group) };
  const spec: Record<string, unknown> = {
    failurePolicy: 'Fail',
    // IfNeeded: idempotent (every change is guarded), so it may run again after later mutators add containers.
    reinvocationPolicy,
    matchConstraints: { resourceRules: MUTATE_RESOURCE_RULES },
  };
  if (conditions.length > 0) spec.matchConditions = conditions.map((c) => ({ ...c }));
  // Copies: the YAML printer would alias objects shared between policies.
  if (variables.length > 0) spec.variables = variables.map((v) => ({ ...v }));
  spec.mutations = expressions.map((expression) => ({ patchType: 'ApplyConfiguration', applyConfiguration: { expression } }));
  const bindingSpec: Record<string, unknown> = { policyName: name };
  const selector = namespaceSelector(group.namespace);
  if (selector !== undefined) bindingSpec.matchResources = { namespaceSelector: selector };
  return [
    { apiVersion, kind: 'MutatingAdmissionPolicy', metadata: metadata(name, annotations), spec },
    { apiVersion, kind: 'MutatingAdmissionPolicyBinding', metadata: metadata(name, annotations), spec: bindingSpec },
  ];
}

function resolveVersion(value: VapOptions['kubeVersion']): KubeVersion {
  if (value === undefined) return DEFAULT_KUBE_VERSION;
  return typeof value === 'string' ? parseKubeVersion(value) : value;
}

/**
 * Translate PSPs and their scope groups into ValidatingAdmissionPolicies and bindings (plus
 * MutatingAdmissionPolicies for PSP defaults where `kubeVersion` serves them). Pure.
 * @throws Error when a scope group names a PSP not in `input.policies`, or an option is invalid.
 */
export function translateVap(input: VapInput, options: VapOptions = {}): VapTranslation {
  const version = resolveVersion(options.kubeVersion);
  const actions = options.validationActions !== undefined ? [...options.validationActions] : options.action !== undefined ? validationActionsFor(options.action) : [...DEFAULT_VALIDATION_ACTIONS];
  if (actions.includes('Deny') && actions.includes('Warn')) throw new Error('validationActions may not hold both Deny and Warn (the API server refuses the binding); use one');
  const byName = new Map(input.policies.map((p) => [p.name, p]));
  const mapApi = options.mutate === false ? undefined : mutatingPolicyApi(version);
  const report: FidelityEntry[] = [];
  const costs: CelCostEntry[] = [];
  const objects: KubernetesObject[] = [];
  const cache = new PolicyCelCache();
  /** PSPs some group may use, and those that admit every pod unchanged there (the group then needs no policy). */
  const usable = new Set(input.scopeGroups.flatMap((g) => g.candidates));
  const admittingEverything = new Set<string>();

  if (!hasValidatingPolicyV1(version)) {
    report.push({ policy: null, control: null, fidelity: 'unsupported', message: `Kubernetes 1.${version.minor} does not serve ValidatingAdmissionPolicy admissionregistration.k8s.io/v1 (GA in 1.30); these objects need 1.30 or later` });
  }
  report.push({
    policy: null,
    control: null,
    fidelity: 'note',
    message:
      'policies match pods and pods/ephemeralcontainers on CREATE and UPDATE, as PSP admission did, so `kubectl debug` containers are checked; PSP skipped updates that changed only ownerReferences or finalizers (garbage collection), which these policies check too',
  });

  input.scopeGroups.forEach((group, index) => {
    const candidates = group.candidates.map((name) => {
      const policy = byName.get(name);
      if (policy === undefined) {
        throw new Error(`scope group (${describeGroup(group)}) names PodSecurityPolicy ${name}, which is not among the policies given; pass the same policies to scopeGroups and translateVap`);
      }
      return policy;
    });
    const scope = describeGroup(group);
    const permissive = candidates.find((p) => admitsEveryPod(p, cache));
    if (permissive !== undefined) {
      admittingEverything.add(permissive.name);
      report.push({ policy: permissive.name, control: null, fidelity: 'exact', message: `pods in scope (${scope}) may use ${permissive.name}, which admits every pod unchanged: no policy is needed there` });
      return;
    }
    const baseName = objectName('psp', String(index + 1).padStart(2, '0'), ...(candidates.length === 0 ? ['none'] : candidates.map((p) => p.name)));
    const annotations = { 'psp-translate.io/candidates': candidates.map((p) => p.name).join(','), 'psp-translate.io/scope': scope };

    let validateUnchanged = false;
    if (mapApi !== undefined) {
      const mutations = mutatingPolicies(group, candidates, baseName, mapApi.apiVersion, report, cache);
      if (options.estimateCosts !== false) for (const object of mutations.objects) if (object.kind === 'MutatingAdmissionPolicy') accountCosts(object, costs, report, cache.costs);
      objects.push(...mutations.objects);
      validateUnchanged = mutations.validateUnchanged;
    }
    if (candidates.length === 0) {
      report.push({ policy: null, control: null, fidelity: 'exact', message: `pods in scope (${scope}) could use no PSP: PSP rejected them all, and ${baseName} denies them` });
    }
    const policy: KubernetesObject = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: metadata(baseName, annotations), spec: validatingSpec(group, candidates, cache, validateUnchanged) };
    if (options.estimateCosts !== false) accountCosts(policy, costs, report, cache.costs);
    const bindingSpec: Record<string, unknown> = { policyName: baseName, validationActions: actions };
    const selector = namespaceSelector(group.namespace);
    if (selector !== undefined) bindingSpec.matchResources = { namespaceSelector: selector };
    objects.push(policy, { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: metadata(baseName, annotations), spec: bindingSpec });
  });

  reportDefaults(input.policies, mapApi !== undefined, options.mutate === false ? '--no-mutate was given' : `Kubernetes 1.${version.minor} has no MutatingAdmissionPolicy (beta 1.34, GA 1.36; pass --kube-version)`, cache, report);
  if (mapApi?.note !== undefined && objects.some((o) => o.kind === 'MutatingAdmissionPolicy')) report.push({ policy: null, control: null, fidelity: 'note', message: mapApi.note });
  report.push(...coverage(input.policies, objects, { usable, admittingEverything }, mapApi !== undefined, cache, report));
  return { objects, report, costs };
}

/** Per defaulting PSP: what happens to its defaults. */
function reportDefaults(policies: readonly PolicyIR[], mutating: boolean, why: string, cache: PolicyCelCache, report: FidelityEntry[]): void {
  for (const policy of policies) {
    const plan = cache.of(policy).plan;
    if (plan.mutations.length === 0) continue;
    if (mutating) {
      report.push(...plan.report);
      continue;
    }
    const controls = [...new Set(plan.mutations.map((m) => m.control))].sort((a, b) => CONTROL_KINDS.indexOf(a) - CONTROL_KINDS.indexOf(b)) as ControlKind[];
    for (const control of controls) {
      report.push({
        policy: policy.name,
        control,
        aspect: 'default',
        fidelity: 'approximate',
        message: `the ${control} default of ${policy.name} is lost: ${why}, so pods that left the field unset are checked as submitted and may be rejected where PSP defaulted them`,
        source: policy.source,
      });
    }
  }
}

/** Names of the objects of `kind` whose annotation `key` (a comma list) names each PSP. */
function objectsNaming(objects: readonly KubernetesObject[], kind: string, key: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const object of objects) {
    if (object.kind !== kind) continue;
    for (const name of (object.metadata.annotations?.[key] ?? '').split(',').filter((n) => n !== '')) {
      out.set(name, [...(out.get(name) ?? []), object.metadata.name]);
    }
  }
  return out;
}

/**
 * Entries for what the report says nothing else about, so every control's validation and every
 * default of every PSP has one (core's `FidelityEntry` contract): each control's CEL comes from
 * core's single definition and decides as PSP did (the differential tests hold it to the reference
 * evaluator), so a validation without a finding is exact, named by the policies that check it; a
 * default is exact where a MutatingAdmissionPolicy writes it.
 */
function coverage(
  policies: readonly PolicyIR[],
  objects: readonly KubernetesObject[],
  groups: { usable: ReadonlySet<string>; admittingEverything: ReadonlySet<string> },
  mutating: boolean,
  cache: PolicyCelCache,
  report: readonly FidelityEntry[],
): FidelityEntry[] {
  const has = (policy: string, control: ControlKind, aspect: 'validation' | 'default') =>
    report.some((e) => e.policy === policy && e.control === control && e.aspect === aspect);
  const checkedBy = objectsNaming(objects, 'ValidatingAdmissionPolicy', 'psp-translate.io/candidates');
  const defaultedBy = objectsNaming(objects, 'MutatingAdmissionPolicy', 'psp-translate.io/defaults-of');
  const out: FidelityEntry[] = [];
  for (const policy of policies) {
    const checks = checkedBy.get(policy.name) ?? [];
    const usable = groups.usable.has(policy.name);
    const writers = defaultedBy.get(policy.name) ?? [];
    const written = new Set(cache.of(policy).plan.mutations.map((m) => m.control));
    for (const control of CONTROL_KINDS) {
      if (!has(policy.name, control, 'validation')) {
        const message = !usable
          ? 'no pod may use this PSP (RBAC), so no policy checks it'
          : checks.length === 0
            ? groups.admittingEverything.has(policy.name)
              ? 'this PSP admits every pod unchanged: no policy is needed where pods may use it'
              : 'pods that may use this PSP may also use one that admits every pod unchanged: no policy is needed there'
            : `checked by ValidatingAdmissionPolicy ${checks.join(', ')}`;
        out.push({ policy: policy.name, control, aspect: 'validation', fidelity: 'exact', message });
      }
      if (policy.controls[control].defaults === null || has(policy.name, control, 'default')) continue;
      if (!usable) {
        out.push({ policy: policy.name, control, aspect: 'default', fidelity: 'exact', message: 'no pod may use this PSP (RBAC), so this default applies to no pod' });
      } else if (!mutating || !written.has(control)) {
        // Reached without a mutation for the control: lost where PSP would have written it.
        out.push({
          policy: policy.name,
          control,
          aspect: 'default',
          fidelity: 'approximate',
          message: `the ${control} default of ${policy.name} is not written by any MutatingAdmissionPolicy, so pods that left the field unset are checked as submitted`,
          source: policy.source,
        });
      } else if (writers.length === 0) {
        out.push({
          policy: policy.name,
          control,
          aspect: 'default',
          fidelity: 'approximate',
          message: `the ${control} default of ${policy.name} is not applied: where pods may use it, another defaulting PSP's defaults (first by name) are applied`,
          source: policy.source,
        });
      } else {
        out.push({ policy: policy.name, control, aspect: 'default', fidelity: 'exact', message: `written by MutatingAdmissionPolicy ${writers.join(', ')} where PSP admission would have chosen this PSP (the first by name to admit the pod unchanged, or where none does, the first by name to admit it after its own defaults)` });
      }
    }
  }
  return out;
}
