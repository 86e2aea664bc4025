/**
 * Who a scope group speaks for, in admission policy terms: the namespace through the binding's
 * `namespaceSelector`, the service account and the requesting user through `matchConditions`.
 */
import { celLiteral, type NameSelector, type ScopeGroup } from '@psp-translate/core';

/** The label every namespace carries with its own name (Kubernetes 1.21+, set by the API server). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A `LabelSelector` on the namespace name; `undefined` for "every namespace" (`NotIn []`). */
export function namespaceSelector(selector: NameSelector): Record<string, unknown> | undefined {
  if (selector.op === 'NotIn' && selector.values.length === 0) return undefined;
  return { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: selector.op, values: [...selector.values] }] };
}

/**
 * The pod's service account as PSP authorised it. On CREATE the ServiceAccount admission plugin
 * (a mutating plugin, which runs before every validating one) has already written `default` into
 * an empty `spec.serviceAccountName`, so the field is set when this runs; the fallbacks keep the
 * expression total where that plugin is disabled, and read the deprecated `spec.serviceAccount`
 * alias the way the API server's v1 conversion does.
 */
export const SERVICE_ACCOUNT_EXPRESSION =
  '(has(object.spec.serviceAccountName) && object.spec.serviceAccountName != "" ? object.spec.serviceAccountName : ' +
  '(has(object.spec.serviceAccount) && object.spec.serviceAccount != "" ? object.spec.serviceAccount : "default"))';

/** The requesting user (a person, or the controller creating the pod). */
export const REQUESTER_EXPRESSION = 'request.userInfo.username';

function membership(value: string, selector: NameSelector): string | undefined {
  if (selector.op === 'NotIn' && selector.values.length === 0) return undefined;
  const list = celLiteral(selector.values);
  return selector.op === 'In' ? `${value} in ${list}` : `!(${value} in ${list})`;
}

/** One `matchConditions` entry. */
export interface MatchCondition {
  name: string;
  expression: string;
}

/** The `matchConditions` selecting a group's service accounts and requesters (none when any will do). */
export function scopeConditions(group: ScopeGroup): MatchCondition[] {
  const conditions: MatchCondition[] = [];
  const serviceAccount = membership(SERVICE_ACCOUNT_EXPRESSION, group.serviceAccount);
  if (serviceAccount !== undefined) conditions.push({ name: 'psp-service-account', expression: serviceAccount });
  const requester = membership(REQUESTER_EXPRESSION, group.requester);
  if (requester !== undefined) conditions.push({ name: 'psp-requester', expression: requester });
  return conditions;
}

function describeSelector(what: string, selector: NameSelector): string {
  if (selector.op === 'In') return `${what} ${selector.values.join(', ')}`;
  return selector.values.length === 0 ? `any ${what}` : `${what} other than ${selector.values.join(', ')}`;
}

/** A scope group for people: `namespace team-a, service account builder, any requester`. */
export function describeGroup(group: ScopeGroup): string {
  return [
    describeSelector('namespace', group.namespace),
    describeSelector('service account', group.serviceAccount),
    describeSelector('requester', group.requester),
  ].join('; ');
}
