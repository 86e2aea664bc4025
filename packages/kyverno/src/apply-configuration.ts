/**
 * Executing MutatingPolicy `ApplyConfiguration` mutations: the CEL is run with core's runner after
 * rewriting Kubernetes' typed object constructors (`Object.spec{name: x}`) into map literals
 * (`{"name": x}`), which is all @bufbuild/cel lacks; the result is merged the way server-side apply
 * merges: maps deeply, the container lists by their `name` key, other lists (atomic) replaced.
 */
import { evaluateCel, toCelValue } from '@psp-translate/core';

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

/** Rewritten expressions by text: the same mutation runs for every pod of a test or scan. */
const rewritten = new Map<string, string>();

function mapsExpression(expression: string): string {
  let found = rewritten.get(expression);
  if (found === undefined) {
    found = constructorsToMaps(expression);
    if (rewritten.size >= 2000) rewritten.delete(rewritten.keys().next().value as string);
    rewritten.set(expression, found);
  }
  return found;
}

type Variables = readonly { name: string; expression: string }[];

/**
 * Per variables list (by identity), a key per variable naming it and every variable before it (so
 * a value is shared only where the expressions it may read are the same).
 */
const variableKeys = new WeakMap<Variables, string[]>();
/** Variable values per pod object (by identity) and key: the policies of one candidate set share their variables. */
const variableValues = new WeakMap<object, Map<string, unknown>>();

function keysOf(variables: Variables): string[] {
  let keys = variableKeys.get(variables);
  if (keys === undefined) {
    let prefix = '';
    keys = variables.map((v) => (prefix += `${v.name}=${v.expression}\n`));
    variableKeys.set(variables, keys);
  }
  return keys;
}

/**
 * The policy's variables on `pod`, in order (each may read the earlier ones). Kyverno binds them
 * lazily once per policy evaluation and keeps each value once read; evaluated here on the pod as
 * the policy received it, which gives the same values wherever the first reader runs before any
 * mutation (our guarded mutations read their guard first).
 */
function bindVariables(variables: Variables, pod: unknown, request: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (variables.length === 0) return out;
  const keys = keysOf(variables);
  let memo: Map<string, unknown> | undefined;
  if (pod !== null && typeof pod === 'object') {
    memo = variableValues.get(pod);
    if (memo === undefined) variableValues.set(pod, (memo = new Map()));
  }
  // Bound as CEL values once: converting the pod for every variable cost more than most evaluations.
  const object = toCelValue(pod);
  const boundRequest = toCelValue(request);
  variables.forEach((v, i) => {
    const key = keys[i]!;
    if (memo?.has(key) === true) {
      out[v.name] = memo.get(key);
      return;
    }
    const value = evaluateCel(v.expression, { object, request: boundRequest, variables: out });
    out[v.name] = value;
    memo?.set(key, value);
  });
  return out;
}

function isEmptyConfiguration(configuration: unknown): boolean {
  return configuration !== null && typeof configuration === 'object' && !Array.isArray(configuration) && Object.keys(configuration).length === 0;
}

/**
 * Run one MutatingPolicy's mutations (after its match conditions, with its variables) on a pod;
 * returns the new pod (the same object when every mutation applied `Object{}`).
 */
export function runMutatingPolicy(policy: { spec: Record<string, unknown> }, pod: unknown, request: Record<string, unknown>): unknown {
  const spec = policy.spec as { matchConditions?: { expression: string }[]; variables?: Variables; mutations: { applyConfiguration: { expression: string } }[] };
  const declared = spec.variables ?? [];
  let variables: Record<string, unknown> | undefined;
  const bound = () => (variables ??= bindVariables(declared, pod, request));
  for (const condition of spec.matchConditions ?? []) {
    // Kyverno lets match conditions read variables (bound before them).
    const bindings = condition.expression.includes('variables.') ? { object: pod, request, variables: bound() } : { object: pod, request };
    if (evaluateCel(condition.expression, bindings) !== true) return pod;
  }
  let current = pod;
  for (const mutation of spec.mutations) {
    const bindings = declared.length === 0 ? { object: current, request } : { object: current, request, variables: bound() };
    const configuration = evaluateCel(mapsExpression(mutation.applyConfiguration.expression), bindings);
    if (!isEmptyConfiguration(configuration)) current = applyMerge(current, configuration);
  }
  return current;
}
