/**
 * Pod Security Admission, run in-process: the `evaluate` and `evaluateExisting` hooks of the psa
 * target. A workload is judged by its namespace's `pod-security.kubernetes.io/*` labels, read as
 * the PodSecurity admission plugin reads them (`@psp-translate/psa`).
 *
 * Not modelled: the cluster's AdmissionConfiguration (its defaults and exemptions); namespaces
 * without labels get the plugin's built-in default, privileged.
 */
import type { InputSet } from '@psp-translate/core';
import type { NamespacePolicy, NamespaceLabelError } from '@psp-translate/psa';
import type { KubernetesObject, TargetModule, TranslationResult, WorkloadEvaluator } from '../targets.js';

/** A namespace's labels as far as the inputs tell, and whether the inputs define the namespace at all. */
export interface NamespaceLabels {
  labels: Readonly<Record<string, string>>;
  /** False when neither the inputs nor the translation hold a Namespace object of that name. */
  known: boolean;
}

function stringLabels(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).flatMap(([key, label]) => (label === null || label === undefined ? [] : [[key, String(label)]])));
}

/** Labels of the Namespace objects in `inputs`, by name. */
export function inputNamespaceLabels(inputs: Pick<InputSet, 'namespaces'>): Map<string, Record<string, string>> {
  return new Map(
    inputs.namespaces.map((namespace) => [namespace.name, stringLabels((namespace.raw['metadata'] as Record<string, unknown> | undefined)?.['labels'])]),
  );
}

/** The input's labels with the translation's Namespace labels applied over them, as `kubectl apply` merges labels. */
export function translatedNamespaceLabels(objects: readonly KubernetesObject[], inputs: Pick<InputSet, 'namespaces'>): Map<string, Record<string, string>> {
  const merged = inputNamespaceLabels(inputs);
  for (const object of objects) {
    if (object.kind !== 'Namespace' || object.apiVersion !== 'v1') continue;
    merged.set(object.metadata.name, { ...(merged.get(object.metadata.name) ?? {}), ...stringLabels(object.metadata.labels) });
  }
  return merged;
}

/**
 * Judge workloads by namespace labels. Each namespace's labels are parsed once; the verdict is the
 * enforce mode's, with audit and warn findings and invalid labels as warnings.
 */
export async function psaEvaluator(labelsByNamespace: ReadonlyMap<string, Readonly<Record<string, string>>>): Promise<WorkloadEvaluator> {
  const psa = await import('@psp-translate/psa');
  const parsed = new Map<string, { policy: NamespacePolicy; errors: readonly NamespaceLabelError[]; known: boolean }>();
  const policyOf = (namespace: string) => {
    let entry = parsed.get(namespace);
    if (entry === undefined) {
      const labels = labelsByNamespace.get(namespace);
      const { policy, errors } = psa.parseNamespacePolicy({ metadata: { name: namespace, labels: { ...(labels ?? {}) } } });
      entry = { policy, errors, known: labels !== undefined };
      parsed.set(namespace, entry);
    }
    return entry;
  };
  return ({ workload, pod }) => {
    const { policy, errors, known } = policyOf(workload.namespace);
    const decision = psa.evaluateNamespacePolicy(pod, policy);
    const enforced = `namespace ${workload.namespace} enforces ${psa.formatLevelVersion(policy.enforce)}`;
    const warnings = [
      ...(known ? [] : [`namespace ${workload.namespace} is not in the inputs: judged as a namespace without Pod Security labels (enforce privileged)`]),
      ...errors.map((error) => error.message),
      ...decision.warnings,
      ...(decision.auditViolation === '' ? [] : [`audit: ${decision.auditViolation}`]),
    ];
    return {
      admitted: decision.admitted,
      reasons: decision.reasons.map((reason) => `${reason} (${enforced})`),
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  };
}

/** The psa target's evaluation hooks; the registry spreads them into its psa module. */
export const psaEvaluation = {
  /** `check --target psa`: the labels the translation chose (over the inputs' own labels). */
  evaluate: (translation: TranslationResult, inputs: InputSet) => psaEvaluator(translatedNamespaceLabels(translation.objects, inputs)),
  /** `evaluate`: the labels the input Namespaces carry; every namespace is subject to PSA, so there is always something to judge. */
  evaluateExisting: (inputs: InputSet) => psaEvaluator(inputNamespaceLabels(inputs)),
} satisfies Required<Pick<TargetModule, 'evaluate' | 'evaluateExisting'>>;
