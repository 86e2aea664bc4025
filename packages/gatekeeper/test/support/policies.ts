/** PSPs for tests, built into IR through core's own parser path (schema + policyToIR). */
import { PodSecurityPolicySchema, policyToIR, type PolicyIR } from '@psp-translate/core';

export function pspToIR(name: string, spec: Record<string, unknown>, annotations: Record<string, string> = {}): PolicyIR {
  const psp = PodSecurityPolicySchema.parse({
    apiVersion: 'policy/v1beta1',
    kind: 'PodSecurityPolicy',
    metadata: { name, annotations },
    spec: {
      seLinux: { rule: 'RunAsAny' },
      runAsUser: { rule: 'RunAsAny' },
      supplementalGroups: { rule: 'RunAsAny' },
      fsGroup: { rule: 'RunAsAny' },
      volumes: ['*'],
      ...spec,
    },
  });
  return policyToIR(psp, { file: `${name}.yaml`, line: 1, column: 1 });
}

/** A PSP with every default PSP knows, so every mutator is emitted. */
export function everyDefaultPolicy(name = 'defaulting'): PolicyIR {
  return pspToIR(
    name,
    {
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      defaultAddCapabilities: ['NET_BIND_SERVICE'],
      allowedCapabilities: ['CHOWN'],
      requiredDropCapabilities: ['NET_RAW', 'MKNOD'],
      runAsUser: { rule: 'MustRunAs', ranges: [{ min: 1000, max: 2000 }] },
      runAsGroup: { rule: 'MustRunAs', ranges: [{ min: 3000, max: 3999 }] },
      supplementalGroups: { rule: 'MustRunAs', ranges: [{ min: 5000, max: 5999 }] },
      fsGroup: { rule: 'MustRunAs', ranges: [{ min: 4000, max: 4999 }] },
      seLinux: { rule: 'MustRunAs', seLinuxOptions: { level: 's0:c1,c2', type: 'container_t' } },
      runtimeClass: { allowedRuntimeClassNames: ['gvisor', 'runc'], defaultRuntimeClassName: 'gvisor' },
    },
    {
      'seccomp.security.alpha.kubernetes.io/allowedProfileNames': 'runtime/default,localhost/strict.json',
      'seccomp.security.alpha.kubernetes.io/defaultProfileName': 'runtime/default',
      'apparmor.security.beta.kubernetes.io/allowedProfileNames': 'runtime/default,localhost/k8s-nginx',
      'apparmor.security.beta.kubernetes.io/defaultProfileName': 'runtime/default',
    },
  );
}

/** A PSP that only validates. */
export function nonMutatingPolicy(name = 'permissive'): PolicyIR {
  return pspToIR(name, { privileged: true, allowedCapabilities: ['*'], hostNetwork: true });
}
