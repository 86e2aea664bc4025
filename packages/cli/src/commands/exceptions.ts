/**
 * `psp-translate exceptions`: the smallest exceptions a chart's workloads need against the cluster's
 * baseline (`@psp-translate/report`'s `exceptions`), as objects or Helm templates.
 */
import path from 'node:path';
import { stringify } from 'yaml';
import { CliError, ExitCode } from '../errors.js';
import type { CliIO } from '../io.js';
import { messages } from '../messages.js';
import type { TargetSelection } from '../target-names.js';
import { loadCluster, reportSkipped } from './load.js';
import { writeFileAtomically } from './report.js';

/** Options of `exceptions`, as parsed. */
export interface ExceptionsCommandOptions {
  workloads: string[];
  baseline: string[];
  target: TargetSelection;
  namespace: string;
  kubeVersion: string;
  helm: boolean;
  releaseName?: string;
  outDir?: string;
  format: 'yaml' | 'json';
  maxInputMib: number;
}

const LEVEL_WORDS = ['restricted', 'baseline'] as const;

/** Run `exceptions`. Exit 0 when every exception is exact (or none is needed), 1 when one is approximate or missing in a target. */
export async function exceptionsCommand(options: ExceptionsCommandOptions, io: CliIO): Promise<number> {
  const say = messages(io);
  if (options.outDir !== undefined && !options.helm) throw new CliError('--out-dir writes Helm templates: add --helm, or leave --out-dir out to print the objects');
  const loadOptions = { defaultNamespace: options.namespace, maxBytes: options.maxInputMib * 1024 * 1024 };
  const levelWord = options.baseline.length === 1 ? LEVEL_WORDS.find((level) => level === options.baseline[0]?.toLowerCase()) : undefined;
  if ([...options.workloads, ...(levelWord === undefined ? options.baseline : [])].filter((input) => input === '-').length > 1) {
    throw new CliError('stdin (-) can be read only once: give it either to --workloads or to --baseline');
  }
  const chart = await loadCluster(options.workloads, io, { ...loadOptions, requirePolicies: false });
  reportSkipped(chart, say, false);
  if (chart.workloads.length === 0) throw new CliError(`no workloads found in ${options.workloads.join(', ')}; pass the chart's rendered manifests (helm template output) to --workloads`);
  const baselinePolicies = levelWord === undefined ? await loadCluster(options.baseline, io, { ...loadOptions, requirePolicies: true }) : undefined;

  const { exceptions, helmTemplates } = await import('@psp-translate/report');
  let result;
  try {
    result = exceptions({
      workloads: chart.workloads,
      namespace: options.namespace,
      baseline: baselinePolicies === undefined ? { level: levelWord as 'restricted' | 'baseline', version: options.kubeVersion } : { policies: baselinePolicies, version: options.kubeVersion },
      targets: options.target.names,
      ...(options.releaseName === undefined ? {} : { releaseName: options.releaseName }),
    });
  } catch (error) {
    throw new CliError((error as Error).message, { cause: error });
  }

  for (const workload of result.workloads) {
    say.note(
      workload.passesBaseline
        ? `${workload.workload.kind}/${workload.workload.name} passes ${result.baseline.level}:${result.baseline.version} as it is`
        : `${workload.workload.kind}/${workload.workload.name} needs: ${workload.violations.map((v) => v.message).join('; ')}`,
    );
  }
  for (const entry of result.report) if (entry.fidelity !== 'exact') say.plain(`${entry.target}: ${entry.fidelity}: ${entry.message}`);

  if (options.helm) {
    const files = helmTemplates(result, options.releaseName === undefined ? {} : { releaseName: options.releaseName });
    if (files.length === 0) say.note('no Kyverno, Gatekeeper or VAP exception is needed for the selected targets: no Helm template written');
    if (options.outDir === undefined) {
      for (const file of files) io.stdout.write(`# ${file.path}\n${file.contents}`);
    } else {
      const { mkdir } = await import('node:fs/promises');
      const root = path.resolve(io.cwd, options.outDir);
      for (const file of files) {
        const target = path.join(root, file.path);
        await mkdir(path.dirname(target), { recursive: true });
        await writeFileAtomically(target, file.contents);
        say.note(`wrote ${path.join(options.outDir, file.path)}`);
      }
    }
  } else {
    const objects = options.target.names.flatMap((name) => result.objects[name]);
    if (options.format === 'json') io.stdout.write(`${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`);
    else io.stdout.write(objects.map((object) => stringify(object, { lineWidth: 0 })).join('---\n'));
  }
  return result.report.some((entry) => entry.fidelity === 'approximate' || entry.fidelity === 'unsupported') ? ExitCode.findings : ExitCode.ok;
}
