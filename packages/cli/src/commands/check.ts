/**
 * `psp-translate check`: the dry run PSP never had. For every workload, what PodSecurityPolicy
 * admission decided (policy, defaults, reasons), the traps behind that decision, and with
 * `--target` what each translation would decide instead.
 */
import type { AdmissionResult, InputSet, PolicyIR, RbacIndex, Requester } from '@psp-translate/core';
import { normaliseAction } from '../action.js';
import { ExitCode } from '../errors.js';
import type { CliIO } from '../io.js';
import { messages, type Messages } from '../messages.js';
import type { PspOutcome, Report, TargetOutcome, TargetSummary, WorkloadResult } from '../render/report.js';
import { differenceOf } from '../render/report.js';
import type { OutputFormat } from '../render/formats.js';
import type { TargetName, TargetSelection } from '../target-names.js';
import type { TargetRegistry, WorkloadEvaluator } from '../targets.js';
import { loadCheckInputs, toWorkloadContext, workloadPods, type CheckInputOptions, type WorkloadPod } from './check-inputs.js';

/** Options of `check`, as parsed. */
export interface CheckCommandOptions extends CheckInputOptions {
  format: OutputFormat;
  /** `--target`; undefined = PSP only. */
  target?: TargetSelection;
  verbose: boolean;
}

/** A target ready to judge workloads, or why it cannot. */
export type PreparedTarget = { evaluate: WorkloadEvaluator } | { notEvaluated: string };

/** Translate with each selected target and prepare its evaluator; targets that cannot evaluate say why. */
async function prepareTargets(names: readonly TargetName[], registry: TargetRegistry, policySet: InputSet, say: Messages): Promise<Map<TargetName, PreparedTarget>> {
  const prepared = new Map<TargetName, PreparedTarget>();
  for (const name of names) {
    const module = registry[name];
    if (module === undefined) {
      prepared.set(name, { notEvaluated: `the ${name} target is not implemented yet in this version` });
      continue;
    }
    if (module.evaluate === undefined) {
      prepared.set(name, {
        notEvaluated: `psp-translate cannot run ${name} policies in-process yet; apply the output of psp-translate translate --target ${name} in a test cluster to see its decisions`,
      });
      continue;
    }
    // Judge the policies as they decide when enforced; audit/warn would only change what happens to a rejected pod.
    const translation = await module.translate(policySet, { actions: normaliseAction('deny') });
    const inexact = translation.report.filter((entry) => entry.fidelity === 'approximate' || entry.fidelity === 'unsupported').length;
    if (inexact > 0) {
      say.note(
        `${name}: the translation expresses ${inexact} thing${inexact === 1 ? '' : 's'} only approximately or not at all, so its verdicts below can differ from PSP's; psp-translate translate --target ${name} lists them`,
      );
    }
    prepared.set(name, { evaluate: await module.evaluate(translation, policySet) });
  }
  return prepared;
}

/** `field: message (policy name)`, as the JSON contract spells a reason. */
export function formatReason(reason: { policy: string; path: string; message: string }): string {
  return `${reason.path === '' ? '' : `${reason.path}: `}${reason.message}${reason.policy === '' ? '' : ` (policy ${reason.policy})`}`;
}

function creatorOf(requester: Requester | undefined): string {
  return requester === undefined ? 'the person creating the pod (any authenticated user)' : `its creator ${requester.user}`;
}

/** Warnings about the service account: it may use no PSP, and the pod is admitted (or not) only through its creator. */
function serviceAccountWarning(core: typeof import('@psp-translate/core'), index: RbacIndex, workload: WorkloadPod, requester: Requester | undefined, candidates: readonly string[]): string | undefined {
  const { namespace, serviceAccount } = workload.context;
  if (core.usablePolicies(index, namespace, core.serviceAccountRequester(namespace, serviceAccount)).length > 0) return undefined;
  if (candidates.length === 0) {
    return `service account ${namespace}/${serviceAccount} may use no PodSecurityPolicy, nor may ${creatorOf(requester)}: PSP admission rejected every pod it ran; grant it use of a PSP with a RoleBinding in ${namespace}.`;
  }
  return `service account ${namespace}/${serviceAccount} may use no PodSecurityPolicy: this pod could use ${candidates.join(', ')} only because ${creatorOf(requester)} may; a translation scoped by service account must keep that path or reject the pod.`;
}

/** PSP's decision on one workload, in the report's words. */
function pspOutcome(admission: AdmissionResult, warnings: string[]): PspOutcome {
  return {
    admitted: admission.admitted,
    policy: admission.policy,
    candidates: admission.candidates,
    mutations: admission.mutations,
    reasons: admission.reasons.map(formatReason),
    warnings,
  };
}

/** A target's verdict as reported, or why there is none. */
function targetOutcome(prepared: PreparedTarget, workload: WorkloadPod, requester: Requester | undefined): TargetOutcome {
  if ('notEvaluated' in prepared) return { admitted: null, reasons: [], notEvaluated: prepared.notEvaluated };
  const verdict = prepared.evaluate(toWorkloadContext(workload, requester));
  return {
    admitted: verdict.admitted,
    reasons: [...verdict.reasons],
    ...(verdict.warnings !== undefined && verdict.warnings.length > 0 ? { warnings: [...verdict.warnings] } : {}),
  };
}

/** Count each target's verdicts; with PSP outcomes, also the workloads each target decides differently. */
export function summariseTargets(results: readonly WorkloadResult[], targets: readonly TargetName[]): Partial<Record<TargetName, TargetSummary>> {
  const summary: Partial<Record<TargetName, TargetSummary>> = {};
  for (const target of targets) {
    const counts: TargetSummary = { admitted: 0, rejected: 0, notEvaluated: 0 };
    const compared = results.some((result) => result.psp !== undefined);
    if (compared) Object.assign(counts, { newlyRejected: 0, newlyAdmitted: 0 });
    for (const result of results) {
      const outcome = result.targets?.[target];
      if (outcome === undefined || outcome.admitted === null) counts.notEvaluated++;
      else if (outcome.admitted) counts.admitted++;
      else counts.rejected++;
      const difference = differenceOf(result, target);
      if (difference !== null) counts[difference] = (counts[difference] ?? 0) + 1;
    }
    summary[target] = counts;
  }
  return summary;
}

/** The inputs `check` judges, already read: the library form of the command (no file system, no console). */
export interface CheckRun {
  policySet: InputSet;
  workloads: readonly WorkloadPod[];
  defaultNamespace: string;
  targets?: { names: readonly TargetName[]; prepared: ReadonlyMap<TargetName, PreparedTarget> };
}

/** Judge every workload: PSP admission over its candidates, plus each prepared target. */
export async function checkWorkloads(run: CheckRun): Promise<Report> {
  const core = await import('@psp-translate/core');
  const { policySet } = run;
  const index = core.buildRbacIndex(policySet.rbac, { policies: policySet.policies, defaultNamespace: run.defaultNamespace });
  const access = core.policyAccess(policySet.policies, index);
  const accessWarnings = new Map(access.map((entry) => [entry.policy, entry.warnings]));
  const byName = new Map<string, PolicyIR>(policySet.policies.map((policy) => [policy.name, policy]));
  const targetNames = run.targets?.names ?? [];

  const results: WorkloadResult[] = run.workloads.map((workload) => {
    const requester = core.controllerRequester(workload.manifest.kind);
    const { namespace, serviceAccount, pod } = workload.context;
    const candidates = core.candidatesFor(index, policySet.policies, { namespace, serviceAccount, ...(requester === undefined ? {} : { requester }) });
    const admission = core.admit(
      pod,
      candidates.map((name) => byName.get(name) as PolicyIR),
    );
    const warnings = [...admission.warnings];
    const accountWarning = serviceAccountWarning(core, index, workload, requester, candidates);
    if (accountWarning !== undefined) warnings.push(accountWarning);
    if (admission.policy !== null) warnings.push(...(accessWarnings.get(admission.policy) ?? []));
    const result: WorkloadResult = { workload: workload.ref, psp: pspOutcome(admission, warnings) };
    if (run.targets !== undefined) {
      const outcomes: Partial<Record<TargetName, TargetOutcome>> = {};
      for (const name of targetNames) outcomes[name] = targetOutcome(run.targets.prepared.get(name) as PreparedTarget, workload, requester);
      result.targets = outcomes;
    }
    return result;
  });

  const admitted = results.filter((result) => result.psp?.admitted === true).length;
  const shown = new Set(results.flatMap((result) => result.psp?.warnings ?? []));
  const clusterWarnings = [...index.warnings, ...access.flatMap((entry) => entry.warnings).filter((warning) => !shown.has(warning))];
  return {
    command: 'check',
    results,
    summary: {
      workloads: results.length,
      admitted,
      rejected: results.length - admitted,
      ...(run.targets === undefined ? {} : { targets: summariseTargets(results, targetNames) }),
    },
    targets: [...targetNames],
    clusterWarnings: [...new Set(clusterWarnings)],
  };
}

/** Whether any workload was rejected, by PSP or by an evaluated target. */
export function anyRejected(report: Report): boolean {
  return report.results.some(
    (result) => result.psp?.admitted === false || Object.values(result.targets ?? {}).some((outcome) => outcome?.admitted === false),
  );
}

/** Run `check`: read, judge, print. Exit 0 when every workload is admitted, 1 when any is rejected. */
export async function checkCommand(inputs: readonly string[], options: CheckCommandOptions, io: CliIO, registry: TargetRegistry): Promise<number> {
  const say = messages(io);
  const { policySet, workloads } = await loadCheckInputs(inputs, options, io, say, true, options.verbose);
  const pods = await workloadPods(workloads, options.namespace);
  const targetNames = options.target?.names ?? [];
  // Translations see the checked workloads too: they name namespaces (PSA labels every namespace it knows).
  const places = new Set(policySet.workloads.map((w) => `${w.source.file}:${w.source.line}`));
  const translationInput = { ...policySet, workloads: [...policySet.workloads, ...workloads.filter((w) => !places.has(`${w.source.file}:${w.source.line}`))] };
  const prepared = options.target === undefined ? undefined : await prepareTargets(targetNames, registry, translationInput, say);
  const report = await checkWorkloads({
    policySet,
    workloads: pods,
    defaultNamespace: options.namespace,
    ...(prepared === undefined ? {} : { targets: { names: targetNames, prepared } }),
  });
  const { renderReport, colourEnabled } = await import('../render/render.js');
  io.stdout.write(renderReport(report, options.format, { colour: colourEnabled(io), width: Number(io.env['COLUMNS']) || 120 }));
  if (options.format === 'json') for (const warning of report.clusterWarnings) say.warning(warning);
  return anyRejected(report) ? ExitCode.findings : ExitCode.ok;
}
