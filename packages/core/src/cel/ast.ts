/**
 * The check language: one declarative definition of what each PSP control requires of a pod, from
 * which every policy-engine backend prints its own code (CEL today, Rego next).
 *
 * A control is a list of {@link Rule}s, all of which must hold. A rule has a {@link Scope} (the pod
 * once, every container of all three kinds, or every item of a list in the pod), a boolean
 * {@link Expr} `require` that must hold for each item, and a message detail for when it does not.
 *
 * Expressions are a small tree (21 node types) over JSON values. Reading the pod is total: `get`
 * with a `default` answers the default when any step of the path is missing, so backends never
 * see an undefined field (CEL: `has()` chains; Rego: `object.get`). The policy's values enter only
 * through `param` nodes, so the printed code is static and the values travel as parameters
 * (Gatekeeper `parameters`, VAP `params`) or are folded in as literals.
 *
 * Semantics a backend must keep:
 * - `and`/`or` are logical; evaluation order does not matter (no node has side effects or errors
 *   once paths are guarded).
 * - `eq` is deep equality of JSON values; `cmp` compares integers.
 * - `every`/`some` over an empty list are `true`/`false`.
 * - `get` without `default` is only used where the value is known to exist (params, or after a
 *   `has` test in the same `cond`).
 * - Keys in paths are strings or string-valued expressions (annotation keys built with `concat`).
 */

/** A JSON value, as params and literals hold them. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** A step in a field path: a fixed key, or an expression yielding the key (e.g. an annotation name). */
export type Key = string | Expr;

/** One node of the check language. */
export type Expr =
  /** A constant. */
  | { readonly op: 'lit'; readonly value: Json }
  /** A top-level field of the control's params, e.g. `allowPrivileged`. Always present. */
  | { readonly op: 'param'; readonly name: string }
  /** A variable: `object` (the pod), a scope variable, or a comprehension variable. */
  | { readonly op: 'var'; readonly name: string }
  /** The value at `path` under `from`; `default` when a step is missing (absent `default`: must exist). */
  | { readonly op: 'get'; readonly from: Expr; readonly path: readonly Key[]; readonly default?: Json }
  /** Every step of `path` under `from` is present. */
  | { readonly op: 'has'; readonly from: Expr; readonly path: readonly Key[] }
  /** Deep equality. */
  | { readonly op: 'eq'; readonly left: Expr; readonly right: Expr }
  /** Integer comparison `left <cmp> right`. */
  | { readonly op: 'cmp'; readonly cmp: '<' | '<=' | '>' | '>='; readonly left: Expr; readonly right: Expr }
  | { readonly op: 'not'; readonly arg: Expr }
  | { readonly op: 'and'; readonly args: readonly Expr[] }
  | { readonly op: 'or'; readonly args: readonly Expr[] }
  /** `if ? then : else`. */
  | { readonly op: 'cond'; readonly if: Expr; readonly then: Expr; readonly else: Expr }
  /** `item` is an element of the list `list`. */
  | { readonly op: 'in'; readonly item: Expr; readonly list: Expr }
  /** String prefix/suffix test: `value.startsWith(arg)` / `value.endsWith(arg)`. */
  | { readonly op: 'str'; readonly fn: 'startsWith' | 'endsWith' | 'contains'; readonly value: Expr; readonly arg: Expr }
  /** String concatenation; parts that are not strings (integers) are printed in decimal. */
  | { readonly op: 'concat'; readonly parts: readonly Expr[] }
  /** `pred` holds for every element `var` of the list `over` (true for an empty list). */
  | { readonly op: 'every'; readonly var: string; readonly over: Expr; readonly pred: Expr }
  /** `pred` holds for some element `var` of the list `over` (false for an empty list). */
  | { readonly op: 'some'; readonly var: string; readonly over: Expr; readonly pred: Expr }
  /**
   * The map `of` has no key other than `except` (a volume with no source but its `name`).
   * CEL: `m.all(k, k == 'name')`; Rego: `count({k | m[k]; k != "name"}) == 0`.
   */
  | { readonly op: 'onlyKey'; readonly of: Expr; readonly except: string }
  /**
   * SELinux levels equal as PSP compared them (`equalLevels`): identical strings, or both of the
   * form `sensitivity:categories` with the same sensitivity and the same multiset of
   * comma-separated categories (`s0:c1,c2` = `s0:c2,c1`). The split is at the FIRST `:`.
   */
  | { readonly op: 'selinuxLevelEq'; readonly actual: Expr; readonly expected: Expr }
  /**
   * `body` with `var` bound to `value`, computed once (so a list built from the pod is not rebuilt
   * for every item a comprehension in `body` visits). CEL: `[value].all(var, body)` (boolean body)
   * or `[value].map(var, body)[0]`; Rego: `x_var := value` in a helper's body.
   */
  | { readonly op: 'let'; readonly var: string; readonly value: Expr; readonly body: Expr }
  /**
   * The list of `select` for every element `var` of the list `over` for which `where` holds, in
   * order. CEL: `over.filter(var, where).map(var, select)`; Rego: an array comprehension.
   */
  | { readonly op: 'collect'; readonly var: string; readonly over: Expr; readonly where: Expr; readonly select: Expr }
  /** The lists one after the other. CEL: `a + b`; Rego: `array.concat(a, b)`. */
  | { readonly op: 'append'; readonly lists: readonly Expr[] };

/**
 * Where a rule applies.
 * - `pod`: once; the pod is `var('object')`.
 * - `containers`: once per container of `spec.containers`, `spec.initContainers` and
 *   `spec.ephemeralContainers`, bound to `var('container')`. Backends must cover all three lists.
 * - `items`: once per element of the list at `path` under the pod (missing list = no items),
 *   bound to `var(name)`; `label` names the element in messages (e.g. its `name`).
 */
export type Scope =
  | { readonly kind: 'pod' }
  | { readonly kind: 'containers' }
  | { readonly kind: 'items'; readonly path: readonly string[]; readonly var: string; readonly label: Expr };

/** One requirement of a control. A pod satisfies the control when every rule holds for every item of its scope. */
export interface Rule {
  /** Stable id, unique within the control (used in Rego rule names and tests). */
  readonly id: string;
  readonly scope: Scope;
  /**
   * The field the rule checks, relative to the scope item (`securityContext.privileged` for a
   * container, `hostPath.path` for a volume) or to the pod for `pod` scope (`spec.hostNetwork`).
   */
  readonly field: string;
  /** Must hold for each item. */
  readonly require: Expr;
  /** Why an item fails, as a string expression over the same variables (short, lowercase). */
  readonly detail: Expr;
  /**
   * A value computed once per pod, before the scope's items are visited, and bound to `var` in
   * `require` and `detail` (it may read only the pod and the params). Backends must evaluate it
   * outside the per-item loop: that is what keeps e.g. the hostPath read-only check linear in the
   * pod's lists instead of containers x mounts x volumes.
   */
  readonly let?: { readonly var: string; readonly value: Expr };
}

/** The variable a `containers` scope binds. */
export const CONTAINER_VAR = 'container';
/** The variable the pod is bound to. */
export const OBJECT_VAR = 'object';

// Builders: keep definitions readable. They only construct nodes.

export const lit = (value: Json): Expr => ({ op: 'lit', value });
export const param = (name: string): Expr => ({ op: 'param', name });
export const v = (name: string): Expr => ({ op: 'var', name });
export const get = (from: Expr, path: readonly Key[], dflt?: Json): Expr =>
  dflt === undefined ? { op: 'get', from, path } : { op: 'get', from, path, default: dflt };
export const has = (from: Expr, path: readonly Key[]): Expr => ({ op: 'has', from, path });
export const eq = (left: Expr, right: Expr): Expr => ({ op: 'eq', left, right });
export const cmp = (left: Expr, c: '<' | '<=' | '>' | '>=', right: Expr): Expr => ({ op: 'cmp', cmp: c, left, right });
export const not = (arg: Expr): Expr => ({ op: 'not', arg });
export const and = (...args: Expr[]): Expr => ({ op: 'and', args });
export const or = (...args: Expr[]): Expr => ({ op: 'or', args });
export const cond = (i: Expr, t: Expr, e: Expr): Expr => ({ op: 'cond', if: i, then: t, else: e });
export const isIn = (item: Expr, list: Expr): Expr => ({ op: 'in', item, list });
export const startsWith = (value: Expr, arg: Expr): Expr => ({ op: 'str', fn: 'startsWith', value, arg });
export const endsWith = (value: Expr, arg: Expr): Expr => ({ op: 'str', fn: 'endsWith', value, arg });
export const contains = (value: Expr, arg: Expr): Expr => ({ op: 'str', fn: 'contains', value, arg });
export const concat = (...parts: Expr[]): Expr => ({ op: 'concat', parts });
export const every = (name: string, over: Expr, pred: Expr): Expr => ({ op: 'every', var: name, over, pred });
export const some = (name: string, over: Expr, pred: Expr): Expr => ({ op: 'some', var: name, over, pred });
export const onlyKey = (of: Expr, except: string): Expr => ({ op: 'onlyKey', of, except });
export const selinuxLevelEq = (actual: Expr, expected: Expr): Expr => ({ op: 'selinuxLevelEq', actual, expected });
export const letIn = (name: string, value: Expr, body: Expr): Expr => ({ op: 'let', var: name, value, body });
export const append = (...lists: Expr[]): Expr => ({ op: 'append', lists });
export const collect = (name: string, over: Expr, where: Expr, select: Expr): Expr => ({ op: 'collect', var: name, over, where, select });

/** `value` lies in one of `ranges` (a list of `{min, max}`, inclusive). */
export const inRanges = (value: Expr, ranges: Expr, rangeVar = 'range'): Expr =>
  some(rangeVar, ranges, and(cmp(get(v(rangeVar), ['min']), '<=', value), cmp(value, '<=', get(v(rangeVar), ['max']))));

/** `value` starts with one of the strings in `prefixes`. */
export const startsWithAny = (value: Expr, prefixes: Expr, prefixVar = 'prefix'): Expr =>
  some(prefixVar, prefixes, startsWith(value, v(prefixVar)));

/** A list is non-empty. */
export const nonEmpty = (list: Expr, itemVar = 'item'): Expr => some(itemVar, list, lit(true));
