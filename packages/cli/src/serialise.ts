/**
 * Output is data: objects are serialised with `yaml` (or JSON), never templated as text.
 * Deterministic: the same objects always give the same bytes.
 */
import { Document, Scalar, type ToStringOptions } from 'yaml';
import { stringTag, type StringifyContext } from 'yaml/util';
import type { KubernetesObject } from './targets.js';

/** Keys Kubernetes users expect first, in this order. */
const LEADING_KEYS = ['apiVersion', 'kind', 'metadata'] as const;

/** A shallow copy of `object` with `apiVersion`, `kind`, `metadata` first, then the other keys in their order. */
export function withKubernetesKeyOrder<T extends object>(object: T): T {
  const ordered: Record<string, unknown> = {};
  const source = object as Record<string, unknown>;
  for (const key of LEADING_KEYS) if (Object.hasOwn(source, key)) ordered[key] = source[key];
  for (const [key, value] of Object.entries(source)) if (!Object.hasOwn(ordered, key)) ordered[key] = value;
  return ordered as T;
}

/** How we write YAML: multi-line strings as literal blocks, long lines never folded. */
const TO_STRING_OPTIONS = { blockQuote: 'literal', lineWidth: 0 } as const satisfies ToStringOptions;

/** The reference serialisation: yaml's document model. Used for values the fast writer does not handle. */
function toYamlWithDocument(value: unknown): string {
  const document = new Document(value, { aliasDuplicateObjects: false });
  return document.toString(TO_STRING_OPTIONS);
}

/**
 * yaml's stringify context for our options, as `Document#toString` builds it (yaml's defaults plus
 * TO_STRING_OPTIONS). Only scalar strings are written through it; the serialisation tests compare
 * the whole output with `Document#toString` so a yaml upgrade that changes a default is caught.
 */
const SCALAR_DOCUMENT = new Document(null);
const BASE_CONTEXT: StringifyContext = {
  anchors: new Set<string>(),
  doc: SCALAR_DOCUMENT,
  flowCollectionPadding: ' ',
  indent: '',
  indentStep: '  ',
  inFlow: null,
  options: {
    blockQuote: TO_STRING_OPTIONS.blockQuote,
    commentString: (comment: string) => comment.replace(/^(?!$)(?: $)?/gm, '#'),
    defaultKeyType: null,
    defaultStringType: 'PLAIN',
    directives: null,
    doubleQuotedAsJSON: false,
    doubleQuotedMinMultiLineLength: 40,
    falseStr: 'false',
    flowCollectionPadding: true,
    indentSeq: true,
    lineWidth: TO_STRING_OPTIONS.lineWidth,
    minContentWidth: 20,
    nullStr: 'null',
    simpleKeys: false,
    singleQuote: null,
    trailingComma: false,
    trueStr: 'true',
    verifyAliasOrder: true,
  },
};

/** Thrown inside the fast writer for input it leaves to the document model. */
class NotPlainData extends Error {}

/**
 * Strings yaml writes plain and unchanged, as keys and as values: a letter or `_` first (so never a
 * number, `.inf` or an indicator), no space, `:` or `#` (so no `: `, ` #`), and not one of the
 * core schema's boolean or null words. Checked against yaml by the serialisation tests.
 */
const PLAIN_WORD = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const RESERVED_WORDS = new Set(['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL']);
const isPlainWord = (text: string): boolean => PLAIN_WORD.test(text) && !RESERVED_WORDS.has(text);

/** Characters yaml writes only inside double quotes (C0/C1 controls but tab and newline, unpaired surrogates). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_ESCAPES = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
/** The same without the slow unicode mode, surrogates paired or not: when it finds nothing, neither does NEEDS_ESCAPES. */
// eslint-disable-next-line no-control-regex -- as above
const MAY_NEED_ESCAPES = /[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]/;
const needsEscapes = (text: string): boolean => MAY_NEED_ESCAPES.test(text) && NEEDS_ESCAPES.test(text);

/**
 * A one-line string YAML cannot write plain: it starts with an indicator character, is a lone
 * `-`/`?` or starts with one and a blank, holds `: ` or ` #`, or ends with a blank or `:`.
 */
const UNSAFE_PLAIN = /^[\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|:[ \t]|[\t ]#|[\t :]$/;
/** First characters of strings the core schema may read as null, a boolean or a number (and the empty string). */
const MAY_LOOK_TYPED = /^(?:$|[~nNtTfF0-9+\-.])/;

/**
 * A one-line map or list value as yaml writes it, for the common shapes: plain when YAML reads it
 * back as this string, else single-quoted when it holds `"` but no `'` (CEL). `undefined` (left to
 * yaml) for the rest: escapes, look-alikes of other types, double quotes.
 */
function oneLineValue(value: string): string | undefined {
  if (needsEscapes(value)) return undefined;
  if (!UNSAFE_PLAIN.test(value)) return MAY_LOOK_TYPED.test(value) ? undefined : value;
  return value.includes('"') && !value.includes("'") ? `'${value}'` : undefined;
}

/**
 * A multi-line map or list value as yaml writes it with `blockQuote: 'literal'`, for the common
 * shape: no character that needs escapes, not starting with a space, tab or newline (which need an
 * indentation indicator), and ending in a non-blank character (`|-`) or in one newline after one
 * (`|`). Other shapes (`|+`, trailing blanks, quoted) are left to yaml: `undefined`. Empty lines
 * inside stay empty; the others get the block's indentation.
 */
function literalBlock(value: string, indent: string): string | undefined {
  const first = value.charCodeAt(0);
  if (first === 0x20 || first === 0x09 || first === 0x0a) return undefined;
  const last = value.charCodeAt(value.length - 1);
  let header: string;
  let body: string;
  if (last === 0x0a) {
    const beforeLast = value.charCodeAt(value.length - 2);
    if (beforeLast === 0x20 || beforeLast === 0x09 || beforeLast === 0x0a) return undefined;
    header = '|';
    body = value.slice(0, -1);
  } else {
    if (last === 0x20 || last === 0x09) return undefined;
    header = '|-';
    body = value;
  }
  if (needsEscapes(body)) return undefined;
  return `${header}\n${indent}${body.replace(/\n+/g, `$&${indent}`)}`;
}

/** A key longer than this is written as an explicit `? key` by yaml; we leave such documents to it. */
const IMPLICIT_KEY_LIMIT = 1024;

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Writes plain JSON-like data (plain objects, arrays, strings, finite or non-finite numbers,
 * booleans, null; `undefined` map values left out) in block style, byte for byte as
 * `Document#toString` does with our options, without building yaml's node tree. Strings, where all
 * of YAML's quoting rules live, go through yaml's own string stringifier; their renderings are
 * cached for the writer's lifetime (one stream), since generated policies repeat long strings.
 */
class BlockWriter {
  /** Keys of the top-level map, where yaml quotes a key that looks like a document marker, and the others. */
  private readonly topKeys = new Map<string, string>();
  private readonly keys = new Map<string, string>();
  /** Single-line values render the same at any depth; multi-line ones by indent. */
  private readonly values = new Map<string, string>();
  private readonly multiLine = new Map<number, Map<string, string>>();

  document(value: unknown): string {
    if (typeof value !== 'object' || value === null) throw new NotPlainData();
    return `${this.node(value, '')}\n`;
  }

  /** A collection at `indent` (the first line unindented, as its parent places it) or a scalar. */
  private node(value: unknown, indent: string): string {
    switch (typeof value) {
      case 'string':
        return this.stringValue(value, indent);
      case 'number':
        return Number.isFinite(value) ? (Object.is(value, -0) ? '-0' : JSON.stringify(value)) : Number.isNaN(value) ? '.nan' : value < 0 ? '-.inf' : '.inf';
      case 'boolean':
        return value ? 'true' : 'false';
      case 'object':
        if (value === null) return 'null';
        if (Array.isArray(value)) return this.sequence(value, indent);
        if (isPlainObject(value)) return this.mapping(value, indent);
        throw new NotPlainData();
      default:
        throw new NotPlainData();
    }
  }

  private sequence(items: readonly unknown[], indent: string): string {
    if (items.length === 0) return '[]';
    const itemIndent = `${indent}  `;
    let out = '';
    for (let i = 0; i < items.length; i++) {
      const item: unknown = items[i];
      if (item === undefined) throw new NotPlainData();
      out += `${i === 0 ? '' : `\n${indent}`}- ${this.node(item, itemIndent)}`;
    }
    return out;
  }

  private mapping(map: Record<string, unknown>, indent: string): string {
    const inner = `${indent}  `;
    let out = '';
    let first = true;
    for (const key of Object.keys(map)) {
      const value = map[key];
      if (value === undefined) continue;
      out += `${first ? '' : `\n${indent}`}${this.key(key, inner)}:`;
      first = false;
      const text = this.node(value, inner);
      // A non-empty collection starts on the next line; empty ones (`[]`, `{}`) and scalars follow the key.
      if (typeof value === 'object' && value !== null && text !== '[]' && text !== '{}') out += `\n${inner}${text}`;
      else out += text === '' || text[0] === '\n' ? text : ` ${text}`;
    }
    return first ? '{}' : out;
  }

  /** A key; `indent` is its map's indent plus one step, as in yaml's context for keys. */
  private key(key: string, indent: string): string {
    if (key.length <= IMPLICIT_KEY_LIMIT && isPlainWord(key)) return key;
    const cache = indent.length === BASE_CONTEXT.indentStep.length ? this.topKeys : this.keys;
    let text = cache.get(key);
    if (text === undefined) {
      text = stringTag.stringify!(new Scalar(key), { ...BASE_CONTEXT, implicitKey: true, indent }, undefined, undefined) as string;
      if (text.length > IMPLICIT_KEY_LIMIT) throw new NotPlainData();
      cache.set(key, text);
    }
    return text;
  }

  private stringValue(value: string, indent: string): string {
    const multiLine = value.includes('\n');
    if (!multiLine && isPlainWord(value)) return value;
    const cache = multiLine ? this.multiLineCache(indent.length) : this.values;
    let text = cache.get(value);
    if (text === undefined) {
      text = (multiLine ? literalBlock(value, indent) : oneLineValue(value)) ?? stringTag.stringify!(new Scalar(value), { ...BASE_CONTEXT, implicitKey: false, indent }, undefined, undefined) as string;
      cache.set(value, text);
    }
    return text;
  }

  private multiLineCache(depth: number): Map<string, string> {
    let cache = this.multiLine.get(depth);
    if (cache === undefined) this.multiLine.set(depth, (cache = new Map()));
    return cache;
  }
}

function toYamlWith(writer: BlockWriter, value: unknown): string {
  try {
    return writer.document(value);
  } catch (error) {
    if (error instanceof NotPlainData) return toYamlWithDocument(value);
    throw error;
  }
}

/**
 * One YAML document (no `---` marker). Multi-line strings (Rego, CEL) become literal blocks, long
 * lines are never folded, and an object reused twice is written twice rather than as an anchor.
 */
export function toYaml(value: unknown): string {
  return toYamlWith(new BlockWriter(), value);
}

/** A multi-document YAML stream: each object starts with `---`. Empty string for no objects. */
export function toYamlStream(objects: readonly KubernetesObject[]): string {
  const writer = new BlockWriter();
  return objects.map((object) => `---\n${toYamlWith(writer, withKubernetesKeyOrder(object))}`).join('');
}

/** Pretty JSON with a final newline. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** The objects as a `v1` `List` in JSON, the form `kubectl apply -f` accepts. */
export function toJsonList(objects: readonly KubernetesObject[]): string {
  return toJson({ apiVersion: 'v1', kind: 'List', items: objects.map((object) => withKubernetesKeyOrder(object)) });
}
