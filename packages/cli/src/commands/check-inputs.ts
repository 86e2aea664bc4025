/**
 * Inputs of `check` and `evaluate`: policy inputs (PSPs, RBAC, namespaces) and workload inputs
 * (`helm template` output, `kubectl get -o yaml`), read separately so that a directory given as
 * both (the example cluster holds its workloads) is neither double-counted nor half-used.
 */
import type { InputSet, PodContext, Requester, Workload } from '@psp-translate/core';
import { CliError } from '../errors.js';
import type { CliIO } from '../io.js';
import type { Messages } from '../messages.js';
import type { WorkloadContext, WorkloadRef } from '../targets.js';
import { loadCluster, reportSkipped } from './load.js';

/** Options both commands share. */
export interface CheckInputOptions {
  /** `--workloads`; undefined = check the workloads found in the policy inputs. */
  workloads?: string[];
  namespace: string;
  maxInputMib: number;
}

/** The policy side and the workloads to judge, in input order. */
export interface CheckInputs {
  policySet: InputSet;
  workloads: Workload[];
}

function at(object: { source: { file: string; line: number } }): string {
  return `${object.source.file}:${object.source.line}`;
}

/**
 * Read the policy inputs and the workload inputs. Says on stderr what each side holds that the
 * other side's role ignores, and what neither reads (each object once), so nothing is dropped silently.
 * @throws CliError for unreadable or invalid input, stdin given twice, no PSP when `requirePolicies`, or no workload.
 */
export async function loadCheckInputs(
  inputs: readonly string[],
  options: CheckInputOptions,
  io: CliIO,
  say: Messages,
  requirePolicies: boolean,
  verbose: boolean,
  /** `evaluate` reads other engines' admission policies among the policy inputs (not among the workloads). */
  othersRead = false,
): Promise<CheckInputs> {
  const workloadInputs = options.workloads;
  const stdinUses = [...inputs, ...(workloadInputs ?? [])].filter((input) => input === '-').length;
  if (stdinUses > 1) throw new CliError('stdin (-) can be read only once: give it either as a policy input or to --workloads');
  const loadOptions = { defaultNamespace: options.namespace, maxBytes: options.maxInputMib * 1024 * 1024 };
  const policySet = await loadCluster(inputs, io, { ...loadOptions, requirePolicies });
  if (workloadInputs === undefined) {
    reportSkipped(policySet, say, verbose, { othersRead });
    if (policySet.workloads.length === 0) {
      throw new CliError(`no workloads found in ${inputs.join(', ')}; pass the manifests to check with --workloads (helm template output, kubectl get -o yaml)`);
    }
    return { policySet, workloads: policySet.workloads };
  }

  const workloadSet = await loadCluster(workloadInputs, io, { ...loadOptions, requirePolicies: false });
  if (workloadSet.workloads.length === 0) {
    const read = workloadSet.skipped.length > 0 ? ` (read ${workloadSet.skipped.length} object(s) of other kinds: ${[...new Set(workloadSet.skipped.map((o) => o.kind))].sort().join(', ')})` : '';
    throw new CliError(
      `no workloads found in ${workloadInputs.join(', ')}${read}; --workloads reads Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController and PodTemplate manifests`,
    );
  }
  const skippedPlaces = new Set(policySet.skipped.map(at));
  const policyOthers = new Set(policySet.others.map(at));
  const workloadSkipped = [...workloadSet.skipped, ...workloadSet.others.filter((object) => !policyOthers.has(at(object))).map(({ apiVersion, kind, name, source }) => ({ apiVersion, kind, name, source }))];
  const workloadSkippedOnce = [...new Map(workloadSkipped.map((object) => [at(object), object])).values()];
  reportSkipped({ ...policySet, skipped: [...policySet.skipped, ...workloadSkippedOnce.filter((object) => !skippedPlaces.has(at(object)))] }, say, verbose, { othersRead });
  const workloadPlaces = new Set(workloadSet.workloads.map(at));
  const unchecked = policySet.workloads.filter((workload) => !workloadPlaces.has(at(workload)));
  if (unchecked.length > 0) {
    say.note(
      `not checking ${unchecked.length} workload${unchecked.length === 1 ? '' : 's'} found only in the policy inputs (${unchecked
        .slice(0, 3)
        .map((w) => `${w.kind}/${w.name} at ${at(w)}`)
        .join(', ')}${unchecked.length > 3 ? ', ...' : ''}); add them to --workloads to check them`,
    );
  }
  const policyPlaces = new Set(
    [
      ...policySet.policies.map((p) => ({ source: p.source })),
      ...policySet.rbac.roles,
      ...policySet.rbac.clusterRoles,
      ...policySet.rbac.roleBindings,
      ...policySet.rbac.clusterRoleBindings,
      ...policySet.namespaces,
    ].map(at),
  );
  const ignored = [
    ...workloadSet.policies.map((p) => ({ what: `PodSecurityPolicy/${p.name}`, source: p.source })),
    ...[...workloadSet.rbac.roles, ...workloadSet.rbac.clusterRoles, ...workloadSet.rbac.roleBindings, ...workloadSet.rbac.clusterRoleBindings, ...workloadSet.namespaces].map(
      (o) => ({ what: `${o.kind}/${o.name}`, source: o.source }),
    ),
  ].filter((object) => !policyPlaces.has(at(object)));
  if (ignored.length > 0) {
    say.note(
      `ignoring ${ignored.length} policy object${ignored.length === 1 ? '' : 's'} found only in the --workloads inputs (${ignored
        .slice(0, 3)
        .map((o) => `${o.what} at ${at(o)}`)
        .join(', ')}${ignored.length > 3 ? ', ...' : ''}); pass them as policy inputs (before --workloads) to use them`,
    );
  }
  return { policySet, workloads: workloadSet.workloads };
}

/** One workload to judge: the manifest, the pod its controller creates, and how the report names it. */
export interface WorkloadPod {
  manifest: Workload;
  context: PodContext;
  ref: WorkloadRef;
}

/** The pod each workload's controller creates, with its identity; a workload we cannot read is an input error naming its file and line. */
export async function workloadPods(workloads: readonly Workload[], defaultNamespace: string): Promise<WorkloadPod[]> {
  const { podFromWorkload } = await import('@psp-translate/core');
  const problems: string[] = [];
  const pods = workloads.flatMap((manifest): WorkloadPod[] => {
    try {
      const context = podFromWorkload(manifest, { defaultNamespace });
      return [{ manifest, context, ref: { kind: manifest.kind, namespace: context.namespace, name: manifest.name, serviceAccount: context.serviceAccount } }];
    } catch (error) {
      problems.push(`${at(manifest)}: ${(error as Error).message}`);
      return [];
    }
  });
  if (problems.length > 0) throw new CliError(problems);
  return pods;
}

/** A workload as a target evaluator receives it. */
export function toWorkloadContext(workload: WorkloadPod, requester: Requester | undefined): WorkloadContext {
  return { workload: workload.ref, pod: workload.context.pod, ...(requester === undefined ? {} : { requester }) };
}
