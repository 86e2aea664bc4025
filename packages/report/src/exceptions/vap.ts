/**
 * ValidatingAdmissionPolicy exceptions for a chart. A binding's `excludeResourceRules` cannot select
 * pods by label, and one label selector cannot say "another namespace, or not the chart's pods", so:
 * the cluster's baseline binding is narrowed to the other namespaces (a replacement, for the cluster
 * admin), a second binding of the same policy covers the chart's namespace except the chart's pods
 * (`objectSelector` NotIn), and a policy translated from the level's PSP widened by exactly the chart's
 * needs is bound to the chart's pods only.
 */
import { translateVap, NAMESPACE_NAME_LABEL } from '@psp-translate/vap';
import { objectName } from '@psp-translate/gatekeeper';
import type { KubernetesObject, PolicyIR, ScopeGroup } from '@psp-translate/core';
import type { ExceptionNeed } from './needs.js';
import type { ExceptionsReportEntry } from './exceptions.js';
import { approximations } from './gatekeeper.js';
import { chartPolicy, levelPolicy, widenedControls, type ChartSelector } from './level-policy.js';

/** Annotation saying who owns an exception object: `cluster` (replaces the admin's binding) or `chart` (ships with the chart). */
export const EXCEPTION_PART_ANNOTATION = 'psp-translate.io/exception-part';

/** What {@link vapExceptions} reads. */
export interface VapExceptionsInput {
  needs: readonly ExceptionNeed[];
  level: 'baseline' | 'restricted';
  namespace: string;
  selector: ChartSelector;
  readOnlyPaths: ReadonlySet<string>;
  /** Prefix of the chart-owned objects' names (the release name). */
  namePrefix: string;
}

const BINDING = 'ValidatingAdmissionPolicyBinding';
const ANY = { op: 'NotIn' as const, values: [] };

function translate(policy: PolicyIR): KubernetesObject[] {
  const group: ScopeGroup = { namespace: ANY, serviceAccount: ANY, requester: ANY, requesterWorkloadKinds: [], candidates: [policy.name] };
  return translateVap({ policies: [policy], scopeGroups: [group] }, { mutate: false, validationActions: ['Deny'], estimateCosts: false }).objects;
}

/** The cluster's VAP translation of the level (its PSP, validation only, `Deny`): what the exceptions are against. */
export function vapBaselineObjects(level: 'baseline' | 'restricted'): KubernetesObject[] {
  return translate(levelPolicy(level));
}

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
type BindingSpec = { policyName: string; matchResources?: { namespaceSelector?: Selector; objectSelector?: Selector } & Record<string, unknown> } & Record<string, unknown>;

function narrowed(selector: Selector | undefined, expression: { key: string; operator: string; values: string[] }): Selector {
  return { ...(selector ?? {}), matchExpressions: [...(selector?.matchExpressions ?? []), expression] };
}

function part(object: KubernetesObject, owner: 'cluster' | 'chart', name = object.metadata.name): KubernetesObject {
  return { ...object, metadata: { ...object.metadata, name, annotations: { ...(object.metadata.annotations ?? {}), [EXCEPTION_PART_ANNOTATION]: owner } } };
}

/**
 * The objects granting exactly `needs` against {@link vapBaselineObjects}: per cluster binding a
 * replacement narrowed to the other namespaces (part `cluster`) and a binding for the chart namespace
 * without the chart's pods (part `chart`); the chart's own policy and its binding (part `chart`).
 */
export function vapExceptions(input: VapExceptionsInput): { objects: KubernetesObject[]; report: ExceptionsReportEntry[] } {
  const base = levelPolicy(input.level);
  const chart = chartPolicy(`${input.namePrefix}-pod-security`, input.level, input.needs, input.readOnlyPaths);
  if (widenedControls(base, chart).length === 0) return { objects: [], report: approximations(input.needs, 'vap', `the chart's pods labelled ${input.selector.key}=${input.selector.value}`) };
  const inNamespace = { key: NAMESPACE_NAME_LABEL, operator: 'In', values: [input.namespace] };
  const objects: KubernetesObject[] = [];
  const report: ExceptionsReportEntry[] = [];
  for (const binding of translate(base).filter((o) => o.kind === BINDING)) {
    const spec = binding['spec'] as BindingSpec;
    const match = spec.matchResources ?? {};
    objects.push({ ...part(binding, 'cluster'), spec: { ...spec, matchResources: { ...match, namespaceSelector: narrowed(match.namespaceSelector, { ...inNamespace, operator: 'NotIn' }) } } });
    objects.push({
      ...part(binding, 'chart', objectName([binding.metadata.name, input.namePrefix, 'others'])),
      spec: { ...spec, matchResources: { ...match, namespaceSelector: narrowed(match.namespaceSelector, inNamespace), objectSelector: narrowed(match.objectSelector, { key: input.selector.key, operator: 'NotIn', values: [input.selector.value] }) } },
    });
    report.push({
      target: 'vap',
      fidelity: 'note',
      message: `${BINDING}/${binding.metadata.name} is replaced by one that skips namespace ${input.namespace} (apply it in the cluster, it is not the chart's), and ${objectName([binding.metadata.name, input.namePrefix, 'others'])} binds ${spec.policyName} there to every pod without ${input.selector.key}=${input.selector.value}`,
    });
  }
  const translated = translate(chart);
  const policies = translated.filter((o) => o.kind === 'ValidatingAdmissionPolicy');
  // The chart's names: one policy is `<release>-pod-security-exception`, several get their index.
  const renamed = new Map(policies.map((p, i) => [p.metadata.name, objectName([input.namePrefix, 'pod-security-exception', ...(policies.length > 1 ? [String(i + 1)] : [])])]));
  for (const object of translated) {
    if (object.kind === BINDING) {
      const spec = object['spec'] as BindingSpec;
      const policyName = renamed.get(spec.policyName) ?? spec.policyName;
      objects.push({
        ...part(object, 'chart', policyName),
        spec: { ...spec, policyName, matchResources: { ...(spec.matchResources ?? {}), namespaceSelector: { matchExpressions: [inNamespace] }, objectSelector: { matchLabels: { [input.selector.key]: input.selector.value } } } },
      });
    } else if (object.kind === 'ValidatingAdmissionPolicy') {
      objects.push(part(object, 'chart', renamed.get(object.metadata.name) ?? object.metadata.name));
    }
  }
  report.push(...approximations(input.needs, 'vap', `the chart's pods labelled ${input.selector.key}=${input.selector.value}`));
  return { objects, report };
}
