/**
 * Which pods a generated policy applies to, as CEL (`celPreconditions`, `matchConditions`) and as
 * JMESPath (`preconditions` of mutate rules, which cannot use CEL). The scope comes from core's
 * scope groups: a partition of pod admissions by namespace, service account and requesting user.
 */
import type { NameSelectorLike, ScopeGroupLike } from './types.js';

/** The request attributes a scope group selects on, in each expression language. */
const CEL_ATTRIBUTE = {
  namespace: 'request.namespace',
  // PSP authorised the pod's service account as the API server defaults it: serviceAccountName,
  // else the deprecated serviceAccount alias, else `default`.
  serviceAccount:
    "(has(object.spec.serviceAccountName) && object.spec.serviceAccountName != '' ? object.spec.serviceAccountName : has(object.spec.serviceAccount) && object.spec.serviceAccount != '' ? object.spec.serviceAccount : 'default')",
  requester: 'request.userInfo.username',
} as const;

const JMESPATH_ATTRIBUTE = {
  namespace: 'request.namespace',
  serviceAccount: "(request.object.spec.serviceAccountName || request.object.spec.serviceAccount || 'default')",
  requester: 'request.userInfo.username',
} as const;

type Attribute = keyof typeof CEL_ATTRIBUTE;
const ATTRIBUTES: readonly Attribute[] = ['namespace', 'serviceAccount', 'requester'];

/** A CEL string literal: JSON string syntax is valid CEL (double quotes, `\"`, `\\`, `\uXXXX`). */
export function celString(value: string): string {
  return JSON.stringify(value);
}

/** A CEL list of string literals. */
export function celStringList(values: readonly string[]): string {
  return `[${values.map(celString).join(', ')}]`;
}

/** A JMESPath JSON literal (backticks), with backticks in the JSON escaped. */
export function jmespathLiteral(value: unknown): string {
  return '`' + JSON.stringify(value).replace(/`/g, '\\`') + '`';
}

function celSelector(attribute: Attribute, selector: NameSelectorLike): string | undefined {
  if (selector.op === 'NotIn' && selector.values.length === 0) return undefined;
  const test = `${CEL_ATTRIBUTE[attribute]} in ${celStringList(selector.values)}`;
  return selector.op === 'In' ? test : `!(${test})`;
}

function jmespathSelector(attribute: Attribute, selector: NameSelectorLike): string | undefined {
  if (selector.op === 'NotIn' && selector.values.length === 0) return undefined;
  const test = `contains(${jmespathLiteral(selector.values)}, ${JMESPATH_ATTRIBUTE[attribute]})`;
  return selector.op === 'In' ? test : `!${test}`;
}

type Language = 'cel' | 'jmespath';

function groupCondition(group: ScopeGroupLike, language: Language): string | undefined {
  const parts = ATTRIBUTES.map((a) => (language === 'cel' ? celSelector(a, group[a]) : jmespathSelector(a, group[a]))).filter(
    (p): p is string => p !== undefined,
  );
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : parts.map((p) => `(${p})`).join(' && ');
}

function anyOf(conditions: readonly (string | undefined)[]): string | undefined {
  if (conditions.some((c) => c === undefined)) return undefined;
  const defined = conditions as readonly string[];
  if (defined.length === 1) return defined[0];
  return defined.map((c) => `(${c})`).join(' || ');
}

/**
 * The condition selecting the pods of `selected` among all groups, given that the pods of
 * `dontCare` groups may be selected or not (they are exempted elsewhere). Returns `undefined` when
 * no condition is needed (every remaining pod is selected), `'false'`-free otherwise. Picks the
 * shorter of "one of the selected groups" and "none of the other groups".
 */
export function scopeCondition(
  language: Language,
  all: readonly ScopeGroupLike[],
  selected: readonly ScopeGroupLike[],
  dontCare: readonly ScopeGroupLike[] = [],
): string | undefined {
  const others = all.filter((g) => !selected.includes(g) && !dontCare.includes(g));
  if (others.length === 0) return undefined;
  const positive = anyOf(selected.map((g) => groupCondition(g, language)));
  const otherCondition = anyOf(others.map((g) => groupCondition(g, language)));
  const negative = otherCondition === undefined ? undefined : `!(${otherCondition})`;
  if (positive === undefined) return negative;
  if (negative === undefined) return positive;
  return negative.length < positive.length ? negative : positive;
}

/** A one-line description of a scope group for reports and messages. */
export function describeGroup(group: ScopeGroupLike): string {
  const part = (label: string, s: NameSelectorLike) =>
    s.op === 'In' ? `${label} ${s.values.join('|')}` : s.values.length === 0 ? undefined : `${label} not ${s.values.join('|')}`;
  const parts = [part('namespace', group.namespace), part('service account', group.serviceAccount), part('requester', group.requester)].filter(
    (p): p is string => p !== undefined,
  );
  return parts.length === 0 ? 'every pod' : parts.join(', ');
}
