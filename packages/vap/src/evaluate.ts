/**
 * ValidatingAdmissionPolicy (and MutatingAdmissionPolicy) admission, run in-process: the API
 * server's part for pod requests, as far as a dry run can play it. Used by `check --target vap` on
 * our own translation and by `evaluate` on the policies a cluster already has.
 *
 * Per policy and binding: `matchConstraints` (resourceRules with subresources, operations,
 * namespaceSelector, objectSelector, excludeResourceRules), then the binding's `matchResources`,
 * `matchConditions`, `variables` (lazy), `validations` (message, messageExpression, reason),
 * `failurePolicy` on errors, and `validationActions` (Deny rejects; Warn and Audit admit with
 * warnings). A policy whose matchConditions read `variables` (or anything else the API server's
 * match-condition compiler does not declare) is refused by the API server, so it is reported as
 * not evaluated. Params come from the objects given (`paramKind` + `paramRef`); policies whose params
 * are not among them, or that ask the `authorizer`, are reported as not evaluated, never guessed.
 * Mutating policies run first (ApplyConfiguration mutations; JSONPatch ones are not evaluated).
 */
import { labelsMatch, type InputSet, type KubernetesObject, type Pod, type TranslationResult, type WorkloadContext, type WorkloadEvaluator } from '@psp-translate/core';
import {
  celContext,
  errorLine,
  matchConditionsHold,
  mergeApplyConfiguration,
  runValidation,
  typedConstructorsToMaps,
  usesAuthorizer,
  type CelValidation,
  type EvaluationMemo,
  type NamedExpression,
} from './evaluate-cel.js';
import { matchConditionErrors } from './stateless.js';

/** A pod admission request, as the API server hands it to admission policies. */
export interface AdmissionRequest {
  operation: 'CREATE' | 'UPDATE';
  /** `ephemeralcontainers` for `kubectl debug`; undefined for the pod itself. */
  subResource?: string;
  namespace: string;
  /** The request's namespace object; default: a Namespace with only the `kubernetes.io/metadata.name` label. */
  namespaceObject?: { metadata: { name: string; labels?: Record<string, string> } };
  userInfo: { username: string; groups: string[]; uid?: string };
  object: Pod;
  /** The pod before the update (UPDATE only). */
  oldObject?: Pod;
}

/** A validation that failed (or errored under failurePolicy Fail), with the binding's actions. */
export interface AdmissionViolation {
  policy: string;
  binding: string;
  message: string;
  /** `reason` of the validation (default `Invalid`), or `InternalError` for an expression error. */
  reason: string;
  actions: readonly ('Deny' | 'Warn' | 'Audit')[];
}

/** What admission decided. */
export interface AdmissionOutcome {
  /** No binding with the `Deny` action saw a failed validation. */
  allowed: boolean;
  /** The pod after the mutating policies. */
  pod: Pod;
  /** ValidatingAdmissionPolicies that matched the request (each once, in input order). */
  validatedBy: string[];
  /** MutatingAdmissionPolicies that matched. */
  mutatedBy: string[];
  /** MutatingAdmissionPolicies whose mutations changed the pod (a matched one may apply only `Object{}`). */
  changedBy: string[];
  /** Every failed validation, whatever its actions. */
  violations: AdmissionViolation[];
  /** Messages of the failed validations, in order (kept for readers of the earlier test chain). */
  messages: string[];
  /** Policies that matched (or may have) but could not be judged here, one line each. */
  notEvaluated: string[];
}

/** Options of {@link vapAdmission}. */
export interface AdmissionOptions {
  /** Objects a binding's `paramRef` may name (ConfigMaps, custom resources). */
  params?: readonly KubernetesObject[];
  /** Evaluate the messageExpressions of failed validations (default true; off saves time in bulk tests). */
  messages?: boolean;
}

type Json = Record<string, unknown>;
type LabelSelector = Parameters<typeof labelsMatch>[0];

interface ResourceRule {
  apiGroups?: string[];
  apiVersions?: string[];
  operations?: string[];
  resources?: string[];
  resourceNames?: string[];
  scope?: string;
}

/** `matchConstraints` / `matchResources` of an admission policy or binding. */
export interface MatchResources {
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  resourceRules?: ResourceRule[];
  excludeResourceRules?: ResourceRule[];
}

interface Binding {
  name: string;
  matchResources?: MatchResources;
  validationActions: ('Deny' | 'Warn' | 'Audit')[];
  paramRef?: { name?: string; namespace?: string; selector?: LabelSelector; parameterNotFoundAction?: string };
}

interface PreparedPolicy {
  kind: 'ValidatingAdmissionPolicy' | 'MutatingAdmissionPolicy';
  name: string;
  failurePolicy: 'Fail' | 'Ignore';
  matchConstraints: MatchResources;
  matchConditions: NamedExpression[];
  variables: NamedExpression[];
  validations: CelValidation[];
  mutations: { patchType: string; expression: string }[];
  paramKind?: { apiVersion?: string; kind?: string };
  bindings: Binding[];
  /** Why this policy cannot be judged here (then it is only matched, and reported). */
  unsupported?: string;
}

const API_GROUP = 'admissionregistration.k8s.io/';
const NAME_LABEL = 'kubernetes.io/metadata.name';

function isAdmissionKind(object: KubernetesObject, kind: string): boolean {
  return object.kind === kind && object.apiVersion.startsWith(API_GROUP);
}

function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

// A rule's resource matches `pods` or `pods/<subresource>` as the API server reads a wildcard:
// `*` is every resource but no subresource; `pods/*` or `*/*` every subresource; `*/x` subresource x of any resource.
function resourceMatches(resources: readonly string[], subResource: string | undefined): boolean {
  return resources.some((entry) => {
    const [resource, sub] = entry.split('/', 2) as [string, string | undefined];
    if (resource !== '*' && resource !== 'pods') return false;
    if (subResource === undefined) return sub === undefined;
    return sub === '*' || sub === subResource;
  });
}

function ruleMatches(rule: ResourceRule, request: AdmissionRequest): boolean {
  const groups = rule.apiGroups ?? [];
  const versions = rule.apiVersions ?? [];
  const operations = rule.operations ?? [];
  const names = rule.resourceNames ?? [];
  return (
    (groups.includes('*') || groups.includes('')) &&
    (versions.includes('*') || versions.includes('v1')) &&
    (operations.includes('*') || operations.includes(request.operation)) &&
    (rule.scope === undefined || rule.scope === '*' || rule.scope === 'Namespaced') &&
    (names.length === 0 || names.includes(request.object.metadata.name ?? '')) &&
    resourceMatches(rule.resources ?? [], request.subResource)
  );
}

function labelsOf(object: { metadata?: { labels?: Record<string, string> } } | undefined): Record<string, string> {
  return { ...(object?.metadata?.labels ?? {}) };
}

function namespaceObjectOf(request: AdmissionRequest): { metadata: { name: string; labels: Record<string, string> } } {
  const given = request.namespaceObject;
  // The API server labels every namespace with its name.
  return { metadata: { ...given?.metadata, name: request.namespace, labels: { ...labelsOf(given), [NAME_LABEL]: request.namespace } } };
}

/**
 * Whether a request is selected by `matchConstraints` (`rulesRequired`: no rules select nothing) or
 * by a binding's `matchResources` (no rules = every resource the policy matches): resource rules,
 * excludeResourceRules, namespaceSelector and objectSelector. Kyverno's CEL policies use the same.
 */
export function resourcesMatch(match: MatchResources | undefined, request: AdmissionRequest, rulesRequired: boolean): boolean {
  if (match === undefined) return !rulesRequired;
  const rules = match.resourceRules;
  if (rules !== undefined && rules.length > 0 ? !rules.some((rule) => ruleMatches(rule, request)) : rulesRequired) return false;
  if ((match.excludeResourceRules ?? []).some((rule) => ruleMatches(rule, request))) return false;
  if (match.namespaceSelector !== undefined && !labelsMatch(match.namespaceSelector, namespaceObjectOf(request).metadata.labels)) return false;
  if (match.objectSelector !== undefined) {
    // On UPDATE, either the new or the old object may match.
    const candidates = [request.object, ...(request.oldObject === undefined ? [] : [request.oldObject])];
    if (!candidates.some((object) => labelsMatch(match.objectSelector as LabelSelector, labelsOf(object as never)))) return false;
  }
  return true;
}

function policyExpressions(policy: PreparedPolicy): string[] {
  return [
    ...policy.matchConditions.map((c) => c.expression),
    ...policy.variables.map((v) => v.expression),
    ...policy.validations.flatMap((v) => [v.expression, ...(v.messageExpression === undefined ? [] : [v.messageExpression])]),
    ...policy.mutations.map((m) => m.expression),
  ];
}

function prepare(objects: readonly KubernetesObject[]): { policies: PreparedPolicy[]; notes: string[] } {
  const notes: string[] = [];
  const policies: PreparedPolicy[] = [];
  for (const kind of ['MutatingAdmissionPolicy', 'ValidatingAdmissionPolicy'] as const) {
    const bindingKind = `${kind}Binding`;
    const bindings = objects.filter((o) => isAdmissionKind(o, bindingKind));
    for (const object of objects.filter((o) => isAdmissionKind(o, kind))) {
      const spec = (object['spec'] ?? {}) as Json;
      const policy: PreparedPolicy = {
        kind,
        name: object.metadata.name,
        failurePolicy: spec['failurePolicy'] === 'Ignore' ? 'Ignore' : 'Fail',
        matchConstraints: (spec['matchConstraints'] ?? {}) as MatchResources,
        matchConditions: list<NamedExpression>(spec['matchConditions']),
        variables: list<NamedExpression>(spec['variables']),
        validations: list<CelValidation>(spec['validations']),
        mutations: list<{ patchType?: string; applyConfiguration?: { expression?: string }; jsonPatch?: { expression?: string } }>(spec['mutations']).map((m) => ({
          patchType: m.patchType ?? (m.jsonPatch === undefined ? 'ApplyConfiguration' : 'JSONPatch'),
          expression: m.applyConfiguration?.expression ?? m.jsonPatch?.expression ?? '',
        })),
        ...(spec['paramKind'] === undefined ? {} : { paramKind: spec['paramKind'] as PreparedPolicy['paramKind'] }),
        bindings: bindings
          .filter((b) => ((b['spec'] ?? {}) as Json)['policyName'] === object.metadata.name)
          .map((b) => {
            const bindingSpec = (b['spec'] ?? {}) as Json;
            const actions = list<'Deny' | 'Warn' | 'Audit'>(bindingSpec['validationActions']);
            return {
              name: b.metadata.name,
              ...(bindingSpec['matchResources'] === undefined ? {} : { matchResources: bindingSpec['matchResources'] as MatchResources }),
              // A mutating binding has no actions; a validating one without any is invalid and would not be accepted: read it as Deny.
              validationActions: actions.length > 0 ? actions : ['Deny'],
              ...(bindingSpec['paramRef'] === undefined ? {} : { paramRef: bindingSpec['paramRef'] as Binding['paramRef'] & object }),
            };
          }),
      };
      const label = `${kind}/${policy.name}`;
      if (policy.bindings.length === 0) {
        notes.push(`${label}: no ${bindingKind} in the inputs binds it, so it applies to nothing`);
        continue;
      }
      const refused = matchConditionErrors(policy.matchConditions);
      if (refused.length > 0) {
        policy.unsupported = `${label}: not evaluated: the API server refuses this policy: ${refused.join('; ')}`;
      } else if (policyExpressions(policy).some(usesAuthorizer)) {
        policy.unsupported = `${label}: not evaluated: its CEL asks the authorizer, which needs the API server's authorization (RBAC) checks`;
      } else if (policy.mutations.some((m) => m.patchType !== 'ApplyConfiguration')) {
        policy.unsupported = `${label}: not evaluated: JSONPatch mutations are not run in-process (ApplyConfiguration ones are)`;
      }
      if (policy.unsupported !== undefined) notes.push(policy.unsupported);
      policies.push(policy);
    }
    const named = new Set(objects.filter((o) => isAdmissionKind(o, kind)).map((o) => o.metadata.name));
    for (const binding of bindings) {
      const policyName = String(((binding['spec'] ?? {}) as Json)['policyName'] ?? '');
      if (!named.has(policyName)) notes.push(`${bindingKind}/${binding.metadata.name}: binds ${kind} ${JSON.stringify(policyName)}, which is not in the inputs`);
    }
  }
  return { policies, notes };
}

function isEmptyConfiguration(configuration: unknown): boolean {
  if (configuration instanceof Map) return configuration.size === 0;
  return configuration !== null && typeof configuration === 'object' && !Array.isArray(configuration) && Object.keys(configuration).length === 0;
}

/** The params objects a binding names, `null` when the inputs hold none of the policy's paramKind. */
function paramsFor(policy: PreparedPolicy, binding: Binding, request: AdmissionRequest, available: readonly KubernetesObject[]): KubernetesObject[] | null {
  const kind = policy.paramKind;
  if (kind === undefined) return [];
  const ofKind = available.filter((o) => o.kind === kind.kind && (kind.apiVersion === undefined || o.apiVersion === kind.apiVersion));
  if (ofKind.length === 0) return null;
  const ref = binding.paramRef ?? {};
  return ofKind.filter((o) => {
    if (ref.name !== undefined && o.metadata.name !== ref.name) return false;
    // Namespaced params without a namespace in the ref come from the request's namespace.
    const namespace = ref.namespace ?? (o.metadata.namespace === undefined ? undefined : request.namespace);
    if (namespace !== undefined && (o.metadata.namespace ?? '') !== namespace) return false;
    return ref.selector === undefined || labelsMatch(ref.selector, { ...(o.metadata.labels ?? {}) });
  });
}

/** The CEL bindings of a request as the API server provides them: object, oldObject, params, namespaceObject, request. */
export function bindingsOf(request: AdmissionRequest, object: Pod, params: unknown): Record<string, unknown> {
  return {
    object,
    oldObject: request.oldObject ?? null,
    params: params ?? null,
    namespaceObject: namespaceObjectOf(request),
    request: {
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      ...(request.subResource === undefined ? {} : { subResource: request.subResource }),
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      name: object.metadata.name ?? '',
      namespace: request.namespace,
      operation: request.operation,
      userInfo: { username: request.userInfo.username, groups: request.userInfo.groups, ...(request.userInfo.uid === undefined ? {} : { uid: request.userInfo.uid }) },
      dryRun: false,
    },
  };
}

/**
 * Prepare the admission policies among `objects` once; the returned function runs one request
 * through them: mutating policies (in input order), then every validating policy and binding.
 */
export function vapAdmission(objects: readonly KubernetesObject[], options: AdmissionOptions = {}): { admit: (request: AdmissionRequest) => AdmissionOutcome; notes: readonly string[] } {
  const { policies, notes } = prepare(objects);
  const available = options.params ?? [];
  const admit = (request: AdmissionRequest): AdmissionOutcome => {
    let pod = request.object;
    const mutatedBy: string[] = [];
    const changedBy: string[] = [];
    const validatedBy: string[] = [];
    const violations: AdmissionViolation[] = [];
    const notEvaluated: string[] = [];
    const fail = (policy: PreparedPolicy, binding: Binding, message: string, reason: string) =>
      violations.push({ policy: policy.name, binding: binding.name, message, reason, actions: policy.kind === 'MutatingAdmissionPolicy' ? ['Deny'] : binding.validationActions });
    // Within this request the bindings differ only in the pod (as mutated so far) and the params.
    const values = new WeakMap<object, unknown>();
    const memos = new Map<Pod, Map<unknown, EvaluationMemo>>();
    const memoFor = (params: unknown): EvaluationMemo => {
      let byParams = memos.get(pod);
      if (byParams === undefined) memos.set(pod, (byParams = new Map()));
      let memo = byParams.get(params);
      if (memo === undefined) byParams.set(params, (memo = { values, results: new Map() }));
      return memo;
    };

    for (const policy of policies) {
      if (!resourcesMatch(policy.matchConstraints, request, true)) continue;
      for (const binding of policy.bindings) {
        if (!resourcesMatch(binding.matchResources, request, false)) continue;
        if (policy.unsupported !== undefined) {
          notEvaluated.push(policy.unsupported);
          continue;
        }
        const paramObjects = paramsFor(policy, binding, request, available);
        if (paramObjects === null) {
          notEvaluated.push(`${policy.kind}/${policy.name} (binding ${binding.name}): not evaluated: params not available (no ${policy.paramKind?.kind ?? 'params'} in the inputs)`);
          continue;
        }
        if (paramObjects.length === 0 && policy.paramKind !== undefined) {
          if ((binding.paramRef?.parameterNotFoundAction ?? 'Deny') === 'Deny') fail(policy, binding, `no params found for binding ${binding.name}`, 'InternalError');
          continue;
        }
        for (const params of policy.paramKind === undefined ? [undefined] : paramObjects) {
          const evaluate = celContext(bindingsOf(request, pod, params), policy.variables, {}, memoFor(params));
          const matched = matchConditionsHold(policy.matchConditions, evaluate);
          if (matched === false) continue;
          if (matched !== true) {
            if (policy.failurePolicy === 'Fail') fail(policy, binding, matched.error, 'InternalError');
            continue;
          }
          if (policy.kind === 'MutatingAdmissionPolicy') {
            if (!mutatedBy.includes(policy.name)) mutatedBy.push(policy.name);
            // Each mutation sees the pod as the ones before it left it, with variables evaluated
            // afresh; while the pod is unchanged their values are too, so the context is kept.
            let context = { pod, evaluate };
            for (const mutation of policy.mutations) {
              try {
                if (context.pod !== pod) context = { pod, evaluate: celContext(bindingsOf(request, pod, params), policy.variables, {}, memoFor(params)) };
                const configuration = context.evaluate(typedConstructorsToMaps(mutation.expression));
                const merged = mergeApplyConfiguration(pod, configuration) as Pod;
                // An empty configuration (`Object{}`) is a no-op: keep the pod (and its memos).
                if (!isEmptyConfiguration(configuration) && JSON.stringify(merged) !== JSON.stringify(pod)) {
                  pod = merged;
                  if (!changedBy.includes(policy.name)) changedBy.push(policy.name);
                }
              } catch (cause) {
                if (policy.failurePolicy === 'Fail') fail(policy, binding, `mutation error: ${errorLine(cause)}`, 'InternalError');
              }
            }
            continue;
          }
          if (!validatedBy.includes(policy.name)) validatedBy.push(policy.name);
          for (const validation of policy.validations) {
            const result = runValidation(validation, evaluate, { messages: options.messages !== false });
            if (result.outcome === 'pass') continue;
            if (result.outcome === 'error') {
              if (policy.failurePolicy === 'Fail') fail(policy, binding, result.message, 'InternalError');
              else notEvaluated.push(`${policy.kind}/${policy.name}: ignored (failurePolicy Ignore): ${result.message}`);
              continue;
            }
            fail(policy, binding, result.message, result.reason ?? 'Invalid');
          }
        }
      }
    }
    return {
      allowed: !violations.some((v) => v.actions.includes('Deny')),
      pod,
      validatedBy,
      mutatedBy,
      changedBy,
      violations,
      messages: violations.map((v) => v.message),
      notEvaluated: [...new Set(notEvaluated)],
    };
  };
  return { admit, notes };
}

/** A workload evaluator that also says, once, what it could not evaluate (for the CLI's notes). */
export type ExistingPolicyEvaluator = WorkloadEvaluator & { notes: readonly string[] };

function namespaceObjects(inputs: Pick<InputSet, 'namespaces'>): Map<string, { metadata: { name: string; labels?: Record<string, string> } }> {
  return new Map(inputs.namespaces.map((n) => [n.name, n.raw as { metadata: { name: string; labels?: Record<string, string> } }]));
}

/** A workload's pod as a CREATE request by its controller (or, for a bare pod, an authenticated user). */
export function workloadRequest(context: WorkloadContext, namespaces: ReadonlyMap<string, { metadata: { name: string; labels?: Record<string, string> } }>): AdmissionRequest {
  const namespace = context.workload.namespace;
  const namespaceObject = namespaces.get(namespace);
  return {
    operation: 'CREATE',
    namespace,
    ...(namespaceObject === undefined ? {} : { namespaceObject }),
    userInfo: context.requester === undefined ? { username: '', groups: ['system:authenticated'] } : { username: context.requester.user, groups: [...context.requester.groups] },
    object: { ...context.pod, metadata: { ...context.pod.metadata, namespace } },
  };
}

function policyLabel(violation: AdmissionViolation): string {
  return `ValidatingAdmissionPolicy ${violation.policy}, binding ${violation.binding}`;
}

/** Judge workloads by the admission policies among `objects`: Deny failures reject, Warn and Audit ones become warnings. */
export function vapEvaluator(objects: readonly KubernetesObject[], inputs: Pick<InputSet, 'namespaces'>, options: AdmissionOptions = {}): ExistingPolicyEvaluator {
  const { admit, notes } = vapAdmission(objects, options);
  const namespaces = namespaceObjects(inputs);
  const evaluate: WorkloadEvaluator = (context) => {
    const outcome = admit(workloadRequest(context, namespaces));
    const reasons = outcome.violations.filter((v) => v.actions.includes('Deny')).map((v) => `${v.message} (${policyLabel(v)})`);
    const warnings = [
      ...outcome.violations.filter((v) => v.actions.includes('Warn') && !v.actions.includes('Deny')).map((v) => `warn: ${v.message} (${policyLabel(v)})`),
      ...outcome.violations.filter((v) => v.actions.includes('Audit') && !v.actions.includes('Deny') && !v.actions.includes('Warn')).map((v) => `audit: ${v.message} (${policyLabel(v)})`),
      ...outcome.notEvaluated,
    ];
    return { admitted: outcome.allowed, reasons, ...(warnings.length > 0 ? { warnings } : {}) };
  };
  return Object.assign(evaluate, { notes });
}

/** `check --target vap`: judge workloads by the objects our translation returned. */
export function evaluateVapTranslation(translation: Pick<TranslationResult, 'objects'>, inputs: Pick<InputSet, 'namespaces'>): ExistingPolicyEvaluator {
  return vapEvaluator(translation.objects, inputs);
}

/** `evaluate`: judge workloads by the ValidatingAdmissionPolicies (and MutatingAdmissionPolicies) in the inputs; `null` when there are none. */
export function evaluateVapExisting(inputs: Pick<InputSet, 'namespaces' | 'others'>): ExistingPolicyEvaluator | null {
  const objects = inputs.others.filter((o) => o.apiVersion.startsWith(API_GROUP)).map((o) => o.raw as unknown as KubernetesObject);
  if (objects.length === 0) return null;
  const params = inputs.others.filter((o) => !o.apiVersion.startsWith(API_GROUP)).map((o) => withNamespace(o.raw as unknown as KubernetesObject, o.namespace));
  return vapEvaluator(objects, inputs, { params });
}

function withNamespace(object: KubernetesObject, namespace: string | undefined): KubernetesObject {
  return namespace === undefined || object.metadata?.namespace !== undefined ? object : { ...object, metadata: { ...object.metadata, namespace } };
}
