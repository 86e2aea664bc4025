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
    // The report lists protections PSA cannot express (unsupported): printed, but only --strict fails on them.
    expect(result.code).toBe(0);
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
    const result = await runCli(['translate', 'examples/cluster', '--target', 'psa', '--kube-version', 'v1.30', '--strict']);
    expect(result.code).toBe(1);
    const [batch] = parseAllDocuments(result.stdout).map((d) => d.toJS() as { metadata: { labels: Record<string, string> } });
    expect(batch?.metadata.labels).toEqual(LABELS('privileged', 'baseline', 'v1.30'));
    const plain = await runCli(['translate', 'examples/cluster', '--target', 'psa', '--kube-version', '1.30', '--strict']);
    expect(plain.stdout).toBe(result.stdout);
  });

  it('prints kubectl label commands with --format kubectl', async () => {
    const result = await runCli(['translate', 'examples/cluster', '--target', 'psa', '--format', 'kubectl', '--kube-version', '1.29']);
    expect(result.code).toBe(0);
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

  it('says so when the inputs name no namespace, instead of printing nothing', async () => {
    const psp = `apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: restricted}
spec: {seLinux: {rule: RunAsAny}, runAsUser: {rule: MustRunAsNonRoot}, supplementalGroups: {rule: RunAsAny}, fsGroup: {rule: RunAsAny}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: psp-restricted}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: system:serviceaccounts}]
`;
    for (const format of ['yaml', 'kubectl']) {
      const result = await runCli(['translate', '-', '--target', 'psa', '--format', format], { stdin: psp });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^psa: note: \(all policies\): no namespace found in the inputs: Pod Security Admission labels are set per namespace, so there is nothing to label; pass /m);
    }
    // With a namespace there is something to label, and no such note.
    const labelled = await runCli(['translate', '-', '--target', 'psa'], { stdin: `${psp}---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n` });
    expect(labelled.stdout).toMatch(/kind: Namespace/);
    expect(labelled.stderr).not.toMatch(/no namespace found/);
  });

  it.each(['2.0', 'v1', '1.30.1', 'latest', 'v1.030', ''])('refuses --kube-version %j with exit 2', async (version) => {
    const result = await runCli(['translate', 'examples/cluster', '--target', 'psa', '--kube-version', version]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/--kube-version/);
  });
});
