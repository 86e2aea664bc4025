/**
 * Which RBAC rules allow `use` of which PodSecurityPolicies, and the rules of aggregated ClusterRoles.
 */
import type { z } from 'zod';
import type { ClusterRole, LabelSelectorSchema, PolicyRule } from '../schema/rbac.js';
import type { RbacObject } from './types.js';

// PSP admission asked the authorizer about both API groups PSPs were served from; either suffices.
const PSP_API_GROUPS = ['policy', 'extensions'];
const PSP_RESOURCE = 'podsecuritypolicies';
const USE_VERB = 'use';

/**
 * The PSP names a rule lets its subjects `use`: `'*'` for every PSP (no `resourceNames`),
 * the listed names, or undefined when the rule does not grant `use` on PSPs at all.
 * Matching follows the RBAC authorizer: `*` matches any verb, group or resource; an absent or empty
 * list matches nothing, except `resourceNames`, where absent or empty means every object.
 */
export function policiesGrantedByRule(rule: PolicyRule): readonly string[] | '*' | undefined {
  const verbs = rule.verbs;
  if (!verbs.includes(USE_VERB) && !verbs.includes('*')) return undefined;
  const groups = rule.apiGroups ?? [];
  if (!groups.includes('*') && !PSP_API_GROUPS.some((g) => groups.includes(g))) return undefined;
  const resources = rule.resources ?? [];
  // `use` has no subresource, so only the plain resource or `*` can match (not `*/sub` or `psp/sub`).
  if (!resources.includes(PSP_RESOURCE) && !resources.includes('*')) return undefined;
  const names = rule.resourceNames ?? [];
  return names.length === 0 ? '*' : names;
}

type LabelSelector = z.infer<typeof LabelSelectorSchema>;

/**
 * Whether labels match a label selector as `metav1.LabelSelectorAsSelector` does: all
 * `matchLabels` and all `matchExpressions` must hold; a selector with neither matches everything.
 */
export function labelsMatch(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const expression of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, expression.key);
    const value = labels[expression.key];
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (!has || value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        // A missing label is "not in" any set.
        if (has && value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/**
 * The effective rules of every ClusterRole, by name. An aggregated ClusterRole (one with
 * `aggregationRule`) gets the union of the rules of the ClusterRoles its selectors match, as the
 * aggregation controller keeps it (its own `rules` are overwritten). Aggregation is transitive
 * (an aggregated role's rules are what the controller wrote into it), a role never selects itself,
 * and cycles are harmless.
 */
export function effectiveClusterRoleRules(
  clusterRoles: readonly RbacObject<ClusterRole>[],
): Map<string, readonly PolicyRule[]> {
  const byName = new Map<string, RbacObject<ClusterRole>>();
  for (const role of clusterRoles) byName.set(role.name, role);
  const labelsOf = (role: RbacObject<ClusterRole>) => role.raw.metadata.labels ?? {};
  const isAggregated = (role: RbacObject<ClusterRole>) => role.raw.aggregationRule != null;

  const selected = (role: RbacObject<ClusterRole>): RbacObject<ClusterRole>[] => {
    const selectors = role.raw.aggregationRule?.clusterRoleSelectors ?? [];
    return [...byName.values()].filter(
      (other) => other.name !== role.name && selectors.some((s) => labelsMatch(s, labelsOf(other))),
    );
  };

  const result = new Map<string, readonly PolicyRule[]>();
  for (const role of byName.values()) {
    if (!isAggregated(role)) {
      result.set(role.name, role.raw.rules ?? []);
      continue;
    }
    // Walk the selection graph: the union of the plain roles reachable from this one.
    const rules: PolicyRule[] = [];
    const seen = new Set<string>([role.name]);
    const queue = selected(role);
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (seen.has(next.name)) continue;
      seen.add(next.name);
      if (isAggregated(next)) queue.push(...selected(next));
      else rules.push(...(next.raw.rules ?? []));
    }
    result.set(role.name, rules);
  }
  return result;
}
