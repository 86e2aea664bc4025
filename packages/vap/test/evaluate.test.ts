/**
 * In-process admission (../src/evaluate.ts) on hand-written ValidatingAdmissionPolicies, the kind a
 * cluster already has, and on our translation of the example cluster, against the reference PSP
 * evaluator.
 */
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import {
  admit,
  buildRbacIndex,
  candidatesFor,
  controllerRequester,
  parseInputs,
  podFromWorkload,
  type InputSet,
  type KubernetesObject,
  type Pod,
  type PolicyIR,
  type WorkloadContext,
} from '@psp-translate/core';
import { evaluateVapExisting, typedConstructorsToMaps, vapAdmission, vapTarget, type AdmissionRequest } from '../src/index.js';

const EXAMPLE = new URL('../../../examples/cluster/', import.meta.url);

function inputsOf(text: string): InputSet {
  return parseInputs([{ path: 'policies.yaml', text }], { defaultNamespace: 'default' });
}

const pod = (namespace: string, spec: Partial<Pod['spec']> = {}, labels: Record<string, string> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace, labels },
  spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
});

const context = (p: Pod): WorkloadContext => ({ workload: { kind: 'Pod', namespace: p.metadata.namespace ?? 'default', name: 'web', serviceAccount: 'default' }, pod: p });

const denyHostNetwork = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: no-host-network }
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - { apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods, pods/ephemeralcontainers] }
  matchConditions:
    - name: not-exempt
      expression: '!has(object.metadata.labels) || !("exempt" in object.metadata.labels)'
  variables:
    - { name: hostNetwork, expression: 'has(object.spec.hostNetwork) && object.spec.hostNetwork' }
    - { name: broken, expression: 'object.spec.nothing.here' }
  validations:
    - expression: '!variables.hostNetwork'
      messageExpression: '"pod " + object.metadata.name + " in " + namespaceObject.metadata.name + " uses the host network"'
      reason: Forbidden
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: no-host-network-in-x }
spec:
  policyName: no-host-network
  validationActions: [Deny]
  matchResources:
    namespaceSelector: { matchLabels: { team: x } }
---
apiVersion: v1
kind: Namespace
metadata: { name: x, labels: { team: x } }
`;

describe('a hand-written ValidatingAdmissionPolicy', () => {
  const judge = evaluateVapExisting(inputsOf(denyHostNetwork));

  test('denies hostNetwork pods in the namespaces its binding selects, with the messageExpression', () => {
    expect(judge).not.toBeNull();
    expect(judge!(context(pod('x', { hostNetwork: true })))).toEqual({
      admitted: false,
      reasons: ['pod web in x uses the host network (ValidatingAdmissionPolicy no-host-network, binding no-host-network-in-x)'],
    });
    // Namespace y is not in the inputs: only its name label, which the selector does not match.
    expect(judge!(context(pod('y', { hostNetwork: true })))).toEqual({ admitted: true, reasons: [] });
    expect(judge!(context(pod('x')))).toEqual({ admitted: true, reasons: [] });
    // Variables are lazy: `broken` is never read, so it never fails.
    expect(judge!.notes).toEqual([]);
  });

  test('matchConditions: a false one skips the policy', () => {
    expect(judge!(context(pod('x', { hostNetwork: true }, { exempt: 'yes' }))).admitted).toBe(true);
  });

  test('Warn and Audit admit with warnings; an expression error follows failurePolicy', () => {
    const warn = evaluateVapExisting(inputsOf(denyHostNetwork.replace('validationActions: [Deny]', 'validationActions: [Warn, Audit]')));
    expect(warn!(context(pod('x', { hostNetwork: true })))).toEqual({
      admitted: true,
      reasons: [],
      warnings: ['warn: pod web in x uses the host network (ValidatingAdmissionPolicy no-host-network, binding no-host-network-in-x)'],
    });
    const erring = denyHostNetwork.replace("expression: '!variables.hostNetwork'", "expression: '!variables.broken'");
    expect(evaluateVapExisting(inputsOf(erring))!(context(pod('x'))).admitted).toBe(false);
    const ignored = evaluateVapExisting(inputsOf(erring.replace('failurePolicy: Fail', 'failurePolicy: Ignore')))!(context(pod('x')));
    expect(ignored.admitted).toBe(true);
    expect(ignored.warnings?.[0]).toMatch(/^ValidatingAdmissionPolicy\/no-host-network: ignored \(failurePolicy Ignore\): expression error/);
  });

  test('resource rules: subresources only when named, excludeResourceRules, operations', () => {
    const objects = inputsOf(denyHostNetwork.replace('resources: [pods, pods/ephemeralcontainers]', 'resources: ["*"]')).others.map((o) => o.raw as unknown as KubernetesObject);
    const { admit: run } = vapAdmission(objects);
    const request = (extra: Partial<AdmissionRequest>): AdmissionRequest => ({
      operation: 'CREATE',
      namespace: 'x',
      namespaceObject: { metadata: { name: 'x', labels: { team: 'x' } } },
      userInfo: { username: 'alice', groups: [] },
      object: pod('x', { hostNetwork: true }),
      ...extra,
    });
    expect(run(request({})).allowed).toBe(false);
    // `*` covers resources, not their subresources.
    expect(run(request({ operation: 'UPDATE', subResource: 'ephemeralcontainers' })).allowed).toBe(true);
    const excluded = inputsOf(denyHostNetwork.replace('    resourceRules:', '    excludeResourceRules:\n      - { apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods], resourceNames: [web] }\n    resourceRules:'));
    expect(vapAdmission(excluded.others.map((o) => o.raw as unknown as KubernetesObject)).admit(request({})).allowed).toBe(true);
  });

  test('params from a ConfigMap in the inputs; missing params are reported, not guessed', () => {
    const withParams = `${denyHostNetwork.replace('failurePolicy: Fail', 'failurePolicy: Fail\n  paramKind: { apiVersion: v1, kind: ConfigMap }').replace("expression: '!variables.hostNetwork'", "expression: '!variables.hostNetwork || params.data.allowHostNetwork == \"true\"'").replace('  validationActions: [Deny]', '  validationActions: [Deny]\n  paramRef: { name: host-network, parameterNotFoundAction: Deny }')}`;
    const configMap = (allow: string) => `---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: host-network, namespace: x }\ndata: { allowHostNetwork: "${allow}" }\n`;
    const hostNetwork = context(pod('x', { hostNetwork: true }));
    expect(evaluateVapExisting(inputsOf(withParams + configMap('true')))!(hostNetwork).admitted).toBe(true);
    expect(evaluateVapExisting(inputsOf(withParams + configMap('false')))!(hostNetwork).admitted).toBe(false);
    const missing = evaluateVapExisting(inputsOf(withParams))!(hostNetwork);
    expect(missing).toEqual({
      admitted: true,
      reasons: [],
      warnings: ['ValidatingAdmissionPolicy/no-host-network (binding no-host-network-in-x): not evaluated: params not available (no ConfigMap in the inputs)'],
    });
  });

  test('the authorizer cannot be asked in-process: the policy is reported, once, as not evaluated', () => {
    const judgeAuthz = evaluateVapExisting(inputsOf(denyHostNetwork.replace("expression: '!variables.hostNetwork'", "expression: 'authorizer.group(\"\").resource(\"pods\").check(\"create\").allowed()'")));
    expect(judgeAuthz!.notes).toEqual([expect.stringMatching(/^ValidatingAdmissionPolicy\/no-host-network: not evaluated: its CEL asks the authorizer/)]);
    expect(judgeAuthz!(context(pod('x'))).warnings).toEqual(judgeAuthz!.notes);
  });

  test('no admission policies in the inputs: null', () => {
    expect(evaluateVapExisting(inputsOf('apiVersion: v1\nkind: Namespace\nmetadata: { name: x }\n'))).toBeNull();
  });

  test('typed apply configurations become map literals; strings and map literals are left alone', () => {
    expect(typedConstructorsToMaps('x in {"a": 1} ? Object{spec: Object.spec{hostNetwork: false, note: "Object{a: b}"}} : Object{}')).toBe(
      'x in {"a": 1} ? {"spec": {"hostNetwork": false, "note": "Object{a: b}"}} : {}',
    );
  });
});

describe('our translation of the example cluster, judged in-process', () => {
  test('every workload: the vap verdict equals PSP admission where the translation is exact', async () => {
    const files = [];
    for (const name of (await readdir(EXAMPLE)).filter((n) => n.endsWith('.yaml'))) files.push({ path: name, text: await readFile(new URL(name, EXAMPLE), 'utf8') });
    for (const name of await readdir(new URL('workloads/', EXAMPLE))) files.push({ path: `workloads/${name}`, text: await readFile(new URL(`workloads/${name}`, EXAMPLE), 'utf8') });
    const inputs = parseInputs(files);
    const translation = vapTarget.translate(inputs, { actions: { action: 'deny', gatekeeper: 'deny', kyverno: 'Enforce', vap: ['Deny'], psa: 'enforce', notes: {} } });
    const judge = vapTarget.evaluate(translation, inputs);
    const index = buildRbacIndex(inputs.rbac, { policies: inputs.policies });
    const byName = new Map<string, PolicyIR>(inputs.policies.map((p) => [p.name, p]));
    expect(inputs.workloads.length).toBeGreaterThanOrEqual(4);
    const verdicts = inputs.workloads.map((workload) => {
      const { pod: created, namespace, serviceAccount } = podFromWorkload(workload);
      const requester = controllerRequester(workload.kind);
      const candidates = candidatesFor(index, inputs.policies, { namespace, serviceAccount, ...(requester === undefined ? {} : { requester }) });
      const psp = admit(created, candidates.map((n) => byName.get(n) as PolicyIR));
      const vap = judge({ workload: { kind: workload.kind, namespace, name: workload.name, serviceAccount }, pod: created, ...(requester === undefined ? {} : { requester }) });
      return { workload: workload.name, psp: psp.admitted, vap: vap.admitted, reasons: vap.reasons.length };
    });
    for (const verdict of verdicts) {
      expect(verdict.vap, JSON.stringify(verdict)).toBe(verdict.psp);
      expect(verdict.reasons > 0).toBe(!verdict.vap);
    }
    expect(verdicts.some((v) => !v.vap)).toBe(true);
  });
});
