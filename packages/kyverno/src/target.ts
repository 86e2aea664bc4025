/**
 * The Kyverno target as the CLI's registry expects it (structurally its `TargetModule`): translate
 * an input set, and judge workloads in-process for `check --target kyverno`.
 */
import { buildRbacIndex, evaluateCel, scopeGroups, type InputSet, type Pod, type Requester } from '@psp-translate/core';
import { runMutatingPolicy } from './apply-configuration.js';
import { translateKyverno } from './translate.js';
import type { KubernetesObject, KyvernoOptions, KyvernoTranslation } from './types.js';

/** CLI options the target reads: `--action` in every engine's words, and the Kyverno flags. */
export interface KyvernoTargetOptions {
  actions: { action: string; kyverno: string };
  /** `--kyverno-api`, `--kyverno-style`, `--emit-tests` and the exemption settings; defaults: kyverno.io/v1, cel. */
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
  return { api: 'kyverno.io/v1', style: 'cel', ...options.kyverno, action };
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

/** The target module for the CLI registry. */
export const kyvernoTarget = {
  name: 'kyverno' as const,
  translate: (inputs: InputSet, options: KyvernoTargetOptions) => translateInputs(inputs, options),
  evaluate: (_translation: unknown, inputs: InputSet) => kyvernoEvaluator(inputs),
};
