/**
 * `psp-translate evaluate` for Kyverno: judge workloads by the Kyverno policies a cluster already
 * has, in-process.
 *
 * - policies.kyverno.io/v1 ValidatingPolicy (and NamespacedValidatingPolicy): matchConstraints,
 *   matchConditions, variables, validations, validationActions, failurePolicy; MutatingPolicy
 *   ApplyConfiguration mutations run first; PolicyExceptions (matchConditions) exempt the policies
 *   they name.
 * - kyverno.io/v1 ClusterPolicy and Policy rules with `validate.cel`: match/exclude (kinds,
 *   namespaces, names, selectors, operations, subjects), celPreconditions, variables, expressions,
 *   validationFailureAction (spec, rule `failureAction`, per-namespace overrides); kyverno.io
 *   PolicyExceptions by match (their JMESPath `conditions` are not run, and said so).
 *
 * What needs Kyverno itself (pattern, anyPattern, deny, foreach and podSecurity validation, mutate
 * and generate rules, JMESPath, params, roles) is reported per rule as not evaluated, never guessed.
 */
import { labelsMatch, type InputSet, type KubernetesObject, type Pod, type WorkloadEvaluator } from '@psp-translate/core';
import {
  bindingsOf,
  celContext,
  matchConditionsHold,
  resourcesMatch,
  runValidation,
  workloadRequest,
  type AdmissionRequest,
  type CelValidation,
  type MatchResources,
  type NamedExpression,
} from '@psp-translate/vap';
import { runMutatingPolicy } from './apply-configuration.js';

type Json = Record<string, unknown>;
type LabelSelector = Parameters<typeof labelsMatch>[0];

/** A workload evaluator that also says, once, what it could not evaluate. */
export type KyvernoExistingEvaluator = WorkloadEvaluator & { notes: readonly string[] };

/** One finding of a rule or policy: deny rejects, warn and audit admit. */
interface Finding {
  action: 'deny' | 'warn' | 'audit';
  message: string;
}

/** A prepared policy or rule: judges one request, or says why it cannot. */
interface Check {
  /** `ClusterPolicy/name` (rule `r`) or `ValidatingPolicy/name`: how reasons name it. */
  label: string;
  /** The name PolicyExceptions use, and the rule name for kyverno.io exceptions. */
  policy: string;
  rule?: string;
  run(request: AdmissionRequest, pod: Pod): Finding[] | { notEvaluated: string } | null;
}

function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

function spec(object: KubernetesObject): Json {
  return (object['spec'] ?? {}) as Json;
}

/** Kyverno's wildcard match (`*` any run, `?` one character). */
function wildcard(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return regex.test(value);
}

/** Whether a `kinds` entry selects pods (or their subresource): `Pod`, `v1/Pod`, `*\/Pod`, `Pod/ephemeralcontainers`, `*`. */
function kindSelects(kind: string, subResource: string | undefined): boolean {
  // `Kind`, `Kind/subresource`, `version/Kind`, `group/version/Kind`: a lower-case last part is a subresource.
  const parts = kind.split('/');
  const last = parts[parts.length - 1] as string;
  const [name, sub] = parts.length >= 2 && /^[a-z]/.test(last) ? [parts[parts.length - 2] as string, last] : [last, undefined];
  if (!wildcard(name, 'Pod')) return false;
  return subResource === undefined ? sub === undefined : sub !== undefined && wildcard(sub, subResource);
}

interface ResourceDescription {
  kinds?: string[];
  names?: string[];
  name?: string;
  namespaces?: string[];
  operations?: string[];
  selector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  annotations?: Record<string, string>;
}

interface ResourceFilter {
  resources?: ResourceDescription;
  subjects?: { kind?: string; name?: string; namespace?: string }[];
  roles?: string[];
  clusterRoles?: string[];
}

/** A filter's verdict, or what it needs that we do not have. */
function filterSelects(filter: ResourceFilter, request: AdmissionRequest, namespaceLabels: Record<string, string>): boolean | { needs: string } {
  if ((filter.roles ?? []).length > 0 || (filter.clusterRoles ?? []).length > 0) return { needs: 'roles/clusterRoles (the requester\'s RBAC)' };
  const resources = filter.resources ?? {};
  if (resources.kinds !== undefined && !resources.kinds.some((k) => kindSelects(k, request.subResource))) return false;
  const names = [...(resources.names ?? []), ...(resources.name === undefined ? [] : [resources.name])];
  if (names.length > 0 && !names.some((n) => wildcard(n, request.object.metadata.name ?? ''))) return false;
  if (resources.namespaces !== undefined && resources.namespaces.length > 0 && !resources.namespaces.some((n) => wildcard(n, request.namespace))) return false;
  const operations = resources.operations ?? [];
  if (operations.length > 0 && !operations.some((o) => o === request.operation)) return false;
  if (resources.selector !== undefined && !labelsMatch(resources.selector, { ...(request.object.metadata.labels ?? {}) })) return false;
  if (resources.namespaceSelector !== undefined && !labelsMatch(resources.namespaceSelector, namespaceLabels)) return false;
  const annotations = request.object.metadata.annotations ?? {};
  if (Object.entries(resources.annotations ?? {}).some(([key, value]) => !wildcard(value, annotations[key] ?? ''))) return false;
  const subjects = filter.subjects ?? [];
  if (subjects.length > 0) {
    const { username, groups } = request.userInfo;
    const matches = subjects.some((s) =>
      s.kind === 'User' ? wildcard(s.name ?? '', username) : s.kind === 'Group' ? groups.some((g) => wildcard(s.name ?? '', g)) : s.kind === 'ServiceAccount' && username === `system:serviceaccount:${s.namespace ?? ''}:${s.name ?? ''}`,
    );
    if (!matches) return false;
  }
  return true;
}

/** A `match` or `exclude` block: `any`, `all`, or the legacy single filter. */
function blockSelects(block: Json | undefined, request: AdmissionRequest, namespaceLabels: Record<string, string>, emptyMeans: boolean): boolean | { needs: string } {
  if (block === undefined) return emptyMeans;
  const any = list<ResourceFilter>(block['any']);
  const all = list<ResourceFilter>(block['all']);
  const legacy = block['resources'] !== undefined || block['subjects'] !== undefined ? [block as ResourceFilter] : [];
  if (any.length === 0 && all.length === 0 && legacy.length === 0) return emptyMeans;
  const verdicts = (filters: ResourceFilter[]) => filters.map((f) => filterSelects(f, request, namespaceLabels));
  const needs = [...verdicts(any), ...verdicts(all), ...verdicts(legacy)].find((v): v is { needs: string } => typeof v === 'object');
  if (needs !== undefined) return needs;
  const anyOk = any.length === 0 || verdicts(any).some((v) => v === true);
  const allOk = [...all, ...legacy].every((f) => filterSelects(f, request, namespaceLabels) === true);
  return anyOk && allOk;
}

function actionWord(word: unknown): 'deny' | 'audit' {
  return typeof word === 'string' && word.toLowerCase() === 'enforce' ? 'deny' : 'audit';
}

/** The action of a ClusterPolicy rule for a namespace: rule `failureAction`, else overrides, else the policy's. */
function clusterPolicyAction(policySpec: Json, rule: Json, namespace: string): 'deny' | 'audit' {
  const validate = (rule['validate'] ?? {}) as Json;
  if (validate['failureAction'] !== undefined) return actionWord(validate['failureAction']);
  const overrides = [...list<{ action?: string; namespaces?: string[] }>(validate['failureActionOverrides']), ...list<{ action?: string; namespaces?: string[] }>(policySpec['validationFailureActionOverrides'])];
  const override = overrides.find((o) => (o.namespaces ?? []).some((n) => wildcard(n, namespace)));
  if (override !== undefined) return actionWord(override.action);
  return actionWord(policySpec['validationFailureAction'] ?? 'Audit');
}

function clusterPolicyChecks(object: KubernetesObject, notes: string[]): Check[] {
  const policySpec = spec(object);
  const kind = object.kind;
  const namespace = object.metadata.namespace;
  const checks: Check[] = [];
  for (const rule of list<Json>(policySpec['rules'])) {
    const name = String(rule['name'] ?? '');
    const label = `${kind}/${object.metadata.name} rule ${name}`;
    const validate = rule['validate'] as Json | undefined;
    const cel = validate?.['cel'] as Json | undefined;
    let unsupported: string | undefined;
    if (validate === undefined) {
      const what = ['mutate', 'generate', 'verifyImages'].find((k) => rule[k] !== undefined) ?? 'this';
      unsupported = `${what} rules are not run in-process`;
    } else if (cel === undefined) {
      const what = ['podSecurity', 'pattern', 'anyPattern', 'deny', 'foreach', 'manifests', 'cel'].find((k) => validate[k] !== undefined) ?? 'this';
      unsupported = `validate.${what} needs Kyverno (only validate.cel rules run in-process)`;
    } else if (cel['paramKind'] !== undefined || cel['paramRef'] !== undefined) {
      unsupported = 'params not available (validate.cel paramKind/paramRef)';
    } else if (rule['preconditions'] !== undefined || rule['context'] !== undefined) {
      unsupported = 'JMESPath preconditions or context need Kyverno';
    }
    if (unsupported !== undefined) {
      notes.push(`${label}: not evaluated: ${unsupported}`);
    }
    const expressions = list<CelValidation>(cel?.['expressions']);
    const variables = list<NamedExpression>(cel?.['variables']);
    const preconditions = list<NamedExpression>(rule['celPreconditions']);
    const ruleMessage = typeof validate?.['message'] === 'string' ? validate['message'] : undefined;
    checks.push({
      label,
      policy: object.metadata.name,
      rule: name,
      run(request, pod) {
        // A namespaced Policy applies in its own namespace only.
        if (namespace !== undefined && kind === 'Policy' && namespace !== request.namespace) return null;
        const labels = bindingsOf(request, pod, null)['namespaceObject'] as { metadata: { labels: Record<string, string> } };
        const matched = blockSelects(rule['match'] as Json | undefined, { ...request, object: pod }, labels.metadata.labels, false);
        if (typeof matched === 'object') return { notEvaluated: `${label}: not evaluated: match by ${matched.needs}` };
        if (!matched) return null;
        const excluded = blockSelects(rule['exclude'] as Json | undefined, { ...request, object: pod }, labels.metadata.labels, false);
        if (typeof excluded === 'object') return { notEvaluated: `${label}: not evaluated: exclude by ${excluded.needs}` };
        if (excluded) return null;
        if (unsupported !== undefined) return { notEvaluated: `${label}: not evaluated: ${unsupported}` };
        const context = celContext(bindingsOf(request, pod, null), variables);
        const precondition = matchConditionsHold(preconditions, context);
        if (precondition === false) return null;
        const action = clusterPolicyAction(policySpec, rule, request.namespace);
        if (precondition !== true) return [{ action, message: precondition.error }];
        const findings: Finding[] = [];
        for (const expression of expressions) {
          const result = runValidation({ ...expression, ...(expression.message === undefined && ruleMessage !== undefined ? { message: ruleMessage } : {}) }, context);
          if (result.outcome !== 'pass') findings.push({ action, message: result.message });
        }
        return findings;
      },
    });
  }
  return checks;
}

function validatingPolicyCheck(object: KubernetesObject, notes: string[]): Check {
  const policySpec = spec(object);
  const label = `${object.kind}/${object.metadata.name}`;
  const actions = list<string>(policySpec['validationActions']);
  const failurePolicy = policySpec['failurePolicy'] === 'Ignore' ? 'Ignore' : 'Fail';
  const admission = ((policySpec['evaluation'] as Json | undefined)?.['admission'] as Json | undefined)?.['enabled'];
  const unsupported = policySpec['paramKind'] !== undefined ? 'params not available (paramKind)' : undefined;
  if (unsupported !== undefined) notes.push(`${label}: not evaluated: ${unsupported}`);
  const namespace = object.kind === 'NamespacedValidatingPolicy' ? object.metadata.namespace : undefined;
  return {
    label,
    policy: object.metadata.name,
    run(request, pod) {
      if (admission === false) return null;
      if (namespace !== undefined && namespace !== request.namespace) return null;
      if (!resourcesMatch(policySpec['matchConstraints'] as MatchResources | undefined, { ...request, object: pod }, true)) return null;
      if (unsupported !== undefined) return { notEvaluated: `${label}: not evaluated: ${unsupported}` };
      const context = celContext(bindingsOf(request, pod, null), list<NamedExpression>(policySpec['variables']));
      const matched = matchConditionsHold(list<NamedExpression>(policySpec['matchConditions']), context);
      if (matched === false) return null;
      const messages: string[] = [];
      if (matched !== true) {
        if (failurePolicy === 'Fail') messages.push(matched.error);
      } else {
        for (const validation of list<CelValidation>(policySpec['validations'])) {
          const result = runValidation(validation, context);
          if (result.outcome === 'fail' || (result.outcome === 'error' && failurePolicy === 'Fail')) messages.push(result.message);
        }
      }
      // Kyverno's default, like the API server's for bindings, is Deny.
      const action: Finding['action'] = actions.length === 0 || actions.includes('Deny') ? 'deny' : actions.includes('Warn') ? 'warn' : 'audit';
      return messages.map((message) => ({ action, message }));
    },
  };
}

/**
 * Judge workloads by the Kyverno policies in `inputs.others`; `null` when there are none.
 */
export function evaluateKyvernoExisting(inputs: Pick<InputSet, 'namespaces' | 'others'>): KyvernoExistingEvaluator | null {
  const objects = inputs.others.filter((o) => o.apiVersion.startsWith('kyverno.io/') || o.apiVersion.startsWith('policies.kyverno.io/')).map((o) => {
    const raw = o.raw as unknown as KubernetesObject;
    return o.namespace === undefined || raw.metadata.namespace !== undefined ? raw : { ...raw, metadata: { ...raw.metadata, namespace: o.namespace } };
  });
  if (objects.length === 0) return null;
  const notes: string[] = [];
  const checks: Check[] = [];
  const mutating: KubernetesObject[] = [];
  for (const object of objects) {
    const cel = object.apiVersion.startsWith('policies.kyverno.io/');
    if (!cel && (object.kind === 'ClusterPolicy' || object.kind === 'Policy')) checks.push(...clusterPolicyChecks(object, notes));
    else if (cel && (object.kind === 'ValidatingPolicy' || object.kind === 'NamespacedValidatingPolicy')) checks.push(validatingPolicyCheck(object, notes));
    else if (cel && object.kind === 'MutatingPolicy') mutating.push(object);
    else if (object.kind !== 'PolicyException') notes.push(`${object.kind}/${object.metadata.name}: not evaluated: ${object.kind} is not run in-process`);
  }
  for (const policy of mutating) {
    const expressions = list<{ patchType?: string }>(spec(policy)['mutations']);
    if (expressions.some((m) => (m.patchType ?? 'ApplyConfiguration') !== 'ApplyConfiguration')) notes.push(`MutatingPolicy/${policy.metadata.name}: not evaluated: JSONPatch mutations are not run in-process`);
  }
  const celExceptions = objects.filter((o) => o.kind === 'PolicyException' && o.apiVersion.startsWith('policies.kyverno.io/'));
  const ruleExceptions = objects.filter((o) => o.kind === 'PolicyException' && o.apiVersion.startsWith('kyverno.io/'));
  for (const exception of ruleExceptions) {
    if (spec(exception)['conditions'] !== undefined) notes.push(`PolicyException/${exception.metadata.name}: its JMESPath conditions are not run in-process: it is applied by its match alone`);
  }
  const namespaces = new Map(inputs.namespaces.map((n) => [n.name, n.raw as { metadata: { name: string; labels?: Record<string, string> } }]));

  const evaluate: WorkloadEvaluator = (context) => {
    const request = workloadRequest(context, namespaces);
    const namespaceLabels = (bindingsOf(request, request.object, null)['namespaceObject'] as { metadata: { labels: Record<string, string> } }).metadata.labels;
    const exemptPolicies = new Set<string>();
    for (const exception of celExceptions) {
      const held = matchConditionsHold(list<NamedExpression>(spec(exception)['matchConditions']), celContext(bindingsOf(request, request.object, null)));
      if (held === true) for (const ref of list<{ name?: string }>(spec(exception)['policyRefs'])) exemptPolicies.add(ref.name ?? '');
    }
    const exemptRules = new Set<string>();
    for (const exception of ruleExceptions) {
      const exceptionSpec = spec(exception);
      if (blockSelects(exceptionSpec['match'] as Json | undefined, request, namespaceLabels, true) !== true) continue;
      if (blockSelects(exceptionSpec['exclude'] as Json | undefined, request, namespaceLabels, false) === true) continue;
      for (const entry of list<{ policyName?: string; ruleNames?: string[] }>(exceptionSpec['exceptions'])) {
        // `policyName` is `namespace/name` for a namespaced Policy.
        const policy = (entry.policyName ?? '').split('/').pop() as string;
        for (const rule of entry.ruleNames ?? []) exemptRules.add(`${policy}\u0000${rule}`);
      }
    }
    let pod: Pod = request.object;
    const kyvernoRequest = { namespace: request.namespace, operation: request.operation, userInfo: request.userInfo };
    for (const policy of mutating) {
      if (exemptPolicies.has(policy.metadata.name)) continue;
      if (!resourcesMatch(spec(policy)['matchConstraints'] as MatchResources | undefined, { ...request, object: pod }, true)) continue;
      pod = runMutatingPolicy({ spec: spec(policy) }, pod, kyvernoRequest) as Pod;
    }
    const reasons: string[] = [];
    const warnings: string[] = [];
    for (const check of checks) {
      if (exemptPolicies.has(check.policy) || (check.rule !== undefined && exemptRules.has(`${check.policy}\u0000${check.rule}`))) continue;
      const result = check.run(request, pod);
      if (result === null) continue;
      if (!Array.isArray(result)) {
        warnings.push(result.notEvaluated);
        continue;
      }
      for (const finding of result) {
        if (finding.action === 'deny') reasons.push(`${finding.message} (${check.label})`);
        else warnings.push(`${finding.action}: ${finding.message} (${check.label})`);
      }
    }
    return { admitted: reasons.length === 0, reasons, ...(warnings.length > 0 ? { warnings: [...new Set(warnings)] } : {}) };
  };
  return Object.assign(evaluate, { notes: [...new Set(notes)] });
}
