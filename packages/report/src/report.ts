/**
 * `report()`: the document a cluster admin reads before switching engines. It runs every target's
 * translation, lays each target's fidelity report over the PSPs' controls and defaults, adds who may
 * use each PSP (RBAC), the Pod Security labels chosen per namespace, and, given workloads, what each
 * target decides differently from PSP admission.
 */
import {
  admit,
  buildRbacIndex,
  candidatesFor,
  CONTROL_KINDS,
  controllerRequester,
  podFromWorkload,
  policyAccess,
  type ControlKind,
  type EngineActions,
  type FidelityEntry,
  type InputSet,
  type PolicyIR,
  type TranslationResult,
  type Workload,
  type WorkloadEvaluator,
} from '@psp-translate/core';
import { formatLevelVersion, translatePsa } from '@psp-translate/psa';
import type {
  CellFidelity,
  ControlCell,
  DefaultCell,
  DefaultRow,
  DefaultStatus,
  Fidelity,
  NamespaceReport,
  PolicyReport,
  Report,
  ReportEntry,
  TargetRun,
  TargetSummary,
  WorkloadDifference,
  WorkloadRow,
  WorkloadSection,
} from './model.js';
import { BUILTIN_TARGETS, ENFORCING_ACTIONS, OBSERVING_ACTIONS, type ReportTarget } from './targets.js';

/** Options of {@link report}. */
export interface ReportOptions {
  /** `--action` in every engine's words for the translations the report describes; default each engine's observing default. */
  actions?: EngineActions;
  /** Namespace of namespaced objects and workloads that name none (the CLI's `--namespace`); default `default`. */
  defaultNamespace?: string;
}

/** What {@link report} reads. */
export interface ReportInput {
  /** The cluster: PSPs (at least one), RBAC, namespaces (core's `loadInputs`/`parseInputs`). */
  inputs: InputSet;
  /** Workloads to judge by PSP and by each target (e.g. `helm template` output); none = no workload section. */
  workloads?: readonly Workload[];
  /** The targets to run, in column order; default all four ({@link BUILTIN_TARGETS}). */
  targets?: readonly ReportTarget[];
  options?: ReportOptions;
}

const RANK: Record<CellFidelity, number> = { unreported: -1, exact: 0, note: 1, approximate: 2, unsupported: 3 };

function worst(entries: readonly ReportEntry[]): Fidelity | undefined {
  let result: Fidelity | undefined;
  for (const entry of entries) if (result === undefined || RANK[entry.fidelity] > RANK[result]) result = entry.fidelity;
  return result;
}

function toEntry(entry: FidelityEntry, aspect: 'validation' | 'default'): ReportEntry {
  return { fidelity: entry.fidelity, message: entry.message, aspect, ...(entry.source === undefined ? {} : { source: entry.source }) };
}

const DEFAULT_STATUS: Record<Fidelity, DefaultStatus> = { exact: 'emitted', note: 'emitted', approximate: 'approximated', unsupported: 'lost' };

interface RunTarget {
  target: ReportTarget;
  run: TargetRun;
  translation: TranslationResult | undefined;
}

async function runTarget(target: ReportTarget, inputs: InputSet, actions: EngineActions): Promise<RunTarget> {
  try {
    const translation = await target.translate(inputs, { actions });
    const notes = translation.report.filter((entry) => entry.policy === null).map((entry) => toEntry(entry, 'validation'));
    return {
      target,
      translation,
      run: {
        name: target.name,
        status: 'translated',
        notes,
        objects: translation.objects.length,
        evaluated: target.evaluate === undefined ? `psp-translate cannot run ${target.name} policies in-process yet` : true,
      },
    };
  } catch (error) {
    // A target that throws is a bug in it; the report says so instead of failing as a whole.
    return {
      target,
      translation: undefined,
      run: { name: target.name, status: 'failed', error: error instanceof Error ? error.message : String(error), notes: [], objects: 0, evaluated: 'the translation failed' },
    };
  }
}

function policyReport(policy: PolicyIR, access: ReturnType<typeof policyAccess>[number] | undefined, runs: readonly RunTarget[]): PolicyReport {
  const controls = CONTROL_KINDS.map((control) => ({ control, sources: [...policy.controls[control].sources], cells: {} as Record<string, ControlCell> }));
  const defaults: DefaultRow[] = CONTROL_KINDS.filter((control) => policy.controls[control].defaults !== null).map((control) => ({
    control,
    value: JSON.stringify(policy.controls[control].defaults),
    cells: {} as Record<string, DefaultCell>,
  }));
  const notes: Record<string, ReportEntry[]> = {};
  for (const { target, translation } of runs) {
    const mine = (translation?.report ?? []).filter((entry) => entry.policy === policy.name);
    notes[target.name] = mine.filter((entry) => entry.control === null).map((entry) => toEntry(entry, 'validation'));
    const byControl = new Map<ControlKind, ReportEntry[]>();
    for (const entry of mine) {
      if (entry.control === null) continue;
      const list = byControl.get(entry.control) ?? [];
      list.push(toEntry(entry, entry.aspect ?? 'validation'));
      byControl.set(entry.control, list);
    }
    for (const row of controls) {
      const entries = (byControl.get(row.control) ?? []).filter((entry) => entry.aspect === 'validation');
      row.cells[target.name] = { fidelity: worst(entries) ?? 'unreported', entries };
    }
    for (const row of defaults) {
      const entries = (byControl.get(row.control) ?? []).filter((entry) => entry.aspect === 'default');
      const fidelity = worst(entries);
      row.cells[target.name] = { status: fidelity === undefined ? 'unreported' : DEFAULT_STATUS[fidelity], entries };
    }
  }
  return {
    name: policy.name,
    source: policy.source,
    mutating: policy.mutating,
    access: {
      scopes: (access?.scopes ?? []).map((scope) => ({
        namespace: scope.namespace,
        serviceAccount: scope.serviceAccount,
        via: scope.via,
        ...(scope.requester === undefined ? {} : { requester: scope.requester.user }),
        grantedBy: [...scope.grantedBy],
      })),
      userGrants: (access?.userGrants ?? []).map(({ user, namespace }) => ({ user, namespace })),
      groupGrants: (access?.groupGrants ?? []).map(({ group, namespace }) => ({ group, namespace })),
      unused: access?.unused ?? true,
      warnings: [...(access?.warnings ?? [])],
    },
    controls,
    defaults,
    notes,
  };
}

function targetSummary(name: string, policies: readonly PolicyReport[]): TargetSummary {
  const byFidelity: Record<CellFidelity, number> = { exact: 0, note: 0, approximate: 0, unsupported: 0, unreported: 0 };
  const defaults: Record<DefaultStatus, number> = { emitted: 0, approximated: 0, lost: 0, unreported: 0 };
  let cells = 0;
  for (const policy of policies) {
    for (const row of policy.controls) {
      const cell = row.cells[name];
      if (cell === undefined) continue;
      cells++;
      byFidelity[cell.fidelity]++;
    }
    for (const row of policy.defaults) {
      const cell = row.cells[name];
      if (cell !== undefined) defaults[cell.status]++;
    }
  }
  return { name, cells, byFidelity, exactShare: cells === 0 ? 0 : (byFidelity.exact + byFidelity.note) / cells, defaults };
}

function namespaceSection(inputs: InputSet, actions: EngineActions): NamespaceReport[] {
  const translation = translatePsa(inputs, { mode: actions.psa, format: 'manifests' });
  const labelsByName = new Map(translation.objects.map((object) => [object.metadata.name, object.metadata.labels]));
  return translation.namespaces.map((decision) => ({
    namespace: decision.namespace,
    labels: { ...(labelsByName.get(decision.namespace) ?? decision.labels) },
    safe: formatLevelVersion({ level: decision.safe.level, version: decision.safe.version }),
    drivenBy: [...decision.drivenBy],
    policies: decision.policies.map((p) => ({ policy: p.policy, level: formatLevelVersion({ level: p.level, version: p.version }) })),
    reasons: [...decision.reasons],
    foundIn: [...decision.foundIn],
    noPolicy: decision.noPolicy,
  }));
}

async function workloadSection(inputs: InputSet, workloads: readonly Workload[], targets: readonly ReportTarget[], defaultNamespace: string): Promise<WorkloadSection> {
  const index = buildRbacIndex(inputs.rbac, { policies: inputs.policies, defaultNamespace });
  const byName = new Map(inputs.policies.map((policy) => [policy.name, policy]));
  // Translations see the workloads too: PSA labels every namespace the input names.
  const places = new Set(inputs.workloads.map((w) => `${w.source.file}:${w.source.line}`));
  const translationInputs: InputSet = { ...inputs, workloads: [...inputs.workloads, ...workloads.filter((w) => !places.has(`${w.source.file}:${w.source.line}`))] };
  const judges = new Map<string, WorkloadEvaluator | string>();
  for (const target of targets) {
    if (target.evaluate === undefined) {
      judges.set(target.name, `psp-translate cannot run ${target.name} policies in-process yet; apply its translation in a test cluster to see its decisions`);
      continue;
    }
    try {
      const translation = await target.translate(translationInputs, { actions: ENFORCING_ACTIONS });
      judges.set(target.name, await target.evaluate(translation, translationInputs));
    } catch (error) {
      judges.set(target.name, `the ${target.name} translation failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const results: WorkloadRow[] = workloads.map((workload) => {
    const context = podFromWorkload(workload, { defaultNamespace });
    const requester = controllerRequester(workload.kind);
    const ref = { kind: workload.kind, namespace: context.namespace, name: workload.name, serviceAccount: context.serviceAccount };
    const candidates = candidatesFor(index, inputs.policies, { namespace: context.namespace, serviceAccount: context.serviceAccount, ...(requester === undefined ? {} : { requester }) });
    const admission = admit(context.pod, candidates.map((name) => byName.get(name) as PolicyIR), { warnings: false });
    const row: WorkloadRow = {
      workload: ref,
      psp: {
        admitted: admission.admitted,
        policy: admission.policy,
        reasons: admission.reasons.map((reason) => `${reason.path === '' ? '' : `${reason.path}: `}${reason.message} (policy ${reason.policy})`),
      },
      targets: {},
    };
    if (candidates.length === 0) row.psp.reasons = ['no PodSecurityPolicy is authorised for this pod\'s service account or requesting user'];
    for (const target of targets) {
      const judge = judges.get(target.name);
      if (typeof judge !== 'function') {
        row.targets[target.name] = { admitted: null, reasons: [], notEvaluated: judge ?? 'not evaluated' };
        continue;
      }
      const verdict = judge({ workload: ref, pod: context.pod, ...(requester === undefined ? {} : { requester }) });
      row.targets[target.name] = { admitted: verdict.admitted, reasons: [...verdict.reasons] };
    }
    return row;
  });

  const regressions: WorkloadDifference[] = [];
  const breakages: WorkloadDifference[] = [];
  const perTarget: WorkloadSection['summary']['perTarget'] = {};
  for (const target of targets) {
    const counts = { admitted: 0, rejected: 0, notEvaluated: 0, regressions: 0, breakages: 0 };
    for (const row of results) {
      const verdict = row.targets[target.name];
      if (verdict === undefined || verdict.admitted === null) {
        counts.notEvaluated++;
        continue;
      }
      if (verdict.admitted) counts.admitted++;
      else counts.rejected++;
      if (verdict.admitted && !row.psp.admitted) {
        counts.regressions++;
        regressions.push({ kind: 'regression', target: target.name, workload: row.workload, reasons: row.psp.reasons });
      } else if (!verdict.admitted && row.psp.admitted) {
        counts.breakages++;
        breakages.push({ kind: 'breakage', target: target.name, workload: row.workload, reasons: verdict.reasons });
      }
    }
    perTarget[target.name] = counts;
  }
  return {
    results,
    differences: [...regressions, ...breakages],
    summary: { workloads: results.length, pspAdmitted: results.filter((row) => row.psp.admitted).length, perTarget },
  };
}

/**
 * Build the migration report.
 *
 * Per PSP: who RBAC lets use it, and per target every control as `exact`, `note`, `approximate`
 * (the entry says how) or `unsupported`, or `unreported` when the target's report says nothing about
 * it; every PSP default as `emitted`, `approximated`, `lost` or `unreported`. Per namespace (with the
 * `psa` target): the Pod Security labels chosen and why. With `workloads`: PSP's decision and each
 * in-process target's, with the workloads a target admits that PSP rejected (security regressions)
 * listed before those it rejects that PSP admitted.
 *
 * Pure apart from what the targets do (the built-in ones are pure): no file system, no console.
 *
 * @example
 * ```ts
 * import { loadInputs } from '@psp-translate/core';
 * import { report, renderReport } from '@psp-translate/report';
 * const inputs = await loadInputs(['examples/cluster']);
 * const model = await report({ inputs, workloads: inputs.workloads });
 * process.stdout.write(renderReport(model, 'markdown'));
 * ```
 * @throws Error when `inputs` holds no PodSecurityPolicy, or a workload has no pod template.
 */
export async function report(input: ReportInput): Promise<Report> {
  const { inputs } = input;
  if (inputs.policies.length === 0) throw new Error('no PodSecurityPolicy in the inputs: a migration report needs the PSPs (kubectl get podsecuritypolicies -o yaml) and their RBAC');
  const targets = input.targets ?? BUILTIN_TARGETS;
  const names = new Set<string>();
  for (const target of targets) {
    if (names.has(target.name)) throw new Error(`target ${target.name} is given twice; give each target once`);
    names.add(target.name);
  }
  const actions = input.options?.actions ?? OBSERVING_ACTIONS;
  const defaultNamespace = input.options?.defaultNamespace ?? 'default';
  const index = buildRbacIndex(inputs.rbac, { policies: inputs.policies, defaultNamespace });
  const access = new Map(policyAccess(inputs.policies, index).map((entry) => [entry.policy, entry]));

  const workloadInputs: InputSet = input.workloads === undefined ? inputs : { ...inputs, workloads: dedupeWorkloads([...inputs.workloads, ...input.workloads]) };
  const runs: RunTarget[] = [];
  for (const target of targets) runs.push(await runTarget(target, workloadInputs, actions));

  const policies = [...inputs.policies].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((policy) => policyReport(policy, access.get(policy.name), runs));
  const namespaces = names.has('psa') ? namespaceSection(workloadInputs, actions) : [];
  const warnings = [...new Set([...index.warnings, ...[...access.values()].flatMap((entry) => entry.warnings)])];
  const result: Report = {
    reportVersion: 1,
    summary: {
      policies: policies.length,
      scopes: policies.reduce((sum, policy) => sum + policy.access.scopes.length, 0),
      unusedPolicies: policies.filter((policy) => policy.access.unused).map((policy) => policy.name),
      namespaces: namespaces.length,
      targets: targets.map((target) => targetSummary(target.name, policies)),
    },
    targets: runs.map((run) => run.run),
    policies,
    namespaces,
    warnings,
  };
  if (input.workloads !== undefined) result.workloads = await workloadSection(inputs, input.workloads, targets, defaultNamespace);
  return result;
}

function dedupeWorkloads(workloads: readonly Workload[]): Workload[] {
  const seen = new Set<string>();
  return workloads.filter((w) => {
    const key = `${w.source.file}:${w.source.line}:${w.source.column}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
