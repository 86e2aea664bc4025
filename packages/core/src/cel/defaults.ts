/**
 * PSP admission with defaults, in the check language: "this PSP admits the pod once ITS OWN defaults
 * are applied to the fields the pod leaves unset", "applying its defaults would change the pod", and
 * the choice PSP admission made among several candidates (the first by name that admits the pod
 * unchanged, else the first by name that admits it after its defaults).
 *
 * Engines run mutators before validation and cannot know which PSP admission would have chosen, so
 * a validation of the defaulted pod is approximate wherever several defaulting PSPs apply. These
 * expressions read the pod as submitted: each defaulted field is read as `applies ? default : field`
 * (`applies`: the pod leaves it unset, as PSP's MutatePod decided), so a mutator can apply only the
 * chosen policy's defaults and the validation can be "some candidate admits after its defaults".
 *
 * The defaults enter through one variable, `defaults` (see {@link policyDefaults}): static code reads
 * it like the params, and folding with its value inlines a policy's defaults. Semantics follow the
 * reference evaluator's `applyDefaults` (core/src/evaluate/evaluate.ts).
 */
import { CONTAINER_KINDS, CONTROL_KINDS, type ControlKind, type PolicyIR } from '../ir/ir.js';
import {
  and,
  append,
  collect,
  concat,
  cond,
  eq,
  get,
  has,
  isIn,
  lit,
  nonEmpty,
  not,
  or,
  some,
  v,
  type Expr,
  type Json,
  type Key,
} from './ast.js';
import { controlCondition, policyParams } from './control-cel.js';
import { APPARMOR_CONTAINER_PREFIX, SECCOMP_POD_ANNOTATION, containerAppArmor, hasEffective, profileAnnotationForm } from './controls.js';
import { fold } from './fold.js';
import { celString } from './literal.js';
import { printCel } from './print.js';

/** The variable static code reads a policy's defaults from. */
export const DEFAULTS_VAR = 'defaults';

/** One policy's defaults, as the `defaults` variable holds them (plain JSON, every field present). */
export interface PolicyDefaults {
  [key: string]: Json;
  runAsUser: { set: boolean; value: number };
  runAsGroup: { set: boolean; value: number };
  /** MustRunAsNonRoot without a UID default: `runAsNonRoot: true` where neither it nor a UID is set. */
  runAsNonRoot: boolean;
  /** `defaultAddCapabilities` (`add`) and `requiredDropCapabilities` (`drop`). */
  capabilities: { add: string[]; drop: string[] };
  readOnlyRootFilesystem: boolean;
  allowPrivilegeEscalation: { set: boolean; value: boolean };
  /** The per-container AppArmor annotation. */
  appArmor: { set: boolean; value: string };
  /** The pod seccomp annotation. */
  seccomp: { set: boolean; value: string };
  supplementalGroups: { set: boolean; value: number[] };
  fsGroup: { set: boolean; value: number };
  seLinuxOptions: { set: boolean; value: { [field: string]: string } };
  runtimeClassName: { set: boolean; value: string };
}

/** The defaults PSP applied for `policy` (its `defaults` blocks, and the MustRunAsNonRoot rule's). */
export function policyDefaults(policy: PolicyIR): PolicyDefaults {
  const c = policy.controls;
  const user = c.runAsUser.defaults;
  const userDefault = user !== null && 'runAsUser' in user ? user.runAsUser : undefined;
  const seLinux = c.seLinux.defaults?.seLinuxOptions;
  // PSP wrote SELinux options without their empty fields.
  const seLinuxValue = Object.fromEntries(Object.entries(seLinux ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''));
  const appArmor = c.appArmor.defaults?.profile ?? '';
  const seccomp = c.seccomp.defaults?.profile ?? '';
  return {
    runAsUser: { set: userDefault !== undefined, value: userDefault ?? 0 },
    runAsGroup: { set: c.runAsGroup.defaults !== null, value: c.runAsGroup.defaults?.runAsGroup ?? 0 },
    runAsNonRoot: c.runAsUser.validate.rule === 'MustRunAsNonRoot' && userDefault === undefined,
    capabilities: { add: [...(c.capabilities.defaults?.add ?? [])], drop: [...c.capabilities.validate.requiredDrop] },
    readOnlyRootFilesystem: c.readOnlyRootFilesystem.defaults !== null,
    allowPrivilegeEscalation: { set: c.privilegeEscalation.defaults !== null, value: c.privilegeEscalation.defaults?.allowPrivilegeEscalation ?? false },
    appArmor: { set: appArmor !== '', value: appArmor },
    seccomp: { set: seccomp !== '', value: seccomp },
    supplementalGroups: { set: c.supplementalGroups.defaults !== null, value: [...(c.supplementalGroups.defaults?.supplementalGroups ?? [])] },
    fsGroup: { set: c.fsGroup.defaults !== null, value: c.fsGroup.defaults?.fsGroup ?? 0 },
    seLinuxOptions: { set: seLinux !== undefined, value: seLinuxValue },
    runtimeClassName: { set: c.runtimeClass.defaults !== null, value: c.runtimeClass.defaults?.runtimeClassName ?? '' },
  };
}

// ---------------------------------------------------------------------------------------------
// The defaulted fields, as static code over `defaults` and the pod as submitted.

const pod = v('object');
const container = v('container');
const d = (...path: string[]): Expr => get(v(DEFAULTS_VAR), path);
const podSc = (field: string): Key[] => ['spec', 'securityContext', field];
const sc = (field: string): Key[] => ['securityContext', field];
const unset = (root: Expr, path: readonly Key[]): Expr => not(has(root, path));

/** A field PSP defaulted: where it is, when the default applies (read on the pod as submitted), and its value. */
interface DefaultedField {
  readonly root: 'object' | 'container';
  readonly path: readonly Key[];
  readonly applies: Expr;
  /** The value written; or, for an object built from the pod, its fields. */
  readonly value: Expr | { readonly fields: Readonly<Record<string, Expr>> };
}

const seccompAnnotation: Key[] = ['metadata', 'annotations', SECCOMP_POD_ANNOTATION];
const appArmorAnnotation: Key[] = ['metadata', 'annotations', concat(lit(APPARMOR_CONTAINER_PREFIX), get(container, ['name'], ''))];
const podSeccompAnnotationEmpty = not(and(has(pod, seccompAnnotation), not(eq(get(pod, seccompAnnotation), lit('')))));

const capsPath = sc('capabilities');
const addList = get(container, [...capsPath, 'add'], []);
const dropList = get(container, [...capsPath, 'drop'], []);
/** PSP's generateCapabilities changes the container: a default add neither dropped nor added, or a required drop missing. */
const capabilitiesChange = or(
  some('defaultAdd', d('capabilities', 'add'), and(not(isIn(v('defaultAdd'), dropList)), not(isIn(v('defaultAdd'), addList)))),
  some('requiredDrop', d('capabilities', 'drop'), not(isIn(v('requiredDrop'), dropList))),
);

const CONTAINER_FIELDS: readonly DefaultedField[] = [
  { root: 'container', path: sc('runAsUser'), applies: and(d('runAsUser', 'set'), not(hasEffective('runAsUser'))), value: d('runAsUser', 'value') },
  { root: 'container', path: sc('runAsGroup'), applies: and(d('runAsGroup', 'set'), not(hasEffective('runAsGroup'))), value: d('runAsGroup', 'value') },
  // The pod-level SELinux default runs first, so the container-level one never applies.
  {
    root: 'container',
    path: sc('runAsNonRoot'),
    applies: and(d('runAsNonRoot'), not(hasEffective('runAsNonRoot')), not(hasEffective('runAsUser'))),
    value: lit(true),
  },
  {
    root: 'container',
    path: capsPath,
    applies: capabilitiesChange,
    value: {
      fields: {
        add: append(addList, collect('defaultAdd', d('capabilities', 'add'), and(not(isIn(v('defaultAdd'), dropList)), not(isIn(v('defaultAdd'), addList))), v('defaultAdd'))),
        drop: append(dropList, collect('requiredDrop', d('capabilities', 'drop'), not(isIn(v('requiredDrop'), dropList)), v('requiredDrop'))),
      },
    },
  },
  { root: 'container', path: sc('readOnlyRootFilesystem'), applies: and(d('readOnlyRootFilesystem'), unset(container, sc('readOnlyRootFilesystem'))), value: lit(true) },
  {
    root: 'container',
    path: sc('allowPrivilegeEscalation'),
    applies: and(d('allowPrivilegeEscalation', 'set'), unset(container, sc('allowPrivilegeEscalation'))),
    value: d('allowPrivilegeEscalation', 'value'),
  },
  { root: 'object', path: appArmorAnnotation, applies: and(d('appArmor', 'set'), eq(containerAppArmor(), lit(''))), value: d('appArmor', 'value') },
];

const POD_FIELDS: readonly DefaultedField[] = [
  {
    root: 'object',
    path: podSc('supplementalGroups'),
    // A nil or empty list (as protobuf clients send it) is defaulted.
    applies: and(d('supplementalGroups', 'set'), not(nonEmpty(get(pod, podSc('supplementalGroups'), []), 'group'))),
    value: d('supplementalGroups', 'value'),
  },
  { root: 'object', path: podSc('fsGroup'), applies: and(d('fsGroup', 'set'), unset(pod, podSc('fsGroup'))), value: d('fsGroup', 'value') },
  { root: 'object', path: podSc('seLinuxOptions'), applies: and(d('seLinuxOptions', 'set'), unset(pod, podSc('seLinuxOptions'))), value: d('seLinuxOptions', 'value') },
  {
    root: 'object',
    path: seccompAnnotation,
    // The pod's seccompProfile field, when set, wins over the default (PSP mirrored it into the annotation).
    applies: and(d('seccomp', 'set'), podSeccompAnnotationEmpty, unset(pod, podSc('seccompProfile'))),
    value: d('seccomp', 'value'),
  },
  { root: 'object', path: ['spec', 'runtimeClassName'], applies: and(d('runtimeClassName', 'set'), unset(pod, ['spec', 'runtimeClassName'])), value: d('runtimeClassName', 'value') },
];

const FIELDS = [...POD_FIELDS, ...CONTAINER_FIELDS];

// ---------------------------------------------------------------------------------------------
// Reading the pod after defaults.

function keyText(key: Key): string {
  if (typeof key === 'string') return JSON.stringify(key);
  if (key.op === 'lit' && typeof key.value === 'string') return JSON.stringify(key.value);
  return JSON.stringify(key);
}

/** `path` begins with `prefix`. */
function startsWithPath(path: readonly Key[], prefix: readonly Key[]): boolean {
  return prefix.length <= path.length && prefix.every((key, i) => keyText(key) === keyText(path[i] as Key));
}

const rootOf = (e: Expr): 'object' | 'container' | undefined => (e.op === 'var' && (e.name === 'object' || e.name === 'container') ? e.name : undefined);

/** `get(value, rest, dflt)` for a defaulted value (an expression, or an object given by its fields). */
function readDefault(field: DefaultedField, rest: readonly Key[], dflt: Json | undefined): Expr {
  const value = field.value;
  if ('fields' in value) {
    const [first, ...more] = rest;
    const sub = typeof first === 'string' ? value.fields[first] : undefined;
    if (sub === undefined) throw new Error(`a check reads ${[...field.path, ...rest].map(keyText).join('.')}, which defaults cannot express; read one of its fields (${Object.keys(value.fields).join(', ')})`);
    return more.length === 0 ? sub : get(sub, more, dflt);
  }
  return rest.length === 0 ? value : get(value, rest, dflt);
}

/** `e` with every read of a defaulted field replaced by `applies ? default : field`. */
export function afterDefaults(e: Expr): Expr {
  const r = afterDefaults;
  switch (e.op) {
    case 'lit':
    case 'param':
    case 'var':
      return e;
    case 'get':
    case 'has': {
      let from = r(e.from);
      let path = e.path.map((key) => (typeof key === 'string' ? key : r(key)));
      // get(get(root, p), q) reads root at p.q: one path, so defaulted prefixes are found.
      if (from.op === 'get' && from.default === undefined && rootOf(from.from) !== undefined) {
        path = [...from.path, ...path];
        from = from.from;
      }
      const root = rootOf(from);
      const original: Expr = e.op === 'has' ? has(from, path) : get(from, path, e.default);
      if (root === undefined) return original;
      const fields = FIELDS.filter((f) => f.root === root && (startsWithPath(path, f.path) || startsWithPath(f.path, path)));
      if (fields.length === 0) return original;
      if (e.op === 'has') {
        // Reading a defaulted field or a parent of one: present when it was, or when a default applies.
        const deeper = fields.find((f) => path.length > f.path.length);
        if (deeper !== undefined) {
          if ('fields' in deeper.value) throw new Error(`a check tests ${path.map(keyText).join('.')}, which defaults cannot express`);
          return cond(deeper.applies, has(deeper.value, path.slice(deeper.path.length)), original);
        }
        return or(...fields.map((f) => f.applies), original);
      }
      const field = fields.find((f) => startsWithPath(path, f.path));
      if (field === undefined || fields.length > 1) {
        throw new Error(`a check reads ${path.map(keyText).join('.')}, an object holding defaulted fields; read the fields themselves`);
      }
      return cond(field.applies, readDefault(field, path.slice(field.path.length), e.default), original);
    }
    case 'eq':
      return { op: 'eq', left: r(e.left), right: r(e.right) };
    case 'cmp':
      return { op: 'cmp', cmp: e.cmp, left: r(e.left), right: r(e.right) };
    case 'not':
      return { op: 'not', arg: r(e.arg) };
    case 'and':
    case 'or':
      return { op: e.op, args: e.args.map(r) };
    case 'cond':
      return { op: 'cond', if: r(e.if), then: r(e.then), else: r(e.else) };
    case 'in':
      return { op: 'in', item: r(e.item), list: r(e.list) };
    case 'str':
      return { op: 'str', fn: e.fn, value: r(e.value), arg: r(e.arg) };
    case 'concat':
      return { op: 'concat', parts: e.parts.map(r) };
    case 'every':
    case 'some':
      return { op: e.op, var: e.var, over: r(e.over), pred: r(e.pred) };
    case 'onlyKey':
      return { op: 'onlyKey', of: r(e.of), except: e.except };
    case 'selinuxLevelEq':
      return { op: 'selinuxLevelEq', actual: r(e.actual), expected: r(e.expected) };
    case 'let':
      return { op: 'let', var: e.var, value: r(e.value), body: r(e.body) };
    case 'collect':
      return { op: 'collect', var: e.var, over: r(e.over), where: r(e.where), select: r(e.select) };
    case 'append':
      return { op: 'append', lists: e.lists.map(r) };
  }
}

const afterDefaultsByKind = new Map<ControlKind, Expr>();

/** A control (static code over `params` and `defaults`): it admits the pod once the policy's defaults are applied. */
export function controlConditionAfterDefaults(kind: ControlKind): Expr {
  let condition = afterDefaultsByKind.get(kind);
  if (condition === undefined) {
    condition = afterDefaults(controlCondition(kind));
    afterDefaultsByKind.set(kind, condition);
  }
  return condition;
}

/**
 * Static code over `defaults`: applying the policy's defaults would change the pod (PSP's MutatePod
 * would write a field). A pod with a `seccompProfile` field and no pod seccomp annotation is changed
 * by every policy: PSP copied the field into the annotation.
 */
export function wouldChangeCondition(): Expr {
  const seccompField = podSc('seccompProfile');
  const seccompWritten = and(
    podSeccompAnnotationEmpty,
    or(and(has(pod, seccompField), not(eq(profileAnnotationForm(get(pod, seccompField)), lit('')))), and(not(has(pod, seccompField)), d('seccomp', 'set'))),
  );
  const podFields = POD_FIELDS.filter((f) => f.path !== seccompAnnotation).map((f) => f.applies);
  const perContainer = or(...CONTAINER_FIELDS.map((f) => f.applies));
  return or(
    ...podFields,
    seccompWritten,
    ...CONTAINER_KINDS.map((kind) => some('container', get(pod, ['spec', kind], []), perContainer)),
  );
}

// ---------------------------------------------------------------------------------------------
// One policy's CEL, and the choice among candidates.

const INLINED = '__params_are_inlined__';

/** One control of one policy checked after the policy's own defaults. */
export interface ControlAfterDefaultsCel {
  kind: ControlKind;
  /** Boolean CEL: the control admits the pod once the policy's defaults are applied. */
  admits: string;
  /**
   * The same check as the conjuncts of its top-level `&&` (per rule, and per container list for
   * container rules), in order; empty when it has only one. Binding each to a variable of its own
   * keeps a costly control (SELinux after its defaults) under a per-expression cost limit.
   */
  parts: string[];
}

/**
 * Per control, boolean CEL: this control of `policy` admits the pod once the policy's own defaults
 * are applied; values inlined, controls with nothing to check left out. For engines that bind each
 * control to a variable of its own to stay under a per-expression cost limit.
 */
export function policyControlExpressionsAfterDefaults(policy: PolicyIR, options: { object: string }): ControlAfterDefaultsCel[] {
  return memoByPolicy(afterDefaultsMemo, policy, options.object, () => buildControlExpressionsAfterDefaults(policy, options)).map((c) => ({ ...c }));
}

/**
 * Printed CEL per policy (IR objects are not mutated once built) and object name: a translation
 * asks for the same candidate's expressions once per scope group it appears in, and folding and
 * printing them is the costly part.
 */
const afterDefaultsMemo = new WeakMap<PolicyIR, Map<string, ControlAfterDefaultsCel[]>>();
const wouldChangeMemo = new WeakMap<PolicyIR, Map<string, string>>();

function memoByPolicy<T>(memo: WeakMap<PolicyIR, Map<string, T>>, policy: PolicyIR, object: string, build: () => T): T {
  let byObject = memo.get(policy);
  if (byObject === undefined) memo.set(policy, (byObject = new Map()));
  let found = byObject.get(object);
  if (found === undefined) byObject.set(object, (found = build()));
  return found;
}

/** The conjuncts of `e`'s top-level `&&` (nested ones flattened), or `[e]`. */
function conjuncts(e: Expr): Expr[] {
  return e.op === 'and' ? e.args.flatMap(conjuncts) : [e];
}

function buildControlExpressionsAfterDefaults(policy: PolicyIR, options: { object: string }): ControlAfterDefaultsCel[] {
  const params = policyParams(policy);
  const defaults = new Map<string, Json>([[DEFAULTS_VAR, policyDefaults(policy)]]);
  const names = { object: options.object, params: INLINED };
  const out: ControlAfterDefaultsCel[] = [];
  for (const kind of CONTROL_KINDS) {
    const condition = fold(controlConditionAfterDefaults(kind), { params: params[kind], vars: defaults });
    if (condition.op === 'lit' && condition.value === true) continue;
    const parts = conjuncts(condition);
    out.push({ kind, admits: printCel(condition, names), parts: parts.length > 1 ? parts.map((part) => printCel(part, names)) : [] });
  }
  return out;
}

/** Boolean CEL: `policy` admits the pod (at `options.object`) once its own defaults are applied; values inlined. */
export function policyAdmitsAfterDefaultsExpression(policy: PolicyIR, options: { object: string }): string {
  const parts = policyControlExpressionsAfterDefaults(policy, options).map((c) => c.admits);
  return parts.length === 0 ? 'true' : parts.length === 1 ? (parts[0] as string) : parts.map((p) => `(${p})`).join(' && ');
}

/** Boolean CEL: applying `policy`'s defaults would change the pod; `false` for a policy whose defaults never apply. */
export function policyWouldChangeExpression(policy: PolicyIR, options: { object: string }): string {
  return memoByPolicy(wouldChangeMemo, policy, options.object, () => buildWouldChangeExpression(policy, options));
}

function buildWouldChangeExpression(policy: PolicyIR, options: { object: string }): string {
  const condition = fold(wouldChangeCondition(), { vars: new Map([[DEFAULTS_VAR, policyDefaults(policy)]]) });
  return printCel(condition, { object: options.object, params: INLINED });
}

/** One candidate of {@link chosenPolicyExpression}. */
export interface DefaultsAwareCandidate {
  policy: string;
  /** Boolean CEL: the policy admits the pod once its own defaults are applied. */
  admitsAfterDefaults: string;
  /** Boolean CEL: applying the policy's defaults would change the pod. */
  wouldChange: string;
  /** Variable names to bind the two expressions to (`<base>_after_defaults`, `<base>_changes`). */
  variables: { admitsAfterDefaults: string; wouldChange: string };
  /**
   * Boolean CEL over the variables: PSP admission chose this policy and its defaults change the pod,
   * i.e. a mutator should apply this policy's defaults (and no other's).
   */
  appliesDefaults: string;
}

/** PSP admission's choice among candidate policies (CREATE), as CEL over per-candidate variables. */
export interface ChosenPolicyCel {
  /** In the order PSP tried them: by name. */
  candidates: DefaultsAwareCandidate[];
  /** Boolean CEL: some candidate admits the pod after its own defaults, i.e. PSP admitted it. `false` without candidates. */
  admits: string;
  /** String CEL: the name of the policy PSP chose (`''` when it rejected the pod). */
  chosen: string;
}

function variableBase(policy: string, taken: Set<string>): string {
  const base = `psp_${policy.replace(/[^A-Za-z0-9_]/g, '_')}`;
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

/**
 * The policy PSP admission chose for a CREATE among `candidates`: the first by name that admits the
 * pod without changing it, else the first by name that admits it after its own defaults. Expressions
 * reference each candidate's two variables (`options.variables` + name, default `variables.`), so an
 * engine binds each once; `options.inline` substitutes the expressions instead.
 *
 * Use: a mutator per candidate matched by its `appliesDefaults` applies that policy's defaults (only
 * the chosen policy changes the pod), and the validation is `admits` (evaluated on the pod as
 * submitted, it does not depend on which mutators ran).
 */
export function chosenPolicyExpression(
  candidates: readonly PolicyIR[],
  options: { object: string; variables?: string; inline?: boolean },
): ChosenPolicyCel {
  const prefix = options.variables ?? 'variables.';
  const ordered = [...candidates].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const taken = new Set<string>();
  const built = ordered.map((policy) => {
    const base = variableBase(policy.name, taken);
    const admitsAfterDefaults = policyAdmitsAfterDefaultsExpression(policy, options);
    const wouldChange = policyWouldChangeExpression(policy, options);
    const variables = { admitsAfterDefaults: `${base}_after_defaults`, wouldChange: `${base}_changes` };
    const after = options.inline === true ? `(${admitsAfterDefaults})` : `${prefix}${variables.admitsAfterDefaults}`;
    const changes = options.inline === true ? `(${wouldChange})` : `${prefix}${variables.wouldChange}`;
    return { policy: policy.name, admitsAfterDefaults, wouldChange, variables, after, unchanged: `(!${changes} && ${after})` };
  });
  const noneUnchanged = built.length === 0 ? 'true' : `!(${built.map((c) => c.unchanged).join(' || ')})`;
  const chosen = built.reduceRight(
    (rest, c) => `(${c.after} ? ${celString(c.policy)} : ${rest})`,
    '""',
  );
  return {
    candidates: built.map((c, i) => ({
      policy: c.policy,
      admitsAfterDefaults: c.admitsAfterDefaults,
      wouldChange: c.wouldChange,
      variables: c.variables,
      // Its own check first: engines evaluate variables lazily and `&&` stops at the first false, so a
      // mutator whose policy does not admit the pod reads no other candidate's variables.
      appliesDefaults: [c.after, ...built.slice(0, i).map((earlier) => `!${earlier.after}`), noneUnchanged].join(' && '),
    })),
    admits: built.length === 0 ? 'false' : built.map((c) => c.after).join(' || '),
    chosen: built.reduceRight((rest, c) => `(${c.unchanged} ? ${celString(c.policy)} : ${rest})`, chosen),
  };
}
