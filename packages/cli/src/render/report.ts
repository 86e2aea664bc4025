/**
 * What `check` and `evaluate` found, as data: one model, printed as a table, markdown or JSON.
 * The JSON printer emits these objects as they are, so their field order is the JSON contract's.
 */
import type { JsonPatchOp } from '@psp-translate/core';
import type { TargetName } from '../target-names.js';
import type { WorkloadRef } from '../targets.js';

/** What PodSecurityPolicy admission decided about one workload's pod. */
export interface PspOutcome {
  admitted: boolean;
  /** The policy that admitted the pod (the `kubernetes.io/psp` annotation); null when rejected. */
  policy: string | null;
  /** The policies the pod's service account or its creator may use, in the order PSP tried them. */
  candidates: string[];
  /** RFC 6902 JSON Patch turning the pod into what PSP admission stored; empty when unchanged or rejected. */
  mutations: JsonPatchOp[];
  /** `field: message (policy name)`, from every candidate; empty when admitted. */
  reasons: string[];
  /** Traps: name order deciding the defaults, a service account that may use no PSP, grants that reach too far. */
  warnings: string[];
}

/** What one target's policies decided about one workload, or why they were not asked. */
export interface TargetOutcome {
  /** null when not evaluated (`notEvaluated` says why). */
  admitted: boolean | null;
  /** Why the target rejects the pod; empty when admitted or not evaluated. */
  reasons: string[];
  /** What the engine tells the user while admitting (e.g. PSA warn mode); present only when there are some. */
  warnings?: string[];
  /** Present exactly when the target was not evaluated: why, and what to do. */
  notEvaluated?: string;
}

/** One workload's line in the report. */
export interface WorkloadResult {
  workload: WorkloadRef;
  /** `check` only. */
  psp?: PspOutcome;
  /** Present when targets were asked for (`check --target`, always for `evaluate`), keyed in `--target` order. */
  targets?: Partial<Record<TargetName, TargetOutcome>>;
}

/** Per target counts. */
export interface TargetSummary {
  admitted: number;
  rejected: number;
  notEvaluated: number;
  /** `check`: PSP admitted the workload, the target rejects it (the migration would break it). */
  newlyRejected?: number;
  /** `check`: PSP rejected the workload, the target admits it (a security regression). */
  newlyAdmitted?: number;
}

/** Totals. For `check`, admitted/rejected are PSP's; for `evaluate`, a workload is rejected when any target rejects it. */
export interface ReportSummary {
  workloads: number;
  admitted: number;
  rejected: number;
  targets?: Partial<Record<TargetName, TargetSummary>>;
}

/** The whole report. */
export interface Report {
  command: 'check' | 'evaluate';
  results: WorkloadResult[];
  summary: ReportSummary;
  /** Targets in the order asked for (columns). */
  targets: TargetName[];
  /**
   * Findings about the cluster rather than one workload (RBAC problems, PSP grants that reach every
   * pod, namespaces missing from the inputs): printed by the text and markdown formats, on stderr with JSON.
   */
  clusterWarnings: string[];
}

/** How a target's verdict on a workload compares with PSP's. */
export type Difference = 'newlyRejected' | 'newlyAdmitted' | null;

/** Whether `target` decided `result` differently from PSP admission. */
export function differenceOf(result: WorkloadResult, target: TargetName): Difference {
  const outcome = result.targets?.[target];
  if (result.psp === undefined || outcome === undefined || outcome.admitted === null) return null;
  if (result.psp.admitted && !outcome.admitted) return 'newlyRejected';
  if (!result.psp.admitted && outcome.admitted) return 'newlyAdmitted';
  return null;
}

/** `Deployment shop/web`. */
export function workloadTitle(workload: WorkloadRef): string {
  return `${workload.kind} ${workload.namespace}/${workload.name}`;
}

/** Workloads whose verdicts differ between PSP and a target: security regressions first, then breaks. */
export function differences(report: Report): { result: WorkloadResult; target: TargetName; difference: Exclude<Difference, null> }[] {
  const found = report.results.flatMap((result) =>
    report.targets.flatMap((target) => {
      const difference = differenceOf(result, target);
      return difference === null ? [] : [{ result, target, difference }];
    }),
  );
  const rank = (difference: Exclude<Difference, null>) => (difference === 'newlyAdmitted' ? 0 : 1);
  return found.sort((a, b) => rank(a.difference) - rank(b.difference));
}

/** The warnings of every result, each once, with the workloads it concerns (in report order). */
export function groupedWarnings(report: Report): { warning: string; workloads: WorkloadRef[] }[] {
  const byText = new Map<string, WorkloadRef[]>();
  for (const result of report.results) {
    for (const warning of result.psp?.warnings ?? []) {
      const list = byText.get(warning) ?? [];
      list.push(result.workload);
      byText.set(warning, list);
    }
  }
  return [...byText].map(([warning, workloads]) => ({ warning, workloads }));
}

/** A JSON Patch operation as a person reads it: `spec.securityContext.fsGroup: 2000`. Structural `{}` additions are dropped by the caller. */
export function describeMutation(op: JsonPatchOp, fieldPath: (pointer: string) => string): string {
  const field = fieldPath(op.path);
  if (op.op === 'remove') return `${field}: removed`;
  const value = typeof op.value === 'string' ? op.value : JSON.stringify(op.value);
  return `${field}: ${value}`;
}

/** Mutations worth showing a person: those that set something (not the empty objects created on the way). */
export function visibleMutations(mutations: readonly JsonPatchOp[]): JsonPatchOp[] {
  return mutations.filter(
    (op) => !(op.op === 'add' && typeof op.value === 'object' && op.value !== null && !Array.isArray(op.value) && Object.keys(op.value).length === 0),
  );
}
