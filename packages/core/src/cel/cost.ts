/**
 * A structural bound on the runtime cost of a CEL expression, so emitters can keep
 * ValidatingAdmissionPolicy expressions inside the API server's limits.
 *
 * What Kubernetes does (k8s.io/apiserver/pkg/apis/cel, admission plugin cel):
 * - At runtime every expression runs with a cost limit of `PerCallLimit` = 1,000,000 units (one
 *   unit ~ one field selection, function call or comprehension step; ~50 ns), and all expressions
 *   of one policy evaluation (validations, messageExpressions, variables, matchConditions) share
 *   `RuntimeCELCostBudget` = 10,000,000. Exceeding either aborts evaluation, and the policy's
 *   `failurePolicy` decides (Fail = reject the pod).
 * - Estimated (static) cost is what CRD validation rules are rejected for. There the estimator sizes
 *   a list without `maxItems` as `MaxRequestSizeBytes` (3 MiB) divided by the smallest possible
 *   serialized element, i.e. hundreds of thousands to a million items. Pod lists (`containers`,
 *   `volumes`, `volumeMounts`, `ports`) have no maxItems, so a single comprehension over containers
 *   already estimates near the limit and a nested one (containers x volumeMounts x volumes, as the
 *   hostPath read-only check needs) estimates in the 1e12+ range. ValidatingAdmissionPolicy does not
 *   reject a policy for its estimate (type checking in 1.28+ only reports warnings), so what must
 *   stay bounded is the runtime cost for the pods that actually occur, which depends on their real
 *   list sizes.
 *
 * Hence this estimate takes an assumed maximum list length (`listSize`, default 64 items per pod
 * list: far above real pods; `paramListSize` for the policy's own lists) and string length, and
 * returns the worst-case runtime cost under those assumptions: both sides of `&&`/`||` counted, the costlier branch of `?:`, every
 * comprehension run to the end. Lists written as literals are sized exactly.
 *
 * The expression is read by a small recursive-descent reader of CEL's grammar that adds costs up as
 * it goes, without building a syntax tree, counting each node as a walk over @bufbuild/cel's parse
 * tree does: macros (`all`, `exists`, `exists_one`, `map`, `filter`) as the comprehensions they
 * expand to, `has(a.b)` as a selection, `&&`/`||` chains as one call per operator, `!!x` as `x`.
 * Emitted policies hold expressions of 100 kB and more; @bufbuild/cel's generated parser took ~7 µs
 * per character, this reader well under 0.1 µs.
 */

/** Runtime cost limit of one CEL expression in the Kubernetes API server. */
export const CEL_PER_CALL_LIMIT = 1_000_000;
/** Runtime cost budget of one ValidatingAdmissionPolicy evaluation (all its expressions). */
export const CEL_RUNTIME_BUDGET = 10_000_000;

/** Assumptions about the data. */
export interface CelCostOptions {
  /** Length assumed for lists and maps read from the object (default 64). */
  listSize?: number;
  /** Length assumed for strings read from the object (default 256). */
  stringLength?: number;
  /** Length assumed for lists read from the params (default 8): policy values are short lists. */
  paramListSize?: number;
  /** CEL prefixes whose lists are params (default `params`, `variables.params`). */
  paramRoots?: readonly string[];
}

/** Functions whose cost grows with the length of their string arguments. */
const STRING_FUNCTIONS = new Set(['startsWith', 'endsWith', 'contains', 'matches', 'split', 'indexOf', 'substring', 'lastIndexOf', 'join', 'replace', 'lowerAscii', 'upperAscii', 'trim']);
const MACROS = new Set(['all', 'exists', 'exists_one', 'existsOne', 'map', 'filter']);
const RESERVED = new Set(['in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

/** What the reader knows of a sub-expression: its cost, and what an enclosing node asks of it. */
interface Term {
  readonly cost: number;
  /** Elements of a list literal (sized exactly as a comprehension range or `in` list). */
  readonly elements?: number;
  /** `a.b.c` for a pure identifier/field-selection chain (params lists are sized apart). */
  readonly path?: string;
  /** A plain identifier (a macro's iteration variable). */
  readonly ident?: boolean;
  /** A field selection (`has()` tests it rather than calling a function). */
  readonly select?: boolean;
  /** `!x` / `-x` with its operand: the parser reads `!!x` as `x`. */
  readonly negates?: { readonly op: number; readonly operand: Term };
}

const CONSTANT: Term = { cost: 0 };
const IDENT: Term = { cost: 1, ident: true };

// Character codes.
const TAB = 9, LF = 10, FF = 12, CR = 13, SPACE = 32, BANG = 33, DQUOTE = 34, PERCENT = 37, AMP = 38, SQUOTE = 39;
const LPAREN = 40, RPAREN = 41, STAR = 42, PLUS = 43, COMMA = 44, MINUS = 45, DOT = 46, SLASH = 47, ZERO = 48, NINE = 57;
const COLON = 58, LT = 60, EQ = 61, GT = 62, QUESTION = 63, LBRACKET = 91, BACKSLASH = 92, RBRACKET = 93, LBRACE = 123, PIPE = 124, RBRACE = 125;

// Binary operator precedences, loosest first.
const OR = 1, AND = 2, RELATION = 3, ADDITION = 4, MULTIPLICATION = 5;

const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;
const isIdentStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c);
const isHexDigit = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** Reads one CEL expression, adding up its estimated cost. */
class CostReader {
  private i = 0;
  /** First segments of the params roots (`params`, `variables`). */
  private readonly rootNames: ReadonlySet<string>;

  /**
   * Offset just past the `)` matching each `(` of a long expression (0 where unknown), found by one
   * scan before reading; undefined for short expressions, which are read without the group memo.
   */
  private readonly groupEnds: Int32Array | undefined;

  constructor(
    private readonly src: string,
    private readonly listSize: number,
    private readonly stringCost: number,
    private readonly paramListSize: number,
    private readonly paramRoots: readonly string[],
    /** Terms of parenthesised groups already read under the same options, by their text. */
    private readonly groups: Map<string, Term>,
  ) {
    this.rootNames = new Set(paramRoots.map((root) => root.split('.')[0] as string));
    this.groupEnds = src.length >= MIN_MEMO_EXPRESSION ? matchParens(src) : undefined;
  }

  read(): number {
    const term = this.expr();
    this.space();
    if (this.i < this.src.length) this.fail('unexpected input');
    return term.cost;
  }

  private fail(what: string): never {
    throw new Error(`CEL expression does not parse: ${what} at offset ${this.i} (${JSON.stringify(this.src.slice(this.i, this.i + 40))})`);
  }

  private code(offset = 0): number {
    return this.src.charCodeAt(this.i + offset);
  }

  /** Skips whitespace and `//` comments. */
  private space(): void {
    const src = this.src;
    let i = this.i;
    for (;;) {
      const c = src.charCodeAt(i);
      if (c === SPACE || c === TAB || c === LF || c === CR || c === FF) i++;
      else if (c === SLASH && src.charCodeAt(i + 1) === SLASH) {
        while (i < src.length && src.charCodeAt(i) !== LF && src.charCodeAt(i) !== CR) i++;
      } else break;
    }
    this.i = i;
  }

  private expect(c: number): void {
    this.space();
    if (this.code() !== c) this.fail(`expected ${String.fromCharCode(c)}`);
    this.i++;
  }

  /** The length a comprehension range or `in` list is assumed to have. */
  private sizeOf(term: Term): number {
    if (term.elements !== undefined) return term.elements;
    const path = term.path;
    if (path !== undefined && this.paramRoots.some((root) => path === root || path.startsWith(`${root}.`))) return this.paramListSize;
    return this.listSize;
  }

  // Expr = Or ("?" Or ":" Expr)?; the costlier branch counts.
  private expr(): Term {
    const test = this.binary(OR);
    this.space();
    if (this.code() !== QUESTION) return test;
    this.i++;
    const then = this.binary(OR);
    this.expect(COLON);
    const otherwise = this.expr();
    return { cost: test.cost + Math.max(then.cost, otherwise.cost) };
  }

  /**
   * The binary operators by precedence climbing (one loop instead of a function per level, which
   * dominated the reader's time): operators of precedence `min` and above, left-associative.
   * `||`/`&&` chains cost one call per operator; `in` adds the size of its list; `+` may
   * concatenate strings, so it counts as a string function.
   */
  private binary(min: number): Term {
    let term = this.unary();
    for (;;) {
      this.space();
      const src = this.src;
      const at = this.i;
      const c = src.charCodeAt(at);
      const next = src.charCodeAt(at + 1);
      let precedence = 0;
      let width = 1;
      let membership = false;
      if (c === PIPE && next === PIPE) {
        precedence = OR;
        width = 2;
      }
      else if (c === AMP && next === AMP) {
        precedence = AND;
        width = 2;
      }
      else if (c === LT || c === GT) {
        precedence = RELATION;
        width = next === EQ ? 2 : 1;
      }
      else if ((c === EQ || c === BANG) && next === EQ) {
        precedence = RELATION;
        width = 2;
      }
      else if (c === 105 /* i */ && next === 110 /* n */ && !isIdentPart(src.charCodeAt(at + 2))) {
        precedence = RELATION;
        width = 2;
        membership = true;
      }
      else if (c === PLUS || c === MINUS) precedence = ADDITION;
      else if (c === STAR || c === SLASH || c === PERCENT) precedence = MULTIPLICATION;
      if (precedence === 0 || precedence < min) return term;
      this.i = at + width;
      const right = this.binary(precedence + 1);
      if (precedence === RELATION) term = { cost: 1 + term.cost + right.cost + (membership ? this.sizeOf(right) : 0) };
      else if (precedence === ADDITION) term = { cost: 1 + (c === PLUS ? this.stringCost : 0) + term.cost + right.cost };
      else term = { cost: 1 + term.cost + right.cost };
    }
  }

  // Unary = Member / ("!"+ / "-"+) Member; a number literal may start with "-".
  private unary(): Term {
    this.space();
    const c = this.code();
    if (c !== BANG && !(c === MINUS && !isDigit(this.code(1)))) return this.member();
    let count = 0;
    while (this.code() === c) {
      this.i++;
      count++;
    }
    const operand = this.member();
    if (count % 2 === 0) return operand;
    if (operand.negates?.op === c) return operand.negates.operand;
    return { cost: 1 + operand.cost, negates: { op: c, operand } };
  }

  private member(): Term {
    let term = this.primary();
    for (;;) {
      this.space();
      const c = this.code();
      if (c === DOT) {
        this.i++;
        this.space();
        const start = this.i;
        const end = this.skipIdentifier();
        this.space();
        if (this.code() === LPAREN) {
          this.i++;
          term = this.memberCall(term, this.src.slice(start, end), this.list(RPAREN));
        } else {
          // Names are cut out only for chains that may lead to params (most selections never do).
          const cost = 1 + term.cost;
          term = term.path === undefined ? { cost, select: true } : { cost, select: true, path: `${term.path}.${this.src.slice(start, end)}` };
        }
      } else if (c === LBRACKET) {
        this.i++;
        const index = this.expr();
        this.expect(RBRACKET);
        term = { cost: 1 + term.cost + index.cost };
      } else return term;
    }
  }

  /** `target.name(args)`: a macro's comprehension, else a call. */
  private memberCall(target: Term, name: string, args: readonly Term[]): Term {
    const [variable, first, second] = args;
    if (MACROS.has(name) && variable?.ident === true && first !== undefined && (args.length === 2 || (args.length === 3 && name === 'map'))) {
      // Per step: the loop condition, the step, and 1; plus the accumulator's start and result.
      const n = this.sizeOf(target);
      const sc = this.stringCost;
      switch (name) {
        case 'all':
          return { cost: target.cost + n * (5 + first.cost) + 1 };
        case 'exists':
          return { cost: target.cost + n * (6 + first.cost) + 1 };
        case 'exists_one':
        case 'existsOne':
          return { cost: target.cost + n * (3 + sc + first.cost) + 2 };
        case 'filter':
          return { cost: target.cost + 11 + n * (14 + sc + first.cost) };
        default:
          // map(x, f) and map(x, p, f) append [f] with `+`, counted as a string function.
          return { cost: target.cost + 11 + n * (13 + sc + first.cost + (second?.cost ?? 0)) };
      }
    }
    const argCost = args.reduce((sum, arg) => sum + arg.cost, target.cost);
    return { cost: 1 + (STRING_FUNCTIONS.has(name) ? this.stringCost : 0) + argCost };
  }

  private identifier(): string {
    const start = this.i;
    return this.src.slice(start, this.skipIdentifier());
  }

  /** Moves past an identifier; its end offset. */
  private skipIdentifier(): number {
    const src = this.src;
    let i = this.i;
    let c = src.charCodeAt(i);
    if (!isIdentStart(c)) this.fail('expected an identifier');
    do c = src.charCodeAt(++i);
    while ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= ZERO && c <= NINE) || c === 95);
    this.i = i;
    return i;
  }

  /** Comma-separated expressions up to `close` (a trailing comma allowed). */
  private list(close: number): Term[] {
    const items: Term[] = [];
    this.space();
    if (this.code() === close) {
      this.i++;
      return items;
    }
    for (;;) {
      items.push(this.expr());
      this.space();
      const c = this.code();
      if (c === close) {
        this.i++;
        return items;
      }
      if (c !== COMMA) this.fail(`expected , or ${String.fromCharCode(close)}`);
      this.i++;
      this.space();
      if (this.code() === close) {
        this.i++;
        return items;
      }
    }
  }

  private primary(): Term {
    this.space();
    const c = this.code();
    if (isDigit(c) || c === MINUS || (c === DOT && isDigit(this.code(1)))) return this.number();
    if (c === DQUOTE || c === SQUOTE) {
      this.quoted(false);
      return CONSTANT;
    }
    if (c === LPAREN) {
      // A long group read before (composed expressions repeat their parts) costs what it did then:
      // its term depends only on its text, and it is stored only once read to exactly its `)`.
      const start = this.i;
      const end = this.groupEnds === undefined ? 0 : (this.groupEnds[start] as number);
      const key = end - start >= MIN_MEMO_GROUP ? this.src.slice(start, end) : undefined;
      if (key !== undefined) {
        const known = this.groups.get(key);
        if (known !== undefined) {
          this.i = end;
          return known;
        }
      }
      this.i++;
      const inner = this.expr();
      this.expect(RPAREN);
      if (key !== undefined && this.i === end) rememberGroup(this.groups, key, inner);
      return inner;
    }
    if (c === LBRACKET) {
      this.i++;
      const elements = this.list(RBRACKET);
      return { cost: 10 + elements.reduce((sum, e) => sum + e.cost, 0), elements: elements.length };
    }
    if (c === LBRACE) {
      this.i++;
      return this.entries(true);
    }
    if (c === DOT) {
      // A leading dot names the root namespace: `.a.b` reads as `a.b`.
      this.i++;
      this.space();
    }
    if (this.prefixedString()) return CONSTANT;
    const name = this.identifier();
    if (name === 'true' || name === 'false' || name === 'null') return CONSTANT;
    if (RESERVED.has(name)) this.fail(`reserved identifier ${name}`);
    this.space();
    if (this.code() === LPAREN) {
      this.i++;
      const args = this.list(RPAREN);
      // has(a.b) is a presence test: it costs what the selection does.
      const tested = args[0];
      if (name === 'has' && args.length === 1 && tested?.select === true) return { cost: tested.cost };
      return { cost: 1 + (STRING_FUNCTIONS.has(name) ? this.stringCost : 0) + args.reduce((sum, a) => sum + a.cost, 0) };
    }
    // `a.b.C{field: value}` is a message literal (apply configurations).
    const afterName = this.i;
    while (this.code() === DOT) {
      this.i++;
      this.space();
      if (!isIdentStart(this.code())) break;
      this.skipIdentifier();
      this.space();
    }
    if (this.code() === LBRACE) {
      this.i++;
      return this.entries(false);
    }
    this.i = afterName;
    // A path is kept only from the first segment of a params root on: only those lists are sized apart.
    return this.rootNames.has(name) ? { cost: 1, ident: true, path: name } : IDENT;
  }

  /** Map (`{k: v}`) or message (`T{f: v}`) entries after the `{`. */
  private entries(map: boolean): Term {
    let cost = 30;
    this.space();
    while (this.code() !== RBRACE) {
      if (map) cost += this.expr().cost;
      else this.skipIdentifier();
      this.expect(COLON);
      cost += this.expr().cost;
      this.space();
      if (this.code() === COMMA) {
        this.i++;
        this.space();
      } else if (this.code() !== RBRACE) this.fail('expected , or }');
    }
    this.i++;
    return { cost };
  }

  private number(): Term {
    if (this.code() === MINUS) this.i++;
    if (this.code() === ZERO && (this.code(1) === 120 || this.code(1) === 88)) {
      this.i += 2;
      while (isHexDigit(this.code())) this.i++;
    } else {
      while (isDigit(this.code())) this.i++;
      if (this.code() === DOT && isDigit(this.code(1))) {
        this.i++;
        while (isDigit(this.code())) this.i++;
      }
      if (this.code() === 101 || this.code() === 69) {
        this.i++;
        if (this.code() === PLUS || this.code() === MINUS) this.i++;
        while (isDigit(this.code())) this.i++;
      }
    }
    if (this.code() === 117 || this.code() === 85) this.i++;
    return CONSTANT;
  }

  /** A string or bytes literal with a prefix (`b`, `r`, `br`, any case); false (nothing read) when there is none. */
  private prefixedString(): boolean {
    let j = 0;
    if (this.code(j) === 98 || this.code(j) === 66) j++;
    const raw = this.code(j) === 114 || this.code(j) === 82;
    if (raw) j++;
    const quote = this.code(j);
    if (j === 0 || (quote !== DQUOTE && quote !== SQUOTE)) return false;
    this.i += j;
    this.quoted(raw);
    return true;
  }

  /** Skips a quoted literal (single, double or triple quotes), escapes included unless raw. */
  private quoted(raw: boolean): void {
    const quote = this.code();
    const triple = this.code(1) === quote && this.code(2) === quote;
    this.i += triple ? 3 : 1;
    const src = this.src;
    let i = this.i;
    for (;;) {
      if (i >= src.length) {
        this.i = i;
        this.fail('unterminated string');
      }
      const c = src.charCodeAt(i);
      if (c === BACKSLASH && !raw) i += 2;
      else if (c === quote && (!triple || (src.charCodeAt(i + 1) === quote && src.charCodeAt(i + 2) === quote))) {
        this.i = i + (triple ? 3 : 1);
        return;
      } else i++;
    }
  }
}

/** Expressions shorter than this are read without looking up their groups. */
const MIN_MEMO_EXPRESSION = 512;
/** Groups (with their parentheses) shorter than this are read rather than looked up. */
const MIN_MEMO_GROUP = 48;

/**
 * For each `(` of `src`, the offset just past its matching `)` (0 when unmatched). String literals
 * are skipped (escapes honoured; a raw string's backslash may mislead the scan, which only costs a
 * missed lookup: a group is remembered only after the reader ended it exactly there).
 */
function matchParens(src: string): Int32Array {
  const ends = new Int32Array(src.length);
  const open: number[] = [];
  const n = src.length;
  for (let i = 0; i < n; i++) {
    const c = src.charCodeAt(i);
    if (c === LPAREN) open.push(i);
    else if (c === RPAREN) {
      const at = open.pop();
      if (at !== undefined) ends[at] = i + 1;
    } else if (c === DQUOTE || c === SQUOTE) {
      const triple = src.charCodeAt(i + 1) === c && src.charCodeAt(i + 2) === c;
      i += triple ? 3 : 1;
      for (; i < n; i++) {
        const d = src.charCodeAt(i);
        if (d === BACKSLASH) i++;
        else if (d === c && (!triple || (src.charCodeAt(i + 1) === c && src.charCodeAt(i + 2) === c))) {
          if (triple) i += 2;
          break;
        }
      }
    }
  }
  return ends;
}

/** Group terms kept per options (a translation's composed expressions share a few thousand groups). */
const GROUP_LIMIT = 20_000;
let groupsKept = 0;

function rememberGroup(groups: Map<string, Term>, key: string, term: Term): void {
  if (groupsKept >= GROUP_LIMIT) {
    for (const memo of groupMemos.values()) memo.clear();
    groupsKept = 0;
  }
  groups.set(key, term);
  groupsKept++;
}

/** Terms of parenthesised groups by options, then by the group's text. */
const groupMemos = new Map<string, Map<string, Term>>();

/**
 * Estimates by options, then by the expression itself: keyed by the expression string (not a string
 * built from options and expression), so a lookup reuses the string's hash instead of hashing a new
 * copy of an expression that is often several KB long.
 */
const estimates = new Map<string, Map<string, number>>();
/** Estimates kept: a translation estimates the same candidate expressions in every scope group. */
const CACHE_LIMIT = 4000;
let cached = 0;

/**
 * Worst-case runtime cost of `expr` for objects whose lists hold at most `listSize` items (see the
 * module comment). Throws, naming the offset, when `expr` does not parse.
 */
export function estimateCelCost(expr: string, options: CelCostOptions = {}): number {
  const listSize = options.listSize ?? 64;
  const stringCost = Math.ceil((options.stringLength ?? 256) * 0.1);
  const paramListSize = options.paramListSize ?? 8;
  const paramRoots = options.paramRoots ?? ['params', 'variables.params'];
  const optionsKey = `${listSize} ${stringCost} ${paramListSize} ${paramRoots.join(',')}`;
  let byExpression = estimates.get(optionsKey);
  const known = byExpression?.get(expr);
  if (known !== undefined) return known;
  let groups = groupMemos.get(optionsKey);
  if (groups === undefined) groupMemos.set(optionsKey, (groups = new Map()));
  const cost = new CostReader(expr, listSize, stringCost, paramListSize, paramRoots, groups).read();
  if (cached >= CACHE_LIMIT) {
    estimates.clear();
    cached = 0;
    byExpression = undefined;
  }
  if (byExpression === undefined) estimates.set(optionsKey, (byExpression = new Map()));
  byExpression.set(expr, cost);
  cached++;
  return cost;
}
