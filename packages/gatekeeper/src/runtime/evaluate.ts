/**
 * Judging pods in-process with the objects the target emitted, as Gatekeeper would: mutators
 * (interpreted), then every constraint whose `match` selects the pod, through its template's CEL
 * (K8sNativeValidation) run by core's @bufbuild/cel runner with Gatekeeper's bindings: `object`,
 * `oldObject`, `request` (operation, namespace, userInfo) and `variables.params`.
 */
import { compileCel, type Pod } from '@psp-translate/core';
import type { KubernetesObject } from '../types.js';
import { mutatePod, type MutatorObject } from './mutation-interpreter.js';

/** One admission request for {@link gatekeeperEvaluator} to judge, as Gatekeeper's webhook would receive it. */
export interface GatekeeperReview {
  /** The pod as submitted, before any mutator. */
  pod: Pod;
  /** The namespace the pod is created in (`request.namespace`; constraints match on it). */
  namespace: string;
  /** `request.operation`; default `CREATE`. `UPDATE` is how ephemeral containers arrive. */
  operation?: 'CREATE' | 'UPDATE';
  /** `oldObject` of an UPDATE: the pod before the change. */
  oldPod?: Pod;
  /** `request.userInfo.username`; absent = someone no PSP was granted to by name. */
  username?: string;
}

/** What {@link gatekeeperEvaluator} decided about one {@link GatekeeperReview}. */
export interface GatekeeperDecision {
  /** True when no matching constraint was violated (whatever their enforcementAction). */
  admitted: boolean;
  /** `<Kind>/<constraint>: <message>` per violated constraint. */
  violations: string[];
  /** The pod after the mutators. */
  pod: Pod;
}

interface ConstraintObject {
  kind: string;
  metadata: { name: string };
  spec: { match?: { namespaces?: string[]; excludedNamespaces?: string[] }; parameters?: Record<string, unknown> };
}

interface Validation {
  expression: string;
  messageExpression?: string;
  message?: string;
}

function validationsOf(template: KubernetesObject): Validation[] {
  const targets = (template.spec as { targets?: { code?: { engine: string; source: { validations?: Validation[] } }[] }[] }).targets ?? [];
  return targets.flatMap((t) => t.code ?? []).filter((c) => c.engine === 'K8sNativeValidation').flatMap((c) => c.source.validations ?? []);
}

/** Prepares the objects once; the returned function judges one pod. */
export function gatekeeperEvaluator(objects: readonly KubernetesObject[]): (review: GatekeeperReview) => GatekeeperDecision {
  const mutators = objects.filter((o) => o.apiVersion === 'mutations.gatekeeper.sh/v1') as unknown as MutatorObject[];
  const templates = new Map<string, Validation[]>();
  for (const o of objects) {
    if (o.kind !== 'ConstraintTemplate') continue;
    const kind = (o.spec as { crd: { spec: { names: { kind: string } } } }).crd.spec.names.kind;
    templates.set(kind, validationsOf(o).map((v) => ({ ...v })));
  }
  const constraints = objects.filter((o) => o.apiVersion.startsWith('constraints.gatekeeper.sh/')) as unknown as ConstraintObject[];
  for (const c of constraints) {
    if (!templates.has(c.kind)) throw new Error(`constraint ${c.kind}/${c.metadata.name} has no template among the objects`);
    for (const v of templates.get(c.kind)!) compileCel(v.expression);
  }
  return (review) => {
    const operation = review.operation ?? 'CREATE';
    const mutated = mutatePod(review.pod, mutators, { namespace: review.namespace, operation });
    const object = { ...mutated, metadata: { ...mutated.metadata, namespace: review.namespace } };
    const bindings = (params: unknown) => ({
      object,
      oldObject: review.oldPod ?? null,
      request: { operation, namespace: review.namespace, userInfo: { username: review.username ?? '' } },
      variables: { params: params ?? {} },
    });
    const violations: string[] = [];
    for (const c of constraints) {
      const match = c.spec.match ?? {};
      if ((match.namespaces?.length ?? 0) > 0 && !match.namespaces!.includes(review.namespace)) continue;
      if ((match.excludedNamespaces ?? []).includes(review.namespace)) continue;
      for (const v of templates.get(c.kind)!) {
        const b = bindings(c.spec.parameters);
        if (compileCel(v.expression)(b) === true) continue;
        const message = v.messageExpression !== undefined ? String(compileCel(v.messageExpression)(b)) : (v.message ?? 'violation');
        violations.push(`${c.kind}/${c.metadata.name}: ${message}`);
      }
    }
    return { admitted: violations.length === 0, violations, pod: object };
  };
}
