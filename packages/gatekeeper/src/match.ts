/**
 * Gatekeeper's `spec.match` for a Pod admission request, as Gatekeeper's `pkg/mutation/match`
 * (`Matches`, shared by constraints and mutators) decides it. Every field must select the pod:
 * - `kinds`: some entry whose `kinds` is empty or has `*` or `Pod`, and whose `apiGroups` is empty
 *   or has `*` or `""`; no entries = every kind.
 * - `scope`: `Cluster` never selects a pod (it has a namespace); `Namespaced`, `*` or absent do.
 * - `namespaces` (any of, when non-empty) and `excludedNamespaces` (none of): Gatekeeper's
 *   wildcards, exact or with `*` at the front, the end or both (suffix, prefix, substring).
 * - `labelSelector` on the pod's labels, `namespaceSelector` on its namespace's labels, as
 *   `metav1.LabelSelectorAsSelector`: every `matchLabels` pair and every expression (`In`, `NotIn`,
 *   `Exists`, `DoesNotExist`) must hold; an empty selector selects everything; a missing label is
 *   `NotIn` any set and `DoesNotExist`.
 * - `name`: a wildcard on the pod's name, or (prefix or substring wildcards only) its generateName.
 * - `source`: `All`, `Original` or absent (the pod of an admission request is Original).
 *
 * Selectors Kubernetes would reject (In/NotIn without values, Exists/DoesNotExist with values, an
 * unknown operator) make Gatekeeper's match fail with an error: {@link matchProblem} names them.
 */
import { labelsMatch } from '@psp-translate/core';

/** A label selector as Gatekeeper's match reads it (`metav1.LabelSelector`). */
export interface MatchSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key: string; operator: string; values?: string[] | null }[] | null;
}

/** The `spec.match` of a Constraint or mutator. */
export interface GatekeeperMatch {
  kinds?: { apiGroups?: string[]; kinds?: string[] }[];
  scope?: string;
  namespaces?: string[];
  excludedNamespaces?: string[];
  labelSelector?: MatchSelector;
  namespaceSelector?: MatchSelector;
  name?: string;
  source?: string;
}

/** The pod admission request a match is judged against. */
export interface MatchedPod {
  /** The pod as the validating webhook sees it (after mutation). */
  pod: { metadata: { name?: string | null; generateName?: string | null; labels?: Readonly<Record<string, string>> | null } };
  /** `request.namespace`. */
  namespace: string;
  /** The labels of that Namespace (include `kubernetes.io/metadata.name`, which the API server sets). */
  namespaceLabels: Readonly<Record<string, string>>;
}

/** Gatekeeper's `Wildcard.Matches`: exact, or a glob with `*` at the front and/or the end. */
export function wildcardMatches(pattern: string, candidate: string): boolean {
  const front = pattern.startsWith('*');
  const end = pattern.endsWith('*') && pattern.length > (front ? 1 : 0);
  if (front && end) return candidate.includes(pattern.slice(1, -1));
  if (front) return candidate.endsWith(pattern.slice(1));
  if (end) return candidate.startsWith(pattern.slice(0, -1));
  return pattern === candidate;
}

/** `Wildcard.MatchesGenerateName`: only a trailing `*` (prefix or substring) can match a generateName. */
function wildcardMatchesGenerateName(pattern: string, candidate: string): boolean {
  if (pattern.startsWith('*') && pattern.endsWith('*') && pattern.length > 1) return candidate.includes(pattern.slice(1, -1));
  if (pattern.endsWith('*')) return candidate.startsWith(pattern.slice(0, -1));
  return false;
}

function selectorProblem(selector: MatchSelector | undefined, field: string): string | undefined {
  for (const e of selector?.matchExpressions ?? []) {
    const count = (e.values ?? []).length;
    if ((e.operator === 'In' || e.operator === 'NotIn') && count === 0) return `${field}: operator ${e.operator} on ${e.key} needs values`;
    if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && count > 0) return `${field}: operator ${e.operator} on ${e.key} takes no values`;
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)) return `${field}: unknown operator ${JSON.stringify(e.operator)}`;
  }
  return undefined;
}

/** Why Gatekeeper would fail to run this match (an invalid selector or source), else undefined. */
export function matchProblem(match: GatekeeperMatch): string | undefined {
  if (match.source !== undefined && !['', 'All', 'Original', 'Generated'].includes(match.source)) return `match.source: invalid ${JSON.stringify(match.source)}`;
  return selectorProblem(match.labelSelector, 'match.labelSelector') ?? selectorProblem(match.namespaceSelector, 'match.namespaceSelector');
}

function selectorHolds(selector: MatchSelector, labels: Readonly<Record<string, string>>): boolean {
  return labelsMatch(selector as Parameters<typeof labelsMatch>[0], labels);
}

/** Whether `match` selects the pod of this request (see the module comment; check {@link matchProblem} first). */
export function gatekeeperMatches(match: GatekeeperMatch, target: MatchedPod): boolean {
  const kinds = match.kinds ?? [];
  if (kinds.length > 0) {
    const anyOf = (list: readonly string[] | undefined, value: string) => (list ?? []).length === 0 || list!.includes('*') || list!.includes(value);
    if (!kinds.some((k) => anyOf(k.kinds, 'Pod') && anyOf(k.apiGroups, ''))) return false;
  }
  if (match.scope === 'Cluster') return false;
  const namespaces = match.namespaces ?? [];
  if (namespaces.length > 0 && !namespaces.some((p) => wildcardMatches(p, target.namespace))) return false;
  if ((match.excludedNamespaces ?? []).some((p) => wildcardMatches(p, target.namespace))) return false;
  const metadata = target.pod.metadata;
  if (match.labelSelector != null && !selectorHolds(match.labelSelector, { ...(metadata.labels ?? {}) })) return false;
  if (match.namespaceSelector != null && !selectorHolds(match.namespaceSelector, target.namespaceLabels)) return false;
  if (match.name !== undefined && match.name !== '') {
    if (!wildcardMatches(match.name, metadata.name ?? '') && !wildcardMatchesGenerateName(match.name, metadata.generateName ?? '')) return false;
  }
  if (match.source === 'Generated') return false;
  return true;
}
