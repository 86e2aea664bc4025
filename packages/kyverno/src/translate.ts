/**
 * The Kyverno target: PSPs (IR) and the scope groups of their RBAC in, Kyverno objects and a
 * fidelity report out. Pure: no file system, same input, same bytes.
 *
 * How PSP semantics map:
 * - Authorisation: each scope group (namespace x service account x requester) has the PSPs its
 *   pods could use. Groups with the same candidates share policies, scoped by preconditions.
 * - Any-of: one candidate -> one rule per control; several -> one rule that passes when any
 *   candidate admits the pod; none -> a rule denying every pod.
 * - A candidate that admits every pod unchanged exempts its groups: PolicyExceptions (default) or
 *   preconditions leave those pods alone, and no other candidate's defaults touch them.
 * - Defaults: mutate policies for the PSP PSP admission would have picked; mutations run before
 *   validation in Kyverno, as defaults did before validation in PSP. Where several defaulting PSPs
 *   may admit a pod, MutatingPolicy output decides PSP's choice per pod (one policy per defaulting
 *   candidate, see ./mutate/chosen.ts); ClusterPolicy mutate rules apply the first by name's.
 * - Ephemeral containers: validations match `Pod/ephemeralcontainers` (`pods/ephemeralcontainers`).
 */
import { CONTROL_KINDS, policyAdmitsExpression, type PolicyIR } from '@psp-translate/core';
import { kyvernoAction, type KyvernoAction } from './action.js';
import { jsonCopy } from './plain-data.js';
import { buildExceptions } from './exceptions.js';
import {
  CLUSTER_POLICY_ANNOTATIONS,
  COMMON_LABELS,
  MUTATE_RESOURCE_RULES,
  VALIDATE_KINDS,
  VALIDATE_RESOURCE_RULES,
  type Condition,
  type MatchCondition,
} from './kyverno-shapes.js';
import { chosenDefaults, type ChosenDefaults } from './mutate/chosen.js';
import { clusterPolicyMutateRules } from './mutate/cluster-policy.js';
import { defaultsPlan } from './mutate/defaults.js';
import { applyConfigurationMutations, pendingDefaultsExpression } from './mutate/mutating-policy.js';
import { dnsLabel } from './names.js';
import { admitsEveryPod, decidingPolicy } from './permissive.js';
import { describeGroup, scopeCondition } from './scope.js';
import { buildKyvernoTests } from './tests-file.js';
import type { FidelityEntry, KubernetesObject, KyvernoOptions, KyvernoTranslation, ScopeGroupLike } from './types.js';
import { anyOfValidation, denyValidation, singlePolicyValidations, type CelValidation } from './validate/cel.js';
import { patternRules } from './validate/pattern.js';
import { podSecurityRules } from './validate/pod-security.js';

/** Input of {@link translateKyverno}. */
export interface KyvernoInput {
  /** Every PSP, as IR. */
  policies: readonly PolicyIR[];
  /** core's `scopeGroups(...)`: a partition of pod admissions with each cell's candidate PSPs. */
  scopeGroups: readonly ScopeGroupLike[];
  options: KyvernoOptions;
}

/** Pods that share a candidate set, and what decides them. */
export interface CandidateSet {
  /** Candidates in name order. */
  policies: PolicyIR[];
  groups: ScopeGroupLike[];
}

/**
 * How the groups split. A group whose candidates include one that decides alone (it dominates the
 * others, see `decidingPolicy`) is "decided": it behaves as if that policy were its only candidate,
 * and when it had several candidates it is exempted from every other policy (by PolicyException,
 * or by preconditions).
 */
export interface ScopePlan {
  /** Groups decided by one of several candidates, and that candidate. */
  decided: { group: ScopeGroupLike; decider: PolicyIR }[];
  sets: CandidateSet[];
  all: readonly ScopeGroupLike[];
  /** Groups whose pods any other set's condition may include (they are exempted by PolicyExceptions). */
  dontCare: readonly ScopeGroupLike[];
}

const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'];

/** Split the scope groups into candidate sets; note the groups a single candidate decides. */
export function planScopes(policies: readonly PolicyIR[], groups: readonly ScopeGroupLike[], exemptViaExceptions: boolean): ScopePlan {
  const byName = new Map(policies.map((p) => [p.name, p]));
  const decided: ScopePlan['decided'] = [];
  const sets = new Map<string, CandidateSet>();
  for (const group of groups) {
    let candidates = group.candidates.map((name) => {
      const policy = byName.get(name);
      if (policy === undefined) {
        throw new Error(`scope group (${describeGroup(group)}) names PodSecurityPolicy ${name}, which is not among the policies given; pass the same policies to scopeGroups and translateKyverno`);
      }
      return policy;
    });
    const decider = decidingPolicy(candidates);
    if (decider !== undefined && (candidates.length > 1 || admitsEveryPod(decider))) {
      decided.push({ group, decider });
      candidates = [decider];
    }
    const key = candidates.map((p) => p.name).join('\u0000');
    const set = sets.get(key) ?? { policies: candidates, groups: [] };
    set.groups.push(group);
    sets.set(key, set);
  }
  // A set whose only candidate admits everything needs no policy: its pods are exempt.
  for (const [key, set] of sets) if (set.policies.length === 1 && admitsEveryPod(set.policies[0]!)) sets.delete(key);
  return { decided, sets: [...sets.values()], all: groups, dontCare: exemptViaExceptions ? decided.map((e) => e.group) : [] };
}

/** Name of the validation policy of a candidate set (ClusterPolicy; ValidatingPolicy prefix). */
export function validationPolicyName(set: CandidateSet): string {
  if (set.policies.length === 0) return 'psp-no-authorised-policy';
  if (set.policies.length === 1) return dnsLabel('psp', set.policies[0]!.name);
  return dnsLabel('psp-any-of', ...set.policies.map((p) => p.name));
}

/** `unchangedAlways`: the set's defaults are written exactly as PSP chose them (see anyOfValidation). */
function celValidationsFor(set: CandidateSet, unchangedAlways = false): CelValidation[] {
  if (set.policies.length === 0) return [denyValidation('deny')];
  if (set.policies.length === 1) return singlePolicyValidations(set.policies[0]!);
  return [anyOfValidation(set.policies, 'any-of', { unchangedAlways })];
}

function metadata(name: string, annotations?: Record<string, string>): KubernetesObject['metadata'] {
  return annotations === undefined ? { name, labels: { ...COMMON_LABELS } } : { name, labels: { ...COMMON_LABELS }, annotations };
}

function policyAnnotations(set: CandidateSet): Record<string, string> {
  return {
    ...CLUSTER_POLICY_ANNOTATIONS,
    'psp-translate.io/candidates': set.policies.map((p) => p.name).join(','),
    'psp-translate.io/scope': set.groups.map(describeGroup).join('; '),
  };
}

const isTrue = (expression: string): Condition => ({ key: `{{ ${expression} }}`, operator: 'Equals', value: true });

/** ClusterPolicy validation for one candidate set, in the requested style. */
function clusterPolicyValidation(set: CandidateSet, plan: ScopePlan, action: KyvernoAction, options: KyvernoOptions, report: FidelityEntry[]): KubernetesObject | undefined {
  const name = validationPolicyName(set);
  const celScope = scopeCondition('cel', plan.all, set.groups, plan.dontCare);
  const celPreconditions: MatchCondition[] | undefined = celScope === undefined ? undefined : [{ name: 'psp-scope', expression: celScope }];
  const celRule = (v: CelValidation) => {
    const rule: Record<string, unknown> = { name: v.name, match: { any: [{ resources: { kinds: [...VALIDATE_KINDS] } }] } };
    if (celPreconditions !== undefined) rule.celPreconditions = celPreconditions;
    const cel: Record<string, unknown> = {};
    if (v.variables.length > 0) cel.variables = v.variables;
    cel.expressions = [v.messageExpression === undefined ? { expression: v.expression, message: v.message } : { expression: v.expression, message: v.message, messageExpression: v.messageExpression }];
    rule.validate = { message: v.message, cel };
    return rule;
  };
  let rules: Record<string, unknown>[] | undefined;
  let background = true;
  if (options.style !== 'cel' && set.policies.length === 1) {
    const jmesScope = scopeCondition('jmespath', plan.all, set.groups, plan.dontCare);
    const preconditions = jmesScope === undefined ? undefined : { all: [isTrue(jmesScope)] };
    const policy = set.policies[0]!;
    const styled = options.style === 'pattern' ? patternRules(policy) : podSecurityRules(policy);
    report.push(...styled.report);
    if (styled.rules !== undefined) {
      rules = styled.rules.map((r) => ({
        name: r.name,
        match: { any: [{ resources: { kinds: [...VALIDATE_KINDS] } }] },
        ...(preconditions === undefined ? {} : { preconditions }),
        validate: r.validate,
      }));
      // Kyverno refuses request.userInfo in background policies; such scopes are admission-only.
      if (jmesScope !== undefined && jmesScope.includes('request.userInfo')) {
        background = false;
        report.push({ policy: policy.name, control: null, fidelity: 'note', message: `${name}: scope depends on the requesting user, so background scanning is off for it (existing pods are not reported)` });
      }
      // Controls the style cannot state, and the check that updates carry the defaults, stay in CEL.
      const celFallback = singlePolicyValidations(policy).filter((v) => v.control === null || styled.celControls.includes(v.control));
      if (celFallback.some((v) => v.control === null)) {
        report.push({ policy: policy.name, control: null, fidelity: 'note', message: `${name}: the check that updates (ephemeral containers) already carry ${policy.name}'s defaults is a validate.cel rule (Kyverno 1.11+)` });
      }
      rules.push(...celFallback.map(celRule));
    }
  } else if (options.style !== 'cel' && set.policies.length !== 1) {
    report.push({
      policy: null,
      control: null,
      fidelity: 'note',
      message: `${name}: ${set.policies.length === 0 ? 'the deny rule' : 'the any-of rule'} is written in validate.cel (Kyverno 1.11+): --kyverno-style ${options.style} cannot express it`,
    });
  }
  rules ??= celValidationsFor(set).map(celRule);
  if (rules.length === 0) return undefined;
  return {
    apiVersion: 'kyverno.io/v1',
    kind: 'ClusterPolicy',
    metadata: metadata(name, policyAnnotations(set)),
    spec: {
      validationFailureAction: action.validationFailureAction,
      ...(action.emitWarning ? { emitWarning: true } : {}),
      background,
      rules,
    },
  };
}

/** ValidatingPolicies for one candidate set: one per control for a single candidate. */
function validatingPolicies(set: CandidateSet, plan: ScopePlan, action: KyvernoAction, unchangedAlways: boolean): KubernetesObject[] {
  const base = validationPolicyName(set);
  const scope = scopeCondition('cel', plan.all, set.groups, plan.dontCare);
  return celValidationsFor(set, unchangedAlways).map((v) => {
    const name = set.policies.length === 1 ? dnsLabel(base, v.name) : base;
    const spec: Record<string, unknown> = {
      validationActions: action.validationActions,
      evaluation: { background: { enabled: true } },
      autogen: { podControllers: { controllers: [] } },
      matchConstraints: { resourceRules: VALIDATE_RESOURCE_RULES },
    };
    if (scope !== undefined) spec.matchConditions = [{ name: 'psp-scope', expression: scope }];
    if (v.variables.length > 0) spec.variables = v.variables;
    spec.validations = [v.messageExpression === undefined ? { expression: v.expression, message: v.message } : { expression: v.expression, message: v.message, messageExpression: v.messageExpression }];
    return { apiVersion: 'policies.kyverno.io/v1', kind: 'ValidatingPolicy', metadata: metadata(name, policyAnnotations(set)), spec };
  });
}

/** Where a mutating PSP's defaults apply: the candidate sets that pick it. */
interface MutationScope {
  policy: PolicyIR;
  sets: { set: CandidateSet; nonMutating: PolicyIR[] }[];
}

/**
 * The candidate sets with several defaulting PSPs whose choice MutatingPolicies decide exactly
 * (`policies.kyverno.io/v1`), with each defaulting candidate's guarded mutations. Sets whose choice
 * would exceed the per-expression CEL cost limit or the per-evaluation budget are left out (first-by-name, reported).
 */
function exactChoices(plan: ScopePlan, options: KyvernoOptions): Map<CandidateSet, ChosenDefaults[]> {
  const out = new Map<CandidateSet, ChosenDefaults[]>();
  if (options.api === 'kyverno.io/v1' || options.mutate === false) return out;
  for (const set of plan.sets) {
    if (set.policies.filter((p) => p.mutating).length < 2) continue;
    const chosen = chosenDefaults(set.policies);
    if (chosen !== undefined) out.set(set, chosen);
  }
  return out;
}

function mutationScopes(plan: ScopePlan, report: FidelityEntry[], api: KyvernoOptions['api'], exact: ReadonlyMap<CandidateSet, ChosenDefaults[]>): MutationScope[] {
  const byPolicy = new Map<string, MutationScope>();
  for (const set of plan.sets) {
    const mutating = set.policies.filter((p) => p.mutating);
    const chosen = mutating[0];
    if (chosen === undefined) continue;
    const scope = set.groups.map(describeGroup).join('; ');
    if (exact.has(set)) {
      report.push({
        policy: null,
        control: null,
        fidelity: 'exact',
        message: `pods in scope (${scope}) may use several defaulting PSPs (${mutating.map((p) => p.name).sort().join(', ')}): one MutatingPolicy per defaulting PSP applies its defaults exactly where PSP admission chose it (the first by name to admit the pod unchanged, else the first by name to admit it after its own defaults), and ${validationPolicyName(set)} admits a pod only when some candidate admits it unchanged`,
      });
      continue;
    }
    if (mutating.length > 1) {
      const why =
        api === 'kyverno.io/v1'
          ? 'ClusterPolicy mutate rules (JMESPath preconditions, patchStrategicMerge) cannot evaluate which PSP admission chose; --kyverno-api policies.kyverno.io/v1 decides it exactly with MutatingPolicies'
          : 'deciding which of them PSP admission chose would exceed the per-expression CEL cost limit or the per-evaluation budget';
      report.push({
        policy: chosen.name,
        control: null,
        fidelity: 'approximate',
        message: `pods in scope (${scope}) may use several defaulting PSPs (${mutating.map((p) => p.name).join(', ')}); ${why}, so the defaults of ${chosen.name} (first by name) are applied, whereas PSP used a later policy's defaults when ${chosen.name} rejected the defaulted pod`,
      });
    }
    const entry = byPolicy.get(chosen.name) ?? { policy: chosen, sets: [] };
    entry.sets.push({ set, nonMutating: set.policies.filter((p) => !p.mutating) });
    byPolicy.set(chosen.name, entry);
  }
  return [...byPolicy.values()];
}

function clusterPolicyMutation(scope: MutationScope, plan: ScopePlan, report: FidelityEntry[]): KubernetesObject | undefined {
  const defaults = defaultsPlan(scope.policy);
  // A non-defaulting candidate that admits the pod as it is wins in PSP; JMESPath cannot evaluate a
  // whole PSP, so such scopes get no defaults here (MutatingPolicy output expresses them exactly).
  const usable = scope.sets.filter((s) => {
    if (s.nonMutating.length === 0) return true;
    report.push({
      policy: scope.policy.name,
      control: null,
      fidelity: 'approximate',
      message: `pods in scope (${s.set.groups.map(describeGroup).join('; ')}) get no defaults from ${scope.policy.name}: PSP applied them only when ${s.nonMutating.map((p) => p.name).join(', ')} rejected the pod, which ClusterPolicy preconditions cannot evaluate; such pods must set the fields themselves (or use --kyverno-api policies.kyverno.io/v1)`,
    });
    return false;
  });
  if (usable.length === 0 || defaults.edits.length === 0) return undefined;
  const jmesScope = scopeCondition('jmespath', plan.all, usable.flatMap((s) => s.set.groups), plan.dontCare);
  const scopeConditions: Condition[] = [{ key: '{{ request.operation }}', operator: 'Equals', value: 'CREATE' }];
  if (jmesScope !== undefined) scopeConditions.push(isTrue(jmesScope));
  const rules = clusterPolicyMutateRules(defaults.edits).map((body) => {
    const { name, preconditions, mutate } = body;
    return {
      name,
      match: { any: [{ resources: { kinds: ['Pod'], operations: ['CREATE'] } }] },
      preconditions: { all: [...scopeConditions, ...(preconditions?.all ?? [])] },
      mutate,
    };
  });
  return {
    apiVersion: 'kyverno.io/v1',
    kind: 'ClusterPolicy',
    metadata: metadata(dnsLabel('psp', scope.policy.name, 'defaults'), {
      ...CLUSTER_POLICY_ANNOTATIONS,
      'psp-translate.io/defaults-of': scope.policy.name,
      'psp-translate.io/scope': usable.flatMap((s) => s.set.groups.map(describeGroup)).join('; '),
    }),
    spec: {
      // Mutation happens at admission only; background applies to validation reports, and Kyverno
      // forbids request.userInfo (requester scopes) in background policies.
      background: false,
      rules,
    },
  };
}

/** Name of the MutatingPolicy writing `policy`'s defaults where PSP chose it among `set`'s candidates. */
function chosenPolicyName(set: CandidateSet, policy: PolicyIR): string {
  return dnsLabel(validationPolicyName(set), 'defaults', policy.name);
}

/** The MutatingPolicy of one defaulting candidate of a multi-default set: scoped by match conditions, guarded per mutation. */
function chosenMutatingPolicy(set: CandidateSet, chosen: ChosenDefaults, plan: ScopePlan): KubernetesObject {
  const spec: Record<string, unknown> = {
    autogen: { podControllers: { controllers: [] } },
    matchConstraints: { resourceRules: MUTATE_RESOURCE_RULES },
  };
  const where = scopeCondition('cel', plan.all, set.groups, plan.dontCare);
  // Scope only: Kyverno's matchConditions follow Kubernetes' (no variables), so the choice guards each mutation.
  if (where !== undefined) spec.matchConditions = [{ name: 'psp-scope', expression: where }];
  spec.variables = chosen.variables;
  spec.mutations = chosen.mutations;
  return {
    apiVersion: 'policies.kyverno.io/v1',
    kind: 'MutatingPolicy',
    metadata: metadata(chosenPolicyName(set, chosen.policy), {
      'psp-translate.io/defaults-of': chosen.policy.name,
      'psp-translate.io/candidates': set.policies.map((p) => p.name).join(','),
      'psp-translate.io/scope': set.groups.map(describeGroup).join('; '),
    }),
    spec,
  };
}

function mutatingPolicy(scope: MutationScope, plan: ScopePlan): KubernetesObject | undefined {
  const defaults = defaultsPlan(scope.policy);
  if (defaults.edits.length === 0) return undefined;
  const conditions = scope.sets.map(({ set }) => {
    const parts: string[] = [];
    const where = scopeCondition('cel', plan.all, set.groups, plan.dontCare);
    if (where !== undefined) parts.push(where);
    // PSP preferred a candidate that admitted the pod unchanged: no defaults then.
    if (set.policies.length > 1) {
      for (const candidate of set.policies) {
        const pending = pendingDefaultsExpression(defaultsPlan(candidate).edits);
        const admits = policyAdmitsExpression(candidate, { object: 'object' });
        parts.push(pending === undefined ? `!(${admits})` : `!((${admits}) && !(${pending}))`);
      }
    }
    return parts;
  });
  const spec: Record<string, unknown> = {
    autogen: { podControllers: { controllers: [] } },
    matchConstraints: { resourceRules: MUTATE_RESOURCE_RULES },
  };
  if (conditions.every((parts) => parts.length > 0)) {
    const expression = conditions.length === 1 ? conditions[0]!.map((p) => `(${p})`).join(' && ') : conditions.map((parts) => `(${parts.map((p) => `(${p})`).join(' && ')})`).join(' || ');
    spec.matchConditions = [{ name: 'psp-scope', expression }];
  }
  spec.mutations = applyConfigurationMutations(defaults.edits);
  return {
    apiVersion: 'policies.kyverno.io/v1',
    kind: 'MutatingPolicy',
    metadata: metadata(dnsLabel('psp', scope.policy.name, 'defaults'), {
      'psp-translate.io/defaults-of': scope.policy.name,
      'psp-translate.io/scope': scope.sets.flatMap((s) => s.set.groups.map(describeGroup)).join('; '),
    }),
    spec,
  };
}

/**
 * Translate PSPs into Kyverno objects. Throws only on inconsistent input (a scope group naming a PSP
 * not given) or an unknown action word; what Kyverno cannot express goes into the report.
 */
export function translateKyverno(input: KyvernoInput): KyvernoTranslation {
  const { policies, scopeGroups, options } = input;
  const action = kyvernoAction(options.action ?? 'audit');
  const report: FidelityEntry[] = [];
  if (action.note !== undefined) report.push({ policy: null, control: null, fidelity: 'note', message: action.note });
  const exemptViaExceptions = (options.exemptions ?? 'policy-exception') === 'policy-exception';
  const plan = planScopes(policies, scopeGroups, exemptViaExceptions);
  const exact = exactChoices(plan, options);

  const validation: KubernetesObject[] = [];
  for (const set of plan.sets) {
    if (options.api === 'kyverno.io/v1') {
      const policy = clusterPolicyValidation(set, plan, action, options, report);
      if (policy !== undefined) validation.push(policy);
    } else {
      validation.push(...validatingPolicies(set, plan, action, exact.has(set)));
    }
  }

  const mutation: KubernetesObject[] = [];
  if (options.mutate === false) reportDefaultsLeftOut(policies, report);
  const scopes = options.mutate === false ? [] : mutationScopes(plan, report, options.api, exact);
  for (const scope of scopes) {
    report.push(...defaultsPlan(scope.policy).report);
    const object = options.api === 'kyverno.io/v1' ? clusterPolicyMutation(scope, plan, report) : mutatingPolicy(scope, plan);
    if (object !== undefined) mutation.push(object);
  }
  for (const [set, chosen] of exact) {
    for (const c of chosen) {
      if (!scopes.some((s) => s.policy === c.policy)) report.push(...defaultsPlan(c.policy).report);
      mutation.push(chosenMutatingPolicy(set, c, plan));
    }
  }

  const policiesOut = [...mutation, ...validation];
  const exceptions = exemptViaExceptions ? buildExceptions(plan, policiesOut, options, report) : [];
  if (!exemptViaExceptions) {
    for (const { group, decider } of plan.decided) {
      report.push({ policy: decider.name, control: null, fidelity: 'exact', message: `pods in scope (${describeGroup(group)}) are decided by ${decider.name} alone (it admits every pod the other candidates admit, unchanged): the other policies' preconditions leave them out` });
    }
  }
  reportSystemNamespaces(plan, report);
  if (options.mutate !== false) report.push(...defaultsCoverage(plan, scopes, exact, options.api, report));
  report.push(...validationCoverage(policies, [...policiesOut, ...exceptions], report));
  report.push({
    policy: null,
    control: null,
    fidelity: 'note',
    message:
      'validations match Pod and Pod/ephemeralcontainers (policies.kyverno.io: pods and pods/ephemeralcontainers), so Kyverno registers its webhook for the ephemeralcontainers subresource and `kubectl debug` containers are checked as PSP checked them',
  });
  if (options.api === 'kyverno.io/v1') {
    report.push({ policy: null, control: null, fidelity: 'note', message: 'ClusterPolicy is deprecated since Kyverno 1.17; --kyverno-api policies.kyverno.io/v1 emits ValidatingPolicy and MutatingPolicy' });
  }

  // Plain data with no shared subtrees: serialisers must not emit YAML anchors and aliases.
  const objects = jsonCopy([...policiesOut, ...exceptions]);
  const tests = options.emitTests ? buildKyvernoTests({ policies, plan, objects, options }) : undefined;
  return { objects, tests, report };
}

/**
 * One entry per default of every PSP: where its mutation applies it, compared with the scopes that
 * may use the PSP. A scope gets one PSP's defaults (the first defaulting candidate); ClusterPolicies
 * also skip scopes where a non-defaulting candidate could admit the pod as it is (said in the notes).
 */
function defaultsCoverage(
  plan: ScopePlan,
  scopes: readonly MutationScope[],
  exact: ReadonlyMap<CandidateSet, ChosenDefaults[]>,
  api: KyvernoOptions['api'],
  report: readonly FidelityEntry[],
): FidelityEntry[] {
  const out: FidelityEntry[] = [];
  const policies = [...new Map(plan.sets.flatMap((set) => set.policies).map((p) => [p.name, p])).values()];
  for (const policy of policies) {
    const edits = defaultsPlan(policy).edits;
    const scope = scopes.find((s) => s.policy.name === policy.name);
    const applied = new Set((scope?.sets ?? []).filter((s) => api !== 'kyverno.io/v1' || s.nonMutating.length === 0).map((s) => s.set));
    const chosenIn = [...exact].filter(([, chosen]) => chosen.some((c) => c.policy === policy)).map(([set]) => set);
    for (const set of chosenIn) applied.add(set);
    const using = plan.sets.filter((set) => set.policies.includes(policy));
    const describe = (sets: readonly CandidateSet[]) => sets.flatMap((set) => set.groups.map(describeGroup)).join('; ');
    const object = [...(scope === undefined ? [] : [dnsLabel('psp', policy.name, 'defaults')]), ...chosenIn.map((set) => chosenPolicyName(set, policy))].join(', ');
    for (const control of CONTROL_KINDS) {
      if (policy.controls[control].defaults === null) continue;
      const reported = report.some((e) => e.policy === policy.name && e.control === control && e.aspect === 'default');
      if (!edits.some((edit) => edit.control === control)) {
        if (!reported) out.push({ policy: policy.name, control, aspect: 'default', fidelity: 'exact', message: 'the default changes no pod: nothing to apply' });
        continue;
      }
      const missed = using.filter((set) => !applied.has(set));
      if (missed.length === 0) {
        if (!reported) out.push({ policy: policy.name, control, aspect: 'default', fidelity: 'exact', message: `applied by ${object}` });
      } else {
        out.push({
          policy: policy.name,
          control,
          aspect: 'default',
          fidelity: missed.length === using.length ? 'unsupported' : 'approximate',
          message: `the ${control} default of ${policy.name} is not applied to pods in scope (${describe(missed)})${applied.size > 0 ? `, only in (${describe([...applied])}) by ${object}` : ''}: see the notes on ${policy.name} and the policies usable there; such pods must set the field themselves`,
          source: policy.source,
        });
      }
    }
  }
  return out;
}

/** One entry per control of every PSP: CEL, pattern and podSecurity rules check each control as PSP did (held to the reference evaluator by the differential tests), so a control without a finding is exact. */
function validationCoverage(policies: readonly PolicyIR[], objects: readonly KubernetesObject[], report: readonly FidelityEntry[]): FidelityEntry[] {
  const out: FidelityEntry[] = [];
  for (const policy of policies) {
    const checkedBy = objects
      .filter((o) => o.kind !== 'PolicyException' && !o.metadata.annotations?.['psp-translate.io/defaults-of'] && (o.metadata.annotations?.['psp-translate.io/candidates'] ?? '').split(',').includes(policy.name))
      .map((o) => `${o.kind}/${o.metadata.name}`);
    for (const control of CONTROL_KINDS) {
      if (report.some((e) => e.policy === policy.name && e.control === control && e.aspect === 'validation')) continue;
      const message = checkedBy.length === 0 ? 'no pod may use this PSP (RBAC), so no policy checks it' : `checked by ${[...new Set(checkedBy)].join(', ')}`;
      out.push({ policy: policy.name, control, aspect: 'validation', fidelity: 'exact', message });
    }
  }
  return out;
}

/** `--no-mutate`: every default of every PSP is lost, each said once. */
function reportDefaultsLeftOut(policies: readonly PolicyIR[], report: FidelityEntry[]): void {
  for (const policy of policies) {
    for (const control of CONTROL_KINDS) {
      const defaults = policy.controls[control].defaults;
      if (defaults === null) continue;
      report.push({
        policy: policy.name,
        control,
        aspect: 'default',
        fidelity: 'unsupported',
        message: `mutate rules left out (--no-mutate): pods no longer get the ${control} default PSP set (${JSON.stringify(defaults)})`,
        source: policy.source,
      });
    }
  }
}

/** Kyverno's default install skips kube-system and friends; PSP did not. */
function reportSystemNamespaces(plan: ScopePlan, report: FidelityEntry[]): void {
  const enforced = SYSTEM_NAMESPACES.filter((ns) =>
    plan.sets.some((set) => set.groups.some((g) => (g.namespace.op === 'In' ? g.namespace.values.includes(ns) : !g.namespace.values.includes(ns)))),
  );
  if (enforced.length === 0) return;
  report.push({
    policy: null,
    control: null,
    fidelity: 'approximate',
    message: `PSP checked pods in ${enforced.join(', ')}, but a default Kyverno install ignores them (Helm values config.resourceFilters '[*/*,kube-system,*]'... and config.webhooks namespaceSelector); remove those filters for the translated policies to apply there`,
  });
}
