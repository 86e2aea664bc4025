/**
 * Judging pods in-process with the objects the target emitted, as Gatekeeper would: mutators
 * (interpreted), then every constraint whose `match` selects the mutated pod (every match field,
 * labelSelector and namespaceSelector included: see ../match.ts), through its template's CEL
 * (K8sNativeValidation) run by core's @bufbuild/cel runner with Gatekeeper's bindings: `object`,
 * `oldObject`, `request` (operation, namespace, userInfo), `variables.params` and the template's
 * `source.variables` (each computed once per request, when first read).
 */
import { compileCel, type Pod } from '@psp-translate/core';
import { celContext, type NamedExpression } from '@psp-translate/vap';
import type { KubernetesObject } from '../types.js';
import { gatekeeperMatches, matchProblem, type GatekeeperMatch } from '../match.js';
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
  /**
   * The labels of the pod's Namespace, for `match.namespaceSelector`; `kubernetes.io/metadata.name`
   * (which the API server always sets) is added. Absent = a namespace with only that label.
   */
  namespaceLabels?: Readonly<Record<string, string>>;
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
  spec: { match?: GatekeeperMatch; parameters?: Record<string, unknown> };
}

interface Validation {
  expression: string;
  messageExpression?: string;
  message?: string;
}

interface CelCode {
  variables: NamedExpression[];
  validations: Validation[];
}

function celCodeOf(template: KubernetesObject): CelCode {
  const targets = (template.spec as { targets?: { code?: { engine: string; source: { validations?: Validation[]; variables?: NamedExpression[] } }[] }[] }).targets ?? [];
  const sources = targets.flatMap((t) => t.code ?? []).filter((c) => c.engine === 'K8sNativeValidation').map((c) => c.source);
  return { variables: sources.flatMap((s) => s.variables ?? []), validations: sources.flatMap((s) => s.validations ?? []) };
}

/** Prepares the objects once; the returned function judges one pod. */
export function gatekeeperEvaluator(objects: readonly KubernetesObject[]): (review: GatekeeperReview) => GatekeeperDecision {
  const mutators = objects.filter((o) => o.apiVersion === 'mutations.gatekeeper.sh/v1') as unknown as MutatorObject[];
  const templates = new Map<string, CelCode>();
  for (const o of objects) {
    if (o.kind !== 'ConstraintTemplate') continue;
    const kind = (o.spec as { crd: { spec: { names: { kind: string } } } }).crd.spec.names.kind;
    templates.set(kind, celCodeOf(o));
  }
  for (const m of mutators) {
    const problem = matchProblem(m.spec.match ?? {});
    if (problem !== undefined) throw new Error(`mutator ${m.kind}/${m.metadata.name}: Gatekeeper cannot run its ${problem}`);
  }
  const constraints = objects.filter((o) => o.apiVersion.startsWith('constraints.gatekeeper.sh/')) as unknown as ConstraintObject[];
  for (const c of constraints) {
    if (!templates.has(c.kind)) throw new Error(`constraint ${c.kind}/${c.metadata.name} has no template among the objects`);
    const code = templates.get(c.kind)!;
    for (const e of [...code.variables, ...code.validations]) compileCel(e.expression);
    const problem = matchProblem(c.spec.match ?? {});
    if (problem !== undefined) throw new Error(`constraint ${c.kind}/${c.metadata.name}: Gatekeeper cannot run its ${problem}`);
  }
  return (review) => {
    const operation = review.operation ?? 'CREATE';
    const mutated = mutatePod(review.pod, mutators, { namespace: review.namespace, operation, ...(review.namespaceLabels !== undefined ? { namespaceLabels: review.namespaceLabels } : {}) });
    const object = { ...mutated, metadata: { ...mutated.metadata, namespace: review.namespace } };
    const bindings = {
      object,
      oldObject: review.oldPod ?? null,
      request: { operation, namespace: review.namespace, userInfo: { username: review.username ?? '' } },
    };
    const namespaceLabels = { ...(review.namespaceLabels ?? {}), 'kubernetes.io/metadata.name': review.namespace };
    // Gatekeeper's constraint matcher selects a request when its object or its oldObject matches.
    const matchables = [object, ...(review.oldPod !== undefined ? [review.oldPod] : [])].map((pod) => ({ pod, namespace: review.namespace, namespaceLabels }));
    const violations: string[] = [];
    for (const c of constraints) {
      if (!matchables.some((m) => gatekeeperMatches(c.spec.match ?? {}, m))) continue;
      const code = templates.get(c.kind)!;
      const evaluate = celContext(bindings, code.variables, { params: c.spec.parameters ?? {}, anyObject: object });
      for (const v of code.validations) {
        if (evaluate(v.expression) === true) continue;
        const message = v.messageExpression !== undefined ? String(evaluate(v.messageExpression)) : (v.message ?? 'violation');
        violations.push(`${c.kind}/${c.metadata.name}: ${message}`);
      }
    }
    return { admitted: violations.length === 0, violations, pod: object };
  };
}
