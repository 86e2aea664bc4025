/**
 * Pod Security Admission, run in-process: the `evaluate` and `evaluateExisting` hooks of
 * {@link psaTarget} (./target.ts). A workload is judged by its namespace's
 * `pod-security.kubernetes.io/*` labels, read as the PodSecurity admission plugin reads them.
 *
 * Not modelled: the cluster's AdmissionConfiguration (its defaults and exemptions); namespaces
 * without labels get the plugin's built-in default, privileged.
 */
import type { InputSet, KubernetesObject, WorkloadEvaluator } from '@psp-translate/core';
import { evaluateNamespacePolicy, parseNamespacePolicy, type NamespaceLabelError, type NamespacePolicy } from './namespace.js';
import { formatLevelVersion } from './version.js';

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
export function namespaceLabelEvaluator(labelsByNamespace: ReadonlyMap<string, Readonly<Record<string, string>>>): WorkloadEvaluator {
  const parsed = new Map<string, { policy: NamespacePolicy; errors: readonly NamespaceLabelError[]; known: boolean }>();
  const policyOf = (namespace: string) => {
    let entry = parsed.get(namespace);
    if (entry === undefined) {
      const labels = labelsByNamespace.get(namespace);
      const { policy, errors } = parseNamespacePolicy({ metadata: { name: namespace, labels: { ...(labels ?? {}) } } });
      entry = { policy, errors, known: labels !== undefined };
      parsed.set(namespace, entry);
    }
    return entry;
  };
  return ({ workload, pod }) => {
    const { policy, errors, known } = policyOf(workload.namespace);
    const decision = evaluateNamespacePolicy(pod, policy);
    const enforced = `namespace ${workload.namespace} enforces ${formatLevelVersion(policy.enforce)}`;
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
