/**
 * Partial evaluation of check-language expressions: with a policy's params known, `param` nodes
 * become literals and everything decidable from them is decided, so a policy's printed code keeps
 * only what depends on the pod. Backend-neutral: the Rego backend can fold the same way.
 */
import type { Expr, Json, Key } from './ast.js';
import { lit } from './ast.js';

/** Comprehensions over literal lists up to this length are unrolled into `and`/`or`. */
export const UNROLL_LIMIT = 32;

/** What folding knows: the params (when inlining) and literal values of comprehension variables. */
export interface FoldContext {
  readonly params?: Readonly<Record<string, Json>> | undefined;
  readonly vars?: ReadonlyMap<string, Json>;
}

const isLit = (e: Expr): e is { op: 'lit'; value: Json } => e.op === 'lit';

function isRecord(value: Json | undefined): value is Readonly<Record<string, Json>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Walks a literal along a path of literal keys; `undefined` when a step is missing. */
function walk(value: Json, path: readonly string[]): Json | undefined {
  let current: Json | undefined = value;
  for (const key of path) {
    if (!isRecord(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

/** Deep equality of JSON values. */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item: Json, i: number) => jsonEqual(item, (b as readonly Json[])[i] as Json));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k] as Json, b[k] as Json));
  }
  return false;
}

/** PSP's `equalLevels`: same string, or same sensitivity and the same multiset of categories. */
export function selinuxLevelsEqual(expected: string, actual: string): boolean {
  if (expected === actual) return true;
  const e = expected.indexOf(':');
  const a = actual.indexOf(':');
  if (e < 0 || a < 0 || expected.slice(0, e) !== actual.slice(0, a)) return false;
  const ec = expected.slice(e + 1).split(',').sort();
  const ac = actual.slice(a + 1).split(',').sort();
  return ec.length === ac.length && ec.every((c, i) => c === ac[i]);
}

function literalKeys(path: readonly Key[]): string[] | undefined {
  const keys: string[] = [];
  for (const key of path) {
    if (typeof key === 'string') keys.push(key);
    else if (key.op === 'lit' && typeof key.value === 'string') keys.push(key.value);
    else return undefined;
  }
  return keys;
}

/**
 * What one fold step sees: the params, the literal variables, and a key that identifies both by
 * value (computed when first needed; `null` when a value cannot be keyed, which turns memoising off).
 */
interface Env {
  readonly params: Readonly<Record<string, Json>> | undefined;
  readonly vars: ReadonlyMap<string, Json>;
  key: string | null | undefined;
}

const NO_VARS: ReadonlyMap<string, Json> = new Map();

/** An exact text form of a JSON value (object keys in order, `-0` kept), or `null` for a non-JSON value. */
function valueKey(value: unknown): string | null {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'boolean':
      return value ? 't' : 'f';
    case 'object': {
      if (value === null) return 'n';
      let out = Array.isArray(value) ? '[' : '{';
      if (Array.isArray(value)) {
        for (const item of value as readonly unknown[]) {
          const key = valueKey(item);
          if (key === null) return null;
          out += `${key},`;
        }
        return `${out}]`;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return null;
      for (const [name, item] of Object.entries(value)) {
        const key = valueKey(item);
        if (key === null) return null;
        out += `${JSON.stringify(name)}:${key},`;
      }
      return `${out}}`;
    }
    default:
      return null;
  }
}

function envKey(env: Env): string | null {
  if (env.key !== undefined) return env.key;
  let key: string | null = env.params === undefined ? 'U' : valueKey(env.params);
  for (const [name, value] of env.vars) {
    if (key === null) break;
    const valueText = valueKey(value);
    key = valueText === null ? null : `${key}|${name}=${valueText}`;
  }
  env.key = key;
  return key;
}

/** `env` with `name` bound to `value`. */
function bind(env: Env, name: string, value: Json): Env {
  const vars = new Map(env.vars);
  vars.set(name, value);
  return { params: env.params, vars, key: undefined };
}

/** `env` without a binding for `name` (a comprehension variable shadows an outer one); `env` itself when unbound. */
function unbind(env: Env, name: string): Env {
  if (!env.vars.has(name)) return env;
  const vars = new Map(env.vars);
  vars.delete(name);
  return { params: env.params, vars, key: undefined };
}

/**
 * Folds already done, by node and by the env's key. Fold is a pure function of the node (nodes are
 * immutable), the params and the variables' values, and emitters fold the same control definitions
 * for many policies with equal params (and the same rule several times per policy, for its check
 * and its message). Results are immutable and may be shared. Bounded: dropped when it grows large.
 */
let memo = new WeakMap<Expr, Map<string, Expr>>();
let memoEntries = 0;
const MEMO_LIMIT = 100_000;

/** Folds `expr` as far as the context decides it. */
export function fold(expr: Expr, ctx: FoldContext = {}): Expr {
  return foldIn(expr, { params: ctx.params, vars: ctx.vars ?? NO_VARS, key: undefined });
}

/** Nodes worth memoising: those with subtrees that are costly to fold again (the others are cheaper to fold than to look up). */
const MEMOISED: ReadonlySet<Expr['op']> = new Set(['and', 'or', 'every', 'some', 'let', 'collect', 'cond', 'not', 'in']);

function foldIn(expr: Expr, env: Env): Expr {
  if (!MEMOISED.has(expr.op)) return foldNode(expr, env);
  const key = envKey(env);
  if (key === null) return foldNode(expr, env);
  let byEnv = memo.get(expr);
  const known = byEnv?.get(key);
  if (known !== undefined) return known;
  const folded = foldNode(expr, env);
  if (memoEntries >= MEMO_LIMIT) {
    memo = new WeakMap();
    memoEntries = 0;
    byEnv = undefined;
  }
  if (byEnv === undefined) memo.set(expr, (byEnv = new Map()));
  byEnv.set(key, folded);
  memoEntries++;
  return folded;
}

function foldNode(expr: Expr, env: Env): Expr {
  const { params, vars } = env;
  const rec = (e: Expr, inner: Env = env): Expr => foldIn(e, inner);
  switch (expr.op) {
    case 'lit':
      return expr;
    case 'param': {
      if (params === undefined) return expr;
      if (!Object.hasOwn(params, expr.name)) throw new Error(`params have no field ${JSON.stringify(expr.name)}: paramsFor and the rules disagree`);
      return lit(params[expr.name] as Json);
    }
    case 'var':
      return vars.has(expr.name) ? lit(vars.get(expr.name) as Json) : expr;
    case 'get':
    case 'has': {
      const from = rec(expr.from);
      const path = expr.path.map((key) => (typeof key === 'string' ? key : rec(key)));
      const keys = literalKeys(path);
      if (isLit(from) && keys !== undefined) {
        const found = walk(from.value, keys);
        if (expr.op === 'has') return lit(found !== undefined);
        if (found !== undefined) return lit(found);
        if (expr.default !== undefined) return lit(expr.default);
        throw new Error(`no field ${keys.join('.')} in ${JSON.stringify(from.value)}`);
      }
      const simplePath = path.map((key) => (typeof key !== 'string' && key.op === 'lit' && typeof key.value === 'string' ? key.value : key));
      return expr.op === 'has' ? { op: 'has', from, path: simplePath } : { ...expr, from, path: simplePath };
    }
    case 'eq': {
      const left = rec(expr.left);
      const right = rec(expr.right);
      if (isLit(left) && isLit(right)) return lit(jsonEqual(left.value, right.value));
      return { op: 'eq', left, right };
    }
    case 'cmp': {
      const left = rec(expr.left);
      const right = rec(expr.right);
      if (isLit(left) && isLit(right) && typeof left.value === 'number' && typeof right.value === 'number') {
        const [l, r] = [left.value, right.value];
        return lit(expr.cmp === '<' ? l < r : expr.cmp === '<=' ? l <= r : expr.cmp === '>' ? l > r : l >= r);
      }
      return { op: 'cmp', cmp: expr.cmp, left, right };
    }
    case 'not': {
      const arg = rec(expr.arg);
      if (isLit(arg)) return lit(!arg.value);
      if (arg.op === 'not') return arg.arg;
      return { op: 'not', arg };
    }
    case 'and':
    case 'or': {
      const unit = expr.op === 'and';
      const args: Expr[] = [];
      for (const raw of expr.args) {
        const arg = rec(raw);
        if (isLit(arg)) {
          if (arg.value === !unit) return lit(!unit);
          continue;
        }
        if (arg.op === expr.op) args.push(...arg.args);
        else args.push(arg);
      }
      if (args.length === 0) return lit(unit);
      if (args.length === 1) return args[0] as Expr;
      return { op: expr.op, args };
    }
    case 'cond': {
      const test = rec(expr.if);
      if (isLit(test)) return rec(test.value ? expr.then : expr.else);
      const then = rec(expr.then);
      const otherwise = rec(expr.else);
      if (isLit(then) && isLit(otherwise)) {
        if (jsonEqual(then.value, otherwise.value)) return then;
        if (then.value === true && otherwise.value === false) return test;
        if (then.value === false && otherwise.value === true) return rec({ op: 'not', arg: test });
      }
      return { op: 'cond', if: test, then, else: otherwise };
    }
    case 'in': {
      const item = rec(expr.item);
      const list = rec(expr.list);
      if (isLit(list) && Array.isArray(list.value)) {
        const values = list.value as readonly Json[];
        if (values.length === 0) return lit(false);
        if (isLit(item)) return lit(values.some((value) => jsonEqual(value, item.value)));
        if (values.length === 1) return { op: 'eq', left: item, right: lit(values[0] as Json) };
      }
      return { op: 'in', item, list };
    }
    case 'str': {
      const value = rec(expr.value);
      const arg = rec(expr.arg);
      // Every string starts with, ends with and contains ''.
      if (isLit(arg) && arg.value === '') return lit(true);
      if (isLit(value) && isLit(arg) && typeof value.value === 'string' && typeof arg.value === 'string') {
        const s = value.value;
        return lit(expr.fn === 'startsWith' ? s.startsWith(arg.value) : expr.fn === 'endsWith' ? s.endsWith(arg.value) : s.includes(arg.value));
      }
      return { op: 'str', fn: expr.fn, value, arg };
    }
    case 'concat': {
      const parts: Expr[] = [];
      for (const raw of expr.parts) {
        const part = rec(raw);
        const last = parts.at(-1);
        if (isLit(part) && last !== undefined && isLit(last)) parts[parts.length - 1] = lit(String(last.value) + String(part.value));
        else if (!(isLit(part) && part.value === '')) parts.push(part);
      }
      if (parts.length === 0) return lit('');
      if (parts.length === 1 && isLit(parts[0] as Expr)) return parts[0] as Expr;
      return { op: 'concat', parts };
    }
    case 'every':
    case 'some': {
      const over = rec(expr.over);
      if (isLit(over) && Array.isArray(over.value) && over.value.length <= UNROLL_LIMIT) {
        const args = (over.value as readonly Json[]).map((item) => rec(expr.pred, bind(env, expr.var, item)));
        return rec({ op: expr.op === 'every' ? 'and' : 'or', args });
      }
      // The comprehension variable shadows any outer binding of the same name.
      const pred = rec(expr.pred, unbind(env, expr.var));
      if (isLit(pred)) {
        if (expr.op === 'every' && pred.value === true) return lit(true);
        if (expr.op === 'some' && pred.value === false) return lit(false);
      }
      return { op: expr.op, var: expr.var, over, pred };
    }
    case 'onlyKey': {
      const of = rec(expr.of);
      if (isLit(of) && isRecord(of.value)) return lit(Object.keys(of.value).every((key) => key === expr.except));
      return { op: 'onlyKey', of, except: expr.except };
    }
    case 'let': {
      const value = rec(expr.value);
      if (isLit(value)) return rec(expr.body, bind(env, expr.var, value.value));
      const body = rec(expr.body, unbind(env, expr.var));
      // Nothing has side effects: an unread value need not be computed.
      if (isLit(body)) return body;
      return { op: 'let', var: expr.var, value, body };
    }
    case 'collect': {
      const over = rec(expr.over);
      if (isLit(over) && Array.isArray(over.value)) {
        const items: Json[] = [];
        let decided = true;
        for (const item of over.value as readonly Json[]) {
          const inner = bind(env, expr.var, item);
          const where = rec(expr.where, inner);
          if (!isLit(where)) decided = false;
          else if (where.value === true) {
            const selected = rec(expr.select, inner);
            if (isLit(selected)) items.push(selected.value);
            else decided = false;
          }
          if (!decided) break;
        }
        if (decided) return lit(items);
      }
      const inner = unbind(env, expr.var);
      const where = rec(expr.where, inner);
      if (isLit(where) && where.value === false) return lit([]);
      return { op: 'collect', var: expr.var, over, where, select: rec(expr.select, inner) };
    }
    case 'append': {
      const lists: Expr[] = [];
      for (const raw of expr.lists) {
        const list = rec(raw);
        const last = lists.at(-1);
        if (isLit(list) && Array.isArray(list.value) && list.value.length === 0) continue;
        if (isLit(list) && Array.isArray(list.value) && last !== undefined && isLit(last) && Array.isArray(last.value)) {
          lists[lists.length - 1] = lit([...(last.value as readonly Json[]), ...(list.value as readonly Json[])]);
        } else lists.push(list);
      }
      if (lists.length === 0) return lit([]);
      if (lists.length === 1) return lists[0] as Expr;
      return { op: 'append', lists };
    }
    case 'selinuxLevelEq': {
      const actual = rec(expr.actual);
      const expected = rec(expr.expected);
      if (isLit(actual) && isLit(expected) && typeof actual.value === 'string' && typeof expected.value === 'string') {
        return lit(selinuxLevelsEqual(expected.value, actual.value));
      }
      return { op: 'selinuxLevelEq', actual, expected };
    }
  }
}
