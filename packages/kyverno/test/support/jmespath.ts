/**
 * Kyverno's `{{ }}` variables, executed with the JMESPath Community implementation (Kyverno uses
 * the Go implementation of the same specification). Nested variables resolve inside out, as in
 * Kyverno; a string that is exactly one variable yields the typed value, otherwise values are
 * spliced in as text.
 */
import { search } from '@jmespath-community/jmespath';

type Json = unknown;

const INNERMOST = /\{\{((?:(?!\{\{|\}\}).)*)\}\}/s;

/** Substitute every variable in `text` against `context`. */
export function substitute(text: string, context: Record<string, unknown>): Json {
  let current = text;
  for (;;) {
    const match = INNERMOST.exec(current);
    if (match === null) return current;
    const value = search(context as never, match[1]!.trim()) as Json;
    if (match.index === 0 && match[0].length === current.length) return value;
    current = current.slice(0, match.index) + (typeof value === 'string' ? value : JSON.stringify(value)) + current.slice(match.index + match[0].length);
  }
}

/** Substitute variables in every string of a JSON value (keys too). */
export function substituteDeep(value: Json, context: Record<string, unknown>): Json {
  if (typeof value === 'string') return substitute(value, context);
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, context));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [substitute(k, context) as string, substituteDeep(v, context)]));
  }
  return value;
}

interface Condition {
  key: unknown;
  operator: string;
  value: unknown;
}

/** Kyverno conditions (`all`/`any`); only the operators we emit are supported, others throw. */
export function conditionsHold(conditions: { all?: Condition[]; any?: Condition[] } | undefined, context: Record<string, unknown>): boolean {
  if (conditions === undefined) return true;
  const holds = (c: Condition) => {
    const key = substituteDeep(c.key, context);
    const value = substituteDeep(c.value, context);
    if (c.operator === 'Equals') return JSON.stringify(key) === JSON.stringify(value);
    if (c.operator === 'NotEquals') return JSON.stringify(key) !== JSON.stringify(value);
    throw new Error(`operator ${c.operator} is not emitted by us and not interpreted here`);
  };
  const all = conditions.all ?? [];
  const any = conditions.any ?? [];
  return all.every(holds) && (any.length === 0 || any.some(holds));
}
