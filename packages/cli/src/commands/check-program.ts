/**
 * The `check` and `evaluate` commands' arguments and help. Light on purpose (commander and the
 * target names only): the commands themselves are imported when they run.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { OUTPUT_FORMATS } from '../render/formats.js';
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

const policyInputsHelp =
  'files or directories (read recursively: *.yaml, *.yml, *.json) with the policies: PSPs and the RBAC that grants them, namespaces; - reads stdin';

function sharedOptions(command: Command): Command {
  return command
    .addOption(
      new Option('-w, --workloads <inputs...>', 'the workloads to judge (helm template output, kubectl get -o yaml; files, directories or -); default: the workloads in the policy inputs'),
    )
    .addOption(new Option('-f, --format <format>', 'output format').choices(OUTPUT_FORMATS).default('text'))
    .addOption(new Option('-n, --namespace <namespace>', 'namespace of namespaced objects that do not name one').default('default'))
    .addOption(
      new Option('--max-input-mib <mebibytes>', 'refuse inputs larger than this in total, before parsing (policy and workload inputs each)')
        .argParser(
          argument((value) => {
            const mebibytes = Number(value);
            if (!Number.isFinite(mebibytes) || mebibytes <= 0) throw new Error(`expected a positive number of MiB, got "${value}"`);
            return mebibytes;
          }),
        )
        .default(64),
    )
    .option('-v, --verbose', 'list the objects of other kinds that were skipped', false);
}

/** Add `check` and `evaluate` to the command line. */
export function addCheckCommands(program: Command, context: ProgramContext): void {
  const { io } = context;
  const registry = () => context.targets ?? import('../targets.js').then((module) => module.targets);

  sharedOptions(
    program
      .command('check')
      .summary('dry-run PSP admission (and translations) on workloads')
      .description(
        'For every workload, decide as PodSecurityPolicy admission did: which policy admitted its pod and with which defaults, or why every usable policy rejected it, and the traps behind the decision (name order, service accounts without a PSP, grants that reach every pod). With --target, also what each translation would decide.',
      )
      .argument('<inputs...>', policyInputsHelp),
  )
    .addOption(
      new Option('-t, --target <targets>', `also judge each workload by these translations (${TARGET_NAMES.join(', ')}, comma-separated, or all)`).argParser(
        argument(parseTargetList),
      ),
    )
    .addHelpText(
      'after',
      `
Exit codes: 0 every workload admitted, 1 some workload rejected (by PSP or a target), 2 bad input or usage.

Examples:
  psp-translate check examples/cluster --workloads examples/cluster/workloads
  helm template my-chart | psp-translate check cluster.yaml --workloads - --format markdown
  psp-translate check cluster.yaml --workloads app.yaml --target psa --format json`,
    )
    .action(async (inputs: string[], options: import('./check.js').CheckCommandOptions) => {
      const [{ checkCommand }, targets] = await Promise.all([import('./check.js'), registry()]);
      context.setExitCode(await checkCommand(inputs, options, io, targets));
    });

  sharedOptions(
    program
      .command('evaluate')
      .summary('dry-run existing policies (PSA labels, Gatekeeper, Kyverno, ValidatingAdmissionPolicy) on workloads')
      .description(
        'Judge workloads by the policies already in the inputs, no PSP involved: Pod Security Admission labels on Namespaces (a namespace without labels is privileged), Gatekeeper ConstraintTemplates with CEL code and their Constraints, Kyverno CEL policies, ValidatingAdmissionPolicies and bindings. What cannot run in-process (Rego, Kyverno patterns) is listed as notes.',
      )
      .argument('<inputs...>', 'files or directories with the policies (Namespaces, ConstraintTemplates and Constraints, Kyverno policies, ValidatingAdmissionPolicies and bindings); - reads stdin'),
  )
    .addOption(
      new Option('-t, --target <targets>', `the engines whose policies to read (${TARGET_NAMES.join(', ')}, comma-separated, or all)`)
        .argParser(argument(parseTargetList))
        .default(parseTargetList('all'), 'all'),
    )
    .addHelpText(
      'after',
      `
Exit codes: 0 every workload admitted, 1 some workload rejected, 2 bad input or usage.

Examples:
  psp-translate evaluate namespaces.yaml --workloads app.yaml
  kubectl get ns -o yaml | psp-translate evaluate - --workloads deploy/ --format markdown`,
    )
    .action(async (inputs: string[], options: import('./evaluate.js').EvaluateCommandOptions) => {
      const [{ evaluateCommand }, targets] = await Promise.all([import('./evaluate.js'), registry()]);
      context.setExitCode(await evaluateCommand(inputs, options, io, targets));
    });
}
