/**
 * Namespace classes: Gatekeeper's `match` selects namespaces but not service accounts or users, so
 * objects that cannot look inside the pod (mutators) are scoped by the namespace classes of the
 * RBAC scope groups: the distinct namespace selectors, which partition all namespaces.
 */
import type { GatekeeperScopeGroup, NameSelector } from './types.js';

/** Gatekeeper `match` fields that select namespaces. */
export interface NamespaceMatch {
  namespaces?: string[];
  excludedNamespaces?: string[];
}

/** Every pod in any namespace may use every policy: the groups used when no RBAC is given. */
export function everywhere(candidates: readonly string[]): GatekeeperScopeGroup[] {
  const any: NameSelector = { op: 'NotIn', values: [] };
  return [{ namespace: any, serviceAccount: any, requester: any, candidates: [...candidates].sort() }];
}

export function selectorKey(selector: NameSelector): string {
  return `${selector.op}:${selector.values.join(',')}`;
}

/** The distinct namespace selectors of the groups, in group order. */
export function namespaceClasses(groups: readonly GatekeeperScopeGroup[]): NameSelector[] {
  const seen = new Map<string, NameSelector>();
  for (const group of groups) {
    const key = selectorKey(group.namespace);
    if (!seen.has(key)) seen.set(key, group.namespace);
  }
  return [...seen.values()];
}

/**
 * The `match` selecting the union of the given namespace classes, minus the user's exclusions.
 * Null when that selects nothing (an empty `namespaces` list would match every namespace).
 */
export function matchForClasses(classes: readonly NameSelector[], excluded: readonly string[]): NamespaceMatch | null {
  const included = new Set(classes.flatMap((cls) => (cls.op === 'In' ? cls.values : [])));
  const notIn = classes.filter((cls) => cls.op === 'NotIn');
  if (notIn.length > 0) {
    // Classes partition namespaces, so there is at most one NotIn class.
    const out = new Set([...notIn.flatMap((cls) => cls.values).filter((ns) => !included.has(ns)), ...excluded]);
    return out.size > 0 ? { excludedNamespaces: [...out].sort() } : {};
  }
  const namespaces = [...included].filter((ns) => !excluded.includes(ns)).sort();
  if (namespaces.length === 0) return null;
  return excluded.length > 0 ? { namespaces, excludedNamespaces: [...excluded].sort() } : { namespaces };
}
