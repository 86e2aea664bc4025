import { existsSync } from 'node:fs';
import path from 'node:path';
import { admit, loadInputs, type Pod, type Workload } from '@psp-translate/core';
import { admittedWithExceptions, exceptions, helmTemplates, type ExceptionNeed, type ExceptionsResult } from '@psp-translate/report';
import { LATEST_VERSION } from '@psp-translate/psa';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoPath, repoRoot } from './support.js';

interface Chart {
  dir: string;
  release: string;
  namespace: string;
  /** The corpus file with the chart's PSP. */
  psp: string;
}

const CHARTS: Chart[] = [
  { dir: 'prometheus-node-exporter', release: 'prometheus', namespace: 'monitoring', psp: 'prometheus-node-exporter-prometheus-node-exporter.yaml' },
  { dir: 'ingress-nginx', release: 'ingress-nginx', namespace: 'ingress-nginx', psp: 'ingress-nginx-controller.yaml' },
  { dir: 'secrets-store-csi-driver', release: 'csi', namespace: 'kube-system', psp: 'secrets-store-csi-driver-secrets-store-csi-driver-psp.yaml' },
];
const LEVELS = ['restricted', 'baseline'] as const;

async function chartWorkloads(chart: Chart): Promise<Workload[]> {
  return (await loadInputs([repoPath('packages/report/test/charts', chart.dir, 'workloads.yaml')], { defaultNamespace: chart.namespace })).workloads;
}

function podOf(workload: Workload): Pod {
  const template = (workload.kind === 'Pod' ? workload.raw : (workload.raw['spec'] as Record<string, unknown>)['template']) as Pod;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...template.metadata, name: workload.name, namespace: workload.namespace ?? 'default' }, spec: structuredClone(template.spec) };
}

function identity(workload: Workload) {
  return { kind: workload.kind, namespace: workload.namespace ?? 'default', name: workload.name };
}

/** Pods that need one thing more than the chart's own: each must stay rejected. */
function greedierPods(pod: Pod): { what: string; pod: Pod }[] {
  const variants: { what: string; pod: Pod }[] = [];
  const vary = (what: string, change: (p: Pod) => void) => {
    const copy = structuredClone(pod);
    change(copy);
    variants.push({ what, pod: copy });
  };
  pod.spec.containers.forEach((container, i) => {
    vary(`${container.name} adds SYS_ADMIN`, (p) => {
      const sc = (p.spec.containers[i]!.securityContext ??= {});
      sc.capabilities = { ...(sc.capabilities ?? {}), add: [...(sc.capabilities?.add ?? []), 'SYS_ADMIN'] };
    });
    if (container.securityContext?.privileged !== true) vary(`${container.name} turns privileged`, (p) => void ((p.spec.containers[i]!.securityContext ??= {}).privileged = true));
    vary(`${container.name} opens host port 31337`, (p) => void (p.spec.containers[i]!.ports = [...(p.spec.containers[i]!.ports ?? []), { containerPort: 31337, hostPort: 31337 }]));
  });
  vary('mounts host path /etc', (p) => void (p.spec.volumes = [...(p.spec.volumes ?? []), { name: 'etc', hostPath: { path: '/etc' } }]));
  if (pod.spec.hostIPC !== true) vary('joins the host IPC namespace', (p) => void (p.spec.hostIPC = true));
  vary('adds a privileged debug container', (p) => void (p.spec.ephemeralContainers = [{ name: 'debug', image: 'busybox:1.36', securityContext: { privileged: true } }]));
  return variants;
}

describe.each(CHARTS)('exceptions for $dir', (chart) => {
  let workloads: Workload[];
  beforeAll(async () => {
    workloads = await chartWorkloads(chart);
  });

  describe.each(LEVELS)('against %s', (level) => {
    let result: ExceptionsResult;
    const baseline = { level, version: LATEST_VERSION };
    beforeAll(() => {
      result = exceptions({ workloads, namespace: chart.namespace, baseline: { level } });
    });
    const admitted = (pod: Pod, workload: Workload, needs: readonly ExceptionNeed[]) => admittedWithExceptions(pod, identity(workload), baseline, needs).admitted;

    it('admits every workload of the chart with its exceptions', () => {
      for (const workload of workloads) expect(admittedWithExceptions(podOf(workload), identity(workload), baseline, result.needs)).toEqual({ admitted: true, reasons: [] });
    });

    it('is minimal: dropping any one exception rejects one of the chart\u2019s workloads', () => {
      for (const [i] of result.needs.entries()) {
        const fewer = result.needs.filter((_, j) => j !== i);
        const rejected = workloads.filter((w) => !admitted(podOf(w), w, fewer));
        expect(rejected.length, `dropping ${JSON.stringify(result.needs[i])}`).toBeGreaterThan(0);
      }
    });

    it('admits no pod that needs more than the chart\u2019s own', () => {
      for (const workload of workloads) {
        for (const { what, pod } of greedierPods(podOf(workload))) expect(admitted(pod, workload, result.needs), `${workload.name} ${what}`).toBe(false);
      }
    });

    it('names exact values, never a whole check, for the checks these charts fail', () => {
      expect(result.needs.every((n) => n.wholeCheck !== true && n.values.length > 0 || n.field.endsWith('capabilities.drop'))).toBe(true);
      expect(result.objects.kyverno).toHaveLength(result.workloads.filter((w) => !w.passesBaseline).length);
    });
  });

  it('writes Helm templates that render back to the exceptions for any release', () => {
    const result = exceptions({ workloads, namespace: chart.namespace, baseline: { level: 'restricted' } });
    const [template, values] = helmTemplates(result, { releaseName: chart.release });
    expect(template!.path).toBe('templates/pod-security-exceptions.yaml');
    expect(template!.contents).toContain('{{- if .Values.podSecurityExceptions.enabled }}');
    expect(template!.contents).toContain('namespace: {{ .Release.Namespace | quote }}');
    expect(values!.contents).toContain('podSecurityExceptions:\n  enabled: false');
    const same = renderHelm(template!.contents, { release: chart.release, namespace: chart.namespace, enabled: true });
    expect(same).toEqual(result.objects.kyverno.map((o) => JSON.parse(JSON.stringify(o)) as unknown));
    const other = renderHelm(template!.contents, { release: 'other', namespace: 'elsewhere', enabled: true }) as { metadata: { name: string; namespace: string } }[];
    for (const object of other) expect(object.metadata.namespace).toBe('elsewhere');
    expect(renderHelm(template!.contents, { release: chart.release, namespace: chart.namespace, enabled: false })).toEqual([]);
  });

  const corpus = path.join(repoRoot, '..', 'shared', 'corpus', 'psp', chart.psp);
  if (!existsSync(corpus)) console.warn(`corpus file ${corpus} is absent: skipping the check of the hand-written workloads against the chart's own PSP`);
  it.skipIf(!existsSync(corpus))('hand-written workloads resemble what the chart\u2019s own PSP was written for', async () => {
    const { policies } = await loadInputs([corpus]);
    for (const workload of workloads) {
      const verdict = admit(podOf(workload), policies);
      // ingress-nginx's corpus PSP was rendered with allowPrivilegeEscalation=false; the chart's older default (true) is what we model.
      const expected = chart.dir !== 'ingress-nginx' || workload.kind !== 'Deployment';
      expect(verdict.admitted, `${workload.kind}/${workload.name}: ${verdict.reasons.map((r) => `${r.path}: ${r.message}`).join('; ')}`).toBe(expected);
    }
  });
});

describe('exceptions() details', () => {
  it('exempts the node exporter exactly: host network and PID, port 9100, paths /, /proc, /sys', async () => {
    const workloads = await chartWorkloads(CHARTS[0]!);
    const result = exceptions({ workloads, namespace: 'monitoring', baseline: { level: 'baseline' } });
    const podSecurity = (result.objects.kyverno[0]!['spec'] as { podSecurity: unknown[] }).podSecurity;
    expect(podSecurity).toEqual([
      { controlName: 'Host Namespaces', restrictedField: 'spec.hostNetwork', values: ['true'] },
      { controlName: 'Host Namespaces', restrictedField: 'spec.hostPID', values: ['true'] },
      { controlName: 'HostPath Volumes', restrictedField: 'spec.volumes[*].hostPath', values: ['/', '/proc', '/sys'] },
      { controlName: 'Host Ports', images: ['quay.io/prometheus/node-exporter:v1.8.2'], restrictedField: 'spec.containers[*].ports[*].hostPort', values: ['9100'] },
    ]);
    expect(result.namespaces).toEqual([{ namespace: 'monitoring', level: 'privileged', labels: { 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/enforce-version': `v1.${LATEST_VERSION.minor}` } }]);
    // Gatekeeper and VAP exceptions are generated now (judged in exceptions-engines.test.ts), none reported unsupported for this chart.
    expect(result.report.filter((e) => e.fidelity === 'unsupported')).toEqual([]);
    expect(result.objects.gatekeeper.length).toBeGreaterThan(0);
    expect(result.objects.vap.length).toBeGreaterThan(0);
  });

  it('exempts only the CSI driver container from privileged, not its sidecars', async () => {
    const workloads = await chartWorkloads(CHARTS[2]!);
    const result = exceptions({ workloads, namespace: 'kube-system', baseline: { level: 'baseline' } });
    expect(result.needs.filter((n) => n.check === 'privileged').map((n) => n.container?.name)).toEqual(['secrets-store']);
  });

  it('passes the ingress certificate Job at restricted and needs only privilege escalation for the controller', async () => {
    const workloads = await chartWorkloads(CHARTS[1]!);
    const result = exceptions({ workloads, namespace: 'ingress-nginx', baseline: { level: 'restricted' } });
    expect(result.workloads.map((w) => [w.workload.name, w.passesBaseline])).toEqual([['ingress-nginx-controller', false], ['ingress-nginx-admission-create', true]]);
    expect(result.needs.map((n) => [n.check, n.values])).toEqual([['allowPrivilegeEscalation', ['true']]]);
  });

  it('takes given PSPs as the level they translate to in the chart namespace', async () => {
    const workloads = await chartWorkloads(CHARTS[0]!);
    const cluster = await loadInputs([repoPath('examples/cluster')]);
    const result = exceptions({ workloads, namespace: 'monitoring', baseline: { policies: cluster } });
    expect(result.baseline.from).toBe('policies');
    expect(['baseline', 'restricted', 'privileged']).toContain(result.baseline.level);
    expect(result.report[0]).toMatchObject({ target: 'psa', fidelity: 'approximate' });
  });

  it('escapes Go template delimiters in values it copies from the chart', async () => {
    const workloads = await chartWorkloads(CHARTS[2]!);
    const tricky = structuredClone(workloads);
    const containers = ((tricky[0]!.raw['spec'] as Record<string, unknown>)['template'] as Pod).spec.containers;
    containers[1]!.image = 'registry.example/{{ .Values.evil }}:1';
    const result = exceptions({ workloads: tricky, namespace: 'kube-system', baseline: { level: 'baseline' } });
    const [template] = helmTemplates(result, { releaseName: 'csi' });
    expect(template!.contents).not.toContain('{{ .Values.evil }}');
    const rendered = renderHelm(template!.contents, { release: 'csi', namespace: 'kube-system', enabled: true }) as { spec: { podSecurity: { images?: string[] }[] } }[];
    expect(rendered[0]!.spec.podSecurity.flatMap((p) => p.images ?? [])).toContain('registry.example/{{ .Values.evil }}:1');
  });
});

/** The few Go template actions helmTemplates writes, evaluated as Helm would, then YAML parsed. */
function renderHelm(text: string, values: { release: string; namespace: string; enabled: boolean }): unknown[] {
  const guard = /\{\{- if \.Values\.podSecurityExceptions\.enabled \}\}\n([\s\S]*)\{\{- end \}\}\n$/.exec(text);
  if (guard === null) throw new Error('template is not guarded by the values flag');
  if (!values.enabled) return [];
  const quote = (s: string) => JSON.stringify(s);
  // One Go template action, with quoted strings inside it skipped (`{{ "}}" }}` is one action).
  const action = /\{\{ ((?:"(?:[^"\\]|\\.)*"|[^"}])*?) \}\}/g;
  const body = guard[1]!.replace(action, (_whole, inner: string) => {
    let m: RegExpExecArray | null;
    if ((m = /^("(?:[^"\\]|\\.)*")$/.exec(inner))) return JSON.parse(m[1]!) as string;
    if (inner === '.Release.Namespace | quote') return quote(values.namespace);
    if ((m = /^printf "%s%s" \.Release\.Name ("(?:[^"\\]|\\.)*") \| trunc 63 \| quote$/.exec(inner))) return quote(`${values.release}${JSON.parse(m[1]!) as string}`.slice(0, 63));
    throw new Error(`unexpected template action {{ ${inner} }}`);
  });
  return parseAllDocuments(body).map((doc) => doc.toJS() as unknown).filter((doc) => doc !== null);
}
