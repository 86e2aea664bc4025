/** `psp-translate translate --target psa`: Namespace labels, kubectl commands, --kube-version. */
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runCli } from './helpers.js';

const LABELS = (level: string, audit: string, version: string) => ({
  'pod-security.kubernetes.io/enforce': level,
  'pod-security.kubernetes.io/enforce-version': version,
  'pod-security.kubernetes.io/audit': audit,
  'pod-security.kubernetes.io/audit-version': version,
  'pod-security.kubernetes.io/warn': audit,
  'pod-security.kubernetes.io/warn-version': version,
});

describe('psp-translate translate --target psa', () => {
  it('writes a Namespace per namespace of the example cluster, carrying only the Pod Security labels', async () => {
    const result = await runCli(['translate', 'examples/cluster', '--target', 'psa']);
    // The report lists protections PSA cannot express (unsupported): findings, exit 1.
    expect(result.code).toBe(1);
    const objects = parseAllDocuments(result.stdout).map((d) => d.toJS() as { apiVersion: string; kind: string; metadata: { name: string; labels: Record<string, string> } });
    expect(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`)).toEqual(['v1 Namespace batch', 'v1 Namespace kube-system', 'v1 Namespace shop']);
    for (const o of objects) {
      expect(Object.keys(o.metadata)).toEqual(['name', 'labels']);
      expect(o.metadata.labels).toEqual(LABELS('privileged', 'baseline', 'v1.37'));
    }
    expect(result.stderr).toMatch(/^psa: note: \(all policies\): namespace shop: enforce privileged:v1\.37, audit baseline:v1\.37, warn baseline:v1\.37\. /m);
    expect(result.stderr).toMatch(/^psa: unsupported: restricted\/privileged: no privileged containers/m);
  });

  it('pins the labels to --kube-version', async () => {
    const result = await runCli(['translate', 'examples/cluster', '--target', 'psa', '--kube-version', 'v1.30']);
    expect(result.code).toBe(1);
    const [batch] = parseAllDocuments(result.stdout).map((d) => d.toJS() as { metadata: { labels: Record<string, string> } });
    expect(batch?.metadata.labels).toEqual(LABELS('privileged', 'baseline', 'v1.30'));
    const plain = await runCli(['translate', 'examples/cluster', '--target', 'psa', '--kube-version', '1.30']);
    expect(plain.stdout).toBe(result.stdout);
  });

  it('prints kubectl label commands with --format kubectl', async () => {
    const result = await runCli(['translate', 'examples/cluster', '--target', 'psa', '--format', 'kubectl', '--kube-version', '1.29']);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')).toEqual([
      ...['batch', 'kube-system', 'shop'].map(
        (ns) =>
          `kubectl label namespace ${ns} pod-security.kubernetes.io/enforce=privileged pod-security.kubernetes.io/enforce-version=v1.29 pod-security.kubernetes.io/audit=baseline pod-security.kubernetes.io/audit-version=v1.29 pod-security.kubernetes.io/warn=baseline pod-security.kubernetes.io/warn-version=v1.29 --overwrite`,
      ),
      '',
    ]);
  });

  it('refuses --format kubectl unless psa is the only target', async () => {
    for (const target of ['all', 'psa,gatekeeper']) {
      const result = await runCli(['translate', 'examples/cluster', '--target', target, '--format', 'kubectl']);
      expect(result.code, target).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/--format kubectl .*--target psa/);
    }
    const toDir = await runCli(['translate', 'examples/cluster', '--target', 'psa', '--format', 'kubectl', '--out-dir', 'never-written']);
    expect(toDir.code).toBe(2);
    expect(toDir.stderr).toMatch(/redirect them to a file instead of --out-dir/);
  });

  it.each(['2.0', 'v1', '1.30.1', 'latest', 'v1.030', ''])('refuses --kube-version %j with exit 2', async (version) => {
    const result = await runCli(['translate', 'examples/cluster', '--target', 'psa', '--kube-version', version]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/--kube-version/);
  });
});
