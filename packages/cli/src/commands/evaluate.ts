/**
 * `psp-translate evaluate`: judge workloads by policies that already exist, no PSP involved. Each
 * engine reads its own policies from the inputs through its target's `evaluateExisting` hook: Pod
 * Security Admission labels on Namespaces, Gatekeeper ConstraintTemplates (CEL) and Constraints,
 * Kyverno CEL policies, ValidatingAdmissionPolicies and bindings. A change can be dry-run before it
 * is applied; what an engine cannot run in-process (Rego, Kyverno patterns...) is listed as notes.
 */
import { CliError, ExitCode } from '../errors.js';
import type { CliIO } from '../io.js';
import { messages } from '../messages.js';
import type { OutputFormat } from '../render/formats.js';
import type { Report, TargetOutcome, WorkloadResult } from '../render/report.js';
import type { TargetName, TargetSelection } from '../target-names.js';
import type { TargetRegistry, WorkloadEvaluator } from '../targets.js';
import { anyRejected, summariseTargets, type PreparedTarget } from './check.js';
import { loadCheckInputs, toWorkloadContext, workloadPods, type CheckInputOptions, type WorkloadPod } from './check-inputs.js';

/** Options of `evaluate`, as parsed. */
export interface EvaluateCommandOptions extends CheckInputOptions {
  format: OutputFormat;
  target: TargetSelection;
  verbose: boolean;
}

/** Judge every workload with each prepared engine: the library form of the command. */
export async function evaluateWorkloads(workloads: readonly WorkloadPod[], targets: readonly TargetName[], prepared: ReadonlyMap<TargetName, PreparedTarget>): Promise<Report> {
  const { controllerRequester } = await import('@psp-translate/core');
  const results: WorkloadResult[] = workloads.map((workload) => {
    const requester = controllerRequester(workload.manifest.kind);
    const outcomes: Partial<Record<TargetName, TargetOutcome>> = {};
    for (const target of targets) {
      const engine = prepared.get(target) as PreparedTarget;
      if ('notEvaluated' in engine) {
        outcomes[target] = { admitted: null, reasons: [], notEvaluated: engine.notEvaluated };
        continue;
      }
      const verdict = engine.evaluate(toWorkloadContext(workload, requester));
      outcomes[target] = {
        admitted: verdict.admitted,
        reasons: [...verdict.reasons],
        ...(verdict.warnings !== undefined && verdict.warnings.length > 0 ? { warnings: [...verdict.warnings] } : {}),
      };
    }
    return { workload: workload.ref, targets: outcomes };
  });
  const rejected = results.filter((result) => Object.values(result.targets ?? {}).some((outcome) => outcome?.admitted === false)).length;
  return {
    command: 'evaluate',
    results,
    summary: { workloads: results.length, admitted: results.length - rejected, rejected, targets: summariseTargets(results, targets) },
    targets: [...targets],
    clusterWarnings: [],
  };
}

/** What an engine's evaluator says it could not evaluate (Rego-only templates, Kyverno pattern rules...), once per run. */
function notesOf(evaluate: WorkloadEvaluator): readonly string[] {
  const notes = (evaluate as WorkloadEvaluator & { notes?: unknown }).notes;
  return Array.isArray(notes) ? notes.filter((note): note is string => typeof note === 'string') : [];
}

/** Run `evaluate`: read, judge, print. Exit 0 when every workload is admitted, 1 when any is rejected, 2 when no engine could judge. */
export async function evaluateCommand(inputs: readonly string[], options: EvaluateCommandOptions, io: CliIO, registry: TargetRegistry): Promise<number> {
  const say = messages(io);
  const { policySet, workloads } = await loadCheckInputs(inputs, options, io, say, false, options.verbose, true);
  const pods = await workloadPods(workloads, options.namespace);

  const prepared = new Map<TargetName, PreparedTarget>();
  const notes: string[] = [];
  for (const name of options.target.names) {
    const hook = registry[name]?.evaluateExisting;
    if (hook === undefined) {
      prepared.set(name, { notEvaluated: `psp-translate cannot read existing ${name} policies yet in this version` });
      continue;
    }
    const evaluate = await hook(policySet);
    prepared.set(name, evaluate === null ? { notEvaluated: `the inputs hold no ${name} policies` } : { evaluate });
    if (evaluate !== null) notes.push(...notesOf(evaluate).map((note) => `${name}: ${note}`));
  }
  const able = options.target.names.filter((name) => 'evaluate' in (prepared.get(name) as PreparedTarget));
  if (able.length === 0) {
    throw new CliError(options.target.names.map((name) => `${name}: ${(prepared.get(name) as { notEvaluated: string }).notEvaluated}`));
  }
  // With the default `all`, engines whose policies are absent are left out (and named once); a target asked for by name stays, as not evaluated.
  // Pod Security Admission's policies are Namespace labels: without any Namespace in the inputs there is nothing of it to dry-run.
  const holdsPolicies = (name: TargetName) => able.includes(name) && (name !== 'psa' || policySet.namespaces.length > 0);
  const absent = options.target.all ? options.target.names.filter((name) => !holdsPolicies(name) && registry[name]?.evaluateExisting !== undefined) : [];
  const targets = options.target.names.filter((name) => !absent.includes(name));
  if (targets.length === 0) {
    throw new CliError(`the inputs hold no admission policies to evaluate (Namespaces with Pod Security labels, Gatekeeper templates and constraints, Kyverno policies, ValidatingAdmissionPolicies and bindings)`);
  }
  if (absent.length > 0) say.note(`the inputs hold no ${absent.join(', ')} policies`);
  for (const note of notes) say.note(note);
  if (policySet.policies.length > 0) {
    say.note(`evaluate judges existing policies only; the ${policySet.policies.length} PodSecurityPolicies in the inputs are not used (psp-translate check dry-runs them)`);
  }

  const report = await evaluateWorkloads(pods, targets, prepared);
  const { renderReport, colourEnabled } = await import('../render/render.js');
  io.stdout.write(renderReport(report, options.format, { colour: colourEnabled(io), width: Number(io.env['COLUMNS']) || 120 }));
  return anyRejected(report) ? ExitCode.findings : ExitCode.ok;
}
