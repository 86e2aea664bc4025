/**
 * CEL for each control and for sets of candidate policies, printed from the definitions in
 * ./controls.ts.
 */
import { CONTAINER_KINDS, CONTROL_KINDS, type ControlKind, type Controls, type PolicyIR } from '../ir/ir.js';
import { and, concat, every, get, letIn, lit, not, v, type Expr, type Json, type Rule } from './ast.js';
import { controlDefinitions, type ControlDefinition } from './controls.js';
import { fold, type FoldContext } from './fold.js';
import { celString } from './literal.js';
import { printCel, type PrintNames } from './print.js';

/** Where a CEL expression finds the pod and the control's params. */
export interface CelOptions {
  /** CEL expression yielding the params map: `params`, `variables.params`, or a `celLiteral(...)` map. */
  readonly params: string;
  /** CEL expression for the pod, e.g. `object`. */
  readonly object: string;
}

/** The CEL of one control: static code reading the policy's values from `params`. */
export interface CelControl<K extends ControlKind = ControlKind> {
  /** Boolean CEL: this control of the policy admits the pod. */
  admits(options: CelOptions): string;
  /** String CEL: `''` when admitted, else `<control>: <field path>: <why>` for the first failing field. */
  message(options: CelOptions): string;
  /** The params for this control of one policy (plain JSON). */
  paramsFor(control: Controls[K]): Record<string, Json>;
}

function definition<K extends ControlKind>(kind: K): ControlDefinition<K> {
  return controlDefinitions[kind] as unknown as ControlDefinition<K>;
}

/** The pod's list for a scope, empty when missing. */
const listAt = (path: readonly string[]): Expr => get(v('object'), path, []);

/** A rule as one whole-pod condition: its scope expanded (all three container lists), its `let` bound once outside. */
export function ruleCondition(rule: Rule): Expr {
  const expanded = expandScope(rule);
  return rule.let === undefined ? expanded : letIn(rule.let.var, rule.let.value, expanded);
}

function expandScope(rule: Rule): Expr {
  const scope = rule.scope;
  switch (scope.kind) {
    case 'pod':
      return rule.require;
    case 'containers':
      return and(...CONTAINER_KINDS.map((kind) => every('container', listAt(['spec', kind]), rule.require)));
    case 'items':
      return every(scope.var, listAt(scope.path), rule.require);
  }
}

const conditionByKind = new Map<ControlKind, Expr>();

/**
 * A control as one whole-pod condition in the check language. Built once per kind (the definitions
 * are constants) and shared: the same node every call, so fold's memo (keyed by node) finds it.
 */
export function controlCondition(kind: ControlKind): Expr {
  let condition = conditionByKind.get(kind);
  if (condition === undefined) conditionByKind.set(kind, (condition = and(...definition(kind).rules.map(ruleCondition))));
  return condition;
}

interface MessageEntry {
  /** The rule's id, plus the container list for `containers` scopes (`readOnlyMounts_initContainers`). */
  id: string;
  /** CEL: this part of the rule holds. */
  ok: string;
  /** CEL string: the first failure of this part. */
  message: string;
}

function fieldSuffix(field: string): string {
  return field === '' ? '' : `.${field}`;
}

/** One entry per container list (or one for pod/items scopes); entries that fold to true are dropped. */
function ruleMessageEntries(kind: ControlKind, rule: Rule, outer: FoldContext, names: PrintNames): MessageEntry[] {
  // The rule's `let`: folded into the context when the params decide it, else bound around each entry.
  let ctx = outer;
  let bind = (cel: string): string => cel;
  let bindExpr = (e: Expr): Expr => e;
  if (rule.let !== undefined) {
    const { var: name, value } = rule.let;
    const bound = fold(value, outer);
    if (bound.op === 'lit') {
      ctx = { params: outer.params, vars: new Map([...(outer.vars ?? []), [name, bound.value]]) };
    } else {
      const boundCel = printCel(bound, names);
      bind = (cel) => `[${boundCel}].map(${name}, ${cel})[0]`;
      bindExpr = (e) => letIn(name, bound, e);
    }
  }
  const print = (e: Expr) => printCel(fold(e, ctx), names);
  const require = fold(rule.require, ctx);
  if (require.op === 'lit' && require.value === true) return [];
  const scope = rule.scope;
  if (scope.kind === 'pod') {
    return [{ id: rule.id, ok: print(bindExpr(require)), message: bind(print(concat(lit(rule.field === '' ? `${kind}: ` : `${kind}: ${rule.field}: `), rule.detail))) }];
  }
  const lists =
    scope.kind === 'containers'
      ? CONTAINER_KINDS.map((ck) => ({ id: `${rule.id}_${ck}`, path: ['spec', ck], var: 'container', label: get(v('container'), ['name'], ''), at: `spec.${ck}` }))
      : [{ id: rule.id, path: [...scope.path], var: scope.var, label: scope.label, at: scope.path.join('.') }];
  return lists.map((list) => {
    const items = print(listAt(list.path));
    const text = concat(lit(`${kind}: ${list.at}[`), list.label, lit(`]${fieldSuffix(rule.field)}: `), rule.detail);
    return {
      id: list.id,
      ok: print(bindExpr(every(list.var, listAt(list.path), rule.require))),
      message: bind(`${items}.filter(${list.var}, ${printCel(fold(not(rule.require), ctx), names)}).map(${list.var}, ${print(text)})[0]`),
    };
  });
}

/** A chain `ok1 ? (ok2 ? ... : m2) : m1` ending in `''`: the first failure's message. */
function firstFailure(entries: readonly MessageEntry[]): string {
  return entries.reduceRight((rest, entry) => `(${entry.ok} ? ${rest} : ${entry.message})`, '""');
}

function controlEntries(kind: ControlKind, ctx: FoldContext, names: PrintNames): MessageEntry[] {
  return definition(kind).rules.flatMap((rule) => ruleMessageEntries(kind, rule, ctx, names));
}

function namesOf(options: CelOptions): PrintNames {
  return { object: options.object, params: options.params };
}

function celControl<K extends ControlKind>(kind: K): CelControl<K> {
  return {
    admits: (options) => printCel(fold(controlCondition(kind)), namesOf(options)),
    message: (options) => firstFailure(controlEntries(kind, {}, namesOf(options))),
    paramsFor: (control) => definition(kind).paramsFor(control),
  };
}

/**
 * Every control's CEL. `satisfies` keeps the table complete: a new control kind fails to compile
 * here until it has a definition.
 */
export const celControls = Object.fromEntries(CONTROL_KINDS.map((kind) => [kind, celControl(kind)])) as {
  [K in ControlKind]: CelControl<K>;
} satisfies Record<ControlKind, CelControl>;

/** Params of every control of a policy, by control kind. */
export function policyParams(policy: PolicyIR): Record<ControlKind, Record<string, Json>> {
  return Object.fromEntries(
    CONTROL_KINDS.map((kind) => [kind, definition(kind).paramsFor(policy.controls[kind] as never)]),
  ) as Record<ControlKind, Record<string, Json>>;
}

/** One part of a control's check: one rule, over one container list for container rules. */
export interface InlineCheckCel {
  /** The rule's id, with the container list for container rules (`readOnlyMounts_ephemeralContainers`). */
  id: string;
  /** Boolean CEL: this part admits the pod. */
  admits: string;
  /** String CEL: `''` when this part admits the pod, else its first failing field. */
  message: string;
}

/** One control of one policy with the policy's values folded in. */
export interface InlineControlCel {
  kind: ControlKind;
  /** Boolean CEL; `true` when the policy's values leave nothing to check. */
  admits: string;
  /** String CEL: `''` when admitted, else the first failing field. */
  message: string;
  /**
   * The same check in parts (the control admits when every part does; its message is the first
   * part's non-empty message), for engines that must keep each expression under a cost limit:
   * binding each part to a variable of its own splits a costly control (read-only hostPaths).
   */
  parts: InlineCheckCel[];
}

/**
 * One control's printed CEL for one params value and pod expression: what policies with equal
 * params for the control share.
 */
interface PrintedControl {
  /** The control folded with the params. */
  readonly condition: Expr;
  /** Its message entries (built when first wanted: a control with nothing to check needs them for a policy's message only). */
  entries?: readonly MessageEntry[];
  /** The {@link InlineControlCel} (frozen), built when first wanted; `null` when the control leaves nothing to check. */
  inline?: InlineControlCel | null;
}

/**
 * Printed controls by kind, pod expression and params (by value): folding and printing depend on
 * nothing else, and the controls of different policies (and of the same policy, parsed again) are
 * mostly equal. Bounded: dropped when it grows large.
 */
let printedControls = new Map<string, PrintedControl>();
const PRINTED_CONTROLS_LIMIT = 5_000;

/** An exact text form of a JSON value (object keys in order, `-0` kept apart from `0`). */
function jsonKey(value: Json): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (const item of value as readonly Json[]) out += `${jsonKey(item)},`;
    return `${out}]`;
  }
  let out = '{';
  for (const key of Object.keys(value)) out += `${JSON.stringify(key)}:${jsonKey((value as Readonly<Record<string, Json>>)[key] as Json)},`;
  return `${out}}`;
}

function printedControl(kind: ControlKind, params: Record<string, Json>, object: string): PrintedControl {
  const key = `${kind}\u0000${object}\u0000${jsonKey(params)}`;
  const known = printedControls.get(key);
  if (known !== undefined) return known;
  const printed: PrintedControl = { condition: fold(controlCondition(kind), { params }) };
  if (printedControls.size >= PRINTED_CONTROLS_LIMIT) printedControls = new Map();
  printedControls.set(key, printed);
  return printed;
}

const namesFor = (object: string): PrintNames => ({ object, params: '__params_are_inlined__' });

function entriesOf(kind: ControlKind, params: Record<string, Json>, object: string, printed: PrintedControl): readonly MessageEntry[] {
  printed.entries ??= Object.freeze(controlEntries(kind, { params }, namesFor(object)).map((entry) => Object.freeze(entry)));
  return printed.entries;
}

function inlineOf(kind: ControlKind, params: Record<string, Json>, object: string, printed: PrintedControl): InlineControlCel | null {
  if (printed.inline !== undefined) return printed.inline;
  const condition = printed.condition;
  if (condition.op === 'lit' && condition.value === true) return (printed.inline = null);
  const entries = entriesOf(kind, params, object, printed);
  const admits = printCel(condition, namesFor(object));
  const parts = Object.freeze(entries.map((entry) => Object.freeze({ id: entry.id, admits: entry.ok, message: firstFailure([entry]) })));
  // Frozen: shared by every caller (parts typed as the mutable array callers are given).
  printed.inline = Object.freeze({ kind, admits, message: firstFailure(entries), parts: parts as InlineCheckCel[] });
  return printed.inline;
}

/** What has been printed for one policy, by pod expression. */
interface PolicyPrinted {
  /** Per control kind (in CONTROL_KINDS order): the kind, the policy's params for it, and the shared printed control. */
  printed?: readonly { kind: ControlKind; params: Record<string, Json>; control: PrintedControl }[];
  controls?: readonly InlineControlCel[];
  admits?: string;
  message?: string;
}

/**
 * By policy object and pod expression. PolicyIR objects are treated as immutable once parsed (as
 * the other per-policy caches in core and the targets assume): a translation asks for the same
 * policy's expressions from several targets and once per scope group it is a candidate in.
 */
const printedByPolicy = new WeakMap<PolicyIR, Map<string, PolicyPrinted>>();

function policyPrinted(policy: PolicyIR, object: string): PolicyPrinted {
  let byObject = printedByPolicy.get(policy);
  if (byObject === undefined) printedByPolicy.set(policy, (byObject = new Map()));
  let found = byObject.get(object);
  if (found === undefined) byObject.set(object, (found = {}));
  return found;
}

/** The policy's printed controls, looked up once per policy and pod expression. */
function printedOf(policy: PolicyIR, object: string, memo: PolicyPrinted): NonNullable<PolicyPrinted['printed']> {
  if (memo.printed === undefined) {
    const params = policyParams(policy);
    memo.printed = CONTROL_KINDS.map((kind) => ({ kind, params: params[kind], control: printedControl(kind, params[kind], object) }));
  }
  return memo.printed;
}

/**
 * Per-control CEL of one policy, its params inlined and folded: for a scope where a single policy
 * applies (one validation per control). Controls with nothing to check are left out.
 *
 * Memoised by policy object and `options.object` (and each control by its params' value):
 * `policy` must not be mutated after the first call (PolicyIR is immutable once parsed). The
 * returned array is fresh; its elements are frozen and shared between calls.
 */
export function policyControlExpressions(policy: PolicyIR, options: { object: string }): InlineControlCel[] {
  const memo = policyPrinted(policy, options.object);
  if (memo.controls === undefined) {
    const controls: InlineControlCel[] = [];
    for (const { kind, params, control } of printedOf(policy, options.object, memo)) {
      const inline = inlineOf(kind, params, options.object, control);
      if (inline !== null) controls.push(inline);
    }
    memo.controls = Object.freeze(controls);
  }
  return [...memo.controls];
}

/**
 * Boolean CEL: the policy (all its controls, values inlined) admits the pod. Memoised by policy
 * object and `options.object` (PolicyIR is immutable once parsed).
 */
export function policyAdmitsExpression(policy: PolicyIR, options: { object: string }): string {
  const memo = policyPrinted(policy, options.object);
  if (memo.admits === undefined) {
    const parts = policyControlExpressions(policy, options).map((control) => control.admits);
    memo.admits = parts.length === 0 ? 'true' : parts.length === 1 ? (parts[0] as string) : parts.join(' && ');
  }
  return memo.admits;
}

/**
 * String CEL: `''` when the policy admits the pod, else its first failing control and field.
 * Memoised by policy object and `options.object` (PolicyIR is immutable once parsed).
 */
export function policyMessageExpression(policy: PolicyIR, options: { object: string }): string {
  const memo = policyPrinted(policy, options.object);
  memo.message ??= firstFailure(
    printedOf(policy, options.object, memo).flatMap(({ kind, params, control }) => entriesOf(kind, params, options.object, control)),
  );
  return memo.message;
}

/** One candidate policy in a policy set. */
export interface CandidateCel {
  policy: string;
  /** CEL identifier for the candidate's variable (`variables.<name>` in VAP / Gatekeeper). */
  variable: string;
  /** Boolean CEL: this candidate admits the pod (params inline). */
  admits: string;
  /** String CEL: `''` when admitted, else the candidate's first failing field. */
  message: string;
}

/** CEL for "any of these candidate policies admits the pod", as PSP decided admission. */
export interface PolicySetCel {
  candidates: CandidateCel[];
  /** `variables.a || variables.b ...` over the candidates' variables (`false` for no candidates). */
  expression: string;
  /** The same disjunction with each candidate's expression inlined (for engines without variables). */
  inlineExpression: string;
  /** String CEL naming, per candidate, the first failing field (evaluate only when the set rejects). */
  messageExpression: string;
}

/** A CEL identifier for a policy name, unique within `taken`. */
function variableName(policy: string, taken: Set<string>): string {
  const base = `psp_${policy.replace(/[^A-Za-z0-9_]/g, '_')}`;
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

/**
 * Any-of composition over candidate PSPs: a pod is admitted when at least one candidate admits it
 * (PSP tried each policy the requester may use). Each candidate's controls are conjoined with its
 * params inlined.
 *
 * @param options.object CEL for the pod (`object`).
 * @param options.variables CEL prefix of the variables holding each candidate (`variables.`).
 */
export function policySetExpression(
  policies: readonly PolicyIR[],
  options: { object: string; variables?: string },
): PolicySetCel {
  const prefix = options.variables ?? 'variables.';
  const taken = new Set<string>();
  const candidates = policies.map((policy) => ({
    policy: policy.name,
    variable: variableName(policy.name, taken),
    admits: policyAdmitsExpression(policy, options),
    message: policyMessageExpression(policy, options),
  }));
  if (candidates.length === 0) {
    return {
      candidates,
      expression: 'false',
      inlineExpression: 'false',
      messageExpression: celString('no PodSecurityPolicy may be used by this pod'),
    };
  }
  const perCandidate = candidates.map((c) => `${celString(`${c.policy}: `)} + ${c.message}`).join(` + "; " + `);
  return {
    candidates,
    expression: candidates.map((c) => `${prefix}${c.variable}`).join(' || '),
    inlineExpression: candidates.map((c) => `(${c.admits})`).join(' || '),
    messageExpression: `${celString('no PodSecurityPolicy admits this pod: ')} + ${perCandidate}`,
  };
}
