import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { exampleCluster, repoRoot, runCli, temporaryDirectory } from './helpers.js';

const nodeExporter = path.join(repoRoot, 'packages/report/test/charts/prometheus-node-exporter/workloads.yaml');
const ingress = path.join(repoRoot, 'packages/report/test/charts/ingress-nginx/workloads.yaml');

describe('psp-translate exceptions', () => {
  it('prints the Kyverno PolicyException and the namespace label the node exporter needs at baseline', async () => {
    const result = await runCli(['exceptions', '--workloads', nodeExporter, '--namespace', 'monitoring', '--baseline', 'baseline', '--target', 'kyverno,psa']);
    expect(result.code).toBe(1); // the namespace label is wider than the chart needs: approximate
    const docs = parseAllDocuments(result.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: { podSecurity: { controlName: string; values?: string[] }[] } });
    expect(docs.map((d) => d.kind)).toEqual(['PolicyException', 'Namespace']);
    expect(docs[0]!.metadata).toMatchObject({ name: 'prometheus-prometheus-node-exporter-pod-security', namespace: 'monitoring' });
    expect(docs[0]!.spec!.podSecurity.find((p) => p.controlName === 'HostPath Volumes')!.values).toEqual(['/', '/proc', '/sys']);
    expect(docs[1]!.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'privileged' });
    expect(result.stderr).toContain('DaemonSet/prometheus-prometheus-node-exporter needs: host namespaces');
  });

  it('prints Gatekeeper scoped constraints and VAP bindings with --target gatekeeper,vap, and the exclusions the cluster needs', async () => {
    const result = await runCli(['exceptions', '--workloads', nodeExporter, '--namespace', 'monitoring', '--baseline', 'baseline', '--target', 'gatekeeper,vap']);
    expect(result.code).toBe(1); // host path prefixes and per-pod parameters are approximate
    const docs = parseAllDocuments(result.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec: { match?: { namespaces?: string[] } } });
    const scoped = docs.filter((d) => d.metadata.name === 'prometheus-pod-security-exception');
    expect(scoped.map((d) => d.kind)).toEqual(expect.arrayContaining(['K8sPspHostNamespaces', 'K8sPspHostPorts', 'K8sPspVolumes', 'K8sPspHostPaths', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']));
    expect(scoped.find((d) => d.kind === 'K8sPspHostPorts')!.spec.match!.namespaces).toEqual(['monitoring']);
    expect(result.stderr).toContain('gatekeeper: note: K8sPspHostNamespaces/pod-security-baseline');
    expect(result.stderr).not.toContain('unsupported');
  });

  it('writes Helm templates into the chart directory with --helm --out-dir', async () => {
    const { dir, remove } = await temporaryDirectory();
    try {
      const result = await runCli(['exceptions', '-w', ingress, '-n', 'ingress-nginx', '--helm', '--release-name', 'ingress-nginx', '--out-dir', dir, '--target', 'kyverno']);
      expect(result.code).toBe(0);
      const template = await readFile(path.join(dir, 'templates/pod-security-exceptions.yaml'), 'utf8');
      expect(template).toContain('{{- if .Values.podSecurityExceptions.enabled }}');
      expect(template).toContain('name: {{ printf "%s%s" .Release.Name "-controller-pod-security" | trunc 63 | quote }}');
      expect(template).toContain('namespace: {{ .Release.Namespace | quote }}');
      expect(await readFile(path.join(dir, 'values-pod-security-exceptions.yaml'), 'utf8')).toContain('enabled: false');
    } finally {
      await remove();
    }
  });

  it('takes the cluster PSPs as the baseline', async () => {
    const result = await runCli(['exceptions', '-w', nodeExporter, '-n', 'monitoring', '--baseline', exampleCluster, '--format', 'json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('psa: approximate: the baseline PSPs are taken as the Pod Security level');
    expect(JSON.parse(result.stdout)).toMatchObject({ kind: 'List' });
  });

  it('exits 2 without workloads, on --out-dir without --helm, and on bad baseline input', async () => {
    expect((await runCli(['exceptions', '--baseline', 'restricted'])).code).toBe(2);
    const outDir = await runCli(['exceptions', '-w', ingress, '--out-dir', 'x']);
    expect(outDir.code).toBe(2);
    expect(outDir.stderr).toContain('add --helm');
    const noPsp = await runCli(['exceptions', '-w', ingress, '--baseline', path.join(exampleCluster, 'workloads')]);
    expect(noPsp.code).toBe(2);
  });
});
