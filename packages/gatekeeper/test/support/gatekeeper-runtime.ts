/**
 * Runs what the Gatekeeper target emits, the way Gatekeeper would: mutators first (interpreted),
 * then every constraint whose `match` selects the pod, through its template's CEL (executed by
 * core's @bufbuild/cel runner with Gatekeeper's bindings: `object`, `oldObject`, `request`,
 * `variables.params`) or its Rego (our Rego-subset interpreter, input.review / input.parameters).
 */
import { compileCel, type Pod } from '@psp-translate/core';
import type { KubernetesObject } from '@psp-translate/gatekeeper';
import { celContext } from '@psp-translate/vap';
import { mutatePod, type MutatorObject } from './mutation-interpreter.js';
import { regoViolations } from './rego-interpreter.js';

export interface Review {
  pod: Pod;
  namespace: string;
  operation: 'CREATE' | 'UPDATE';
  oldPod?: Pod;
  username?: string;
}

interface Constraint {
  kind: string;
  metadata: { name: string };
  spec: { match: { namespaces?: string[]; excludedNamespaces?: string[] }; parameters: Record<string, unknown> };
}

interface Template {
  spec: {
    crd: { spec: { names: { kind: string } } };
    targets: {
      rego: string;
      code: { engine: string; source: { variables?: { name: string; expression: string }[]; validations: { expression: string; messageExpression: string }[] } }[];
    }[];
  };
}

export function templatesByKind(objects: readonly KubernetesObject[]): Map<string, Template> {
  return new Map(
    objects
      .filter((o) => o.kind === 'ConstraintTemplate')
      .map((o) => [(o as unknown as Template).spec.crd.spec.names.kind, o as unknown as Template]),
  );
}

export function constraintsOf(objects: readonly KubernetesObject[]): Constraint[] {
  return objects.filter((o) => o.apiVersion === 'constraints.gatekeeper.sh/v1beta1') as unknown as Constraint[];
}

export function mutatorsOf(objects: readonly KubernetesObject[]): MutatorObject[] {
  return objects.filter((o) => o.apiVersion === 'mutations.gatekeeper.sh/v1') as unknown as MutatorObject[];
}

function selects(constraint: Constraint, namespace: string): boolean {
  const match = constraint.spec.match;
  if (match.namespaces !== undefined && match.namespaces.length > 0 && !match.namespaces.includes(namespace)) return false;
  return !(match.excludedNamespaces ?? []).includes(namespace);
}

export type Engine = 'cel' | 'rego';

/** Violation messages for the review, `constraint-name: message` each; empty = admitted. */
export function gatekeeperViolations(objects: readonly KubernetesObject[], review: Review, engine: Engine, options: { mutate?: boolean } = {}): string[] {
  const templates = templatesByKind(objects);
  const pod = options.mutate === false ? review.pod : mutatePod(review.pod, mutatorsOf(objects), { namespace: review.namespace, operation: review.operation });
  const object = { ...pod, metadata: { ...pod.metadata, namespace: review.namespace } };
  const out: string[] = [];
  for (const constraint of constraintsOf(objects)) {
    if (!selects(constraint, review.namespace)) continue;
    const template = templates.get(constraint.kind);
    if (template === undefined) throw new Error(`no template for ${constraint.kind}`);
    const target = template.spec.targets[0]!;
    if (engine === 'cel') {
      const source = target.code.find((c) => c.engine === 'K8sNativeValidation')!.source;
      const validation = source.validations[0]!;
      const bindings = {
        object,
        oldObject: review.oldPod ?? null,
        request: { operation: review.operation, namespace: review.namespace, userInfo: { username: review.username ?? 'someone' } },
      };
      const evaluate = celContext(bindings, source.variables ?? [], { params: constraint.spec.parameters, anyObject: object });
      if (evaluate(validation.expression) !== true) {
        out.push(`${constraint.metadata.name}: ${String(evaluate(validation.messageExpression))}`);
      }
    } else {
      const request = {
        operation: review.operation,
        namespace: review.namespace,
        kind: { group: '', version: 'v1', kind: 'Pod' },
        userInfo: { username: review.username ?? 'someone' },
        object,
        ...(review.oldPod ? { oldObject: review.oldPod } : {}),
        ...(review.operation === 'UPDATE' ? { subResource: 'ephemeralcontainers' } : {}),
      };
      for (const msg of regoViolations(target.rego, request, constraint.spec.parameters)) out.push(`${constraint.metadata.name}: ${msg}`);
    }
  }
  return out;
}

/**
 * A faster CEL check for large differential runs: the validations of every template in `objects`
 * joined into one static expression (each constraint kind's `variables.params` renamed), compiled
 * once and evaluated once per pod. A kind without a constraint for the namespace gets `scopes: []`,
 * which its validation passes without looking further. Decides exactly as evaluating each
 * constraint alone; no messages, no mutators. Requires at most one constraint per kind.
 */
export function celAdmission(objects: readonly KubernetesObject[], namespace: string): (pod: Pod) => boolean {
  const templates = [...templatesByKind(objects).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const selected = constraintsOf(objects).filter((c) => selects(c, namespace));
  const parts = templates.map(([kind, template], i) => {
    const source = template.spec.targets[0]!.code.find((c) => c.engine === 'K8sNativeValidation')!.source;
    // Variables inlined, later ones first (they may read earlier ones): pure, so same result.
    let expression = source.validations[0]!.expression;
    for (const variable of [...(source.variables ?? [])].reverse()) {
      expression = expression.replace(new RegExp(`\\bvariables\\.${variable.name}\\b`, 'g'), () => `(${variable.expression})`);
    }
    return `(${expression.replaceAll('variables.params', `p${i}_${kind}`)})`;
  });
  const program = compileCel(parts.length === 0 ? 'true' : parts.join(' && '));
  const params: Record<string, unknown> = {};
  templates.forEach(([kind], i) => {
    const mine = selected.filter((c) => c.kind === kind);
    if (mine.length > 1) throw new Error(`celAdmission: several ${kind} constraints`);
    params[`p${i}_${kind}`] = mine[0]?.spec.parameters ?? { scopes: [] };
  });
  return (pod) => {
    const object = { ...pod, metadata: { ...pod.metadata, namespace } };
    return program({ object, request: { userInfo: { username: 'someone' } }, ...params }) === true;
  };
}
