import { describe, expect, it } from 'vitest';
import { parseInputs, type InputSet } from '@psp-translate/core';
import { namespacesOf, psaTarget, translatePsa, type NamespaceDecisionReport } from '@psp-translate/psa';
import type { TargetModule } from '../../cli/src/targets.js';
import { TIGHT_BASELINE } from './support.js';

const PRIVILEGED = `
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: { name: privileged }
spec:
  privileged: true
  hostNetwork: true
  volumes: ['*']
  runAsUser: { rule: RunAsAny }
  seLinux: { rule: RunAsAny }
  supplementalGroups: { rule: RunAsAny }
  fsGroup: { rule: RunAsAny }
`;

/** A sysctl that is safe only from v1.29 on top of the tight baseline PSP. */
const KEEPALIVE = TIGHT_BASELINE.replace('name: tight-baseline', 'name: keepalive').replace('spec:\n', "spec:\n  allowedUnsafeSysctls: ['net.ipv4.tcp_keepalive_time']\n");

function grant(policy: string, binding: 'ClusterRoleBinding' | 'RoleBinding', subjects: string, namespace?: string): string {
  return `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: use-${policy} }
rules: [{ apiGroups: [policy], resources: [podsecuritypolicies], resourceNames: [${policy}], verbs: [use] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${binding}
metadata: { name: use-${policy}${namespace ? `, namespace: ${namespace}` : ''} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: use-${policy} }
subjects: ${subjects}
`;
}

function input(...docs: string[]): InputSet {
  return parseInputs([{ path: 'cluster.yaml', text: docs.join('\n---\n') }]);
}

const byNamespace = (namespaces: readonly NamespaceDecisionReport[]) => Object.fromEntries(namespaces.map((n) => [n.namespace, n]));

describe('translatePsa', () => {
  const cluster = input(
    TIGHT_BASELINE,
    PRIVILEGED,
    'apiVersion: v1\nkind: Namespace\nmetadata: { name: apps }',
    'apiVersion: v1\nkind: Namespace\nmetadata: { name: empty }',
    'apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: agent, namespace: monitoring }',
    // Every service account of apps and monitoring may use tight-baseline; only monitoring's agent may use privileged.
    grant('tight-baseline', 'ClusterRoleBinding', '[{ kind: Group, name: "system:serviceaccounts:apps" }, { kind: Group, name: "system:serviceaccounts:monitoring" }]'),
    grant('privileged', 'RoleBinding', '[{ kind: ServiceAccount, name: agent, namespace: monitoring }]', 'monitoring'),
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web, namespace: web }\nspec: { template: { spec: { containers: [{ name: app, image: nginx }] } } }',
  );

  it('finds namespaces in Namespaces, service accounts, bindings and workloads', () => {
    const found = namespacesOf(cluster);
    expect(Object.fromEntries([...found].map(([ns, where]) => [ns, [...where].sort()]))).toEqual({
      apps: ['ClusterRoleBinding/use-tight-baseline', 'Namespace'],
      empty: ['Namespace'],
      monitoring: ['ClusterRoleBinding/use-tight-baseline', 'RoleBinding/use-privileged', 'ServiceAccount/agent'],
      web: ['Deployment/web'],
    });
  });

  it('enforces the least strict level of the PSPs usable in each namespace, audit and warn one stricter when no PSP was meant for more', () => {
    const result = translatePsa(cluster);
    const ns = byNamespace(result.namespaces);
    expect(ns['apps']?.labels).toEqual({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/enforce-version': 'v1.33',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': 'v1.37',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': 'v1.37',
    });
    expect(ns['apps']?.drivenBy).toEqual(['tight-baseline']);
    expect(ns['apps']?.reasons[0]).toMatch(/^PSP tight-baseline keeps the namespace from restricted: hostProbesAndHostLifecycle: it cannot forbid probe/);
    expect(ns['apps']?.reasons).toContain(
      'PSP tight-baseline: baseline holds up to v1.33 only: from v1.34, hostProbesAndHostLifecycle (the PSP cannot forbid probe and lifecycle handler hosts (httpGet.host, tcpSocket.host): PSP had no such control; baseline forbids them from v1.34).',
    );
    // monitoring's agent may use privileged: the namespace can only be privileged.
    expect(ns['monitoring']?.enforce).toEqual({ level: 'privileged', version: { major: 1, minor: 37 } });
    expect(ns['monitoring']?.audit?.level).toBe('baseline');
    expect(ns['monitoring']?.drivenBy).toEqual(['privileged']);
    expect(ns['monitoring']?.policies.map((p) => `${p.policy}=${p.level}`)).toEqual(['privileged=privileged', 'tight-baseline=baseline']);
  });

  it('sets audit and warn to the level the usable PSPs were meant for when it is stricter than enforce, listing the gaps', () => {
    // Restricted in intent (official mapping) but privileged when strict: seLinux RunAsAny, runAsNonRoot.
    const meant = TIGHT_BASELINE.replace('name: tight-baseline', 'name: meant-restricted')
      .replace('  allowedCapabilities: [CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE]\n', '  requiredDropCapabilities: [ALL]\n  allowPrivilegeEscalation: false\n')
      .replace("volumes: [configMap, emptyDir, projected, secret, downwardAPI, persistentVolumeClaim, nfs]", 'volumes: [configMap, secret]')
      .replace('runAsUser: { rule: RunAsAny }', 'runAsUser: { rule: MustRunAsNonRoot }')
      .replace("seLinux:\n    rule: MustRunAs\n    seLinuxOptions: { level: 's0:c123,c456' }", 'seLinux: { rule: RunAsAny }');
    const cluster = input(
      meant,
      PRIVILEGED,
      grant('meant-restricted', 'ClusterRoleBinding', '[{ kind: Group, name: "system:serviceaccounts:payments" }, { kind: Group, name: "system:serviceaccounts:ops" }]'),
      grant('privileged', 'RoleBinding', '[{ kind: Group, name: "system:serviceaccounts:ops" }]', 'ops'),
    );
    const result = translatePsa(cluster, { kubeVersion: '1.37' });
    expect(result.assessments.map((a) => `${a.policy}: ${a.level}/${a.mappedLevel}`)).toEqual(['meant-restricted: privileged/restricted', 'privileged: privileged/privileged']);
    const ns = byNamespace(result.namespaces);
    const payments = ns['payments'];
    expect([payments?.enforce?.level, payments?.audit?.level, payments?.warn?.level, payments?.mapped]).toEqual(['privileged', 'restricted', 'restricted', 'restricted']);
    expect(payments?.policies).toEqual([{ policy: 'meant-restricted', level: 'privileged', version: { major: 1, minor: 37 }, mappedLevel: 'restricted' }]);
    expect(payments?.reasons).toContain(
      'audit and warn at restricted: the level the usable PodSecurityPolicies were meant for (official PSP-to-PSS mapping: meant-restricted → restricted); they report the pods that enforce admits and restricted rejects.',
    );
    expect(payments?.gaps.map((g) => g.message)).toContain(
      'pods that set runAsUser without runAsNonRoot: true (PSP MustRunAsNonRoot only defaulted runAsNonRoot when neither was set) will be rejected by restricted',
    );
    expect(payments?.gaps.every((g) => g.policy === 'meant-restricted')).toBe(true);
    // ops may also use privileged, meant as privileged: one level stricter than enforce, no gaps listed.
    const ops = ns['ops'];
    expect([ops?.enforce?.level, ops?.audit?.level, ops?.mapped, ops?.gaps]).toEqual(['privileged', 'baseline', 'privileged', []]);
    expect(ops?.reasons).toContain(
      'audit and warn one level stricter (baseline), to show what blocks tightening: the usable PodSecurityPolicies were meant for no stricter level than enforce (official PSP-to-PSS mapping: meant-restricted → restricted, privileged → privileged).',
    );
    // --action warn: audit carries the intended level, warn the safe one.
    const warn = byNamespace(translatePsa(cluster, { kubeVersion: '1.37', mode: 'warn' }).namespaces)['payments'];
    expect([warn?.audit?.level, warn?.warn?.level, warn?.enforce]).toEqual(['restricted', 'privileged', undefined]);
  });

  it('enforces restricted where no PSP was usable, and says so', () => {
    const ns = byNamespace(translatePsa(cluster).namespaces);
    for (const name of ['empty', 'web']) {
      expect(ns[name]?.noPolicy).toBe(true);
      expect(ns[name]?.enforce?.level).toBe('restricted');
      expect(ns[name]?.audit?.level).toBe('restricted');
      expect(ns[name]?.reasons).toEqual(['No PodSecurityPolicy was usable here, so PSP admission rejected every pod; restricted is the closest level.']);
    }
  });

  it('applies cluster-wide grants to every namespace listed', () => {
    const wide = input(TIGHT_BASELINE, 'apiVersion: v1\nkind: Namespace\nmetadata: { name: a }', 'apiVersion: v1\nkind: Namespace\nmetadata: { name: b }', grant('tight-baseline', 'ClusterRoleBinding', '[{ kind: Group, name: "system:authenticated" }]'));
    const ns = translatePsa(wide, { kubeVersion: '1.30' }).namespaces;
    expect(ns.map((n) => `${n.namespace}=${n.enforce?.level}:v1.${n.enforce?.version.minor}`)).toEqual(['a=baseline:v1.30', 'b=baseline:v1.30']);
  });

  it('pins the version where every usable PSP holds', () => {
    const both = input(
      TIGHT_BASELINE,
      KEEPALIVE,
      'apiVersion: v1\nkind: Namespace\nmetadata: { name: a }',
      grant('tight-baseline', 'ClusterRoleBinding', '[{ kind: Group, name: "system:serviceaccounts" }]'),
      grant('keepalive', 'ClusterRoleBinding', '[{ kind: Group, name: "system:serviceaccounts:a" }]'),
    );
    const [a] = translatePsa(both).namespaces;
    expect(a?.enforce).toEqual({ level: 'baseline', version: { major: 1, minor: 33 } });
    expect(a?.reasons).toContain(
      'PSP keepalive: baseline holds from v1.29 only: at v1.28, sysctls (the PSP allows sysctls outside the safe set of v1.28: net.ipv4.tcp_keepalive_time (spec.allowedUnsafeSysctls)).',
    );
    expect(translatePsa(both, { kubeVersion: '1.28' }).namespaces[0]?.enforce?.level).toBe('privileged');
  });

  it('writes Namespace manifests with only the labels, or kubectl label commands', () => {
    const manifests = translatePsa(cluster, { kubeVersion: 'v1.30.2' });
    expect(manifests.commands).toEqual([]);
    expect(manifests.objects.map((o) => o.metadata.name)).toEqual(['apps', 'empty', 'monitoring', 'web']);
    expect(manifests.objects[0]).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'apps',
        labels: {
          'pod-security.kubernetes.io/enforce': 'baseline',
          'pod-security.kubernetes.io/enforce-version': 'v1.30',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/audit-version': 'v1.30',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/warn-version': 'v1.30',
        },
      },
    });
    const kubectl = translatePsa(cluster, { kubeVersion: '1.30', format: 'kubectl' });
    expect(kubectl.objects).toEqual([]);
    expect(kubectl.commands[0]).toBe(
      'kubectl label namespace apps pod-security.kubernetes.io/enforce=baseline pod-security.kubernetes.io/enforce-version=v1.30 pod-security.kubernetes.io/audit=restricted pod-security.kubernetes.io/audit-version=v1.30 pod-security.kubernetes.io/warn=restricted pod-security.kubernetes.io/warn-version=v1.30 --overwrite',
    );
  });

  it('puts the safe level in the mode --action asks for', () => {
    const warn = byNamespace(translatePsa(cluster, { kubeVersion: '1.30', mode: 'warn' }).namespaces)['apps'];
    expect(warn?.labels).toEqual({
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': 'v1.30',
      'pod-security.kubernetes.io/warn': 'baseline',
      'pod-security.kubernetes.io/warn-version': 'v1.30',
    });
    const audit = byNamespace(translatePsa(cluster, { kubeVersion: '1.30', mode: 'audit' }).namespaces)['apps'];
    expect(audit?.labels).toEqual({ 'pod-security.kubernetes.io/audit': 'baseline', 'pod-security.kubernetes.io/audit-version': 'v1.30' });
  });

  it('reports each lost protection and default once per PSP, naming the namespaces', () => {
    const report = translatePsa(cluster, { kubeVersion: '1.30' }).report;
    const tight = (suffix: string) => report.filter((r) => r.policy === 'tight-baseline' && r.fidelity !== 'exact' && r.message.endsWith(suffix)).map((r) => `${r.fidelity} ${r.control}`);
    // Lost defaults do not depend on the level; lost protections are relative to each namespace's level.
    expect(tight('(namespaces apps, monitoring)')).toEqual(['approximate seLinux', 'approximate seccomp', 'approximate appArmor']);
    expect(tight('(namespace apps)')).toEqual(['unsupported volumes', 'unsupported seLinux', 'unsupported sysctls', 'unsupported seccomp', 'unsupported appArmor']);
    expect(tight('(namespace monitoring)')).toEqual([
      'unsupported privileged',
      'unsupported hostNamespaces',
      'unsupported hostPorts',
      'unsupported volumes',
      'unsupported capabilities',
      'unsupported seLinux',
      'unsupported procMount',
      'unsupported sysctls',
      'unsupported seccomp',
      'unsupported appArmor',
    ]);
    const first = report.find((r) => r.policy === 'tight-baseline');
    expect(first?.source).toEqual({ file: 'cluster.yaml', line: 2, column: 1 });
    expect(report.filter((r) => r.policy === null).map((r) => r.message.split('.')[0])).toEqual([
      'namespace apps: enforce baseline:v1',
      'namespace empty: enforce restricted:v1',
      'namespace monitoring: enforce privileged:v1',
      'namespace web: enforce restricted:v1',
    ]);
  });

  it('warns about PSPs granted to people, whose own pods the levels do not cover', () => {
    const people = input(PRIVILEGED, 'apiVersion: v1\nkind: Namespace\nmetadata: { name: a }', grant('privileged', 'ClusterRoleBinding', '[{ kind: User, name: alice }]'));
    const result = translatePsa(people);
    expect(result.namespaces[0]?.enforce?.level).toBe('restricted');
    expect(result.report.find((r) => r.policy === 'privileged')?.message).toBe(
      'granted to User alice: pods they create themselves (not through a controller) could use it; the namespace levels above do not account for them',
    );
  });

  it('is a TargetModule for the CLI registry', async () => {
    const target: TargetModule = psaTarget;
    const result = await target.translate(cluster, {
      actions: { action: 'deny', gatekeeper: 'deny', kyverno: 'Enforce', vap: ['Deny'], psa: 'enforce', notes: {} },
    });
    expect(result.objects.map((o) => o.metadata.name)).toEqual(['apps', 'empty', 'monitoring', 'web']);
    expect(psaTarget.translate(cluster, { actions: { psa: 'warn' }, kubeVersion: '1.30' }).report[0]?.message).toBe(
      '--action warn: the safe level is set as pod-security.kubernetes.io/warn, nothing is enforced',
    );
  });

  it('refuses a Kubernetes version it cannot read', () => {
    expect(() => translatePsa(cluster, { kubeVersion: 'one.thirty' })).toThrow('invalid Kubernetes version "one.thirty"');
  });
});
