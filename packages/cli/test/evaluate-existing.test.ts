/**
 * `psp-translate evaluate` on other engines' policies: our own translation written to disk and
 * read back must decide every workload as `check --target` decides it (what we emit is what we
 * evaluate), a user's own ValidatingAdmissionPolicy can be dry-run, and what cannot run in-process
 * (a Rego-only ConstraintTemplate) is reported, never silently passed.
 */
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleCluster, runCli, temporaryDirectory } from './helpers.js';

interface Outcome {
  admitted: boolean | null;
  reasons: string[];
  warnings?: string[];
  notEvaluated?: string;
}
interface Document {
  results: { workload: { kind: string; namespace: string; name: string }; targets: Record<string, Outcome> }[];
  summary: { workloads: number; admitted: number; rejected: number; targets: Record<string, { admitted: number; rejected: number; notEvaluated: number }> };
}

const workloadsDir = path.join(exampleCluster, 'workloads');
let dir: string;
let remove: () => Promise<void>;
let checked: Document;

beforeAll(async () => {
  ({ dir, remove } = await temporaryDirectory());
  const check = await runCli(['check', exampleCluster, '--workloads', workloadsDir, '--target', 'gatekeeper,kyverno,vap', '--format', 'json']);
  checked = JSON.parse(check.stdout) as Document;
}, 60_000);
afterAll(async () => remove());

const key = (result: Document['results'][number]) => `${result.workload.kind}/${result.workload.namespace}/${result.workload.name}`;

describe('round trip: translate, then evaluate the written objects', () => {
  it.each([
    ['gatekeeper', []],
    ['vap', []],
    // check judges Kyverno through the policies.kyverno.io/v1 form of the translation.
    ['kyverno', ['--kyverno-api', 'policies.kyverno.io/v1']],
  ] as const)('%s: every workload gets the verdict check --target gives', async (target, flags) => {
    const out = path.join(dir, target);
    const translate = await runCli(['translate', exampleCluster, '--target', target, '--action', 'deny', ...flags, '--out-dir', out]);
    expect(translate.code, translate.stderr).not.toBe(2);
    // The directory as translate wrote it, ownership marker included: what a user would pass (and kubectl apply -f) too.
    const files = (await readdir(path.join(out, target))).filter((name) => name.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(3);
    const result = await runCli(['evaluate', path.join(out, target), '--workloads', workloadsDir, '--format', 'json']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).not.toMatch(/not evaluated/);
    const evaluated = JSON.parse(result.stdout) as Document;
    // Only this engine's policies are in the directory: the others are left out.
    expect(Object.keys(evaluated.summary.targets)).toEqual([target]);
    const expected = new Map(checked.results.map((r) => [key(r), r.targets[target]?.admitted]));
    expect(evaluated.results.length).toBe(checked.results.length);
    for (const entry of evaluated.results) {
      const outcome = entry.targets[target] as Outcome;
      expect(typeof outcome.admitted).toBe('boolean');
      expect(outcome.admitted, `${key(entry)}: ${JSON.stringify(outcome)}`).toBe(expected.get(key(entry)));
      expect(outcome.reasons.length > 0).toBe(outcome.admitted === false);
    }
    expect(evaluated.summary.targets[target]).toEqual({
      admitted: checked.summary.targets[target]?.admitted,
      rejected: checked.summary.targets[target]?.rejected,
      notEvaluated: 0,
    });
  }, 60_000);
});

const userPolicies = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: no-host-network }
spec:
  matchConstraints:
    resourceRules:
      - { apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods, pods/ephemeralcontainers] }
  validations:
    - expression: '!has(object.spec.hostNetwork) || !object.spec.hostNetwork'
      message: pods in x may not use the host network
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: no-host-network-in-x }
spec:
  policyName: no-host-network
  validationActions: [Deny]
  matchResources:
    namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: x } }
---
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: { name: k8srequiredlabels }
spec:
  crd: { spec: { names: { kind: K8sRequiredLabels } } }
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8srequiredlabels
        violation[{"msg": "label owner is required"}] { not input.review.object.metadata.labels.owner }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sRequiredLabels
metadata: { name: owner }
spec: { match: { kinds: [{ apiGroups: [""], kinds: [Pod] }] } }
`;

const userWorkloads = `apiVersion: v1
kind: Pod
metadata: { name: agent, namespace: x }
spec: { hostNetwork: true, containers: [{ name: c, image: busybox }] }
---
apiVersion: v1
kind: Pod
metadata: { name: agent, namespace: other }
spec: { hostNetwork: true, containers: [{ name: c, image: busybox }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: x }
spec: { template: { spec: { containers: [{ name: c, image: nginx }] } } }
`;

describe("a user's own policies", () => {
  it('dry-runs a hand-written ValidatingAdmissionPolicy; reports a Rego-only ConstraintTemplate as not evaluated', async () => {
    await writeFile(path.join(dir, 'policies.yaml'), userPolicies);
    await writeFile(path.join(dir, 'workloads.yaml'), userWorkloads);
    const result = await runCli(['evaluate', 'policies.yaml', '--workloads', 'workloads.yaml', '--format', 'json'], { cwd: dir });
    expect(result.code).toBe(1);
    const document = JSON.parse(result.stdout) as Document;
    expect(document.results.map((r) => [key(r), r.targets['vap']?.admitted])).toEqual([
      ['Pod/x/agent', false],
      ['Pod/other/agent', true],
      ['Deployment/x/web', true],
    ]);
    expect(document.results[0]?.targets['vap']?.reasons).toEqual(['pods in x may not use the host network (ValidatingAdmissionPolicy no-host-network, binding no-host-network-in-x)']);
    // The Rego template decides nothing here: admitted as far as we can tell, with the gap on every workload it selects and once on stderr.
    for (const entry of document.results) {
      expect(entry.targets['gatekeeper']).toEqual({ admitted: true, reasons: [], warnings: ['K8sRequiredLabels/owner: not evaluated: its template k8srequiredlabels has no CEL code (Rego needs OPA)'] });
    }
    expect(result.stderr).toContain("note: gatekeeper: ConstraintTemplate/k8srequiredlabels: not evaluated: Rego needs OPA; psp-translate runs only a template's CEL\n");
    expect(result.stderr).toContain('note: the inputs hold no kyverno, psa policies\n');
    expect(result.stderr).not.toMatch(/skipped/);
    expect(document.summary).toEqual({
      workloads: 3,
      admitted: 2,
      rejected: 1,
      targets: { gatekeeper: { admitted: 3, rejected: 0, notEvaluated: 0 }, vap: { admitted: 2, rejected: 1, notEvaluated: 0 } },
    });
  });

  it('other commands still count those policies as skipped', async () => {
    await writeFile(path.join(dir, 'policies.yaml'), userPolicies);
    const result = await runCli(['check', exampleCluster, 'policies.yaml', '--workloads', workloadsDir, '--format', 'json'], { cwd: dir });
    expect(result.stderr).toMatch(/note: skipped 5 objects of kinds psp-translate does not read \(ConstraintTemplate, K8sRequiredLabels, Service, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding\)/);
  });
});
