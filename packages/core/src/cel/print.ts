/**
 * The CEL backend: prints check-language expressions as CEL that Kubernetes 1.26+ and @bufbuild/cel
 * both run. Only standard CEL (has(), `in`, comprehension macros all/exists/filter/map,
 * startsWith/endsWith/contains) and three functions of the strings extension (`indexOf`,
 * `substring`, `split`, used for SELinux levels only). No optional syntax (`.?`, `orValue`), no
 * `cel.bind`: missing fields are guarded by has() chains.
 */
import type { Expr, Json, Key } from './ast.js';
import { celLiteral, celString } from './literal.js';

/** How variables print: `object` (the pod) and `params` are CEL expressions given by the caller. */
export interface PrintNames {
  /** CEL expression for the pod, e.g. `object`. */
  readonly object: string;
  /** CEL expression yielding the params map, e.g. `params` or `variables.params`. */
  readonly params: string;
}

const RESERVED = new Set([
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if',
  'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while',
]);

/** Keys already classified by {@link isSelectable} (the definitions use a few dozen; bounded all the same). */
const selectable = new Map<string, boolean>();

/** A key CEL can select with `.key` and test with `has(x.key)`. */
function isSelectable(key: string): boolean {
  let known = selectable.get(key);
  if (known === undefined) {
    known = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && !RESERVED.has(key);
    if (selectable.size >= 10_000) selectable.clear();
    selectable.set(key, known);
  }
  return known;
}

/** One printCel call's names, with what is derived from them once per call. */
interface Printer {
  readonly names: PrintNames;
  /** The names as a memo key. */
  readonly key: string;
  /** How a `param` node's base prints (`names.params`, parenthesised unless a plain selection); computed when first needed. */
  paramsBase?: string;
}

/** Prints a variable name; the pod and comprehension variables. */
function printVar(name: string, names: PrintNames): string {
  return name === 'object' ? names.object : name;
}

/** `base` followed by one step. */
function step(base: string, key: Key, p: Printer): string {
  if (typeof key === 'string') return isSelectable(key) ? `${base}.${key}` : `${base}[${celString(key)}]`;
  return `${base}[${print(key, p)}]`;
}

/** The has() test that `key` is present in `base`. */
function presence(base: string, key: Key, p: Printer): string {
  if (typeof key === 'string') return isSelectable(key) ? `has(${base}.${key})` : `${celString(key)} in ${base}`;
  return `${print(key, p)} in ${base}`;
}

/** The has() chain for every step of `path` under `base` (joined with ` && `), and the access expression. */
function guardedPath(base: string, path: readonly Key[], p: Printer): { guards: string; count: number; access: string } {
  let guards = '';
  let access = base;
  for (const key of path) {
    guards = guards === '' ? presence(access, key, p) : `${guards} && ${presence(access, key, p)}`;
    access = step(access, key, p);
  }
  return { guards, count: path.length, access };
}

/** Wraps a compound expression so it can be an operand. */
function paren(s: string): string {
  return `(${s})`;
}

/**
 * Printed CEL by node and by the names' key. Printing is a pure function of the node (nodes are
 * immutable) and the names, and fold's memo hands the same folded subtree to every print of a rule
 * (its check, its message, once per container list, in every policy with the same params).
 * Bounded: dropped when it grows large.
 */
let memo = new WeakMap<Expr, Map<string, string>>();
let memoEntries = 0;
const MEMO_LIMIT = 50_000;

/** Prints one expression as CEL. Params print as `names.params`.field (fold first to inline them). */
export function printCel(expr: Expr, names: PrintNames): string {
  // Length-prefixed: unambiguous whatever the two expressions hold.
  return print(expr, { names, key: `${names.object.length}:${names.object}${names.params}` });
}

function print(expr: Expr, p: Printer): string {
  switch (expr.op) {
    case 'var':
      return printVar(expr.name, p.names);
    case 'param':
      p.paramsBase ??= /^[A-Za-z_][\w.]*$/.test(p.names.params) ? p.names.params : paren(p.names.params);
      return step(p.paramsBase, expr.name, p);
    case 'lit':
      if (typeof expr.value !== 'object' || expr.value === null) return celLiteral(expr.value);
  }
  let byNames = memo.get(expr);
  const known = byNames?.get(p.key);
  if (known !== undefined) return known;
  const printed = printNode(expr, p);
  if (memoEntries >= MEMO_LIMIT) {
    memo = new WeakMap();
    memoEntries = 0;
    byNames = undefined;
  }
  if (byNames === undefined) memo.set(expr, (byNames = new Map()));
  byNames.set(p.key, printed);
  memoEntries++;
  return printed;
}

/** Joins the printed operands with `separator`. */
function printJoined(exprs: readonly Expr[], separator: string, p: Printer): string {
  let out = '';
  for (let i = 0; i < exprs.length; i++) out = i === 0 ? print(exprs[0] as Expr, p) : `${out}${separator}${print(exprs[i] as Expr, p)}`;
  return out;
}

function printNode(expr: Expr, p: Printer): string {
  switch (expr.op) {
    case 'lit':
      return celLiteral(expr.value);
    case 'param':
    case 'var':
      return print(expr, p);
    case 'get': {
      const base = operand(expr.from, p);
      if (expr.default === undefined) {
        let access = base;
        for (const key of expr.path) access = step(access, key, p);
        return access;
      }
      const { guards, access } = guardedPath(base, expr.path, p);
      return `(${guards} ? ${access} : ${celLiteral(expr.default as Json)})`;
    }
    case 'has': {
      const { guards, count } = guardedPath(operand(expr.from, p), expr.path, p);
      return count === 1 ? guards : paren(guards);
    }
    case 'eq':
      return `(${operand(expr.left, p)} == ${operand(expr.right, p)})`;
    case 'cmp':
      return `(${operand(expr.left, p)} ${expr.cmp} ${operand(expr.right, p)})`;
    case 'not':
      return `!${operand(expr.arg, p)}`;
    case 'and':
    case 'or':
      if (expr.args.length === 0) return expr.op === 'and' ? 'true' : 'false';
      return paren(printJoined(expr.args, expr.op === 'and' ? ' && ' : ' || ', p));
    case 'cond':
      return `(${operand(expr.if, p)} ? ${operand(expr.then, p)} : ${operand(expr.else, p)})`;
    case 'in':
      return `(${operand(expr.item, p)} in ${operand(expr.list, p)})`;
    case 'str':
      return `${operand(expr.value, p)}.${expr.fn}(${print(expr.arg, p)})`;
    case 'concat':
      return paren(printJoined(expr.parts, ' + ', p));
    case 'every':
      return `${operand(expr.over, p)}.all(${expr.var}, ${print(expr.pred, p)})`;
    case 'some':
      return `${operand(expr.over, p)}.exists(${expr.var}, ${print(expr.pred, p)})`;
    case 'onlyKey':
      return `${operand(expr.of, p)}.all(key, key == ${celString(expr.except)})`;
    case 'selinuxLevelEq':
      return printLevelEq(expr.actual, expr.expected, p);
    case 'let':
      // No cel.bind (not in every Kubernetes version, nor in @bufbuild/cel): a one-element comprehension binds.
      return isBoolean(expr.body)
        ? `[${print(expr.value, p)}].all(${expr.var}, ${print(expr.body, p)})`
        : `[${print(expr.value, p)}].map(${expr.var}, ${print(expr.body, p)})[0]`;
    case 'append':
      return expr.lists.length === 0 ? '[]' : paren(printJoined(expr.lists, ' + ', p));
    case 'collect': {
      const over = operand(expr.over, p);
      const filtered = expr.where.op === 'lit' && expr.where.value === true ? over : `${over}.filter(${expr.var}, ${print(expr.where, p)})`;
      return `${filtered}.map(${expr.var}, ${print(expr.select, p)})`;
    }
  }
}

/** Whether `expr` is boolean by construction (a `let` over it then prints as `all`). */
export function isBoolean(expr: Expr): boolean {
  switch (expr.op) {
    case 'lit':
      return typeof expr.value === 'boolean';
    case 'has':
    case 'eq':
    case 'cmp':
    case 'not':
    case 'and':
    case 'or':
    case 'in':
    case 'str':
    case 'every':
    case 'some':
    case 'onlyKey':
    case 'selinuxLevelEq':
      return true;
    case 'cond':
      return isBoolean(expr.then) && isBoolean(expr.else);
    case 'let':
      return isBoolean(expr.body);
    default:
      return false;
  }
}

/** Operands print as they are when atomic, else parenthesised (printCel already parenthesises compounds). */
function operand(expr: Expr, p: Printer): string {
  return print(expr, p);
}

/**
 * PSP's `equalLevels` in CEL. Splitting at the first `:` uses indexOf/substring (Go's SplitN(s, ":", 2));
 * @bufbuild/cel's split(sep, n) drops the remainder, so split is only used without a limit. Categories
 * are compared as multisets: equal counts and, for each category, equal occurrence counts.
 */
function printLevelEq(actualExpr: Expr, expectedExpr: Expr, p: Printer): string {
  const a = operand(actualExpr, p);
  const rest = (s: string) => `${s}.substring(${s}.indexOf(":") + 1).split(",")`;
  if (expectedExpr.op === 'lit' && typeof expectedExpr.value === 'string') {
    const expected = expectedExpr.value;
    const colon = expected.indexOf(':');
    if (colon < 0) return paren(`${a} == ${celString(expected)}`);
    const sensitivity = expected.slice(0, colon);
    const categories = expected.slice(colon + 1).split(',');
    const counts = new Map<string, number>();
    for (const c of categories) counts.set(c, (counts.get(c) ?? 0) + 1);
    const countChecks = [...counts].map(([c, n]) => `${rest(a)}.filter(category, category == ${celString(c)}).size() == ${n}`);
    return paren(
      `${a} == ${celString(expected)} || (${a}.startsWith(${celString(`${sensitivity}:`)}) && ${rest(a)}.size() == ${categories.length} && ${countChecks.join(' && ')})`,
    );
  }
  const e = operand(expectedExpr, p);
  return paren(
    `${a} == ${e} || (${a}.indexOf(":") >= 0 && ${e}.indexOf(":") >= 0 && ` +
      `${a}.substring(0, ${a}.indexOf(":")) == ${e}.substring(0, ${e}.indexOf(":")) && ` +
      `${rest(a)}.size() == ${rest(e)}.size() && ` +
      `${rest(a)}.all(category, ${rest(a)}.filter(other, other == category).size() == ${rest(e)}.filter(other, other == category).size()))`,
  );
}
