/**
 * YAML as kubectl reads it, with positions. kubectl decodes manifests with go-yaml v2 (YAML 1.1:
 * `yes`/`no`/`on`/`off` are booleans, `0755` is octal, `<<` merges), so we parse with the `yaml`
 * package in 1.1 mode, and keep the node tree so any field path can be mapped back to a line.
 */
import {
  Composer,
  type CST,
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  Parser,
  type ParseOptions,
  type DocumentOptions,
  type SchemaOptions,
  type Tags,
} from 'yaml';
import type { SourceRef } from '../ir/ir.js';

/** A path into a plain object: keys and array indices, as zod reports them. */
export type FieldPath = readonly (string | number)[];

/**
 * Alias expansions allowed per document. Real manifests use a handful of anchors; a "billion
 * laughs" document needs millions of expansions, so a low cap stops it before it costs memory.
 */
export const MAX_ALIAS_EXPANSIONS = 1000;

/**
 * go-yaml v2 keeps timestamp-looking and sexagesimal-looking scalars (`2021-01-01`, `1:20`) as
 * strings when decoding into untyped values, which is what kubectl does; the `yaml` package's 1.1
 * schema would turn them into Dates and base-60 numbers.
 */
function kubectlTags(tags: Tags): Tags {
  return tags.filter(
    (tag) => !(typeof tag === 'object' && (tag.tag === 'tag:yaml.org,2002:timestamp' || tag.format === 'TIME')),
  );
}

const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  customTags: kubectlTags,
  prettyErrors: false,
  uniqueKeys: true,
  // The yaml package would print its warnings to the terminal. The only one toJS raises, a key
  // that is a collection, is reported from the syntax tree instead (see parseYamlFile); a key that
  // is an alias of a collection is stringified unreported, and matches no field.
  logLevel: 'error',
};

/**
 * Collections one file may nest inside each other. Kubernetes objects nest a few dozen levels at
 * most (a CronJob's container capabilities sit at 10); the `yaml` package builds nodes recursively
 * and overflows the stack near 800 levels (in a worker thread sooner, once as a V8 out-of-memory
 * crash), so deeper input is refused before any node is built.
 */
export const MAX_NESTING_DEPTH = 256;

/** Where a document first nests collections deeper than {@link MAX_NESTING_DEPTH}, and how deep it goes. */
export interface ExcessiveNesting {
  /** Character offset of the first collection past the limit. */
  offset: number;
  /** The deepest nesting in the document, in collections. */
  depth: number;
}

/** A mapping key that is a sequence or a mapping (`? [a, b]`), which no Kubernetes object has. */
export interface CollectionKey {
  /** Character offset of the key. */
  offset: number;
  shape: 'sequence' | 'mapping';
}

/**
 * Measures collection nesting in the concrete syntax tree (which the `yaml` package's lexer and
 * parser build without recursion), with an explicit stack so no depth can overflow ours either,
 * and collects the keys that are collections on the way.
 */
function inspectSyntaxTree(document: CST.Token, limit: number, collectionKeys: CollectionKey[]): ExcessiveNesting | undefined {
  // Only collections are stacked (scalars hold none), with their depths on a parallel stack, so a
  // document costs no allocation per token.
  const pending: CollectionToken[] = [];
  const depths: number[] = [];
  const top = document.type === 'document' ? document.value : document;
  if (top && isCollectionToken(top)) {
    pending.push(top);
    depths.push(1);
  }
  let deepest = 0;
  let firstPastLimit = Number.POSITIVE_INFINITY;
  for (let token = pending.pop(); token; token = pending.pop()) {
    const level = depths.pop()!;
    if (level > deepest) deepest = level;
    if (level > limit && token.offset < firstPastLimit) firstPastLimit = token.offset;
    for (const item of token.items) {
      const { key, value } = item;
      if (key && isCollectionToken(key)) {
        pending.push(key);
        depths.push(level + 1);
        const shape = key.type === 'block-map' || (key.type === 'flow-collection' && key.start.source === '{') ? 'mapping' : 'sequence';
        collectionKeys.push({ offset: key.offset, shape });
      }
      if (value && isCollectionToken(value)) {
        pending.push(value);
        depths.push(level + 1);
      }
    }
  }
  return deepest > limit ? { offset: firstPastLimit, depth: deepest } : undefined;
}

type CollectionToken = CST.BlockMap | CST.BlockSequence | CST.FlowCollection;

function isCollectionToken(token: CST.Token): token is CollectionToken {
  return token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection';
}

/** One document of a file, with the keys in it that are collections (kubectl refuses them). */
export interface ComposedDocument {
  document: Document.Parsed;
  collectionKeys: CollectionKey[];
}

/**
 * The documents of one file, composed one at a time as they are iterated, so a long stream never
 * holds more than one document's nodes. Iteration stops at the first document nested deeper than
 * {@link MAX_NESTING_DEPTH} (before it is composed) and sets `tooDeep`: the whole file is then
 * refused, documents already iterated included.
 */
export class YamlDocumentStream {
  /** Line starts, filled in as the text is read: complete up to the end of the last document yielded. */
  readonly lineCounter = new LineCounter();
  /** Set once a document nests deeper than {@link MAX_NESTING_DEPTH}. */
  tooDeep: ExcessiveNesting | undefined;

  constructor(private readonly text: string) {}

  *[Symbol.iterator](): Generator<ComposedDocument> {
    // Keys are found when a document's syntax tree is read, which is one document ahead of the
    // composer (it yields a document when the next begins), so they wait here until theirs is out:
    // the composer yields one document per `document` token, in order.
    const pendingKeys: CollectionKey[][] = [];
    const composer = new Composer(YAML_OPTIONS);
    for (const document of composer.compose(this.inspected(new Parser(this.lineCounter.addNewLine).parse(this.text), pendingKeys))) {
      yield { document, collectionKeys: pendingKeys.shift() ?? [] };
    }
  }

  /** Passes on each syntax tree once its nesting is checked and its collection keys are found; stops at one too deep. */
  private *inspected(tokens: Iterable<CST.Token>, pendingKeys: CollectionKey[][]): Generator<CST.Token> {
    for (const token of tokens) {
      const keys: CollectionKey[] = [];
      this.tooDeep = inspectSyntaxTree(token, MAX_NESTING_DEPTH, keys);
      if (this.tooDeep) return;
      if (token.type === 'document') pendingKeys.push(keys);
      yield token;
    }
  }
}

/** One file parsed: see {@link parseYamlFile}. */
export interface ParsedYamlFile {
  documents: Document.Parsed[];
  lineCounter: LineCounter;
  /** Set when a document nests deeper than {@link MAX_NESTING_DEPTH}; `documents` is then empty. */
  tooDeep?: ExcessiveNesting;
  /** Keys that are collections, in every document read (kubectl refuses them). */
  collectionKeys: CollectionKey[];
}

/**
 * Parses every document of one file at once (see {@link YamlDocumentStream} to read them one at
 * a time). A file with a document nested deeper than {@link MAX_NESTING_DEPTH} yields no documents
 * and `tooDeep` instead.
 */
export function parseYamlFile(text: string): ParsedYamlFile {
  const stream = new YamlDocumentStream(text);
  const documents: Document.Parsed[] = [];
  const collectionKeys: CollectionKey[] = [];
  for (const composed of stream) {
    documents.push(composed.document);
    collectionKeys.push(...composed.collectionKeys);
  }
  const { lineCounter, tooDeep } = stream;
  return tooDeep ? { documents: [], lineCounter, tooDeep, collectionKeys: [] } : { documents, lineCounter, collectionKeys };
}

/** True for a document that holds nothing (only comments, `---`, or an explicit null). */
export function isEmptyDocument(document: Document.Parsed): boolean {
  const contents = document.contents;
  return contents === null || (isScalar(contents) && (contents.value === null || contents.value === undefined));
}

/** Maps offsets and field paths of one document to 1-based file positions. */
export class SourceLocator {
  /**
   * @param offsetInFile where the text the document was parsed from starts in the file (for a
   * document parsed on its own, out of a larger file), added to every offset before it is placed.
   */
  constructor(
    readonly file: string,
    private readonly document: Document.Parsed,
    private readonly lineCounter: LineCounter,
    private readonly offsetInFile = 0,
  ) {}

  /** Position of a character offset. */
  atOffset(offset: number): SourceRef {
    const { line, col } = this.lineCounter.linePos(offset + this.offsetInFile);
    return { file: this.file, line, column: col };
  }

  /** Position of a node (its first character), or of the document start when unknown. */
  atNode(node: Node | null | undefined): SourceRef {
    return this.atOffset(node?.range?.[0] ?? this.document.range[0]);
  }

  /**
   * Finds the node at `path` below `from`. Stops at the deepest node that exists, so a missing
   * field points at the mapping that should have held it. With `key`, the last step yields the
   * key rather than the value (where an unknown field is written).
   */
  find(from: Node | null, path: FieldPath, options: { key?: boolean } = {}): Node | null {
    let node = this.resolve(from);
    for (let i = 0; i < path.length && node; i++) {
      const segment = path[i]!;
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = this.findPair(node, String(segment));
        if (!pair) return node;
        const keyNode = isAlias(pair.key) || isScalar(pair.key) || isMap(pair.key) || isSeq(pair.key) ? (pair.key as Node) : null;
        if (last && options.key && keyNode) return keyNode;
        const value = this.resolve((pair.value as Node | null) ?? null);
        // `key:` with no value has no value node: point at the key.
        if (!value || !value.range) return keyNode ?? node;
        node = value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = this.resolve((node.items[segment] as Node | undefined) ?? null);
        if (!item) return node;
        node = item;
      } else {
        return node;
      }
    }
    return node;
  }

  /** Position of the node at `path` (see {@link SourceLocator.find}). */
  at(from: Node | null, path: FieldPath, options: { key?: boolean } = {}): SourceRef {
    return this.atNode(this.find(from, path, options));
  }

  private resolve(node: Node | null): Node | null {
    if (node && isAlias(node)) return (node.resolve(this.document) as Node | undefined) ?? node;
    return node;
  }

  private findPair(map: Node, key: string): { key: unknown; value: unknown } | undefined {
    if (!isMap(map)) return undefined;
    for (const pair of map.items) {
      if (isPair(pair) && isScalar(pair.key) && typeof pair.key.value !== 'symbol' && String(pair.key.value) === key) return pair;
    }
    // The field may come from a `<<: *anchor` merge.
    for (const pair of map.items) {
      // With merge keys on, the `<<` key's value is a symbol; its source text is still `<<`.
      if (isPair(pair) && isScalar(pair.key) && (pair.key.source === '<<' || pair.key.value === '<<')) {
        const merged = this.resolve(pair.value as Node | null);
        const sources = isSeq(merged) ? merged.items.map((item) => this.resolve(item as Node)) : [merged];
        for (const source of sources) {
          const found = source && isMap(source) ? this.findPair(source, key) : undefined;
          if (found) return found;
        }
      }
    }
    return undefined;
  }
}

/** Reads a value at `path` in plain data (undefined when any step is missing). */
export function valueAt(data: unknown, path: FieldPath): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/**
 * A field path as users write it: `spec.hostPorts[0].min`, and keys that are not identifiers in
 * brackets: `metadata.annotations["seccomp.security.alpha.kubernetes.io/allowedProfileNames"]`.
 */
export function formatFieldPath(path: FieldPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}
