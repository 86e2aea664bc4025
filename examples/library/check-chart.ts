/**
 * Library example: the dry run PSP never had, for a chart. Given the rendered manifests of a Helm
 * chart (`helm template ... > rendered.yaml`) and a cluster's PSPs and RBAC, decide for each workload
 * what PSP admission did: which PSP admitted its pods and with which defaults, or why every PSP its
 * service account or controller may use rejected them. This is `psp-translate check`'s core loop.
 *
 * It runs in CI: `test/examples.test.ts` calls `main()` on the rendered ingress-nginx and
 * prometheus-node-exporter charts in packages/report/test/charts/ against examples/cluster, and
 * compares the output with `check-chart.out.txt` beside this file. To run it yourself:
 * `pnpm vitest run --project corpus test/examples.test.ts`.
 */
import { admit, buildRbacIndex, candidatesFor, controllerRequester, loadInputs, podFromWorkload, type AdmissionResult, type PolicyIR } from '@psp-translate/core';

/** One workload's verdict. */
export interface ChartVerdict {
  /** `Kind/namespace/name`. */
  workload: string;
  serviceAccount: string;
  result: AdmissionResult;
}

/** Judge every workload of `rendered` (chart output) by the PSPs and RBAC under `cluster`. */
export async function checkChart(cluster: readonly string[], rendered: readonly string[], namespace: string): Promise<ChartVerdict[]> {
  const policySet = await loadInputs(cluster);
  // `helm template` leaves `metadata.namespace` out of many templates: they go to the release's namespace.
  const { workloads } = await loadInputs(rendered, { defaultNamespace: namespace });
  const index = buildRbacIndex(policySet.rbac, { policies: policySet.policies });
  const byName = new Map(policySet.policies.map((policy) => [policy.name, policy]));
  return workloads.map((workload) => {
    const context = podFromWorkload(workload, { defaultNamespace: namespace });
    // A Deployment's pods are created by the replicaset controller: PSPs granted to it count too.
    const requester = controllerRequester(workload.kind);
    const names = candidatesFor(index, policySet.policies, { namespace: context.namespace, serviceAccount: context.serviceAccount, ...(requester ? { requester } : {}) });
    const result = admit(context.pod, names.map((name) => byName.get(name)).filter((policy): policy is PolicyIR => policy !== undefined));
    return { workload: `${workload.kind}/${context.namespace}/${workload.name}`, serviceAccount: context.serviceAccount, result };
  });
}

/** Print one verdict line per workload, then the defaults applied or the reasons for rejection. */
export async function main(cluster: readonly string[], rendered: readonly string[], namespace: string, print: (line: string) => void = console.log): Promise<void> {
  for (const { workload, serviceAccount, result } of await checkChart(cluster, rendered, namespace)) {
    const tried = result.candidates.length > 0 ? result.candidates.join(', ') : 'none';
    if (result.admitted) {
      print(`ADMITTED ${workload} (service account ${serviceAccount}) by ${result.policy}; candidates: ${tried}; ${result.mutations.length} defaults applied`);
      for (const patch of result.mutations) print(`  ${patch.op} ${patch.path}${'value' in patch ? ` = ${JSON.stringify(patch.value)}` : ''}`);
    } else {
      print(`REJECTED ${workload} (service account ${serviceAccount}); candidates: ${tried}`);
      for (const reason of result.reasons) print(`  ${reason.policy || '(none)'}: ${reason.path ? `${reason.path}: ` : ''}${reason.message}`);
    }
    for (const warning of result.warnings) print(`  warning: ${warning}`);
  }
}
