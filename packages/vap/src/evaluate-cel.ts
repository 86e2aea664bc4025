/**
 * The parts of Kubernetes-style CEL admission that every CEL engine shares (ValidatingAdmissionPolicy,
 * Gatekeeper's K8sNativeValidation, Kyverno's ValidatingPolicy and `validate.cel` rules): variables
 * evaluated lazily and at most once, in declaration order of need; match conditions; validations
 * with `message`/`messageExpression`; ApplyConfiguration mutations run with core's @bufbuild/cel
 * runner and merged as server-side apply merges.
 */
import { compileCel, toCelValue } from '@psp-translate/core';

/** A named CEL expression (`spec.variables[]`, `spec.matchConditions[]`). */
export interface NamedExpression {
  name: string;
  expression: string;
}

/** One `spec.validations[]` entry. */
export interface CelValidation {
  expression: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
}

/** What one validation decided. */
export type ValidationResult =
  | { outcome: 'pass' }
  | { outcome: 'fail'; message: string; reason?: string }
  | { outcome: 'error'; message: string };

const VARIABLE_REFERENCE = /\bvariables\.([A-Za-z_][A-Za-z0-9_]*)/g;
/** `variables` read otherwise than as `variables.<name>` (`variables["x"]`, `has(variables)`): the expression sees them all. */
const WHOLE_VARIABLES = /\bvariables\b(?!\s*\.\s*[A-Za-z_])/;

/** What an expression reads of `variables`. */
interface VariableReads {
  /** The `variables.<name>` it reads. */
  names: readonly string[];
  /** Whether it may read any variable (then every computed one is bound). */
  whole: boolean;
}

const referencedVariables = new Map<string, VariableReads>();

/** The variables an expression reads (cached by its text). */
function variablesReadBy(expression: string): VariableReads {
  let reads = referencedVariables.get(expression);
  if (reads === undefined) {
    reads = { names: [...new Set([...expression.matchAll(VARIABLE_REFERENCE)].map((match) => match[1] as string))], whole: WHOLE_VARIABLES.test(expression) };
    if (referencedVariables.size > 4000) referencedVariables.clear();
    referencedVariables.set(expression, reads);
  }
  return reads;
}

/** The first line of an error's message, for one-line reasons. */
export function errorLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] as string;
}

/**
 * An evaluation context for one request: `evaluate(expression)` runs CEL with `bindings` plus
 * `variables`, computing each declared variable the first time an expression reads it (as the API
 * server does: lazily, once per request). `preset` variables (Gatekeeper's `variables.params`) are
 * there from the start.
 */
export function celContext(
  bindings: Readonly<Record<string, unknown>>,
  declared: readonly NamedExpression[] = [],
  preset: Readonly<Record<string, unknown>> = {},
  memo?: EvaluationMemo,
): (expression: string) => unknown {
  const definitions = new Map(declared.map((variable) => [variable.name, variable.expression]));
  // Bound as CEL values once per context (and per object with a memo): converting the pod for every expression cost more than evaluating most of them.
  const bound: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(bindings)) {
    if (memo === undefined || value === null || typeof value !== 'object') {
      bound[name] = toCelValue(value);
      continue;
    }
    let converted = memo.values.get(value);
    if (converted === undefined) memo.values.set(value, (converted = toCelValue(value)));
    bound[name] = converted;
  }
  const results = memo?.results;
  const variables: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(preset)) variables[name] = toCelValue(value);
  const pending = new Set<string>();
  const evaluate = (expression: string): unknown => {
    const reads = variablesReadBy(expression);
    for (const name of reads.names) {
      if (name in variables) continue;
      const definition = definitions.get(name);
      if (definition === undefined) continue; // CEL reports the missing key itself, where it is read.
      if (pending.has(name)) throw new Error(`variable ${name} refers to itself`);
      pending.add(name);
      try {
        variables[name] = toCelValue(evaluate(definition));
      } finally {
        pending.delete(name);
      }
    }
    // Only the variables the expression reads: the map is rebuilt for every evaluation.
    let visible: Record<string, unknown> = variables;
    if (!reads.whole) {
      visible = {};
      for (const name of reads.names) if (name in variables) visible[name] = variables[name];
    }
    // An expression reading no variables depends on the bindings alone: policies of one request share its result.
    const shared = results !== undefined && reads.names.length === 0 && !reads.whole;
    if (shared && results.has(expression)) return results.get(expression);
    const result = compileCel(expression)({ ...bound, variables: visible });
    if (shared) results.set(expression, result);
    return result;
  };
  return evaluate;
}

/**
 * What contexts may share: CEL values of the objects they bind (by identity, so bound objects must
 * not change while the memo lives), and the results of expressions that read no variables. Share
 * `results` only between contexts whose bindings hold equal values (one admission request, the
 * pod as mutated so far, the same params).
 */
export interface EvaluationMemo {
  values: WeakMap<object, unknown>;
  results: Map<string, unknown>;
}

/**
 * Match conditions as the API server decides them: any `false` means no match; otherwise any error
 * is returned (the caller applies its failure policy); otherwise a match.
 */
export function matchConditionsHold(conditions: readonly NamedExpression[], evaluate: (expression: string) => unknown): true | false | { error: string } {
  let error: string | undefined;
  for (const condition of conditions) {
    try {
      const result = evaluate(condition.expression);
      if (result === false) return false;
      if (result !== true) error ??= `matchCondition ${condition.name} returned ${JSON.stringify(result)}, not a bool`;
    } catch (cause) {
      error ??= `matchCondition ${condition.name}: ${errorLine(cause)}`;
    }
  }
  return error === undefined ? true : { error };
}

/**
 * Run one validation. A failed one's message is its `messageExpression` (when it evaluates to a
 * non-empty string), else `message`, else `failed expression: <expression>`, as the API server words it.
 */
export function runValidation(validation: CelValidation, evaluate: (expression: string) => unknown, options: { messages?: boolean } = {}): ValidationResult {
  let result: unknown;
  try {
    result = evaluate(validation.expression);
  } catch (cause) {
    return { outcome: 'error', message: `expression error: ${errorLine(cause)}` };
  }
  if (result === true) return { outcome: 'pass' };
  if (result !== false) return { outcome: 'error', message: `expression returned ${JSON.stringify(result)}, not a bool: ${validation.expression.slice(0, 120)}` };
  const fallback = validation.message !== undefined && validation.message !== '' ? validation.message : `failed expression: ${validation.expression.slice(0, 200)}`;
  let message = fallback;
  if (options.messages !== false && validation.messageExpression !== undefined) {
    try {
      const text = evaluate(validation.messageExpression);
      if (typeof text === 'string' && text.trim() !== '') message = text;
    } catch {
      // The API server falls back to `message` when messageExpression fails.
    }
  }
  return { outcome: 'fail', message, ...(validation.reason === undefined ? {} : { reason: validation.reason }) };
}

/** Whether an expression uses the `authorizer` binding, which needs the API server's authorization. */
export function usesAuthorizer(expression: string): boolean {
  return /\bauthorizer\b/.test(expression);
}

// Kubernetes' apply-configuration types are capitalised (`Object`, `JSONPatch`), unlike CEL keywords (`in`).
const CONSTRUCTOR = /^[A-Z][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\s*\{/;
const rewritten = new Map<string, string>();

/**
 * Rewrites the typed object constructors of Kubernetes apply configurations (`Object{spec:
 * Object.spec{...}}`, `JSONPatch{op: ...}`) into map literals with quoted keys, which is all
 * @bufbuild/cel lacks to run them. String literals are left alone; `{` after an identifier is a
 * constructor only there (a map literal follows an operator, `(`, `[`, `,` or `:`).
 */
export function typedConstructorsToMaps(expression: string): string {
  const memo = rewritten.get(expression);
  if (memo !== undefined) return memo;
  let out = '';
  const stack: ('constructor' | 'other')[] = [];
  let expectField = false;
  for (let i = 0; i < expression.length; ) {
    const ch = expression[i] as string;
    if (ch === '"' || ch === "'") {
      const triple = expression.startsWith(ch.repeat(3), i);
      const quote = triple ? ch.repeat(3) : ch;
      let j = i + quote.length;
      while (j < expression.length && !expression.startsWith(quote, j)) j += expression[j] === '\\' ? 2 : 1;
      out += expression.slice(i, j + quote.length);
      i = j + quote.length;
      expectField = false;
      continue;
    }
    if (expectField) {
      const field = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/.exec(expression.slice(i));
      if (field !== null) {
        out += `${field[0].slice(0, field[0].indexOf(field[1] as string))}"${field[1]}":`;
        i += field[0].length;
        expectField = false;
        continue;
      }
    }
    const previous = i === 0 ? '' : (expression[i - 1] as string);
    if (/[A-Za-z_]/.test(ch) && !/[A-Za-z0-9_.]/.test(previous)) {
      const constructor = CONSTRUCTOR.exec(expression.slice(i));
      if (constructor !== null) {
        out += '{';
        stack.push('constructor');
        i += constructor[0].length;
        expectField = true;
        continue;
      }
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(expression.slice(i))?.[0] as string;
      out += word;
      i += word.length;
      expectField = false;
      continue;
    }
    if (ch === '{' || ch === '(' || ch === '[') stack.push('other');
    if (ch === '}' || ch === ')' || ch === ']') stack.pop();
    if (!/\s/.test(ch)) expectField = ch === ',' && stack[stack.length - 1] === 'constructor';
    out += ch;
    i++;
  }
  if (rewritten.size > 2000) rewritten.clear();
  rewritten.set(expression, out);
  return out;
}

/** Lists merged by their `name` key under server-side apply (the pod's container lists); other lists are atomic. */
const LISTS_KEYED_BY_NAME: ReadonlySet<string> = new Set(['containers', 'initContainers', 'ephemeralContainers', 'volumes', 'env']);

/** Merge an apply configuration into an object as server-side apply does (returns a new object; inputs unchanged). */
export function mergeApplyConfiguration(target: unknown, configuration: unknown, field = ''): unknown {
  if (Array.isArray(configuration)) {
    if (!LISTS_KEYED_BY_NAME.has(field) || !Array.isArray(target)) return structuredClone(configuration);
    const items = target.map((item) => structuredClone(item) as Record<string, unknown>);
    for (const item of configuration as Record<string, unknown>[]) {
      const at = items.findIndex((existing) => existing['name'] === item['name']);
      if (at < 0) items.push(structuredClone(item));
      else items[at] = mergeApplyConfiguration(items[at], item) as Record<string, unknown>;
    }
    return items;
  }
  if (configuration !== null && typeof configuration === 'object') {
    const base = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
    for (const [key, value] of Object.entries(configuration)) base[key] = mergeApplyConfiguration(base[key], value, key);
    return base;
  }
  return configuration;
}
