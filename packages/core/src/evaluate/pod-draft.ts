/**
 * Copy-on-write editing of a pod that records every change as a JSON Patch operation.
 *
 * Most evaluations change nothing, and most changes touch a handful of fields: copying only the
 * objects on the path to a changed field keeps evaluation cheap (no deep clone per policy) while the
 * input pod stays untouched.
 */
import type { Pod } from '../pod/types.js';
import type { JsonPatchOp } from './types.js';

/** One step of a path into a pod: an object key, or an array index. */
export type Segment = string | number;
type Node = Record<string | number, unknown>;

/** JSON Pointer for a path: `/` in a key becomes `~1`, `~` becomes `~0` (RFC 6901). */
export function jsonPointer(path: readonly Segment[]): string {
  let out = '';
  for (const segment of path) out += '/' + escapeSegment(segment);
  return out;
}

function escapeSegment(segment: Segment): string {
  if (typeof segment === 'number') return String(segment);
  // Most keys need no escaping; skip the regexes for them (this runs for every recorded change).
  if (!segment.includes('~') && !segment.includes('/')) return segment;
  // The rest are annotation keys (the seccomp and AppArmor ones on almost every defaulted pod).
  let escaped = escapedKeys.get(segment);
  if (escaped === undefined) {
    escaped = segment.replace(/~/g, '~0').replace(/\//g, '~1');
    if (escapedKeys.size < 10_000) escapedKeys.set(segment, escaped);
  }
  return escaped;
}

const escapedKeys = new Map<string, string>();

/**
 * `{ ...source }`, fast. V8 (Node 20) gives a spread copy a map that makes adding a new property to
 * it cost about a microsecond; copies here usually get new fields, and `Object.assign` avoids that.
 * An own `__proto__` key (YAML can have one) would go through the setter with `Object.assign`, so such
 * objects are spread.
 */
export function copyObject<T extends object>(source: T): T {
  return Object.prototype.hasOwnProperty.call(source, '__proto__') ? { ...source } : Object.assign({}, source);
}

function isObject(value: unknown): value is Node {
  return typeof value === 'object' && value !== null;
}

/** A pod being defaulted: `pod` is the current state, `ops` the changes so far. */
export class PodDraft {
  /** The current pod: the input until the first change, a partial copy afterwards. */
  pod: Pod;
  readonly ops: JsonPatchOp[] = [];
  /**
   * Objects this draft owns (already copied), which it may therefore change in place. A draft owns a
   * handful of objects (the path to each changed field), so a list beats a Set's identity hashing.
   */
  private readonly owned: object[] = [];

  constructor(pod: Pod) {
    this.pod = pod;
  }

  get changed(): boolean {
    return this.ops.length > 0;
  }

  /**
   * The object at `path`, owned by this draft (copied or created), for several {@link put}s in a
   * row without walking the path again. Missing parents are created as in {@link set}.
   * `pointer`, when given, is `jsonPointer(path)` (callers with fixed paths precompute it).
   */
  at(path: readonly Segment[], pointer?: string): { node: Node; pointer: string } {
    const owned = this.owned;
    if (owned.length === 0) {
      this.pod = copyObject(this.pod);
      owned.push(this.pod);
    }
    let node = this.pod as unknown as Node;
    for (let i = 0; i < path.length; i++) {
      const key = path[i] as Segment;
      let child = node[key];
      if (!isObject(child)) {
        const existed = child !== undefined;
        child = {};
        // The path's own pointer is given for the last segment (the usual object to create).
        this.ops.push({ op: existed ? 'replace' : 'add', path: pointer !== undefined && i === path.length - 1 ? pointer : pointerOf(path, i + 1), value: {} });
        owned.push(child as object);
        node[key] = child;
      } else if (!owned.includes(child as object)) {
        child = Array.isArray(child) ? [...(child as unknown[])] : copyObject(child);
        owned.push(child as object);
        node[key] = child;
      }
      node = child as Node;
    }
    return { node, pointer: pointer ?? jsonPointer(path) };
  }

  /**
   * Set `key` of an object obtained from {@link at}. `escapedKey`, when given, is the key as a JSON
   * Pointer segment (callers writing fixed field names pass the name: nothing to escape or look up).
   */
  put(target: { node: Node; pointer: string }, key: Segment, value: unknown, escapedKey?: string): void {
    const existed = target.node[key] !== undefined;
    target.node[key] = value;
    // The value is shared with the pod, not copied: the draft never edits a value it did not copy
    // first, and callers treat verdicts as read-only.
    this.ops.push({ op: existed ? 'replace' : 'add', path: target.pointer + '/' + (escapedKey ?? escapeSegment(key)), value });
  }

  /** {@link put} for a field name, which needs no escaping in a JSON Pointer (no `~` or `/`). */
  putField(target: { node: Node; pointer: string }, field: string, value: unknown): void {
    const existed = target.node[field] !== undefined;
    target.node[field] = value;
    this.ops.push({ op: existed ? 'replace' : 'add', path: target.pointer + '/' + field, value });
  }

  /**
   * Set `value` at `path`. Missing (or null) parent objects are created with an `add` (or
   * `replace` of the null) of an empty object, so the patch applies to the original pod in order.
   */
  set(path: readonly Segment[], value: unknown): void {
    this.put(this.at(path.slice(0, -1)), path[path.length - 1] as Segment, value);
  }
}

/** The JSON Pointer of the first `length` segments of `path`. */
function pointerOf(path: readonly Segment[], length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += '/' + escapeSegment(path[i] as Segment);
  return out;
}
