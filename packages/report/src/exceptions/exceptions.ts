/**
 * `exceptions()`: the smallest set of exceptions a chart's own workloads need against a cluster's
 * Pod Security baseline, and the objects that grant them in each engine.
 */
import { podFromWorkload, type InputSet, type KubernetesObject, type Pod, type Workload } from '@psp-translate/core';
import { evaluatePod, formatLevelVersion, LATEST_VERSION, namespaceLabels, parseVersion, translatePsa, type CheckId, type Level, type PsaMinorVersion } from '@psp-translate/psa';
import { needsFor, sanitise, type ExceptionNeed, type ExceptionWorkload } from './needs.js';
import { kyvernoExceptions, type KyvernoExceptionOptions } from './kyverno.js';
import { gatekeeperExceptions, type GatekeeperExclusion } from './gatekeeper.js';
import { vapExceptions } from './vap.js';
import { levelPolicyName, type ChartSelector } from './level-policy.js';

/** The cluster's baseline: a Pod Security level, or its PSPs (with their RBAC). */
export type ExceptionBaseline = { level: 'baseline' | 'restricted'; version?: string } | { policies: InputSet; version?: string };

/** The engines exceptions are written for. */
export type ExceptionTarget = 'gatekeeper' | 'kyverno' | 'psa' | 'vap';

/** What {@link exceptions} reads. */
export interface ExceptionsInput {
  /** The chart's rendered workloads (`helm template` output, parsed with core's `loadInputs`). */
  workloads: readonly Workload[];
  /** Namespace of workloads that name none (the chart's release namespace); default `default`. */
  namespace?: string;
  baseline: ExceptionBaseline;
  /** Default: all four. */
  targets?: readonly ExceptionTarget[];
  kyverno?: KyvernoExceptionOptions;
  /**
   * Prefix of the Gatekeeper and VAP exception objects' names (the release name); default the value
   * of the pod label the chart's pods are selected by.
   */
  releaseName?: string;
}

/** One workload of the chart and what it needs. */
export interface ChartWorkload {
  workload: ExceptionWorkload;
  /** The pod passes the baseline level without any exception. */
  passesBaseline: boolean;
  /** The checks it fails at the baseline level, with the plugin's messages. */
  violations: { check: CheckId; message: string }[];
}

/** One line of the exceptions report, in the fidelity words of the translation report. */
export interface ExceptionsReportEntry {
  target: ExceptionTarget;
  fidelity: 'exact' | 'note' | 'approximate' | 'unsupported';
  message: string;
}

/** What {@link exceptions} returns. */
export interface ExceptionsResult {
  /** The level and policy version the exceptions are against. */
  baseline: { level: Level; version: string; from: 'level' | 'policies' };
  workloads: ChartWorkload[];
  /** Every exception, one per check, workload, container (or pod) and field, with the exact values. */
  needs: ExceptionNeed[];
  /** Per namespace of the chart: the strictest Pod Security level all its pods pass. */
  namespaces: { namespace: string; level: Level; labels: Record<string, string> }[];
  /** The objects per target (empty for a target not asked for or with nothing to grant). */
  objects: Record<ExceptionTarget, KubernetesObject[]>;
  /** The pod label Gatekeeper and VAP exceptions select the chart's pods by; `null` when no label is shared by them all. */
  selector: ChartSelector | null;
  /** Gatekeeper: the cluster-wide constraints that must stop matching the chart's pods (also in the report as notes). */
  gatekeeperExclusions: GatekeeperExclusion[];
  report: ExceptionsReportEntry[];
}

/** A chart pod with the identity exceptions match on. */
export interface ChartPod {
  workload: ExceptionWorkload;
  pod: Pod;
}

function chartPods(workloads: readonly Workload[], namespace: string): ChartPod[] {
  return workloads.map((w) => {
    const context = podFromWorkload(w, { defaultNamespace: namespace });
    return { workload: { kind: w.kind, namespace: context.namespace, name: w.name }, pod: context.pod };
  });
}

function sameWorkload(a: ExceptionWorkload, b: ExceptionWorkload): boolean {
  return a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}

function minorVersion(version: string | undefined): PsaMinorVersion {
  const parsed = parseVersion(version ?? 'latest');
  return parsed === 'latest' ? LATEST_VERSION : parsed;
}

/**
 * Whether the baseline level plus the exceptions admits `pod` of `workload`: every check the pod
 * fails must be covered for that workload, and what the exceptions cover (exact values, per
 * container) is taken out of the pod before the check runs again, so anything beyond them (another
 * capability, another host path, another container) still fails. The PSA checks stay the judge.
 */
export function admittedWithExceptions(
  pod: Pod,
  workload: ExceptionWorkload,
  baseline: { level: Level; version: PsaMinorVersion },
  needs: readonly ExceptionNeed[],
): { admitted: boolean; reasons: string[] } {
  const evaluation = evaluatePod(pod, baseline.level, baseline.version);
  const reasons: string[] = [];
  for (const result of evaluation.results) {
    if (result.allowed) continue;
    const covering = needs.filter((n) => n.check === result.id && sameWorkload(n.workload, workload));
    if (covering.some((n) => n.wholeCheck === true)) continue;
    const again = evaluatePod(sanitise(pod, result.id, covering), baseline.level, baseline.version).results.find((r) => r.id === result.id);
    if (again !== undefined && !again.allowed) reasons.push(`${result.id}: ${again.message}`);
  }
  return { admitted: reasons.length === 0, reasons };
}

/** Preferred labels to select a chart's pods by: the release first. */
const SELECTOR_KEYS = ['app.kubernetes.io/instance', 'release', 'app.kubernetes.io/name', 'app'];

/** A label every one of `pods` carries with the same value, the release label first; `null` if none. */
export function chartSelector(pods: readonly Pod[]): ChartSelector | null {
  const labels = pods.map((p) => p.metadata.labels ?? {});
  if (labels.length === 0) return null;
  const shared = Object.keys(labels[0]!).filter((key) => labels.every((l) => l[key] === labels[0]![key]));
  const key = SELECTOR_KEYS.find((k) => shared.includes(k)) ?? shared.sort()[0];
  return key === undefined ? null : { key, value: labels[0]![key]! };
}

/** Host paths every one of `pods` mounts only read-only (PSP's `readOnly` on an allowed path). */
export function readOnlyHostPaths(pods: readonly Pod[]): Set<string> {
  const readOnly = new Map<string, boolean>();
  for (const pod of pods) {
    const mounts = (['containers', 'initContainers', 'ephemeralContainers'] as const).flatMap((kind) => (pod.spec[kind] ?? []).flatMap((c) => c.volumeMounts ?? []));
    for (const volume of pod.spec.volumes ?? []) {
      if (!volume.hostPath) continue;
      const only = mounts.filter((m) => m.name === volume.name).every((m) => m.readOnly === true);
      readOnly.set(volume.hostPath.path, (readOnly.get(volume.hostPath.path) ?? true) && only);
    }
  }
  return new Set([...readOnly].filter(([, only]) => only).map(([path]) => path));
}

const LEVEL_ORDER: readonly Level[] = ['restricted', 'baseline', 'privileged'];

function resolveBaseline(input: ExceptionsInput, pods: readonly ChartPod[], report: ExceptionsReportEntry[]): ExceptionsResult['baseline'] & { minor: PsaMinorVersion } {
  const minor = minorVersion(input.baseline.version);
  if ('level' in input.baseline) return { level: input.baseline.level, version: `v${minor.major}.${minor.minor}`, from: 'level', minor };
  // Given PSPs: the level psp-translate's PSA translation would enforce in the chart's namespaces.
  const policies = input.baseline.policies;
  const namespaces = [...new Set(pods.map((p) => p.workload.namespace))];
  const translation = translatePsa({ ...policies, workloads: [...policies.workloads, ...input.workloads] }, { kubeVersion: `1.${minor.minor}` });
  let level: Level = 'restricted';
  for (const decision of translation.namespaces) {
    if (!namespaces.includes(decision.namespace)) continue;
    if (LEVEL_ORDER.indexOf(decision.safe.level) > LEVEL_ORDER.indexOf(level)) level = decision.safe.level;
  }
  report.push({
    target: 'psa',
    fidelity: 'approximate',
    message: `the baseline PSPs are taken as the Pod Security level they translate to in ${namespaces.join(', ')} (${level}); their finer limits (host path prefixes, capability lists, user ranges) do not narrow the exceptions`,
  });
  return { level, version: `v${minor.major}.${minor.minor}`, from: 'policies', minor };
}

/**
 * Derive the smallest exceptions a chart needs against the cluster's baseline.
 *
 * Each of the chart's workloads is evaluated at the baseline level (PSA's checks, every container
 * kind). Every failing check becomes exceptions at the granularity of check + workload + container
 * (or pod) + field, with the exact values the workload uses (capability names, host paths, host
 * ports): dropping any one makes that workload fail again, and a pod that needs more than the chart's
 * own (another capability, another path, another privileged container) stays rejected, as
 * {@link admittedWithExceptions} checks. Checks without a finer handle (SELinux, sysctls, AppArmor,
 * procMount, host probes, Windows host process) are exempted per workload and reported.
 *
 * Objects: Kyverno PolicyExceptions (`kyverno.io/v2`, `podSecurity` exemptions naming the controls,
 * images, fields and values) against Kyverno's Pod Security policies; the Pod Security label each of
 * the chart's namespaces needs; Gatekeeper scoped constraints (plus the exclusions the cluster-wide
 * constraints need, as notes and `gatekeeperExclusions`) and ValidatingAdmissionPolicy bindings and a
 * chart policy, against psp-translate's translation of the level (see `gatekeeperBaselineObjects`,
 * `vapBaselineObjects`); what those cannot make exact is reported.
 *
 * @example
 * ```ts
 * import { loadInputs } from '@psp-translate/core';
 * import { exceptions } from '@psp-translate/report';
 * const chart = await loadInputs(['rendered.yaml'], { defaultNamespace: 'monitoring' });
 * const result = exceptions({ workloads: chart.workloads, baseline: { level: 'restricted' } });
 * ```
 * @throws Error when a workload has no pod template or the version is not a Kubernetes version.
 */
export function exceptions(input: ExceptionsInput): ExceptionsResult {
  const targets = new Set<ExceptionTarget>(input.targets ?? ['gatekeeper', 'kyverno', 'psa', 'vap']);
  const pods = chartPods(input.workloads, input.namespace ?? 'default');
  const report: ExceptionsReportEntry[] = [];
  const baseline = resolveBaseline(input, pods, report);

  const workloads: ChartWorkload[] = [];
  const needs: ExceptionNeed[] = [];
  for (const { workload, pod } of pods) {
    const evaluation = baseline.level === 'privileged' ? { results: [] } : evaluatePod(pod, baseline.level, baseline.minor);
    const failing = evaluation.results.filter((r) => !r.allowed);
    workloads.push({ workload, passesBaseline: failing.length === 0, violations: failing.map((r) => ({ check: r.id, message: r.message })) });
    for (const result of failing) needs.push(...needsFor(result.id, pod, workload));
  }
  for (const need of needs) {
    if (need.wholeCheck) {
      report.push({ target: 'kyverno', fidelity: 'approximate', message: `${need.workload.kind}/${need.workload.name}: check ${need.check} is exempted as a whole (psp-translate has no per-value handle on it); review what the workload sets there` });
    }
  }

  const namespaces = [...new Set(pods.map((p) => p.workload.namespace))].sort().map((namespace) => {
    const mine = pods.filter((p) => p.workload.namespace === namespace);
    const level = LEVEL_ORDER.find((l) => l === 'privileged' || mine.every((p) => evaluatePod(p.pod, l, baseline.minor).allowed)) as Level;
    return { namespace, level, labels: namespaceLabels(level, baseline.minor, ['enforce']) };
  });

  const objects: Record<ExceptionTarget, KubernetesObject[]> = { gatekeeper: [], kyverno: [], psa: [], vap: [] };
  if (targets.has('kyverno') && needs.length > 0) {
    const kyverno = kyvernoExceptions(needs, baseline.level === 'privileged' ? 'baseline' : baseline.level, input.kyverno ?? {});
    objects.kyverno = kyverno.objects;
    report.push(...kyverno.report);
  }
  if (targets.has('psa')) {
    objects.psa = namespaces.map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns.namespace, labels: ns.labels } }));
    for (const ns of namespaces) {
      const wider = LEVEL_ORDER.indexOf(ns.level) > LEVEL_ORDER.indexOf(baseline.level);
      report.push({
        target: 'psa',
        fidelity: wider ? 'approximate' : 'exact',
        message: wider
          ? `namespace ${ns.namespace} needs enforce ${formatLevelVersion({ level: ns.level, version: baseline.minor })}: Pod Security labels hold for every pod in the namespace, so any pod there may then do what ${ns.level} allows, more than the chart needs; keep the chart in a namespace of its own and rely on the engine exceptions for the finer limits`
          : `namespace ${ns.namespace}: every pod of the chart passes ${formatLevelVersion({ level: ns.level, version: baseline.minor })}; no label change needed beyond the baseline`,
      });
    }
  }
  let selector: ChartSelector | null = null;
  let gatekeeperExclusions: GatekeeperExclusion[] = [];
  const engines = (['gatekeeper', 'vap'] as const).filter((target) => targets.has(target));
  if (engines.length > 0 && needs.length > 0) {
    const needing = pods.filter((p) => needs.some((n) => sameWorkload(n.workload, p.workload)));
    const needingNamespaces = [...new Set(needing.map((p) => p.workload.namespace))];
    selector = chartSelector(needing.map((p) => p.pod));
    const level = baseline.level === 'privileged' ? 'baseline' : baseline.level;
    if (selector === null || needingNamespaces.length !== 1) {
      for (const target of engines) {
        report.push({
          target,
          fidelity: 'unsupported',
          message:
            selector === null
              ? `the chart's pods that need exceptions share no pod label to select them by (e.g. app.kubernetes.io/instance); label them alike, then run again`
              : `the chart's pods that need exceptions are in several namespaces (${needingNamespaces.join(', ')}); run once per namespace`,
        });
      }
    } else {
      const chartInput = {
        needs,
        level,
        namespace: needingNamespaces[0]!,
        selector,
        readOnlyPaths: readOnlyHostPaths(needing.map((p) => p.pod)),
        namePrefix: input.releaseName ?? selector.value,
      } as const;
      if (baseline.from === 'policies') {
        for (const target of engines) {
          report.push({
            target,
            fidelity: 'approximate',
            message: `the exceptions are against psp-translate's translation of ${level} (objects named ${levelPolicyName(level)}), not of the given PSPs: exclude the chart's pods from the constraints or bindings your translation of them emitted, as the notes show for the level`,
          });
        }
      }
      const covered = pods.filter((p) => p.workload.namespace === chartInput.namespace && p.pod.metadata.labels?.[selector!.key] === selector!.value && !needing.includes(p));
      for (const target of engines) {
        if (target === 'gatekeeper') {
          const gatekeeper = gatekeeperExceptions(chartInput);
          objects.gatekeeper = gatekeeper.objects;
          gatekeeperExclusions = gatekeeper.exclusions;
          report.push(...gatekeeper.report);
        } else {
          const vap = vapExceptions(chartInput);
          objects.vap = vap.objects;
          report.push(...vap.report);
        }
        if (covered.length > 0) {
          report.push({
            target,
            fidelity: 'approximate',
            message: `${covered.map((p) => `${p.workload.kind}/${p.workload.name}`).join(', ')} pass${covered.length === 1 ? 'es' : ''} the baseline but carr${covered.length === 1 ? 'ies' : 'y'} ${selector.key}=${selector.value} too, so the exception widens them as well`,
          });
        }
      }
    }
  }
  return { baseline: { level: baseline.level, version: baseline.version, from: baseline.from }, workloads, needs, namespaces, objects, selector, gatekeeperExclusions, report };
}

