/**
 * The CEL (K8sNativeValidation) of the static templates, printed from core's control definitions.
 *
 * Each control's check is printed ONCE, as the list of its failure messages: a pod rule as
 * `ok ? [] : [message]`, a list rule as `list.filter(item, !ok).map(item, message)`. The control
 * admits the pod when that list is empty; its message is the first entry. Container rules run once
 * over the three container lists, by name, from the `containerLists` variable, so neither a rule
 * nor the has() guards of a list are repeated per list, and the admits test is not printed apart
 * from the message. Gatekeeper binds `variables` as ValidatingAdmissionPolicy does (Gatekeeper
 * 3.15+ reads `source.variables`; CEL templates need 3.16+ anyway) and evaluates each lazily, once.
 *
 * Expressions are printed over several lines (one control, one rule a line) so that reviewers can
 * read them and YAML writes them as literal blocks.
 */
import { CONTAINER_KINDS, CONTROL_KINDS, controlDefinitions, fold, printCel, type CheckExpr as Expr, type CheckRule as Rule, type ControlKind, type PrintNames } from '@psp-translate/core';

/** A `source.variables[]` entry. */
export interface CelVariable {
  name: string;
  expression: string;
}

/** A `source.validations[]` entry. */
export interface CelValidation {
  expression: string;
  messageExpression: string;
}

/** The K8sNativeValidation `source` of a template. */
export interface CelSource {
  variables: CelVariable[];
  validations: CelValidation[];
}

const POD = 'object';
/** The variable holding the pod's three container lists by name (`{containers: [...], ...}`). */
export const CONTAINER_LISTS_VARIABLE = 'containerLists';
/** The variable holding the failure messages (per-control: of the control; policy set: per candidate). */
export const FAILURES_VARIABLE = 'failures';
/** The pod's container lists, in the order PSP checked them. */
const CONTAINER_KINDS_CEL = `[${CONTAINER_KINDS.map((kind) => JSON.stringify(kind)).join(', ')}]`;
/** The comprehension variable naming the container list a container rule is visiting. */
const LIST_VAR = 'list';

const lit = (value: string): Expr => ({ op: 'lit', value });
const v = (name: string): Expr => ({ op: 'var', name });
const getOr = (from: Expr, path: readonly string[], dflt: string | readonly never[]): Expr => ({ op: 'get', from, path, default: dflt });
const concat = (...parts: Expr[]): Expr => ({ op: 'concat', parts });
const not = (arg: Expr): Expr => ({ op: 'not', arg });

/** CEL: a selector `{op, values}` (CEL expression `sel`) holds for the CEL string `value`. */
function celSelects(sel: string, value: string): string {
  return `((${sel}.op == "In") == (${value} in ${sel}.values))`;
}

/** CEL: the pod is in one of the constraint's scopes. */
export function celInScope(scopes: string): string {
  const namespace = `(has(${POD}.metadata.namespace) ? ${POD}.metadata.namespace : "")`;
  const serviceAccount = `(has(${POD}.spec.serviceAccountName) ? ${POD}.spec.serviceAccountName : "default")`;
  const requester = '(has(request.userInfo) && has(request.userInfo.username) ? request.userInfo.username : "")';
  return (
    `${scopes}.exists(s,\n  ${celSelects('s.namespace', namespace)} &&\n  ${celSelects('s.serviceAccount', serviceAccount)} &&\n` +
    // Most scopes do not depend on the requester: do not read `request` then.
    `  ((s.requester.op == "NotIn" && size(s.requester.values) == 0) || ${celSelects('s.requester', requester)}))`
  );
}

/** CEL for the `containerLists` variable: each container list of the pod, `[]` when missing. */
export function containerListsCel(): string {
  const names: PrintNames = { object: POD, params: 'variables.params' };
  const entries = CONTAINER_KINDS.map((kind) => `  ${JSON.stringify(kind)}: ${printCel(getOr(v('object'), ['spec', kind], []), names)}`);
  return `{\n${entries.join(',\n')}\n}`;
}

function fieldSuffix(field: string): string {
  return field === '' ? '' : `.${field}`;
}

const same = (a: Expr, b: Expr): boolean => JSON.stringify(a) === JSON.stringify(b);

/** `expr` with every subtree equal to `target` replaced by `by`. */
function replaceAll(expr: Expr, target: Expr, by: Expr): Expr {
  if (same(expr, target)) return by;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(expr)) {
    if (Array.isArray(value)) out[key] = value.map((item: unknown) => (isExpr(item) ? replaceAll(item, target, by) : item));
    else out[key] = isExpr(value) ? replaceAll(value, target, by) : value;
  }
  return out as unknown as Expr;
}

function isExpr(value: unknown): value is Expr {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { op?: unknown }).op === 'string';
}

/** Whether `target` occurs in `expr`. */
function occursIn(expr: Expr, target: Expr): boolean {
  return JSON.stringify(expr).includes(JSON.stringify(target));
}

/** A comprehension variable for a shared read of `read` (a `get`). */
function sharedName(read: Expr): string {
  const last = read.op === 'get' ? read.path[read.path.length - 1] : undefined;
  return `${typeof last === 'string' && /^[A-Za-z]+$/.test(last) ? last : 'shared'}Value`;
}

/**
 * Reads that a check repeats, bound once where they are first read (CEL has no functions, so a
 * repeated operand is otherwise printed, and evaluated, each time): the pod's SELinux level in a
 * level comparison (read 6 times or more), and a profile's `type` tested by a chain of conditions.
 * Only places where the read is evaluated anyway are bound, so a guard is never bypassed.
 */
function shareReads(expr: Expr): Expr {
  // Top-down, so that a read bound by an outer condition is a variable in the inner ones.
  const walk = (e: Expr): Expr => {
    if (e.op === 'selinuxLevelEq' && e.actual.op !== 'var' && e.actual.op !== 'lit') {
      const name = sharedName(e.actual);
      return { op: 'let', var: name, value: walk(e.actual), body: { ...e, actual: { op: 'var', name }, expected: walk(e.expected) } };
    }
    if (e.op === 'cond') {
      const test = e.if.op === 'and' ? e.if.args[0] : e.if;
      const read = test?.op === 'eq' && test.left.op === 'get' && test.left.default !== undefined ? test.left : undefined;
      if (read !== undefined && (occursIn(e.then, read) || occursIn(e.else, read))) {
        const name = sharedName(read);
        return { op: 'let', var: name, value: walk(read), body: walk(replaceAll(e, read, { op: 'var', name })) };
      }
    }
    return mapChildren(e, walk);
  };
  return walk(expr);
}

/** `e` with `f` applied to each direct child expression. */
function mapChildren(e: Expr, f: (child: Expr) => Expr): Expr {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(e)) {
    if (Array.isArray(value)) out[key] = value.map((item: unknown) => (isExpr(item) ? f(item) : item));
    else out[key] = isExpr(value) ? f(value) : value;
  }
  return out as unknown as Expr;
}

/** CEL list of strings: the failure messages of one rule (empty = the rule holds); undefined when it always holds. */
function ruleFailures(kind: ControlKind, rule: Rule, names: PrintNames): string | undefined {
  const require = fold(rule.require);
  if (require.op === 'lit' && require.value === true) return undefined;
  const print = (e: Expr) => printCel(shareReads(fold(e)), names);
  const failing = print(not(rule.require));
  const scope = rule.scope;
  let failures: string;
  if (scope.kind === 'pod') {
    const message = concat(lit(rule.field === '' ? `${kind}: ` : `${kind}: ${rule.field}: `), rule.detail);
    failures = `(${failing} ? [${print(message)}] : [])`;
  } else if (scope.kind === 'items') {
    const message = concat(lit(`${kind}: ${scope.path.join('.')}[`), scope.label, lit(`]${fieldSuffix(rule.field)}: `), rule.detail);
    failures = `${print(getOr(v('object'), scope.path, []))}\n  .filter(${scope.var}, ${failing})\n  .map(${scope.var}, ${print(message)})`;
  } else {
    // The first failing container of each list, in list order.
    const message = concat(lit(`${kind}: spec.`), v(LIST_VAR), lit('['), getOr(v('container'), ['name'], ''), lit(`]${fieldSuffix(rule.field)}: `), rule.detail);
    failures =
      `${CONTAINER_KINDS_CEL}.map(${LIST_VAR}, variables.${CONTAINER_LISTS_VARIABLE}[${LIST_VAR}]\n` +
      `  .filter(container, ${failing})\n  .map(container, ${print(message)}))\n` +
      '  .filter(found, size(found) > 0).map(found, found[0])';
  }
  if (rule.let === undefined) return failures;
  // The rule's `let` is computed once, outside the loop over items.
  return `[${print(rule.let.value)}].map(${rule.let.var}, ${failures})[0]`;
}

/**
 * CEL list of strings: the failure messages of control `kind` with its params at `params`, in rule
 * order (the first is the one PSP-style messages name); empty when the control admits the pod.
 * Lines after the first are indented by `indent`.
 */
export function controlFailuresCel(kind: ControlKind, params: string, indent = ''): string {
  const names: PrintNames = { object: POD, params };
  const rules = controlDefinitions[kind].rules as readonly Rule[];
  const parts = rules.flatMap((rule) => ruleFailures(kind, rule, names) ?? []);
  if (parts.length === 0) return '[]';
  if (parts.length === 1) return (parts[0] as string).replaceAll('\n', `\n${indent}`);
  return `(\n${parts.map((p) => `${indent}  ${p.replaceAll('\n', `\n${indent}  `)}`).join(' +\n')}\n${indent})`;
}

/** The CEL of one control's template: pods outside the scopes pass; others must fail no rule. */
export function perControlCelSource(kind: ControlKind): CelSource {
  return {
    variables: [
      { name: CONTAINER_LISTS_VARIABLE, expression: containerListsCel() },
      { name: FAILURES_VARIABLE, expression: controlFailuresCel(kind, 'variables.params') },
    ],
    validations: [
      {
        expression: `!${celInScope('variables.params.scopes')} ||\nsize(variables.${FAILURES_VARIABLE}) == 0`,
        messageExpression: `variables.${FAILURES_VARIABLE}[0]`,
      },
    ],
  };
}

/**
 * The CEL of the policy-set template: `failures` holds, per candidate, `""` when it admits the pod,
 * else `<name>: <first failure of each failing control, "; "-separated>`; some candidate must admit.
 */
export function policySetCelSource(): CelSource {
  const controls = CONTROL_KINDS.map((kind) => {
    const direct = controlFailuresCel(kind, `c.controls.${kind}`, '    ');
    // A control reading its params more than once binds them to `p` (`p.level`, not `c.controls.seLinux.level`).
    const bound = direct.split(`c.controls.${kind}`).length > 2 ? `[c.controls.${kind}].map(p, ${controlFailuresCel(kind, 'p', '    ')})[0]` : direct;
    return `    // ${kind}\n    ${bound}`;
  });
  const failures =
    'variables.params.candidates.map(c, [[\n' +
    `${controls.join(',\n')}\n` +
    '  ].filter(control, size(control) > 0).map(control, control[0])\n' +
    '].map(reasons, size(reasons) == 0 ? "" : c.name + ": " + reasons.join("; "))[0])';
  return {
    variables: [
      { name: CONTAINER_LISTS_VARIABLE, expression: containerListsCel() },
      { name: FAILURES_VARIABLE, expression: failures },
    ],
    validations: [
      {
        expression: `!${celInScope('variables.params.scopes')} ||\nvariables.${FAILURES_VARIABLE}.exists(f, f == "")`,
        messageExpression:
          'size(variables.params.candidates) == 0 ? "no PodSecurityPolicy may be used by this pod" :\n' +
          `"no PodSecurityPolicy admits this pod: " + variables.${FAILURES_VARIABLE}.join(" | ")`,
      },
    ],
  };
}
