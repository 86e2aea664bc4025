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
 */
import {
  CEL_PER_CALL_LIMIT,
  CEL_RUNTIME_BUDGET,
  CONTROL_KINDS,
  celString,
  estimateCelCost,
  policyControlExpressions,
  type ControlKind,
  type InlineControlCel,
  type PolicyIR,
  type ScopeGroup,
} from '@psp-translate/core';
import { DEFAULT_VALIDATION_ACTIONS, validationActionsFor } from './action.js';
import { defaultsPlan, mutationExpression, wouldChangeExpression, type DefaultsPlan } from './mutation.js';
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
  /** Variable name: the candidate's first failing field, `''` when it admits. */
  failure: string;
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
  controls: InlineControlCel[];
  plan: DefaultsPlan;
}

/** Per-translation memo of each policy's CEL and defaults (groups share candidates). */
class PolicyCelCache {
  readonly costs: CostCache = new Map();
  private readonly byPolicy = new Map<PolicyIR, CandidateCel>();

  of(policy: PolicyIR): CandidateCel {
    let found = this.byPolicy.get(policy);
    if (found === undefined) {
      found = { controls: policyControlExpressions(policy, { object: 'object' }), plan: defaultsPlan(policy) };
      this.byPolicy.set(policy, found);
    }
    return found;
  }
}

/**
 * The variables of one candidate: `psp_<name>` (admits) and `psp_<name>_failure` (why not). When
 * the checks would cost more than half the per-expression limit (the message costs about as much
 * again), each control gets variables of its own and the candidate's variables combine them, so
 * that no single expression carries the whole policy.
 */
function candidateVariables(policy: PolicyIR, admitsName: string, pool: IdentifierPool, cache: PolicyCelCache): CandidateVariables {
  const { controls, plan } = cache.of(policy);
  const failure = pool.claim(`${admitsName}_failure`);
  const wouldChange = wouldChangeExpression(plan);
  // PSP admitted an UPDATE (incl. pods/ephemeralcontainers) under a policy only if its defaults would change nothing.
  const updateGuard = wouldChange === undefined ? undefined : `(request.operation != "UPDATE" || !(${wouldChange}))`;
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
    variables.push({ name: failure, expression: single });
  } else {
    const perControl = controls.map((c) => ({ control: c, admits: pool.claim(`${admitsName}_${c.kind}`), failure: pool.claim(`${admitsName}_${c.kind}_failure`) }));
    for (const part of perControl) {
      const { control } = part;
      // A control costlier still (read-only hostPaths: containers x mounts per container list) gets a variable per part.
      if (control.parts.length > 1 && costOf(control.admits, cache.costs) > CEL_PER_CALL_LIMIT / 2) {
        const pieces = control.parts.map((p) => ({ p, admits: pool.claim(`${part.admits}_${p.id}`), failure: pool.claim(`${part.admits}_${p.id}_failure`) }));
        for (const piece of pieces) {
          variables.push({ name: piece.admits, expression: piece.p.admits });
          variables.push({ name: piece.failure, expression: piece.p.message });
        }
        variables.push({ name: part.admits, expression: pieces.map((piece) => `variables.${piece.admits}`).join(' && ') });
        variables.push({ name: part.failure, expression: firstFailure(pieces.map((piece) => ({ ok: `variables.${piece.admits}`, message: `variables.${piece.failure}` }))) });
        continue;
      }
      variables.push({ name: part.admits, expression: control.admits });
      variables.push({ name: part.failure, expression: control.message });
    }
    const all = perControl.map((p) => `variables.${p.admits}`).join(' && ');
    variables.push({ name: admitsName, expression: updateGuard === undefined ? all : `(${all}) && ${updateGuard}` });
    variables.push({ name: failure, expression: firstFailure(perControl.map((p) => ({ ok: `variables.${p.admits}`, message: `variables.${p.failure}` }))) });
  }
  return { policy, admits: admitsName, failure, variables, mutating: wouldChange !== undefined };
}

const UPDATE_CHANGE_MESSAGE = 'its defaults would change this pod, and PodSecurityPolicy changed pods only on CREATE';

/** The spec of one group's ValidatingAdmissionPolicy. */
function validatingSpec(group: ScopeGroup, candidates: readonly PolicyIR[], cache: PolicyCelCache): Record<string, unknown> {
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
  const parts = candidates.map((policy) => candidateVariables(policy, pool.claim(`psp_${policy.name.replace(/[^A-Za-z0-9_]/g, '_')}`), pool, cache));
  spec.variables = parts.flatMap((p) => p.variables);
  const why = (p: CandidateVariables) =>
    p.mutating ? `(variables.${p.failure} != "" ? variables.${p.failure} : ${celString(UPDATE_CHANGE_MESSAGE)})` : `variables.${p.failure}`;
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
  const { controls, plan } = cache.of(policy);
  return plan.mutations.length === 0 && controls.length === 0;
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

/** The MutatingAdmissionPolicy (and binding) applying the defaults PSP would have chosen for a group. */
function mutatingPair(
  group: ScopeGroup,
  candidates: readonly PolicyIR[],
  baseName: string,
  apiVersion: string,
  report: FidelityEntry[],
  cache: PolicyCelCache,
): KubernetesObject[] {
  const plan = (p: PolicyIR) => cache.of(p).plan;
  const defaulting = candidates.filter((p) => plan(p).mutations.length > 0);
  const chosen = defaulting[0];
  if (chosen === undefined) return [];
  const scope = describeGroup(group);
  if (defaulting.length > 1) {
    report.push({
      policy: chosen.name,
      control: null,
      fidelity: 'approximate',
      message: `pods in scope (${scope}) may use several defaulting PSPs (${defaulting.map((p) => p.name).join(', ')}); the defaults of ${chosen.name} (first by name) are applied, whereas PSP used a later policy's defaults when ${chosen.name} rejected the defaulted pod`,
    });
  }
  const unchanged = candidates.filter((p) => !defaulting.includes(p));
  if (unchanged.length > 0) {
    report.push({
      policy: chosen.name,
      control: null,
      fidelity: 'approximate',
      message: `pods in scope (${scope}) that ${unchanged.map((p) => p.name).join(', ')} reject as submitted get the defaults of ${chosen.name}; if ${chosen.name} still rejects them but ${unchanged.length === 1 ? 'that policy' : 'one of those policies'} admits the defaulted pod, it is admitted, where PSP rejected it`,
    });
  }
  const expressions = plan(chosen)
    .mutations.map((m) => mutationExpression(m))
    .filter((e): e is string => e !== undefined);
  if (expressions.length === 0) return [];
  const conditions: MatchCondition[] = [...scopeConditions(group)];
  if (unchanged.length > 0) {
    // PSP preferred a policy that admitted the pod as submitted: then it changed nothing.
    conditions.push({
      name: 'psp-no-unchanged-admission',
      expression: unchanged.map((p) => `!(${cache.of(p).controls.map((c) => `(${c.admits})`).join(' && ') || 'true'})`).join(' && '),
    });
  }
  const name = objectName(baseName, 'defaults');
  const annotations = { 'psp-translate.io/defaults-of': chosen.name, 'psp-translate.io/scope': scope };
  const spec: Record<string, unknown> = {
    failurePolicy: 'Fail',
    // Idempotent (every change is guarded), so it may run again after later mutators add containers.
    reinvocationPolicy: 'IfNeeded',
    matchConstraints: { resourceRules: MUTATE_RESOURCE_RULES },
  };
  if (conditions.length > 0) spec.matchConditions = conditions;
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

    if (mapApi !== undefined) {
      const pair = mutatingPair(group, candidates, baseName, mapApi.apiVersion, report, cache);
      if (pair[0] !== undefined && options.estimateCosts !== false) accountCosts(pair[0], costs, report, cache.costs);
      objects.push(...pair);
    }
    if (candidates.length === 0) {
      report.push({ policy: null, control: null, fidelity: 'exact', message: `pods in scope (${scope}) could use no PSP: PSP rejected them all, and ${baseName} denies them` });
    }
    const policy: KubernetesObject = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: metadata(baseName, annotations), spec: validatingSpec(group, candidates, cache) };
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
        out.push({ policy: policy.name, control, aspect: 'default', fidelity: 'exact', message: `written by MutatingAdmissionPolicy ${writers.join(', ')} where pods may use this PSP first` });
      }
    }
  }
  return out;
}
