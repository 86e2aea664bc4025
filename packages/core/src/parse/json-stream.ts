/**
 * The fast path for manifests written as JSON: `kubectl get -o json`, and multi-document streams
 * whose documents are each one JSON value (`helm template` and generators that print flow style).
 * JSON is YAML, and for it the `yaml` package in our 1.1 mode yields exactly what `JSON.parse`
 * does (tested against it), at a small fraction of the cost. A file takes this path only when every
 * document is plain JSON that the YAML reading could not have read differently or refused; anything
 * else (anchors, tags, directives, comments glued to a token, duplicate keys, deep nesting) sends the
 * whole file down the YAML path, so its results and errors stay as they were.
 */
import { LineCounter } from 'yaml';
import { MAX_NESTING_DEPTH } from './yaml-source.js';

/** One document of a JSON stream. */
export interface JsonDocument {
  /** Character offset of the value's first character (`{` or `[`) in the file. */
  start: number;
  /** The value's text, `text.slice(start, start + source.length)` of the file. */
  source: string;
  /** The value, as `JSON.parse` (and the YAML reading) gives it. */
  data: unknown;
  /**
   * For a mapping with an `items` list: the offset in the file of each item's first character, so
   * a `kind: List`'s objects are positioned without composing YAML nodes.
   */
  itemStarts?: number[];
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const HASH = 0x23;
const DASH = 0x2d;
const DOT = 0x2e;
const PERCENT = 0x25;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

function isSpace(code: number): boolean {
  return code === SPACE || code === TAB || code === LF || code === CR;
}

/** A three-character document marker (`---` or `...`) at `at`, followed by white space or the end. */
function isMarker(text: string, at: number, char: number): boolean {
  if (text.charCodeAt(at) !== char || text.charCodeAt(at + 1) !== char || text.charCodeAt(at + 2) !== char) return false;
  return at + 3 >= text.length || isSpace(text.charCodeAt(at + 3));
}

/** Result of scanning one JSON value's structure. */
interface ValueScan {
  /** Offset just past the value's closing bracket. */
  end: number;
  /** `:` outside strings: one per mapping entry, so a duplicate key shows as one key too few. */
  entries: number;
  itemStarts?: number[];
}

/**
 * Finds where the JSON value starting at `start` (an opening bracket) ends, counting its mapping
 * entries, and for a top-level mapping the start of each element of its `items` list. Returns
 * undefined for nesting deeper than {@link MAX_NESTING_DEPTH}, a lone carriage return or an
 * unterminated value. Anything else that is not JSON is left to `JSON.parse` to refuse.
 */
function scanValue(text: string, start: number): ValueScan | undefined {
  const rootIsMapping = text.charCodeAt(start) === OPEN_BRACE;
  let depth = 0;
  let entries = 0;
  // Top-level key tracking, for `items`.
  let lastTopString: string | undefined;
  let topKey: string | undefined;
  let inItems = false;
  let expectItem = false;
  let itemStarts: number[] | undefined;
  for (let at = start; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (inItems && depth === 2 && expectItem && !isSpace(code) && code !== CLOSE_BRACKET) {
      itemStarts!.push(at);
      expectItem = false;
    }
    if (code === QUOTE) {
      let close = at + 1;
      for (;;) {
        close = text.indexOf('"', close);
        if (close === -1) return undefined;
        let backslashes = 0;
        while (text.charCodeAt(close - 1 - backslashes) === BACKSLASH) backslashes++;
        if (backslashes % 2 === 0) break;
        close++;
      }
      if (depth === 1 && rootIsMapping) lastTopString = text.slice(at, close + 1);
      at = close;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth++;
      if (depth > MAX_NESTING_DEPTH) return undefined;
      if (depth === 2 && code === OPEN_BRACKET && topKey === 'items') {
        inItems = true;
        expectItem = true;
        itemStarts = [];
      }
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
      if (depth === 1) inItems = false;
      if (depth === 0) return { end: at + 1, entries, ...(itemStarts ? { itemStarts } : {}) };
    } else if (code === COLON) {
      entries++;
      if (depth === 1 && rootIsMapping && lastTopString !== undefined) {
        try {
          topKey = JSON.parse(lastTopString) as string;
        } catch {
          topKey = undefined;
        }
      }
    } else if (code === COMMA) {
      if (inItems && depth === 2) expectItem = true;
    } else if (code === CR && text.charCodeAt(at + 1) !== LF) {
      // JSON white space, but the YAML reading keeps a lone carriage return as part of the next token.
      return undefined;
    }
  }
  return undefined;
}

/** Mapping entries in a parsed JSON value (compared with the `:` count to find duplicate keys). */
function countEntries(value: unknown): number {
  let count = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (next === null || typeof next !== 'object') continue;
    if (Array.isArray(next)) {
      for (const item of next) if (item !== null && typeof item === 'object') pending.push(item);
    } else {
      for (const key in next) {
        count++;
        const item = (next as Record<string, unknown>)[key];
        if (item !== null && typeof item === 'object') pending.push(item);
      }
    }
  }
  return count;
}

/**
 * Reads a file as a stream of JSON documents (separated by `---` lines, with blank lines and
 * comment lines around them allowed), or returns undefined when any part of it is not such a
 * document and the file must be read as YAML.
 */
export function readJsonStream(text: string): JsonDocument[] | undefined {
  const documents: JsonDocument[] = [];
  let lineStart = true;
  // Whether the current document already holds its value (a second one is not JSON).
  let hasValue = false;
  // Whether the previous character separates tokens (a comment needs white space before it).
  let afterSpace = true;
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code === LF) {
      lineStart = true;
      afterSpace = true;
      continue;
    }
    // Tabs before a document's value and lone carriage returns are where YAML and JSON differ: leave them to YAML.
    if (code === SPACE || (code === CR && text.charCodeAt(at + 1) === LF)) {
      lineStart = false;
      afterSpace = true;
      continue;
    }
    if (lineStart && isMarker(text, at, DASH)) {
      hasValue = false;
      at += 2;
      lineStart = false;
      afterSpace = false;
      continue;
    }
    // Document end markers and directives change how the next document is read: leave them to YAML.
    if (lineStart && (code === PERCENT || isMarker(text, at, DOT))) return undefined;
    lineStart = false;
    if (code === HASH) {
      if (!afterSpace) return undefined;
      const newline = text.indexOf('\n', at);
      if (newline === -1) break;
      at = newline - 1;
      continue;
    }
    if ((code !== OPEN_BRACE && code !== OPEN_BRACKET) || hasValue) return undefined;
    const scan = scanValue(text, at);
    if (!scan) return undefined;
    const source = text.slice(at, scan.end);
    let data: unknown;
    try {
      data = JSON.parse(source);
    } catch {
      return undefined;
    }
    // Fewer entries than `:`s means a key written twice: JSON.parse keeps the last, YAML refuses it.
    if (countEntries(data) !== scan.entries) return undefined;
    documents.push({ start: at, source, data, ...(scan.itemStarts ? { itemStarts: scan.itemStarts } : {}) });
    hasValue = true;
    afterSpace = false;
    at = scan.end - 1;
  }
  return documents;
}

/** The line index the YAML reading would have built for `text`: a line starts after every `\n`. */
export function lineIndex(text: string): LineCounter {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', newline + 1)) lines.addNewLine(newline + 1);
  return lines;
}
