import { describe, expect, test } from 'vitest';
import { isAdmissionPolicyObject, parseInputs } from '@psp-translate/core';

const text = `apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: { name: k8sdenyhostnetwork }
spec: { crd: { spec: { names: { kind: K8sDenyHostNetwork } } } }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sDenyHostNetwork
metadata: { name: no-host-network }
---
apiVersion: kyverno.io/v1
kind: Policy
metadata: { name: local }
---
apiVersion: policies.kyverno.io/v1
kind: ValidatingPolicy
metadata: { name: vpol }
---
apiVersion: admissionregistration.k8s.io/v1beta1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: binding }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: params, namespace: x }
data: { level: high }
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: { name: webhook }
---
apiVersion: v1
kind: Service
metadata: { name: web }
`;

describe('parseInputs keeps the admission policies of other engines whole', () => {
  test('policies go to others with their content and source; ConfigMaps to both; unknown kinds only to skipped', () => {
    const set = parseInputs([{ path: 'policies.yaml', text }], { defaultNamespace: 'team' });
    expect(set.others.map((o) => [o.kind, o.name, o.namespace, o.source.line])).toEqual([
      ['ConstraintTemplate', 'k8sdenyhostnetwork', undefined, 1],
      ['K8sDenyHostNetwork', 'no-host-network', undefined, 6],
      ['Policy', 'local', 'team', 10],
      ['ValidatingPolicy', 'vpol', undefined, 14],
      ['ValidatingAdmissionPolicyBinding', 'binding', undefined, 18],
      ['ConfigMap', 'params', 'x', 22],
    ]);
    expect(set.others[0]?.raw).toMatchObject({ spec: { crd: { spec: { names: { kind: 'K8sDenyHostNetwork' } } } } });
    expect(set.others[5]?.raw).toMatchObject({ data: { level: 'high' } });
    expect(set.skipped.map((o) => o.kind)).toEqual(['ConfigMap', 'ValidatingWebhookConfiguration', 'Service']);
  });

  test('isAdmissionPolicyObject goes by API group and kind', () => {
    expect(isAdmissionPolicyObject({ apiVersion: 'constraints.gatekeeper.sh/v1beta1', kind: 'AnyKindAtAll' })).toBe(true);
    expect(isAdmissionPolicyObject({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy' })).toBe(true);
    expect(isAdmissionPolicyObject({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration' })).toBe(false);
    expect(isAdmissionPolicyObject({ apiVersion: 'example.com/v1', kind: 'ClusterPolicy' })).toBe(false);
  });
});
