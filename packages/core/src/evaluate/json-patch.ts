/**
 * Applying the evaluator's JSON Patch operations (add, replace, remove) to plain data, without
 * changing the input. Tests use it to check that a verdict's `mutations` turn the input pod into the
 * verdict's pod; emitter tests use it to compare mutations.
 */
import type { JsonPatchOp } from './types.js';

type Node = Record<string, unknown> | unknown[];

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON Pointer "${pointer}" must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function copy(node: unknown): Node {
  if (Array.isArray(node)) return [...node];
  if (typeof node === 'object' && node !== null) return { ...(node as Record<string, unknown>) };
  throw new Error('cannot descend into a non-object');
}

/** Apply `ops` in order to a copy of `document` (RFC 6902 add/replace/remove). Throws on a bad path. */
export function applyJsonPatch<T>(document: T, ops: readonly JsonPatchOp[]): T {
  let root: unknown = document;
  for (const op of ops) {
    const path = parsePointer(op.path);
    if (path.length === 0) {
      root = op.op === 'remove' ? undefined : op.value;
      continue;
    }
    const newRoot = copy(root);
    let parent: Node = newRoot;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i] as string;
      const child = (parent as Record<string, unknown>)[key];
      if (typeof child !== 'object' || child === null) {
        throw new Error(`${op.op} ${op.path}: parent ${'/' + path.slice(0, i + 1).join('/')} does not exist`);
      }
      const copied = copy(child);
      (parent as Record<string, unknown>)[key] = copied;
      parent = copied;
    }
    const leaf = path[path.length - 1] as string;
    if (Array.isArray(parent)) {
      const index = leaf === '-' ? parent.length : Number(leaf);
      if (op.op === 'add') parent.splice(index, 0, op.value);
      else if (op.op === 'replace') parent[index] = op.value;
      else parent.splice(index, 1);
    } else if (op.op === 'remove' || op.op === 'replace') {
      if (!(leaf in parent)) throw new Error(`${op.op} ${op.path}: no such member`);
      if (op.op === 'remove') delete parent[leaf];
      else parent[leaf] = op.value;
    } else {
      parent[leaf] = op.value;
    }
    root = newRoot;
  }
  return root as T;
}
