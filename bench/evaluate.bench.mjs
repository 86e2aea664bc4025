// Throughput of the reference evaluator: realistic pods against a cluster of ~50 PSPs, with RBAC
// narrowing each pod to a few candidates. Target: 50,000 admissions/s on one core.
// Run after `pnpm build`: node bench/evaluate.bench.mjs [seconds]
import { admit } from '../packages/core/dist/index.js';
import { policyFixture } from '../packages/core/dist/testing.js';

const seconds = Number(process.argv[2] ?? 2);

/** Deterministic PRNG so every run measures the same work. */
function mulberry32(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(42);
const pick = (list) => list[Math.floor(random() * list.length)];

const restricted = (name) =>
  policyFixture({
    name,
    controls: {
      privileged: { validate: { allowPrivileged: false } },
      hostNamespaces: { validate: { allowHostNetwork: false, allowHostPID: false, allowHostIPC: false } },
      hostPorts: { validate: { ranges: [] } },
      volumes: { validate: { anyType: false, allowedTypes: ['configMap', 'emptyDir', 'projected', 'secret', 'downwardAPI', 'persistentVolumeClaim'] } },
      privilegeEscalation: { validate: { allowPrivilegeEscalation: false }, defaults: { allowPrivilegeEscalation: false } },
      capabilities: { validate: { allowAny: false, allowed: [], requiredDrop: ['ALL'] }, defaults: { add: [], drop: ['ALL'] } },
      runAsUser: { validate: { rule: 'MustRunAsNonRoot', ranges: [] }, defaults: { runAsNonRoot: true } },
      supplementalGroups: { validate: { rule: 'MustRunAs', ranges: [{ min: 1, max: 65535 }] }, defaults: { supplementalGroups: [1] } },
      fsGroup: { validate: { rule: 'MustRunAs', ranges: [{ min: 1, max: 65535 }] }, defaults: { fsGroup: 1 } },
      seccomp: { validate: { allowed: ['runtime/default', 'docker/default'] }, defaults: { profile: 'runtime/default' } },
      appArmor: { validate: { allowed: ['runtime/default'] }, defaults: { profile: 'runtime/default' } },
      readOnlyRootFilesystem: { validate: { required: false } },
      sysctls: { validate: { forbidden: ['*'], allowedUnsafe: [] } },
    },
  });
const baseline = (name) =>
  policyFixture({
    name,
    controls: {
      privileged: { validate: { allowPrivileged: false } },
      hostNamespaces: { validate: { allowHostNetwork: false, allowHostPID: false, allowHostIPC: false } },
      capabilities: {
        validate: { allowAny: false, allowed: ['NET_BIND_SERVICE', 'CHOWN', 'SETUID', 'SETGID', 'KILL'], requiredDrop: [] },
        defaults: null,
      },
      hostPaths: { validate: { allowed: [{ pathPrefix: '/var/log', readOnly: true }] } },
      sysctls: { validate: { forbidden: [], allowedUnsafe: [] } },
      procMount: { validate: { allowed: [] } },
    },
  });
const privileged = (name) => policyFixture({ name });
const policies = Array.from({ length: 50 }, (_, i) => {
  const kind = i % 10 === 0 ? privileged : i % 3 === 0 ? baseline : restricted;
  return kind(`${kind.name}-${String(i).padStart(2, '0')}`);
});

function container(name) {
  const c = { name, image: `registry.example.com/${name}:1.2.3`, ports: [{ containerPort: 8080 }], volumeMounts: [{ name: 'config', mountPath: '/etc/app' }] };
  const r = random();
  if (r < 0.3) c.securityContext = { runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
  else if (r < 0.5) c.securityContext = { readOnlyRootFilesystem: true };
  else if (r < 0.55) c.securityContext = { privileged: true };
  return c;
}
function pod(i) {
  const containers = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, j) => container(`c${j}`));
  const spec = {
    serviceAccountName: 'app',
    containers,
    volumes: [
      { name: 'config', configMap: { name: 'app-config' } },
      { name: 'token', projected: { sources: [] } },
    ],
  };
  if (random() < 0.3) spec.initContainers = [container('init')];
  if (random() < 0.2) spec.securityContext = { runAsNonRoot: true, fsGroup: 2000 };
  if (random() < 0.05) spec.volumes.push({ name: 'logs', hostPath: { path: '/var/log/app' } });
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${i}`, namespace: 'team', labels: { app: 'x' } }, spec };
}
const pods = Array.from({ length: 2000 }, (_, i) => pod(i));
const candidateSets = pods.map(() => Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick(policies)).filter((p, i, a) => a.indexOf(p) === i));

// Warm up, then measure.
for (let i = 0; i < 20_000; i++) admit(pods[i % pods.length], candidateSets[i % pods.length]);
let count = 0;
let admitted = 0;
const cpuStart = process.cpuUsage();
const start = process.hrtime.bigint();
const deadline = start + BigInt(Math.round(seconds * 1e9));
while (process.hrtime.bigint() < deadline) {
  for (let i = 0; i < pods.length; i++) {
    if (admit(pods[i], candidateSets[i]).admitted) admitted++;
  }
  count += pods.length;
}
const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
const cpu = process.cpuUsage(cpuStart);
// CPU time, not wall time: on a busy machine wall time counts other processes' turns too.
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const perSecond = Math.round(count / cpuSeconds);
const evaluations = candidateSets.reduce((n, c) => n + c.length, 0) / candidateSets.length;
console.log(
  JSON.stringify({
    benchmark: 'evaluate.admit',
    podsPerCpuSecond: perSecond,
    podsPerWallSecond: Math.round(count / elapsed),
    policyEvaluationsPerSecond: Math.round(perSecond * evaluations),
    candidatesPerPod: Number(evaluations.toFixed(2)),
    admittedShare: Number((admitted / count).toFixed(3)),
    target: 50_000,
    meetsTarget: perSecond >= 50_000,
  }),
);
