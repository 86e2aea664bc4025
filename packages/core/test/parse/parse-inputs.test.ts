import { describe, expect, test } from 'vitest';
import { InputError, type InputIssue, parseInputs } from '@psp-translate/core';

const PSP_SPEC = `spec:
  seLinux: {rule: RunAsAny}
  runAsUser: {rule: RunAsAny}
  supplementalGroups: {rule: RunAsAny}
  fsGroup: {rule: RunAsAny}`;

function psp(name: string, extraSpec = ''): string {
  return `apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: ${name}\n${PSP_SPEC}\n${extraSpec}`;
}

function issuesOf(run: () => unknown): InputIssue[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return [...error.issues];
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('parseInputs', () => {
  test('multi-document YAML: objects by role, positions of each object, policies sorted by name', () => {
    const text = [
      '# leading comment',
      psp('zeta'),
      '---',
      '---',
      psp('alpha'),
      '---',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings',
      '---',
      'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  namespace: shop',
    ].join('\n');
    const set = parseInputs([{ path: 'all.yaml', text }]);
    expect(set.policies.map((policy) => [policy.name, policy.source])).toEqual([
      ['alpha', { file: 'all.yaml', line: 14, column: 1 }],
      ['zeta', { file: 'all.yaml', line: 2, column: 1 }],
    ]);
    expect(set.skipped).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', source: { file: 'all.yaml', line: 25, column: 1 } }]);
    expect(set.serviceAccounts.map((sa) => [sa.name, sa.namespace, sa.source.line])).toEqual([['app', 'shop', 30]]);
  });

  test('kind: List and typed lists are unwrapped, each item keeping its own position', () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: policy/v1beta1
  kind: PodSecurityPolicy
  metadata: {name: from-list}
  spec: {seLinux: {rule: RunAsAny}, runAsUser: {rule: RunAsAny}, supplementalGroups: {rule: RunAsAny}, fsGroup: {rule: RunAsAny}}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRole
  metadata: {name: "psp:from-list"}
  rules: [{apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use]}]
---
apiVersion: policy/v1beta1
kind: PodSecurityPolicyList
items:
- metadata: {name: typed}
  spec: {seLinux: {rule: RunAsAny}, runAsUser: {rule: RunAsAny}, supplementalGroups: {rule: RunAsAny}, fsGroup: {rule: RunAsAny}}
`;
    const set = parseInputs([{ path: 'list.yaml', text }]);
    expect(set.policies.map((policy) => [policy.name, policy.source.line, policy.source.column])).toEqual([
      ['from-list', 4, 3],
      ['typed', 16, 3],
    ]);
    expect(set.rbac.clusterRoles.map((role) => [role.name, role.source.line])).toEqual([['psp:from-list', 8]]);
  });

  test('an invalid field inside a List item is located in the item', () => {
    const text = `kind: List\napiVersion: v1\nitems:\n- ${psp('x', '  privileged: maybe').replaceAll('\n', '\n  ')}\n`;
    expect(issuesOf(() => parseInputs([{ path: 'l.yaml', text }]))).toEqual([
      { file: 'l.yaml', line: 13, column: 17, object: 'PodSecurityPolicy/x', field: 'spec.privileged', message: 'expected boolean, got string "maybe"' },
    ]);
  });

  test('YAML 1.1 as kubectl reads it: yes/no/on/off booleans, octal numbers, dates stay strings', () => {
    const text = psp(
      'yaml11',
      '  privileged: yes\n  hostNetwork: on\n  hostPID: off\n  hostIPC: No\n  hostPorts: [{min: 0755, max: 0o1}]\n',
    ).replace('  name: yaml11', '  name: yaml11\n  annotations: {released: 2021-01-01, ratio: "1:20"}');
    // `0o1` is not an octal literal in YAML 1.1: it stays a string and is reported.
    expect(issuesOf(() => parseInputs([{ path: 'y.yaml', text }])).map((issue) => [issue.field, issue.message])).toEqual([
      ['spec.hostPorts[0].max', 'expected number, got string "0o1"'],
    ]);
    const set = parseInputs([{ path: 'y.yaml', text: text.replace('0o1', '0777') }]);
    const [policy] = set.policies;
    expect(policy!.controls.privileged.validate.allowPrivileged).toBe(true);
    expect(policy!.controls.hostNamespaces.validate).toEqual({ allowHostNetwork: true, allowHostPID: false, allowHostIPC: false });
    expect(policy!.controls.hostPorts.validate.ranges).toEqual([{ min: 493, max: 511 }]);
    expect(policy!.annotations).toEqual({ released: '2021-01-01', ratio: '1:20' });
  });

  test('merge keys and anchors resolve, and fields reached through them are located', () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: policy/v1beta1
  kind: PodSecurityPolicy
  metadata: {name: first}
  spec: &base
    seLinux: {rule: RunAsAny}
    runAsUser: {rule: RunAsAny}
    supplementalGroups: {rule: RunAsAny}
    fsGroup: {rule: RunAsAny}
    hostPID: "true"
- apiVersion: policy/v1beta1
  kind: PodSecurityPolicy
  metadata: {name: second}
  spec:
    <<: *base
    privileged: true
`;
    const issues = issuesOf(() => parseInputs([{ path: 'm.yaml', text }]));
    expect(issues.map((issue) => [issue.object, issue.line, issue.column, issue.field])).toEqual([
      ['PodSecurityPolicy/first', 12, 14, 'spec.hostPID'],
      ['PodSecurityPolicy/second', 12, 14, 'spec.hostPID'],
    ]);
    const set = parseInputs([{ path: 'm.yaml', text: text.replace('hostPID: "true"', 'hostPID: true') }]);
    expect(set.policies.map((policy) => [policy.name, policy.controls.hostNamespaces.validate.allowHostPID, policy.controls.privileged.validate.allowPrivileged])).toEqual([
      ['first', true, false],
      ['second', true, true],
    ]);
  });

  test('JSON files parse, with positions', () => {
    const text = JSON.stringify(
      {
        apiVersion: 'policy/v1beta1',
        kind: 'PodSecurityPolicy',
        metadata: { name: 'json' },
        spec: { seLinux: { rule: 'RunAsAny' }, runAsUser: { rule: 'RunAsAny' }, supplementalGroups: { rule: 'RunAsAny' }, fsGroup: { rule: 'Nope' } },
      },
      null,
      '\t',
    );
    expect(issuesOf(() => parseInputs([{ path: 'p.json', text }]))).toMatchObject([
      { file: 'p.json', line: 18, field: 'spec.fsGroup.rule', message: 'invalid value "Nope"; valid values: MustRunAs, MayRunAs, RunAsAny' },
    ]);
  });

  test('issues from every file are collected and sorted by file order, then line', () => {
    const issues = issuesOf(() =>
      parseInputs([
        { path: 'b.yaml', text: `${psp('b', '  hostIPC: 3\n  hostPID: 2')}` },
        { path: 'a.yaml', text: 'key: [unclosed\n' },
        { path: 'c.yaml', text: psp('b') },
      ]),
    );
    expect(issues.map((issue) => `${issue.file}:${issue.line}: ${issue.field ?? issue.message}`)).toEqual([
      'b.yaml:10: spec.hostIPC',
      'b.yaml:11: spec.hostPID',
      'a.yaml:2: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  test('duplicate names across files name both places', () => {
    const issues = issuesOf(() => parseInputs([{ path: 'one.yaml', text: psp('same') }, { path: 'two.yaml', text: `\n\n${psp('same')}` }]));
    expect(issues).toEqual([
      expect.objectContaining({ file: 'two.yaml', line: 3, message: expect.stringContaining('also defined at one.yaml:1:1') }),
    ]);
  });

  test('namespaced objects: own namespace, else defaultNamespace (flagged), else undefined', () => {
    const text = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: psp}
subjects: [{kind: ServiceAccount, name: default}]
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, namespace: ignored}
`;
    const withDefault = parseInputs([{ path: 'ns.yaml', text }], { defaultNamespace: 'team' });
    expect(withDefault.rbac.roleBindings[0]).toMatchObject({ namespace: 'team', namespaceDefaulted: true });
    expect(withDefault.workloads[0]).toMatchObject({ kind: 'Pod', namespace: 'shop' });
    expect(withDefault.workloads[0]!.namespaceDefaulted).toBeUndefined();
    expect(withDefault.namespaces[0]).toMatchObject({ name: 'shop', namespace: undefined });
    expect(parseInputs([{ path: 'ns.yaml', text }]).rbac.roleBindings[0]!.namespace).toBeUndefined();
  });

  test('workloads of every kind need a pod spec with containers; other API groups are skipped', () => {
    const text = `apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec: {schedule: "@daily", jobTemplate: {spec: {template: {spec: {containers: [{name: a, image: b}]}}}}}
---
apiVersion: v1
kind: PodTemplate
metadata: {name: tpl}
template: {spec: {containers: [{name: a, image: b}]}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec: {template: {metadata: {}}}
---
apiVersion: example.com/v1
kind: Deployment
metadata: {name: not-apps}
`;
    const issues = issuesOf(() => parseInputs([{ path: 'w.yaml', text }]));
    expect(issues).toEqual([
      {
        file: 'w.yaml',
        line: 14,
        column: 18,
        object: 'StatefulSet/db',
        field: 'spec.template.spec.containers',
        message: 'required field is missing (a StatefulSet needs a pod spec with a list of containers)',
      },
    ]);
    const set = parseInputs([{ path: 'w.yaml', text: text.replace('{template: {metadata: {}}}', '{template: {spec: {containers: []}}}') }]);
    expect(set.workloads.map((workload) => workload.kind)).toEqual(['CronJob', 'PodTemplate', 'StatefulSet']);
    expect(set.skipped.map((object) => `${object.apiVersion} ${object.kind}`)).toEqual(['example.com/v1 Deployment']);
  });

  test('empty documents and files are skipped silently', () => {
    const set = parseInputs([
      { path: 'empty.yaml', text: '' },
      { path: 'comments.yaml', text: '# nothing here\n---\n---\n~\n' },
    ]);
    expect(set.policies).toEqual([]);
    expect(set.skipped).toEqual([]);
  });

  test('PSP apiVersions: policy/v1beta1 and extensions/v1beta1 are read, others in the group refused', () => {
    const set = parseInputs([{ path: 'e.yaml', text: psp('old').replace('policy/v1beta1', 'extensions/v1beta1') }]);
    expect(set.policies[0]!.apiVersion).toBe('extensions/v1beta1');
    expect(issuesOf(() => parseInputs([{ path: 'v1.yaml', text: psp('new').replace('policy/v1beta1', 'policy/v1') }]))[0]).toMatchObject({
      line: 1,
      column: 13,
      field: 'apiVersion',
      message: 'invalid value "policy/v1"; valid values: policy/v1beta1, extensions/v1beta1',
    });
  });

  test('a PodSecurityPolicy or RBAC kind under a mistyped API group is refused, not skipped; other APIs\' kinds of the same name are skipped', () => {
    const text = [
      psp('typo').replace('policy/v1beta1', 'polcy/v1beta1'),
      '---',
      psp('core').replace('policy/v1beta1', 'v1'),
      '---',
      'apiVersion: rbac.authorization.k8s/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: []',
      '---',
      'apiVersion: v1\nkind: RoleBinding\nmetadata: {name: b, namespace: x}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}',
      '---',
      'apiVersion: iam.aws.crossplane.io/v1beta1\nkind: Role\nmetadata: {name: aws-role}\nspec: {}',
    ].join('\n');
    expect(issuesOf(() => parseInputs([{ path: 'g.yaml', text }])).map((issue) => `${issue.line}:${issue.column} ${issue.object} ${issue.field}: ${issue.message}`)).toEqual([
      '1:13 PodSecurityPolicy/typo apiVersion: invalid value "polcy/v1beta1"; did you mean `policy/v1beta1`? valid values: policy/v1beta1, extensions/v1beta1',
      '12:13 PodSecurityPolicy/core apiVersion: invalid value "v1"; valid values: policy/v1beta1, extensions/v1beta1',
      '23:13 ClusterRole/r apiVersion: invalid value "rbac.authorization.k8s/v1"; valid values: rbac.authorization.k8s.io/v1, rbac.authorization.k8s.io/v1beta1, rbac.authorization.k8s.io/v1alpha1',
      '28:13 RoleBinding/b apiVersion: invalid value "v1"; valid values: rbac.authorization.k8s.io/v1, rbac.authorization.k8s.io/v1beta1, rbac.authorization.k8s.io/v1alpha1',
    ]);
    const crossplane = parseInputs([{ path: 'c.yaml', text: text.split('---\n').at(-1)! }]);
    expect(crossplane.skipped).toMatchObject([{ apiVersion: 'iam.aws.crossplane.io/v1beta1', kind: 'Role', name: 'aws-role' }]);
  });

  test('a missing required strategy names the field and points at the mapping that lacks it', () => {
    const text = 'apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: p}\nspec:\n  privileged: false\n';
    expect(issuesOf(() => parseInputs([{ path: 'r.yaml', text }])).map((issue) => `${issue.line}:${issue.column} ${issue.field}: ${issue.message}`)).toEqual([
      '5:3 spec.seLinux: required field is missing (expected mapping)',
      '5:3 spec.runAsUser: required field is missing (expected mapping)',
      '5:3 spec.supplementalGroups: required field is missing (expected mapping)',
      '5:3 spec.fsGroup: required field is missing (expected mapping)',
    ]);
  });

  test('YAML nested deeper than the limit is refused before it is composed (no stack overflow), with where and how deep', () => {
    const flow = '['.repeat(5_000) + ']'.repeat(5_000);
    const block = Array.from({ length: 1_200 }, (_, level) => `${' '.repeat(level)}- `).join('\n') + '1\n';
    const document = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  x: ${'{a: '.repeat(300)}1${'}'.repeat(300)}\n`;
    // Run twice: a second deep run used to crash the process with a V8 out-of-memory error.
    for (let run = 0; run < 2; run++) {
      expect(issuesOf(() => parseInputs([{ path: 'flow.yaml', text: flow }]))).toEqual([
        { file: 'flow.yaml', line: 1, column: 257, message: expect.stringMatching(/^YAML nests 5000 levels deep; the limit is 256 levels/) },
      ]);
    }
    expect(issuesOf(() => parseInputs([{ path: 'block.yaml', text: block }]))).toEqual([
      { file: 'block.yaml', line: 257, column: 257, message: expect.stringMatching(/^YAML nests 1200 levels deep; the limit is 256 levels/) },
    ]);
    expect(issuesOf(() => parseInputs([{ path: 'cm.yaml', text: document }]))).toEqual([
      { file: 'cm.yaml', line: 5, column: 6 + 254 * 4, message: expect.stringMatching(/^YAML nests 302 levels deep/) },
    ]);
    // At the limit, nesting is read as usual.
    const atLimit = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  x: ${'['.repeat(254)}1${']'.repeat(254)}\n`;
    expect(parseInputs([{ path: 'ok.yaml', text: atLimit }]).skipped).toMatchObject([{ kind: 'ConfigMap', name: 'deep' }]);
  });

  test('a document nested too deep refuses its whole file, documents read before it included', () => {
    // Documents are composed one at a time, so the ones before the deep one were already read.
    const deep = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: ${'['.repeat(300)}${']'.repeat(300)}\n`;
    const first = [psp('shared'), psp('broken', '  privileged: "yes please"'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keys}\ndata: {[a]: 1}', deep, psp('after', '  hostPID: 5')].join('\n---\n');
    expect(issuesOf(() => parseInputs([{ path: 'first.yaml', text: first }, { path: 'second.yaml', text: psp('shared', '  hostIPC: 1') }]))).toEqual([
      { file: 'first.yaml', line: 31, column: 262, message: expect.stringMatching(/^YAML nests 301 levels deep/) },
      // Not also "duplicate PodSecurityPolicy name": first.yaml's `shared` was taken back with its file.
      { file: 'second.yaml', line: 10, column: 12, object: 'PodSecurityPolicy/shared', field: 'spec.hostIPC', message: 'expected boolean, got number 1' },
    ]);
    expect(issuesOf(() => parseInputs([{ path: 'first.yaml', text: first }, { path: 'second.yaml', text: psp('shared') }]))).toHaveLength(1);
  });

  test('a mapping key that is a collection is refused where it is written, and nothing is printed', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keys}\ndata:\n  ? [a, b]\n  : 1\n  ? {c: d}\n  : 2\n  e: [{[f]: 3}]\n';
    const issues = issuesOf(() => parseInputs([{ path: 'keys.yaml', text }]));
    // Node emits warnings on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(warnings).toEqual([]);
    expect(issues.map((issue) => `${issue.line}:${issue.column} ${issue.message}`)).toEqual([
      expect.stringMatching(/^5:5 mapping key is a sequence; Kubernetes objects only have string keys/),
      expect.stringMatching(/^7:5 mapping key is a mapping; /),
      expect.stringMatching(/^9:8 mapping key is a sequence; /),
    ]);
  });

  test('oversized input is refused before parsing, with how to raise the limit', () => {
    const issues = issuesOf(() => parseInputs([{ path: 'big.yaml', text: 'x'.repeat(2048) }], { maxBytes: 1024 }));
    expect(issues).toEqual([{ file: 'big.yaml', message: expect.stringMatching(/too large \(2\.0 KiB; the limit is 1\.0 KiB.*maxBytes/) }]);
  });
});
