/**
 * JSON values as CEL source literals.
 */
import type { Json } from './ast.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Characters the loop below escapes or rejects; surrogates (paired or not) go through the loop, which tells them apart. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_CEL_ESCAPE = /[\\"\x00-\x1f\x7f\u2028\u2029\ud800-\udfff]/;

/**
 * A CEL string literal for `value`: double-quoted, with `\`, `"`, and control characters escaped.
 * Other characters are written as they are (CEL source is UTF-8). A lone UTF-16 surrogate cannot be
 * written in CEL at all and is an error.
 */
export function celString(value: string): string {
  // Most strings need no escape (and no surrogate check): written as they are, without the loop.
  if (!NEEDS_CEL_ESCAPE.test(value)) return `"${value}"`;
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0xd800 && code <= 0xdfff) {
      throw new Error(`cannot write ${JSON.stringify(value)} as a CEL string: it holds a lone UTF-16 surrogate (U+${code.toString(16).toUpperCase()}). Fix the input text.`);
    } else if (code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16)}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * A CEL literal for a JSON value: strings quoted and escaped, whole numbers as `int` (as Kubernetes
 * binds them), other numbers as `double`, lists, and maps with string keys. `bigint` is accepted as
 * an `int`.
 */
export function celLiteral(value: Json | bigint): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return celString(value);
    case 'bigint':
      if (value < INT64_MIN || value > INT64_MAX) throw new Error(`${value} does not fit a CEL int (64-bit)`);
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`${value} has no CEL literal; use a finite number`);
      if (Number.isSafeInteger(value)) return Object.is(value, -0) ? '0' : String(value);
      // A double: make sure CEL reads it as one (needs a '.' or an exponent).
      return /[.eE]/.test(String(value)) ? String(value) : `${String(value)}.0`;
    case 'object':
      if (Array.isArray(value)) return `[${(value as readonly Json[]).map((item) => celLiteral(item)).join(', ')}]`;
      return `{${Object.entries(value as Record<string, Json>)
        .map(([key, item]) => `${celString(key)}: ${celLiteral(item)}`)
        .join(', ')}}`;
    default:
      throw new Error(`cannot write a ${typeof value} as a CEL literal`);
  }
}
