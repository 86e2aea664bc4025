/**
 * Constraints, and the templates they use. Per scope group (RBAC): one candidate PSP = per-control
 * constraints (one per control with something to check), several = one policy-set constraint,
 * none = a policy-set constraint with no candidates (PSP admitted none of those pods).
 */
import {
  CONTROL_KINDS,
  controlCondition,
  controlParamsFor as paramsFor,
  foldCheck as fold,
  type ControlKind,
  type PolicyIR,
} from '@psp-translate/core';
import { POD_KINDS_MATCH } from './emit-mutators.js';
import { constraintKind, objectName, POLICY_SET_KIND } from './names.js';
import { matchForClasses, selectorKey } from './scope.js';
import { perControlTemplate, policySetTemplate } from './templates.js';
import type {
  FidelityEntry,
  GatekeeperAction,
  GatekeeperMode,
  GatekeeperScopeGroup,
  KubernetesObject,
  NameSelector,
} from './types.js';

export interface EmitConstraintsInput {
  policies: readonly PolicyIR[];
  groups: readonly GatekeeperScopeGroup[];
  mode: GatekeeperMode;
  action: GatekeeperAction;
  excludedNamespaces: readonly string[];
}

interface Scope {
  namespace: NameSelector;
  serviceAccount: NameSelector;
  requester: NameSelector;
}

const scopeOf = (g: GatekeeperScopeGroup): Scope => ({
  namespace: { op: g.namespace.op, values: [...g.namespace.values] },
  serviceAccount: { op: g.serviceAccount.op, values: [...g.serviceAccount.values] },
  requester: { op: g.requester.op, values: [...g.requester.values] },
});

/** True when the policy's values leave this control nothing to check. */
export function controlIsVacuous(kind: ControlKind, policy: PolicyIR): boolean {
  const condition = fold(controlCondition(kind), { params: paramsFor(kind, policy.controls[kind]) });
  return condition.op === 'lit' && condition.value === true;
}

function constraint(kind: string, name: string, scopes: readonly Scope[], action: GatekeeperAction, excluded: readonly string[], parameters: Record<string, unknown>, source: string): KubernetesObject | null {
  const match = matchForClasses(
    scopes.map((s) => s.namespace),
    excluded,
  );
  if (match === null) return null;
  return {
    apiVersion: 'constraints.gatekeeper.sh/v1beta1',
    kind,
    metadata: { name, annotations: { 'psp-translate.io/source': source } },
    spec: {
      enforcementAction: action,
      match: { scope: 'Namespaced', kinds: POD_KINDS_MATCH, ...match },
      parameters: { ...parameters, scopes },
    },
  };
}

/** Templates (only those some constraint uses) and constraints. */
export function emitConstraints(input: EmitConstraintsInput): { templates: KubernetesObject[]; constraints: KubernetesObject[]; report: FidelityEntry[] } {
  const byName = new Map(input.policies.map((p) => [p.name, p]));
  const report: FidelityEntry[] = [];
  const soleScopes = new Map<string, Scope[]>();
  const setScopes = new Map<string, { candidates: string[]; scopes: Scope[] }>();

  for (const group of input.groups) {
    const candidates = group.candidates.filter((name) => byName.has(name));
    const perControl = candidates.length === 1 && input.mode !== 'policy-set';
    if (perControl) {
      const list = soleScopes.get(candidates[0]!) ?? [];
      list.push(scopeOf(group));
      soleScopes.set(candidates[0]!, list);
      continue;
    }
    if (input.mode === 'per-control' && candidates.length > 1) {
      report.push({
        policy: null,
        control: null,
        fidelity: 'note',
        message: `pods that may use ${candidates.join(', ')} get a policy-set constraint even in per-control mode: per-control constraints would require every one of those PSPs to admit a pod, where PSP required only one`,
      });
    }
    const key = candidates.join('\u0000');
    const entry = setScopes.get(key) ?? { candidates, scopes: [] };
    entry.scopes.push(scopeOf(group));
    setScopes.set(key, entry);
  }

  const constraints: KubernetesObject[] = [];
  const usedKinds = new Set<ControlKind>();
  for (const policy of input.policies) {
    const scopes = soleScopes.get(policy.name);
    if (scopes === undefined) continue;
    for (const kind of CONTROL_KINDS) {
      if (controlIsVacuous(kind, policy)) continue;
      const object = constraint(
        constraintKind(kind),
        objectName([policy.name]),
        scopes,
        input.action,
        input.excludedNamespaces,
        paramsFor(kind, policy.controls[kind]),
        `PodSecurityPolicy/${policy.name} ${kind}`,
      );
      if (object === null) continue;
      usedKinds.add(kind);
      constraints.push(object);
    }
  }

  let policySetUsed = false;
  for (const { candidates, scopes } of [...setScopes.values()].sort((a, b) => a.candidates.join(',').localeCompare(b.candidates.join(',')))) {
    const object = constraint(
      POLICY_SET_KIND,
      objectName(candidates.length === 0 ? ['no-usable-psp'] : ['any-of', ...candidates]),
      scopes,
      input.action,
      input.excludedNamespaces,
      {
        candidates: candidates.map((name) => {
          const policy = byName.get(name)!;
          return { name, controls: Object.fromEntries(CONTROL_KINDS.map((kind) => [kind, paramsFor(kind, policy.controls[kind])])) };
        }),
      },
      candidates.length === 0 ? 'no PodSecurityPolicy authorised' : candidates.map((c) => `PodSecurityPolicy/${c}`).join(' '),
    );
    if (object === null) continue;
    policySetUsed = true;
    constraints.push(object);
    if (candidates.length === 0) {
      report.push({
        policy: null,
        control: null,
        fidelity: 'note',
        message: `${describeScopes(scopes)}: no PodSecurityPolicy may be used there, so every pod is refused (as PSP admission did)`,
      });
    }
  }

  if (scopesUseRequester([...soleScopes.values(), ...[...setScopes.values()].map((s) => s.scopes)].flat())) {
    report.push({
      policy: null,
      control: null,
      fidelity: 'approximate',
      message:
        'some PSPs are granted to the user creating the pod (e.g. a controller): constraints read request.userInfo.username at admission; Gatekeeper audit has no requester and judges existing pods as created by "anyone else"',
    });
  }

  const templates = [
    ...CONTROL_KINDS.filter((kind) => usedKinds.has(kind)).map(perControlTemplate),
    ...(policySetUsed ? [policySetTemplate()] : []),
  ];
  return { templates, constraints, report };
}

function scopesUseRequester(scopes: readonly Scope[]): boolean {
  return scopes.some((s) => !(s.requester.op === 'NotIn' && s.requester.values.length === 0));
}

function describeScopes(scopes: readonly Scope[]): string {
  const seen = new Map(scopes.map((s) => [selectorKey(s.namespace), s.namespace]));
  const parts = [...seen.values()].map((sel) =>
    sel.op === 'In' ? `namespaces ${sel.values.join(', ')}` : sel.values.length === 0 ? 'every namespace' : `namespaces other than ${sel.values.join(', ')}`,
  );
  return `some pods in ${parts.join('; ')}`;
}
