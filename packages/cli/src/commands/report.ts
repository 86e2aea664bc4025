/**
 * `psp-translate report`: the migration report (`@psp-translate/report`) for the inputs, printed or
 * written atomically to `--out`.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import type { EngineActions } from '../action.js';
import { CliError, ExitCode } from '../errors.js';
import type { CliIO } from '../io.js';
import { messages } from '../messages.js';
import type { TargetSelection } from '../target-names.js';
import type { TargetModule, TargetRegistry } from '../targets.js';
import { loadCluster, reportSkipped } from './load.js';

/** Options of `report`, as parsed. */
export interface ReportCommandOptions {
  workloads?: string[];
  format: 'text' | 'markdown' | 'json' | 'html';
  target: TargetSelection;
  action?: EngineActions;
  out?: string;
  namespace: string;
  maxInputMib: number;
}

/**
 * Write `contents` to `file` all or nothing: a temporary file beside it, then a rename (atomic on
 * one file system), so a reader never sees half a report and a failure leaves the old file as it was.
 */
export async function writeFileAtomically(file: string, contents: string): Promise<void> {
  const directory = path.dirname(file);
  const temporary = path.join(directory, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fs.writeFile(temporary, contents, { flag: 'wx' });
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw new CliError(`cannot write ${file}: ${(error as Error).message}; check that its directory exists and is writable`, { cause: error });
  }
}

/** The report's targets: the registered modules (the target packages' own, as for `translate`). */
function reportTargets({ names, all }: TargetSelection, registry: TargetRegistry): TargetModule[] {
  const missing = names.filter((name) => registry[name] === undefined);
  if (missing.length > 0 && !all) throw new CliError(missing.map((name) => `target "${name}" is not implemented yet in this version`));
  return names.flatMap((name) => registry[name] ?? []);
}

/** Run `report`. Exit 0 when every target is exact and no workload is decided differently, else 1. */
export async function reportCommand(inputs: readonly string[], options: ReportCommandOptions, io: CliIO, registry: TargetRegistry): Promise<number> {
  const say = messages(io);
  const loadOptions = { defaultNamespace: options.namespace, maxBytes: options.maxInputMib * 1024 * 1024 };
  if ([...inputs, ...(options.workloads ?? [])].filter((input) => input === '-').length > 1) {
    throw new CliError('stdin (-) can be read only once: give it either as a policy input or to --workloads');
  }
  const cluster = await loadCluster(inputs, io, { ...loadOptions, requirePolicies: true });
  reportSkipped(cluster, say, false);
  let workloads = undefined;
  if (options.workloads !== undefined) {
    const workloadSet = await loadCluster(options.workloads, io, { ...loadOptions, requirePolicies: false });
    if (workloadSet.workloads.length === 0) throw new CliError(`no workloads found in ${options.workloads.join(', ')}; --workloads reads Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController and PodTemplate manifests`);
    workloads = workloadSet.workloads;
  }
  const { report, renderReport } = await import('@psp-translate/report');
  const targets = reportTargets(options.target, registry);
  let model;
  try {
    model = await report({
      inputs: cluster,
      ...(workloads === undefined ? {} : { workloads }),
      targets,
      options: { defaultNamespace: options.namespace, ...(options.action === undefined ? {} : { actions: options.action }) },
    });
  } catch (error) {
    // A workload without a pod template is bad input, not a bug.
    if (error instanceof Error && /pod template|spec\.containers/.test(error.message)) throw new CliError(error.message, { cause: error });
    throw error;
  }
  const text = renderReport(model, options.format);
  if (options.out === undefined) io.stdout.write(text);
  else {
    await writeFileAtomically(path.resolve(io.cwd, options.out), text);
    say.note(`wrote the ${options.format} report to ${options.out}`);
  }
  for (const target of model.targets) if (target.status === 'failed') say.warning(`${target.name}: the translation failed: ${target.error ?? ''}`);
  const inexact = model.summary.targets.some((t) => t.byFidelity.approximate + t.byFidelity.unsupported > 0);
  const differs = (model.workloads?.differences.length ?? 0) > 0;
  const failed = model.targets.some((t) => t.status === 'failed');
  return inexact || differs || failed ? ExitCode.findings : ExitCode.ok;
}
