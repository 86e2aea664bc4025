/**
 * Library example: the migration report for a cluster, as a platform team would build it into its
 * own tooling. `packages/report/test/examples.test.ts` runs it on examples/cluster.
 *
 *   const html = await migrationReport(['examples/cluster'], 'html');
 */
import { loadInputs } from '@psp-translate/core';
import { renderReport, report, type ReportFormat } from '@psp-translate/report';

/** Read the cluster's manifests (PSPs, RBAC, namespaces, workloads) and print the report. */
export async function migrationReport(paths: readonly string[], format: ReportFormat): Promise<{ text: string; regressions: number }> {
  const inputs = await loadInputs(paths);
  // The workloads found beside the PSPs are judged too: PSP's decision against each target's.
  const model = await report({ inputs, workloads: inputs.workloads });
  const regressions = model.workloads?.differences.filter((d) => d.kind === 'regression').length ?? 0;
  return { text: renderReport(model, format), regressions };
}
