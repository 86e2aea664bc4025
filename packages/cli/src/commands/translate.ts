/** `psp-translate translate`: PSPs in, policy engine objects out (stdout or --out-dir), fidelity report on stderr. */
import { describeDefaultActions } from '../action.js';
import { CliError, ExitCode } from '../errors.js';
import type { CliIO } from '../io.js';
import { messages, type Messages } from '../messages.js';
import { cliVersion, type TranslateCommandOptions } from '../program.js';
import { toJson, toJsonList, toYaml, toYamlStream, withKubernetesKeyOrder } from '../serialise.js';
import { TARGET_NAMES, type TargetName } from '../target-names.js';
import type { FidelityEntry, KubernetesObject, TargetFile, TargetModule, TargetRegistry, TranslateOptions } from '../targets.js';
import { objectFilePath, writeOutputAtomically, type OutputFile } from '../write-output.js';
import { loadCluster, reportSkipped } from './load.js';

/** The targets to run: every named one must exist; `all` runs those that do and says which do not. */
function selectTargets(options: TranslateCommandOptions, registry: TargetRegistry, say: Messages): TargetModule[] {
  const missing = options.target.names.filter((name) => registry[name] === undefined);
  const chosen = options.target.names.flatMap((name) => registry[name] ?? []);
  if (missing.length > 0 && (!options.target.all || chosen.length === 0)) {
    const implemented = TARGET_NAMES.filter((name) => registry[name] !== undefined);
    throw new CliError([
      ...missing.map((name) => `target "${name}" is not implemented yet in this version`),
      implemented.length > 0
        ? `implemented targets: ${implemented.join(', ')}`
        : 'no target is implemented yet; psp-translate ir shows how your PSPs were read',
    ]);
  }
  if (missing.length > 0) {
    say.note(`not translating to ${missing.join(', ')}: not implemented yet in this version`);
  }
  return chosen;
}

/** A target bug, caught before anything is written: objects we could not name or apply. */
function checkObjects(target: TargetName, objects: readonly KubernetesObject[]): void {
  for (const object of objects) {
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string' || typeof object.metadata?.name !== 'string' || object.metadata.name === '') {
      throw new Error(`target ${target} produced an object without apiVersion, kind or metadata.name: ${JSON.stringify(object).slice(0, 200)}`);
    }
  }
}

function formatEntry(target: TargetName, entry: FidelityEntry): string {
  const subject = [entry.policy ?? '(all policies)', entry.control].filter((part) => part !== null).join('/');
  const where = entry.source ? ` (${entry.source.file}:${entry.source.line})` : '';
  return `${target}: ${entry.fidelity}: ${subject}: ${entry.message}${where}`;
}

/**
 * The RBAC warnings `ir` and `check` print (grants reaching every pod or every controller-made pod,
 * users-only or unused PSPs, bindings to missing roles), once each: the translation is scoped by
 * that RBAC, so its traps matter here too.
 */
async function warnAboutAccess(inputSet: Awaited<ReturnType<typeof loadCluster>>, defaultNamespace: string, say: Messages): Promise<void> {
  const { buildRbacIndex, policyAccess } = await import('@psp-translate/core/inputs');
  const index = buildRbacIndex(inputSet.rbac, { policies: inputSet.policies, defaultNamespace });
  const warnings = [...index.warnings, ...policyAccess(inputSet.policies, index).flatMap((access) => access.warnings)];
  for (const warning of new Set(warnings)) say.warning(warning);
}

/** Translate `inputs` with each selected target and write or print the result. */
export async function translateCommand(
  inputs: readonly string[],
  options: TranslateCommandOptions,
  io: CliIO,
  registry: TargetRegistry,
): Promise<number> {
  const say = messages(io);
  const inputSet = await loadCluster(inputs, io, {
    defaultNamespace: options.namespace,
    maxBytes: options.maxInputMib * 1024 * 1024,
    requirePolicies: true,
  });
  reportSkipped(inputSet, say, options.verbose);
  if (options.format === 'kubectl' && (options.target.all || options.target.names.length !== 1 || options.target.names[0] !== 'psa')) {
    throw new CliError('--format kubectl prints kubectl label commands for Pod Security Admission: use it with --target psa alone');
  }
  if (options.format === 'kubectl' && options.outDir !== undefined) {
    throw new CliError('--format kubectl prints commands to stdout: redirect them to a file instead of --out-dir');
  }
  if (options.emitTests && options.outDir === undefined) {
    throw new CliError('--emit-tests writes test files beside the policies: give --out-dir too');
  }
  const modules = selectTargets(options, registry, say);
  await warnAboutAccess(inputSet, options.namespace, say);

  const translateOptions: TranslateOptions = {
    actions: options.action,
    ...(options.kubeVersion === undefined ? {} : { kubeVersion: options.kubeVersion }),
    mutate: options.mutate,
    emitTests: options.emitTests,
    gatekeeper: { mode: options.gatekeeperMode },
    kyverno: { api: options.kyvernoApi, style: options.kyvernoStyle },
  };
  const results: { target: TargetName; objects: KubernetesObject[]; report: FidelityEntry[]; files: TargetFile[] }[] = [];
  for (const module of modules) {
    const { objects, report, files = [] } = await module.translate(inputSet, translateOptions);
    checkObjects(module.name, objects);
    if (options.emitTests && files.length === 0) {
      say.note(`${module.name}: --emit-tests: no tests written for this target (gatekeeper writes Rego tests for opa test, kyverno a kyverno test suite)`);
    }
    results.push({ target: module.name, objects, report, files });
  }

  // ts-morph is heavy: loaded for this format only (test/lazy-loading.test.ts checks it).
  const cdk8s = options.format === 'cdk8s' ? await import('../cdk8s/index.js') : undefined;
  const generator = cdk8s !== undefined ? `psp-translate ${cliVersion()}` : '';
  if (options.outDir !== undefined) {
    const extension = options.format;
    const files: OutputFile[] =
      cdk8s !== undefined
        ? cdk8s.cdk8sOutputFiles(results, generator)
        : results.flatMap(({ target, objects }) =>
            objects.map((object) => {
              const ordered = withKubernetesKeyOrder(object);
              return { path: objectFilePath(target, object, extension === 'json' ? 'json' : 'yaml'), contents: extension === 'json' ? toJson(ordered) : toYaml(ordered) };
            }),
          );
    files.push(...results.flatMap(({ target, files: extra }) => extra.map((file) => ({ path: `${target}/${file.path}`, contents: 'text' in file ? file.text : toYamlStream(file.objects) }))));
    try {
      await writeOutputAtomically(options.outDir, files, { cwd: io.cwd });
    } catch (error) {
      if (error instanceof CliError || (error as NodeJS.ErrnoException).code === undefined) throw error;
      throw new CliError(`could not write ${options.outDir} (${(error as Error).message}); nothing was changed there`, { cause: error });
    }
    const counts = results.map(({ target, objects }) => `${objects.length} in ${target}/`).join(', ');
    say.note(`wrote ${files.length} file${files.length === 1 ? '' : 's'} to ${options.outDir}: ${counts}`);
  } else if (options.format === 'kubectl') {
    const { kubectlLabelCommands } = await import('@psp-translate/psa');
    const namespaces = results.flatMap((result) => result.objects).filter((o) => o.apiVersion === 'v1' && o.kind === 'Namespace');
    const commands = kubectlLabelCommands(namespaces.map((o) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.metadata.name, labels: o.metadata.labels ?? {} } })));
    io.stdout.write(commands.map((command) => `${command}\n`).join(''));
  } else {
    const objects = results.flatMap((result) => result.objects);
    io.stdout.write(cdk8s !== undefined ? cdk8s.cdk8sStdoutModule(results, generator) : options.format === 'json' ? toJsonList(objects) : toYamlStream(objects));
  }

  if (options.action.action === 'default' && results.length > 0) say.note(describeDefaultActions(results.map(({ target }) => target)));
  const counts = { approximate: 0, unsupported: 0 };
  for (const { target, report } of results) {
    const actionNote = options.action.notes[target];
    if (actionNote !== undefined) say.note(`${target}: --action ${options.action.action}: ${actionNote}`);
    for (const entry of report) {
      if (entry.fidelity === 'approximate' || entry.fidelity === 'unsupported') counts[entry.fidelity]++;
      if (entry.fidelity !== 'exact' || options.verbose) say.plain(formatEntry(target, entry));
    }
  }
  const findings = counts.approximate + counts.unsupported;
  if (findings > 0) {
    // The translation was written either way; whether an imperfect one fails the run is the caller's choice.
    say.note(
      `${counts.approximate} approximate and ${counts.unsupported} unsupported entries above: read them before applying` +
        (options.strict ? '' : ' (--strict makes this exit 1)'),
    );
  }
  return options.strict && findings > 0 ? ExitCode.findings : ExitCode.ok;
}
