/**
 * The Rego backend of core's check language (`@psp-translate/core` cel/ast.ts): prints each control's
 * rules, from the same definitions the CEL comes from, as static Rego that reads the policy's values
 * from parameters. Gatekeeper 3.11+ dialect: `future.keywords` imports, never `import rego.v1`.
 *
 * How the tree maps to Rego:
 * - a boolean node becomes a rule body (statements that all succeed iff it is true); `or`, `cond`,
 *   `not` and `some` become helper functions (several bodies = or; `not f(...)`), so no variable is
 *   declared twice in one body;
 * - a value node becomes a term; `get` reads through `_psp_get` (total: the default when any step is
 *   missing or not an object), so an unguarded read can never make a rule undefined;
 * - helpers take every variable in scope as arguments and are named after the control and a
 *   counter; identical helpers are printed once, so the output is deterministic.
 */
import type { CheckExpr as Expr, CheckJson as Json, CheckKey as Key } from '@psp-translate/core';

/** A Rego literal for a JSON value (JSON is valid Rego term syntax). */
export function regoLiteral(value: Json): string {
  return JSON.stringify(value);
}

/** Rego variable for a check-language variable (`object` is a Rego builtin namespace: prefix all). */
export function regoVar(name: string): string {
  return `x_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** Collects helper functions while printing one control. */
export class RegoPrinter {
  private readonly helpers = new Map<string, string>();
  private readonly order: string[] = [];
  private counter = 0;

  constructor(private readonly prefix: string) {}

  /** Every helper printed so far, in creation order. */
  helperDefinitions(): string[] {
    return this.order.map((text) => text);
  }

  private define(make: (name: string) => string): string {
    // Identify a helper by its text with a placeholder name and its variables renamed in order of
    // appearance (arguments first), so helpers equal up to variable names are shared: calls pass
    // arguments by position (`_hostPaths_2(x_hostVolume)` runs the helper written for x_volume).
    const key = alphaNormal(make('__NAME__'));
    const existing = this.helpers.get(key);
    if (existing !== undefined) return existing;
    const name = `${this.prefix}_${++this.counter}`;
    this.helpers.set(key, name);
    this.order.push(make(name));
    return name;
  }

  private call(name: string, vars: readonly string[]): string {
    return `${name}(${vars.map(regoVar).join(', ')})`;
  }

  private signature(name: string, vars: readonly string[]): string {
    return `${name}(${vars.map(regoVar).join(', ')})`;
  }

  /**
   * The variables of `vars` that `texts` read: a helper takes only those, so the same check met in
   * a narrower and a wider scope (the pod's seccomp profile, pod rule or container rule) is one
   * helper. Names inside a helper never shadow outer ones, so a name in the text is a read.
   * At least one argument stays: Rego has no functions without arguments.
   */
  private used(vars: readonly string[], texts: readonly string[]): string[] {
    const all = texts.join('\n');
    const used = vars.filter((name) => new RegExp(`\\b${regoVar(name)}\\b`).test(all));
    return used.length > 0 ? used : vars.slice(0, 1);
  }

  /** A helper true iff every body in `alternatives` (one of them) holds. */
  boolHelper(alternatives: readonly (readonly string[])[], vars: readonly string[]): string {
    // A single call needs no wrapper.
    const only = alternatives.length === 1 && alternatives[0]!.length === 1 ? alternatives[0]![0]! : undefined;
    if (only !== undefined && /^[A-Za-z_][A-Za-z0-9_]*\([^()]*\)$/.test(only)) return only;
    const args = this.used(vars, alternatives.flat());
    const name = this.define((n) =>
      alternatives.map((body) => `${this.signature(n, args)} if {\n${indent(body)}\n}`).join('\n\n'),
    );
    return this.call(name, args);
  }

  private keys(path: readonly Key[], vars: readonly string[]): string {
    return `[${path.map((k) => (typeof k === 'string' ? regoLiteral(k) : this.value(k, vars))).join(', ')}]`;
  }

  /** A string term joining `parts`: string literals as they are (adjacent ones merged), other values through `_psp_str`. */
  concat(parts: readonly Expr[], vars: readonly string[]): string {
    const terms: { literal?: string; term?: string }[] = [];
    for (const part of parts) {
      const last = terms[terms.length - 1];
      if (part.op === 'lit' && typeof part.value === 'string') {
        if (last?.literal !== undefined) last.literal += part.value;
        else terms.push({ literal: part.value });
      } else {
        terms.push({ term: part.op === 'concat' ? this.value(part, vars) : `_psp_str(${this.value(part, vars)})` });
      }
    }
    const printed = terms.map((t) => t.term ?? regoLiteral(t.literal ?? ''));
    if (terms.length === 1 && terms[0]!.literal !== undefined) return printed[0]!;
    return `concat("", [${printed.join(', ')}])`;
  }

  /** A term for the value of `e`. */
  value(e: Expr, vars: readonly string[]): string {
    switch (e.op) {
      case 'lit':
        return regoLiteral(e.value);
      case 'param':
        return /^[A-Za-z_][A-Za-z0-9_]*$/.test(e.name) ? `${regoVar('params')}.${e.name}` : `${regoVar('params')}[${regoLiteral(e.name)}]`;
      case 'var':
        return regoVar(e.name);
      case 'get': {
        const { from, path } = flatGet(e.from, e.path);
        return `_psp_get(${this.value(from, vars)}, ${this.keys(path, vars)}, ${regoLiteral(e.default ?? null)})`;
      }
      case 'concat':
        return this.concat(e.parts, vars);
      case 'append':
        return e.lists.reduce<string>((rest, list, i) => (i === 0 ? this.value(list, vars) : `array.concat(${rest}, ${this.value(list, vars)})`), '[]');
      case 'collect': {
        const inner = [...vars, e.var];
        // The condition as one helper call keeps the comprehension on one line.
        const where = this.boolHelper([this.body(e.where, inner)], inner);
        return `[${this.value(e.select, inner)} | some ${regoVar(e.var)} in _psp_list(${this.value(e.over, vars)}); ${where}]`;
      }
      case 'let': {
        const bound = `${regoVar(e.var)} := ${this.value(e.value, vars)}`;
        const result = this.value(e.body, [...vars, e.var]);
        const args = this.used(vars, [bound, result]);
        const name = this.define((n) => `${this.signature(n, args)} := r if {\n${indent([bound, `r := ${result}`])}\n}`);
        return this.call(name, args);
      }
      case 'cond': {
        const condition = this.body(e.if, vars);
        const then = this.value(e.then, vars);
        const otherwise = this.value(e.else, vars);
        const args = this.used(vars, [...condition, then, otherwise]);
        // Literal results go in the rule heads; computed ones through `r`.
        const head = (value: string, body: readonly string[]) =>
          isLiteralTerm(value) ? (body.length === 0 ? ` := ${value}` : ` := ${value} if {\n${indent(body)}\n}`) : ` := r if {\n${indent([...body, `r := ${value}`])}\n}`;
        const name = this.define((n) => `${this.signature(n, args)}${head(then, condition)} else${head(otherwise, [])}`);
        return this.call(name, args);
      }
      default: {
        const body = this.body(e, vars);
        const args = this.used(vars, body);
        const name = this.define((n) => `${this.signature(n, args)} := true if {\n${indent(body)}\n} else := false`);
        return this.call(name, args);
      }
    }
  }

  /** Rule-body statements that all succeed iff `e` is true. */
  body(e: Expr, vars: readonly string[]): string[] {
    switch (e.op) {
      case 'lit':
        return [e.value === true ? 'true' : e.value === false ? 'false' : `${regoLiteral(e.value)} == true`];
      case 'param':
      case 'var':
      case 'get':
      case 'concat':
      case 'collect':
      case 'append':
        return [`${this.value(e, vars)} == true`];
      case 'let':
        // A helper of its own, so the bound variable is declared once per body.
        return [this.boolHelper([[`${regoVar(e.var)} := ${this.value(e.value, vars)}`, ...this.body(e.body, [...vars, e.var])]], vars)];
      case 'cond': {
        const condition = this.boolHelper([this.body(e.if, vars)], vars);
        return [this.boolHelper([[condition, ...this.body(e.then, vars)], [`not ${condition}`, ...this.body(e.else, vars)]], vars)];
      }
      case 'eq':
        return [`${this.value(e.left, vars)} == ${this.value(e.right, vars)}`];
      case 'cmp':
        return [`${this.value(e.left, vars)} ${e.cmp} ${this.value(e.right, vars)}`];
      case 'not': {
        const inner = this.body(e.arg, vars);
        // One plain expression is negated in place; anything declaring variables needs a helper.
        const only = inner.length === 1 ? inner[0]! : undefined;
        if (only !== undefined && !only.includes('\n') && !/:=|^(not|some|every) /.test(only)) return [`not ${only}`];
        return [`not ${this.boolHelper([inner], vars)}`];
      }
      case 'and':
        return e.args.length === 0 ? ['true'] : e.args.flatMap((a) => this.body(a, vars));
      case 'or':
        return e.args.length === 0 ? ['false'] : [this.boolHelper(e.args.map((a) => this.body(a, vars)), vars)];
      case 'in':
        return [`_psp_in(${this.value(e.item, vars)}, ${this.value(e.list, vars)})`];
      case 'str': {
        const value = this.value(e.value, vars);
        const arg = this.value(e.arg, vars);
        if (e.fn === 'startsWith') return [`startswith(${value}, ${arg})`];
        if (e.fn === 'endsWith') return [`endswith(${value}, ${arg})`];
        return [`indexof(${value}, ${arg}) >= 0`];
      }
      case 'has': {
        const { from, path } = flatGet(e.from, e.path);
        return [`_psp_has(${this.value(from, vars)}, ${this.keys(path, vars)})`];
      }
      case 'every': {
        const inner = [...vars, e.var];
        return [`every ${regoVar(e.var)} in _psp_list(${this.value(e.over, vars)}) {\n${indent(this.body(e.pred, inner))}\n}`];
      }
      case 'some': {
        const inner = [...vars, e.var];
        return [
          this.boolHelper([[`some ${regoVar(e.var)} in _psp_list(${this.value(e.over, vars)})`, ...this.body(e.pred, inner)]], vars),
        ];
      }
      case 'onlyKey':
        return [`count({k | some k, _ in ${this.value(e.of, vars)}; k != ${regoLiteral(e.except)}}) == 0`];
      case 'selinuxLevelEq':
        return [`_psp_selinux_level_eq(${this.value(e.actual, vars)}, ${this.value(e.expected, vars)})`];
    }
  }
}

/** A JSON scalar literal (string, number, boolean, null), which Rego takes as a rule head value. */
function isLiteralTerm(term: string): boolean {
  return /^("(?:[^"\\]|\\.)*"|-?\d+(\.\d+)?|true|false|null)$/.test(term);
}

/** `text` with every variable (`x_...`, outside string literals) renamed `x_<n>` by order of first appearance. */
function alphaNormal(text: string): string {
  const renamed = new Map<string, string>();
  return text.replace(/"(?:[^"\\]|\\.)*"|\bx_[A-Za-z0-9_]+/g, (name) => {
    if (name.startsWith('"')) return name;
    let canonical = renamed.get(name);
    if (canonical === undefined) renamed.set(name, (canonical = `x_${renamed.size}`));
    return canonical;
  });
}

/**
 * `get(get(x, p), q)` as `get(x, p ++ q)` when the inner read has no default: a missing or
 * non-object step answers the outer default either way, so one `_psp_get` does.
 */
function flatGet(from: Expr, path: readonly Key[]): { from: Expr; path: readonly Key[] } {
  let base = from;
  let steps = path;
  while (base.op === 'get' && (base.default === undefined || base.default === null)) {
    steps = [...base.path, ...steps];
    base = base.from;
  }
  return { from: base, path: steps };
}

export function indent(lines: readonly string[], by = '  '): string {
  return lines
    .join('\n')
    .split('\n')
    .map((line) => (line === '' ? line : by + line))
    .join('\n');
}

/** Functions the printed controls rely on. Written once here, small and total. */
export const REGO_LIBRARY = `# The value at path under x; d when a step is missing or x is not an object or array.
_psp_get(x, path, d) := r if {
  _psp_walkable(x)
  r := object.get(x, path, d)
} else := d

_psp_walkable(x) if is_object(x)

_psp_absent := "\\u0000psp-translate:absent"

# Every step of path is present under x.
_psp_has(x, path) if _psp_get(x, path, _psp_absent) != _psp_absent

# x is an element of the list xs.
_psp_in(x, xs) if {
  some y in _psp_list(xs)
  y == x
}

# xs when it is an array, else the empty list (a missing list has no items).
_psp_list(xs) := xs if {
  is_array(xs)
} else := []

# Strings as they are, numbers in decimal (for messages and annotation keys).
_psp_str(x) := x if {
  is_string(x)
} else := sprintf("%v", [x])

# SELinux levels equal as PSP compared them: equal strings, or the same sensitivity and the same
# categories in any order (split at the first ":").
_psp_selinux_level_eq(a, e) if a == e

_psp_selinux_level_eq(a, e) if {
  i := indexof(a, ":")
  i >= 0
  j := indexof(e, ":")
  j >= 0
  substring(a, 0, i) == substring(e, 0, j)
  sort(split(substring(a, i + 1, -1), ",")) == sort(split(substring(e, j + 1, -1), ","))
}

# A label-selector-like set of names holds for value ({op: In|NotIn, values}).
_psp_selects(selector, value) if {
  selector.op == "In"
  _psp_in(value, selector.values)
}

_psp_selects(selector, value) if {
  selector.op == "NotIn"
  not _psp_in(value, selector.values)
}

# The pod's service account as PSP saw it (the API server defaults it to "default").
_psp_service_account(pod) := _psp_get(pod, ["spec", "serviceAccountName"], "default")

# The requesting user; audit has none, which counts as "anyone else".
_psp_requester := u if {
  u := input.review.userInfo.username
} else := ""

# The pod falls in one of the scopes ({namespace, serviceAccount, requester} selectors).
_psp_in_scope(pod, scopes) if {
  some scope in scopes
  _psp_selects(scope.namespace, _psp_get(pod, ["metadata", "namespace"], ""))
  _psp_selects(scope.serviceAccount, _psp_service_account(pod))
  _psp_selects(scope.requester, _psp_requester)
}
`;

/** The library's definitions, one per blank-line-separated block, by the name each defines. */
const LIBRARY_BLOCKS: readonly { name: string; text: string }[] = REGO_LIBRARY.trim()
  .split(/\n\n(?=#|_psp_)/)
  .map((text) => ({ name: /^(?:#[^\n]*\n)*(_psp_[A-Za-z0-9_]+)/.exec(text)?.[1] ?? '', text }));

/**
 * The part of {@link REGO_LIBRARY} that `code` uses, directly or through other library functions,
 * in library order: a template carries only what it calls.
 */
export function regoLibraryFor(code: string): string {
  const used = new Set<string>();
  const visit = (text: string): void => {
    for (const { name } of LIBRARY_BLOCKS) {
      if (used.has(name) || !new RegExp(`\\b${name}\\b`).test(text)) continue;
      used.add(name);
      // Every definition of the name (a function of several bodies is several blocks).
      for (const block of LIBRARY_BLOCKS) if (block.name === name) visit(block.text);
    }
  };
  visit(code);
  return `${LIBRARY_BLOCKS.filter((block) => used.has(block.name)).map((block) => block.text).join('\n\n')}\n`;
}
