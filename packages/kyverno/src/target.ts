/**
 * The Kyverno target (core's `TargetModule`, used by the CLI registry and the migration report):
 * translate an input set, and judge workloads in-process for `check --target kyverno`.
 */
import { buildRbacIndex, evaluateCel, scopeGroups, type InputSet, type Pod, type Requester, type TargetFile, type TargetModule, type TranslationResult } from '@psp-translate/core';
import { runMutatingPolicy } from './apply-configuration.js';
import { translateKyverno } from './translate.js';
import type { KubernetesObject, KyvernoOptions, KyvernoTestFiles, KyvernoTranslation } from './types.js';

/** CLI options the target reads: `--action` in every engine's words, `--no-mutate`, `--emit-tests` and the Kyverno flags. */
export interface KyvernoTargetOptions {
  actions: { action: string; kyverno: string };
  /** `--no-mutate` sets false (default true). */
  mutate?: boolean;
  /** `--emit-tests`: also return a `kyverno test` suite. */
  emitTests?: boolean;
  /** `--kyverno-api`, `--kyverno-style` and the exemption settings; defaults: kyverno.io/v1, cel. */
  kyverno?: Partial<Omit<KyvernoOptions, 'action'>>;
}

/** A workload as `check` hands it over (structurally the CLI's `WorkloadContext`). */
export interface KyvernoWorkload {
  workload: { namespace: string; name: string };
  pod: Pod;
  requester?: Requester;
}

/** What the policies decide about one workload (structurally the CLI's `TargetVerdict`). */
export interface KyvernoVerdict {
  admitted: boolean;
  reasons: string[];
}

function optionsFrom(options: KyvernoTargetOptions): KyvernoOptions {
  // `warn` keeps its own word: ClusterPolicies then also return warnings to the client.
  const action = options.actions.action === 'warn' ? 'warn' : options.actions.kyverno;
  return {
    api: 'kyverno.io/v1',
    style: 'cel',
    ...(options.mutate === undefined ? {} : { mutate: options.mutate }),
    ...(options.emitTests === undefined ? {} : { emitTests: options.emitTests }),
    ...options.kyverno,
    action,
  };
}

function scopes(inputs: Pick<InputSet, 'policies' | 'rbac'>) {
  return scopeGroups(buildRbacIndex(inputs.rbac), inputs.policies);
}

/** Translate the PSPs of an input set with the scopes of its RBAC. */
export function translateInputs(inputs: Pick<InputSet, 'policies' | 'rbac'>, options: KyvernoTargetOptions): KyvernoTranslation {
  return translateKyverno({ policies: inputs.policies, scopeGroups: scopes(inputs), options: optionsFrom(options) });
}

/**
 * Judge workloads as Kyverno would, in-process: the PSPs are translated to the CEL policies of
 * `policies.kyverno.io/v1` (MutatingPolicy defaults, then ValidatingPolicies, with the
 * PolicyExceptions), which the differential tests hold to the same decisions as the ClusterPolicy
 * form; each pod is admitted as a CREATE by its controller (or an unknown user for bare pods).
 */
export function kyvernoEvaluator(inputs: Pick<InputSet, 'policies' | 'rbac'>): (workload: KyvernoWorkload) => KyvernoVerdict {
  const { objects } = translateKyverno({ policies: inputs.policies, scopeGroups: scopes(inputs), options: { api: 'policies.kyverno.io/v1', style: 'cel' } });
  return ({ workload, pod, requester }) => {
    const request = { namespace: workload.namespace, operation: 'CREATE', userInfo: { username: requester?.user ?? '' } };
    const placed: Pod = { ...pod, metadata: { ...pod.metadata, namespace: workload.namespace } };
    const exempt = new Set(
      objects
        .filter((o) => o.kind === 'PolicyException' && conditionsHold(o, placed, request))
        .flatMap((o) => (o['spec'] as { policyRefs: { name: string }[] }).policyRefs.map((r) => r.name)),
    );
    let current: unknown = placed;
    for (const o of objects) if (o.kind === 'MutatingPolicy' && !exempt.has(o.metadata.name)) current = runMutatingPolicy(o as never, current, request);
    const reasons: string[] = [];
    for (const o of objects) {
      if (o.kind !== 'ValidatingPolicy' || exempt.has(o.metadata.name) || !conditionsHold(o, current, request)) continue;
      const spec = o['spec'] as { variables?: { name: string; expression: string }[]; validations: { expression: string; message: string; messageExpression?: string }[] };
      const variables: Record<string, unknown> = {};
      for (const v of spec.variables ?? []) variables[v.name] = evaluateCel(v.expression, { object: current, request, variables });
      for (const validation of spec.validations) {
        if (evaluateCel(validation.expression, { object: current, request, variables }) === true) continue;
        const message = validation.messageExpression === undefined ? validation.message : String(evaluateCel(validation.messageExpression, { object: current, request, variables }));
        reasons.push(`${o.metadata.name}: ${message}`);
      }
    }
    return { admitted: reasons.length === 0, reasons };
  };
}

function conditionsHold(object: KubernetesObject, pod: unknown, request: Record<string, unknown>): boolean {
  const conditions = ((object['spec'] as { matchConditions?: { expression: string }[] }).matchConditions ?? []);
  return conditions.every((c) => evaluateCel(c.expression, { object: pod, request }) === true);
}

/**
 * The `kyverno test` suite as files under `tests/` of the target's output directory: kept out of the
 * policies' directory so `kubectl apply -f <dir>/kyverno/` never creates the test pods.
 */
function testFiles(tests: KyvernoTestFiles, objects: readonly KubernetesObject[]): TargetFile[] {
  const files: TargetFile[] = [
    { path: 'tests/kyverno-test.yaml', objects: [tests.test] },
    { path: `tests/${tests.policyFile}`, objects: objects.filter((o) => o.kind !== 'PolicyException') },
    { path: `tests/${tests.resourceFile}`, objects: tests.resources },
  ];
  if (tests.exceptionFile !== undefined) files.push({ path: `tests/${tests.exceptionFile}`, objects: objects.filter((o) => o.kind === 'PolicyException') });
  return files;
}

/** `--target kyverno`: {@link translateInputs}, with the `--emit-tests` suite as files; in-process evaluation through the CEL policy API. */
export const kyvernoTarget = {
  name: 'kyverno' as const,
  translate: (inputs: InputSet, options: KyvernoTargetOptions): TranslationResult => {
    const { objects, report, tests } = translateInputs(inputs, options);
    return tests === undefined ? { objects, report } : { objects, report, files: testFiles(tests, objects) };
  },
  evaluate: (_translation: unknown, inputs: InputSet) => kyvernoEvaluator(inputs),
} satisfies TargetModule;
