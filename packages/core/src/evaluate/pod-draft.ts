/**
 * Copy-on-write editing of a pod that records every change as a JSON Patch operation.
 *
 * Most evaluations change nothing, and most changes touch a handful of fields: copying only the
 * objects on the path to a changed field keeps evaluation cheap (no deep clone per policy) while the
 * input pod stays untouched.
 */
import type { Pod } from '../pod/types.js';
import type { JsonPatchOp } from './types.js';

type Segment = string | number;
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
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isObject(value: unknown): value is Node {
  return typeof value === 'object' && value !== null;
}

/** A pod being defaulted: `pod` is the current state, `ops` the changes so far. */
export class PodDraft {
  /** The current pod: the input until the first change, a partial copy afterwards. */
  pod: Pod;
  readonly ops: JsonPatchOp[] = [];
  /** Objects this draft owns (already copied), which it may therefore change in place. */
  private readonly owned = new Set<object>();

  constructor(pod: Pod) {
    this.pod = pod;
  }

  get changed(): boolean {
    return this.ops.length > 0;
  }

  /**
   * The object at `path`, owned by this draft (copied or created), for several {@link put}s in a
   * row without walking the path again. Missing parents are created as in {@link set}.
   */
  at(path: readonly Segment[]): { node: Node; pointer: string } {
    if (!this.owned.has(this.pod)) {
      this.pod = { ...this.pod };
      this.owned.add(this.pod);
    }
    let node = this.pod as unknown as Node;
    let pointer = '';
    for (const key of path) {
      pointer += '/' + escapeSegment(key);
      let child = node[key];
      if (!isObject(child)) {
        const existed = child !== undefined;
        child = {};
        this.ops.push({ op: existed ? 'replace' : 'add', path: pointer, value: {} });
      } else if (!this.owned.has(child)) {
        child = Array.isArray(child) ? [...(child as unknown[])] : { ...child };
      }
      this.owned.add(child as object);
      node[key] = child;
      node = child as Node;
    }
    return { node, pointer };
  }

  /** Set `key` of an object obtained from {@link at}. */
  put(target: { node: Node; pointer: string }, key: Segment, value: unknown): void {
    const existed = target.node[key] !== undefined;
    target.node[key] = value;
    // The value is shared with the pod, not copied: the draft never edits a value it did not copy
    // first, and callers treat verdicts as read-only.
    this.ops.push({ op: existed ? 'replace' : 'add', path: target.pointer + '/' + escapeSegment(key), value });
  }

  /**
   * Set `value` at `path`. Missing (or null) parent objects are created with an `add` (or
   * `replace` of the null) of an empty object, so the patch applies to the original pod in order.
   */
  set(path: readonly Segment[], value: unknown): void {
    this.put(this.at(path.slice(0, -1)), path[path.length - 1] as Segment, value);
  }
}
