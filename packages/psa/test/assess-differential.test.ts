/**
 * Differential test of the level assessment against the reference PSP evaluator: every generated
 * pod that a PSP admits, after its defaults, passes the level (and version) assessed for the PSP,
 * and every check it fails at baseline or restricted is one the assessment lists as a blocker.
 *
 * Pods are judged as the API server stores them (seccomp annotations mirrored into fields). Pods
 * the API server would refuse (profile annotations that disagree with the fields, invalid
 * annotation values, annotations for containers that do not exist) are outside the domain, and so
 * are pod-level `appArmorProfile` fields (Kubernetes 1.30+, after PSP), which PSP never read for a
 * container with its own profile.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluatePolicy, type Pod, type PolicyIR, type ProfileRef, type Range, type SELinuxOptions } from '@psp-translate/core';
import { policyFixture } from '@psp-translate/core/testing';
import { arbitraryPod, arbitraryPolicy, fuzzParameters } from '../../core/src/evaluate/arbitrary.js';
import { assessPolicy, evaluatePod, type Assessment, type PsaMinorVersion } from '@psp-translate/psa';
import { mirrorSeccompProfiles } from '../src/seccomp-mirror.js';
import { CORPUS, corpusPolicy, corpusPresent } from './support.js';

const SECCOMP_POD = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER = 'container.seccomp.security.alpha.kubernetes.io/';
const APPARMOR_CONTAINER = 'container.apparmor.security.beta.kubernetes.io/';

/** The annotation spelling of a profile field, `undefined` when it names none. */
function profileAnnotation(field: ProfileRef | null | undefined): string | undefined {
  if (field == null) return undefined;
  if (field.type === 'RuntimeDefault') return 'runtime/default';
  if (field.type === 'Unconfined') return 'unconfined';
  if (field.type === 'Localhost' && field.localhostProfile) return `localhost/${field.localhostProfile}`;
  return undefined;
}

const sameSeccomp = (annotation: string, field: string | undefined) =>
  field === undefined || annotation === field || (annotation === 'docker/default' && field === 'runtime/default');

const validSeccompAnnotation = (value: string) =>
  value === 'runtime/default' || value === 'docker/default' || value === 'unconfined' || (value.startsWith('localhost/') && value.length > 10);

/** Why the API server (or a PSP-era cluster) would never have stored this pod; undefined when it would. */
function outsideDomain(pod: Pod): string | undefined {
  const annotations = pod.metadata.annotations ?? {};
  const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers, ...(pod.spec.ephemeralContainers ?? [])];
  const names = new Set(containers.map((c) => c.name));
  for (const [key, value] of Object.entries(annotations)) {
    if ((key === SECCOMP_POD || key.startsWith(SECCOMP_CONTAINER)) && !validSeccompAnnotation(value)) return `invalid ${key}`;
    if (key.startsWith(APPARMOR_CONTAINER) && !names.has(key.slice(APPARMOR_CONTAINER.length))) return `${key} names no container`;
  }
  const podSeccomp = annotations[SECCOMP_POD];
  if (podSeccomp !== undefined && !sameSeccomp(podSeccomp, profileAnnotation(pod.spec.securityContext?.seccompProfile))) return 'pod seccomp mismatch';
  if (pod.spec.securityContext?.appArmorProfile != null) return 'pod-level appArmorProfile (after PSP)';
  for (const c of containers) {
    const seccomp = annotations[SECCOMP_CONTAINER + c.name];
    if (seccomp !== undefined && !sameSeccomp(seccomp, profileAnnotation(c.securityContext?.seccompProfile))) return `container ${c.name} seccomp mismatch`;
    const appArmor = annotations[APPARMOR_CONTAINER + c.name];
    const appArmorField = profileAnnotation(c.securityContext?.appArmorProfile);
    if (appArmor && appArmorField !== undefined && appArmor !== appArmorField) return `container ${c.name} AppArmor mismatch`;
  }
  return undefined;
}

/**
 * Policies near the baseline/restricted boundary: restrictive everywhere, with each control
 * loosened on its own now and then, so the "cannot fail" side of every analysis is exercised.
 */
const LOOSENINGS = ['none', 'none', 'none', 'privileged', 'hostNetwork', 'hostPorts', 'volumes', 'capabilities', 'seLinux', 'procMount', 'sysctls', 'seccomp', 'appArmor'] as const;

const tightPolicy: fc.Arbitrary<PolicyIR> = fc
  .record({
    loosen: fc.constantFrom(...LOOSENINGS),
    volumes: fc.subarray(['configMap', 'secret', 'emptyDir', 'projected', 'downwardAPI', 'persistentVolumeClaim', 'csi', 'ephemeral', 'nfs'] as const, { minLength: 1 }),
    escalation: fc.constantFrom(false, false, true),
    allowed: fc.constantFrom<string[]>([], ['NET_BIND_SERVICE'], ['CHOWN']),
    defaultAdd: fc.constantFrom<string[]>([], [], ['NET_BIND_SERVICE'], ['KILL']),
    requiredDrop: fc.constantFrom<string[]>(['ALL'], ['ALL'], [], ['NET_RAW']),
    runAsUser: fc.constantFrom('MustRunAsNonRoot', 'MustRunAs', 'RunAsAny') as fc.Arbitrary<'MustRunAsNonRoot' | 'MustRunAs' | 'RunAsAny'>,
    userRanges: fc.constantFrom<Range[]>([{ min: 1000, max: 1999 }], [{ min: 0, max: 65535 }], [{ min: 1, max: 65535 }]),
    seLinux: fc.constantFrom<SELinuxOptions>({ type: 'container_t' }, { level: 's0:c1,c2' }, { type: 'container_engine_t', level: 's0:c1,c2' }),
    procMount: fc.constantFrom<('Default' | 'Unmasked')[]>([], ['Default']),
    sysctlsUnsafe: fc.constantFrom<string[]>([], [], ['net.ipv4.tcp_keepalive_time'], ['net.ipv4.ip_local_reserved_ports']),
    sysctlsForbidden: fc.constantFrom<string[]>([], [], ['kernel.*'], ['*']),
    seccompAllowed: fc.constantFrom<string[] | null>(['runtime/default'], ['runtime/default', 'docker/default'], ['runtime/default', ''], null, ['localhost/profiles/audit.json', 'runtime/default']),
    seccompDefault: fc.option(fc.constantFrom('runtime/default', 'docker/default', 'localhost/profiles/audit.json'), { nil: undefined }),
    appArmorAllowed: fc.constantFrom<string[]>(['runtime/default'], ['runtime/default', 'localhost/k8s-apparmor-example']),
    appArmorDefault: fc.option(fc.constant('runtime/default'), { nil: undefined }),
  })
  .map((g) => {
    const loose = (what: (typeof LOOSENINGS)[number]) => g.loosen === what;
    const allowed = loose('capabilities') ? [...g.allowed, 'SYS_ADMIN'] : g.allowed;
    return policyFixture({
      name: `tight-${g.loosen}`,
      controls: {
        privileged: { validate: { allowPrivileged: loose('privileged') } },
        hostNamespaces: { validate: { allowHostNetwork: loose('hostNetwork'), allowHostPID: false, allowHostIPC: false } },
        hostPorts: { validate: { ranges: loose('hostPorts') ? [{ min: 80, max: 80 }] : [] } },
        volumes: { validate: { anyType: false, allowedTypes: loose('volumes') ? [...g.volumes, 'hostPath'] : [...g.volumes] } },
        privilegeEscalation: { validate: { allowPrivilegeEscalation: g.escalation }, defaults: g.escalation ? null : { allowPrivilegeEscalation: false } },
        capabilities: {
          validate: { allowAny: false, allowed: allowed.filter((c) => !g.requiredDrop.includes(c)), requiredDrop: g.requiredDrop },
          defaults: g.defaultAdd.length + g.requiredDrop.length > 0 ? { add: g.defaultAdd.filter((c) => !g.requiredDrop.includes(c)), drop: g.requiredDrop } : null,
        },
        runAsUser: {
          validate: { rule: g.runAsUser, ranges: g.runAsUser === 'MustRunAs' ? g.userRanges : [] },
          defaults: g.runAsUser === 'MustRunAs' ? { runAsUser: g.userRanges[0]?.min ?? 1000 } : g.runAsUser === 'MustRunAsNonRoot' ? { runAsNonRoot: true } : null,
        },
        seLinux: loose('seLinux') ? { validate: { rule: 'RunAsAny', options: null }, defaults: null } : { validate: { rule: 'MustRunAs', options: g.seLinux }, defaults: { seLinuxOptions: g.seLinux } },
        procMount: { validate: { allowed: loose('procMount') ? ['Default', 'Unmasked'] : g.procMount } },
        sysctls: { validate: { forbidden: g.sysctlsForbidden, allowedUnsafe: loose('sysctls') ? [...g.sysctlsUnsafe, 'net.*'] : g.sysctlsUnsafe } },
        seccomp: {
          validate: { allowed: loose('seccomp') ? ['unconfined', 'runtime/default'] : g.seccompAllowed },
          defaults: g.seccompDefault && g.seccompAllowed !== null ? { profile: g.seccompDefault } : null,
        },
        appArmor: { validate: { allowed: loose('appArmor') ? [...g.appArmorAllowed, 'unconfined'] : g.appArmorAllowed }, defaults: g.appArmorDefault ? { profile: g.appArmorDefault } : null },
      },
    });
  });

/** A cheap deterministic coin from a seed, so fast-check's seed decides every choice. */
function coins(seed: number): () => boolean {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % 3 === 0;
  };
}

/**
 * Generated pods with most settings taken out again (each kept with probability 1/3), so that
 * restrictive policies admit a fair share of them, with their defaults filling the gaps.
 */
const plainPod: fc.Arbitrary<Pod> = fc.tuple(arbitraryPod, fc.integer()).map(([pod, seed]) => {
  const keep = coins(seed);
  const thin = <T extends object>(o: T | null | undefined): T | undefined => {
    if (o == null || !keep()) return undefined;
    return Object.fromEntries(Object.entries(o).filter(() => keep())) as T;
  };
  const container = <C extends Pod['spec']['containers'][number]>(c: C): C => {
    const out: C = { ...c };
    const sc = thin(c.securityContext);
    if (sc) out.securityContext = sc;
    else delete out.securityContext;
    if (!keep()) delete out.ports;
    return out;
  };
  const spec: Pod['spec'] = { ...pod.spec, containers: pod.spec.containers.map(container) };
  if (spec.initContainers) spec.initContainers = spec.initContainers.map(container);
  if (spec.ephemeralContainers) spec.ephemeralContainers = spec.ephemeralContainers.map(container);
  const podSC = thin(pod.spec.securityContext);
  if (podSC) spec.securityContext = podSC;
  else delete spec.securityContext;
  for (const key of ['volumes', 'hostNetwork', 'hostPID', 'hostIPC', 'runtimeClassName'] as const) if (!keep()) delete spec[key];
  const annotations = thin(pod.metadata.annotations);
  const metadata = { ...pod.metadata };
  if (annotations && Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  return { ...pod, metadata, spec };
});

const corpusPolicies: PolicyIR[] = corpusPresent
  ? readdirSync(join(CORPUS, 'psp'))
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => corpusPolicy(f))
  : [];

const KUBE_VERSIONS = ['latest', '1.33', '1.22'] as const;

const assessments = new WeakMap<PolicyIR, Map<string, Assessment>>();
function assessed(policy: PolicyIR, kubeVersion: string): Assessment {
  let byVersion = assessments.get(policy);
  if (!byVersion) assessments.set(policy, (byVersion = new Map()));
  let a = byVersion.get(kubeVersion);
  if (!a) byVersion.set(kubeVersion, (a = assessPolicy(policy, { kubeVersion })));
  return a;
}

interface Tally {
  runs: number;
  admitted: number;
  inDomain: number;
  /** Admitted pods that failed some check at baseline: the analyses were put to work. */
  failingBaseline: number;
  /** Pods checked against a baseline or restricted assessment. */
  strictLevel: number;
}

function checkPod(policy: PolicyIR, pod: Pod, tally: Tally): void {
  tally.runs++;
  const verdict = evaluatePolicy(policy, pod);
  if (!verdict.allowed) return;
  tally.admitted++;
  if (outsideDomain(verdict.pod) !== undefined) return;
  tally.inDomain++;
  const stored = mirrorSeccompProfiles(verdict.pod);
  for (const kubeVersion of KUBE_VERSIONS) {
    const a = assessed(policy, kubeVersion);
    const atLevel = evaluatePod(stored, a.level, a.version);
    if (a.level !== 'privileged') tally.strictLevel++;
    expect(atLevel.allowed, `${policy.name} assessed ${a.level}:v1.${a.version.minor} (kube ${kubeVersion}) but an admitted pod fails: ${atLevel.message}\n${JSON.stringify(stored)}`).toBe(true);
    const blockers = new Set(a.blockers.map((b) => b.check));
    const kube: PsaMinorVersion = a.kubeVersion;
    for (const level of ['baseline', 'restricted'] as const) {
      const failed = evaluatePod(stored, level, kube).results.filter((r) => !r.allowed);
      if (level === 'baseline' && kubeVersion === 'latest' && failed.length > 0) tally.failingBaseline++;
      for (const result of failed) {
        expect(blockers.has(result.id), `${policy.name}: ${level}:v1.${kube.minor} check ${result.id} failed (${result.message}) but is not a blocker\n${JSON.stringify(stored)}`).toBe(true);
      }
    }
  }
}

describe('assessment agrees with the reference evaluator', () => {
  it('generated policies near the boundary', () => {
    const tally: Tally = { runs: 0, admitted: 0, inDomain: 0, failingBaseline: 0, strictLevel: 0 };
    fc.assert(
      fc.property(tightPolicy, fc.oneof(plainPod, plainPod, arbitraryPod), (policy, pod) => checkPod(policy, pod, tally)),
      fuzzParameters(2000),
    );
    console.log(`tight policies: ${tally.runs} pods, ${tally.admitted} admitted, ${tally.inDomain} in domain, ${tally.strictLevel} judged at baseline or restricted, ${tally.failingBaseline} failing some baseline check`);
    expect(tally.inDomain).toBeGreaterThan(150);
    expect(tally.strictLevel).toBeGreaterThan(50);
  });

  it('generated policies of every shape', () => {
    const tally: Tally = { runs: 0, admitted: 0, inDomain: 0, failingBaseline: 0, strictLevel: 0 };
    fc.assert(
      fc.property(arbitraryPolicy, arbitraryPod, (policy, pod) => checkPod(policy, pod, tally)),
      fuzzParameters(1000),
    );
    console.log(`arbitrary policies: ${tally.runs} pods, ${tally.admitted} admitted, ${tally.inDomain} in domain, ${tally.failingBaseline} failing some baseline check`);
    expect(tally.inDomain).toBeGreaterThan(100);
    expect(tally.failingBaseline).toBeGreaterThan(20);
  });

  it.skipIf(!corpusPresent)('corpus policies', () => {
    const tally: Tally = { runs: 0, admitted: 0, inDomain: 0, failingBaseline: 0, strictLevel: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...corpusPolicies), fc.oneof(plainPod, arbitraryPod), (policy, pod) => checkPod(policy, pod, tally)),
      fuzzParameters(1000),
    );
    console.log(`corpus policies: ${tally.runs} pods, ${tally.admitted} admitted, ${tally.inDomain} in domain, ${tally.failingBaseline} failing some baseline check`);
    expect(tally.inDomain).toBeGreaterThan(100);
  });
});
