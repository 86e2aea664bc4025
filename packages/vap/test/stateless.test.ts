/**
 * Match conditions as the API server validates them: compiled without `variables` (for
 * ValidatingAdmissionPolicy and MutatingAdmissionPolicy alike), so a policy whose match condition
 * reads a variable is refused. The guard (../src/stateless.ts) is used by the schema check of the
 * tests and by the in-process admission.
 */
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { MATCH_CONDITION_IDENTIFIERS, SERVICE_ACCOUNT_EXPRESSION, REQUESTER_EXPRESSION, matchConditionErrors, undeclaredReferences, vapAdmission, type KubernetesObject } from '../src/index.js';

describe('undeclaredReferences: what a match condition reads beyond the request', () => {
  test('variables, and only free identifiers, are reported', () => {
    expect(undeclaredReferences('variables.chosen')).toEqual(['variables']);
    expect(undeclaredReferences('has(object.spec) && variables["x"] == 1')).toEqual(['variables']);
    expect(undeclaredReferences('object.spec.containers.all(c, c.name != "variables") && object.variables == 1')).toEqual([]);
    expect(undeclaredReferences("'variables.x' + r\"variables\" + '''variables''' == \"\"")).toEqual([]);
    expect(undeclaredReferences('object.spec.containers.exists(variables, variables.name == "x")')).toEqual([]);
    expect(undeclaredReferences('cel.bind(n, object.spec.containers.size(), n > 1) && type(request) == map && size(object.metadata.name) > 0 && 1.5e3 > 0.0')).toEqual([]);
    expect(undeclaredReferences('{"a": 1}.all(k, v, v > 0) && params.x && namespaceObject.metadata.name != "" && oldObject == null && authorizer.path("/x").check("get").allowed()')).toEqual([]);
    expect(undeclaredReferences('format.dns1123Label().validate(object.metadata.name).hasValue() || ip.isCanonical("::1") || math.greatest([1, 2]) > 1')).toEqual([]);
    expect(undeclaredReferences('self.x > 0 && params2.y')).toEqual(['self', 'params2']);
  });

  test('our scope conditions read only what the API server declares', () => {
    for (const expression of [SERVICE_ACCOUNT_EXPRESSION, REQUESTER_EXPRESSION]) expect(undeclaredReferences(expression)).toEqual([]);
    expect(MATCH_CONDITION_IDENTIFIERS).not.toContain('variables');
  });

  test('matchConditionErrors names the condition', () => {
    expect(matchConditionErrors([{ name: 'ok', expression: 'object.spec.hostNetwork' }, { name: 'chose', expression: 'variables.a && !variables.b' }])).toEqual([
      "spec.matchConditions[1] (chose): reads variables, which the API server's match-condition compiler does not declare (match conditions are compiled without variables), so it refuses the policy",
    ]);
  });
});

const mutating = `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicy
metadata: { name: chose-by-variable }
spec:
  failurePolicy: Fail
  reinvocationPolicy: Never
  matchConstraints:
    resourceRules:
      - { apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods] }
  matchConditions:
    - { name: chosen, expression: variables.chosen }
  variables:
    - { name: chosen, expression: 'true' }
  mutations:
    - patchType: ApplyConfiguration
      applyConfiguration: { expression: 'Object{spec: Object.spec{runtimeClassName: "gvisor"}}' }
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicyBinding
metadata: { name: chose-by-variable }
spec: { policyName: chose-by-variable }
`;

describe('in-process admission', () => {
  test('a policy whose match condition reads variables is refused, not run: it could never be created', () => {
    const objects = mutating.split('---\n').map((d) => parse(d) as KubernetesObject);
    const { admit, notes } = vapAdmission(objects);
    expect(notes).toEqual([expect.stringContaining('MutatingAdmissionPolicy/chose-by-variable: not evaluated: the API server refuses this policy: spec.matchConditions[0] (chosen): reads variables')]);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image: 'x' }] } };
    const outcome = admit({ operation: 'CREATE', namespace: 'default', userInfo: { username: 'u', groups: [] }, object: pod as never });
    expect(outcome.mutatedBy).toEqual([]);
    expect(outcome.pod.spec.runtimeClassName).toBeUndefined();
    expect(outcome.notEvaluated).toEqual([expect.stringContaining('refuses this policy')]);
    // The same policy with the choice in its mutation (a variable there is fine) runs.
    const fixed = structuredClone(objects);
    const spec = fixed[0]?.spec as { matchConditions?: unknown; mutations: { applyConfiguration: { expression: string } }[] };
    delete spec.matchConditions;
    spec.mutations[0] = { applyConfiguration: { expression: 'variables.chosen ? Object{spec: Object.spec{runtimeClassName: "gvisor"}} : Object{}' } };
    const ran = vapAdmission(fixed).admit({ operation: 'CREATE', namespace: 'default', userInfo: { username: 'u', groups: [] }, object: pod as never });
    expect(ran.pod.spec.runtimeClassName).toBe('gvisor');
    expect(ran.changedBy).toEqual(['chose-by-variable']);
  });

  test('an empty apply configuration is a no-op', () => {
    const objects = mutating.split('---\n').map((d) => parse(d) as KubernetesObject);
    const spec = objects[0]?.spec as { matchConditions?: unknown; mutations: { patchType?: string; applyConfiguration: { expression: string } }[] };
    delete spec.matchConditions;
    spec.mutations[0] = { patchType: 'ApplyConfiguration', applyConfiguration: { expression: '!variables.chosen ? Object{spec: Object.spec{runtimeClassName: "gvisor"}} : Object{}' } };
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image: 'x' }] } };
    const outcome = vapAdmission(objects).admit({ operation: 'CREATE', namespace: 'default', userInfo: { username: 'u', groups: [] }, object: pod as never });
    expect(outcome.mutatedBy).toEqual(['chose-by-variable']);
    expect(outcome.changedBy).toEqual([]);
    expect(outcome.pod).toBe(pod);
  });
});
