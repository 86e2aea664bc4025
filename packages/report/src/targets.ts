/**
 * The targets a report runs: structurally the CLI's `TargetModule` (packages/cli/src/targets.ts),
 * declared here because nothing may depend on the CLI, plus adapters for the four target packages.
 */
import { buildRbacIndex, scopeGroups, type ControlKind, type InputSet, type Pod, type Requester, type SourceRef, type WorkloadKind } from '@psp-translate/core';
import { evaluateNamespacePolicy, parseNamespacePolicy, psaTarget, type NamespacePolicy } from '@psp-translate/psa';
import { translateGatekeeper } from '@psp-translate/gatekeeper';
import { translateKyverno } from '@psp-translate/kyverno';
import { vapTarget } from '@psp-translate/vap';
import type { Fidelity } from './model.js';

/** `--action` in every engine's words (the CLI's `EngineActions`). */
export interface EngineActionsLike {
  action: 'audit' | 'warn' | 'deny' | 'default';
  gatekeeper: 'dryrun' | 'warn' | 'deny';
  kyverno: 'Audit' | 'Enforce';
  vap: readonly ('Audit' | 'Warn' | 'Deny')[];
  psa: 'audit' | 'warn' | 'enforce';
  notes: Partial<Record<string, string>>;
}

/** What every target's `translate` receives (the CLI's `TranslateOptions`). */
export interface TranslateOptionsLike {
  actions: EngineActionsLike;
}

/** Each engine's observing default, as `translate` without `--action` (the CLI's `defaultActions()`). */
export const OBSERVING_ACTIONS: EngineActionsLike = Object.freeze({
  action: 'default',
  gatekeeper: 'dryrun',
  kyverno: 'Audit',
  vap: Object.freeze(['Audit', 'Warn'] as const),
  psa: 'enforce',
  notes: {},
}) as EngineActionsLike;

/** Enforcing actions: workload verdicts are judged as the policies decide when enforced (as `check` does). */
export const ENFORCING_ACTIONS: EngineActionsLike = Object.freeze({
  action: 'deny',
  gatekeeper: 'deny',
  kyverno: 'Enforce',
  vap: Object.freeze(['Deny'] as const),
  psa: 'enforce',
  notes: {},
}) as EngineActionsLike;

/** One fidelity entry as targets return it. An optional `aspect` says whether it is about the default. */
export interface TargetFidelityEntry {
  policy: string | null;
  control: ControlKind | null;
  fidelity: Fidelity;
  message: string;
  source?: SourceRef;
  aspect?: 'validation' | 'default';
}

/** A Kubernetes object as plain data. */
export interface TargetObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [field: string]: unknown };
  [field: string]: unknown;
}

/** What `translate` returns (the CLI's `TranslationResult`). */
export interface TargetTranslation {
  objects: TargetObject[];
  report: TargetFidelityEntry[];
}

/** One workload as an evaluator sees it (the CLI's `WorkloadContext`). */
export interface TargetWorkload {
  workload: { kind: WorkloadKind; namespace: string; name: string; serviceAccount: string };
  pod: Pod;
  requester?: Requester;
}

/** A target's verdict (the CLI's `TargetVerdict`). */
export interface TargetVerdictLike {
  admitted: boolean;
  reasons: string[];
  warnings?: string[];
}

/** A translation target as the report uses it: the CLI's `TargetModule`, structurally. */
export interface ReportTarget {
  name: string;
  translate(inputs: InputSet, options: TranslateOptionsLike): TargetTranslation | Promise<TargetTranslation>;
  /** Optional in-process judge of the translation (`check --target`); without it workloads are not evaluated for this target. */
  evaluate?(translation: TargetTranslation, inputs: InputSet): ((workload: TargetWorkload) => TargetVerdictLike) | Promise<(workload: TargetWorkload) => TargetVerdictLike>;
}

function groupsOf(inputs: InputSet) {
  return scopeGroups(buildRbacIndex(inputs.rbac, { policies: inputs.policies }), inputs.policies);
}

function labelsOf(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).flatMap(([key, label]) => (label === null || label === undefined ? [] : [[key, String(label)]])));
}

/** Gatekeeper with the RBAC scope groups, per-control or policy-set templates chosen per scope. */
export const gatekeeperReportTarget: ReportTarget = {
  name: 'gatekeeper',
  translate: (inputs, options) => translateGatekeeper({ policies: inputs.policies, scopeGroups: groupsOf(inputs), options: { action: options.actions.gatekeeper } }),
};

/** Kyverno ClusterPolicies with CEL validation (the package's default API and style). */
export const kyvernoReportTarget: ReportTarget = {
  name: 'kyverno',
  translate: (inputs, options) => {
    const { objects, report } = translateKyverno({ policies: inputs.policies, scopeGroups: groupsOf(inputs), options: { api: 'kyverno.io/v1', style: 'cel', action: options.actions.kyverno } });
    return { objects, report };
  },
};

/**
 * Pod Security Admission labels, judged in-process: each workload by its namespace's labels (the
 * translation's over the input's), as the PodSecurity plugin reads them. Namespaces the labels do not
 * name get the plugin's default, privileged.
 */
export const psaReportTarget: ReportTarget = {
  name: 'psa',
  translate: (inputs, options) => {
    const { objects, report } = psaTarget.translate(inputs, { actions: { psa: options.actions.psa } });
    return { objects, report };
  },
  evaluate: (translation, inputs) => {
    const labels = new Map(inputs.namespaces.map((ns) => [ns.name, labelsOf((ns.raw['metadata'] as Record<string, unknown> | undefined)?.['labels'])]));
    for (const object of translation.objects) {
      if (object.kind === 'Namespace') labels.set(object.metadata.name, { ...(labels.get(object.metadata.name) ?? {}), ...labelsOf(object.metadata.labels) });
    }
    const parsed = new Map<string, NamespacePolicy>();
    return ({ workload, pod }) => {
      let policy = parsed.get(workload.namespace);
      if (policy === undefined) {
        policy = parseNamespacePolicy({ metadata: { name: workload.namespace, labels: { ...(labels.get(workload.namespace) ?? {}) } } }).policy;
        parsed.set(workload.namespace, policy);
      }
      const decision = evaluateNamespacePolicy(pod, policy);
      return { admitted: decision.admitted, reasons: decision.reasons.map((reason) => `${reason} (namespace ${workload.namespace})`), warnings: [...decision.warnings] };
    };
  },
};

/** ValidatingAdmissionPolicy (and MutatingAdmissionPolicy where the Kubernetes version has it). */
export const vapReportTarget: ReportTarget = {
  name: 'vap',
  translate: (inputs, options) => vapTarget.translate(inputs, { actions: { vap: options.actions.vap } }),
};

/** The four targets, in the CLI's order. */
export const BUILTIN_TARGETS: readonly ReportTarget[] = Object.freeze([gatekeeperReportTarget, kyvernoReportTarget, psaReportTarget, vapReportTarget]);
