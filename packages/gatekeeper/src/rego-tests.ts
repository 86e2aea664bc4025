/**
 * `--emit-tests`: Rego unit tests (`opa test`) for every emitted ConstraintTemplate, one
 * `rego-tests/<template>_test.rego` per template in the template's own Rego package. Each test feeds
 * one AdmissionRequest (`input.review`: a Pod CREATE, or an UPDATE of the pods/ephemeralcontainers
 * subresource) and one Constraint's `input.parameters`, and asserts `count(violation)`.
 *
 * Pods come from a fixed set of probes (one risky setting each), placed in each container kind; the
 * expected verdict of every test is computed by core's reference evaluator (`evaluatePolicy`), never
 * written by hand. Pods are given as PSP's defaults leave them, since Gatekeeper's mutators run
 * before validation.
 */
import {
  CONTROL_KINDS,
  PodSecurityPolicySchema,
  evaluatePolicy,
  policyToIR,
  type ControlKind,
  type Pod,
  type PolicyIR,
  type TargetFile,
} from '@psp-translate/core';
import { SOURCE_ANNOTATION } from './emit-mutators.js';
import { constraintKind, POLICY_SET_KIND } from './names.js';
import type { KubernetesObject, NameSelector } from './types.js';

/** Folder, relative to the target's output directory, the tests are written to (kept out of `kubectl apply -f <dir>`). */
export const REGO_TESTS_DIR = 'rego-tests';

type ContainerList = 'containers' | 'initContainers' | 'ephemeralContainers';
const CONTAINER_LISTS: readonly ContainerList[] = ['containers', 'initContainers', 'ephemeralContainers'];

type Json = Record<string, unknown>;
/** A probe sets one risky value on the first container of `list` (or a volume it mounts), or on the pod (`pod: true`). */
type Probe = { name: string; pod?: true; apply: (pod: Json, list: ContainerList) => void };

function container(pod: Json, list: ContainerList): Json {
  return ((pod.spec as Json)[list] as Json[])[0]!;
}
function securityContext(c: Json): Json {
  return (c.securityContext ??= {}) as Json;
}
function podSecurityContext(pod: Json): Json {
  return ((pod.spec as Json).securityContext ??= {}) as Json;
}
function annotate(pod: Json, key: string, value: string): void {
  const metadata = pod.metadata as Json;
  metadata.annotations = { ...((metadata.annotations as Record<string, string> | undefined) ?? {}), [key]: value };
}
function addVolume(pod: Json, list: ContainerList, volume: Json): void {
  const spec = pod.spec as Json;
  spec.volumes = [...((spec.volumes as Json[] | undefined) ?? []), volume];
  const c = container(pod, list);
  c.volumeMounts = [...((c.volumeMounts as Json[] | undefined) ?? []), { name: volume.name, mountPath: '/probe' }];
}

// Container probes first: a control that checks containers is then tested with a container-level value in each kind.
const PROBES: readonly Probe[] = [
  { name: 'privileged', apply: (p, l) => void (securityContext(container(p, l)).privileged = true) },
  { name: 'add_sys_admin', apply: (p, l) => void (securityContext(container(p, l)).capabilities = { add: ['SYS_ADMIN'] }) },
  { name: 'run_as_root', apply: (p, l) => void Object.assign(securityContext(container(p, l)), { runAsUser: 0, runAsNonRoot: false }) },
  { name: 'run_as_group_root', apply: (p, l) => void (securityContext(container(p, l)).runAsGroup = 0) },
  { name: 'privilege_escalation', apply: (p, l) => void (securityContext(container(p, l)).allowPrivilegeEscalation = true) },
  { name: 'writable_root', apply: (p, l) => void (securityContext(container(p, l)).readOnlyRootFilesystem = false) },
  { name: 'unmasked_proc', apply: (p, l) => void (securityContext(container(p, l)).procMount = 'Unmasked') },
  { name: 'selinux_spc', apply: (p, l) => void (securityContext(container(p, l)).seLinuxOptions = { type: 'spc_t', level: 's0:c9,c9' }) },
  { name: 'seccomp_unconfined', apply: (p, l) => void (securityContext(container(p, l)).seccompProfile = { type: 'Unconfined' }) },
  { name: 'apparmor_unconfined', apply: (p, l) => void (securityContext(container(p, l)).appArmorProfile = { type: 'Unconfined' }) },
  {
    name: 'apparmor_annotation_unconfined',
    apply: (p, l) => annotate(p, `container.apparmor.security.beta.kubernetes.io/${String(container(p, l).name)}`, 'unconfined'),
  },
  {
    name: 'seccomp_annotation_unconfined',
    apply: (p, l) => annotate(p, `container.seccomp.security.alpha.kubernetes.io/${String(container(p, l).name)}`, 'unconfined'),
  },
  { name: 'host_port', apply: (p, l) => void (container(p, l).ports = [{ containerPort: 80, hostPort: 80 }]) },
  { name: 'writable_host_path', apply: (p, l) => addVolume(p, l, { name: 'probe-host', hostPath: { path: '/' } }) },
  { name: 'nfs_volume', apply: (p, l) => addVolume(p, l, { name: 'probe-nfs', nfs: { server: 'nfs.example', path: '/' } }) },
  { name: 'flex_volume', apply: (p, l) => addVolume(p, l, { name: 'probe-flex', flexVolume: { driver: 'example.com/probe' } }) },
  { name: 'csi_volume', apply: (p, l) => addVolume(p, l, { name: 'probe-csi', csi: { driver: 'probe.csi.example.com' } }) },
  { name: 'host_network', pod: true, apply: (p) => void ((p.spec as Json).hostNetwork = true) },
  { name: 'host_pid', pod: true, apply: (p) => void ((p.spec as Json).hostPID = true) },
  { name: 'host_ipc', pod: true, apply: (p) => void ((p.spec as Json).hostIPC = true) },
  { name: 'fs_group_root', pod: true, apply: (p) => void (podSecurityContext(p).fsGroup = 0) },
  { name: 'supplemental_group_root', pod: true, apply: (p) => void (podSecurityContext(p).supplementalGroups = [0]) },
  { name: 'unsafe_sysctl', pod: true, apply: (p) => void (podSecurityContext(p).sysctls = [{ name: 'kernel.msgmax', value: '1' }]) },
  { name: 'safe_sysctl', pod: true, apply: (p) => void (podSecurityContext(p).sysctls = [{ name: 'net.ipv4.ip_local_port_range', value: '1024 65535' }]) },
  { name: 'pod_run_as_root', pod: true, apply: (p) => void Object.assign(podSecurityContext(p), { runAsUser: 0, runAsNonRoot: false }) },
  { name: 'pod_seccomp_unconfined', pod: true, apply: (p) => void (podSecurityContext(p).seccompProfile = { type: 'Unconfined' }) },
  { name: 'unlisted_runtime_class', pod: true, apply: (p) => void ((p.spec as Json).runtimeClassName = 'probe-runtime') },
];

let permissiveCache: PolicyIR | undefined;
/** A PSP that allows everything and defaults nothing: the other controls of a per-control test. */
function permissivePolicy(): PolicyIR {
  permissiveCache ??= policyToIR(
    PodSecurityPolicySchema.parse({
      apiVersion: 'policy/v1beta1',
      kind: 'PodSecurityPolicy',
      metadata: { name: 'psp-translate-permissive', annotations: { 'seccomp.security.alpha.kubernetes.io/allowedProfileNames': '*' } },
      spec: {
        privileged: true,
        hostNetwork: true,
        hostPID: true,
        hostIPC: true,
        hostPorts: [{ min: 0, max: 65535 }],
        allowedCapabilities: ['*'],
        allowPrivilegeEscalation: true,
        allowedUnsafeSysctls: ['*'],
        allowedProcMountTypes: ['Default', 'Unmasked'],
        seLinux: { rule: 'RunAsAny' },
        runAsUser: { rule: 'RunAsAny' },
        supplementalGroups: { rule: 'RunAsAny' },
        fsGroup: { rule: 'RunAsAny' },
        volumes: ['*'],
      },
    }),
    { file: 'psp-translate-permissive', line: 1, column: 1 },
  );
  return permissiveCache;
}

/** The policy with every control but `control` allowing everything: the per-control template's meaning. */
function onlyControl(policy: PolicyIR, control: ControlKind): PolicyIR {
  return { ...policy, controls: { ...permissivePolicy().controls, [control]: policy.controls[control] } };
}

/** A value of the selector: its first listed value, or a name it does not exclude. */
function selected(selector: NameSelector | undefined, fallback: string): string | undefined {
  if (selector === undefined) return fallback;
  if (selector.op === 'In') return selector.values[0];
  for (const name of [fallback, `${fallback}-psp-translate-test`]) if (!selector.values.includes(name)) return name;
  return undefined;
}

interface Scope {
  namespace: string;
  serviceAccount: string;
  username: string;
}

function scopeOf(parameters: Json): Scope | undefined {
  const scope = (parameters.scopes as { namespace: NameSelector; serviceAccount: NameSelector; requester: NameSelector }[] | undefined)?.[0];
  if (scope === undefined) return undefined;
  const namespace = selected(scope.namespace, 'default');
  const serviceAccount = selected(scope.serviceAccount, 'default');
  const username = selected(scope.requester, 'psp-translate-test-user');
  return namespace === undefined || serviceAccount === undefined || username === undefined ? undefined : { namespace, serviceAccount, username };
}

function basePod(scope: Scope): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'probe', namespace: scope.namespace },
    spec: {
      serviceAccountName: scope.serviceAccount,
      containers: [{ name: 'app', image: 'registry.example/app:1' }],
      initContainers: [{ name: 'init', image: 'registry.example/init:1' }],
    },
  };
}

/** One test: a request, and whether the reference evaluator admits it. */
interface Case {
  name: string;
  review: Json;
  admitted: boolean;
}

/**
 * Decides a pod exactly as the template's Rego should: `undefined` when the reference verdict is
 * not what the Rego alone decides (a policy would still default the pod, which Gatekeeper's
 * mutators, not the Rego, take care of).
 */
type Decide = (pod: Pod) => boolean | undefined;
/** Applies PSP defaults as the mutators would, before the pod reaches the Rego. */
type Default = (pod: Pod) => Pod;

function createReview(pod: Pod, scope: Scope): Json {
  return {
    operation: 'CREATE',
    namespace: scope.namespace,
    kind: { group: '', version: 'v1', kind: 'Pod' },
    userInfo: { username: scope.username },
    object: pod,
  };
}

function updateReview(pod: Pod, oldPod: Pod, scope: Scope): Json {
  return { ...createReview(pod, scope), operation: 'UPDATE', subResource: 'ephemeralcontainers', oldObject: oldPod };
}

/** An admitted pod, and for each container kind a pod with a probe there that is refused (when a probe finds one). */
function casesFor(scope: Scope, defaults: Default, decide: Decide): Case[] {
  const cases: Case[] = [];
  const base = defaults(basePod(scope) as unknown as Pod);
  const baseVerdict = decide(base);
  if (baseVerdict !== undefined) cases.push({ name: 'create_baseline', review: createReview(base, scope), admitted: baseVerdict });
  for (const list of CONTAINER_LISTS) {
    for (const probe of PROBES.filter((p) => p.pod === undefined)) {
      const draft = structuredClone(base) as unknown as Json;
      if (list === 'ephemeralContainers') (draft.spec as Json).ephemeralContainers = [{ name: 'debug', image: 'registry.example/debug:1' }];
      probe.apply(draft, list);
      const pod = defaults(draft as unknown as Pod);
      const admitted = decide(pod);
      if (admitted !== false) continue;
      const review = list === 'ephemeralContainers' ? updateReview(pod, base, scope) : createReview(pod, scope);
      cases.push({ name: `${list === 'ephemeralContainers' ? 'update_ephemeral' : `create_${list}`}_${probe.name}`, review, admitted });
      break;
    }
  }
  // Pod-level settings (host namespaces, pod security context, runtime class) are not in any container.
  for (const probe of PROBES.filter((p) => p.pod === true)) {
    const draft = structuredClone(base) as unknown as Json;
    probe.apply(draft, 'containers');
    const pod = defaults(draft as unknown as Pod);
    if (decide(pod) !== false) continue;
    cases.push({ name: `create_pod_${probe.name}`, review: createReview(pod, scope), admitted: false });
    break;
  }
  // kubectl debug with a harmless container: the UPDATE a policy must let through.
  const debug = structuredClone(base) as unknown as Json;
  (debug.spec as Json).ephemeralContainers = [{ name: 'debug', image: 'registry.example/debug:1' }];
  const debugPod = defaults(debug as unknown as Pod);
  const debugVerdict = decide(debugPod);
  if (debugVerdict !== undefined) cases.push({ name: 'update_ephemeral_baseline', review: updateReview(debugPod, base, scope), admitted: debugVerdict });
  return cases;
}

function ruleName(...parts: string[]): string {
  return `test_${parts.join('_').replace(/[^A-Za-z0-9_]/g, '_')}`;
}

function testRule(constraint: string, testCase: Case, parameters: Json, taken: Set<string>): string {
  const input = JSON.stringify({ review: testCase.review, parameters });
  const verdict = testCase.admitted ? 'admits' : 'refuses';
  // OPA joins same-named rules with "or", which would hide a failing test: names must be unique.
  let name = ruleName(constraint, testCase.name, verdict);
  for (let n = 2; taken.has(name); n++) name = `${ruleName(constraint, testCase.name, verdict)}_${n}`;
  taken.add(name);
  return `# The reference PSP evaluator ${testCase.admitted ? 'admits' : 'refuses'} this pod.
${name} if {
  count(violation) ${testCase.admitted ? '== 0' : '> 0'} with input as ${input}
}`;
}

/** PSP names a constraint's source annotation mentions. */
function sourcePolicies(constraint: KubernetesObject): string[] {
  const source = constraint.metadata.annotations?.[SOURCE_ANNOTATION] ?? '';
  return [...source.matchAll(/PodSecurityPolicy\/(\S+)/g)].map((m) => m[1]!);
}

/**
 * The Rego test files of a translation: `rego-tests/<template>_test.rego` per ConstraintTemplate,
 * with the template's Rego as `rego-tests/<template>.rego`,
 * in `objects`, for the constraints of its kind, with verdicts from the reference evaluator on the
 * PSPs (`policies`) each constraint's source annotation names.
 */
export function regoTestFiles(policies: readonly PolicyIR[], objects: readonly KubernetesObject[]): TargetFile[] {
  const byName = new Map(policies.map((p) => [p.name, p]));
  const controlOfKind = new Map(CONTROL_KINDS.map((control) => [constraintKind(control), control]));
  const files: TargetFile[] = [];
  for (const template of objects.filter((o) => o.kind === 'ConstraintTemplate')) {
    const kind = (template.spec as { crd: { spec: { names: { kind: string } } } }).crd.spec.names.kind;
    const pkg = template.metadata.name;
    const rules: string[] = [];
    const taken = new Set<string>();
    for (const constraint of objects.filter((o) => o.kind === kind && o.apiVersion.startsWith('constraints.'))) {
      const parameters = (constraint.spec as { parameters: Json }).parameters;
      const scope = scopeOf(parameters);
      if (scope === undefined) continue;
      const candidates = sourcePolicies(constraint).flatMap((name) => byName.get(name) ?? []);
      let defaults: Default;
      let decide: Decide;
      const control = controlOfKind.get(kind);
      if (control !== undefined) {
        const policy = candidates[0];
        if (policy === undefined) continue;
        const only = onlyControl(policy, control);
        defaults = (pod) => evaluatePolicy(only, pod).pod;
        decide = (pod) => {
          const verdict = evaluatePolicy(only, pod);
          return verdict.mutated ? undefined : verdict.allowed;
        };
      } else if (kind === POLICY_SET_KIND) {
        // Send pods as the first admitting candidate's defaults leave them; a pod some candidate would
        // still change is left out (the Rego alone does not decide it: mutators run first, where they agree).
        defaults = (pod) => candidates.map((policy) => evaluatePolicy(policy, pod)).find((v) => v.allowed)?.pod ?? pod;
        decide = (pod) => {
          const verdicts = candidates.map((policy) => evaluatePolicy(policy, pod));
          // A candidate that admits the pod unchanged decides it; one that would change it leaves the Rego's verdict open.
          if (verdicts.some((v) => v.allowed && !v.mutated)) return true;
          return verdicts.some((v) => v.mutated) ? undefined : false;
        };
      } else continue;
      const found = casesFor(scope, defaults, decide);
      if (!found.some((c) => !c.admitted)) {
        rules.push(`# ${constraint.metadata.name}: no probe pod is refused (the policy allows the values the probes try).`);
      }
      for (const testCase of found) rules.push(testRule(constraint.metadata.name, testCase, parameters, taken));
    }
    if (rules.length === 0) continue;
    // The template's own Rego beside its tests, so `opa test rego-tests/` runs without extracting it from YAML.
    const rego = (template.spec as { targets: { rego: string }[] }).targets[0]!.rego;
    files.push({ path: `${REGO_TESTS_DIR}/${pkg}.rego`, text: rego.endsWith('\n') ? rego : `${rego}\n` });
    files.push({
      path: `${REGO_TESTS_DIR}/${pkg}_test.rego`,
      text: `# Tests of ConstraintTemplate ${pkg} (opa test ${REGO_TESTS_DIR}/, with ${pkg}.rego beside): generated by psp-translate,
# each verdict computed by its reference PodSecurityPolicy evaluator.
package ${pkg}

import future.keywords.if
import future.keywords.in

${rules.join('\n\n')}
`,
    });
  }
  return files;
}
