/**
 * The Gatekeeper target (core's `TargetModule`, used by the CLI registry and the migration report):
 * translate an InputSet, and judge workloads in-process for `check --target gatekeeper`.
 */
import { buildRbacIndex, scopeGroups, type InputSet, type Pod, type Requester, type TargetModule } from '@psp-translate/core';
import { gatekeeperEvaluator } from './runtime/evaluate.js';
import { regoTestFiles } from './rego-tests.js';
import { everywhere } from './scope.js';
import { translateGatekeeper } from './translate.js';
import type { GatekeeperAction, GatekeeperMode, GatekeeperOutput } from './types.js';

/** The parts of core's `TranslateOptions` the `gatekeeper` target reads (see {@link GatekeeperOptions}). */
export interface GatekeeperTargetOptions {
  /** The CLI's `--action` in every engine's words; this target reads `gatekeeper`. */
  actions?: { gatekeeper?: GatekeeperAction };
  /** Gatekeeper's own options: `--gatekeeper-mode` (default auto). */
  gatekeeper?: { mode?: GatekeeperMode };
  /** `--no-mutate` sets false. */
  mutate?: boolean;
  /** Namespaces exempted from every constraint and mutator, written out explicitly. */
  excludedNamespaces?: readonly string[];
  /** `--emit-tests`: also return Rego unit tests (`rego-tests/<template>_test.rego`) in `files`. */
  emitTests?: boolean;
}

/** The workload view the CLI passes to `evaluate` (structural twin of its `WorkloadContext`). */
export interface GatekeeperWorkload {
  pod: Pod;
  requester?: Requester;
  /** The workload as `check` reports it; its `namespace` (the manifest's, else `--namespace`) is the namespace admission sees. */
  workload?: { namespace: string };
}

function hasRbac(inputs: Pick<InputSet, 'rbac'>): boolean {
  return Object.values(inputs.rbac).some((list) => list.length > 0);
}

/** `--target gatekeeper`: RBAC resolved into scope groups, then {@link translateGatekeeper}; in-process evaluation of the result. */
export const gatekeeperTarget = {
  name: 'gatekeeper' as const,

  translate(inputs: Pick<InputSet, 'policies' | 'rbac'>, options: GatekeeperTargetOptions = {}): GatekeeperOutput {
    const rbacGiven = hasRbac(inputs);
    const groups = rbacGiven ? scopeGroups(buildRbacIndex(inputs.rbac), inputs.policies) : everywhere(inputs.policies.map((p) => p.name));
    const output = translateGatekeeper({
      policies: inputs.policies,
      scopeGroups: groups,
      options: {
        ...(options.actions?.gatekeeper !== undefined ? { action: options.actions.gatekeeper } : {}),
        ...(options.gatekeeper?.mode !== undefined ? { mode: options.gatekeeper.mode } : {}),
        ...(options.mutate !== undefined ? { mutate: options.mutate } : {}),
        ...(options.excludedNamespaces !== undefined ? { excludedNamespaces: options.excludedNamespaces } : {}),
      },
    });
    if (!rbacGiven) {
      output.report.unshift({
        policy: null,
        control: null,
        fidelity: 'note',
        message: 'no RBAC in the input: every PSP is taken as usable by every pod (as when all are granted to system:authenticated)',
      });
    }
    if (options.emitTests === true) output.files = regoTestFiles(inputs.policies, output.objects);
    return output;
  },

  /**
   * Judge workloads with the translated objects (and any others among them, e.g. exception
   * constraints): mutators, then the CEL of each constraint whose whole `match` selects the pod
   * (labelSelector and namespaceSelector included). Namespace labels come from `inputs.namespaces`
   * when given.
   */
  evaluate(translation: Pick<GatekeeperOutput, 'objects'>, inputs?: Pick<InputSet, 'namespaces'>) {
    const judge = gatekeeperEvaluator(translation.objects);
    const namespaceLabels = new Map(
      (inputs?.namespaces ?? []).map((n) => [n.name, { ...(((n.raw['metadata'] as { labels?: Record<string, string> } | undefined)?.labels) ?? {}) }]),
    );
    return (workload: GatekeeperWorkload) => {
      // The workload's namespace carries --namespace for manifests without one; the pod may not.
      const namespace = workload.workload?.namespace ?? workload.pod.metadata.namespace ?? 'default';
      const labels = namespaceLabels.get(namespace);
      const decision = judge({
        pod: workload.pod,
        namespace,
        ...(labels !== undefined ? { namespaceLabels: labels } : {}),
        ...(workload.requester !== undefined ? { username: workload.requester.user } : {}),
      });
      return { admitted: decision.admitted, reasons: decision.violations };
    };
  },
} satisfies TargetModule;
