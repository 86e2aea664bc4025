/**
 * Judging workloads by Kyverno policies a cluster already has (`psp-translate evaluate`):
 * hand-written ClusterPolicies (validate.cel runs; pattern and podSecurity rules are reported) and
 * our own policies.kyverno.io/v1 translation read back, which must decide as `check --target kyverno`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { controllerRequester, parseInputs, podFromWorkload, type Pod, type WorkloadContext } from '@psp-translate/core';
import { evaluateKyvernoExisting, kyvernoTarget, translateInputs } from '../src/index.js';

const clusterPolicy = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: { name: host-network }
spec:
  validationFailureAction: Enforce
  validationFailureActionOverrides:
    - { action: Audit, namespaces: [sandbox-*] }
  rules:
    - name: no-host-network
      match:
        any:
          - resources: { kinds: [Pod], namespaces: [team-*, sandbox-*] }
      exclude:
        any:
          - resources: { selector: { matchLabels: { network: host } } }
      celPreconditions:
        - { name: not-kube-system, expression: 'request.namespace != "kube-system"' }
      validate:
        message: host network is not allowed
        cel:
          variables:
            - { name: host, expression: 'has(object.spec.hostNetwork) && object.spec.hostNetwork' }
          expressions:
            - expression: '!variables.host'
              messageExpression: '"pod " + object.metadata.name + " uses the host network"'
    - name: labels
      match: { any: [{ resources: { kinds: [Pod] } }] }
      validate:
        pattern: { metadata: { labels: { app: "?*" } } }
    - name: baseline
      match: { any: [{ resources: { kinds: [Pod] } }] }
      validate:
        podSecurity: { level: baseline, version: latest }
`;

const pod = (namespace: string, spec: Partial<Pod['spec']> = {}, labels: Record<string, string> = {}): WorkloadContext => ({
  workload: { kind: 'Pod', namespace, name: 'web', serviceAccount: 'default' },
  pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace, labels }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } },
});

function judge(text: string) {
  const evaluator = evaluateKyvernoExisting(parseInputs([{ path: 'kyverno.yaml', text }]));
  if (evaluator === null) throw new Error('expected Kyverno policies');
  return evaluator;
}

describe('evaluateKyvernoExisting: ClusterPolicy', () => {
  const evaluate = judge(clusterPolicy);

  it('runs validate.cel rules with match, exclude, celPreconditions, variables and the failure action', () => {
    const rejected = evaluate(pod('team-a', { hostNetwork: true }));
    expect(rejected.admitted).toBe(false);
    expect(rejected.reasons).toEqual(['pod web uses the host network (ClusterPolicy/host-network rule no-host-network)']);
    expect(evaluate(pod('team-a', { hostNetwork: true }, { network: 'host' })).admitted).toBe(true);
    expect(evaluate(pod('default', { hostNetwork: true })).admitted).toBe(true);
    const audited = evaluate(pod('sandbox-1', { hostNetwork: true }));
    expect(audited.admitted).toBe(true);
    expect(audited.warnings).toContain('audit: pod web uses the host network (ClusterPolicy/host-network rule no-host-network)');
  });

  it('reports pattern and podSecurity rules as not evaluated, once overall and on each workload they match', () => {
    expect(evaluate.notes).toEqual([
      'ClusterPolicy/host-network rule labels: not evaluated: validate.pattern needs Kyverno (only validate.cel rules run in-process)',
      'ClusterPolicy/host-network rule baseline: not evaluated: validate.podSecurity needs Kyverno (only validate.cel rules run in-process)',
    ]);
    expect(evaluate(pod('default')).warnings).toEqual(evaluate.notes);
  });

  it('a kyverno.io PolicyException exempts the rules it names, by its match', () => {
    const exception = `---
apiVersion: kyverno.io/v2
kind: PolicyException
metadata: { name: allow-team-a, namespace: kyverno }
spec:
  exceptions: [{ policyName: host-network, ruleNames: [no-host-network] }]
  match: { any: [{ resources: { kinds: [Pod], namespaces: [team-a] } }] }
`;
    const withException = judge(clusterPolicy + exception);
    expect(withException(pod('team-a', { hostNetwork: true })).admitted).toBe(true);
    expect(withException(pod('team-b', { hostNetwork: true })).admitted).toBe(false);
  });
});

describe('evaluateKyvernoExisting: ValidatingPolicy', () => {
  const validatingPolicy = `apiVersion: policies.kyverno.io/v1
kind: ValidatingPolicy
metadata: { name: no-host-network }
spec:
  validationActions: [Warn]
  matchConstraints:
    resourceRules: [{ apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods] }]
  matchConditions:
    - { name: team, expression: 'request.namespace.startsWith("team-")' }
  validations:
    - expression: '!(has(object.spec.hostNetwork) && object.spec.hostNetwork)'
      message: host network is not allowed
`;

  it('warns per validationActions; matchConditions scope it', () => {
    const evaluate = judge(validatingPolicy);
    expect(evaluate(pod('team-a', { hostNetwork: true }))).toEqual({ admitted: true, reasons: [], warnings: ['warn: host network is not allowed (ValidatingPolicy/no-host-network)'] });
    expect(evaluate(pod('default', { hostNetwork: true }))).toEqual({ admitted: true, reasons: [] });
    const deny = judge(validatingPolicy.replace('[Warn]', '[Deny]'));
    expect(deny(pod('team-a', { hostNetwork: true })).reasons).toEqual(['host network is not allowed (ValidatingPolicy/no-host-network)']);
  });
});

describe('our translation of the example cluster, read back as existing policies', () => {
  const root = new URL('../../../examples/cluster/', import.meta.url);
  const files = readdirSync(root)
    .filter((n) => n.endsWith('.yaml'))
    .map((n) => ({ path: n, text: readFileSync(new URL(n, root), 'utf8') }))
    .concat(readdirSync(new URL('workloads/', root)).map((n) => ({ path: `workloads/${n}`, text: readFileSync(new URL(`workloads/${n}`, root), 'utf8') })));
  const inputs = parseInputs(files);
  const contexts = inputs.workloads.map((workload): WorkloadContext => {
    const { pod: created, namespace, serviceAccount } = podFromWorkload(workload);
    const requester = controllerRequester(workload.kind);
    return { workload: { kind: workload.kind, namespace, name: workload.name, serviceAccount }, pod: created, ...(requester === undefined ? {} : { requester }) };
  });

  it('policies.kyverno.io/v1 (ValidatingPolicy, MutatingPolicy, PolicyException): every workload decided as check --target kyverno', () => {
    const { objects } = translateInputs(inputs, { actions: { action: 'deny', kyverno: 'Enforce' }, kyverno: { api: 'policies.kyverno.io/v1' } });
    const existing = evaluateKyvernoExisting(parseInputs([{ path: 'kyverno.yaml', text: objects.map((o) => JSON.stringify(o)).join('\n---\n') }]));
    const check = kyvernoTarget.evaluate(undefined, inputs);
    expect(existing?.notes).toEqual([]);
    let rejected = 0;
    for (const context of contexts) {
      const expected = check(context);
      const actual = existing!(context);
      expect(actual.admitted, `${context.workload.kind}/${context.workload.name}: ${JSON.stringify(actual)}`).toBe(expected.admitted);
      expect(actual.reasons.length).toBe(expected.reasons.length);
      if (!expected.admitted) rejected++;
    }
    expect(rejected).toBeGreaterThan(0);
  });

  it('kyverno.io/v1 ClusterPolicies (cel style, --no-mutate): validate.cel rules run; only the JMESPath conditions of the exception are reported', () => {
    const { objects } = translateInputs(inputs, { actions: { action: 'deny', kyverno: 'Enforce' }, mutate: false });
    const existing = evaluateKyvernoExisting(parseInputs([{ path: 'kyverno.yaml', text: objects.map((o) => JSON.stringify(o)).join('\n---\n') }]));
    expect(existing).not.toBeNull();
    expect(existing!.notes.every((n) => /PolicyException\/.*JMESPath conditions/.test(n))).toBe(true);
    // debug-tools is rejected by every translation (privileged in shop, no PSP allows it).
    const debug = contexts.find((c) => c.workload.name === 'debug-tools') as WorkloadContext;
    expect(existing!(debug).admitted).toBe(false);
    expect(kyvernoTarget.evaluate(undefined, inputs)(debug).admitted).toBe(false);
  });
});
