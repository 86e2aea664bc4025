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

/** A key CEL can select with `.key` and test with `has(x.key)`. */
function isSelectable(key: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && !RESERVED.has(key);
}

/** Prints a variable name; the pod and comprehension variables. */
function printVar(name: string, names: PrintNames): string {
  return name === 'object' ? names.object : name;
}

/** `base` followed by one step. */
function step(base: string, key: Key, names: PrintNames): string {
  if (typeof key === 'string') return isSelectable(key) ? `${base}.${key}` : `${base}[${celString(key)}]`;
  return `${base}[${printCel(key, names)}]`;
}

/** The has() test that `key` is present in `base`. */
function presence(base: string, key: Key, names: PrintNames): string {
  if (typeof key === 'string') return isSelectable(key) ? `has(${base}.${key})` : `${celString(key)} in ${base}`;
  return `${printCel(key, names)} in ${base}`;
}

/** The has() chain for every step of `path` under `base`, and the access expression. */
function guardedPath(base: string, path: readonly Key[], names: PrintNames): { guards: string[]; access: string } {
  const guards: string[] = [];
  let access = base;
  for (const key of path) {
    guards.push(presence(access, key, names));
    access = step(access, key, names);
  }
  return { guards, access };
}

/** Wraps a compound expression so it can be an operand. */
function paren(s: string): string {
  return `(${s})`;
}

/** Prints one expression as CEL. Params print as `names.params`.field (fold first to inline them). */
export function printCel(expr: Expr, names: PrintNames): string {
  switch (expr.op) {
    case 'lit':
      return celLiteral(expr.value);
    case 'param':
      return step(/^[A-Za-z_][\w.]*$/.test(names.params) ? names.params : paren(names.params), expr.name, names);
    case 'var':
      return printVar(expr.name, names);
    case 'get': {
      const base = operand(expr.from, names);
      if (expr.default === undefined) {
        let access = base;
        for (const key of expr.path) access = step(access, key, names);
        return access;
      }
      const { guards, access } = guardedPath(base, expr.path, names);
      return paren(`${guards.join(' && ')} ? ${access} : ${celLiteral(expr.default as Json)}`);
    }
    case 'has': {
      const { guards } = guardedPath(operand(expr.from, names), expr.path, names);
      return guards.length === 1 ? (guards[0] as string) : paren(guards.join(' && '));
    }
    case 'eq':
      return paren(`${operand(expr.left, names)} == ${operand(expr.right, names)}`);
    case 'cmp':
      return paren(`${operand(expr.left, names)} ${expr.cmp} ${operand(expr.right, names)}`);
    case 'not':
      return `!${operand(expr.arg, names)}`;
    case 'and':
    case 'or':
      if (expr.args.length === 0) return expr.op === 'and' ? 'true' : 'false';
      return paren(expr.args.map((arg) => operand(arg, names)).join(expr.op === 'and' ? ' && ' : ' || '));
    case 'cond':
      return paren(`${operand(expr.if, names)} ? ${operand(expr.then, names)} : ${operand(expr.else, names)}`);
    case 'in':
      return paren(`${operand(expr.item, names)} in ${operand(expr.list, names)}`);
    case 'str':
      return `${operand(expr.value, names)}.${expr.fn}(${printCel(expr.arg, names)})`;
    case 'concat':
      return paren(expr.parts.map((part) => operand(part, names)).join(' + '));
    case 'every':
      return `${operand(expr.over, names)}.all(${expr.var}, ${printCel(expr.pred, names)})`;
    case 'some':
      return `${operand(expr.over, names)}.exists(${expr.var}, ${printCel(expr.pred, names)})`;
    case 'onlyKey':
      return `${operand(expr.of, names)}.all(key, key == ${celString(expr.except)})`;
    case 'selinuxLevelEq':
      return printLevelEq(expr.actual, expr.expected, names);
    case 'let':
      // No cel.bind (not in every Kubernetes version, nor in @bufbuild/cel): a one-element comprehension binds.
      return isBoolean(expr.body)
        ? `[${printCel(expr.value, names)}].all(${expr.var}, ${printCel(expr.body, names)})`
        : `[${printCel(expr.value, names)}].map(${expr.var}, ${printCel(expr.body, names)})[0]`;
    case 'append':
      return expr.lists.length === 0 ? '[]' : paren(expr.lists.map((list) => operand(list, names)).join(' + '));
    case 'collect': {
      const over = operand(expr.over, names);
      const filtered = expr.where.op === 'lit' && expr.where.value === true ? over : `${over}.filter(${expr.var}, ${printCel(expr.where, names)})`;
      return `${filtered}.map(${expr.var}, ${printCel(expr.select, names)})`;
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
function operand(expr: Expr, names: PrintNames): string {
  return printCel(expr, names);
}

/**
 * PSP's `equalLevels` in CEL. Splitting at the first `:` uses indexOf/substring (Go's SplitN(s, ":", 2));
 * @bufbuild/cel's split(sep, n) drops the remainder, so split is only used without a limit. Categories
 * are compared as multisets: equal counts and, for each category, equal occurrence counts.
 */
function printLevelEq(actualExpr: Expr, expectedExpr: Expr, names: PrintNames): string {
  const a = operand(actualExpr, names);
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
  const e = operand(expectedExpr, names);
  return paren(
    `${a} == ${e} || (${a}.indexOf(":") >= 0 && ${e}.indexOf(":") >= 0 && ` +
      `${a}.substring(0, ${a}.indexOf(":")) == ${e}.substring(0, ${e}.indexOf(":")) && ` +
      `${rest(a)}.size() == ${rest(e)}.size() && ` +
      `${rest(a)}.all(category, ${rest(a)}.filter(other, other == category).size() == ${rest(e)}.filter(other, other == category).size()))`,
  );
}
