/**
 * The candidate PSPs of a pod, and a partition of all pods into groups that share a candidate set:
 * what every emitter generates one policy per.
 */
import { WORKLOAD_KINDS, type WorkloadKind } from '../schema/rbac.js';
import {
  AUTHENTICATED_GROUP,
  CONTROLLER_IDENTITIES,
  compareNames,
  controllerRequester,
  parseServiceAccountUser,
  parseServiceAccountsGroup,
  serviceAccountRequester,
  workloadKindsOf,
} from './identities.js';
import { grantsFor, resolveGrantSets, type RbacIndex } from './rbac-index.js';
import type { Requester } from './types.js';

/** The pod attributes PSP authorisation depended on. */
export interface PodIdentity {
  /** The pod's namespace. */
  namespace: string;
  /** `spec.serviceAccountName` after defaulting (`default` when unset). */
  serviceAccount: string;
  /**
   * Who created the pod: a controller (see `controllerRequester`) or a person. Undefined = an
   * unknown person, assumed to hold only `system:authenticated` (anyone who may create pods is
   * authenticated; grants to named users then do not count).
   */
  requester?: Requester;
}

// Stands for every requester the caller did not name: authenticated, nothing else known.
// The empty user name matches no subject (RBAC subject names are non-empty).
const UNKNOWN_REQUESTER: Requester = { user: '', groups: [AUTHENTICATED_GROUP] };

/**
 * The PSPs PSP admission would have tried for a pod, in name order: those its service account may
 * use in its namespace, plus those its requester may use there. Answers are memoized per index and
 * `policies` array (pass the same array for every workload; do not mutate it afterwards); the
 * answer is the memo's own frozen array, shared between calls.
 */
export function candidatesFor(index: RbacIndex, policies: readonly { name: string }[], pod: PodIdentity): readonly string[] {
  const memo = candidateMemo(index, policies);
  const requester = pod.requester ?? UNKNOWN_REQUESTER;
  // Nested maps keyed by the strings as given: no key string is built per call, and the
  // namespace and service account strings of a parsed workload keep their hash between calls.
  let byServiceAccount = memo.answers.get(pod.namespace);
  if (byServiceAccount === undefined) {
    byServiceAccount = new Map();
    memo.answers.set(pod.namespace, byServiceAccount);
  }
  let answers = byServiceAccount.get(pod.serviceAccount);
  if (answers === undefined) {
    answers = [];
    byServiceAccount.set(pod.serviceAccount, answers);
  }
  // A (namespace, service account) meets a handful of requesters (the controllers, "anyone"): a
  // short scan, mostly comparing the same string objects, beats a third map.
  for (let i = 0; i < answers.length; i++) {
    const answer = answers[i] as CandidateAnswer;
    if (answer.user === requester.user && sameGroups(answer.groups, requester.groups)) return answer.names;
  }
  const names = Object.freeze(
    resolveGrantSets(
      [
        grantsFor(index, pod.namespace, serviceAccountRequester(pod.namespace, pod.serviceAccount)),
        grantsFor(index, pod.namespace, requester),
      ],
      memo.policyNames,
    ),
  );
  answers.push({ user: requester.user, groups: requester.groups.slice(), names });
  return names;
}

function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface CandidateAnswer {
  user: string;
  groups: readonly string[];
  names: readonly string[];
}

interface CandidateMemo {
  policyNames: readonly string[];
  /** namespace -> service account -> answers by requester. */
  answers: Map<string, Map<string, CandidateAnswer[]>>;
}

// Per index and per policies array: callers pass the same array for every workload.
const candidateMemos = new WeakMap<RbacIndex, WeakMap<readonly { name: string }[], CandidateMemo>>();
// The memo of the last call: callers check many pods against one index in a row, and this skips
// two WeakMap lookups per pod. The index and policies are held weakly so that no input is kept
// alive; only the last memo's answers are, until a call with other inputs.
let lastMemo: { index: WeakRef<RbacIndex>; policies: WeakRef<readonly { name: string }[]>; memo: CandidateMemo } | undefined;

function candidateMemo(index: RbacIndex, policies: readonly { name: string }[]): CandidateMemo {
  if (lastMemo !== undefined && lastMemo.index.deref() === index && lastMemo.policies.deref() === policies) return lastMemo.memo;
  let byPolicies = candidateMemos.get(index);
  if (byPolicies === undefined) {
    byPolicies = new WeakMap();
    candidateMemos.set(index, byPolicies);
  }
  let memo = byPolicies.get(policies);
  if (memo === undefined) {
    memo = { policyNames: policies.map((p) => p.name).sort(compareNames), answers: new Map() };
    byPolicies.set(policies, memo);
  }
  lastMemo = { index: new WeakRef(index), policies: new WeakRef(policies), memo };
  return memo;
}

/**
 * A set of values of one request attribute, as Kubernetes label-selector operators:
 * - `{ op: 'In', values }`: exactly these values (non-empty, sorted);
 * - `{ op: 'NotIn', values }`: every value except these (sorted). `NotIn []` means any value.
 */
export type NameSelector = { op: 'In'; values: string[] } | { op: 'NotIn'; values: string[] };

/**
 * One cell of the partition of all pod admissions by the attributes PSP authorisation depended on,
 * with the PSPs PSP admission tried for every admission in the cell. Emitters (Gatekeeper,
 * Kyverno, ValidatingAdmissionPolicy, Pod Security Admission) generate one policy per group.
 *
 * Contract:
 * - **Partition.** For every namespace, service account and modelled requester (the pod-creating
 *   controllers, the `requesters` passed to {@link scopeGroups}, and "anyone else"), exactly one group
 *   matches (all three selectors hold), and its `candidates` equal {@link candidatesFor} for that pod.
 *   A requester that was not modelled falls into the group of "anyone else" (`requester` `NotIn`).
 * - **Empty candidates = deny.** A group with `candidates: []` covers pods PSP admission rejected
 *   whatever their spec (no PSP authorised). Emitters must deny them, not skip the group.
 * - **"Any other" is explicit.** Each selector is `In` (named values) or `NotIn` (everything else);
 *   the `NotIn` group of each level is always present, so namespaces, service accounts and users
 *   that appear nowhere in the RBAC input are covered.
 * - **Minimal per level.** Requesters with equal candidates for a (namespace, service account) share
 *   a group; service accounts of a namespace with equal requester splits share a group; namespaces
 *   with equal service-account splits share a group. When the requester does not matter the
 *   requester selector is `NotIn []` (and emitters need not look at `request.userInfo`).
 * - **Deterministic order.** Groups are ordered by namespace class, then service-account class, then
 *   requester class; within a level `In` classes come first, ordered by their first value, and the
 *   `NotIn` class last. Values and candidates are sorted.
 */
export interface ScopeGroup {
  /** Pod namespace (`metadata.namespace`, i.e. the request namespace). */
  namespace: NameSelector;
  /** `spec.serviceAccountName` (after defaulting to `default`). Matched in the namespaces above. */
  serviceAccount: NameSelector;
  /** The requesting user name (`request.userInfo.username`). */
  requester: NameSelector;
  /**
   * For an `In` requester selector: the workload kinds whose pods those requesters (controllers)
   * create, in `WORKLOAD_KINDS` order; empty for `NotIn` and for requesters that are not controllers.
   */
  requesterWorkloadKinds: WorkloadKind[];
  /** The PSPs PSP admission tried for these pods, in name order (its trial order among equals). */
  candidates: string[];
}

/** Options of {@link scopeGroups}. */
export interface ScopeGroupOptions {
  /**
   * Requesters to model besides the pod-creating controllers, e.g. `{ user: 'kubelet', groups:
   * ['system:nodes', 'system:authenticated'] }` for static pods. A requester with a controller's user
   * name replaces that controller's identity.
   */
  requesters?: readonly Requester[];
}

// Names no Kubernetes object or user can have: stand-ins for "any value not named".
const OTHER = '\u0000other';

interface Cell<T> {
  selector: NameSelector;
  value: T;
}

/** Group named atoms plus the "other" atom by equal value key: one `In` cell per class, one `NotIn`. */
function partition<T>(names: readonly string[], valueOf: (name: string) => T, keyOf: (value: T) => string): Cell<T>[] {
  const classes = new Map<string, { names: string[]; value: T; hasOther: boolean }>();
  for (const name of [...names, OTHER]) {
    const value = valueOf(name);
    const key = keyOf(value);
    const existing = classes.get(key);
    if (existing === undefined) classes.set(key, { names: name === OTHER ? [] : [name], value, hasOther: name === OTHER });
    else if (name === OTHER) existing.hasOther = true;
    else existing.names.push(name);
  }
  const cells: Cell<T>[] = [];
  let otherCell: Cell<T> | undefined;
  for (const cls of classes.values()) {
    if (cls.hasOther) {
      const excluded = names.filter((n) => !cls.names.includes(n)).sort(compareNames);
      otherCell = { selector: { op: 'NotIn', values: excluded }, value: cls.value };
    } else {
      cells.push({ selector: { op: 'In', values: [...cls.names].sort(compareNames) }, value: cls.value });
    }
  }
  cells.sort((a, b) => compareNames(a.selector.values[0]!, b.selector.values[0]!));
  return otherCell === undefined ? cells : [...cells, otherCell];
}

/** Whether a selector holds for a value. */
export function selectorMatches(selector: NameSelector, value: string): boolean {
  return selector.op === 'In' ? selector.values.includes(value) : !selector.values.includes(value);
}

/**
 * Partition all pod admissions into groups sharing a candidate PSP set (see {@link ScopeGroup} for
 * the contract). `policies` are the PSPs of the input; grants of other names are ignored.
 */
export function scopeGroups(index: RbacIndex, policies: readonly { name: string }[], options: ScopeGroupOptions = {}): ScopeGroup[] {
  // Only names the RBAC input mentions can behave differently from "any other"; collect them.
  const namespaces = new Set<string>();
  const serviceAccounts = new Map<string, Set<string>>();
  const addServiceAccount = (namespace: string, name: string) => {
    namespaces.add(namespace);
    const set = serviceAccounts.get(namespace) ?? new Set<string>();
    set.add(name);
    serviceAccounts.set(namespace, set);
  };
  for (const grant of index.grants) {
    if (grant.namespace !== '*') namespaces.add(grant.namespace);
    if (grant.subject.kind === 'User') {
      const sa = parseServiceAccountUser(grant.subject.name);
      if (sa !== undefined) addServiceAccount(sa.namespace, sa.name);
    } else {
      const groupNamespace = parseServiceAccountsGroup(grant.subject.name);
      if (groupNamespace !== undefined) namespaces.add(groupNamespace);
    }
  }

  const requesters = new Map<string, Requester>();
  for (const controller of CONTROLLER_IDENTITIES) {
    const kind = controller.workloadKinds[0]!;
    requesters.set(controller.user, controllerRequester(kind)!);
  }
  for (const requester of options.requesters ?? []) requesters.set(requester.user, requester);
  const requesterNames = [...requesters.keys()].sort(compareNames);

  // Each group owns its candidate list (the memo's arrays are shared and frozen).
  const candidates = (namespace: string, serviceAccount: string, requester: string) =>
    candidatesFor(index, policies, {
      namespace,
      serviceAccount,
      requester: requester === OTHER ? undefined : requesters.get(requester),
    }).slice();
  const joinKey = (names: readonly string[]) => names.join('\u0000');

  const requesterSplit = (namespace: string, serviceAccount: string) =>
    partition(requesterNames, (r) => candidates(namespace, serviceAccount, r), joinKey);
  type RequesterSplit = ReturnType<typeof requesterSplit>;
  const serviceAccountSplit = (namespace: string) =>
    partition<RequesterSplit>(
      [...(serviceAccounts.get(namespace) ?? [])].sort(compareNames),
      (sa) => requesterSplit(namespace, sa),
      (split) => JSON.stringify(split),
    );
  const namespaceSplit = partition(
    [...namespaces].sort(compareNames),
    serviceAccountSplit,
    (split) => JSON.stringify(split),
  );

  const groups: ScopeGroup[] = [];
  for (const ns of namespaceSplit) {
    for (const sa of ns.value) {
      for (const req of sa.value) {
        groups.push({
          namespace: ns.selector,
          serviceAccount: sa.selector,
          requester: req.selector,
          requesterWorkloadKinds: req.selector.op === 'In' ? workloadKindsIn(req.selector.values) : [],
          candidates: req.value,
        });
      }
    }
  }
  return groups;
}

function workloadKindsIn(users: readonly string[]): WorkloadKind[] {
  const kinds = new Set(users.flatMap(workloadKindsOf));
  return WORKLOAD_KINDS.filter((k) => kinds.has(k));
}

/**
 * The group of `scopeGroups` output that covers a pod; an absent requester is "anyone else".
 * Throws when none or several match, which would break the partition contract.
 */
export function scopeGroupFor(groups: readonly ScopeGroup[], pod: PodIdentity): ScopeGroup {
  const requester = pod.requester?.user ?? OTHER;
  const matching = groups.filter(
    (g) =>
      selectorMatches(g.namespace, pod.namespace) &&
      selectorMatches(g.serviceAccount, pod.serviceAccount) &&
      selectorMatches(g.requester, requester),
  );
  if (matching.length !== 1) {
    throw new Error(
      `${matching.length} scope groups match namespace ${pod.namespace}, service account ${pod.serviceAccount}, requester ${pod.requester?.user ?? '(unknown)'}; expected exactly one. This is a bug in scopeGroups: please report it with the RBAC input.`,
    );
  }
  return matching[0]!;
}
