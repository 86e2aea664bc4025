/**
 * Behaviour of the emitted objects, judged by executing them (./support/admission.ts), plus the
 * options, the report and the shape of the output.
 */
import { describe, expect, test } from 'vitest';
import { admit, evaluatePolicy, type NameSelector, type Pod, type PolicyIR, type ScopeGroup } from '@psp-translate/core';
import { policyFixture } from '@psp-translate/core/testing';
import * as api from '../src/index.js';
import { parseKubeVersion, translateVap, validationActionsFor, type KubernetesObject } from '../src/index.js';
import { admitThrough, type AdmissionRequest } from './support/admission.js';
import { admissionObjectErrors } from './support/openapi.js';

const ANY: NameSelector = { op: 'NotIn', values: [] };
const everyone = (candidates: string[]): ScopeGroup => ({ namespace: ANY, serviceAccount: ANY, requester: ANY, requesterWorkloadKinds: [], candidates });

const restricted = policyFixture({
  name: 'restricted',
  controls: {
    privileged: { validate: { allowPrivileged: false } },
    runAsUser: { validate: { rule: 'MustRunAs', ranges: [{ min: 1000, max: 2000 }] }, defaults: { runAsUser: 1000 } },
    readOnlyRootFilesystem: { validate: { required: true }, defaults: { readOnlyRootFilesystem: true } },
  },
});
const noPrivileged = policyFixture({ name: 'no-privileged', controls: { privileged: { validate: { allowPrivileged: false } } } });
const privileged = policyFixture({ name: 'privileged' });

const pod = (spec: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'team-a' },
  spec: { serviceAccountName: 'default', containers: [{ name: 'app', image: 'nginx' }], ...spec },
});

function run(objects: KubernetesObject[], policies: PolicyIR[], request: Partial<AdmissionRequest> & { object: Pod }) {
  return admitThrough(objects, new Map(policies.map((p) => [p.name, p])), {
    operation: 'CREATE',
    namespace: 'team-a',
    userInfo: { username: 'alice', groups: ['system:authenticated'] },
    ...request,
  });
}

describe('kubectl debug: UPDATE of pods/ephemeralcontainers', () => {
  const { objects } = translateVap({ policies: [noPrivileged], scopeGroups: [everyone(['no-privileged'])] });
  const running = pod();
  const debugged = pod({ ephemeralContainers: [{ name: 'debugger', image: 'busybox', securityContext: { privileged: true } }] });

  test('adding a privileged ephemeral container is denied, naming the field', () => {
    const outcome = run(objects, [noPrivileged], { operation: 'UPDATE', subResource: 'ephemeralcontainers', object: debugged, oldObject: running });
    expect(outcome.validatedBy).toEqual(['psp-01-no-privileged']);
    expect(outcome.allowed).toBe(false);
    expect(outcome.messages[0]).toContain('spec.ephemeralContainers[debugger].securityContext.privileged');
  });

  test('an unprivileged ephemeral container is admitted', () => {
    const plain = pod({ ephemeralContainers: [{ name: 'debugger', image: 'busybox' }] });
    expect(run(objects, [noPrivileged], { operation: 'UPDATE', subResource: 'ephemeralcontainers', object: plain, oldObject: running }).allowed).toBe(true);
  });

  test('the policy matches the subresource and pod updates', () => {
    const rules = (objects[0]?.spec as { matchConstraints: { resourceRules: { operations: string[]; resources: string[] }[] } }).matchConstraints.resourceRules;
    expect(rules).toEqual([expect.objectContaining({ operations: ['CREATE', 'UPDATE'], resources: ['pods', 'pods/ephemeralcontainers'] })]);
  });
});

describe('any of the candidates', () => {
  const { objects } = translateVap({ policies: [restricted, noPrivileged], scopeGroups: [everyone(['no-privileged', 'restricted'])] });

  test('one variable per candidate and one validation over them', () => {
    const spec = objects.find((o) => o.kind === 'ValidatingAdmissionPolicy')?.spec as { variables: { name: string }[]; validations: { expression: string; messageExpression: string }[] };
    expect(spec.variables.map((v) => v.name)).toEqual(['psp_no_privileged', 'psp_no_privileged_failure', 'psp_restricted', 'psp_restricted_failure']);
    expect(spec.validations).toHaveLength(1);
    expect(spec.validations[0]?.expression).toBe('variables.psp_no_privileged || variables.psp_restricted');
  });

  test('a pod one candidate admits is admitted; one none admits is denied with each candidate first failing field', () => {
    expect(run(objects, [restricted, noPrivileged], { object: pod() }).allowed).toBe(true);
    const outcome = run(objects, [restricted, noPrivileged], { object: pod({ containers: [{ name: 'app', image: 'x', securityContext: { privileged: true } }] }) });
    expect(outcome.allowed).toBe(false);
    expect(outcome.messages[0]).toBe(
      'no PodSecurityPolicy admits this pod: no-privileged: privileged: spec.containers[app].securityContext.privileged: privileged containers are not allowed; ' +
        'restricted: privileged: spec.containers[app].securityContext.privileged: privileged containers are not allowed',
    );
  });

  test('on UPDATE a candidate whose defaults would change the pod does not admit it, and says why', () => {
    const single = translateVap({ policies: [restricted], scopeGroups: [everyone(['restricted'])] }).objects;
    const unset = pod({ securityContext: { runAsUser: 1500 }, containers: [{ name: 'app', image: 'x', securityContext: { readOnlyRootFilesystem: true } }, { name: 'b', image: 'y', securityContext: { readOnlyRootFilesystem: true } }] });
    expect(run(single, [restricted], { operation: 'UPDATE', object: unset, oldObject: unset }).allowed).toBe(true);
    expect(evaluatePolicy(restricted, unset, { operation: 'UPDATE' }).allowed).toBe(true);
  });
});

describe('scope groups', () => {
  test('no candidate: every pod in scope is denied, with a message saying why', () => {
    const group: ScopeGroup = { namespace: { op: 'In', values: ['team-a'] }, serviceAccount: { op: 'In', values: ['builder'] }, requester: ANY, requesterWorkloadKinds: [], candidates: [] };
    const { objects, report } = translateVap({ policies: [privileged], scopeGroups: [group] });
    expect(objects.map((o) => o.kind)).toEqual(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
    const builder = run(objects, [privileged], { object: pod({ serviceAccountName: 'builder' }) });
    expect(builder.allowed).toBe(false);
    expect(builder.messages[0]).toMatch(/no PodSecurityPolicy is authorised/);
    expect(run(objects, [privileged], { object: pod({ serviceAccountName: 'web' }) }).validatedBy).toEqual([]);
    expect(run(objects, [privileged], { namespace: 'other', object: pod({ serviceAccountName: 'builder' }) }).validatedBy).toEqual([]);
    expect(report.some((e) => e.message.includes('denies them'))).toBe(true);
  });

  test('namespace in the binding selector, service account and requester in matchConditions', () => {
    const group: ScopeGroup = {
      namespace: { op: 'NotIn', values: ['kube-system'] },
      serviceAccount: { op: 'In', values: ['default'] },
      requester: { op: 'In', values: ['system:serviceaccount:kube-system:replicaset-controller'] },
      requesterWorkloadKinds: ['Deployment'],
      candidates: ['no-privileged'],
    };
    const { objects } = translateVap({ policies: [noPrivileged], scopeGroups: [group] });
    const [policy, binding] = objects as [KubernetesObject, KubernetesObject];
    expect((binding.spec as { matchResources: unknown }).matchResources).toEqual({
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }] },
    });
    expect((policy.spec as { matchConditions: { name: string }[] }).matchConditions.map((c) => c.name)).toEqual(['psp-service-account', 'psp-requester']);
    const controller = { username: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:serviceaccounts'] };
    // An unset serviceAccountName is the `default` account (the ServiceAccount plugin sets it before validation).
    const noAccount = pod({ serviceAccountName: undefined });
    delete noAccount.spec.serviceAccountName;
    expect(run(objects, [noPrivileged], { userInfo: controller, object: noAccount }).validatedBy).toHaveLength(1);
    expect(run(objects, [noPrivileged], { object: noAccount }).validatedBy).toHaveLength(0);
    expect(run(objects, [noPrivileged], { userInfo: controller, namespace: 'kube-system', object: noAccount }).validatedBy).toHaveLength(0);
  });

  test('a permissive candidate admits what the others reject (it still rejects volume sources PSP did not know)', () => {
    const { objects } = translateVap({ policies: [privileged, restricted], scopeGroups: [everyone(['privileged', 'restricted'])] }, { kubeVersion: '1.36' });
    const hostile = pod({ hostPID: true, containers: [{ name: 'app', image: 'x', securityContext: { privileged: true, runAsUser: 0 } }] });
    const outcome = run(objects, [privileged, restricted], { object: hostile });
    expect(outcome.allowed).toBe(true);
    // PSP preferred the policy admitting the pod unchanged, so restricted's defaults were not applied.
    expect(outcome.changedBy).toEqual([]);
    const unknownVolume = pod({ volumes: [{ name: 'img', image: { reference: 'x' } } as never] });
    expect(run(objects, [privileged, restricted], { object: unknownVolume }).allowed).toBe(false);
  });

  test('a scope group naming an unknown PSP is an error', () => {
    expect(() => translateVap({ policies: [], scopeGroups: [everyone(['ghost'])] })).toThrow(/ghost, which is not among the policies given/);
  });
});

describe('options', () => {
  test('--action words', () => {
    expect(validationActionsFor(undefined)).toEqual(['Audit', 'Warn']);
    expect(validationActionsFor('audit')).toEqual(['Audit']);
    expect(validationActionsFor('dryrun')).toEqual(['Audit']);
    expect(validationActionsFor('Warn')).toEqual(['Warn']);
    expect(validationActionsFor('deny')).toEqual(['Deny']);
    expect(validationActionsFor('Enforce')).toEqual(['Deny']);
    expect(() => validationActionsFor('block')).toThrow(/unknown action "block"/);
    const binding = translateVap({ policies: [noPrivileged], scopeGroups: [everyone(['no-privileged'])] }, { action: 'deny' }).objects[1];
    expect((binding?.spec as { validationActions: string[] }).validationActions).toEqual(['Deny']);
    expect(() => translateVap({ policies: [], scopeGroups: [] }, { validationActions: ['Deny', 'Warn'] })).toThrow(/Deny and Warn/);
  });

  test('--kube-version decides MutatingAdmissionPolicy: none before 1.34, v1beta1 in 1.34-1.35, v1 from 1.36', () => {
    const input = { policies: [restricted], scopeGroups: [everyone(['restricted'])] };
    const kinds = (version: string | undefined) => translateVap(input, version === undefined ? {} : { kubeVersion: version }).objects.map((o) => `${o.apiVersion} ${o.kind}`);
    expect(kinds('1.33')).toEqual(['admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding']);
    expect(kinds('v1.34.1').slice(0, 2)).toEqual(['admissionregistration.k8s.io/v1beta1 MutatingAdmissionPolicy', 'admissionregistration.k8s.io/v1beta1 MutatingAdmissionPolicyBinding']);
    expect(kinds('1.36').slice(0, 2)).toEqual(['admissionregistration.k8s.io/v1 MutatingAdmissionPolicy', 'admissionregistration.k8s.io/v1 MutatingAdmissionPolicyBinding']);
    const lost = translateVap(input, { kubeVersion: '1.30' }).report.filter((e) => e.message.includes('is lost'));
    expect(lost.map((e) => e.control)).toEqual(['readOnlyRootFilesystem', 'runAsUser']);
    expect(lost.every((e) => e.fidelity === 'approximate' && e.aspect === 'default')).toBe(true);
    // No version: the newest known (the targets' contract); --no-mutate: defaults reported lost.
    expect(kinds(undefined)[0]).toBe('admissionregistration.k8s.io/v1 MutatingAdmissionPolicy');
    const noMutate = translateVap(input, { mutate: false });
    expect(noMutate.objects.map((o) => o.kind)).toEqual(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
    expect(noMutate.report.filter((e) => e.message.includes('--no-mutate was given')).map((e) => e.control)).toEqual(['readOnlyRootFilesystem', 'runAsUser']);
    expect(translateVap(input, { kubeVersion: '1.35' }).report.some((e) => e.message.includes('feature gate'))).toBe(true);
    expect(translateVap(input, { kubeVersion: '1.29' }).report).toContainEqual(expect.objectContaining({ fidelity: 'unsupported' }));
    expect(() => parseKubeVersion('one.thirty')).toThrow(/1\.30, v1\.30/);
  });

  test('PSP defaults are applied on CREATE when the cluster has MutatingAdmissionPolicy', () => {
    const { objects } = translateVap({ policies: [restricted], scopeGroups: [everyone(['restricted'])] }, { kubeVersion: '1.36' });
    const created = run(objects, [restricted], { object: pod({ initContainers: [{ name: 'init', image: 'x' }] }) });
    expect(created.allowed).toBe(true);
    expect(created.pod).toEqual(evaluatePolicy(restricted, pod({ initContainers: [{ name: 'init', image: 'x' }] })).pod);
    // Without MutatingAdmissionPolicy the same pod is rejected: the defaults are lost (and reported).
    const without = translateVap({ policies: [restricted], scopeGroups: [everyone(['restricted'])] }, { kubeVersion: '1.30' }).objects;
    expect(run(without, [restricted], { object: pod() }).allowed).toBe(false);
  });

  test('several defaulting candidates: the defaults of the PSP that PSP admission chose, reported exact', () => {
    const uid = policyFixture({ name: 'a-uid', controls: { runAsUser: { validate: { rule: 'MustRunAs', ranges: [{ min: 1000, max: 2000 }] }, defaults: { runAsUser: 1000 } } } });
    const readOnly = policyFixture({ name: 'b-read-only', controls: { readOnlyRootFilesystem: { validate: { required: true }, defaults: { readOnlyRootFilesystem: true } } } });
    const policies = [uid, readOnly];
    const { objects, report } = translateVap({ policies, scopeGroups: [everyone(['a-uid', 'b-read-only'])] }, { kubeVersion: '1.36' });
    expect(report.filter((e) => e.fidelity === 'approximate' || e.fidelity === 'unsupported')).toEqual([]);
    const mutating = objects.filter((o) => o.kind === 'MutatingAdmissionPolicy');
    expect(mutating.map((o) => o.metadata.annotations?.['psp-translate.io/defaults-of'])).toEqual(['a-uid', 'b-read-only']);
    // The choice is a variable, not a match condition (the API server compiles those without
    // variables and refuses the policy): a first mutation records it in kubernetes.io/psp, and the
    // defaults are written where that annotation names the policy.
    for (const o of mutating) {
      const spec = o.spec as { matchConditions?: { expression: string }[]; variables: { name: string; expression: string }[]; mutations: { applyConfiguration: { expression: string } }[] };
      for (const c of spec.matchConditions ?? []) expect(c.expression).not.toMatch(/\bvariables\b/);
      expect(spec.variables.map((v) => v.name)).toContain('psp_chose_this_policy');
      const [record, ...defaults] = spec.mutations.map((m) => m.applyConfiguration.expression);
      const name = o.metadata.annotations?.['psp-translate.io/defaults-of'] as string;
      expect(record).toBe(
        `variables.psp_chose_this_policy ? Object{metadata: Object.metadata{annotations: {"kubernetes.io/psp": "${name}"}}} : ((has(object.metadata.annotations) && "kubernetes.io/psp" in object.metadata.annotations && object.metadata.annotations["kubernetes.io/psp"] == "${name}") ? Object{metadata: Object.metadata{annotations: {"kubernetes.io/psp": ""}}} : Object{})`,
      );
      for (const e of defaults) expect(e.startsWith(`(has(object.metadata.annotations) && "kubernetes.io/psp" in object.metadata.annotations && object.metadata.annotations["kubernetes.io/psp"] == "${name}") ? (`)).toBe(true);
    }
    expect(admissionObjectErrors(objects)).toEqual([]);
    // No UID: a-uid admits it with its default UID (first by name), so only a-uid's defaults are written.
    const plain = run(objects, policies, { object: pod() });
    expect(plain.allowed).toBe(true);
    const reference = admit(pod(), policies).mutatedPod;
    expect(plain.pod).toEqual({ ...reference, metadata: { ...reference.metadata, annotations: { ...reference.metadata.annotations, 'kubernetes.io/psp': 'a-uid' } } });
    expect(plain.pod.spec.containers[0]?.securityContext).toEqual({ runAsUser: 1000 });
    expect(plain.pod.metadata.annotations?.['kubernetes.io/psp']).toBe('a-uid');
    // UID 0: a-uid rejects it even after its defaults, so PSP chose b-read-only and wrote its default instead.
    const root = pod({ containers: [{ name: 'app', image: 'x', securityContext: { runAsUser: 0 } }] });
    const rooted = run(objects, policies, { object: root });
    expect(admit(root, policies).policy).toBe('b-read-only');
    expect(rooted.allowed).toBe(true);
    expect(rooted.pod.spec.containers[0]?.securityContext).toEqual({ runAsUser: 0, readOnlyRootFilesystem: true });
    expect(rooted.pod.metadata.annotations?.['kubernetes.io/psp']).toBe('b-read-only');
    // An annotation naming a policy PSP did not choose neither forces its defaults nor stays.
    const claimed = { ...root, metadata: { ...root.metadata, annotations: { 'kubernetes.io/psp': 'a-uid' } } };
    const forced = run(objects, policies, { object: claimed });
    expect(forced.pod.spec.containers[0]?.securityContext).toEqual({ runAsUser: 0, readOnlyRootFilesystem: true });
    expect(forced.pod.metadata.annotations?.['kubernetes.io/psp']).toBe('b-read-only');
  });

  test('several defaulting candidates whose choice would exceed the CEL budget: first-by-name defaults, reported approximate', () => {
    // Heavy policies: SELinux, AppArmor and seccomp defaults and read-only hostPaths, checked per container list.
    const heavy = (name: string) =>
      policyFixture({
        name,
        controls: {
          seLinux: { validate: { rule: 'MustRunAs', options: { level: 's0:c1,c2' } }, defaults: { seLinuxOptions: { level: 's0:c1,c2' } } },
          appArmor: { validate: { allowed: ['runtime/default', 'localhost/k8s-apparmor-example'] }, defaults: { profile: 'runtime/default' } },
          seccomp: { validate: { allowed: ['runtime/default', 'localhost/profiles/audit.json'] }, defaults: { profile: 'runtime/default' } },
          hostPaths: { validate: { allowed: [{ pathPrefix: '/var/log', readOnly: true }, { pathPrefix: '/data', readOnly: true }] } },
        },
      });
    const policies = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8'].map(heavy);
    const { objects, report } = translateVap({ policies, scopeGroups: [everyone(policies.map((p) => p.name))] }, { kubeVersion: '1.36' });
    const fallback = report.filter((e) => e.fidelity === 'approximate' && e.control === null);
    expect(fallback.map((e) => e.message)).toEqual([expect.stringMatching(/would exceed the per-(evaluation CEL budget|expression CEL cost limit).*the defaults of p1 \(first defaulting PSP by name\)/)]);
    const mutating = objects.filter((o) => o.kind === 'MutatingAdmissionPolicy');
    expect(mutating.map((o) => o.metadata.annotations?.['psp-translate.io/defaults-of'])).toEqual(['p1']);
    expect(admissionObjectErrors(objects)).toEqual([]);
  });
});

describe('output', () => {
  test('every object passes the admissionregistration schema and the API server rules', () => {
    const groups: ScopeGroup[] = [
      { namespace: { op: 'In', values: ['team-a'] }, serviceAccount: { op: 'In', values: ['builder'] }, requester: ANY, requesterWorkloadKinds: [], candidates: [] },
      { namespace: { op: 'In', values: ['team-a'] }, serviceAccount: { op: 'NotIn', values: ['builder'] }, requester: ANY, requesterWorkloadKinds: [], candidates: ['no-privileged', 'restricted'] },
      { namespace: { op: 'NotIn', values: ['team-a'] }, serviceAccount: ANY, requester: ANY, requesterWorkloadKinds: [], candidates: ['restricted'] },
    ];
    for (const kubeVersion of ['1.30', '1.34', '1.36']) {
      const { objects } = translateVap({ policies: [restricted, noPrivileged], scopeGroups: groups }, { kubeVersion });
      expect(admissionObjectErrors(objects)).toEqual([]);
    }
  });

  test('the schema check catches what the API server would refuse', () => {
    const { objects } = translateVap({ policies: [noPrivileged], scopeGroups: [everyone(['no-privileged'])] });
    const broken = structuredClone(objects);
    (broken[0]?.spec as Record<string, unknown>).matchConstraints = { resourceRules: [{ operations: ['CREATE'], resources: ['pods'], typo: true }] };
    (broken[1]?.spec as Record<string, unknown>).validationActions = ['Deny', 'Warn'];
    expect(admissionObjectErrors(broken)).toEqual([
      'ValidatingAdmissionPolicy/psp-01-no-privileged: spec.matchConstraints.resourceRules[0].typo: unknown field (the API server would drop it)',
      'ValidatingAdmissionPolicyBinding/psp-01-no-privileged: spec.validationActions: Deny and Warn may not be used together',
    ]);
    // matchConditions may not read variables, in either kind: the API server compiles them without.
    const reading = structuredClone(objects);
    (reading[0]?.spec as Record<string, unknown>).matchConditions = [{ name: 'reads', expression: 'variables.psp_no_privileged' }];
    const mutating = { ...structuredClone(reading[0]), kind: 'MutatingAdmissionPolicy', spec: {
        ...(reading[0]?.spec as object),
        validations: undefined,
        reinvocationPolicy: 'Never',
        mutations: [{ patchType: 'ApplyConfiguration', applyConfiguration: { expression: 'Object{}' } }],
      },
    } as KubernetesObject;
    const refused = "spec.matchConditions[0] (reads): reads variables, which the API server's match-condition compiler does not declare (match conditions are compiled without variables), so it refuses the policy";
    expect(admissionObjectErrors([reading[0] as KubernetesObject, mutating])).toEqual([`ValidatingAdmissionPolicy/psp-01-no-privileged: ${refused}`, `MutatingAdmissionPolicy/psp-01-no-privileged: ${refused}`]);
  });

  test('the public API is exactly this', () => {
    expect(Object.keys(api).sort()).toEqual([
      'DEFAULT_KUBE_VERSION',
      'DEFAULT_VALIDATION_ACTIONS',
      'MATCH_CONDITION_IDENTIFIERS',
      'MUTATE_RESOURCE_RULES',
      'NAMESPACE_NAME_LABEL',
      'NEWEST_KNOWN_KUBE_VERSION',
      'REQUESTER_EXPRESSION',
      'SERVICE_ACCOUNT_EXPRESSION',
      'TYPED_APPLY_PRINTER',
      'VALIDATE_RESOURCE_RULES',
      'bindingsOf',
      'celContext',
      'defaultsPlan',
      'describeGroup',
      'evaluateVapExisting',
      'evaluateVapTranslation',
      'hasValidatingPolicyV1',
      'matchConditionErrors',
      'matchConditionsHold',
      'mergeApplyConfiguration',
      'mutatingPolicyApi',
      'mutationExpression',
      'namespaceSelector',
      'parseKubeVersion',
      'profileField',
      'resourcesMatch',
      'runValidation',
      'scopeConditions',
      'translateVap',
      'typedConstructorsToMaps',
      'undeclaredReferences',
      'usesAuthorizer',
      'validationActionsFor',
      'vapAdmission',
      'vapEvaluator',
      'vapTarget',
      'workloadRequest',
      'wouldChangeExpression',
    ]);
  });
});
