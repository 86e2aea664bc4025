/** PSPs for tests, parsed through core's own schema and policyToIR, and simple scope groups. */
import { PodSecurityPolicySchema, policyToIR, type PolicyIR } from '@psp-translate/core';
import type { ScopeGroupLike } from '../../src/index.js';

/** A PSP with the mandatory strategies permissive unless overridden. */
export function psp(name: string, spec: Record<string, unknown>, annotations: Record<string, string> = {}): PolicyIR {
  const parsed = PodSecurityPolicySchema.parse({
    apiVersion: 'policy/v1beta1',
    kind: 'PodSecurityPolicy',
    metadata: { name, annotations },
    spec: { seLinux: { rule: 'RunAsAny' }, runAsUser: { rule: 'RunAsAny' }, supplementalGroups: { rule: 'RunAsAny' }, fsGroup: { rule: 'RunAsAny' }, ...spec },
  });
  return policyToIR(parsed, { file: `${name}.yaml`, line: 1, column: 1 });
}

/** Every pod may use these PSPs (one scope group covering everything). */
export function everyone(...policies: readonly PolicyIR[]): ScopeGroupLike[] {
  return [{ namespace: { op: 'NotIn', values: [] }, serviceAccount: { op: 'NotIn', values: [] }, requester: { op: 'NotIn', values: [] }, candidates: policies.map((p) => p.name).sort() }];
}

/** Namespaces with their own candidates, and the candidates of every other namespace. */
export function byNamespace(named: Readonly<Record<string, readonly string[]>>, others: readonly string[]): ScopeGroupLike[] {
  const names = Object.keys(named).sort();
  const any = { op: 'NotIn' as const, values: [] };
  return [
    ...names.map((ns) => ({ namespace: { op: 'In' as const, values: [ns] }, serviceAccount: any, requester: any, candidates: [...named[ns]!].sort() })),
    { namespace: { op: 'NotIn' as const, values: names }, serviceAccount: any, requester: any, candidates: [...others].sort() },
  ];
}

/** The Kubernetes docs' privileged, baseline and restricted PSPs (content/en/examples/policy). */
export const privilegedPsp = () =>
  psp('privileged', {
    privileged: true,
    allowPrivilegeEscalation: true,
    allowedCapabilities: ['*'],
    volumes: ['*'],
    hostNetwork: true,
    hostPorts: [{ min: 0, max: 65535 }],
    hostIPC: true,
    hostPID: true,
    runAsUser: { rule: 'RunAsAny' },
    seLinux: { rule: 'RunAsAny' },
    supplementalGroups: { rule: 'RunAsAny' },
    fsGroup: { rule: 'RunAsAny' },
  }, { 'seccomp.security.alpha.kubernetes.io/allowedProfileNames': '*' });

export const restrictedPsp = () =>
  psp(
    'restricted',
    {
      privileged: false,
      allowPrivilegeEscalation: false,
      requiredDropCapabilities: ['ALL'],
      volumes: ['configMap', 'emptyDir', 'projected', 'secret', 'downwardAPI', 'csi', 'persistentVolumeClaim', 'ephemeral'],
      hostNetwork: false,
      hostIPC: false,
      hostPID: false,
      runAsUser: { rule: 'MustRunAsNonRoot' },
      seLinux: { rule: 'RunAsAny' },
      supplementalGroups: { rule: 'MustRunAs', ranges: [{ min: 1, max: 65535 }] },
      fsGroup: { rule: 'MustRunAs', ranges: [{ min: 1, max: 65535 }] },
      readOnlyRootFilesystem: false,
    },
    {
      'seccomp.security.alpha.kubernetes.io/allowedProfileNames': 'docker/default,runtime/default',
      'apparmor.security.beta.kubernetes.io/allowedProfileNames': 'runtime/default',
      'seccomp.security.alpha.kubernetes.io/defaultProfileName': 'runtime/default',
      'apparmor.security.beta.kubernetes.io/defaultProfileName': 'runtime/default',
    },
  );
