import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TargetModule, TargetRegistry } from '../src/targets.js';
import { runCli, temporaryDirectory } from './helpers.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await temporaryDirectory()));
afterEach(async () => remove());

const namespaces = `apiVersion: v1
kind: Namespace
metadata:
  name: app
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/enforce-version: v1.30
    pod-security.kubernetes.io/warn: restricted
---
apiVersion: v1
kind: Namespace
metadata:
  name: open
---
apiVersion: v1
kind: Namespace
metadata:
  name: typo
  labels:
    pod-security.kubernetes.io/enforce: baseline-ish
`;

const workloads = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: app }
spec:
  template:
    spec:
      serviceAccountName: web
      containers: [{ name: web, image: nginx }]
---
apiVersion: v1
kind: Pod
metadata: { name: debug, namespace: app }
spec:
  hostNetwork: true
  ephemeralContainers: [{ name: shell, image: busybox, securityContext: { privileged: true } }]
  containers: [{ name: main, image: busybox }]
---
apiVersion: v1
kind: Pod
metadata: { name: debug, namespace: open }
spec:
  containers: [{ name: shell, image: busybox, securityContext: { privileged: true } }]
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly, namespace: elsewhere }
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{ name: c, image: busybox, securityContext: { privileged: true } }]
---
apiVersion: v1
kind: Pod
metadata: { name: plain, namespace: typo }
spec:
  containers: [{ name: c, image: busybox }]
`;

interface EvaluateDocument {
  results: { workload: { kind: string; namespace: string; name: string; serviceAccount: string }; targets: Record<string, { admitted: boolean | null; reasons: string[]; warnings?: string[]; notEvaluated?: string }> }[];
  summary: unknown;
}

async function evaluate(argv: string[] = [], options: { targets?: TargetRegistry } = {}) {
  await writeFile(path.join(dir, 'namespaces.yaml'), namespaces);
  await writeFile(path.join(dir, 'workloads.yaml'), workloads);
  return runCli(['evaluate', 'namespaces.yaml', '--workloads', 'workloads.yaml', ...argv], { cwd: dir, ...options });
}

describe('psp-translate evaluate with Pod Security labels', () => {
  it('judges each workload by its namespace labels: the json contract without psp', async () => {
    const result = await evaluate(['--target', 'psa', '--format', 'json']);
    expect(result.code).toBe(1);
    const document = JSON.parse(result.stdout) as EvaluateDocument;
    expect(document.results.map((r) => Object.keys(r))).toEqual(Array(5).fill(['workload', 'targets']));
    expect(document.results.map((r) => r.workload)).toEqual([
      { kind: 'Deployment', namespace: 'app', name: 'web', serviceAccount: 'web' },
      { kind: 'Pod', namespace: 'app', name: 'debug', serviceAccount: 'default' },
      { kind: 'Pod', namespace: 'open', name: 'debug', serviceAccount: 'default' },
      { kind: 'CronJob', namespace: 'elsewhere', name: 'nightly', serviceAccount: 'default' },
      { kind: 'Pod', namespace: 'typo', name: 'plain', serviceAccount: 'default' },
    ]);
    const [web, appDebug, openDebug, nightly, plain] = document.results.map((r) => r.targets['psa']);
    // Admitted at baseline; the warn label (restricted) speaks up.
    expect(web).toEqual({ admitted: true, reasons: [], warnings: [expect.stringMatching(/^would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false/)] });
    // An ephemeral container is checked like any other.
    expect(appDebug).toEqual({
      admitted: false,
      reasons: [
        'host namespaces (hostNetwork=true) (namespace app enforces baseline:v1.30)',
        'privileged (container "shell" must not set securityContext.privileged=true) (namespace app enforces baseline:v1.30)',
      ],
    });
    // A namespace without labels is privileged.
    expect(openDebug).toEqual({ admitted: true, reasons: [] });
    // A namespace the inputs do not define: judged as unlabelled, and said so.
    expect(nightly).toEqual({
      admitted: true,
      reasons: [],
      warnings: ['namespace elsewhere is not in the inputs: judged as a namespace without Pod Security labels (enforce privileged)'],
    });
    // An invalid enforce level fails closed (restricted), as the plugin does, and is reported.
    expect(plain?.admitted).toBe(false);
    expect(plain?.reasons[0]).toMatch(/\(namespace typo enforces restricted:latest\)$/);
    expect(plain?.warnings?.[0]).toMatch(/^namespace "typo": label pod-security\.kubernetes\.io\/enforce: .*baseline-ish/);
    expect(document.summary).toEqual({ workloads: 5, admitted: 3, rejected: 2, targets: { psa: { admitted: 3, rejected: 2, notEvaluated: 0 } } });
  });

  it('dry-runs a label change: relabelling the namespace changes the verdicts', async () => {
    await writeFile(path.join(dir, 'namespaces.yaml'), namespaces.replace('enforce: baseline\n', 'enforce: privileged\n'));
    await writeFile(path.join(dir, 'workloads.yaml'), workloads);
    const result = await runCli(['evaluate', 'namespaces.yaml', '--workloads', 'workloads.yaml', '--target', 'psa', '--format', 'json'], { cwd: dir });
    const document = JSON.parse(result.stdout) as EvaluateDocument;
    expect(document.results.find((r) => r.workload.namespace === 'app' && r.workload.name === 'debug')?.targets['psa']?.admitted).toBe(true);
  });

  it('exits 0 when every workload is admitted', async () => {
    await writeFile(path.join(dir, 'namespaces.yaml'), namespaces);
    await writeFile(path.join(dir, 'web.yaml'), workloads.split('---')[0]!);
    const result = await runCli(['evaluate', 'namespaces.yaml', '--workloads', 'web.yaml'], { cwd: dir });
    expect(result.code).toBe(0);
  });

  it('with --target all, leaves out the engines whose policies are absent and says so; a target named explicitly stays, as not evaluated', async () => {
    const all = await evaluate(['--format', 'json']);
    const json = JSON.parse(all.stdout) as EvaluateDocument;
    expect(Object.keys(json.results[0]!.targets)).toEqual(['psa']);
    expect(all.stderr).toContain('note: the inputs hold no gatekeeper, kyverno, vap policies\n');
    const named = JSON.parse((await evaluate(['--format', 'json', '--target', 'gatekeeper,psa'])).stdout) as EvaluateDocument;
    expect(named.results[0]!.targets['gatekeeper']).toEqual({ admitted: null, reasons: [], notEvaluated: 'the inputs hold no gatekeeper policies' });

    const text = await evaluate();
    expect(text.stdout.includes('\u001b[')).toBe(false);
    expect(text.stdout.split('\n')[0]).toBe('5 workloads against the policies in the inputs: 3 admitted, 2 rejected.');
    expect(text.stdout).toMatch(/│ Workload +│ psa +│ Why +│/);
    expect(text.stdout).toMatch(/│ Pod +│ rejected +│ host namespaces \(hostNetwork=true\)/);
  });

  it('prints markdown for a pull request', async () => {
    const result = await evaluate(['--target', 'psa', '--format', 'markdown']);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('### psp-translate evaluate');
    expect(lines).toContain('| Workload | psa | Why |');
    expect(lines.find((line) => line.startsWith('| Pod `app/debug`'))).toMatch(/\| ❌ rejected \| host namespaces \(hostNetwork=true\) \(namespace app enforces baseline:v1\.30\)<br>privileged/);
  });

  it('exits 2 when no selected engine can judge existing policies', async () => {
    const result = await evaluate(['--target', 'gatekeeper,vap']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('error: gatekeeper: the inputs hold no gatekeeper policies\nerror: vap: the inputs hold no vap policies\n');
    const none = await evaluate(['--target', 'gatekeeper,vap'], { targets: { gatekeeper: undefined, kyverno: undefined, psa: undefined, vap: undefined } });
    expect(none.stderr).toBe(
      'error: gatekeeper: psp-translate cannot read existing gatekeeper policies yet in this version\nerror: vap: psp-translate cannot read existing vap policies yet in this version\n',
    );
  });

  it('exits 2 naming file and line for a bad workload', async () => {
    await writeFile(path.join(dir, 'namespaces.yaml'), namespaces);
    await writeFile(path.join(dir, 'bad.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: yes\n');
    const result = await runCli(['evaluate', 'namespaces.yaml', '--workloads', 'bad.yaml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: bad\.yaml:\d+/m);
  });

  it('plugs other engines in through evaluateExisting; null means the inputs hold none of their policies', async () => {
    const seen: number[] = [];
    const gatekeeper: TargetModule = {
      name: 'gatekeeper',
      translate: () => ({ objects: [], report: [] }),
      evaluateExisting: (inputs) => {
        seen.push(inputs.namespaces.length);
        return ({ workload }) => (workload.name === 'web' ? { admitted: false, reasons: ['stand-in: web is not allowed'] } : { admitted: true, reasons: [] });
      },
    };
    const kyverno: TargetModule = { name: 'kyverno', translate: () => ({ objects: [], report: [] }), evaluateExisting: () => null };
    const targets: TargetRegistry = { gatekeeper, kyverno, psa: undefined, vap: undefined };
    const result = await evaluate(['--format', 'json', '--target', 'gatekeeper,kyverno'], { targets });
    expect(seen).toEqual([3]);
    const document = JSON.parse(result.stdout) as EvaluateDocument;
    expect(document.results[0]?.targets).toEqual({
      gatekeeper: { admitted: false, reasons: ['stand-in: web is not allowed'] },
      kyverno: { admitted: null, reasons: [], notEvaluated: 'the inputs hold no kyverno policies' },
    });
    expect(document.summary).toEqual({
      workloads: 5,
      admitted: 4,
      rejected: 1,
      targets: { gatekeeper: { admitted: 4, rejected: 1, notEvaluated: 0 }, kyverno: { admitted: 0, rejected: 0, notEvaluated: 5 } },
    });
  });
});

describe('psp-translate check --target psa', () => {
  it('judges each workload by the labels the PSA translation chose, and flags what PSP decided differently', async () => {
    const result = await runCli(['check', 'examples/cluster', '--workloads', 'examples/cluster/workloads', '--target', 'psa', '--format', 'json']);
    expect(result.code).toBe(1);
    const document = JSON.parse(result.stdout) as { results: { workload: { name: string }; psp: { admitted: boolean }; targets: EvaluateDocument['results'][number]['targets'] }[]; summary: { targets: Record<string, Record<string, number>> } };
    for (const entry of document.results) {
      expect(Object.keys(entry.targets)).toEqual(['psa']);
      expect(typeof entry.targets['psa']?.admitted).toBe('boolean');
    }
    const psa = document.summary.targets['psa'];
    const newlyAdmitted = document.results.filter((r) => !r.psp.admitted && r.targets['psa']?.admitted).length;
    const newlyRejected = document.results.filter((r) => r.psp.admitted && r.targets['psa']?.admitted === false).length;
    expect(psa).toEqual({
      admitted: document.results.filter((r) => r.targets['psa']?.admitted).length,
      rejected: document.results.filter((r) => r.targets['psa']?.admitted === false).length,
      notEvaluated: 0,
      newlyAdmitted,
      newlyRejected,
    });
  });
});
