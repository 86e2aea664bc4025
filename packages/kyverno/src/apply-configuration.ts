/**
 * Executing MutatingPolicy `ApplyConfiguration` mutations: the CEL is run with core's runner after
 * rewriting Kubernetes' typed object constructors (`Object.spec{name: x}`) into map literals
 * (`{"name": x}`), which is all @bufbuild/cel lacks; the result is merged the way server-side apply
 * merges: maps deeply, the container lists by their `name` key, other lists (atomic) replaced.
 */
import { evaluateCel } from '@psp-translate/core';

const CONSTRUCTOR = /^Object(?:\.[A-Za-z_][A-Za-z0-9_]*)*\{/;

/** Rewrite typed constructors into map literals with quoted field names. */
export function constructorsToMaps(expression: string): string {
  let out = '';
  const stack: ('ctor' | 'other')[] = [];
  let expectField = false;
  for (let i = 0; i < expression.length; ) {
    const ch = expression[i]!;
    if (ch === '"' || ch === "'") {
      let j = i + 1;
      while (j < expression.length && expression[j] !== ch) j += expression[j] === '\\' ? 2 : 1;
      out += expression.slice(i, j + 1);
      i = j + 1;
      expectField = false;
      continue;
    }
    const ctor = CONSTRUCTOR.exec(expression.slice(i));
    if (ctor !== null && (i === 0 || !/[A-Za-z0-9_.]/.test(expression[i - 1]!))) {
      out += '{';
      stack.push('ctor');
      i += ctor[0].length;
      expectField = true;
      continue;
    }
    if (expectField) {
      const field = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/.exec(expression.slice(i));
      if (field !== null) {
        out += `"${field[1]}":`;
        i += field[0].length;
        expectField = false;
        continue;
      }
    }
    if (ch === '{' || ch === '(' || ch === '[') stack.push('other');
    if (ch === '}' || ch === ')' || ch === ']') stack.pop();
    expectField = ch === ',' && stack[stack.length - 1] === 'ctor';
    out += ch;
    i++;
  }
  return out;
}

const KEYED_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** Server-side-apply merge of an apply configuration into an object (returns a new object). */
export function applyMerge(target: unknown, patch: unknown, key = ''): unknown {
  if (Array.isArray(patch)) {
    if (!KEYED_LISTS.has(key) || !Array.isArray(target)) return structuredClone(patch);
    const out = target.map((item) => structuredClone(item) as Record<string, unknown>);
    for (const item of patch as Record<string, unknown>[]) {
      const index = out.findIndex((existing) => existing['name'] === item['name']);
      if (index < 0) out.push(structuredClone(item));
      else out[index] = applyMerge(out[index], item) as Record<string, unknown>;
    }
    return out;
  }
  if (patch !== null && typeof patch === 'object') {
    const base = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
    for (const [k, v] of Object.entries(patch)) base[k] = applyMerge(base[k], v, k);
    return base;
  }
  return patch;
}

/** Run one MutatingPolicy's mutations (after its match conditions) on a pod; returns the new pod. */
export function runMutatingPolicy(policy: { spec: Record<string, unknown> }, pod: unknown, request: Record<string, unknown>): unknown {
  const spec = policy.spec as { matchConditions?: { expression: string }[]; mutations: { applyConfiguration: { expression: string } }[] };
  for (const condition of spec.matchConditions ?? []) {
    if (evaluateCel(condition.expression, { object: pod, request }) !== true) return pod;
  }
  let current = pod;
  for (const mutation of spec.mutations) {
    const configuration = evaluateCel(constructorsToMaps(mutation.applyConfiguration.expression), { object: current, request });
    current = applyMerge(current, configuration);
  }
  return current;
}
