// psp-translate benchmarks: `pnpm bench` (builds with tsc -b first, then runs this file).
//
// A generated cluster (50 PSPs, their RBAC: cluster-wide and namespace grants, to groups and to
// service accounts; 100 namespaces) and 10,000 workloads across those namespaces. Measured:
// - check throughput: pod evaluations per second on one core (podFromWorkload + candidatesFor +
//   admit, the loop `check` runs), in a fresh process;
// - check at 1k, 5k and 10k workloads: parse + check time, heap held by the inputs and report, and
//   peak RSS, each in a fresh process, to show memory growing linearly (MB per 1k workloads);
// - end-to-end `psp-translate check --format json` wall time at the same sizes;
// - parsing alone (loadInputs) of the 10,000 workloads, as generated (one JSON document each, which
//   takes the parser's JSON fast path) and as block YAML (`yaml`'s stringify, as most charts print:
//   the YAML path), CPU time in a fresh process each;
// - CLI cold start: `psp-translate ir <one PSP>` (the bundled bin) against `node -e 0` (median of
//   spawns, wall and CPU time), with tsc's unbundled dist/bin.js beside it for comparison;
// - the PSP corpus (../shared/corpus/psp, skipped with a message when absent) translated to every
//   target and serialised, against parsing and re-serialising the same YAML with `yaml` alone.
// Figures depend on the machine; nothing here fails on a threshold (goals are printed beside them).
//
// Usage: node bench/run.mjs [--quick | --profile]   (--quick: fewer spawns, a shorter throughput run;
// --profile: the throughput loop under node --cpu-prof, functions listed by self time)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const coreDist = pathToFileURL(path.join(root, 'packages/core/dist/index.js')).href;
const cliDist = path.join(root, 'packages/cli/dist');
// The shipped bin: the esbuild bundle `pnpm build` writes (packages/cli/scripts/bundle.mjs).
const bin = path.join(root, 'packages/cli/bin/psp-translate.js');
const SIZES = [1_000, 5_000, 10_000];
const POLICIES = 50;
const NAMESPACES = 100;
const GOAL_PER_SECOND = 50_000;
const GOAL_CORPUS_RATIO = 3;
const corpusDir = path.join(root, '..', 'shared', 'corpus', 'psp');
const requireFromRoot = createRequire(path.join(root, 'package.json'));

// ---------------------------------------------------------------------------------------------
// The generated cluster (deterministic: the same seed, the same cluster, every run).

/** Deterministic PRNG (mulberry32). */
function prng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n, width) => String(n).padStart(width, '0');
const RULES_ANY = { seLinux: { rule: 'RunAsAny' }, supplementalGroups: { rule: 'RunAsAny' }, fsGroup: { rule: 'RunAsAny' }, runAsUser: { rule: 'RunAsAny' } };
const SAFE_VOLUMES = ['configMap', 'emptyDir', 'projected', 'secret', 'downwardAPI', 'persistentVolumeClaim'];

/** 50 PSPs: a few privileged, some baseline-like, most restricted variants (ranges, drops, defaults, host paths, sysctls). */
function policies(random) {
  const list = [];
  for (let i = 0; i < POLICIES; i++) {
    const kind = i < 3 ? 'privileged' : i < 15 ? 'baseline' : 'restricted';
    const name = `${kind}-${pad(i, 2)}`;
    const annotations = {};
    let spec;
    if (kind === 'privileged') {
      annotations['seccomp.security.alpha.kubernetes.io/allowedProfileNames'] = '*';
      spec = { ...RULES_ANY, privileged: true, allowPrivilegeEscalation: true, allowedCapabilities: ['*'], volumes: ['*'], hostNetwork: true, hostIPC: true, hostPID: true, hostPorts: [{ min: 0, max: 65535 }] };
    } else if (kind === 'baseline') {
      annotations['seccomp.security.alpha.kubernetes.io/allowedProfileNames'] = 'runtime/default,docker/default';
      annotations['seccomp.security.alpha.kubernetes.io/defaultProfileName'] = 'runtime/default';
      spec = {
        ...RULES_ANY,
        privileged: false,
        allowPrivilegeEscalation: true,
        allowedCapabilities: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'KILL', 'NET_BIND_SERVICE', 'SETGID', 'SETUID'].slice(0, 3 + (i % 5)),
        volumes: [...SAFE_VOLUMES, 'csi', 'ephemeral', ...(i % 3 === 0 ? ['hostPath'] : [])],
        ...(i % 3 === 0 ? { allowedHostPaths: [{ pathPrefix: '/var/log', readOnly: true }, { pathPrefix: '/etc/ssl/certs', readOnly: true }] } : {}),
        ...(i % 4 === 0 ? { hostPorts: [{ min: 8000, max: 9000 }] } : {}),
        ...(i % 5 === 0 ? { forbiddenSysctls: ['kernel.*'], allowedUnsafeSysctls: ['net.core.somaxconn'] } : {}),
      };
    } else {
      annotations['seccomp.security.alpha.kubernetes.io/allowedProfileNames'] = 'runtime/default,docker/default';
      annotations['seccomp.security.alpha.kubernetes.io/defaultProfileName'] = 'runtime/default';
      if (i % 2 === 0) {
        annotations['apparmor.security.beta.kubernetes.io/allowedProfileNames'] = 'runtime/default';
        annotations['apparmor.security.beta.kubernetes.io/defaultProfileName'] = 'runtime/default';
      }
      const low = 1000 + (i % 7) * 1000;
      spec = {
        privileged: false,
        allowPrivilegeEscalation: false,
        ...(i % 3 === 0 ? { defaultAllowPrivilegeEscalation: false } : {}),
        requiredDropCapabilities: i % 4 === 0 ? ['NET_RAW'] : ['ALL'],
        ...(i % 4 === 0 ? { allowedCapabilities: ['NET_BIND_SERVICE'] } : {}),
        ...(i % 9 === 0 ? { defaultAddCapabilities: ['NET_BIND_SERVICE'], allowedCapabilities: ['NET_BIND_SERVICE'], requiredDropCapabilities: ['NET_RAW'] } : {}),
        volumes: i % 6 === 0 ? SAFE_VOLUMES.slice(0, 4) : SAFE_VOLUMES,
        hostNetwork: false,
        hostIPC: false,
        hostPID: false,
        runAsUser: i % 3 === 0 ? { rule: 'MustRunAs', ranges: [{ min: low, max: low + 999 }] } : { rule: 'MustRunAsNonRoot' },
        ...(i % 5 === 0 ? { runAsGroup: { rule: 'MayRunAs', ranges: [{ min: 1, max: 65535 }] } } : {}),
        seLinux: { rule: 'RunAsAny' },
        supplementalGroups: { rule: i % 2 === 0 ? 'MustRunAs' : 'MayRunAs', ranges: [{ min: 1, max: 65535 }] },
        fsGroup: { rule: 'MustRunAs', ranges: [{ min: low, max: low + 999 }] },
        readOnlyRootFilesystem: i % 8 === 0,
        ...(i % 10 === 0 ? { allowedProcMountTypes: ['Default'] } : {}),
      };
    }
    list.push({ apiVersion: 'policy/v1beta1', kind: 'PodSecurityPolicy', metadata: { name, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) }, spec });
  }
  void random;
  return list;
}

/** RBAC: a ClusterRole per PSP; a cluster-wide default for every service account; kube-system's privileged; per namespace 1-3 grants to the namespace's group or to named service accounts; a few cluster-wide grants to named service accounts. */
function rbac(random, pspNames) {
  const objects = [];
  const role = (psp) => `psp:${psp}`;
  for (const psp of pspNames) {
    objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: role(psp) }, rules: [{ apiGroups: ['policy'], resources: ['podsecuritypolicies'], verbs: ['use'], resourceNames: [psp] }] });
  }
  const roleRef = (psp) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role(psp) });
  const group = (name) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name });
  const serviceAccount = (namespace, name) => ({ kind: 'ServiceAccount', name, namespace });
  objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'psp:default' }, roleRef: roleRef('restricted-15'), subjects: [group('system:serviceaccounts')] });
  objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'psp:privileged', namespace: 'kube-system' }, roleRef: roleRef('privileged-00'), subjects: [group('system:serviceaccounts:kube-system')] });
  const grantable = pspNames.filter((name) => !name.startsWith('privileged'));
  for (let n = 0; n < NAMESPACES; n++) {
    const namespace = `ns-${pad(n, 3)}`;
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const grants = 1 + Math.floor(random() * 3);
    for (let g = 0; g < grants; g++) {
      const psp = random() < 0.02 ? 'privileged-01' : grantable[Math.floor(random() * grantable.length)];
      const subjects =
        random() < 0.4
          ? [group(`system:serviceaccounts:${namespace}`)]
          : Array.from({ length: 1 + Math.floor(random() * 3) }, () => serviceAccount(namespace, `sa-${Math.floor(random() * 10)}`));
      objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `psp:${psp}:${g}`, namespace }, roleRef: roleRef(psp), subjects });
    }
  }
  for (let c = 0; c < 5; c++) {
    const subjects = Array.from({ length: 4 }, () => serviceAccount(`ns-${pad(Math.floor(random() * NAMESPACES), 3)}`, `sa-${Math.floor(random() * 10)}`));
    objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `psp:cluster-sa-${c}` }, roleRef: roleRef(`baseline-${pad(3 + c, 2)}`), subjects });
  }
  return objects;
}

function container(random, name) {
  const c = { name, image: `registry.example.com/team/${name}:1.${Math.floor(random() * 20)}.0`, ports: [{ containerPort: 8080 }], volumeMounts: [{ name: 'config', mountPath: '/etc/app', readOnly: true }] };
  const r = random();
  if (r < 0.3) c.securityContext = { runAsUser: 1000 + Math.floor(random() * 7) * 1000, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
  else if (r < 0.45) c.securityContext = { readOnlyRootFilesystem: true, runAsNonRoot: true };
  else if (r < 0.52) c.securityContext = { runAsUser: 0, capabilities: { add: ['NET_BIND_SERVICE'] } };
  else if (r < 0.55) c.securityContext = { privileged: true };
  else if (r < 0.6) c.securityContext = { seccompProfile: { type: 'RuntimeDefault' }, capabilities: { add: ['CHOWN'] } };
  return c;
}

function podSpec(random, index) {
  const spec = {
    containers: Array.from({ length: 1 + Math.floor(random() * 3) }, (_, j) => container(random, `app${j}`)),
    volumes: [
      { name: 'config', configMap: { name: `config-${index}` } },
      { name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
    ],
  };
  if (random() < 0.7) spec.serviceAccountName = `sa-${Math.floor(random() * 10)}`;
  if (random() < 0.3) spec.initContainers = [container(random, 'init')];
  if (random() < 0.25) spec.securityContext = { runAsNonRoot: true, fsGroup: 2000 + Math.floor(random() * 3) * 1000 };
  if (random() < 0.05) {
    spec.volumes.push({ name: 'logs', hostPath: { path: '/var/log/app' } });
    spec.containers[0].volumeMounts.push({ name: 'logs', mountPath: '/logs', readOnly: random() < 0.5 });
  }
  if (random() < 0.03) spec.hostNetwork = true;
  if (random() < 0.03) spec.securityContext = { ...spec.securityContext, sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] };
  return spec;
}

/** 10,000 workloads across the namespaces, in kinds as a cluster has them. */
function workloads(random, count) {
  const list = [];
  for (let i = 0; i < count; i++) {
    const namespace = i % 97 === 0 ? 'kube-system' : `ns-${pad(i % NAMESPACES, 3)}`;
    const metadata = { name: `w-${pad(i, 5)}`, namespace, labels: { app: `w-${i}` } };
    const template = { metadata: { labels: { app: `w-${i}` } }, spec: podSpec(random, i) };
    const r = random();
    if (r < 0.5) list.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec: { replicas: 2, selector: { matchLabels: { app: `w-${i}` } }, template } });
    else if (r < 0.6) list.push({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata, spec: { serviceName: `w-${i}`, selector: { matchLabels: { app: `w-${i}` } }, template } });
    else if (r < 0.65) list.push({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata, spec: { selector: { matchLabels: { app: `w-${i}` } }, template } });
    else if (r < 0.75) list.push({ apiVersion: 'batch/v1', kind: 'Job', metadata, spec: { template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } } });
    else if (r < 0.85) list.push({ apiVersion: 'batch/v1', kind: 'CronJob', metadata, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: { ...template, spec: { ...template.spec, restartPolicy: 'OnFailure' } } } } } });
    else list.push({ apiVersion: 'v1', kind: 'Pod', metadata, spec: template.spec });
  }
  return list;
}

/** Write the cluster (policy inputs, a `kind: List` as `kubectl get -o json` prints) and one workloads file per size (each a prefix of the largest). */
function generate(dir) {
  const random = prng(42);
  const psps = policies(random);
  const cluster = [...psps, ...rbac(random, psps.map((p) => p.metadata.name))];
  const all = workloads(random, Math.max(...SIZES));
  const files = { cluster: path.join(dir, 'cluster.json'), workloads: {} };
  writeFileSync(files.cluster, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: cluster }));
  for (const size of SIZES) {
    // A multi-document stream, as `helm template` prints (each document in flow style, which is YAML).
    files.workloads[size] = path.join(dir, `workloads-${size}.yaml`);
    writeFileSync(files.workloads[size], all.slice(0, size).map((workload) => JSON.stringify(workload)).join('\n---\n'));
  }
  // The same workloads in block style, so the YAML path is measured too, not only the JSON fast path.
  const { stringify } = requireFromRoot('yaml');
  files.workloadsBlock = path.join(dir, 'workloads-block.yaml');
  writeFileSync(files.workloadsBlock, all.map((workload) => stringify(workload)).join('---\n'));
  writeFileSync(path.join(dir, 'one-psp.json'), JSON.stringify(psps[20]));
  return { ...files, onePsp: path.join(dir, 'one-psp.json'), rbacObjects: cluster.length - psps.length };
}

// ---------------------------------------------------------------------------------------------
// Child processes: each measurement in a fresh process, so one cannot warm up or bloat another.

async function childThroughput(clusterFile, workloadsFile, seconds) {
  const core = await import(coreDist);
  const policySet = await core.loadInputs([clusterFile]);
  const { workloads: list } = await core.loadInputs([workloadsFile]);
  const index = core.buildRbacIndex(policySet.rbac, { policies: policySet.policies });
  const byName = new Map(policySet.policies.map((p) => [p.name, p]));
  let candidatesTotal = 0;
  let admitted = 0;
  const pass = () => {
    for (const workload of list) {
      const context = core.podFromWorkload(workload);
      const requester = core.controllerRequester(workload.kind);
      const names = core.candidatesFor(index, policySet.policies, { namespace: context.namespace, serviceAccount: context.serviceAccount, ...(requester ? { requester } : {}) });
      const result = core.admit(context.pod, names.map((name) => byName.get(name)));
      candidatesTotal += names.length;
      if (result.admitted) admitted++;
    }
  };
  pass(); // warm-up: JIT, candidate memo
  candidatesTotal = 0;
  admitted = 0;
  let evaluations = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < deadline) {
    pass();
    evaluations += list.length;
  }
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  return { evaluations, wall, cpuSeconds: (cpu.user + cpu.system) / 1e6, perSecond: evaluations / wall, candidatesPerPod: candidatesTotal / evaluations, admittedShare: admitted / evaluations };
}

async function childMemory(clusterFile, workloadsFile) {
  const core = await import(coreDist);
  const { workloadPods } = await import(pathToFileURL(path.join(cliDist, 'commands/check-inputs.js')).href);
  const { checkWorkloads } = await import(pathToFileURL(path.join(cliDist, 'commands/check.js')).href);
  globalThis.gc();
  const baseHeap = process.memoryUsage().heapUsed;
  const cpu = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const t0 = performance.now();
  const c0 = cpu();
  const policySet = await core.loadInputs([clusterFile]);
  const workloadSet = await core.loadInputs([workloadsFile]);
  const t1 = performance.now();
  const c1 = cpu();
  const pods = await workloadPods(workloadSet.workloads, 'default');
  const report = await checkWorkloads({ policySet, workloads: pods, defaultNamespace: 'default' });
  const t2 = performance.now();
  const c2 = cpu();
  globalThis.gc();
  const heap = process.memoryUsage().heapUsed - baseHeap;
  // Keep everything alive until after the measurement.
  globalThis.retained = { policySet, workloadSet, pods, report };
  return { parseMs: t1 - t0, checkMs: t2 - t1, parseCpuMs: c1 - c0, checkCpuMs: c2 - c1, heapMB: heap / 2 ** 20, peakRssMB: process.resourceUsage().maxRSS / 1024, rejected: report.summary.rejected, warned: report.results.filter((r) => r.psp.warnings.length > 0).length };
}

/** Parsing one file alone (loadInputs): CPU and wall time, objects read, peak RSS. */
async function childParse(file) {
  const core = await import(coreDist);
  const cpu = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const t0 = performance.now();
  const c0 = cpu();
  const set = await core.loadInputs([file]);
  return { cpuMs: cpu() - c0, wallMs: performance.now() - t0, workloads: set.workloads.length, peakRssMB: process.resourceUsage().maxRSS / 1024 };
}

/**
 * The corpus row: every file of the PSP corpus (each a chart's PSPs and RBAC) translated to every
 * target and serialised as the CLI prints it (`toYamlStream`), against only parsing the same texts
 * with the `yaml` package (parseAllDocuments, toJS, Document#toString: the issue's baseline) and,
 * stricter, writing them back with the CLI's own serialiser. Files are read before timing. `warm`:
 * the median of the passes after the first in one process; `cold` (with `only`): one pass alone in
 * a fresh process (JIT and caches empty, nothing warmed by another pass), the main process taking
 * the median of three such processes.
 */
async function childCorpus(corpusDir, passes, only) {
  const core = await import(coreDist);
  const { parseAllDocuments, Document } = await import(pathToFileURL(requireFromRoot.resolve('yaml')).href);
  const { toYaml, toYamlStream } = await import(pathToFileURL(path.join(cliDist, 'serialise.js')).href);
  const targetPackage = (name) => pathToFileURL(path.join(root, `packages/${name}/dist/index.js`)).href;
  const targets = [
    (await import(targetPackage('gatekeeper'))).gatekeeperTarget,
    (await import(targetPackage('kyverno'))).kyvernoTarget,
    (await import(targetPackage('psa'))).psaTarget,
    (await import(targetPackage('vap'))).vapTarget,
  ];
  // What `translate` does without --action (the CLI's defaultActions()).
  const actions = { action: 'default', gatekeeper: 'dryrun', kyverno: 'Audit', vap: ['Audit', 'Warn'], psa: 'enforce', notes: {} };
  const files = readdirSync(corpusDir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => ({ path: name, text: readFileSync(path.join(corpusDir, name), 'utf8') }));
  let yamlBytes = 0;
  const yamlOnly = () => {
    yamlBytes = 0;
    for (const file of files) {
      const values = parseAllDocuments(file.text).map((document) => document.toJS());
      yamlBytes += values.map((value) => `---\n${toYaml(value)}`).join('').length;
    }
  };
  // The issue's baseline: the yaml package alone, writing with the options the CLI's output uses
  // (its own serialiser reproduces exactly these bytes, faster: the row above is the stricter one).
  const yamlPackageOnly = () => {
    for (const file of files) {
      const values = parseAllDocuments(file.text).map((document) => document.toJS());
      values.map((value) => `---\n${new Document(value, { aliasDuplicateObjects: false }).toString({ blockQuote: 'literal', lineWidth: 0 })}`).join('');
    }
  };
  let objects = 0;
  let outputBytes = 0;
  let translated = 0;
  let spent = {};
  let spentCold;
  // CPU time (user + system) beside wall time: on a shared machine wall time includes waiting for a core.
  const cpuNow = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const translateAll = async () => {
    spent = {}; // per target, the last pass's
    objects = 0;
    outputBytes = 0;
    translated = 0;
    const parsing = (spent.parseInputs = { translate: 0, serialise: 0, translateCpu: 0, serialiseCpu: 0, bytes: 0 });
    for (const file of files) {
      const p0 = performance.now();
      const pc0 = cpuNow();
      const inputs = core.parseInputs([file]);
      parsing.translateCpu += cpuNow() - pc0;
      parsing.translate += performance.now() - p0;
      if (inputs.policies.length === 0) continue; // `translate` refuses inputs without a PSP
      translated++;
      for (const target of targets) {
        const c0 = cpuNow();
        const t0 = performance.now();
        const result = await target.translate(inputs, { actions });
        const t1 = performance.now();
        const c1 = cpuNow();
        const text = toYamlStream(result.objects);
        const t2 = performance.now();
        const c2 = cpuNow();
        const split = (spent[target.name] ??= { translate: 0, serialise: 0, translateCpu: 0, serialiseCpu: 0, bytes: 0 });
        split.translate += t1 - t0;
        split.serialise += t2 - t1;
        split.translateCpu += c1 - c0;
        split.serialiseCpu += c2 - c1;
        split.bytes += text.length;
        objects += result.objects.length;
        outputBytes += text.length;
      }
    }
  };
  const cpuTimes = { yaml: [], yamlPackage: [], translate: [] };
  const time = async (run, cpu) => {
    const start = performance.now();
    const startCpu = cpuNow();
    await run();
    cpu.push(cpuNow() - startCpu);
    return performance.now() - start;
  };
  if (only) {
    // A cold figure: this one pass alone in a fresh process, so no pass warms code another one uses.
    const runners = { yamlPackage: yamlPackageOnly, yaml: yamlOnly, translate: translateAll };
    const cpu = [];
    const wallMs = await time(runners[only], cpu);
    return { wallMs, cpuMs: cpu[0] };
  }
  const yamlTimes = [];
  const yamlPackageTimes = [];
  const translateTimes = [];
  for (let i = 0; i < passes; i++) {
    yamlPackageTimes.push(await time(yamlPackageOnly, cpuTimes.yamlPackage));
    yamlTimes.push(await time(yamlOnly, cpuTimes.yaml));
    translateTimes.push(await time(translateAll, cpuTimes.translate));
    if (i === 0) spentCold = spent;
  }
  const warm = (times) => median(times.slice(1));
  return {
    files: files.length,
    inputBytes: files.reduce((sum, file) => sum + file.text.length, 0),
    translated,
    objects,
    outputBytes,
    yamlBytes,
    yamlCold: yamlTimes[0],
    yamlWarm: warm(yamlTimes),
    translateCold: translateTimes[0],
    translateWarm: warm(translateTimes),
    yamlCpuCold: cpuTimes.yaml[0],
    yamlCpuWarm: warm(cpuTimes.yaml),
    yamlPackageCold: yamlPackageTimes[0],
    yamlPackageWarm: warm(yamlPackageTimes),
    yamlPackageCpuCold: cpuTimes.yamlPackage[0],
    yamlPackageCpuWarm: warm(cpuTimes.yamlPackage),
    translateCpuCold: cpuTimes.translate[0],
    translateCpuWarm: warm(cpuTimes.translate),
    spent,
    spentCold,
    passes,
  };
}

function spawnChild(args, nodeArgs = []) {
  const result = spawnSync(process.execPath, ['--expose-gc', ...nodeArgs, fileURLToPath(import.meta.url), '--child', ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (result.status !== 0) throw new Error(`benchmark child ${args[0]} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

function wallMs(command, args, options = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.error) throw result.error;
  return { ms, status: result.status, stderr: result.stderr };
}

// Prints the process's own CPU time on exit (preloaded with --import, so `node -e 0` pays for it too).
const CPU_HOOK = `data:text/javascript,${encodeURIComponent("process.on('exit', () => { const u = process.cpuUsage(); process._rawDebug('bench-cpu-us ' + (u.user + u.system)); });")}`;

/** Runs `node <args>` for the cold-start rows: wall time and the child's CPU time. */
function coldStart(args) {
  const run = wallMs(process.execPath, [`--import=${CPU_HOOK}`, ...args]);
  if (run.status !== 0) throw new Error(`${args.join(' ')} failed: ${run.stderr}`);
  return { ms: run.ms, cpuMs: Number(/bench-cpu-us (\d+)/.exec(run.stderr)?.[1]) / 1000 };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * `--profile`: the throughput child under `node --cpu-prof`; functions by self time, counting only
 * samples taken inside the timed loop (`pass`), plus garbage collection's share of the whole run.
 */
function profile(files, dir) {
  const profileDir = path.join(dir, 'profile');
  spawnChild(['throughput', files.cluster, files.workloads[10_000], '4'], ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  const { nodes, samples, timeDeltas } = JSON.parse(readFileSync(path.join(profileDir, readdirSync(profileDir)[0]), 'utf8'));
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inLoop = (id) => {
    for (let at = id; at !== undefined; at = parent.get(at)) if (byId.get(at).callFrame.functionName === 'pass') return true;
    return false;
  };
  const self = new Map();
  let loop = 0;
  let gc = 0;
  let all = 0;
  samples.forEach((id, i) => {
    const delta = timeDeltas[i] ?? 0;
    all += delta;
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    if (functionName === '(garbage collector)') gc += delta;
    if (!inLoop(id)) return;
    loop += delta;
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/packages\//, 'packages/').replace(/^file:\/\/.*\/bench\//, 'bench/')}:${lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + delta);
  });
  console.log(`self time inside the throughput loop: ${(loop / 1e6).toFixed(2)} s sampled; garbage collection: ${((100 * gc) / all).toFixed(1)}% of the whole run (parsing included)`);
  for (const [key, micros] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${((100 * micros) / loop).toFixed(1).padStart(5)}%  ${key}`);
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const quick = process.argv.includes('--quick');
  if (!existsSync(bin)) throw new Error(`${path.relative(root, bin)} is missing: run pnpm build (tsc -b, then the bundle)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'psp-translate-bench-'));
  try {
    const files = generate(dir);
    if (process.argv.includes('--profile')) {
      profile(files, dir);
      return;
    }
    const rows = [];
    const section = (title) => rows.push([{ colSpan: 3, content: title }]);

    const throughput = spawnChild(['throughput', files.cluster, files.workloads[10_000], String(quick ? 1.5 : 4)]);
    section(`check throughput: ${POLICIES} PSPs, ${files.rbacObjects} RBAC/Namespace objects, 10,000 workloads in ${NAMESPACES} namespaces (one core, fresh process)`);
    const perCpuSecond = throughput.evaluations / throughput.cpuSeconds;
    rows.push(['pod evaluations per second', Math.round(throughput.perSecond).toLocaleString('en-US'), `goal ≥ ${GOAL_PER_SECOND.toLocaleString('en-US')}: ${throughput.perSecond >= GOAL_PER_SECOND ? 'met' : 'NOT met'} (wall clock)`]);
    rows.push(['  per CPU second', Math.round(perCpuSecond).toLocaleString('en-US'), 'the same loop by CPU time (what one core does when the machine is shared; includes GC threads)']);
    rows.push(['  per evaluation', `${((1e6 * throughput.wall) / throughput.evaluations).toFixed(1)} µs`, `${throughput.candidatesPerPod.toFixed(2)} candidate PSPs per pod, ${(100 * throughput.admittedShare).toFixed(1)}% admitted`]);
    rows.push(['  CPU / wall time', `${throughput.cpuSeconds.toFixed(2)} s / ${throughput.wall.toFixed(2)} s`, `${throughput.evaluations.toLocaleString('en-US')} evaluations`]);

    section('check at scale: parse + evaluate, heap held by inputs and report, peak RSS (fresh process each)');
    const memory = SIZES.map((size) => ({ size, ...spawnChild(['memory', files.cluster, files.workloads[size]]) }));
    for (const m of memory) {
      rows.push([
        `${m.size.toLocaleString('en-US')} workloads`,
        `parse ${m.parseMs.toFixed(0)} ms (CPU ${m.parseCpuMs.toFixed(0)}), check ${m.checkMs.toFixed(0)} ms (CPU ${m.checkCpuMs.toFixed(0)})`,
        `heap ${m.heapMB.toFixed(1)} MB (${((m.heapMB / m.size) * 1000).toFixed(2)} MB per 1k), peak RSS ${m.peakRssMB.toFixed(0)} MB; ${m.rejected} rejected, ${m.warned} with warnings`,
      ]);
    }
    const first = memory[0];
    const last = memory[memory.length - 1];
    const slope = (last.heapMB - first.heapMB) / ((last.size - first.size) / 1000);
    rows.push(['  heap growth', `${slope.toFixed(2)} MB per 1k workloads`, `from ${first.size.toLocaleString('en-US')} to ${last.size.toLocaleString('en-US')} (linear if the per-1k figures above agree)`]);

    section('parsing 10,000 workloads alone (loadInputs, fresh process each)');
    for (const [label, file, note] of [
      ['one JSON document each', files.workloads[10_000], 'as generated (flow style, as above): the JSON fast path'],
      ['block YAML', files.workloadsBlock, 'the same workloads as `yaml` prints them: the YAML path'],
    ]) {
      const p = spawnChild(['parse', file]);
      rows.push([`  ${label}`, `CPU ${p.cpuMs.toFixed(0)} ms (wall ${p.wallMs.toFixed(0)} ms)`, `${Math.round((p.workloads / p.cpuMs) * 1000).toLocaleString('en-US')} workloads per CPU second, peak RSS ${p.peakRssMB.toFixed(0)} MB; ${note}`]);
    }

    section('psp-translate check --format json, end to end (node packages/cli/bin/psp-translate.js, output discarded)');
    for (const size of SIZES) {
      const runs = Array.from({ length: quick ? 1 : 3 }, () => wallMs(process.execPath, [bin, 'check', files.cluster, '--workloads', files.workloads[size], '--format', 'json']));
      if (runs.some((r) => r.status !== 0 && r.status !== 1)) throw new Error(`check failed: ${runs.find((r) => r.status > 1).stderr}`);
      const ms = median(runs.map((r) => r.ms));
      rows.push([`${size.toLocaleString('en-US')} workloads`, `${ms.toFixed(0)} ms`, `${Math.round((size / ms) * 1000).toLocaleString('en-US')} workloads/s including start-up, parsing and JSON output (median of ${runs.length})`]);
    }

    section('CLI cold start (median of spawns; CPU: user + system time of the process, steadier than wall time on a shared machine)');
    const spawns = quick ? 5 : 15;
    const unbundled = path.join(cliDist, 'bin.js');
    const cold = { node: [], ir: [], irUnbundled: [] };
    for (let i = 0; i < spawns; i++) {
      cold.node.push(coldStart(['-e', '0']));
      cold.ir.push(coldStart([bin, 'ir', files.onePsp, '--format', 'json']));
      cold.irUnbundled.push(coldStart([unbundled, 'ir', files.onePsp, '--format', 'json']));
    }
    const wall = (runs) => median(runs.map((r) => r.ms));
    const cpu = (runs) => median(runs.map((r) => r.cpuMs));
    const versus = (runs) => `${(wall(runs) / wall(cold.node)).toFixed(2)}× node -e 0 (CPU ${(cpu(runs) / cpu(cold.node)).toFixed(2)}×)`;
    rows.push(['node -e 0', `${wall(cold.node).toFixed(0)} ms (CPU ${cpu(cold.node).toFixed(0)} ms)`, `${spawns} spawns`]);
    rows.push(['psp-translate ir <one PSP>', `${wall(cold.ir).toFixed(0)} ms (CPU ${cpu(cold.ir).toFixed(0)} ms)`, `${versus(cold.ir)}; goal ≤ 2×: ${wall(cold.ir) / wall(cold.node) <= 2 ? 'met' : 'NOT met'}`]);
    rows.push(['  unbundled (dist/bin.js)', `${wall(cold.irUnbundled).toFixed(0)} ms (CPU ${cpu(cold.irUnbundled).toFixed(0)} ms)`, `${versus(cold.irUnbundled)}: tsc's output, for comparison (not shipped)`]);

    section('translating the PSP corpus to every target, against only parsing and re-serialising it with yaml (fresh process)');
    if (existsSync(corpusDir)) {
      const c = spawnChild(['corpus', corpusDir, '', String(quick ? 3 : 7)]);
      // Cold figures: each pass first and alone in its own fresh process (median of 3 processes each).
      for (const [only, wallKey, cpuKey] of [['yamlPackage', 'yamlPackageCold', 'yamlPackageCpuCold'], ['yaml', 'yamlCold', 'yamlCpuCold'], ['translate', 'translateCold', 'translateCpuCold']]) {
        const runs = [0, 1, 2].map(() => spawnChild(['corpus', corpusDir, only, '1']));
        c[wallKey] = median(runs.map((run) => run.wallMs));
        c[cpuKey] = median(runs.map((run) => run.cpuMs));
      }
      const ratio = (translate, yaml) => `${(translate / yaml).toFixed(2)}×`;
      const met = (r) => (r <= GOAL_CORPUS_RATIO ? 'met' : 'NOT met');
      rows.push(['corpus', `${c.files} files, ${(c.inputBytes / 1024).toFixed(0)} KiB`, `${c.translated} with PSPs translated to gatekeeper, kyverno, psa, vap: ${c.objects} objects, ${(c.outputBytes / 1024).toFixed(0)} KiB of YAML`]);
      rows.push(['yaml package: parse + toJS + stringify', `${c.yamlPackageWarm.toFixed(0)} ms warm, ${c.yamlPackageCold.toFixed(0)} ms cold`, `the goal's baseline: parseAllDocuments, toJS, Document#toString with the CLI's output options; warm: median of ${c.passes - 1} passes after the first (each pass runs first in its round)`]);
      rows.push(['yaml parse + CLI serialiser', `${c.yamlWarm.toFixed(0)} ms warm, ${c.yamlCold.toFixed(0)} ms cold`, "stricter: the same, written by the CLI's own serialiser (same bytes, faster than yaml's)"]);
      rows.push(['parse + translate + serialise', `${c.translateWarm.toFixed(0)} ms warm, ${c.translateCold.toFixed(0)} ms cold`, 'parseInputs, each target\'s translate, toYamlStream (as psp-translate translate prints)']);
      for (const [name, split] of Object.entries(c.spent)) {
        const cold = c.spentCold[name];
        const what = name === 'parseInputs' ? `parse ${split.translate.toFixed(0)} ms (CPU ${split.translateCpu.toFixed(0)})` : `translate ${split.translate.toFixed(0)} ms (CPU ${split.translateCpu.toFixed(0)}), serialise ${split.serialise.toFixed(0)} ms (CPU ${split.serialiseCpu.toFixed(0)})`;
        const coldWhat = name === 'parseInputs' ? `${cold.translate.toFixed(0)} ms (CPU ${cold.translateCpu.toFixed(0)})` : `${cold.translate.toFixed(0)} + ${cold.serialise.toFixed(0)} ms (CPU ${cold.translateCpu.toFixed(0)} + ${cold.serialiseCpu.toFixed(0)})`;
        rows.push([`  ${name}`, what, `last pass${name === 'parseInputs' ? '' : `, ${(split.bytes / 1024).toFixed(0)} KiB of YAML`}; first pass of this process: ${coldWhat}`]);
      }
      rows.push(['  ratio', `${ratio(c.translateWarm, c.yamlPackageWarm)} warm, ${ratio(c.translateCold, c.yamlPackageCold)} cold`, `against the yaml package; goal ≤ ${GOAL_CORPUS_RATIO}×: ${met(c.translateWarm / c.yamlPackageWarm)} warm, ${met(c.translateCold / c.yamlPackageCold)} cold`]);
      rows.push(['  ratio in CPU time', `${ratio(c.translateCpuWarm, c.yamlPackageCpuWarm)} warm, ${ratio(c.translateCpuCold, c.yamlPackageCpuCold)} cold`, `CPU ${c.translateCpuWarm.toFixed(0)} vs ${c.yamlPackageCpuWarm.toFixed(0)} ms warm, ${c.translateCpuCold.toFixed(0)} vs ${c.yamlPackageCpuCold.toFixed(0)} ms cold (user + system; steadier than wall time on a shared machine)`]);
      rows.push(['  stricter ratio', `${ratio(c.translateWarm, c.yamlWarm)} warm, ${ratio(c.translateCold, c.yamlCold)} cold`, `against yaml parse + the CLI's serialiser (CPU ${ratio(c.translateCpuWarm, c.yamlCpuWarm)} warm, ${ratio(c.translateCpuCold, c.yamlCpuCold)} cold)`]);
    } else {
      console.warn(`bench: corpus row SKIPPED, corpus not found at ${corpusDir} (expected ../shared/corpus from the repo root)`);
      rows.push(['corpus', 'skipped', `corpus not found at ${corpusDir}`]);
    }

    const requireFromCli = createRequire(path.join(cliDist, '..', 'package.json'));
    const Table = requireFromCli('cli-table3');
    const table = new Table({ head: ['measure', 'value', 'notes'], style: { head: [], border: [] }, wordWrap: true, colWidths: [30, 40, 56] });
    for (const row of rows) table.push(row);
    const load = os.loadavg()[0].toFixed(1);
    console.log(`psp-translate benchmarks (node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} CPUs, load average ${load} at the end: wall-clock figures suffer on a busy machine, CPU figures less)`);
    console.log(table.toString());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--generate') {
  // Write the generated inputs to a directory and keep them (for profiling by hand).
  const dir = process.argv[3];
  if (!dir) throw new Error('usage: node bench/run.mjs --generate DIR');
  const files = generate(dir);
  console.log(JSON.stringify(files, null, 2));
} else if (process.argv[2] === '--child') {
  const [mode, clusterFile, workloadsFile, seconds] = process.argv.slice(3);
  const result =
    mode === 'throughput' ? await childThroughput(clusterFile, workloadsFile, Number(seconds)) : mode === 'corpus' ? await childCorpus(clusterFile, Number(seconds), workloadsFile) : mode === 'parse' ? await childParse(clusterFile) : await childMemory(clusterFile, workloadsFile);
  process.stdout.write(JSON.stringify(result));
} else {
  await main();
}
