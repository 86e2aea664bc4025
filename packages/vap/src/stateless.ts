/**
 * What the API server lets a `matchConditions` expression read. It validates every match condition
 * of a ValidatingAdmissionPolicy and of a MutatingAdmissionPolicy with its stateless CEL compiler
 * (admissionregistration validation, `validateMatchConditionsExpression`), which declares the
 * request's objects but not `variables`: a policy whose match condition reads a variable is refused
 * at create and update, even though the mutating plugin's runtime compilation would accept it.
 *
 * The check scans the expression's tokens (string literals and comments skipped) for identifiers
 * that are neither selected fields (`a.variables`), function names (`f(`), comprehension variables
 * (`.all(x, ...)`, `cel.bind(x, ...)`), CEL keywords and type names, nor declared.
 */

/** The identifiers the API server declares for a match condition (no `variables`). */
export const MATCH_CONDITION_IDENTIFIERS: readonly string[] = ['object', 'oldObject', 'request', 'params', 'namespaceObject', 'authorizer'];

/** Names CEL itself gives meaning: literals and type names usable as values (`type(x) == int`). */
const BUILT_IN = new Set(['true', 'false', 'null', 'in', 'int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn']);
/** Namespaces of functions the Kubernetes CEL environment has (`cel.bind`, `optional.of`, `math.greatest`, ...). */
const FUNCTION_NAMESPACES = new Set(['cel', 'math', 'strings', 'base64', 'sets', 'lists', 'optional', 'regex', 'format', 'ip']);
/** Macros and how many leading identifier arguments they bind. */
const BINDERS: ReadonlyMap<string, number> = new Map([
  ['all', 2],
  ['exists', 2],
  ['exists_one', 2],
  ['existsOne', 2],
  ['map', 1],
  ['filter', 1],
  ['transformList', 2],
  ['transformMap', 2],
  ['transformMapEntry', 2],
  ['bind', 1],
]);

/** A token; literals keep no text. */
interface Token {
  kind: 'ident' | 'punct' | 'literal';
  text: string;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;

/** CEL tokens of `expression`, string and number literals collapsed, comments dropped. */
function tokens(expression: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = expression.length;
  while (i < n) {
    const ch = expression[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '/' && expression[i + 1] === '/') {
      while (i < n && expression[i] !== '\n') i++;
      continue;
    }
    // String and bytes literals, with optional r/b prefixes (raw ones take backslashes literally).
    const prefix = /^[rRbB]{0,2}(?=["'])/.exec(expression.slice(i, i + 3));
    if (prefix !== null && (prefix[0] === '' || !IDENT_PART.test(expression[i - 1] ?? ' '))) {
      const raw = /[rR]/.test(prefix[0]);
      let j = i + prefix[0].length;
      const quote = expression[j] as string;
      const triple = expression.startsWith(quote.repeat(3), j);
      const close = triple ? quote.repeat(3) : quote;
      j += close.length;
      while (j < n && !expression.startsWith(close, j)) j += !raw && expression[j] === '\\' ? 2 : 1;
      i = j + close.length;
      out.push({ kind: 'literal', text: '' });
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(expression[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < n && (IDENT_PART.test(expression[j] as string) || (expression[j] === '.' && /[0-9]/.test(expression[j + 1] ?? '')))) j++;
      i = j;
      out.push({ kind: 'literal', text: '' });
      continue;
    }
    if (IDENT_START.test(ch)) {
      let j = i + 1;
      while (j < n && IDENT_PART.test(expression[j] as string)) j++;
      out.push({ kind: 'ident', text: expression.slice(i, j) });
      i = j;
      continue;
    }
    out.push({ kind: 'punct', text: ch });
    i++;
  }
  return out;
}

/**
 * The identifiers `expression` reads that `declared` does not hold (each once, in order of first
 * use): what a CEL compiler declaring only `declared` (and CEL's built-ins) reports as undeclared
 * references.
 */
export function undeclaredReferences(expression: string, declared: readonly string[] = MATCH_CONDITION_IDENTIFIERS): string[] {
  const list = tokens(expression);
  const bound = new Set<string>();
  // Comprehension variables: `.all(x, ...)`, `.all(k, v, ...)`, `cel.bind(x, ...)`.
  list.forEach((token, i) => {
    if (token.kind !== 'ident' || list[i - 1]?.text !== '.' || list[i + 1]?.text !== '(') return;
    const count = BINDERS.get(token.text) ?? 0;
    for (let k = 0; k < count; k++) {
      const variable = list[i + 2 + 2 * k];
      if (variable?.kind !== 'ident' || list[i + 3 + 2 * k]?.text !== ',') break;
      bound.add(variable.text);
    }
  });
  const known = new Set(declared);
  const found: string[] = [];
  list.forEach((token, i) => {
    if (token.kind !== 'ident') return;
    const previous = list[i - 1];
    const next = list[i + 1];
    if (previous?.kind === 'punct' && previous.text === '.') return; // a field or a method
    if (next?.kind === 'punct' && next.text === '(') return; // a global function
    if (FUNCTION_NAMESPACES.has(token.text) && next?.text === '.' && list[i + 3]?.text === '(') return;
    if (BUILT_IN.has(token.text) || bound.has(token.text) || known.has(token.text)) return;
    if (!found.includes(token.text)) found.push(token.text);
  });
  return found;
}

/**
 * Why the API server would refuse these match conditions: one line per condition that reads
 * anything its stateless compiler does not declare (`variables` above all). Empty when they pass.
 */
export function matchConditionErrors(conditions: readonly { name?: unknown; expression?: unknown }[]): string[] {
  return conditions.flatMap((condition, i) => {
    if (typeof condition.expression !== 'string') return [];
    const undeclared = undeclaredReferences(condition.expression);
    if (undeclared.length === 0) return [];
    return [`spec.matchConditions[${i}] (${String(condition.name)}): reads ${undeclared.join(', ')}, which the API server's match-condition compiler does not declare (match conditions are compiled without variables), so it refuses the policy`];
  });
}
