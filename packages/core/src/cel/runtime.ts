/**
 * Running CEL in-process with @bufbuild/cel, binding JSON the way Kubernetes does, so emitted
 * policies can be judged by executing them.
 */
import { celEnv, celList, celMap, isCelError, isCelList, isCelMap, parse, plan, type CelInput, type CelValue } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

/**
 * The Kubernetes CEL string functions @bufbuild/cel also has (cel-go `ext.Strings`: charAt, indexOf,
 * lastIndexOf, lowerAscii, upperAscii, replace, split, substring, trim, join). Our generated CEL
 * uses only indexOf, substring and split(sep) (see ./print.ts).
 */
const env = celEnv({ funcs: strings });

/** A compiled CEL program: call it with JSON bindings. */
export type CelProgram = (bindings?: Readonly<Record<string, unknown>>) => unknown;

const cache = new Map<string, CelProgram>();
/** Programs kept; the same expression is typically evaluated for thousands of pods. */
const CACHE_LIMIT = 2000;

/**
 * Converts plain JSON to CEL values as Kubernetes binds objects: objects become maps, whole
 * numbers `int` (BigInt), other numbers `double`. Map entries whose value is `null` or `undefined`
 * are dropped: Kubernetes serialises typed objects with `omitempty`, so an unset field is absent,
 * never null, and has() answers false for it.
 */
export function toCelValue(value: unknown): CelInput {
  // Built as CelMap/CelList up front: @bufbuild/cel otherwise re-wraps plain Maps and arrays on
  // every evaluation, which costs 3-4x when one pod is checked by many programs.
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') return value;
  if (isCelMap(value) || isCelList(value)) return value;
  if (Array.isArray(value)) return celList(value.map((item) => toCelValue(item)));
  if (value instanceof Map) return celMap(new Map([...value].map(([k, item]) => [k, toCelValue(item)])));
  if (typeof value === 'object') {
    const entries: [string, CelInput][] = [];
    for (const [key, item] of Object.entries(value)) {
      if (item !== null && item !== undefined) entries.push([key, toCelValue(item)]);
    }
    return celMap(new Map(entries));
  }
  throw new Error(`cannot bind a ${typeof value} to CEL`);
}

/** Converts a CEL result back to plain JS: lists to arrays, maps to objects, ints to numbers when safe. */
export function fromCelValue(value: CelValue): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }
  if (isCelList(value)) return [...value].map((item) => fromCelValue(item));
  if (isCelMap(value)) return Object.fromEntries([...value].map(([k, item]) => [String(k), fromCelValue(item)]));
  return value;
}

/**
 * Parses and plans `expr` once (cached by its text) and returns a function evaluating it.
 * Throws, naming the expression, when it does not parse.
 */
export function compileCel(expr: string): CelProgram {
  const cached = cache.get(expr);
  if (cached !== undefined) return cached;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(expr);
  } catch (cause) {
    throw new Error(`CEL expression does not parse: ${cause instanceof Error ? cause.message : String(cause)}\n  ${expr.slice(0, 500)}`, { cause });
  }
  const evaluate = plan(env, parsed);
  const program: CelProgram = (bindings = {}) => {
    const celBindings: Record<string, CelInput> = {};
    for (const [name, value] of Object.entries(bindings)) celBindings[name] = toCelValue(value);
    const result = evaluate(celBindings);
    if (isCelError(result)) {
      throw new Error(`CEL evaluation failed: ${result.message}\n  ${expr.slice(0, 500)}`, { cause: result });
    }
    return fromCelValue(result);
  };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(expr, program);
  return program;
}

/** Evaluates `expr` with JSON `bindings` (see {@link toCelValue}). Throws on parse or evaluation errors. */
export function evaluateCel(expr: string, bindings: Readonly<Record<string, unknown>> = {}): unknown {
  return compileCel(expr)(bindings);
}
