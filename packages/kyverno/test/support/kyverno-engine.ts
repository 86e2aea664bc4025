/**
 * A small interpreter of the Kyverno rules WE emit, written from Kyverno's documented semantics
 * and its engine source (pkg/engine/handlers/mutation/common.go: foreach entries run in order, each
 * re-reading the patched resource; nil list elements are skipped), so tests can EXECUTE the output:
 * - mutate: `patchStrategicMerge` with `+(field)` add-if-absent anchors and container lists merged by
 *   `name`; `patchesJson6902` (YAML text with variables); `foreach` with `list`, `preconditions`,
 *   `element`/`elementIndex`; rule `preconditions`; `match` on kinds and operations;
 * - validate: `cel` (celPreconditions, variables, expressions) with core's CEL runner; `deny` and
 *   `foreach`+`deny` with JMESPath conditions;
 * - PolicyExceptions (kyverno.io/v2 and policies.kyverno.io/v1) matching by namespace and conditions;
 * - ValidatingPolicy and MutatingPolicy (see ./apply-configuration.ts).
 * Anything else we do not emit throws, so a new construct cannot pass untested.
 */
import { applyJsonPatch, evaluateCel, toCelValue, type Pod } from '@psp-translate/core';
import yaml from 'yaml';
import type { KubernetesObject } from '../../src/index.js';
import { runMutatingPolicy } from '../../src/apply-configuration.js';
import { conditionsHold, substitute, substituteDeep } from './jmespath.js';

export interface Request {
  namespace: string;
  operation: 'CREATE' | 'UPDATE';
  userInfo: { username: string };
}

const KEYED_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);
const ANCHOR = /^\+\((.+)\)$/;

function absent(value: unknown): boolean {
  return value === undefined || value === null;
}

/** Strategic merge with add-if-absent anchors. */
export function strategicMerge(target: unknown, patch: unknown, key = ''): unknown {
  if (Array.isArray(patch)) {
    if (!KEYED_LISTS.has(key) || !Array.isArray(target)) return structuredClone(patch);
    const out = target.map((item) => structuredClone(item) as Record<string, unknown>);
    for (const item of patch as Record<string, unknown>[]) {
      const index = out.findIndex((existing) => existing['name'] === item['name']);
      if (index < 0) throw new Error(`strategic merge: no ${key} element named ${String(item['name'])} (we only patch existing containers)`);
      out[index] = strategicMerge(out[index], item) as Record<string, unknown>;
    }
    return out;
  }
  if (patch !== null && typeof patch === 'object') {
    const base = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
    for (const [k, v] of Object.entries(patch)) {
      const anchored = ANCHOR.exec(k);
      if (anchored !== null) {
        if (absent(base[anchored[1]!])) base[anchored[1]!] = structuredClone(v);
      } else {
        base[k] = strategicMerge(base[k], v, k);
      }
    }
    return base;
  }
  return patch;
}

type Rule = Record<string, unknown> & { name: string };

function context(pod: unknown, request: Request): Record<string, unknown> {
  return { request: { ...request, object: pod } };
}

function matches(rule: Rule, request: Request): boolean {
  const any = (rule['match'] as { any: { resources: { kinds: string[]; operations?: string[] } }[] }).any;
  return any.some(({ resources }) => {
    const kindOk = resources.kinds.includes('Pod') || (request.operation === 'UPDATE' && resources.kinds.includes('Pod/ephemeralcontainers'));
    return kindOk && (resources.operations === undefined || resources.operations.includes(request.operation));
  });
}

function applyMutateRule(rule: Rule, pod: unknown, request: Request): unknown {
  if (!matches(rule, request)) return pod;
  if (!conditionsHold(rule['preconditions'] as never, context(pod, request))) return pod;
  const mutate = rule['mutate'] as { patchStrategicMerge?: unknown; foreach?: Record<string, unknown>[] };
  if (mutate.patchStrategicMerge !== undefined) return strategicMerge(pod, substituteDeep(mutate.patchStrategicMerge, context(pod, request)));
  let current = pod;
  for (const each of mutate.foreach ?? []) {
    const list = substitute(`{{ ${each['list'] as string} }}`, context(current, request));
    const elements = Array.isArray(list) ? list : [list];
    let patched = current;
    elements.forEach((element, elementIndex) => {
      if (element === null || element === undefined) return;
      const ctx = { ...context(current, request), element, elementIndex };
      if (!conditionsHold(each['preconditions'] as never, ctx)) return;
      if (each['patchStrategicMerge'] !== undefined) patched = strategicMerge(patched, substituteDeep(each['patchStrategicMerge'], ctx));
      else if (typeof each['patchesJson6902'] === 'string') {
        const text = each['patchesJson6902'].replace(/\{\{[^}]*\}\}/g, (v) => String(substitute(v, ctx)));
        patched = applyJsonPatch(patched as Pod, yaml.parse(text) as never);
      } else throw new Error('foreach entry without a patch');
    });
    current = patched;
  }
  return current;
}

/** The outcome of one validation rule or policy. */
export type Outcome = 'pass' | 'fail' | 'skip';

function celBindings(pod: unknown, request: Request) {
  return { object: pod, request };
}

function runCel(cel: { variables?: { name: string; expression: string }[]; expressions: { expression: string }[] }, pod: unknown, request: Request): boolean {
  const variables: Record<string, unknown> = {};
  // The pod bound as a CEL value once, not once per expression.
  const bindings = { object: toCelValue(pod), request: toCelValue(request) };
  for (const v of cel.variables ?? []) variables[v.name] = evaluateCel(v.expression, { ...bindings, variables });
  return cel.expressions.every((e) => evaluateCel(e.expression, { ...bindings, variables }) === true);
}

function validateRule(rule: Rule, pod: unknown, request: Request): Outcome {
  if (!matches(rule, request)) return 'skip';
  const validate = rule['validate'] as Record<string, unknown>;
  if (validate['cel'] !== undefined) {
    const pre = (rule['celPreconditions'] ?? []) as { expression: string }[];
    if (!pre.every((c) => evaluateCel(c.expression, celBindings(pod, request)) === true)) return 'skip';
    return runCel(validate['cel'] as never, pod, request) ? 'pass' : 'fail';
  }
  if (!conditionsHold(rule['preconditions'] as never, context(pod, request))) return 'skip';
  if (validate['deny'] !== undefined) {
    return conditionsHold((validate['deny'] as { conditions: never }).conditions, context(pod, request)) ? 'fail' : 'pass';
  }
  if (validate['foreach'] !== undefined) {
    for (const each of validate['foreach'] as Record<string, unknown>[]) {
      const list = substitute(`{{ ${each['list'] as string} }}`, context(pod, request));
      for (const element of Array.isArray(list) ? list : [list]) {
        if (element === null || element === undefined) continue;
        if (conditionsHold((each['deny'] as { conditions: never }).conditions, { ...context(pod, request), element })) return 'fail';
      }
    }
    return 'pass';
  }
  throw new Error(`rule ${rule.name}: validate form not interpreted here: ${Object.keys(validate).join(', ')}`);
}

/** Exceptions that exempt this pod, as `policy/rule` or `policy` keys. */
function exemptions(objects: readonly KubernetesObject[], pod: unknown, request: Request): Set<string> {
  const out = new Set<string>();
  for (const o of objects) {
    if (o.kind !== 'PolicyException') continue;
    const spec = o['spec'] as Record<string, unknown>;
    if (o.apiVersion === 'kyverno.io/v2') {
      const resources = (spec['match'] as { any: { resources: { namespaces?: string[] } }[] }).any;
      const inNamespace = resources.some((r) => r.resources.namespaces === undefined || r.resources.namespaces.includes(request.namespace));
      if (!inNamespace || !conditionsHold(spec['conditions'] as never, context(pod, request))) continue;
      for (const e of spec['exceptions'] as { policyName: string; ruleNames: string[] }[]) for (const r of e.ruleNames) out.add(`${e.policyName}/${r}`);
    } else {
      const conditions = (spec['matchConditions'] ?? []) as { expression: string }[];
      if (!conditions.every((c) => evaluateCel(c.expression, celBindings(pod, request)) === true)) continue;
      for (const ref of spec['policyRefs'] as { name: string }[]) out.add(ref.name);
    }
  }
  return out;
}

/** Admission through everything we emitted: mutations first, then validations. */
export function admitWithKyverno(objects: readonly KubernetesObject[], pod: Pod, request: Request): { admitted: boolean; pod: unknown; failures: string[] } {
  const exempt = exemptions(objects, pod, request);
  let current: unknown = pod;
  for (const o of objects) {
    if (o.kind === 'ClusterPolicy') {
      for (const rule of (o['spec'] as { rules: Rule[] }).rules) {
        if (rule['mutate'] === undefined || exempt.has(`${o.metadata.name}/${rule.name}`)) continue;
        current = applyMutateRule(rule, current, request);
      }
    } else if (o.kind === 'MutatingPolicy' && !exempt.has(o.metadata.name) && request.operation === 'CREATE') {
      current = runMutatingPolicy(o as never, current, { ...request });
    }
  }
  const failures: string[] = [];
  for (const o of objects) {
    if (o.kind === 'ClusterPolicy') {
      for (const rule of (o['spec'] as { rules: Rule[] }).rules) {
        if (rule['validate'] === undefined || exempt.has(`${o.metadata.name}/${rule.name}`)) continue;
        if (validateRule(rule, current, request) === 'fail') failures.push(`${o.metadata.name}/${rule.name}`);
      }
    } else if (o.kind === 'ValidatingPolicy' && !exempt.has(o.metadata.name)) {
      const spec = o['spec'] as { matchConditions?: { expression: string }[]; variables?: never; validations: never };
      if (!(spec.matchConditions ?? []).every((c) => evaluateCel(c.expression, celBindings(current, request)) === true)) continue;
      if (!runCel({ variables: spec.variables, expressions: spec.validations }, current, request)) failures.push(o.metadata.name);
    }
  }
  return { admitted: failures.length === 0, pod: current, failures };
}
