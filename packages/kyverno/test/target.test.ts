/** The CLI-facing target: translate from an input set, and judge workloads in-process like PSP did. */
import fc from 'fast-check';
import { admit, parseInputs, type Pod } from '@psp-translate/core';
import { describe, expect, it } from 'vitest';
import { arbitraryPod } from '../../core/src/evaluate/arbitrary.js';
import { kyvernoTarget } from '../src/index.js';

const CLUSTER = `
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: restricted
  annotations:
    seccomp.security.alpha.kubernetes.io/allowedProfileNames: runtime/default
    seccomp.security.alpha.kubernetes.io/defaultProfileName: runtime/default
spec:
  privileged: false
  allowPrivilegeEscalation: false
  requiredDropCapabilities: [ALL]
  volumes: [configMap, emptyDir, projected, secret, downwardAPI, persistentVolumeClaim]
  runAsUser: {rule: MustRunAsNonRoot}
  seLinux: {rule: RunAsAny}
  supplementalGroups: {rule: MustRunAs, ranges: [{min: 1, max: 65535}]}
  fsGroup: {rule: MustRunAs, ranges: [{min: 1, max: 65535}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: psp-restricted}
rules:
- apiGroups: [policy]
  resources: [podsecuritypolicies]
  resourceNames: [restricted]
  verbs: [use]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: psp-restricted, namespace: apps}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: psp-restricted}
subjects:
- {kind: Group, apiGroup: rbac.authorization.k8s.io, name: 'system:serviceaccounts:apps'}
`;

describe('kyvernoTarget', () => {
  const inputs = parseInputs([{ path: 'cluster.yaml', text: CLUSTER }]);

  it('translates with the RBAC scope and the action in Kyverno words', () => {
    const result = kyvernoTarget.translate(inputs, { actions: { action: 'deny', kyverno: 'Enforce' } });
    const validation = result.objects.find((o) => o.metadata.name === 'psp-restricted')!;
    expect((validation['spec'] as { validationFailureAction: string }).validationFailureAction).toBe('Enforce');
    expect(result.objects.some((o) => o.metadata.name === 'psp-no-authorised-policy')).toBe(true);
  });

  it('judges workloads as PSP admission did', async () => {
    const evaluate = await kyvernoTarget.evaluate(undefined, inputs);
    const pods = fc.sample(arbitraryPod, { seed: 7, numRuns: 300 });
    let admitted = 0;
    for (const [i, generated] of pods.entries()) {
      const namespace = i % 3 === 0 ? 'other' : 'apps';
      const pod: Pod = { ...generated, metadata: { ...generated.metadata, namespace } };
      const expected = admit(pod, namespace === 'apps' ? inputs.policies : [], { warnings: false }).admitted;
      const verdict = evaluate({ workload: { namespace, name: `pod-${i}` }, pod });
      expect(verdict.admitted, JSON.stringify({ pod, reasons: verdict.reasons })).toBe(expected);
      if (!verdict.admitted) expect(verdict.reasons.length).toBeGreaterThan(0);
      if (verdict.admitted) admitted++;
    }
    // The sample must exercise both outcomes, or the test proves nothing.
    expect(admitted).toBeGreaterThan(0);
    expect(admitted).toBeLessThan(pods.length);
  });
});
