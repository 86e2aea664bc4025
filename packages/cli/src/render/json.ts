/**
 * The JSON contract of `check` and `evaluate`:
 * `{"results":[{"workload":{...},"psp":{...},"targets":{...}}],"summary":{...}}`. `psp` is
 * `check`'s only; `targets` appears when targets were asked for (always for `evaluate`).
 */
import type { Report, WorkloadResult } from './report.js';

/** One result with its keys in contract order. */
function ordered(result: WorkloadResult): WorkloadResult {
  const { kind, namespace, name, serviceAccount } = result.workload;
  const out: WorkloadResult = { workload: { kind, namespace, name, serviceAccount } };
  if (result.psp !== undefined) {
    const { admitted, policy, candidates, mutations, reasons, warnings } = result.psp;
    out.psp = { admitted, policy, candidates, mutations, reasons, warnings };
  }
  if (result.targets !== undefined) out.targets = result.targets;
  return out;
}

/** The report as pretty JSON with a final newline. Cluster warnings are not part of it (the CLI prints them on stderr). */
export function renderJson(report: Report): string {
  const { workloads, admitted, rejected, targets } = report.summary;
  const document = {
    results: report.results.map(ordered),
    summary: { workloads, admitted, rejected, ...(targets === undefined ? {} : { targets }) },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
