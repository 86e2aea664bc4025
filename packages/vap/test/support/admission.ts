/**
 * An in-process stand-in for the API server's admission chain, as far as our objects need it:
 * MutatingAdmissionPolicies (then) ValidatingAdmissionPolicies, each with its binding's namespace
 * selector, its resource rules, its matchConditions, variables and validations, all CEL executed by
 * @bufbuild/cel through core's runner.
 *
 * Mutations: @bufbuild/cel has no Kubernetes apply-configuration types (`Object.spec{...}`), so each
 * MutatingAdmissionPolicy's mutations are re-printed from the PSP it names
 * (`psp-translate.io/defaults-of`) with plain maps, after checking that the typed print of the same
 * mutations is exactly what was emitted. The maps are then merged into the pod the way server-side
 * apply merges: maps field by field, the container lists by `name`, every other list replaced.
 */
import { compileCel, toCelValue, type Pod, type PolicyIR } from '@psp-translate/core';
import { defaultsPlan, mutationExpression, type ApplyPrinter, type KubernetesObject } from '../../src/index.js';

/** Apply configurations as plain CEL maps, for evaluation in-process. */
export const MAP_APPLY_PRINTER: ApplyPrinter = {
  object: (_type, fields) => `{${fields.map(([key, value]) => `${JSON.stringify(key)}: ${value}`).join(', ')}}`,
};

/** What the request looks like to admission. */
export interface AdmissionRequest {
  operation: 'CREATE' | 'UPDATE';
  /** `ephemeralcontainers` for `kubectl debug`; undefined for the pod itself. */
  subResource?: 'ephemeralcontainers';
  namespace: string;
  userInfo: { username: string; groups: string[] };
  object: Pod;
  oldObject?: Pod;
}

/** What admission decided. */
export interface AdmissionOutcome {
  /** No validation of a matching policy failed (whatever the binding's actions). */
  allowed: boolean;
  /** The pod after the mutating policies. */
  pod: Pod;
  /** Names of the ValidatingAdmissionPolicies that matched. */
  validatedBy: string[];
  /** Names of the MutatingAdmissionPolicies that matched. */
  mutatedBy: string[];
  /** Failure messages (messageExpression results). */
  messages: string[];
}

type Spec = Record<string, unknown>;
type Rule = { operations: string[]; resources: string[] };

function bindingFor(objects: readonly KubernetesObject[], kind: string, policy: string): KubernetesObject {
  const binding = objects.find((o) => o.kind === kind && (o.spec as Spec).policyName === policy);
  if (binding === undefined) throw new Error(`no ${kind} for ${policy}`);
  return binding;
}

function namespaceMatches(binding: KubernetesObject, namespace: string): boolean {
  const selector = ((binding.spec as Spec).matchResources as Spec | undefined)?.namespaceSelector as { matchExpressions: { key: string; operator: string; values: string[] }[] } | undefined;
  if (selector === undefined) return true;
  return selector.matchExpressions.every((e) => {
    if (e.key !== 'kubernetes.io/metadata.name') throw new Error(`unexpected selector key ${e.key}`);
    return e.operator === 'In' ? e.values.includes(namespace) : e.operator === 'NotIn' ? !e.values.includes(namespace) : false;
  });
}

function rulesMatch(spec: Spec, request: AdmissionRequest): boolean {
  const rules = (spec.matchConstraints as { resourceRules: Rule[] }).resourceRules;
  const resource = request.subResource === undefined ? 'pods' : `pods/${request.subResource}`;
  return rules.some((r) => r.operations.includes(request.operation) && r.resources.includes(resource));
}

function bindingsOf(request: AdmissionRequest, object: unknown): Record<string, unknown> {
  return {
    object,
    oldObject: request.oldObject === undefined ? null : toCelValue(request.oldObject),
    request: {
      operation: request.operation,
      ...(request.subResource === undefined ? {} : { subResource: request.subResource }),
      namespace: request.namespace,
      userInfo: request.userInfo,
    },
  };
}

function conditionsHold(spec: Spec, bindings: Record<string, unknown>): boolean {
  const conditions = (spec.matchConditions as { expression: string }[] | undefined) ?? [];
  return conditions.every((c) => {
    const result = compileCel(c.expression)(bindings);
    if (typeof result !== 'boolean') throw new Error(`matchCondition ${c.expression.slice(0, 80)} gave ${String(result)}`);
    return result;
  });
}

const LIST_MAP_PATHS = new Set(['spec.containers', 'spec.initContainers', 'spec.ephemeralContainers']);

/** Server-side-apply merge of `config` into `target` (copies; `target` is not changed). */
export function mergeApplyConfiguration(target: unknown, config: unknown, path = ''): unknown {
  if (Array.isArray(config)) {
    if (!LIST_MAP_PATHS.has(path)) return config;
    const items = Array.isArray(target) ? [...(target as Record<string, unknown>[])] : [];
    for (const item of config as Record<string, unknown>[]) {
      const at = items.findIndex((existing) => existing.name === item.name);
      if (at < 0) items.push(item);
      else items[at] = mergeApplyConfiguration(items[at], item, `${path}[]`) as Record<string, unknown>;
    }
    return items;
  }
  if (config !== null && typeof config === 'object') {
    const base = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
    for (const [key, value] of Object.entries(config)) base[key] = mergeApplyConfiguration(base[key], value, path === '' ? key : `${path}.${key}`);
    return base;
  }
  return config;
}

const mapMutationsMemo = new WeakMap<KubernetesObject, string[]>();

/** The mutations of an emitted MutatingAdmissionPolicy, re-printed as plain maps (checked against the emitted text). */
function mapMutations(policy: KubernetesObject, policies: ReadonlyMap<string, PolicyIR>): string[] {
  const memo = mapMutationsMemo.get(policy);
  if (memo !== undefined) return memo;
  const name = policy.metadata.annotations?.['psp-translate.io/defaults-of'];
  const psp = name === undefined ? undefined : policies.get(name);
  if (psp === undefined) throw new Error(`${policy.metadata.name} names no known PSP in psp-translate.io/defaults-of`);
  const mutations = defaultsPlan(psp).mutations.filter((m) => m.apply !== undefined);
  const emitted = ((policy.spec as Spec).mutations as { applyConfiguration: { expression: string } }[]).map((m) => m.applyConfiguration.expression);
  const typed = mutations.map((m) => mutationExpression(m));
  if (JSON.stringify(typed) !== JSON.stringify(emitted)) throw new Error(`${policy.metadata.name}: emitted mutations differ from the PSP's defaults plan`);
  const printed = mutations.map((m) => mutationExpression(m, MAP_APPLY_PRINTER) as string);
  mapMutationsMemo.set(policy, printed);
  return printed;
}

/** Run `request` through the emitted objects. */
export function admitThrough(
  objects: readonly KubernetesObject[],
  policies: ReadonlyMap<string, PolicyIR>,
  request: AdmissionRequest,
  options: { /** Evaluate messageExpressions of failed validations (default true). */ messages?: boolean } = {},
): AdmissionOutcome {
  let pod = request.object;
  const mutatedBy: string[] = [];
  for (const policy of objects.filter((o) => o.kind === 'MutatingAdmissionPolicy')) {
    const spec = policy.spec as Spec;
    if (!rulesMatch(spec, request) || !namespaceMatches(bindingFor(objects, 'MutatingAdmissionPolicyBinding', policy.metadata.name), request.namespace)) continue;
    let celPod = toCelValue(pod);
    if (!conditionsHold(spec, bindingsOf(request, celPod))) continue;
    mutatedBy.push(policy.metadata.name);
    // Each mutation sees the pod as the ones before it left it.
    for (const expression of mapMutations(policy, policies)) {
      const config = compileCel(expression)(bindingsOf(request, celPod));
      if (config !== null && typeof config === 'object' && Object.keys(config).length === 0) continue;
      pod = mergeApplyConfiguration(pod, config) as Pod;
      celPod = toCelValue(pod);
    }
  }
  const object = toCelValue(pod);
  const validatedBy: string[] = [];
  const messages: string[] = [];
  let allowed = true;
  for (const policy of objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy')) {
    const spec = policy.spec as Spec;
    if (!rulesMatch(spec, request) || !namespaceMatches(bindingFor(objects, 'ValidatingAdmissionPolicyBinding', policy.metadata.name), request.namespace)) continue;
    const base = bindingsOf(request, object);
    if (!conditionsHold(spec, base)) continue;
    validatedBy.push(policy.metadata.name);
    // Variables are evaluated lazily, once, as the API server does: only those an expression reads.
    const declared = new Map(((spec.variables as { name: string; expression: string }[] | undefined) ?? []).map((v) => [v.name, v.expression]));
    const variables: Record<string, unknown> = {};
    const evaluate = (expression: string): unknown => {
      for (const [, name] of expression.matchAll(/\bvariables\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
        if (name === undefined || name in variables) continue;
        const definition = declared.get(name);
        if (definition === undefined) throw new Error(`${policy.metadata.name} reads undeclared variable ${name}`);
        variables[name] = evaluate(definition);
      }
      return compileCel(expression)({ ...base, variables });
    };
    for (const validation of spec.validations as { expression: string; messageExpression?: string; message: string }[]) {
      const ok = evaluate(validation.expression);
      if (ok === true) continue;
      if (ok !== false) throw new Error(`validation gave ${String(ok)}`);
      allowed = false;
      if (options.messages !== false) messages.push(validation.messageExpression === undefined ? validation.message : String(evaluate(validation.messageExpression)));
    }
  }
  return { allowed, pod, validatedBy, mutatedBy, messages };
}
