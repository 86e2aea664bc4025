/**
 * The pod a workload makes: what PSP admission saw when the controller created it.
 */
import { copyObject } from '../evaluate/pod-draft.js';
import type { PodContext } from '../evaluate/types.js';
import type { Pod, PodSpec } from '../pod/types.js';
import type { WorkloadKind } from '../schema/rbac.js';

/**
 * A workload as the parse module hands it over (`ManifestObject` with a workload kind): structurally
 * compatible with the parse module's `Workload`, declared here so the evaluator does not depend on
 * parsing.
 */
export interface WorkloadLike {
  kind: WorkloadKind;
  /** `metadata.name`. */
  name: string;
  /** `metadata.namespace`, if the manifest has one. */
  namespace: string | undefined;
  /** The whole manifest as plain data. */
  raw: Record<string, unknown>;
}

/** Where each workload kind keeps its pod template (`metadata` + `spec`); a Pod is its own. */
export const POD_TEMPLATE_PATHS: Readonly<Record<WorkloadKind, readonly string[]>> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  ReplicationController: ['spec', 'template'],
  PodTemplate: ['template'],
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The pod a workload's controller creates (kind/apiVersion `v1 Pod`, named after the workload, in its
 * namespace, with the template's labels, annotations and spec), and the pod's namespace and service
 * account. Throws, naming the workload and field, when the pod template or its containers are missing.
 */
export function podFromWorkload(workload: WorkloadLike, options: { defaultNamespace?: string } = {}): PodContext {
  const templatePath = POD_TEMPLATE_PATHS[workload.kind];
  let template: unknown = workload.raw;
  for (const key of templatePath) {
    template = isRecord(template) ? template[key] : undefined;
  }
  // Messages are built only for a workload that fails: this runs once per workload checked.
  if (!isRecord(template)) throw new Error(`${workload.kind}/${workload.name}: ${templatePath.join('.') || '(pod)'} is missing; a ${workload.kind} needs a pod template`);
  const spec = template['spec'];
  if (!isRecord(spec) || !Array.isArray(spec['containers'])) {
    const field = templatePath.join('.');
    throw new Error(`${workload.kind}/${workload.name}: ${field === '' ? '' : field + '.'}spec.containers is missing; a pod needs at least one container`);
  }
  const templateMeta = isRecord(template['metadata']) ? template['metadata'] : {};
  const namespace = workload.namespace ?? nonEmptyString(options.defaultNamespace) ?? 'default';
  const podSpec = spec as unknown as PodSpec;
  const serviceAccount = nonEmptyString(podSpec.serviceAccountName) ?? nonEmptyString(podSpec.serviceAccount) ?? 'default';
  // As `{ ...templateMeta, name, namespace }`, without the slow path V8 takes for a spread plus new keys.
  const metadata = copyObject(templateMeta);
  metadata['name'] = workload.name;
  metadata['namespace'] = namespace;
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: metadata as Pod['metadata'], spec: podSpec };
  return { pod, namespace, serviceAccount, workloadKind: workload.kind };
}
