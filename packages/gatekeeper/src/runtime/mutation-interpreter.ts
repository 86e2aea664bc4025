/**
 * A small interpreter of Gatekeeper's Assign and ModifySet mutators, written from Gatekeeper's
 * documented semantics (website/docs/mutation.md) and checked against the behaviour of its
 * pkg/mutation (location parser, path tester, mutation walk), so tests and `check --target gatekeeper` can EXECUTE what we emit.
 *
 * Faithful in: location syntax (`a.b[key: value].c`, `[key: *]` globs, quoted segments), path
 * tests (`MustExist`/`MustNotExist` on prefixes of the location, checked at the depth they name,
 * per glob-expanded element), creation of missing parents (never of glob list elements), "no change
 * is persisted unless the leaf was set", Assign `value`, ModifySet `merge`/`prune` with deep-equal
 * membership, `applyTo` (Pod v1 only) with `operations`, and the whole `match` (../match.ts, on the
 * pod as mutated so far, as Gatekeeper matches each mutator against the object being mutated).
 *
 * Limits (not needed by what we emit, so rejected or ignored loudly): `fromMetadata`, external
 * data, AssignMetadata, AssignImage, mutator
 * ordering across kinds (Gatekeeper runs mutators sorted by kind/name and iterates until the object
 * converges; we apply in the given order once, and tests apply twice to check convergence).
 */

import { gatekeeperMatches, type GatekeeperMatch, type MatchedPod } from '../match.js';

/** One step of a parsed Gatekeeper mutation `location`: an object key, or a keyed list entry (`name: x`, or `*` as `null`). */
export type PathNode = { kind: 'object'; key: string } | { kind: 'list'; keyField: string; keyValue: string | null };

/** Parse a Gatekeeper location; `keyValue: null` is the `*` glob. */
export function parseLocation(location: string): PathNode[] {
  const nodes: PathNode[] = [];
  let i = 0;
  const readName = (): string => {
    if (location[i] === '"' || location[i] === "'") {
      const quote = location[i]!;
      let out = '';
      i++;
      while (i < location.length && location[i] !== quote) {
        if (location[i] === '\\') i++;
        out += location[i] ?? '';
        i++;
      }
      if (location[i] !== quote) throw new Error(`unterminated quote in ${location}`);
      i++;
      return out;
    }
    const start = i;
    while (i < location.length && /[^.[\]:\s"']/.test(location[i]!)) i++;
    if (start === i) throw new Error(`expected a name at ${i} in ${location}`);
    return location.slice(start, i);
  };
  const skipSpace = () => {
    while (location[i] === ' ') i++;
  };
  while (i < location.length) {
    if (nodes.length > 0) {
      if (location[i] === '.') i++;
      else if (location[i] !== '[') throw new Error(`expected . or [ at ${i} in ${location}`);
    }
    if (location[i] === '[') {
      i++;
      skipSpace();
      const keyField = readName();
      skipSpace();
      if (location[i] !== ':') throw new Error(`expected : at ${i} in ${location}`);
      i++;
      skipSpace();
      let keyValue: string | null;
      if (location[i] === '*') {
        keyValue = null;
        i++;
      } else keyValue = readName();
      skipSpace();
      if (location[i] !== ']') throw new Error(`expected ] at ${i} in ${location}`);
      i++;
      if (nodes.length === 0 || nodes[nodes.length - 1]!.kind !== 'object') {
        throw new Error(`a list selector must follow a field name in ${location}`);
      }
      nodes.push({ kind: 'list', keyField, keyValue });
    } else nodes.push({ kind: 'object', key: readName() });
  }
  return nodes;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * A Gatekeeper `mutations.gatekeeper.sh/v1` Assign or ModifySet, the fields {@link mutatePod}
 * interprets (its limits are listed at the top of this module).
 */
export interface MutatorObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    applyTo?: { groups: string[]; kinds: string[]; versions: string[]; operations?: string[] }[];
    match?: GatekeeperMatch;
    location: string;
    parameters: {
      pathTests?: { subPath: string; condition: 'MustExist' | 'MustNotExist' }[];
      assign?: { value?: unknown; fromMetadata?: unknown; externalData?: unknown };
      operation?: 'merge' | 'prune';
      values?: { fromList: unknown[] };
    };
  };
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function samePrefix(a: PathNode, b: PathNode): boolean {
  return deepEqual(a, b);
}

/** Per depth, the condition of the path test ending there (validated as prefixes, like Gatekeeper). */
function pathTestsByDepth(location: PathNode[], tests: MutatorObject['spec']['parameters']['pathTests']) {
  const byDepth = new Map<number, 'MustExist' | 'MustNotExist'>();
  for (const test of tests ?? []) {
    const sub = parseLocation(test.subPath);
    if (sub.length > location.length || !sub.every((node, i) => samePrefix(node, location[i]!))) {
      throw new Error(`path test ${test.subPath} is not a prefix of the location`);
    }
    const depth = sub.length - 1;
    const existing = byDepth.get(depth);
    if (existing !== undefined && existing !== test.condition) throw new Error(`conflicting path tests at ${test.subPath}`);
    byDepth.set(depth, test.condition);
  }
  return {
    existsOkay: (depth: number) => (byDepth.get(depth) ?? 'MustExist') === 'MustExist',
    missingOkay: (depth: number) => (byDepth.get(depth) ?? 'MustNotExist') === 'MustNotExist',
  };
}

type Setter = (parent: JsonObject, key: string) => void;

function setterOf(mutator: MutatorObject): Setter {
  const p = mutator.spec.parameters;
  if (mutator.kind === 'Assign') {
    if (p.assign?.fromMetadata !== undefined || p.assign?.externalData !== undefined || !('value' in (p.assign ?? {}))) {
      throw new Error(`interpreter supports Assign with a constant value only (${mutator.metadata.name})`);
    }
    const value = p.assign!.value as Json;
    return (parent, key) => {
      parent[key] = clone(value);
    };
  }
  if (mutator.kind === 'ModifySet') {
    const values = (p.values?.fromList ?? []) as Json[];
    const operation = p.operation ?? 'merge';
    return (parent, key) => {
      const current = parent[key];
      if (operation === 'merge') {
        if (current === undefined) {
          parent[key] = clone(values);
          return;
        }
        if (!Array.isArray(current)) throw new Error(`${key} is not a list, cannot treat it as a set`);
        for (const v of values) if (!current.some((e) => deepEqual(e, v))) current.push(clone(v));
        return;
      }
      if (current === undefined) return;
      if (!Array.isArray(current)) throw new Error(`${key} is not a list, cannot treat it as a set`);
      parent[key] = current.filter((e) => !values.some((v) => deepEqual(e, v)));
    };
  }
  throw new Error(`interpreter does not support ${mutator.kind}`);
}

/**
 * Apply one mutator to an object (in place); returns true when it changed the object. Mirrors the
 * walk of Gatekeeper: path tests decide at each depth; missing objects are created on the way and
 * kept only when the leaf is set; glob lists are iterated, never extended; a keyed list element
 * that is missing is created with its key.
 */
export function applyMutator(target: object, mutator: MutatorObject): boolean {
  const object = target as JsonObject;
  const path = parseLocation(mutator.spec.location);
  const tester = pathTestsByDepth(path, mutator.spec.parameters.pathTests);
  const set = setterOf(mutator);
  const last = path.length - 1;

  const newElement = (depth: number): Json => {
    const next = path[depth + 1]!;
    const here = path[depth]!;
    const created: Json = next.kind === 'object' ? {} : [];
    if (here.kind === 'list') {
      if (here.keyValue === null) throw new Error('cannot create an element of a globbed list');
      (created as JsonObject)[here.keyField] = here.keyValue;
    }
    return created;
  };

  // Returns [mutated, value]; value is only used by the caller when mutated.
  const walk = (current: Json, depth: number): [boolean, Json] => {
    const node = path[depth]!;
    if (node.kind === 'object') {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) {
        throw new Error(`expected an object at ${mutator.spec.location} depth ${depth}`);
      }
      const exists = Object.hasOwn(current, node.key);
      if (exists ? !tester.existsOkay(depth) : !tester.missingOkay(depth)) return [false, current];
      if (depth === last) {
        set(current, node.key);
        return [true, current];
      }
      const next = exists ? current[node.key]! : newElement(depth);
      const [mutated, value] = walk(next, depth + 1);
      if (mutated) current[node.key] = value;
      return [mutated, current];
    }
    if (!Array.isArray(current)) throw new Error(`expected a list at ${mutator.spec.location} depth ${depth}`);
    const list = [...current];
    if (depth === last) throw new Error('interpreter does not support a list element as the location');
    if (node.keyValue === null) {
      // MustNotExist on a glob can never be satisfied.
      if (!tester.existsOkay(depth)) return [false, list];
      let mutated = false;
      for (const element of list) mutated = walk(element, depth + 1)[0] || mutated;
      return [mutated, list];
    }
    let found = false;
    let mutated = false;
    for (const element of list) {
      if (element !== null && typeof element === 'object' && !Array.isArray(element) && element[node.keyField] === node.keyValue) {
        if (!tester.existsOkay(depth)) return [false, list];
        mutated = walk(element, depth + 1)[0] || mutated;
        found = true;
      }
    }
    if (!found) {
      if (!tester.missingOkay(depth)) return [false, list];
      const created = newElement(depth);
      list.push(created);
      mutated = walk(created, depth + 1)[0] || mutated;
    }
    return [mutated, list];
  };
  return walk(object, 0)[0];
}

/** Does the mutator apply to this Pod in `namespace` for this operation (applyTo + its whole `match`)? */
export function mutatorApplies(
  mutator: MutatorObject,
  namespace: string,
  operation: 'CREATE' | 'UPDATE',
  pod: MatchedPod['pod'] = { metadata: {} },
  namespaceLabels: Readonly<Record<string, string>> = {},
): boolean {
  const applyTo = mutator.spec.applyTo ?? [];
  const podApply = applyTo.some(
    (a) =>
      a.groups.includes('') &&
      a.kinds.includes('Pod') &&
      a.versions.includes('v1') &&
      (a.operations === undefined || a.operations.length === 0 || a.operations.includes('*') || a.operations.includes(operation)),
  );
  if (!podApply) return false;
  return gatekeeperMatches(mutator.spec.match ?? {}, { pod, namespace, namespaceLabels: { ...namespaceLabels, 'kubernetes.io/metadata.name': namespace } });
}

/**
 * The pod as a webhook sees it: the API server serialises its typed object, which omits nulls and
 * empty lists/maps of `omitempty` fields. Our generated pods may carry explicit nulls meaning "unset".
 */
export function asAdmitted<T>(value: T): T {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (x === null || x === undefined) continue;
        if (Array.isArray(x) && x.length === 0) continue;
        out[k] = strip(x);
      }
      return out;
    }
    return v;
  };
  return strip(value) as T;
}

/** Apply every applicable mutator in order; returns the mutated copy. */
export function mutatePod<T extends object>(
  pod: T,
  mutators: readonly MutatorObject[],
  context: { namespace: string; operation: 'CREATE' | 'UPDATE'; namespaceLabels?: Readonly<Record<string, string>> },
): T {
  const copy = asAdmitted(structuredClone(pod)) as unknown as JsonObject;
  for (const mutator of mutators) {
    const current = copy as unknown as MatchedPod['pod'];
    if (mutatorApplies(mutator, context.namespace, context.operation, { metadata: current.metadata ?? {} }, context.namespaceLabels)) applyMutator(copy, mutator);
  }
  return copy as unknown as T;
}
