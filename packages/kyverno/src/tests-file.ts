/**
 * `--emit-tests`: a `kyverno test` suite (`cli.kyverno.io/v1alpha1` Test) so users can check, with
 * Kyverno's own CLI, that the emitted policies decide as PSP did. Resources are a fixed set of pod
 * variants per candidate set, placed in a namespace and service account of that set and already
 * carrying the defaults PSP would have written (so the result does not depend on whether the CLI
 * mutates before validating). Expected results come from executing each rule's CEL in-process;
 * the package's differential tests hold that CEL to the reference PSP evaluator.
 */
import { admit, evaluateCel, type Pod } from '@psp-translate/core';
import { VALIDATE_KINDS } from './kyverno-shapes.js';
import { dnsLabel } from './names.js';
import type { CandidateSet, ScopePlan } from './translate.js';
import type { KubernetesObject, KyvernoOptions, KyvernoTestFiles, NameSelectorLike } from './types.js';
import type { PolicyIR } from '@psp-translate/core';

/** File of the `--emit-tests` suite that holds the emitted policies (the Test's `policies`), beside `kyverno-test.yaml`. */
export const TEST_POLICY_FILE = 'policies.yaml';
/** File of the `--emit-tests` suite that holds the pod variants judged (the Test's `resources`). */
export const TEST_RESOURCE_FILE = 'resources.yaml';
/** File of the `--emit-tests` suite that holds the emitted PolicyExceptions (the Test's `exceptions`), written only when there are some. */
export const TEST_EXCEPTION_FILE = 'exceptions.yaml';

type PodVariant = { name: string; build: (pod: Pod) => void };

/** Small deviations from a plain pod, each touching one control PSPs commonly restrict. */
const VARIANTS: readonly PodVariant[] = [
  { name: 'plain', build: () => undefined },
  { name: 'privileged', build: (p) => void (p.spec.containers[0]!.securityContext = { privileged: true }) },
  { name: 'host-network', build: (p) => void (p.spec.hostNetwork = true) },
  { name: 'root-user', build: (p) => void (p.spec.containers[0]!.securityContext = { runAsUser: 0 }) },
  { name: 'added-capability', build: (p) => void (p.spec.containers[0]!.securityContext = { capabilities: { add: ['SYS_ADMIN'] } }) },
  { name: 'host-path', build: (p) => void (p.spec.volumes = [{ name: 'host', hostPath: { path: '/etc' } }]) },
  {
    name: 'privileged-init',
    build: (p) => void (p.spec.initContainers = [{ name: 'init', image: 'registry.k8s.io/pause:3.9', securityContext: { privileged: true } }]),
  },
  {
    name: 'privileged-ephemeral',
    build: (p) => void (p.spec.ephemeralContainers = [{ name: 'debug', image: 'registry.k8s.io/pause:3.9', securityContext: { privileged: true } }]),
  },
];

/** A value a selector admits: its first named value, or a name it does not exclude. */
function pick(selector: NameSelectorLike, fallback: string): string {
  if (selector.op === 'In') return selector.values[0]!;
  let name = fallback;
  for (let i = 2; selector.values.includes(name); i++) name = `${fallback}-${i}`;
  return name;
}

interface Expectation {
  policy: string;
  rule: string | undefined;
  resource: string;
  result: 'pass' | 'fail' | 'skip';
  validatingPolicy: boolean;
}

function celHolds(expression: string, pod: Pod, namespace: string): boolean {
  const request = { namespace, operation: 'CREATE', userInfo: { username: '' } };
  return evaluateCel(expression, { object: pod, request }) === true;
}

/** Whether all CEL expressions of a rule hold, with its variables bound. */
function celRuleHolds(cel: { variables?: { name: string; expression: string }[]; expressions: { expression: string }[] }, pod: Pod, namespace: string): boolean {
  const variables: Record<string, unknown> = {};
  const request = { namespace, operation: 'CREATE', userInfo: { username: '' } };
  for (const v of cel.variables ?? []) variables[v.name] = evaluateCel(v.expression, { object: pod, request, variables });
  return cel.expressions.every((e) => evaluateCel(e.expression, { object: pod, request, variables }) === true);
}

function expectationsFor(object: KubernetesObject, pod: Pod, resource: string, namespace: string): Expectation[] {
  const spec = object.spec as Record<string, unknown>;
  if (object.kind === 'ValidatingPolicy') {
    const conditions = (spec.matchConditions ?? []) as { expression: string }[];
    if (!conditions.every((c) => celHolds(c.expression, pod, namespace))) return [{ policy: object.metadata.name, rule: undefined, resource, result: 'skip', validatingPolicy: true }];
    const holds = celRuleHolds({ variables: spec.variables as never, expressions: spec.validations as never }, pod, namespace);
    return [{ policy: object.metadata.name, rule: undefined, resource, result: holds ? 'pass' : 'fail', validatingPolicy: true }];
  }
  const rules = (spec.rules ?? []) as { name: string; celPreconditions?: { expression: string }[]; validate?: { cel?: never } }[];
  const out: Expectation[] = [];
  for (const rule of rules) {
    // Only CEL rules are executable here; pattern, deny and podSecurity rules are not expected.
    if (rule.validate?.cel === undefined) continue;
    const applies = (rule.celPreconditions ?? []).every((c) => celHolds(c.expression, pod, namespace));
    const result = !applies ? 'skip' : celRuleHolds(rule.validate.cel, pod, namespace) ? 'pass' : 'fail';
    out.push({ policy: object.metadata.name, rule: rule.name, resource, result, validatingPolicy: false });
  }
  return out;
}

/** Build the Test and its resources. */
export function buildKyvernoTests(input: { policies: readonly PolicyIR[]; plan: ScopePlan; objects: readonly KubernetesObject[]; options: KyvernoOptions }): KyvernoTestFiles {
  const validations = input.objects.filter((o) => o.kind === 'ValidatingPolicy' || (o.kind === 'ClusterPolicy' && !o.metadata.name.endsWith('-defaults')));
  const resources: KubernetesObject[] = [];
  const expectations: Expectation[] = [];
  input.plan.sets.forEach((set: CandidateSet, index) => {
    // Requester-scoped groups cannot be reproduced by a plain resource file: use one that is not.
    const group = set.groups.find((g) => g.requester.op === 'NotIn') ;
    if (group === undefined) return;
    const namespace = pick(group.namespace, 'psp-translate-test');
    const serviceAccount = pick(group.serviceAccount, 'default');
    // The PolicyException of a decided group exempts its pods from every policy but the decider's.
    const decided = input.plan.dontCare.includes(group) ? input.plan.decided.find((d) => d.group === group) : undefined;
    const exempt = (o: KubernetesObject) => decided !== undefined && o.metadata.annotations?.['psp-translate.io/candidates'] !== decided.decider.name;
    for (const variant of VARIANTS) {
      const name = dnsLabel('set', String(index + 1), variant.name);
      const pod: Pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace },
        spec: { serviceAccountName: serviceAccount, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.9' }] },
      };
      variant.build(pod);
      const defaulted = admit(pod, set.policies).mutatedPod;
      resources.push(defaulted as KubernetesObject);
      for (const object of validations) {
        const own = expectationsFor(object, defaulted, name, namespace);
        expectations.push(...(exempt(object) ? own.map((e) => ({ ...e, result: 'skip' as const })) : own));
      }
    }
  });
  // One result entry per (policy, rule, result), resources sorted: stable output.
  const grouped = new Map<string, Expectation & { resources: string[] }>();
  for (const e of expectations) {
    const key = `${e.policy}\u0000${e.rule ?? ''}\u0000${e.result}`;
    const entry = grouped.get(key) ?? { ...e, resources: [] };
    entry.resources.push(e.resource);
    grouped.set(key, entry);
  }
  const results = [...grouped.values()].map((e) => ({
    policy: e.policy,
    ...(e.rule === undefined ? {} : { rule: e.rule }),
    ...(e.validatingPolicy ? { isValidatingPolicy: true } : {}),
    kind: VALIDATE_KINDS[0],
    resources: [...e.resources].sort(),
    result: e.result,
  }));
  const hasExceptions = input.objects.some((o) => o.kind === 'PolicyException');
  return {
    test: {
      apiVersion: 'cli.kyverno.io/v1alpha1',
      kind: 'Test',
      metadata: { name: 'psp-translate' },
      policies: [TEST_POLICY_FILE],
      resources: [TEST_RESOURCE_FILE],
      ...(hasExceptions ? { exceptions: [TEST_EXCEPTION_FILE] } : {}),
      results,
    },
    policyFile: TEST_POLICY_FILE,
    exceptionFile: hasExceptions ? TEST_EXCEPTION_FILE : undefined,
    resourceFile: TEST_RESOURCE_FILE,
    resources,
  };
}
