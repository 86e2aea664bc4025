/**
 * Rego for each control, printed from core's control definitions (the ones the CEL comes from), and
 * the two template packages built from them: per-control and policy-set.
 */
import { CONTROL_KINDS, controlDefinitions, type CheckExpr as Expr, type CheckRule as Rule, type ControlKind } from '@psp-translate/core';
import { RegoPrinter, indent, regoLibraryFor, regoLiteral, regoVar } from './print-rego.js';

const CONTAINER_LISTS = '["containers", "initContainers", "ephemeralContainers"]';

const lit = (value: string): Expr => ({ op: 'lit', value });
const v = (name: string): Expr => ({ op: 'var', name });
const nameOf = (item: Expr): Expr => ({ op: 'get', from: item, path: ['name'], default: '' });

/** Functions of one control: `<kind>_failures(x_object, x_params)` = the set of failure messages. */
export function controlFunctions(kind: ControlKind): string {
  const printer = new RegoPrinter(`_${kind}`);
  const rules = controlDefinitions[kind].rules as readonly Rule[];
  const ruleFunctions = rules.map((rule) => {
    const scope = rule.scope;
    const suffix = rule.field === '' ? '' : `.${rule.field}`;
    const fn = `${kind}_${rule.id}_failures`;
    // The rule's `let` is bound once, before the items are visited.
    const letVars = rule.let === undefined ? [] : [rule.let.var];
    const letLines = rule.let === undefined ? [] : [`${regoVar(rule.let.var)} := ${printer.value(rule.let.value, ['object', 'params'])}`];
    let lines: string[];
    if (scope.kind === 'pod') {
      const vars = ['object', 'params', ...letVars];
      const holds = printer.boolHelper([printer.body(rule.require, vars)], vars);
      lines = [...letLines, `not ${holds}`, `msg := ${printer.concat([lit(`${kind}: ${rule.field}: `), rule.detail], vars)}`];
    } else if (scope.kind === 'containers') {
      const vars = ['object', 'params', ...letVars, 'container'];
      const holds = printer.boolHelper([printer.body(rule.require, vars)], vars);
      const message = [lit(`${kind}: spec.`), v('list'), lit('['), nameOf(v('container')), lit(`]${suffix}: `), rule.detail];
      lines = [
        ...letLines,
        `some ${regoVar('list')} in ${CONTAINER_LISTS}`,
        `some ${regoVar('container')} in _psp_list(_psp_get(${regoVar('object')}, ["spec", ${regoVar('list')}], []))`,
        `not ${holds}`,
        `msg := ${printer.concat(message, [...vars, 'list'])}`,
      ];
    } else {
      const vars = ['object', 'params', ...letVars, scope.var];
      const holds = printer.boolHelper([printer.body(rule.require, vars)], vars);
      lines = [
        ...letLines,
        `some ${regoVar(scope.var)} in _psp_list(_psp_get(${regoVar('object')}, ${regoLiteral([...scope.path])}, []))`,
        `not ${holds}`,
        `msg := ${printer.concat([lit(`${kind}: ${scope.path.join('.')}[`), scope.label, lit(`]${suffix}: `), rule.detail], vars)}`,
      ];
    }
    return { fn, text: `${fn}(${regoVar('object')}, ${regoVar('params')}) := {msg |\n${indent(lines)}\n}` };
  });
  const union = ruleFunctions.map((r) => `${r.fn}(${regoVar('object')}, ${regoVar('params')})`).join(' | ');
  return [
    `# ${kind}: the messages of every rule the pod fails (empty set = the control admits it).\n${kind}_failures(${regoVar('object')}, ${regoVar('params')}) := ${union}`,
    ...ruleFunctions.map((r) => r.text),
    ...printer.helperDefinitions(),
  ].join('\n\n');
}

const HEADER = (pkg: string) => `package ${pkg}

# Gatekeeper 3.11+: future.keywords, not rego.v1.
import future.keywords.every
import future.keywords.if
import future.keywords.in
`;

/**
 * The Rego of a per-control template. No operation is skipped: an UPDATE of the
 * pods/ephemeralcontainers subresource (kubectl debug) carries the whole pod and is checked.
 */
export function perControlRego(kind: ControlKind, pkg: string): string {
  const code = `${HEADER(pkg)}
# Pods in the constraint's scopes that this control of the policy refuses. Every operation counts:
# UPDATE of pods/ephemeralcontainers adds containers that PSP checked too.
violation[{"msg": msg}] if {
  ${regoVar('object')} := input.review.object
  _psp_in_scope(${regoVar('object')}, input.parameters.scopes)
  some msg in ${kind}_failures(${regoVar('object')}, input.parameters)
}

${controlFunctions(kind)}
`;
  return `${code}\n${regoLibraryFor(code)}`;
}

/** The Rego of the policy-set template: a violation when no candidate policy admits the pod. */
export function policySetRego(pkg: string): string {
  const refusals = CONTROL_KINDS.map((kind) => `${kind}_failures(pod, p.${kind})`).join(' |\n  ');
  const code = `${HEADER(pkg)}
# Pods in the constraint's scopes that none of the candidate policies admits (PSP admitted a pod
# when any policy it might use admitted it). Every operation counts, UPDATE of
# pods/ephemeralcontainers included.
violation[{"msg": msg}] if {
  pod := input.review.object
  _psp_in_scope(pod, input.parameters.scopes)
  not _psp_some_candidate_admits(pod, input.parameters.candidates)
  msg := _psp_policy_set_message(pod, input.parameters.candidates)
}

_psp_some_candidate_admits(pod, candidates) if {
  some candidate in candidates
  count(_psp_refusals(pod, candidate.controls)) == 0
}

# Every control's failures under one candidate's parameters.
_psp_refusals(pod, p) := ${refusals}

_psp_policy_set_message(pod, candidates) := "no PodSecurityPolicy may be used by this pod" if {
  count(candidates) == 0
} else := msg if {
  reasons := [r | some c in candidates; r := concat("", [c.name, ": ", concat("; ", sort(_psp_refusals(pod, c.controls)))])]
  msg := concat("", ["no PodSecurityPolicy admits this pod: ", concat(" | ", reasons)])
}

${CONTROL_KINDS.map(controlFunctions).join('\n\n')}
`;
  return `${code}\n${regoLibraryFor(code)}`;
}
