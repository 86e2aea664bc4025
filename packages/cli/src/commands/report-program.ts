/**
 * The `report` and `exceptions` commands' arguments and help. Light on purpose (commander and the
 * target names only): the commands themselves are imported when they run.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { normaliseAction } from '../action.js';
import type { ProgramContext } from '../program.js';
import { parseTargetList, TARGET_NAMES } from '../target-names.js';

function argument<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

function maxInputOption(): Option {
  return new Option('--max-input-mib <mebibytes>', 'refuse inputs larger than this in total, before parsing')
    .argParser(
      argument((value) => {
        const mebibytes = Number(value);
        if (!Number.isFinite(mebibytes) || mebibytes <= 0) throw new Error(`expected a positive number of MiB, got "${value}"`);
        return mebibytes;
      }),
    )
    .default(64);
}

/** Add `report` and `exceptions` to the command line. */
export function addReportCommands(program: Command, context: ProgramContext): void {
  const { io } = context;
  const registry = () => context.targets ?? import('../targets.js').then((module) => module.targets);

  program
    .command('report')
    .summary('the migration report: what each target keeps, approximates or loses, per PSP and namespace')
    .description(
      'Per PSP: who may use it (RBAC) and, per target, every control translated exactly, approximately (how) or not at all, and every default emitted as a mutator or lost. Per namespace: the Pod Security labels chosen and why. With --workloads: the workloads a target would admit that PSP rejected (security regressions, first) and those it would reject that PSP admitted.',
    )
    .argument('<inputs...>', 'files or directories (read recursively: *.yaml, *.yml, *.json) with PSPs, RBAC and namespaces; - reads stdin')
    .addOption(new Option('-w, --workloads <inputs...>', 'workloads to judge by PSP and by each target (helm template output, kubectl get -o yaml)'))
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'markdown', 'json', 'html']).default('text'))
    .addOption(new Option('-t, --target <targets>', `the targets to report on (${TARGET_NAMES.join(', ')}, comma-separated, or all)`).argParser(argument(parseTargetList)).default(parseTargetList('all'), 'all'))
    .addOption(new Option('-a, --action <action>', 'the action the translations use (audit, warn, deny or an engine word); default each engine\u2019s observing default').argParser(argument(normaliseAction)))
    .addOption(new Option('-o, --out <file>', 'write the report to this file (atomically: all or nothing) instead of stdout'))
    .addOption(new Option('-n, --namespace <namespace>', 'namespace of namespaced objects that do not name one').default('default'))
    .addOption(maxInputOption())
    .addHelpText(
      'after',
      `
Exit codes: 0 everything exact, 1 findings (something approximate or not expressible, a failed target, or a workload decided differently from PSP), 2 bad input or usage.

Examples:
  psp-translate report examples/cluster --format html --out report.html
  psp-translate report cluster.yaml --workloads rendered/ --format markdown`,
    )
    .action(async (inputs: string[], options: import('./report.js').ReportCommandOptions) => {
      const [{ reportCommand }, targets] = await Promise.all([import('./report.js'), registry()]);
      context.setExitCode(await reportCommand(inputs, options, io, targets));
    });

  program
    .command('exceptions')
    .summary('the smallest Pod Security exceptions a Helm chart needs, for Kyverno, PSA (and Helm)')
    .description(
      "From a chart's rendered workloads, derive the smallest exceptions they need against the cluster's baseline (a Pod Security level, or the cluster's PSPs): one per check, workload and container, with the exact values (capabilities, host paths, ports). Prints Kyverno PolicyExceptions and the Pod Security namespace label; with --helm, Helm templates for the chart's templates/ directory.",
    )
    .requiredOption('-w, --workloads <inputs...>', "the chart's rendered manifests (helm template output; files, directories or -)")
    .addOption(new Option('-b, --baseline <baseline...>', 'the cluster baseline: restricted, baseline, or files/directories with its PSPs and RBAC').default(['restricted']))
    .addOption(new Option('-t, --target <targets>', `the engines to write exceptions for (${TARGET_NAMES.join(', ')}, comma-separated, or all)`).argParser(argument(parseTargetList)).default(parseTargetList('all'), 'all'))
    .addOption(new Option('-n, --namespace <namespace>', 'the namespace the chart is installed in (for manifests that name none)').default('default'))
    .addOption(new Option('--kube-version <version>', 'Pod Security policy version of the baseline (1.29, latest)').default('latest'))
    .option('--helm', 'write Helm templates (namespace and names from the release, guarded by .Values.podSecurityExceptions.enabled)', false)
    .addOption(new Option('--release-name <name>', 'with --helm: the release name the manifests were rendered with, so names follow the release'))
    .addOption(new Option('-o, --out-dir <dir>', 'with --helm: write templates/pod-security-exceptions.yaml and values-pod-security-exceptions.yaml under this chart directory'))
    .addOption(new Option('-f, --format <format>', 'output format of the objects').choices(['yaml', 'json']).default('yaml'))
    .addOption(maxInputOption())
    .addHelpText(
      'after',
      `
Exit codes: 0 exceptions expressed exactly (or none needed), 1 some exception is approximate or not expressible in a target, 2 bad input or usage.

Examples:
  helm template my-release ./chart | psp-translate exceptions --workloads - --namespace monitoring --baseline baseline
  psp-translate exceptions --workloads rendered.yaml --helm --release-name my-release --out-dir ./chart`,
    )
    .action(async (options: import('./exceptions.js').ExceptionsCommandOptions) => {
      const { exceptionsCommand } = await import('./exceptions.js');
      context.setExitCode(await exceptionsCommand(options, io));
    });
}
