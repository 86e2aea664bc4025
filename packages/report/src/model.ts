/**
 * The migration report as data: what `report()` returns and every renderer prints. JSON-safe (no
 * Maps, no undefined in arrays), so `--format json` is this model as is.
 */
import type { ControlKind, SourceRef, WorkloadKind } from '@psp-translate/core';

/** A target's own fidelity words (the CLI's `Fidelity`). */
export type Fidelity = 'exact' | 'note' | 'approximate' | 'unsupported';

/**
 * A matrix cell: the worst fidelity among the target's entries for one PSP control, or `unreported`
 * when the target's report has no entry about that control (the report does not guess).
 */
export type CellFidelity = Fidelity | 'unreported';

/** What happened to one PSP default in one target. */
export type DefaultStatus = 'emitted' | 'approximated' | 'lost' | 'unreported';

/** One line of a target's fidelity report, as the report keeps it. */
export interface ReportEntry {
  fidelity: Fidelity;
  message: string;
  /** Whether the entry is about the control's validation or its default (the target's `aspect`; validation when it sets none). */
  aspect: 'validation' | 'default';
  source?: SourceRef;
}

/** One PSP control in one target. */
export interface ControlCell {
  fidelity: CellFidelity;
  entries: ReportEntry[];
}

/** One control row of a PSP: its cell per target, by target name. */
export interface ControlRow {
  control: ControlKind;
  /** The PSP fields the control was built from (`spec.allowedCapabilities`...). */
  sources: string[];
  cells: Record<string, ControlCell>;
}

/** One PSP default in one target. */
export interface DefaultCell {
  status: DefaultStatus;
  entries: ReportEntry[];
}

/** A default PSP admission wrote into pods, and what each target does with it. */
export interface DefaultRow {
  control: ControlKind;
  /** The default as JSON (`{"drop":["ALL"]}`), from the IR. */
  value: string;
  cells: Record<string, DefaultCell>;
}

/** A set of pods RBAC let use a PSP (core's `PolicyScope`, flattened for printing). */
export interface ScopeRow {
  namespace: string;
  serviceAccount: string;
  via: 'serviceAccount' | 'requester';
  /** The controller, for `via: requester`. */
  requester?: string;
  grantedBy: string[];
}

/** Everything the report says about one PSP. */
export interface PolicyReport {
  name: string;
  source: SourceRef;
  mutating: boolean;
  access: {
    scopes: ScopeRow[];
    userGrants: { user: string; namespace: string }[];
    groupGrants: { group: string; namespace: string }[];
    unused: boolean;
    warnings: string[];
  };
  controls: ControlRow[];
  defaults: DefaultRow[];
  /** Per target: entries about the PSP as a whole (control `null`). */
  notes: Record<string, ReportEntry[]>;
}

/** A target as run for the report. */
export interface TargetRun {
  name: string;
  /** `failed`: `translate` threw; `error` says why and the target's cells are all `unreported`. */
  status: 'translated' | 'failed';
  error?: string;
  /** Entries about the translation as a whole (policy `null`). */
  notes: ReportEntry[];
  /** Number of objects the translation emitted. */
  objects: number;
  /** Workload verdicts: `true` when the target judged workloads in-process; else why not. */
  evaluated: true | string;
}

/** The share of PSP controls each target translated exactly. */
export interface TargetSummary {
  name: string;
  /** Control cells (PSPs x controls). */
  cells: number;
  /** Cells by fidelity. `note` counts as exact in {@link exactShare}. */
  byFidelity: Record<CellFidelity, number>;
  /** (exact + note) / cells, 0..1; `unreported` cells count as not exact. */
  exactShare: number;
  /** PSP defaults: how many were emitted, approximated, lost, unreported. */
  defaults: Record<DefaultStatus, number>;
}

/** The Pod Security labels chosen for one namespace, and why (from the psa target). */
export interface NamespaceReport {
  namespace: string;
  labels: Record<string, string>;
  /** The level every pod the usable PSPs admitted passes (`baseline:v1.37`). */
  safe: string;
  /** The PSPs that kept the level from being stricter. */
  drivenBy: string[];
  /** Each usable PSP and the level it assessed to. */
  policies: { policy: string; level: string }[];
  reasons: string[];
  foundIn: string[];
  noPolicy: boolean;
}

/** A workload as the report names it. */
export interface WorkloadRef {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  serviceAccount: string;
}

/** One target's verdict on one workload; `admitted: null` = not evaluated. */
export interface WorkloadVerdict {
  admitted: boolean | null;
  reasons: string[];
  notEvaluated?: string;
}

/** PSP's decision and each target's on one workload. */
export interface WorkloadRow {
  workload: WorkloadRef;
  psp: { admitted: boolean; policy: string | null; reasons: string[] };
  targets: Record<string, WorkloadVerdict>;
}

/**
 * A workload a target decides differently from PSP:
 * - `regression`: PSP rejected it, the target admits it (a security regression, listed first);
 * - `breakage`: PSP admitted it, the target rejects it.
 */
export interface WorkloadDifference {
  kind: 'regression' | 'breakage';
  target: string;
  workload: WorkloadRef;
  /** PSP's reasons for a regression, the target's for a breakage. */
  reasons: string[];
}

/** The workload section, present when workloads were given. */
export interface WorkloadSection {
  results: WorkloadRow[];
  /** Regressions first, then breakages; each in workload order. */
  differences: WorkloadDifference[];
  summary: {
    workloads: number;
    pspAdmitted: number;
    perTarget: Record<string, { admitted: number; rejected: number; notEvaluated: number; regressions: number; breakages: number }>;
  };
}

/** The migration report. */
export interface Report {
  /** Bumped when the JSON shape changes incompatibly. */
  reportVersion: 1;
  summary: {
    policies: number;
    /** Scopes over all PSPs (namespace x service account or controller sets RBAC let use them). */
    scopes: number;
    unusedPolicies: string[];
    namespaces: number;
    targets: TargetSummary[];
  };
  targets: TargetRun[];
  policies: PolicyReport[];
  /** Empty when the psa target was not among the targets. */
  namespaces: NamespaceReport[];
  workloads?: WorkloadSection;
  /** RBAC problems and grants that reach every pod, once each. */
  warnings: string[];
}
