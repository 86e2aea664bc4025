import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TargetModule, TargetRegistry } from '../src/targets.js';
import { exampleCluster, runCli, temporaryDirectory } from './helpers.js';

const none: TargetRegistry = { gatekeeper: undefined, kyverno: undefined, psa: undefined, vap: undefined };
const CHECK_EXAMPLE = ['check', 'examples/cluster', '--workloads', 'examples/cluster/workloads'];
/** Whether text holds an ANSI escape sequence (colour). */
const hasAnsi = (text: string) => text.includes('\u001b[');

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await temporaryDirectory()));
afterEach(async () => remove());

const NAME_ORDER_WARNING =
  'policies "allow-chown", "chown", "restricted" all admit this pod only after changing it, and change it differently; ' +
  'PodSecurityPolicy applied "allow-chown" because its name sorts first (no candidate admits the pod unchanged). ' +
  `Renaming a policy would change the pod's settings; a translation must reproduce "allow-chown"'s defaults, not "chown", "restricted"'s.`;

describe('psp-translate check --format json (the contract)', () => {
  it('reports every example workload with exactly the contract fields, in input order', async () => {
    const result = await runCli([...CHECK_EXAMPLE, '--format', 'json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toStrictEqual({
      results: [
        {
          workload: { kind: 'Deployment', namespace: 'shop', name: 'debug-tools', serviceAccount: 'default' },
          psp: {
            admitted: false,
            policy: null,
            candidates: ['restricted'],
            mutations: [],
            reasons: [
              'spec.volumes[0]: hostPath volumes are not allowed (policy restricted)',
              'spec.containers[0].securityContext.privileged: privileged containers are not allowed (policy restricted)',
            ],
            warnings: [],
          },
        },
        {
          workload: { kind: 'CronJob', namespace: 'batch', name: 'nightly-report', serviceAccount: 'report-runner' },
          psp: {
            admitted: true,
            policy: 'baseline',
            candidates: ['baseline', 'restricted'],
            mutations: [
              { op: 'add', path: '/metadata/annotations', value: {} },
              { op: 'add', path: '/metadata/annotations/seccomp.security.alpha.kubernetes.io~1pod', value: 'runtime/default' },
            ],
            reasons: [],
            warnings: [],
          },
        },
        {
          workload: { kind: 'DaemonSet', namespace: 'kube-system', name: 'node-exporter', serviceAccount: 'node-exporter' },
          psp: { admitted: true, policy: 'privileged', candidates: ['privileged', 'restricted'], mutations: [], reasons: [], warnings: [] },
        },
        {
          workload: { kind: 'Deployment', namespace: 'shop', name: 'storefront', serviceAccount: 'storefront' },
          psp: {
            admitted: true,
            policy: 'allow-chown',
            candidates: ['allow-chown', 'chown', 'restricted'],
            mutations: [
              { op: 'add', path: '/spec/securityContext', value: {} },
              { op: 'add', path: '/spec/securityContext/fsGroup', value: 2000 },
              { op: 'add', path: '/metadata/annotations', value: {} },
              { op: 'add', path: '/metadata/annotations/seccomp.security.alpha.kubernetes.io~1pod', value: 'runtime/default' },
              { op: 'add', path: '/spec/containers/0/securityContext', value: {} },
              { op: 'add', path: '/spec/containers/0/securityContext/runAsNonRoot', value: true },
              { op: 'add', path: '/spec/containers/0/securityContext/capabilities', value: { drop: ['NET_RAW'] } },
              { op: 'add', path: '/spec/containers/0/securityContext/allowPrivilegeEscalation', value: false },
            ],
            reasons: [],
            warnings: [NAME_ORDER_WARNING],
          },
        },
      ],
      summary: { workloads: 4, admitted: 3, rejected: 1 },
    });
  });

  it('prints cluster-wide RBAC warnings on stderr, keeping stdout the contract', async () => {
    const result = await runCli([...CHECK_EXAMPLE, '--format', 'json']);
    expect(result.stderr).toContain('warning: PodSecurityPolicy restricted is granted to Group system:serviceaccounts by ClusterRoleBinding/psp:restricted:all-service-accounts');
    expect(result.stderr).toContain('note: skipped 1 object of kinds psp-translate does not read (Service)');
    expect(result.stderr.match(/skipped 1 object/g)).toHaveLength(1);
  });
});

describe('psp-translate check exit codes', () => {
  it('exits 0 when every workload is admitted', async () => {
    const result = await runCli(['check', 'examples/cluster', '--workloads', 'examples/cluster/workloads/storefront.yaml', 'examples/cluster/workloads/node-exporter.yaml', '--format', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).summary).toEqual({ workloads: 2, admitted: 2, rejected: 0 });
  });

  it('exits 1 when any workload is rejected', async () => {
    const result = await runCli(['check', 'examples/cluster', '--workloads', 'examples/cluster/workloads/debug-tools.yaml']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('PodSecurityPolicy admission of 1 workload: 0 admitted, 1 rejected.');
  });

  it('exits 2 naming file and line for a workload without containers, and prints no report', async () => {
    const file = path.join(dir, 'broken.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: broken\n  namespace: app\nspec:\n  template:\n    spec: {}\n');
    const result = await runCli(['check', path.resolve('examples/cluster'), '--workloads', 'broken.yaml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: broken\.yaml:\d+(:\d+)?: Deployment\/broken: .*containers/m);
    expect(result.stderr).toMatch(/broken\.yaml:(6|1[0-3])/);
  });

  it('exits 2 for malformed YAML in the workloads, naming file and line', async () => {
    const file = path.join(dir, 'bad.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops\n');
    const result = await runCli(['check', path.resolve('examples/cluster'), '--workloads', 'bad.yaml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: bad\.yaml:\d+/m);
  });

  it.each([
    [['check', 'examples/cluster', '--workloads', 'examples/cluster/namespaces.yaml'], /no workloads found in examples\/cluster\/namespaces\.yaml/],
    [['check', 'examples/cluster/namespaces.yaml', '--workloads', 'examples/cluster/workloads'], /no PodSecurityPolicy found/],
    [['check', '-', '--workloads', '-'], /stdin \(-\) can be read only once/],
    [['check', 'examples/cluster', '--format', 'yaml'], /argument 'yaml' is invalid\. Allowed choices are text, json, markdown/],
    [['check', 'examples/cluster', '--target', 'opa'], /unknown target "opa"/],
  ])('exits 2 for bad input or usage: %j', async (argv, message) => {
    const result = await runCli(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it('reads the workloads from stdin with --workloads - (helm template | psp-translate check ...)', async () => {
    const storefront = await readFile(path.join(exampleCluster, 'workloads', 'storefront.yaml'), 'utf8');
    const result = await runCli(['check', 'examples/cluster', '--workloads', '-', '--format', 'json'], { stdin: storefront });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).results.map((r: { workload: { name: string } }) => r.workload.name)).toEqual(['storefront']);
  });

  it('checks the workloads of the policy inputs when --workloads is not given', async () => {
    const result = await runCli(['check', 'examples/cluster', '--format', 'json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).summary).toEqual({ workloads: 4, admitted: 3, rejected: 1 });
  });

  it('says which workloads of the policy inputs it did not check', async () => {
    const result = await runCli(['check', 'examples/cluster', '--workloads', 'examples/cluster/workloads/storefront.yaml']);
    expect(result.stderr).toMatch(/note: not checking 3 workloads found only in the policy inputs \(Deployment\/debug-tools at examples\/cluster\/workloads\/debug-tools\.yaml:\d+/);
  });
});

describe('psp-translate check --format text', () => {
  it('shows a table with workload, verdict, policy and why, without colour when stdout is not a terminal', async () => {
    const result = await runCli(CHECK_EXAMPLE);
    expect(hasAnsi(result.stdout)).toBe(false);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('PodSecurityPolicy admission of 4 workloads: 3 admitted, 1 rejected.');
    expect(result.stdout).toMatch(/│ Workload +│ PSP +│ Policy +│ Why +│/);
    expect(result.stdout).toMatch(/│ Deployment +│ REJECTED +│ tried: +│ spec\.volumes\[0\]: hostPath volumes are not allowed.*\n│ shop\/debug-tools +│ +│ restricted +│/);
    expect(result.stdout).toMatch(/│ DaemonSet +│ admitted +│ privileged +│ admitted as is +│\n│ kube-system\/node-exporter +│ +│ \(of 2\) +│/);
    expect(result.stdout).toMatch(/│ Deployment +│ admitted +│ allow-chown +│ after its defaults: +│\n│ shop\/storefront +│ +│ \(of 3\) +│ {3}spec\.securityContext\.fsGroup: 2000 +│\n│ sa storefront +│/);
    expect(result.stdout).toMatch(/│ +│ +│ +│ see warning 1 +│/);
    // Every table line has the same width.
    const tableLines = lines.filter((line) => /^[│┌├└]/.test(line));
    expect(new Set(tableLines.map((line) => line.length)).size).toBe(1);
  });

  it('lists the name-order warning and the cluster warnings below the table', async () => {
    const result = await runCli(CHECK_EXAMPLE);
    const flat = result.stdout.replace(/\s+/g, ' ');
    expect(flat).toContain(`Warnings 1. ${NAME_ORDER_WARNING} workloads: Deployment shop/storefront`);
    expect(flat).toContain('Cluster warnings - PodSecurityPolicy restricted is granted to Group system:serviceaccounts');
  });

  it('fits the table in COLUMNS', async () => {
    const result = await runCli(CHECK_EXAMPLE, { env: { COLUMNS: '90' } });
    const tableLines = result.stdout.split('\n').filter((line) => /^[│┌├└]/.test(line));
    expect(Math.max(...tableLines.map((line) => line.length))).toBeLessThanOrEqual(90);
    const why = tableLines.map((line) => line.split('│')[4] ?? '').join('').replace(/\s+/g, '');
    expect(why).toContain('spec.containers[0].securityContext.privileged:privilegedcontainersarenotallowed(policyrestricted)');
    expect(why).toContain('spec.containers[0].securityContext.allowPrivilegeEscalation:false');
  });

  it('colours with FORCE_COLOR, and never with NO_COLOR', async () => {
    expect(hasAnsi((await runCli(CHECK_EXAMPLE, { env: { FORCE_COLOR: '1' } })).stdout)).toBe(true);
    expect(hasAnsi((await runCli(CHECK_EXAMPLE, { env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).stdout)).toBe(false);
    expect(hasAnsi((await runCli(CHECK_EXAMPLE, { env: { FORCE_COLOR: '0' } })).stdout)).toBe(false);
  });
});

describe('psp-translate check --format markdown', () => {
  it('prints a pull-request comment: headline, a GitHub table, warnings', async () => {
    const result = await runCli([...CHECK_EXAMPLE, '--format', 'markdown']);
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual(['### psp-translate check', '', 'PodSecurityPolicy admission of 4 workloads: 3 admitted, 1 rejected.']);
    expect(lines).toContain('| Workload | PSP | Policy | Why |');
    expect(lines).toContain('| --- | --- | --- | --- |');
    const debugTools = lines.find((line) => line.startsWith('| Deployment `shop/debug-tools`'));
    expect(debugTools).toBe(
      '| Deployment `shop/debug-tools`<br>sa `default` | ❌ rejected | tried:<br>restricted | spec.volumes\\[0\\]: hostPath volumes are not allowed (policy restricted)<br>spec.containers\\[0\\].securityContext.privileged: privileged containers are not allowed (policy restricted) |',
    );
    // Every table row has as many cells as the header.
    for (const row of lines.filter((line) => line.startsWith('| '))) expect(row.split(/(?<!\\)\|/).length).toBe(6);
    expect(result.stdout).toContain('**Warnings**\n\n1. policies "allow-chown", "chown", "restricted" all admit this pod only after changing it');
    expect(result.stdout).toContain('**Cluster warnings**');
    expect(hasAnsi(result.stdout)).toBe(false);
  });
});

describe('psp-translate check warnings', () => {
  const cluster = `apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: web-only
spec:
  privileged: false
  runAsUser: { rule: RunAsAny }
  seLinux: { rule: RunAsAny }
  supplementalGroups: { rule: RunAsAny }
  fsGroup: { rule: RunAsAny }
  volumes: ['*']
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: use-web-only, namespace: app }
rules:
  - { apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use], resourceNames: [web-only] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: web, namespace: app }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: use-web-only }
subjects:
  - { kind: ServiceAccount, name: web, namespace: app }
  - { kind: ServiceAccount, name: replicaset-controller, namespace: kube-system }
`;
  const workloads = `apiVersion: apps/v1
kind: Deployment
metadata: { name: batch, namespace: app }
spec:
  template:
    spec:
      serviceAccountName: batch
      containers: [{ name: c, image: busybox }]
---
apiVersion: batch/v1
kind: Job
metadata: { name: once, namespace: app }
spec:
  template:
    spec:
      serviceAccountName: batch
      containers: [{ name: c, image: busybox }]
`;

  it('warns about a service account that may use no PSP: admitted only through its controller, or rejected', async () => {
    await writeFile(path.join(dir, 'cluster.yaml'), cluster);
    await writeFile(path.join(dir, 'workloads.yaml'), workloads);
    const result = await runCli(['check', 'cluster.yaml', '--workloads', 'workloads.yaml', '--format', 'json'], { cwd: dir });
    expect(result.code).toBe(1);
    const [deployment, job] = JSON.parse(result.stdout).results as { psp: { admitted: boolean; reasons: string[]; warnings: string[] } }[];
    expect(deployment?.psp.admitted).toBe(true);
    expect(deployment?.psp.warnings).toEqual([
      'service account app/batch may use no PodSecurityPolicy: this pod could use web-only only because its creator system:serviceaccount:kube-system:replicaset-controller may; a translation scoped by service account must keep that path or reject the pod.',
      // The admitting policy's own RBAC warning (from core's policyAccess).
      expect.stringMatching(/^PodSecurityPolicy web-only is granted to ServiceAccount kube-system\/replicaset-controller by RoleBinding\/web .*in namespace app, whatever its service account\.$/),
    ]);
    expect(job?.psp.admitted).toBe(false);
    expect(job?.psp.reasons).toEqual(["no PodSecurityPolicy is authorised for this pod's service account or requesting user"]);
    expect(job?.psp.warnings).toEqual([
      'service account app/batch may use no PodSecurityPolicy, nor may its creator system:serviceaccount:kube-system:job-controller: PSP admission rejected every pod it ran; grant it use of a PSP with a RoleBinding in app.',
    ]);
  });

  it('attaches the chosen policy’s RBAC warnings to the workloads it admitted', async () => {
    const everyone = `${cluster}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: everyone }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: use-all }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: Group, name: system:authenticated }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: use-all }
rules: [{ apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use] }]
`;
    await writeFile(path.join(dir, 'cluster.yaml'), everyone);
    await writeFile(path.join(dir, 'workloads.yaml'), workloads);
    const result = await runCli(['check', 'cluster.yaml', '--workloads', 'workloads.yaml', '--format', 'json'], { cwd: dir });
    expect(result.code).toBe(0);
    const results = JSON.parse(result.stdout).results as { psp: { warnings: string[] } }[];
    for (const entry of results) expect(entry.psp.warnings.some((warning) => warning.includes('system:authenticated'))).toBe(true);
  });
});

describe('psp-translate check --target', () => {
  /** A stand-in target that rejects the storefront and admits everything else (so debug-tools is a regression). */
  function judgingTarget(name: 'gatekeeper' | 'kyverno', seen: string[] = []): TargetModule {
    return {
      name,
      translate: (inputs, options) => {
        seen.push(`translate ${options.actions.action} ${inputs.workloads.length}`);
        return { objects: [], report: [{ policy: null, control: null, fidelity: 'approximate', message: 'stand-in' }] };
      },
      evaluate: () => (workload) =>
        workload.workload.name === 'storefront'
          ? { admitted: false, reasons: [`spec.containers[0].image: ${workload.pod.spec.containers[0]?.image} is not allowed (stand-in)`] }
          : { admitted: true, reasons: [] },
    };
  }

  it('adds targets.<name> per result and per-target counts, reporting targets without evaluation as not evaluated', async () => {
    const seen: string[] = [];
    const targets: TargetRegistry = { ...none, gatekeeper: judgingTarget('gatekeeper', seen), vap: { name: 'vap', translate: () => ({ objects: [], report: [] }) } };
    const result = await runCli([...CHECK_EXAMPLE, '--target', 'all', '--format', 'json'], { targets });
    expect(result.code).toBe(1);
    expect(seen).toEqual(['translate deny 4']);
    const document = JSON.parse(result.stdout) as { results: { workload: { name: string }; targets: Record<string, unknown> }[]; summary: unknown };
    const storefront = document.results.find((r) => r.workload.name === 'storefront');
    expect(Object.keys(storefront?.targets ?? {})).toEqual(['gatekeeper', 'kyverno', 'psa', 'vap']);
    expect(storefront?.targets['gatekeeper']).toEqual({ admitted: false, reasons: ['spec.containers[0].image: registry.example.com/shop/storefront:4.2.0 is not allowed (stand-in)'] });
    expect(storefront?.targets['kyverno']).toEqual({ admitted: null, reasons: [], notEvaluated: 'the kyverno target is not implemented yet in this version' });
    expect(storefront?.targets['vap']).toMatchObject({ admitted: null, notEvaluated: expect.stringContaining('cannot run vap policies in-process') });
    expect(document.summary).toEqual({
      workloads: 4,
      admitted: 3,
      rejected: 1,
      targets: {
        gatekeeper: { admitted: 3, rejected: 1, notEvaluated: 0, newlyRejected: 1, newlyAdmitted: 1 },
        kyverno: { admitted: 0, rejected: 0, notEvaluated: 4, newlyRejected: 0, newlyAdmitted: 0 },
        psa: { admitted: 0, rejected: 0, notEvaluated: 4, newlyRejected: 0, newlyAdmitted: 0 },
        vap: { admitted: 0, rejected: 0, notEvaluated: 4, newlyRejected: 0, newlyAdmitted: 0 },
      },
    });
    expect(result.stderr).toContain('note: gatekeeper: the translation expresses 1 thing only approximately or not at all');
  });

  it('highlights security regressions first, then workloads the target would break, in text and markdown', async () => {
    const targets: TargetRegistry = { ...none, gatekeeper: judgingTarget('gatekeeper') };
    const text = (await runCli([...CHECK_EXAMPLE, '--target', 'gatekeeper,kyverno'], { targets })).stdout;
    expect(text).toContain('gatekeeper: 3 admitted, 1 rejected; 1 admitted that PSP rejected (security regressions), 1 rejected that PSP admitted.');
    expect(text).toMatch(/│ Deployment +│ REJECTED +│ tried: +│ .*│ ADMITTED +│\n│ shop\/debug-tools +│ .*│ \(PSP rejected\) │/);
    expect(text).toMatch(/│ Deployment +│ admitted +│ allow-chown +│ .*│ REJECTED +│\n│ shop\/storefront +│ .*│ \(PSP admitted\) │/);
    const regression = text.indexOf('Security regressions: 1 workload PodSecurityPolicy rejected would be admitted');
    const breaks = text.indexOf('Would break: 1 workload PodSecurityPolicy admitted would be rejected');
    expect(regression).toBeGreaterThan(0);
    expect(breaks).toBeGreaterThan(regression);
    expect(text.replace(/\s+/g, ' ')).toContain('- Deployment shop/debug-tools: gatekeeper admits it; PSP rejected it: spec.volumes[0]: hostPath volumes are not allowed (policy restricted)');
    expect(text.replace(/\s+/g, ' ')).toContain('Not evaluated - kyverno: the kyverno target is not implemented yet in this version');

    const markdown = (await runCli([...CHECK_EXAMPLE, '--target', 'gatekeeper', '--format', 'markdown'], { targets })).stdout;
    expect(markdown.indexOf('🚨 Security regressions')).toBeGreaterThan(0);
    expect(markdown.indexOf('🚨 Security regressions')).toBeLessThan(markdown.indexOf('⚠️ Would break'));
    expect(markdown).toContain('| Workload | PSP | Policy | Why | gatekeeper |');
    expect(markdown).toContain('🚨 ADMITTED (PSP rejected) |');
  });
});
