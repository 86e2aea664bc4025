import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyFixture } from '@psp-translate/core/testing';
import { assessPolicy, PSP_MAPPING, type Level } from '@psp-translate/psa';
import { CORPUS, corpusPolicy, corpusPresent } from './support.js';

/**
 * Every corpus PSP: [file, strict level (enforce), mapped level (warn/audit), number of gaps].
 * Reviewed by hand: charts' and distributions' "restricted" PSPs map to restricted, PSPs of
 * ordinary apps to baseline, anything with hostPath, host namespaces, privileged containers or
 * extra capabilities to privileged. No real PSP is strictly safe beyond privileged (seLinux
 * RunAsAny, runAsNonRoot, probe hosts), hence the first column.
 */
const CORPUS_LEVELS: readonly (readonly [string, Level, Level, number])[] = [
  ['aws-calico-calico-node', 'privileged', 'privileged', 0],
  ['aws-calico-calico-typha', 'privileged', 'privileged', 0],
  ['cert-manager-cert-manager-startupapicheck', 'privileged', 'baseline', 2],
  ['cert-manager-cert-manager-webhook', 'privileged', 'baseline', 2],
  ['cert-manager-cert-manager', 'privileged', 'baseline', 2],
  ['datadog-datadog', 'privileged', 'privileged', 0],
  ['falco-falco', 'privileged', 'privileged', 0],
  ['flannel-psp.flannel.unprivileged', 'privileged', 'privileged', 0],
  ['fluent-bit-fluent-bit', 'privileged', 'privileged', 0],
  ['fluentd-fluentd', 'privileged', 'privileged', 0],
  ['gatekeeper-gatekeeper-admin', 'privileged', 'baseline', 4],
  ['grafana-enterprise-metrics', 'privileged', 'baseline', 3],
  ['grafana-grafana', 'privileged', 'baseline', 3],
  ['helm-stable-filebeat-filebeat', 'privileged', 'privileged', 0],
  ['helm-stable-metricbeat-metricbeat', 'privileged', 'baseline', 3],
  ['ingress-nginx-admission', 'privileged', 'baseline', 4],
  ['ingress-nginx-controller', 'privileged', 'baseline', 4],
  ['ingress-nginx-ingress-nginx', 'privileged', 'baseline', 3],
  ['kube-prometheus-stack-kube-prometheus-stack-alertmanager', 'privileged', 'baseline', 3],
  ['kube-prometheus-stack-kube-prometheus-stack-operator', 'privileged', 'baseline', 3],
  ['kube-prometheus-stack-kube-prometheus-stack-prometheus', 'privileged', 'baseline', 3],
  ['kube-state-metrics-kube-state-metrics', 'privileged', 'baseline', 3],
  ['kubernetes-docs-baseline', 'privileged', 'baseline', 4],
  ['kubernetes-docs-example', 'privileged', 'privileged', 0],
  ['kubernetes-docs-privileged', 'privileged', 'privileged', 0],
  ['kubernetes-docs-restricted', 'privileged', 'restricted', 8],
  ['kubernetes-gce.event-exporter', 'privileged', 'privileged', 0],
  ['kubernetes-gce.fluentd-gcp', 'privileged', 'privileged', 0],
  ['kubernetes-gce.persistent-volume-binder', 'privileged', 'baseline', 4],
  ['kubernetes-gce.privileged', 'privileged', 'privileged', 0],
  ['kubernetes-gce.unprivileged-addon', 'privileged', 'baseline', 3],
  ['kubespray-privileged', 'privileged', 'privileged', 0],
  ['kubespray-restricted', 'privileged', 'restricted', 9],
  ['linkerd-linkerd-linkerd-cni-cni', 'privileged', 'privileged', 0],
  ['linkerd-linkerd-linkerd-control-plane', 'privileged', 'privileged', 0],
  ['longhorn-longhorn-psp', 'privileged', 'privileged', 0],
  ['metallb-controller', 'privileged', 'baseline', 3],
  ['metallb-speaker', 'privileged', 'privileged', 0],
  ['nfs-subdir-external-provisioner-nfs-subdir-external-provisioner', 'privileged', 'baseline', 3],
  ['prometheus-node-exporter-prometheus-node-exporter', 'privileged', 'privileged', 0],
  ['promtail-promtail', 'privileged', 'privileged', 0],
  ['rke2-global-restricted-psp', 'privileged', 'restricted', 9],
  ['rke2-system-unrestricted-psp', 'privileged', 'privileged', 0],
  ['rook-00-rook-privileged', 'privileged', 'privileged', 0],
  ['rook-rook-nfs-policy', 'privileged', 'privileged', 0],
  ['secrets-store-csi-driver-secrets-store-csi-driver-psp', 'privileged', 'privileged', 0],
  ['vault-vault-agent-injector', 'privileged', 'baseline', 2],
  ['vault-vault', 'privileged', 'baseline', 2],
];

describe.skipIf(!corpusPresent)('corpus PSPs: strict and mapped levels', () => {
  it('every corpus PSP assesses to the reviewed strict and mapped levels', () => {
    const files = readdirSync(join(CORPUS, 'psp')).filter((f) => f.endsWith('.yaml')).sort();
    const actual = files.map((file) => {
      const a = assessPolicy(corpusPolicy(file), { kubeVersion: '1.37' });
      return [file.replace(/\.yaml$/, ''), a.level, a.mappedLevel, a.gaps.length] as const;
    });
    console.log(
      `PSP strict (enforce) / mapped (warn, audit) levels, v1.37, ${actual.length} corpus PSPs:\n${actual
        .map(([name, level, mappedLevel, gaps]) => `  ${name.padEnd(64)} ${level.padEnd(11)} ${mappedLevel.padEnd(11)} ${gaps} gap${gaps === 1 ? '' : 's'}`)
        .join('\n')}`,
    );
    expect(actual).toEqual(CORPUS_LEVELS);
    expect(actual).toHaveLength(48);
  });

  it('a PSP mapped to privileged has no gaps; one mapped stricter than its strict level has at least one', () => {
    for (const [file] of CORPUS_LEVELS) {
      const a = assessPolicy(corpusPolicy(`${file}.yaml`));
      if (a.mappedLevel === a.level) expect(a.gaps, file).toEqual([]);
      else expect(a.gaps.length, file).toBeGreaterThan(0);
    }
  });
});

describe('the mapping table', () => {
  it('has one row per field of the Kubernetes doc, in its order', () => {
    expect(PSP_MAPPING.map((row) => row.field)).toEqual([
      'spec.privileged',
      'spec.defaultAddCapabilities',
      'spec.allowedCapabilities',
      'spec.requiredDropCapabilities',
      'spec.volumes',
      'spec.hostNetwork',
      'spec.hostPorts',
      'spec.hostPID',
      'spec.hostIPC',
      'spec.seLinux',
      'spec.runAsUser',
      'spec.runAsGroup',
      'spec.supplementalGroups',
      'spec.fsGroup',
      'spec.readOnlyRootFilesystem',
      'spec.defaultAllowPrivilegeEscalation',
      'spec.allowPrivilegeEscalation',
      'spec.allowedHostPaths',
      'spec.allowedFlexVolumes',
      'spec.allowedCSIDrivers',
      'spec.allowedUnsafeSysctls',
      'spec.forbiddenSysctls',
      'spec.allowedProcMountTypes',
      'spec.runtimeClass.defaultRuntimeClassName',
      'spec.runtimeClass.allowedRuntimeClassNames',
      'metadata.annotations["seccomp.security.alpha.kubernetes.io/defaultProfileName"]',
      'metadata.annotations["seccomp.security.alpha.kubernetes.io/allowedProfileNames"]',
      'metadata.annotations["apparmor.security.beta.kubernetes.io/defaultProfileName"]',
      'metadata.annotations["apparmor.security.beta.kubernetes.io/allowedProfileNames"]',
    ]);
    // The purely mutating fields the migration guide says to eliminate first have no opinion.
    const mutating = PSP_MAPPING.filter((row) => row.type === 'Mutating');
    expect(mutating.map((row) => [row.baseline, row.restricted])).toEqual(Array(mutating.length).fill(['no opinion', 'no opinion']));
  });

  type Controls = NonNullable<Parameters<typeof policyFixture>[0]>['controls'];
  /** Where one field lands for a PSP that is otherwise restricted-shaped. */
  const fieldLevel = (field: string, controls: Controls) => {
    const a = assessPolicy(
      policyFixture({
        controls: {
          privileged: { validate: { allowPrivileged: false } },
          hostNamespaces: { validate: { allowHostNetwork: false, allowHostPID: false, allowHostIPC: false } },
          hostPorts: { validate: { ranges: [] } },
          procMount: { validate: { allowed: [] } },
          sysctls: { validate: { forbidden: [], allowedUnsafe: [] } },
          capabilities: { validate: { allowAny: false, allowed: [], requiredDrop: ['ALL'] }, defaults: { add: [], drop: ['ALL'] } },
          runAsUser: { validate: { rule: 'MustRunAsNonRoot', ranges: [] }, defaults: { runAsNonRoot: true } },
          privilegeEscalation: { validate: { allowPrivilegeEscalation: false }, defaults: { allowPrivilegeEscalation: false } },
          volumes: { validate: { anyType: false, allowedTypes: ['secret'] } },
          seLinux: { validate: { rule: 'MustRunAs', options: {} }, defaults: { seLinuxOptions: {} } },
          seccomp: { validate: { allowed: ['runtime/default'] }, defaults: { profile: 'runtime/default' } },
          appArmor: { validate: { allowed: ['runtime/default'] }, defaults: { profile: 'runtime/default' } },
          ...controls,
        },
      }),
    );
    const row = a.mappedFields.find((f) => f.field === field);
    return { mapped: a.mappedLevel, field: row ? `${row.level}${row.tableLevel === row.level ? '' : ` (table: ${row.tableLevel})`}` : 'restricted' };
  };

  it('starts from a PSP that maps to restricted', () => {
    expect(fieldLevel('spec.privileged', {})).toEqual({ mapped: 'restricted', field: 'restricted' });
  });

  it.each([
    ['allowedCapabilities [NET_BIND_SERVICE]', 'spec.allowedCapabilities', { capabilities: { validate: { allowAny: false, allowed: ['NET_BIND_SERVICE'], requiredDrop: ['ALL'] }, defaults: null } }, 'restricted'],
    ['allowedCapabilities [CHOWN]', 'spec.allowedCapabilities', { capabilities: { validate: { allowAny: false, allowed: ['CHOWN'], requiredDrop: ['ALL'] }, defaults: null } }, 'baseline'],
    ['allowedCapabilities [NET_RAW]', 'spec.allowedCapabilities', { capabilities: { validate: { allowAny: false, allowed: ['NET_RAW'], requiredDrop: ['ALL'] }, defaults: null } }, 'baseline (table: privileged)'],
    ['allowedCapabilities [SYS_ADMIN]', 'spec.allowedCapabilities', { capabilities: { validate: { allowAny: false, allowed: ['SYS_ADMIN'], requiredDrop: ['ALL'] }, defaults: null } }, 'privileged'],
    ['defaultAddCapabilities [SYS_TIME]', 'spec.defaultAddCapabilities', { capabilities: { validate: { allowAny: false, allowed: [], requiredDrop: [] }, defaults: { add: ['SYS_TIME'], drop: [] } } }, 'privileged'],
    ['requiredDropCapabilities [NET_RAW]', 'spec.requiredDropCapabilities', { capabilities: { validate: { allowAny: false, allowed: [], requiredDrop: ['NET_RAW'] }, defaults: { add: [], drop: ['NET_RAW'] } } }, 'baseline'],
    ['volumes [nfs]', 'spec.volumes', { volumes: { validate: { anyType: false, allowedTypes: ['nfs'] } } }, 'baseline'],
    ['volumes [hostPath]', 'spec.volumes', { volumes: { validate: { anyType: false, allowedTypes: ['hostPath'] } } }, 'privileged'],
    ['hostPorts 0-0', 'spec.hostPorts', { hostPorts: { validate: { ranges: [{ min: 0, max: 0 }] } } }, 'restricted'],
    ['hostPorts 80', 'spec.hostPorts', { hostPorts: { validate: { ranges: [{ min: 80, max: 80 }] } } }, 'privileged'],
    ['seLinux RunAsAny', 'spec.seLinux', { seLinux: { validate: { rule: 'RunAsAny', options: null }, defaults: null } }, 'restricted (table: privileged)'],
    ['seLinux type spc_t', 'spec.seLinux', { seLinux: { validate: { rule: 'MustRunAs', options: { type: 'spc_t' } }, defaults: { seLinuxOptions: { type: 'spc_t' } } } }, 'privileged'],
    ['runAsUser MustRunAs 1000', 'spec.runAsUser', { runAsUser: { validate: { rule: 'MustRunAs', ranges: [{ min: 1000, max: 1000 }] }, defaults: { runAsUser: 1000 } } }, 'baseline'],
    ['allowPrivilegeEscalation true', 'spec.allowPrivilegeEscalation', { privilegeEscalation: { validate: { allowPrivilegeEscalation: true }, defaults: null } }, 'baseline'],
    ['allowedUnsafeSysctls [kernel.msg*]', 'spec.allowedUnsafeSysctls', { sysctls: { validate: { forbidden: [], allowedUnsafe: ['kernel.msg*'] } } }, 'privileged'],
    ['allowedUnsafeSysctls [net.ipv4.ping_group_range]', 'spec.allowedUnsafeSysctls', { sysctls: { validate: { forbidden: [], allowedUnsafe: ['net.ipv4.ping_group_range'] } } }, 'restricted (table: privileged)'],
    ['allowedProcMountTypes [Unmasked]', 'spec.allowedProcMountTypes', { procMount: { validate: { allowed: ['Default', 'Unmasked'] } } }, 'privileged'],
    ['seccomp "runtime/default,"', 'metadata.annotations["seccomp.security.alpha.kubernetes.io/allowedProfileNames"]', { seccomp: { validate: { allowed: ['runtime/default', ''] }, defaults: null } }, 'baseline'],
    ['seccomp absent', 'metadata.annotations["seccomp.security.alpha.kubernetes.io/allowedProfileNames"]', { seccomp: { validate: { allowed: null }, defaults: null } }, 'baseline'],
    ['seccomp "*"', 'metadata.annotations["seccomp.security.alpha.kubernetes.io/allowedProfileNames"]', { seccomp: { validate: { allowed: ['*'] }, defaults: null } }, 'baseline (table: privileged)'],
    ['AppArmor absent', 'metadata.annotations["apparmor.security.beta.kubernetes.io/allowedProfileNames"]', { appArmor: { validate: { allowed: null }, defaults: null } }, 'restricted (table: privileged)'],
    ['AppArmor "runtime/default,unconfined"', 'metadata.annotations["apparmor.security.beta.kubernetes.io/allowedProfileNames"]', { appArmor: { validate: { allowed: ['runtime/default', 'unconfined'] }, defaults: null } }, 'privileged'],
  ] as const)('%s maps to %s', (_name, field, controls, expected) => {
    const { mapped, field: level } = fieldLevel(field, controls as Controls);
    expect(level).toBe(expected);
    expect(mapped).toBe(expected.split(' ')[0]);
  });
});
