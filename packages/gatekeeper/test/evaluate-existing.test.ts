/**
 * Judging workloads by Gatekeeper objects a cluster already has (`psp-translate evaluate`):
 * hand-written CEL templates, Rego-only ones (reported, never silently passed), and our own
 * translation read back as if from the cluster, which must decide as `check --target gatekeeper`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { controllerRequester, parseInputs, podFromWorkload, type InputSet, type Pod, type WorkloadContext } from '@psp-translate/core';
import { evaluateGatekeeperExisting, gatekeeperTarget } from '../src/index.js';

const celTemplate = `apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: { name: k8sdenyhostnetwork }
spec:
  crd:
    spec:
      names: { kind: K8sDenyHostNetwork }
  targets:
    - target: admission.k8s.gatekeeper.sh
      code:
        - engine: K8sNativeValidation
          source:
            variables:
              - { name: hostNetwork, expression: 'has(variables.anyObject.spec.hostNetwork) && variables.anyObject.spec.hostNetwork' }
            validations:
              - expression: '!variables.hostNetwork || object.metadata.name in variables.params.allowed'
                messageExpression: '"hostNetwork is not allowed for " + object.metadata.name'
`;

const constraint = (name: string, extra: string) => `---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sDenyHostNetwork
metadata: { name: ${name} }
spec:
${extra}
`;

const regoTemplate = `---
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: { name: k8srequiredlabels }
spec:
  crd: { spec: { names: { kind: K8sRequiredLabels } } }
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8srequiredlabels
        violation[{"msg": "no"}] { true }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sRequiredLabels
metadata: { name: must-have-owner }
spec: { match: { kinds: [{ apiGroups: [""], kinds: [Pod] }], namespaces: [team-*] } }
`;

function judge(text: string) {
  const evaluator = evaluateGatekeeperExisting(parseInputs([{ path: 'gatekeeper.yaml', text }]));
  if (evaluator === null) throw new Error('expected Gatekeeper objects');
  return evaluator;
}

const pod = (namespace: string, name: string, spec: Partial<Pod['spec']> = {}): WorkloadContext => ({
  workload: { kind: 'Pod', namespace, name, serviceAccount: 'default' },
  pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } },
});

describe('evaluateGatekeeperExisting', () => {
  it('runs a CEL template with its constraint: match by kind and namespace glob, parameters as variables.params', () => {
    const evaluate = judge(celTemplate + constraint('no-host-network', '  match: { kinds: [{ apiGroups: [""], kinds: [Pod] }], namespaces: [team-*], excludedNamespaces: [team-ops] }\n  parameters: { allowed: [exporter] }'));
    expect(evaluate(pod('team-a', 'web', { hostNetwork: true }))).toEqual({
      admitted: false,
      reasons: ['hostNetwork is not allowed for web (K8sDenyHostNetwork/no-host-network)'],
    });
    expect(evaluate(pod('team-a', 'exporter', { hostNetwork: true })).admitted).toBe(true);
    expect(evaluate(pod('team-ops', 'web', { hostNetwork: true })).admitted).toBe(true);
    expect(evaluate(pod('default', 'web', { hostNetwork: true })).admitted).toBe(true);
    expect(evaluate(pod('team-a', 'web')).admitted).toBe(true);
    expect(evaluate.notes).toEqual([]);
  });

  it('enforcementAction warn and dryrun admit with warnings; labelSelector and namespaceSelector select', () => {
    const namespace = '---\napiVersion: v1\nkind: Namespace\nmetadata: { name: prod, labels: { tier: prod } }\n';
    const evaluate = judge(
      celTemplate +
        constraint('warn', '  enforcementAction: warn\n  match: { labelSelector: { matchLabels: { app: web } } }\n  parameters: { allowed: [] }') +
        constraint('audit', '  enforcementAction: dryrun\n  match: { namespaceSelector: { matchLabels: { tier: prod } } }\n  parameters: { allowed: [] }') +
        namespace,
    );
    expect(evaluate(pod('prod', 'web', { hostNetwork: true }))).toEqual({
      admitted: true,
      reasons: [],
      warnings: ['warn: hostNetwork is not allowed for web (K8sDenyHostNetwork/warn)', 'dryrun: hostNetwork is not allowed for web (K8sDenyHostNetwork/audit)'],
    });
    expect(evaluate(pod('dev', 'api', { hostNetwork: true }))).toEqual({ admitted: true, reasons: [] });
  });

  it('reports a Rego-only template as not evaluated, once overall and on every workload its constraint selects', () => {
    const evaluate = judge(celTemplate + regoTemplate);
    expect(evaluate.notes).toEqual(['ConstraintTemplate/k8srequiredlabels: not evaluated: Rego needs OPA; psp-translate runs only a template\'s CEL']);
    expect(evaluate(pod('team-a', 'web'))).toEqual({
      admitted: true,
      reasons: [],
      warnings: ['K8sRequiredLabels/must-have-owner: not evaluated: its template k8srequiredlabels has no CEL code (Rego needs OPA)'],
    });
    expect(evaluate(pod('default', 'web')).warnings).toBeUndefined();
  });

  it('a constraint without its template is reported; no Gatekeeper objects at all gives null', () => {
    expect(judge(constraint('orphan', '  parameters: {}')).notes).toEqual(['K8sDenyHostNetwork/orphan: not evaluated: no ConstraintTemplate for kind K8sDenyHostNetwork in the inputs']);
    expect(evaluateGatekeeperExisting(parseInputs([{ path: 'x.yaml', text: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: x }\n' }]))).toBeNull();
  });
});

describe('our translation of the example cluster, read back as existing policies', () => {
  it('decides every workload as check --target gatekeeper does', () => {
    const root = new URL('../../../examples/cluster/', import.meta.url);
    const files = readdirSync(root)
      .filter((n) => n.endsWith('.yaml'))
      .map((n) => ({ path: n, text: readFileSync(new URL(n, root), 'utf8') }))
      .concat(readdirSync(new URL('workloads/', root)).map((n) => ({ path: `workloads/${n}`, text: readFileSync(new URL(`workloads/${n}`, root), 'utf8') })));
    const inputs = parseInputs(files);
    const translation = gatekeeperTarget.translate(inputs, { actions: { gatekeeper: 'deny' } });
    const fromCluster: InputSet = parseInputs([{ path: 'gatekeeper.yaml', text: translation.objects.map((o) => JSON.stringify(o)).join('\n---\n') }]);
    expect(fromCluster.others).toHaveLength(translation.objects.length);
    const existing = evaluateGatekeeperExisting(fromCluster);
    const check = gatekeeperTarget.evaluate(translation);
    expect(existing?.notes).toEqual([]);
    let rejected = 0;
    for (const workload of inputs.workloads) {
      const { pod, namespace, serviceAccount } = podFromWorkload(workload);
      const requester = controllerRequester(workload.kind);
      const context: WorkloadContext = { workload: { kind: workload.kind, namespace, name: workload.name, serviceAccount }, pod, ...(requester === undefined ? {} : { requester }) };
      const expected = check(context);
      expect(existing!(context).admitted, `${workload.kind}/${workload.name}`).toBe(expected.admitted);
      if (!expected.admitted) rejected++;
    }
    expect(rejected).toBeGreaterThan(0);
  });
});
