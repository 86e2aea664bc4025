/**
 * `psp-translate evaluate` for Gatekeeper: judge workloads by the ConstraintTemplates, Constraints
 * and mutators a cluster already has, in-process.
 *
 * Templates run through their `K8sNativeValidation` code (CEL: variables, matchConditions,
 * validations) with Gatekeeper's bindings (`object`, `oldObject`, `request`, `namespaceObject`,
 * `variables.params` = the Constraint's parameters, `variables.anyObject`); Constraints select pods
 * by `match` (every field, as Gatekeeper: see ./match.ts; a match Gatekeeper could not run is
 * reported) and act by `enforcementAction` (deny rejects; warn and dryrun admit with
 * warnings). Assign and ModifySet mutators run first. Rego-only templates need OPA: each is
 * reported as not evaluated, and so is every Constraint of it that selects a workload.
 */
import { type InputSet, type KubernetesObject, type Pod, type WorkloadEvaluator } from '@psp-translate/core';
import { celContext, matchConditionsHold, runValidation, type CelValidation, type NamedExpression } from '@psp-translate/vap';
import { gatekeeperMatches, matchProblem, type GatekeeperMatch } from './match.js';
import { mutatePod, type MutatorObject } from './runtime/mutation-interpreter.js';

type Json = Record<string, unknown>;

/** A workload evaluator that also says, once, what it could not evaluate. */
export type GatekeeperExistingEvaluator = WorkloadEvaluator & { notes: readonly string[] };

interface CelCode {
  validations: CelValidation[];
  variables: NamedExpression[];
  matchConditions: NamedExpression[];
  failurePolicy: 'Fail' | 'Ignore';
}

interface Template {
  name: string;
  /** The CEL code, or why the template cannot run here. */
  code: CelCode | { notEvaluated: string };
}

interface Constraint {
  kind: string;
  name: string;
  match: GatekeeperMatch;
  parameters: unknown;
  /** deny, warn or dryrun (`scoped`: the action for the validation webhook). */
  action: string;
}

function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

function templateOf(object: KubernetesObject): [string, Template] | undefined {
  const spec = (object['spec'] ?? {}) as Json;
  const kind = (((spec['crd'] as Json | undefined)?.['spec'] as Json | undefined)?.['names'] as Json | undefined)?.['kind'];
  if (typeof kind !== 'string') return undefined;
  const targets = list<Json>(spec['targets']);
  const code = targets.flatMap((t) => list<{ engine?: string; source?: Json }>(t['code'])).find((c) => c.engine === 'K8sNativeValidation');
  const label = `ConstraintTemplate/${object.metadata.name}`;
  if (code === undefined) {
    const rego = targets.some((t) => typeof t['rego'] === 'string' || list<{ engine?: string }>(t['code']).some((c) => c.engine === 'Rego'));
    return [kind, { name: object.metadata.name, code: { notEvaluated: `${label}: not evaluated: ${rego ? 'Rego needs OPA' : 'no K8sNativeValidation (CEL) code'}; psp-translate runs only a template's CEL` } }];
  }
  const source = code.source ?? {};
  return [
    kind,
    {
      name: object.metadata.name,
      code: {
        validations: list<CelValidation>(source['validations']),
        variables: list<NamedExpression>(source['variables']),
        matchConditions: list<NamedExpression>(source['matchConditions']),
        failurePolicy: source['failurePolicy'] === 'Ignore' ? 'Ignore' : 'Fail',
      },
    },
  ];
}

function actionOf(spec: Json): string {
  const action = typeof spec['enforcementAction'] === 'string' ? spec['enforcementAction'] : 'deny';
  if (action !== 'scoped') return action;
  // Gatekeeper 3.17+: one action per enforcement point; admission is validation.gatekeeper.sh.
  const scoped = list<{ action?: string; enforcementPoints?: { name?: string }[] }>(spec['scopedEnforcementActions']).filter((s) =>
    (s.enforcementPoints ?? []).some((p) => p.name === 'validation.gatekeeper.sh' || p.name === '*'),
  );
  return scoped.some((s) => s.action === 'deny') ? 'deny' : scoped.some((s) => s.action === 'warn') ? 'warn' : scoped.length > 0 ? 'dryrun' : 'none';
}

const MUTATOR_KINDS = new Set(['Assign', 'ModifySet']);

function mutatorProblem(mutator: MutatorObject): string | undefined {
  if (!MUTATOR_KINDS.has(mutator.kind)) return `${mutator.kind} mutators are not run in-process (Assign and ModifySet are)`;
  const assign = mutator.spec.parameters?.assign;
  if (assign?.fromMetadata !== undefined || assign?.externalData !== undefined) return 'assign.fromMetadata and externalData are not run in-process';
  const problem = matchProblem(mutator.spec.match ?? {});
  return problem === undefined ? undefined : `Gatekeeper cannot run its ${problem}`;
}

/**
 * Judge workloads by the Gatekeeper objects in `inputs.others`; `null` when there are none.
 * Namespace labels come from the inputs' Namespaces (plus `kubernetes.io/metadata.name`).
 */
export function evaluateGatekeeperExisting(inputs: Pick<InputSet, 'namespaces' | 'others'>): GatekeeperExistingEvaluator | null {
  const objects = inputs.others.filter((o) => o.apiVersion.includes('gatekeeper.sh/')).map((o) => o.raw as unknown as KubernetesObject);
  if (objects.length === 0) return null;
  const notes: string[] = [];
  const templates = new Map<string, Template>();
  for (const object of objects.filter((o) => o.kind === 'ConstraintTemplate' && o.apiVersion.startsWith('templates.gatekeeper.sh/'))) {
    const entry = templateOf(object);
    if (entry === undefined) {
      notes.push(`ConstraintTemplate/${object.metadata.name}: not evaluated: it names no constraint kind (spec.crd.spec.names.kind)`);
      continue;
    }
    templates.set(...entry);
    if ('notEvaluated' in entry[1].code) notes.push(entry[1].code.notEvaluated);
  }
  const constraints: Constraint[] = [];
  for (const object of objects.filter((o) => o.apiVersion.startsWith('constraints.gatekeeper.sh/'))) {
    const spec = (object['spec'] ?? {}) as Json;
    if (!templates.has(object.kind)) {
      notes.push(`${object.kind}/${object.metadata.name}: not evaluated: no ConstraintTemplate for kind ${object.kind} in the inputs`);
      continue;
    }
    const match = (spec['match'] ?? {}) as GatekeeperMatch;
    const problem = matchProblem(match);
    if (problem !== undefined) {
      notes.push(`${object.kind}/${object.metadata.name}: not evaluated: Gatekeeper cannot run its ${problem}`);
      continue;
    }
    constraints.push({ kind: object.kind, name: object.metadata.name, match, parameters: spec['parameters'] ?? {}, action: actionOf(spec) });
  }
  const mutators: MutatorObject[] = [];
  for (const object of objects.filter((o) => o.apiVersion.startsWith('mutations.gatekeeper.sh/'))) {
    const mutator = object as unknown as MutatorObject;
    const problem = mutatorProblem(mutator);
    if (problem === undefined) mutators.push(mutator);
    else notes.push(`${mutator.kind}/${mutator.metadata.name}: not evaluated: ${problem}`);
  }
  // Gatekeeper orders mutators by kind, then name.
  mutators.sort((a, b) => (a.kind === b.kind ? a.metadata.name.localeCompare(b.metadata.name) : a.kind.localeCompare(b.kind)));
  const namespaceLabels = new Map(inputs.namespaces.map((n) => [n.name, { ...(((n.raw['metadata'] as Json | undefined)?.['labels'] as Record<string, string> | undefined) ?? {}) }]));

  const evaluate: WorkloadEvaluator = ({ workload, pod, requester }) => {
    const namespace = workload.namespace;
    const labels = { ...(namespaceLabels.get(namespace) ?? {}), 'kubernetes.io/metadata.name': namespace };
    const mutated = mutatePod(pod, mutators, { namespace, operation: 'CREATE', namespaceLabels: labels });
    const object: Pod = { ...mutated, metadata: { ...mutated.metadata, namespace } };
    const bindings = {
      object,
      oldObject: null,
      namespaceObject: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels } },
      request: {
        kind: { group: '', version: 'v1', kind: 'Pod' },
        operation: 'CREATE',
        name: object.metadata.name ?? '',
        namespace,
        userInfo: { username: requester?.user ?? '', groups: [...(requester?.groups ?? ['system:authenticated'])] },
      },
    };
    const reasons: string[] = [];
    const warnings: string[] = [];
    for (const constraint of constraints) {
      if (!gatekeeperMatches(constraint.match, { pod: object, namespace, namespaceLabels: labels })) continue;
      const template = templates.get(constraint.kind) as Template;
      const label = `${constraint.kind}/${constraint.name}`;
      if ('notEvaluated' in template.code) {
        warnings.push(`${label}: not evaluated: its template ${template.name} has no CEL code (Rego needs OPA)`);
        continue;
      }
      if (constraint.action === 'none') continue;
      const code = template.code;
      const context = celContext(bindings, code.variables, { params: constraint.parameters, anyObject: object });
      const found: string[] = [];
      const matched = matchConditionsHold(code.matchConditions, context);
      if (matched === false) continue;
      if (matched !== true) {
        if (code.failurePolicy === 'Fail') found.push(matched.error);
      } else {
        for (const validation of code.validations) {
          const result = runValidation(validation, context);
          if (result.outcome === 'fail' || (result.outcome === 'error' && code.failurePolicy === 'Fail')) found.push(result.message);
        }
      }
      for (const message of found) {
        if (constraint.action === 'deny') reasons.push(`${message} (${label})`);
        else warnings.push(`${constraint.action}: ${message} (${label})`);
      }
    }
    return { admitted: reasons.length === 0, reasons, ...(warnings.length > 0 ? { warnings } : {}) };
  };
  return Object.assign(evaluate, { notes });
}
