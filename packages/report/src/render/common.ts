// Words shared by every report format.
import type { CellFidelity, DefaultStatus, Report, WorkloadRef } from '../model.js';

/** `Deployment shop/web (sa storefront)`. */
export function workloadTitle(workload: WorkloadRef): string {
  return `${workload.kind} ${workload.namespace}/${workload.name}`;
}

/** `87%`. */
export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** The word printed in a matrix cell. */
export const CELL_WORDS: Record<CellFidelity, string> = {
  exact: 'exact',
  note: 'exact*',
  approximate: 'approx',
  unsupported: 'missing',
  unreported: '-',
};

/** The legend under every matrix. */
export const LEGEND =
  'exact = same decisions as PSP; exact* = exact, with a note; approx = expressed, some pods decided differently (see how); missing = not expressible in that target; - = the target reported nothing about this control';

export const DEFAULT_WORDS: Record<DefaultStatus, string> = {
  emitted: 'mutator emitted',
  approximated: 'approximated',
  lost: 'lost',
  unreported: '-',
};

/** `gatekeeper 40% exact (8/20 ...)`, one line per target. */
export function targetSummaryLine(summary: Report['summary']['targets'][number]): string {
  const f = summary.byFidelity;
  const d = summary.defaults;
  return `${summary.name}: ${percent(summary.exactShare)} of controls exact (${f.exact + f.note}/${summary.cells}; approximate ${f.approximate}, not expressible ${f.unsupported}, unreported ${f.unreported}); defaults: ${d.emitted} emitted, ${d.approximated} approximated, ${d.lost} lost, ${d.unreported} unreported`;
}

/** `namespace shop, service account storefront` / `via replicaset-controller`. */
export function scopeWords(scope: { namespace: string; serviceAccount: string; via: string; requester?: string }): string {
  const ns = scope.namespace === '*' ? 'every namespace' : `namespace ${scope.namespace}`;
  if (scope.via === 'requester') return `${ns}: pods created by ${scope.requester ?? 'a controller'} (any service account)`;
  return `${ns}: ${scope.serviceAccount === '*' ? 'any service account' : `service account ${scope.serviceAccount}`}`;
}
