/**
 * A small parser and interpreter for the subset of Rego (v0 syntax with `future.keywords` every,
 * if, in) that our templates are printed in, so tests can check every Rego file parses and can
 * EXECUTE it against AdmissionReviews. OPA is not available here; this is not OPA.
 *
 * Parses: package, imports, comments; rules `p := t`, `p := t if {..} else := t ...`,
 * `f(args) if {..}` / `f(args) if expr`, `f(args) := t [if {..}] [else := t [if {..}]]`, partial sets
 * `p[t] if {..}`; statements `x := t`, comparisons, `not s`, `some x in t`, `some k, v in t`,
 * `every x in t {..}`, calls; terms: scalars, arrays, objects, set/array comprehensions, refs
 * (`a.b`, `a[t]`), calls (dotted builtins), `|` (set union), `+`, `-`, unary minus.
 *
 * Semantics: bodies are conjunctions evaluated with backtracking over `some`; an undefined term or a
 * builtin error makes the statement fail (OPA's non-strict mode); functions with several bodies are
 * "or" (boolean) or must agree on their value; `else` chains try in order; `not` succeeds when the
 * statement has no solution. Builtins: object.get, is_object, is_array, is_string, concat, sprintf
 * (%v, %s, %d), count, sort, split, substring, indexof, startswith, endswith.
 *
 * `with input as t` (for test rules) replaces `input` while one statement is evaluated.
 *
 * Not supported (rejected by the parser): other `with` targets, `default`, `import rego.v1`, `contains` heads,
 * `=` unification, nested function references as values, `data` documents other than rules of the
 * same package. Those never appear in what we print; a parse error here means we printed something
 * outside the subset, which the test then reports.
 */

type Tok = { t: 'id' | 'str' | 'num' | 'op' | 'nl' | 'eof'; v: string; line: number };

const OPS = [':=', '==', '!=', '<=', '>=', '{', '}', '[', ']', '(', ')', ',', ';', ':', '<', '>', '|', '+', '-', '*', '/', '.', '='];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '\n') {
      out.push({ t: 'nl', v: '\n', line });
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\') j++;
        if (src[j] === '\n') throw new Error(`line ${line}: newline in string`);
        j++;
      }
      out.push({ t: 'str', v: JSON.parse(src.slice(i, j + 1)) as string, line });
      i = j + 1;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(src.slice(i))!;
      out.push({ t: 'num', v: m[0], line });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      out.push({ t: 'id', v: m[0], line });
      i += m[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op === undefined) throw new Error(`line ${line}: unexpected character ${JSON.stringify(c)}`);
    out.push({ t: 'op', v: op, line });
    i += op.length;
  }
  out.push({ t: 'eof', v: '', line });
  return out;
}

export type Term =
  | { k: 'scalar'; v: null | boolean | number | string }
  | { k: 'var'; name: string }
  | { k: 'array'; items: Term[] }
  | { k: 'object'; entries: [Term, Term][] }
  | { k: 'setcomp'; head: Term; body: Stmt[] }
  | { k: 'arraycomp'; head: Term; body: Stmt[] }
  | { k: 'ref'; base: Term; key: Term }
  | { k: 'call'; fn: string; args: Term[] }
  | { k: 'bin'; op: string; left: Term; right: Term };

export type Stmt =
  | { k: 'assign'; name: string; value: Term }
  | { k: 'cmp'; op: string; left: Term; right: Term }
  | { k: 'not'; stmt: Stmt }
  | { k: 'some'; key: string | null; value: string; over: Term }
  | { k: 'every'; name: string; over: Term; body: Stmt[] }
  | { k: 'expr'; term: Term }
  /** `stmt with input as t` (what `opa test` rules use to feed `input`). */
  | { k: 'with'; stmt: Stmt; input: Term };

export interface RuleDef {
  name: string;
  args: string[] | null;
  /** Partial set rule key (`p[key]`). */
  setKey: Term | null;
  /** Alternatives tried in order: the rule and its else branches. */
  chain: { value: Term | null; body: Stmt[] }[];
}

export interface Module {
  pkg: string;
  imports: string[];
  rules: Map<string, RuleDef[]>;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(o = 0): Tok {
    return this.toks[this.i + o]!;
  }
  private next(): Tok {
    return this.toks[this.i++]!;
  }
  private fail(msg: string): never {
    const t = this.peek();
    throw new Error(`line ${t.line}: ${msg} (at ${JSON.stringify(t.v)})`);
  }
  private isOp(v: string, o = 0): boolean {
    const t = this.peek(o);
    return t.t === 'op' && t.v === v;
  }
  private isId(v: string, o = 0): boolean {
    const t = this.peek(o);
    return t.t === 'id' && t.v === v;
  }
  private expectOp(v: string): void {
    if (!this.isOp(v)) this.fail(`expected ${v}`);
    this.i++;
  }
  private expectId(): string {
    const t = this.next();
    if (t.t !== 'id') {
      this.i--;
      this.fail('expected a name');
    }
    return t.v;
  }
  private skipNl(): void {
    while (this.peek().t === 'nl') this.i++;
  }

  module(): Module {
    this.skipNl();
    if (!this.isId('package')) this.fail('expected package');
    this.i++;
    let pkg = this.expectId();
    while (this.isOp('.')) {
      this.i++;
      pkg += `.${this.expectId()}`;
    }
    const imports: string[] = [];
    const rules = new Map<string, RuleDef[]>();
    for (;;) {
      this.skipNl();
      if (this.peek().t === 'eof') break;
      if (this.isId('import')) {
        this.i++;
        let path = this.expectId();
        while (this.isOp('.')) {
          this.i++;
          path += `.${this.expectId()}`;
        }
        if (path === 'rego.v1') this.fail('import rego.v1 is not allowed (Gatekeeper < 3.19 cannot load it)');
        if (!path.startsWith('future.keywords')) this.fail(`unsupported import ${path}`);
        imports.push(path);
        continue;
      }
      const rule = this.rule(imports);
      const list = rules.get(rule.name) ?? [];
      list.push(rule);
      rules.set(rule.name, list);
    }
    return { pkg, imports, rules };
  }

  private rule(imports: readonly string[]): RuleDef {
    const name = this.expectId();
    if (name === 'default') this.fail('default rules are outside the subset');
    let args: string[] | null = null;
    let setKey: Term | null = null;
    if (this.isOp('(')) {
      this.i++;
      args = [];
      while (!this.isOp(')')) {
        args.push(this.expectId());
        if (this.isOp(',')) this.i++;
      }
      this.i++;
    } else if (this.isOp('[')) {
      this.i++;
      setKey = this.term();
      this.expectOp(']');
    }
    if (this.isId('contains')) this.fail('contains heads are outside the subset');
    const chain: RuleDef['chain'] = [];
    let value: Term | null = null;
    if (this.isOp(':=')) {
      this.i++;
      value = this.term();
    } else if (this.isOp('=')) this.fail('= heads are outside the subset');
    chain.push({ value, body: this.ruleBody(imports) });
    while (this.isId('else')) {
      this.i++;
      this.expectOp(':=');
      const v = this.term();
      chain.push({ value: v, body: this.ruleBody(imports) });
    }
    return { name, args, setKey, chain };
  }

  /** `if { .. }`, `if stmt`, `{ .. }` (no if), or nothing (always true). */
  private ruleBody(imports: readonly string[]): Stmt[] {
    if (this.isId('if')) {
      if (!imports.includes('future.keywords.if') && !imports.includes('future.keywords')) this.fail('if needs import future.keywords.if');
      this.i++;
      if (this.isOp('{')) return this.block();
      return [this.stmt()];
    }
    if (this.isOp('{')) return this.block();
    return [];
  }

  private block(): Stmt[] {
    this.expectOp('{');
    const body: Stmt[] = [];
    for (;;) {
      while (this.peek().t === 'nl' || this.isOp(';')) this.i++;
      if (this.isOp('}')) {
        this.i++;
        return body;
      }
      body.push(this.stmt());
      if (!(this.peek().t === 'nl' || this.isOp(';') || this.isOp('}'))) this.fail('expected end of statement');
    }
  }

  private stmt(): Stmt {
    const stmt = this.plainStmt();
    if (!this.isId('with')) return stmt;
    this.i++;
    if (!this.isId('input') || !this.isId('as', 1)) this.fail('only `with input as <term>` is in the subset');
    this.i += 2;
    return { k: 'with', stmt, input: this.term() };
  }

  private plainStmt(): Stmt {
    if (this.isId('not')) {
      this.i++;
      return { k: 'not', stmt: this.stmt() };
    }
    if (this.isId('some')) {
      this.i++;
      const first = this.expectId();
      let key: string | null = null;
      let value = first;
      if (this.isOp(',')) {
        this.i++;
        key = first;
        value = this.expectId();
      }
      if (!this.isId('in')) this.fail('expected in (only `some x in xs` is in the subset)');
      this.i++;
      return { k: 'some', key, value, over: this.term() };
    }
    if (this.isId('every')) {
      this.i++;
      const name = this.expectId();
      if (!this.isId('in')) this.fail('expected in');
      this.i++;
      const over = this.term();
      return { k: 'every', name, over, body: this.block() };
    }
    if (this.peek().t === 'id' && this.isOp(':=', 1)) {
      const name = this.expectId();
      this.i++;
      return { k: 'assign', name, value: this.term() };
    }
    const left = this.term();
    for (const op of ['==', '!=', '<=', '>=', '<', '>']) {
      if (this.isOp(op)) {
        this.i++;
        return { k: 'cmp', op, left, right: this.term() };
      }
    }
    if (this.isOp('=')) this.fail('= unification is outside the subset');
    return { k: 'expr', term: left };
  }

  term(): Term {
    let left = this.additive();
    while (this.isOp('|')) {
      this.i++;
      this.skipNl();
      left = { k: 'bin', op: '|', left, right: this.additive() };
    }
    return left;
  }

  private additive(): Term {
    let left = this.unary();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().v;
      this.skipNl();
      left = { k: 'bin', op, left, right: this.unary() };
    }
    return left;
  }

  private unary(): Term {
    if (this.isOp('-')) {
      this.i++;
      const t = this.next();
      if (t.t !== 'num') this.fail('expected a number after -');
      return { k: 'scalar', v: -Number(t.v) };
    }
    return this.postfix(this.primary());
  }

  private postfix(base: Term): Term {
    let term = base;
    for (;;) {
      if (this.isOp('.') && this.peek(1).t === 'id') {
        this.i++;
        term = { k: 'ref', base: term, key: { k: 'scalar', v: this.expectId() } };
      } else if (this.isOp('[')) {
        this.i++;
        const key = this.term();
        this.expectOp(']');
        term = { k: 'ref', base: term, key };
      } else return term;
    }
  }

  private primary(): Term {
    const t = this.peek();
    if (t.t === 'str') {
      this.i++;
      return { k: 'scalar', v: t.v };
    }
    if (t.t === 'num') {
      this.i++;
      return { k: 'scalar', v: Number(t.v) };
    }
    if (t.t === 'id') {
      this.i++;
      if (t.v === 'null') return { k: 'scalar', v: null };
      if (t.v === 'true' || t.v === 'false') return { k: 'scalar', v: t.v === 'true' };
      let name = t.v;
      // Dotted builtins: object.get(...)
      if (this.isOp('.') && this.peek(1).t === 'id' && this.isOp('(', 2) && name === 'object') {
        this.i++;
        name += `.${this.expectId()}`;
      }
      if (this.isOp('(')) {
        this.i++;
        const args: Term[] = [];
        while (!this.isOp(')')) {
          args.push(this.term());
          if (this.isOp(',')) this.i++;
          else if (!this.isOp(')')) this.fail('expected , or )');
        }
        this.i++;
        return { k: 'call', fn: name, args };
      }
      return { k: 'var', name };
    }
    if (this.isOp('[')) {
      this.i++;
      if (this.isOp(']')) {
        this.i++;
        return { k: 'array', items: [] };
      }
      // `[x | ...]` is a comprehension, as in OPA (not a union inside an array).
      const first = this.additive();
      if (this.isOp('|')) {
        // Array comprehension: `[x | body]` (statements separated by ;).
        this.i++;
        const body: Stmt[] = [this.stmt()];
        while (this.isOp(';')) {
          this.i++;
          body.push(this.stmt());
        }
        this.expectOp(']');
        return { k: 'arraycomp', head: first, body };
      }
      const items = [first];
      while (this.isOp(',')) {
        this.i++;
        if (this.isOp(']')) break;
        items.push(this.term());
      }
      this.expectOp(']');
      return { k: 'array', items };
    }
    if (this.isOp('{')) {
      this.i++;
      if (this.isOp('}')) {
        this.i++;
        return { k: 'object', entries: [] };
      }
      const first = this.additive();
      if (this.isOp('|')) {
        this.i++;
        const body: Stmt[] = [];
        for (;;) {
          while (this.peek().t === 'nl' || this.isOp(';')) this.i++;
          if (this.isOp('}')) {
            this.i++;
            return { k: 'setcomp', head: first, body };
          }
          body.push(this.stmt());
        }
      }
      this.expectOp(':');
      const entries: [Term, Term][] = [[first, this.term()]];
      while (this.isOp(',')) {
        this.i++;
        const key = this.term();
        this.expectOp(':');
        entries.push([key, this.term()]);
      }
      this.expectOp('}');
      return { k: 'object', entries };
    }
    if (this.isOp('(')) {
      this.i++;
      const inner = this.term();
      this.expectOp(')');
      return inner;
    }
    return this.fail('expected a term');
  }
}

/** Parse a Rego module of the subset; throws `line N: ...` on anything outside it. */
export function parseRego(src: string): Module {
  return new Parser(tokenize(src)).module();
}

// ---------------------------------------------------------------------------------------------
// Values and evaluation.

export class RegoSet {
  readonly members = new Map<string, Value>();
  add(v: Value): void {
    this.members.set(canonical(v), v);
  }
  values(): Value[] {
    return [...this.members.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  }
}

export type Value = null | boolean | number | string | Value[] | { [key: string]: Value } | RegoSet;

function canonical(v: Value): string {
  if (v instanceof RegoSet) return `set(${v.values().map(canonical).join(',')})`;
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k]!)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

const isObj = (v: Value): v is { [key: string]: Value } => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof RegoSet);

function typeRank(v: Value): number {
  if (v === null) return 0;
  if (typeof v === 'boolean') return 1;
  if (typeof v === 'number') return 2;
  if (typeof v === 'string') return 3;
  if (Array.isArray(v)) return 4;
  if (isObj(v)) return 5;
  return 6;
}

function compare(a: Value, b: Value): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const ca = canonical(a);
  const cb = canonical(b);
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

class Undefined extends Error {}
const undef = (why: string): never => {
  throw new Undefined(why);
};

type Env = ReadonlyMap<string, Value>;

function members(v: Value): [Value, Value][] {
  if (Array.isArray(v)) return v.map((x, i) => [i, x]);
  if (v instanceof RegoSet) return v.values().map((x) => [x, x]);
  if (isObj(v)) return Object.entries(v);
  return undef('not a collection');
}

function sprintf(format: string, args: Value[]): string {
  let i = 0;
  return format.replace(/%[vsd]/g, () => {
    const a = args[i++];
    if (typeof a === 'string') return a;
    if (typeof a === 'number') return String(a);
    return canonical(a ?? null);
  });
}

const BUILTINS: Record<string, (args: Value[]) => Value> = {
  'object.get': ([obj, path, dflt]) => {
    if (!isObj(obj!)) return undef('object.get: not an object');
    const steps = Array.isArray(path) ? path : [path!];
    let cur: Value = obj!;
    for (const step of steps) {
      if (isObj(cur) && typeof step === 'string' && Object.hasOwn(cur, step)) cur = cur[step]!;
      else if (Array.isArray(cur) && typeof step === 'number' && step >= 0 && step < cur.length) cur = cur[step]!;
      else return dflt!;
    }
    return cur;
  },
  is_object: ([x]) => isObj(x!),
  is_array: ([x]) => Array.isArray(x),
  is_string: ([x]) => typeof x === 'string',
  concat: ([sep, xs]) => {
    if (typeof sep !== 'string') return undef('concat: separator');
    const items = xs instanceof RegoSet ? xs.values() : Array.isArray(xs) ? xs : undef('concat: not a collection');
    if (!items.every((s) => typeof s === 'string')) return undef('concat: not strings');
    return items.join(sep);
  },
  sprintf: ([f, args]) => (typeof f === 'string' && Array.isArray(args) ? sprintf(f, args) : undef('sprintf')),
  count: ([x]) => {
    if (typeof x === 'string') return [...x].length;
    if (Array.isArray(x)) return x.length;
    if (x instanceof RegoSet) return x.members.size;
    if (isObj(x!)) return Object.keys(x).length;
    return undef('count');
  },
  sort: ([x]) => {
    const items = x instanceof RegoSet ? x.values() : Array.isArray(x) ? [...x] : undef('sort');
    return items.sort(compare);
  },
  split: ([s, sep]) => (typeof s === 'string' && typeof sep === 'string' ? s.split(sep) : undef('split')),
  substring: ([s, start, len]) => {
    if (typeof s !== 'string' || typeof start !== 'number' || typeof len !== 'number') return undef('substring');
    const chars = [...s];
    if (start < 0) return undef('substring: negative offset');
    return (len < 0 ? chars.slice(start) : chars.slice(start, start + len)).join('');
  },
  indexof: ([s, sub]) => {
    if (typeof s !== 'string' || typeof sub !== 'string') return undef('indexof');
    const i = s.indexOf(sub);
    return i < 0 ? -1 : [...s.slice(0, i)].length;
  },
  startswith: ([s, p]) => (typeof s === 'string' && typeof p === 'string' ? s.startsWith(p) : undef('startswith')),
  endswith: ([s, p]) => (typeof s === 'string' && typeof p === 'string' ? s.endsWith(p) : undef('endswith')),
};

const NONE = Symbol('undefined');

/** Evaluates rules of one module against an `input` document. */
export class RegoInterpreter {
  private readonly cache = new Map<string, Value | typeof NONE>();

  constructor(
    private readonly module: Module,
    private readonly input: Value,
  ) {}

  /** The set a partial set rule (e.g. `violation`) produces. */
  partialSet(name: string): Value[] {
    const defs = this.module.rules.get(name) ?? [];
    const out = new RegoSet();
    for (const def of defs) {
      if (def.setKey === null) throw new Error(`${name} is not a partial set rule`);
      for (const env of this.body(def.chain[0]!.body, new Map())) out.add(this.term(def.setKey, env));
    }
    return out.values();
  }

  private callRule(name: string, args: Value[]): Value {
    const defs = this.module.rules.get(name);
    if (defs === undefined) return undef(`no rule ${name}`);
    if (args.length === 0 && defs[0]!.setKey !== null) {
      // A partial set rule referenced as a value (`count(violation)`): the whole set.
      const set = new RegoSet();
      for (const v of this.partialSet(name)) set.add(v);
      return set;
    }
    const key = `${name}(${args.map(canonical).join(',')})`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached === NONE ? undef(`${name} undefined`) : cached;
    let result: Value | typeof NONE = NONE;
    for (const def of defs) {
      if ((def.args?.length ?? 0) !== args.length) throw new Error(`${name}: arity`);
      const env = new Map<string, Value>((def.args ?? []).map((a, i) => [a, args[i]!]));
      for (const alt of def.chain) {
        const solution = this.first(alt.body, env);
        if (solution === undefined) continue;
        let value: Value;
        try {
          value = alt.value === null ? true : this.term(alt.value, solution);
        } catch (e) {
          if (e instanceof Undefined) break;
          throw e;
        }
        if (result !== NONE && canonical(result) !== canonical(value)) {
          throw new Error(`${name}: conflicting values ${canonical(result)} and ${canonical(value)}`);
        }
        result = value;
        break;
      }
    }
    this.cache.set(key, result);
    return result === NONE ? undef(`${name} undefined`) : result;
  }

  private first(body: readonly Stmt[], env: Env): Env | undefined {
    for (const solution of this.body(body, env)) return solution;
    return undefined;
  }

  private *body(body: readonly Stmt[], env: Env, i = 0): Generator<Env> {
    if (i === body.length) {
      yield env;
      return;
    }
    for (const next of this.stmt(body[i]!, env)) yield* this.body(body, next, i + 1);
  }

  private *stmt(s: Stmt, env: Env): Generator<Env> {
    try {
      switch (s.k) {
        case 'assign': {
          if (env.has(s.name)) throw new Error(`variable ${s.name} assigned twice`);
          const value = this.term(s.value, env);
          yield new Map(env).set(s.name, value);
          return;
        }
        case 'cmp': {
          const c = compare(this.term(s.left, env), this.term(s.right, env));
          const ok = { '==': c === 0, '!=': c !== 0, '<': c < 0, '<=': c <= 0, '>': c > 0, '>=': c >= 0 }[s.op];
          if (ok) yield env;
          return;
        }
        case 'not':
          if (this.stmt(s.stmt, env).next().done) yield env;
          return;
        case 'some': {
          const over = this.term(s.over, env);
          for (const [k, v] of members(over)) {
            const next = new Map(env);
            if (s.key !== null && s.key !== '_') next.set(s.key, k);
            if (s.value !== '_') next.set(s.value, v);
            yield next;
          }
          return;
        }
        case 'every': {
          const over = this.term(s.over, env);
          for (const [, v] of members(over)) {
            if (this.first(s.body, new Map(env).set(s.name, v)) === undefined) return;
          }
          yield env;
          return;
        }
        case 'expr': {
          const v = this.term(s.term, env);
          if (v !== false) yield env;
          return;
        }
        case 'with': {
          // Rules evaluated under another input share nothing with this interpreter's cache.
          const replaced = new RegoInterpreter(this.module, this.term(s.input, env));
          yield* replaced.stmt(s.stmt, env);
          return;
        }
      }
    } catch (e) {
      if (e instanceof Undefined) return;
      throw e;
    }
  }

  term(t: Term, env: Env): Value {
    switch (t.k) {
      case 'scalar':
        return t.v;
      case 'var': {
        if (env.has(t.name)) return env.get(t.name)!;
        if (t.name === 'input') return this.input;
        if (this.module.rules.has(t.name)) return this.callRule(t.name, []);
        return undef(`unbound ${t.name}`);
      }
      case 'array':
        return t.items.map((x) => this.term(x, env));
      case 'object': {
        const out: { [key: string]: Value } = {};
        for (const [k, v] of t.entries) {
          const key = this.term(k, env);
          if (typeof key !== 'string') return undef('non-string object key');
          out[key] = this.term(v, env);
        }
        return out;
      }
      case 'setcomp': {
        const out = new RegoSet();
        for (const solution of this.body(t.body, env)) {
          try {
            out.add(this.term(t.head, solution));
          } catch (e) {
            if (!(e instanceof Undefined)) throw e;
          }
        }
        return out;
      }
      case 'arraycomp': {
        const out: Value[] = [];
        for (const solution of this.body(t.body, env)) out.push(this.term(t.head, solution));
        return out;
      }
      case 'ref': {
        const base = this.term(t.base, env);
        const key = this.term(t.key, env);
        if (isObj(base) && typeof key === 'string' && Object.hasOwn(base, key)) return base[key]!;
        if (Array.isArray(base) && typeof key === 'number' && key >= 0 && key < base.length) return base[key]!;
        return undef('missing reference');
      }
      case 'call': {
        const args = t.args.map((a) => this.term(a, env));
        const builtin = BUILTINS[t.fn];
        if (builtin !== undefined && !this.module.rules.has(t.fn)) return builtin(args);
        return this.callRule(t.fn, args);
      }
      case 'bin': {
        const l = this.term(t.left, env);
        const r = this.term(t.right, env);
        if (t.op === '|') {
          if (!(l instanceof RegoSet) || !(r instanceof RegoSet)) return undef('| needs sets');
          const out = new RegoSet();
          for (const v of [...l.values(), ...r.values()]) out.add(v);
          return out;
        }
        if (typeof l !== 'number' || typeof r !== 'number') return undef('arithmetic on non-numbers');
        return t.op === '+' ? l + r : t.op === '-' ? l - r : undef(`operator ${t.op}`);
      }
    }
  }
}


/** Gatekeeper's view: `input.review` is the AdmissionRequest, `input.parameters` the constraint's. */
export function regoViolations(rego: string, review: unknown, parameters: unknown): string[] {
  const module = parseRego(rego);
  const interpreter = new RegoInterpreter(module, { review: review as Value, parameters: parameters as Value });
  return interpreter.partialSet('violation').map((v) => (isObj(v) && typeof v.msg === 'string' ? v.msg : canonical(v)));
}
