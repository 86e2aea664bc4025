// Gatekeeper and VAP exceptions judged by executing them: packages/gatekeeper's in-process evaluator and
// packages/vap's vapAdmission, against psp-translate's translation of the level with the exceptions applied.
import { gatekeeperEvaluator } from '@psp-translate/gatekeeper';
import { vapAdmission } from '@psp-translate/vap';
import { labelsMatch, loadInputs, type KubernetesObject, type Pod, type Workload } from '@psp-translate/core';
import {
  applyGatekeeperExclusions,
  chartPolicy,
  EXCEPTION_PART_ANNOTATION,
  exceptions,
  gatekeeperBaselineObjects,
  gatekeeperExceptions,
  helmTemplates,
  PSP_MODELLED_CHECKS,
  readOnlyHostPaths,
  vapBaselineObjects,
  vapExceptions,
  type ChartSelector,
  type ExceptionNeed,
  type ExceptionsResult,
} from '@psp-translate/report';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from './support.js';

interface Chart {
  dir: string;
  namespace: string;
}
const CHARTS: Chart[] = [
  { dir: 'prometheus-node-exporter', namespace: 'monitoring' },
  { dir: 'ingress-nginx', namespace: 'ingress-nginx' },
  { dir: 'secrets-store-csi-driver', namespace: 'kube-system' },
];
const LEVELS = ['restricted', 'baseline'] as const;
type Level = (typeof LEVELS)[number];

function podOf(workload: Workload): Pod {
  const template = (workload.kind === 'Pod' ? workload.raw : (workload.raw['spec'] as Record<string, unknown>)['template']) as Pod;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...template.metadata, name: workload.name, namespace: workload.namespace ?? 'default' }, spec: structuredClone(template.spec) };
}

/** Pods that need one thing more than the chart's own, with the need that would make an exception admit it anyway. */
function greedierPods(pod: Pod): { what: string; pod: Pod; within: (needs: readonly ExceptionNeed[]) => boolean }[] {
  const variants: { what: string; pod: Pod; within: (needs: readonly ExceptionNeed[]) => boolean }[] = [];
  const vary = (what: string, within: (needs: readonly ExceptionNeed[]) => boolean, change: (p: Pod) => void) => {
    const copy = structuredClone(pod);
    change(copy);
    variants.push({ what, pod: copy, within });
  };
  const hasValue = (check: string, value: string) => (needs: readonly ExceptionNeed[]) => needs.some((n) => n.check.startsWith(check) && n.values.includes(value));
  pod.spec.containers.forEach((container, i) => {
    vary(`${container.name} adds SYS_ADMIN`, hasValue('capabilities', 'SYS_ADMIN'), (p) => {
      const sc = (p.spec.containers[i]!.securityContext ??= {});
      sc.capabilities = { ...(sc.capabilities ?? {}), add: [...(sc.capabilities?.add ?? []), 'SYS_ADMIN'] };
    });
    if (container.securityContext?.privileged !== true) vary(`${container.name} turns privileged`, hasValue('privileged', 'true'), (p) => void ((p.spec.containers[i]!.securityContext ??= {}).privileged = true));
    vary(`${container.name} opens host port 31337`, () => false, (p) => void (p.spec.containers[i]!.ports = [...(p.spec.containers[i]!.ports ?? []), { containerPort: 31337, hostPort: 31337 }]));
  });
  // PSP path prefixes: an allowed / or /etc admits /etc (the report says so).
  vary('mounts host path /etc', (needs) => needs.some((n) => n.field === 'spec.volumes[*].hostPath' && n.values.some((v) => v === '/' || v === '/etc')), (p) => void (p.spec.volumes = [...(p.spec.volumes ?? []), { name: 'etc', hostPath: { path: '/etc' } }]));
  if (pod.spec.hostIPC !== true) vary('joins the host IPC namespace', () => false, (p) => void (p.spec.hostIPC = true));
  vary('adds a privileged debug container', hasValue('privileged', 'true'), (p) => void (p.spec.ephemeralContainers = [{ name: 'debug', image: 'busybox:1.36', securityContext: { privileged: true } }]));
  return variants;
}

/** The exceptions of one engine, rebuilt from (a subset of) the needs. */
interface Engine {
  name: 'gatekeeper' | 'vap';
  /** The judge for the cluster's baseline translation with the exceptions for `needs` applied. */
  judge: (level: Level, needs: readonly ExceptionNeed[], context: ChartContext) => (pod: Pod, namespace: string) => boolean;
}
interface ChartContext {
  namespace: string;
  selector: ChartSelector;
  readOnlyPaths: ReadonlySet<string>;
}

function isConstraint(object: KubernetesObject): boolean {
  return object.apiVersion.startsWith('constraints.gatekeeper.sh/');
}

const ENGINES: Engine[] = [
  {
    name: 'gatekeeper',
    judge(level, needs, context) {
      const granted = gatekeeperExceptions({ needs, level, ...context, namePrefix: 'chart' });
      const objects = [...applyGatekeeperExclusions(gatekeeperBaselineObjects(level), granted.exclusions), ...granted.objects];
      return (pod, namespace) => {
        // The in-process evaluator reads match.namespaces but not match.labelSelector: select constraints by label here.
        const selected = objects.filter((o) => {
          if (!isConstraint(o)) return true;
          const selector = (o['spec'] as { match?: { labelSelector?: Parameters<typeof labelsMatch>[0] } }).match?.labelSelector;
          return selector === undefined || labelsMatch(selector, pod.metadata.labels ?? {});
        });
        return gatekeeperEvaluator(selected)({ pod, namespace }).admitted;
      };
    },
  },
  {
    name: 'vap',
    judge(level, needs, context) {
      const granted = vapExceptions({ needs, level, ...context, namePrefix: 'chart' });
      const replaced = new Set(granted.objects.filter((o) => o.metadata.annotations?.[EXCEPTION_PART_ANNOTATION] === 'cluster').map((o) => `${o.kind}/${o.metadata.name}`));
      const objects = [...vapBaselineObjects(level).filter((o) => !replaced.has(`${o.kind}/${o.metadata.name}`)), ...granted.objects];
      const { admit } = vapAdmission(objects, { messages: false });
      return (pod, namespace) =>
        admit({ operation: 'CREATE', namespace, userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:serviceaccounts', 'system:authenticated'] }, object: pod }).allowed;
    },
  },
];

/** The needs an engine's exceptions grant: those of checks its baseline translation models. */
function modelled(needs: readonly ExceptionNeed[]): ExceptionNeed[] {
  return needs.filter((n) => n.wholeCheck !== true && PSP_MODELLED_CHECKS.has(n.check));
}

/** One value of one field of one check: what dropping an exception removes (values are per chart in these engines). */
function units(needs: readonly ExceptionNeed[]): { check: string; field: string; value: string }[] {
  const seen = new Map<string, { check: string; field: string; value: string }>();
  for (const n of modelled(needs)) for (const value of n.values.length > 0 ? n.values : ['']) seen.set(JSON.stringify([n.check, n.field, value]), { check: n.check, field: n.field, value });
  return [...seen.values()];
}

function without(needs: readonly ExceptionNeed[], unit: { check: string; field: string; value: string }): ExceptionNeed[] {
  return needs.flatMap((n) => {
    if (n.check !== unit.check || n.field !== unit.field) return [n];
    if (unit.value === '' && n.values.length === 0) return [];
    const values = n.values.filter((v) => v !== unit.value);
    return values.length === 0 ? [] : [{ ...n, values }];
  });
}

describe.each(CHARTS)('Gatekeeper and VAP exceptions for $dir', (chart) => {
  let workloads: Workload[];
  beforeAll(async () => {
    workloads = (await loadInputs([repoPath('packages/report/test/charts', chart.dir, 'workloads.yaml')], { defaultNamespace: chart.namespace })).workloads;
  });

  describe.each(LEVELS)('against %s', (level) => {
    let result: ExceptionsResult;
    let context: ChartContext;
    beforeAll(() => {
      result = exceptions({ workloads, namespace: chart.namespace, baseline: { level } });
      const needing = workloads.filter((w) => result.needs.some((n) => n.workload.name === w.name && n.workload.kind === w.kind)).map(podOf);
      context = { namespace: chart.namespace, selector: result.selector ?? { key: 'none', value: 'none' }, readOnlyPaths: readOnlyHostPaths(needing) };
    });

    describe.each(ENGINES)('$name', (engine) => {
      it('rejects the workloads needing a modelled exception without exceptions, and admits every workload with them', () => {
        if (modelled(result.needs).length === 0) {
          // ingress-nginx at baseline: nothing to grant, nothing emitted.
          expect(result.objects[engine.name]).toEqual([]);
          for (const w of workloads) expect(engine.judge(level, [], context)(podOf(w), chart.namespace), w.name).toBe(true);
          return;
        }
        expect(result.selector).not.toBeNull();
        const bare = engine.judge(level, [], context);
        const needing = new Set(modelled(result.needs).map((n) => n.workload.name));
        expect(needing.size).toBeGreaterThan(0);
        for (const w of workloads) if (needing.has(w.name)) expect(bare(podOf(w), chart.namespace), `${w.name} without exceptions`).toBe(false);
        const granted = engine.judge(level, result.needs, context);
        for (const w of workloads) expect(granted(podOf(w), chart.namespace), `${w.name} with exceptions`).toBe(true);
        expect(result.objects[engine.name].length).toBeGreaterThan(0);
      });

      it('is minimal: dropping any one exception rejects one of the chart\u2019s workloads', () => {
        const policyOf = (needs: readonly ExceptionNeed[]) => JSON.stringify(chartPolicy('chart', level, needs, context.readOnlyPaths).controls);
        for (const unit of units(result.needs)) {
          if (policyOf(without(result.needs, unit)) === policyOf(result.needs)) {
            // Only a host path under another allowed path (PSP path prefixes) or an unset seccomp profile (the modelled level allows it) adds nothing; the report says so.
            const subsumed = unit.field === 'spec.volumes[*].hostPath' ? /prefix/ : unit.value === 'undefined' && unit.check.startsWith('seccomp') ? /seccomp/ : null;
            expect(subsumed, JSON.stringify(unit)).not.toBeNull();
            expect(result.report.some((e) => e.target === engine.name && e.fidelity === 'approximate' && subsumed!.test(e.message))).toBe(true);
            continue;
          }
          const judge = engine.judge(level, without(result.needs, unit), context);
          expect(workloads.filter((w) => !judge(podOf(w), chart.namespace)).length, `dropping ${JSON.stringify(unit)}`).toBeGreaterThan(0);
        }
      });

      it('admits no pod that needs more than the chart\u2019s pods need, except what the report calls approximate', () => {
        const judge = engine.judge(level, result.needs, context);
        const approximate = result.report.filter((e) => e.target === engine.name && e.fidelity === 'approximate').map((e) => e.message);
        for (const w of workloads) {
          for (const { what, pod, within } of greedierPods(podOf(w))) {
            if (within(result.needs)) {
              expect(approximate.some((m) => /union|prefix/.test(m)), `${w.name} ${what} is admitted and reported`).toBe(true);
              continue;
            }
            expect(judge(pod, chart.namespace), `${w.name} ${what}`).toBe(false);
          }
        }
      });

      it('does not widen other pods of the namespace or the chart\u2019s pods elsewhere', () => {
        const judge = engine.judge(level, result.needs, context);
        for (const w of workloads.filter((x) => modelled(result.needs).some((n) => n.workload.name === x.name))) {
          const stranger = podOf(w);
          stranger.metadata.labels = { ...(stranger.metadata.labels ?? {}), [context.selector.key]: `${context.selector.value}-other` };
          expect(judge(stranger, chart.namespace), `${w.name} relabelled`).toBe(false);
          expect(judge(podOf(w), 'elsewhere'), `${w.name} in another namespace`).toBe(false);
        }
      });
    });
  });
});

describe('Gatekeeper and VAP exception objects', () => {
  it('scope the node exporter\u2019s constraints to its namespace and release label, with exactly its values', async () => {
    const workloads = (await loadInputs([repoPath('packages/report/test/charts/prometheus-node-exporter/workloads.yaml')], { defaultNamespace: 'monitoring' })).workloads;
    const result = exceptions({ workloads, namespace: 'monitoring', baseline: { level: 'baseline' } });
    expect(result.selector).toEqual({ key: 'app.kubernetes.io/instance', value: 'prometheus' });
    const constraints = result.objects.gatekeeper.filter((o) => o.kind !== 'ConstraintTemplate' && o.metadata.name.endsWith('-exception'));
    const kinds = constraints.map((o) => o.kind).sort();
    expect(kinds).toEqual(['K8sPspHostNamespaces', 'K8sPspHostPaths', 'K8sPspHostPorts', 'K8sPspVolumes'].sort());
    for (const o of constraints) {
      expect((o['spec'] as { match: unknown }).match).toMatchObject({ namespaces: ['monitoring'], labelSelector: { matchLabels: { 'app.kubernetes.io/instance': 'prometheus' } } });
    }
    // K8sPspHostPaths checks nothing at baseline (hostPath volumes are forbidden): its template ships with the chart and no cluster constraint is excluded.
    expect(result.objects.gatekeeper.filter((o) => o.kind === 'ConstraintTemplate').map((o) => o.metadata.name)).toEqual(['k8spsphostpaths']);
    expect(result.gatekeeperExclusions.map((e) => `${e.kind}/${e.name}`).sort()).toEqual(['K8sPspHostNamespaces', 'K8sPspHostPorts', 'K8sPspVolumes'].map((k) => `${k}/pod-security-baseline`));
    const policy = chartPolicy('x', 'baseline', result.needs, readOnlyHostPaths(workloads.map(podOf)));
    expect(policy.controls.hostPorts.validate.ranges).toEqual([{ min: 9100, max: 9100 }]);
    const vapParts = result.objects.vap.map((o) => [o.kind, o.metadata.annotations?.[EXCEPTION_PART_ANNOTATION]]);
    expect(vapParts).toContainEqual(['ValidatingAdmissionPolicy', 'chart']);
    expect(vapParts).toContainEqual(['ValidatingAdmissionPolicyBinding', 'cluster']);
  });

  it('reports charts whose pods share no label as unsupported in both engines', async () => {
    const workloads = (await loadInputs([repoPath('packages/report/test/charts/prometheus-node-exporter/workloads.yaml')], { defaultNamespace: 'monitoring' })).workloads;
    const unlabelled = structuredClone(workloads);
    for (const w of unlabelled) delete ((w.raw['spec'] as Record<string, unknown>)['template'] as Pod).metadata.labels;
    const result = exceptions({ workloads: unlabelled, namespace: 'monitoring', baseline: { level: 'baseline' } });
    expect(result.objects.gatekeeper).toEqual([]);
    expect(result.report.filter((e) => e.fidelity === 'unsupported').map((e) => e.target).sort()).toEqual(['gatekeeper', 'vap']);
  });

  it.each(CHARTS)('writes the chart-owned Gatekeeper and VAP objects of $dir as Helm templates that render back to them for any release', async (chart) => {
    const workloads = (await loadInputs([repoPath('packages/report/test/charts', chart.dir, 'workloads.yaml')], { defaultNamespace: chart.namespace })).workloads;
    const result = exceptions({ workloads, namespace: chart.namespace, baseline: { level: 'restricted' }, targets: ['gatekeeper', 'vap'] });
    const release = result.selector!.value;
    const files = helmTemplates(result, { releaseName: release });
    expect(files.map((f) => f.path)).toEqual(['values-pod-security-exceptions.yaml', 'templates/pod-security-exceptions-gatekeeper.yaml', 'templates/pod-security-exceptions-vap.yaml']);
    for (const [index, target] of [[1, 'gatekeeper'], [2, 'vap']] as const) {
      const chartOwned = result.objects[target].filter((o) => o.metadata.annotations?.[EXCEPTION_PART_ANNOTATION] !== 'cluster');
      expect(chartOwned.length).toBeGreaterThan(0);
      // The cluster's own binding (replaced by the admin) is not the chart's to ship.
      expect(files[index]!.contents).not.toContain(EXCEPTION_PART_ANNOTATION + ': cluster');
      expect(renderHelm(files[index]!.contents, { release, namespace: chart.namespace })).toEqual(JSON.parse(JSON.stringify(chartOwned)));
      const other = JSON.stringify(renderHelm(files[index]!.contents, { release: 'other', namespace: 'elsewhere' }));
      expect(other).toContain('"elsewhere"');
      expect(other).not.toContain(`"${chart.namespace}"`);
    }
  });
});

/** The Go template actions helmTemplates writes, evaluated as Helm would (flag on), then YAML parsed. */
function renderHelm(text: string, values: { release: string; namespace: string }): unknown[] {
  const guard = /\{\{- if \.Values\.podSecurityExceptions\.enabled \}\}\n([\s\S]*)\{\{- end \}\}\n$/.exec(text);
  if (guard === null) throw new Error('template is not guarded by the values flag');
  const quote = (s: string) => JSON.stringify(s);
  const action = /\{\{ ((?:"(?:[^"\\]|\\.)*"|[^"}])*?) \}\}/g;
  const body = guard[1]!.replace(action, (_whole, inner: string) => {
    let m: RegExpExecArray | null;
    if ((m = /^("(?:[^"\\]|\\.)*")$/.exec(inner))) return JSON.parse(m[1]!) as string;
    if (inner === '.Release.Namespace | quote') return quote(values.namespace);
    if (inner === '.Release.Name | quote') return quote(values.release);
    if ((m = /^printf "%s%s" \.Release\.Name ("(?:[^"\\]|\\.)*") \| trunc 63 \| quote$/.exec(inner))) return quote(`${values.release}${JSON.parse(m[1]!) as string}`.slice(0, 63));
    throw new Error(`unexpected template action {{ ${inner} }}`);
  });
  return parseAllDocuments(body).map((doc) => doc.toJS() as unknown).filter((doc) => doc !== null);
}
