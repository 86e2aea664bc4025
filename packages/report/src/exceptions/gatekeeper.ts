/**
 * Gatekeeper exceptions for a chart: Gatekeeper has no exemption object, and its constraints are
 * AND-ed (a pod must pass every constraint that matches it), so an exception is two parts per widened
 * control: a scoped Constraint of the cluster's kind (chart namespace + chart pod label) whose
 * parameters allow exactly the chart's values, and a change to the cluster-wide constraint of that
 * kind so it no longer matches the chart's pods (reported as a note: it edits the user's object).
 */
import { translateGatekeeper, constraintKind, objectName, type GatekeeperScopeGroup } from '@psp-translate/gatekeeper';
import type { ControlKind, KubernetesObject, PolicyIR } from '@psp-translate/core';
import type { ExceptionNeed } from './needs.js';
import type { ExceptionsReportEntry } from './exceptions.js';
import { chartPolicy, levelPolicy, levelPolicyName, PSP_MODELLED_CHECKS, widenedControls, type ChartSelector } from './level-policy.js';

/** What {@link gatekeeperExceptions} reads. */
export interface GatekeeperExceptionsInput {
  needs: readonly ExceptionNeed[];
  level: 'baseline' | 'restricted';
  /** The chart's namespace (every workload needing an exception is there). */
  namespace: string;
  /** The pod label shared by the chart's pods that need exceptions. */
  selector: ChartSelector;
  /** Host paths the chart mounts only read-only. */
  readOnlyPaths: ReadonlySet<string>;
  /** Prefix of the scoped constraints' names (the release name). */
  namePrefix: string;
  /** Gatekeeper's enforcement action of the scoped constraints (default `deny`). */
  action?: 'deny' | 'warn' | 'dryrun';
}

/** The cluster-wide constraint that must stop matching the chart's pods. */
export interface GatekeeperExclusion {
  control: ControlKind;
  kind: string;
  name: string;
  /** To merge into the constraint's `spec.match.labelSelector.matchExpressions`. */
  matchExpression: { key: string; operator: 'NotIn'; values: string[] };
}

const EVERYWHERE: GatekeeperScopeGroup = {
  namespace: { op: 'NotIn', values: [] },
  serviceAccount: { op: 'NotIn', values: [] },
  requester: { op: 'NotIn', values: [] },
  candidates: [],
};

function translate(policy: PolicyIR, action: string): KubernetesObject[] {
  return translateGatekeeper({ policies: [policy], scopeGroups: [{ ...EVERYWHERE, candidates: [policy.name] }], options: { mutate: false, mode: 'per-control', action } }).objects;
}

/**
 * The cluster's Gatekeeper translation of the level (the level's PSP, validation only, per-control
 * constraints named after {@link levelPolicyName}): what the exceptions are against.
 */
export function gatekeeperBaselineObjects(level: 'baseline' | 'restricted', action: 'deny' | 'warn' | 'dryrun' = 'deny'): KubernetesObject[] {
  return translate(levelPolicy(level), action);
}

/**
 * The cluster objects with the exclusions applied (what the user does by hand after reading the
 * notes): each excluded constraint gets the NotIn label expression.
 */
export function applyGatekeeperExclusions(objects: readonly KubernetesObject[], exclusions: readonly GatekeeperExclusion[]): KubernetesObject[] {
  return objects.map((object) => {
    const mine = exclusions.filter((e) => e.kind === object.kind && e.name === object.metadata.name);
    if (mine.length === 0) return object;
    const copy = structuredClone(object) as KubernetesObject & { spec: { match?: { labelSelector?: { matchExpressions?: unknown[] } } } };
    const match = (copy.spec.match ??= {});
    const selector = (match.labelSelector ??= {});
    selector.matchExpressions = [...(selector.matchExpressions ?? []), ...mine.map((e) => e.matchExpression)];
    return copy;
  });
}

/**
 * The scoped constraints (objects) and the exclusions (notes) granting exactly `needs`. Parameters
 * come from the gatekeeper package's own translation of the level's PSP widened by the needs, so they
 * validate against the templates the cluster already has.
 */
export function gatekeeperExceptions(input: GatekeeperExceptionsInput): { objects: KubernetesObject[]; exclusions: GatekeeperExclusion[]; report: ExceptionsReportEntry[] } {
  const report: ExceptionsReportEntry[] = [];
  const action = input.action ?? 'deny';
  const base = levelPolicy(input.level);
  const chart = chartPolicy(`${input.namePrefix}-pod-security`, input.level, input.needs, input.readOnlyPaths);
  const controls = widenedControls(base, chart);
  const kinds = new Set(controls.map(constraintKind));
  const cluster = gatekeeperBaselineObjects(input.level, action);
  const clusterKinds = new Set(cluster.filter((o) => o.apiVersion.startsWith('constraints.gatekeeper.sh/')).map((o) => o.kind));
  const clusterTemplates = new Set(cluster.filter((o) => o.kind === 'ConstraintTemplate').map((o) => o.metadata.name));
  const translated = translate(chart, action);
  // A control the level leaves unchecked (e.g. host paths, when hostPath volumes are forbidden) has no template in the cluster: ship it.
  const templates = translated.filter((o) => o.kind === 'ConstraintTemplate' && !clusterTemplates.has(o.metadata.name) && kinds.has((o['spec'] as { crd: { spec: { names: { kind: string } } } }).crd.spec.names.kind));
  for (const template of templates) {
    report.push({ target: 'gatekeeper', fidelity: 'note', message: `ConstraintTemplate ${template.metadata.name} is not in the cluster's translation of ${input.level} (it checks nothing there); the exceptions include it for the chart's constraint` });
  }
  const constraints = translated
    .filter((o) => o.apiVersion.startsWith('constraints.gatekeeper.sh/') && kinds.has(o.kind))
    .map((o): KubernetesObject => {
      const spec = o['spec'] as { match: Record<string, unknown> };
      return {
        ...o,
        metadata: { name: objectName([input.namePrefix, 'pod-security', 'exception']), labels: { 'app.kubernetes.io/managed-by': 'psp-translate' }, annotations: { 'psp-translate.io/source': `exception for the pods labelled ${input.selector.key}=${input.selector.value} in ${input.namespace}` } },
        spec: { ...spec, match: { ...spec.match, namespaces: [input.namespace], labelSelector: { matchLabels: { [input.selector.key]: input.selector.value } } } },
      };
    });
  // The exclusion selects by label in every namespace: the chart's label elsewhere stays under the cluster's parameters.
  const others = cluster
    .filter((o) => o.apiVersion.startsWith('constraints.gatekeeper.sh/') && kinds.has(o.kind))
    .map((o): KubernetesObject => {
      const spec = o['spec'] as { match: { excludedNamespaces?: string[] } & Record<string, unknown> };
      return {
        ...o,
        metadata: { name: objectName([input.namePrefix, 'pod-security', 'others']), labels: { 'app.kubernetes.io/managed-by': 'psp-translate' }, annotations: { 'psp-translate.io/source': `${o.kind}/${o.metadata.name} for the pods labelled ${input.selector.key}=${input.selector.value} outside ${input.namespace}` } },
        spec: { ...spec, match: { ...spec.match, excludedNamespaces: [...new Set([...(spec.match.excludedNamespaces ?? []), input.namespace])].sort(), labelSelector: { matchLabels: { [input.selector.key]: input.selector.value } } } },
      };
    });
  const objects = [...templates, ...constraints, ...others];
  const clusterName = objectName([levelPolicyName(input.level)]);
  const exclusions = controls.filter((control) => clusterKinds.has(constraintKind(control))).map((control): GatekeeperExclusion => ({
    control,
    kind: constraintKind(control),
    name: clusterName,
    matchExpression: { key: input.selector.key, operator: 'NotIn', values: [input.selector.value] },
  }));
  for (const exclusion of exclusions) {
    report.push({
      target: 'gatekeeper',
      fidelity: 'note',
      message: `${exclusion.kind}/${exclusion.name} (and any other cluster-wide ${exclusion.kind}) must stop matching the chart's pods, since a pod must pass every constraint that matches it: add to its spec.match.labelSelector.matchExpressions ${JSON.stringify(exclusion.matchExpression)}; the chart's ${exclusion.kind} constraint then checks them with the chart's values in ${input.namespace}, and its copy of the cluster's parameters everywhere else`,
    });
  }
  report.push(...approximations(input.needs, 'gatekeeper', `the chart's pods labelled ${input.selector.key}=${input.selector.value}`));
  return { objects, exclusions, report };
}

/** What a PSP-shaped exception cannot make exact, for either engine. */
export function approximations(needs: readonly ExceptionNeed[], target: 'gatekeeper' | 'vap', scope: string): ExceptionsReportEntry[] {
  const report: ExceptionsReportEntry[] = [];
  const unmodelled = [...new Set(needs.filter((n) => n.wholeCheck === true || !PSP_MODELLED_CHECKS.has(n.check)).map((n) => n.check))];
  if (unmodelled.length > 0) {
    report.push({ target, fidelity: 'unsupported', message: `checks ${unmodelled.join(', ')} have no PSP-translated control in the cluster's baseline psp-translate models for ${target}, so no exception is generated for them; if your cluster checks them, exempt the chart by hand` });
  }
  const modelled = needs.filter((n) => n.wholeCheck !== true && PSP_MODELLED_CHECKS.has(n.check));
  const perContainer = modelled.filter((n) => n.container !== null);
  const workloads = new Set(modelled.map((n) => `${n.workload.kind}/${n.workload.name}`));
  if (perContainer.length > 0 || workloads.size > 1) {
    report.push({ target, fidelity: 'approximate', message: `the allowed values are the union over ${scope} and all their containers: a control's parameters apply to the whole pod, so any of those pods or containers may use a value another one needs` });
  }
  if (modelled.some((n) => n.field === 'spec.volumes[*].hostPath')) {
    report.push({ target, fidelity: 'approximate', message: 'host paths are allowed as PSP path prefixes: a path also allows everything below it (/ allows every path)' });
  }
  if (modelled.some((n) => n.field.endsWith('capabilities.drop'))) {
    report.push({ target, fidelity: 'approximate', message: 'the chart keeps capabilities restricted wants dropped: the exception drops the drop-ALL requirement as a whole (add capabilities.drop: [ALL] to the chart instead)' });
  }
  if (modelled.some((n) => n.check.startsWith('seccompProfile'))) {
    report.push({ target, fidelity: 'approximate', message: 'seccomp: PSP allows profiles by exact name for the pod and every container alike, and the modelled level already lets the profile be unset; the exception adds the chart\'s profiles (unconfined) for all of them' });
  }
  if (modelled.some((n) => n.check === 'runAsNonRoot' || n.check === 'runAsUser')) {
    report.push({ target, fidelity: 'approximate', message: 'the chart may run as root: the exception allows any user ID' });
  }
  return report;
}
