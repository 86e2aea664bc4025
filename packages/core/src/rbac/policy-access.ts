/**
 * Per PSP: which pods PSP admission let use it (scopes), which users and groups it was granted to,
 * and the grants that reach far more pods than their authors probably meant.
 */
import type { WorkloadKind } from '../schema/rbac.js';
import {
  ALL_SERVICE_ACCOUNTS_GROUP,
  AUTHENTICATED_GROUP,
  CONTROLLER_IDENTITIES,
  CONTROLLER_NAMESPACE,
  compareNames,
  isControllerUser,
  parseServiceAccountUser,
  parseServiceAccountsGroup,
  workloadKindsOf,
} from './identities.js';
import type { RbacIndex } from './rbac-index.js';
import type { PolicyGrant } from './types.js';

/** A requester through which a scope reaches pods: a controller that creates them. */
export interface RequesterRef {
  /** User name, e.g. `system:serviceaccount:kube-system:replicaset-controller`. */
  user: string;
  /** The workload kinds whose pods this requester creates (e.g. `['Deployment', 'ReplicaSet']`). */
  workloadKinds: WorkloadKind[];
}

/**
 * A set of pods PSP admission authorised to use a PSP: pods in `namespace` (`'*'` = every
 * namespace) whose service account is `serviceAccount` (`'*'` = any).
 * - `via: 'serviceAccount'`: the pod's own service account holds the grant.
 * - `via: 'requester'`: the pod's creator holds it; `requester` names the controller, so the scope
 *   covers the pods of `requester.workloadKinds` (any service account) in `namespace`.
 */
export interface PolicyScope {
  namespace: string;
  serviceAccount: string;
  via: 'serviceAccount' | 'requester';
  /** Set exactly when `via` is `'requester'`. */
  requester?: RequesterRef;
  /** Every grant behind this scope or a narrower scope it subsumes (see `PolicyGrant.grantedBy`), sorted. */
  grantedBy: string[];
}

/** A grant to a user that is not a pod's service account: it covers pods that user creates directly. */
export interface UserGrant {
  user: string;
  /** Namespace where it applies, `'*'` for a ClusterRoleBinding. */
  namespace: string;
  grantedBy: string[];
}

/** A grant to a group other than the service-account groups: it covers pods its members create directly. */
export interface GroupGrant {
  group: string;
  /** Namespace where it applies, `'*'` for a ClusterRoleBinding. */
  namespace: string;
  grantedBy: string[];
}

/** Who could use one PSP. */
export interface PolicyAccess {
  /** PSP name. */
  policy: string;
  /** Normalised scopes: deduplicated, none subsumed by another, sorted (`'*'` first, then names). */
  scopes: PolicyScope[];
  /**
   * Grants that cover no pod's own service account: to users, and to service accounts bound by a
   * RoleBinding outside their namespace (they only act as requesters there). Sorted by user, namespace.
   */
  userGrants: UserGrant[];
  /** Grants to other groups (`system:nodes`, `system:masters`...), sorted by group then namespace. */
  groupGrants: GroupGrant[];
  /** No binding grants this PSP to anyone: PSP admission never used it. */
  unused: boolean;
  /** Grants that reach surprisingly many pods, or none: one sentence each, naming the binding. */
  warnings: string[];
}

const ANY = '*';

function grantCovers(grant: PolicyGrant, policy: string): boolean {
  return grant.policies === ANY || grant.policies.includes(policy);
}

function where(namespace: string): string {
  return namespace === ANY ? 'in every namespace' : `in namespace ${namespace}`;
}

function scopeKey(s: Omit<PolicyScope, 'grantedBy'>): string {
  return `${s.namespace}\u0000${s.serviceAccount}\u0000${s.via}\u0000${s.requester?.user ?? ''}`;
}

/** Whether every pod `narrow` covers is covered by `wide`. */
function subsumes(wide: PolicyScope, narrow: PolicyScope): boolean {
  if (wide.namespace !== ANY && wide.namespace !== narrow.namespace) return false;
  if (wide.via === 'serviceAccount') {
    // A requester scope covers any service account, so only an any-SA scope covers it.
    return wide.serviceAccount === ANY || (narrow.via === 'serviceAccount' && wide.serviceAccount === narrow.serviceAccount);
  }
  return narrow.via === 'requester' && wide.requester?.user === narrow.requester?.user;
}

function breadth(s: PolicyScope): number {
  return (s.namespace === ANY ? 4 : 0) + (s.serviceAccount === ANY ? 2 : 0) + (s.via === 'serviceAccount' ? 1 : 0);
}

function compareScopes(a: PolicyScope, b: PolicyScope): number {
  const star = (x: string, y: string) => (x === y ? 0 : x === ANY ? -1 : y === ANY ? 1 : compareNames(x, y));
  return (
    star(a.namespace, b.namespace) ||
    star(a.serviceAccount, b.serviceAccount) ||
    compareNames(a.via, b.via) ||
    compareNames(a.requester?.user ?? '', b.requester?.user ?? '')
  );
}

/** Deduplicate, drop scopes a wider one covers (keeping their grantedBy on the wider one), sort. */
export function normaliseScopes(scopes: readonly PolicyScope[]): PolicyScope[] {
  const byKey = new Map<string, PolicyScope>();
  for (const scope of scopes) {
    const existing = byKey.get(scopeKey(scope));
    if (existing === undefined) byKey.set(scopeKey(scope), { ...scope, grantedBy: [...scope.grantedBy] });
    else existing.grantedBy.push(...scope.grantedBy);
  }
  // Widest first, so that a scope's subsumer is always kept before the scope is considered.
  const ordered = [...byKey.values()].sort((a, b) => breadth(b) - breadth(a) || compareScopes(a, b));
  const kept: PolicyScope[] = [];
  for (const scope of ordered) {
    const wider = kept.find((k) => subsumes(k, scope));
    if (wider === undefined) kept.push(scope);
    else wider.grantedBy.push(...scope.grantedBy);
  }
  for (const scope of kept) scope.grantedBy = [...new Set(scope.grantedBy)].sort(compareNames);
  return kept.sort(compareScopes);
}

function mergeNotes<T extends { namespace: string; grantedBy: string[] }>(notes: T[], key: (n: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const note of notes) {
    const k = `${key(note)}\u0000${note.namespace}`;
    const existing = byKey.get(k);
    if (existing === undefined) byKey.set(k, { ...note, grantedBy: [...note.grantedBy] });
    else existing.grantedBy.push(...note.grantedBy);
  }
  const merged = [...byKey.values()];
  for (const note of merged) note.grantedBy = [...new Set(note.grantedBy)].sort(compareNames);
  return merged.sort((a, b) => compareNames(key(a), key(b)) || compareNames(a.namespace, b.namespace));
}

/**
 * Who could use each PSP, with warnings for grants that reach every user, every pod, or every
 * controller-made pod, for PSPs only users/groups (never a pod's service account) hold, and for
 * PSPs nobody holds. Returned in PSP name order.
 */
export function policyAccess(policies: readonly { name: string }[], index: RbacIndex): PolicyAccess[] {
  const controllerNames = CONTROLLER_IDENTITIES.map((c) => c.user.slice(c.user.lastIndexOf(':') + 1)).join(', ');
  const controllerKinds = [...new Set(CONTROLLER_IDENTITIES.flatMap((c) => c.workloadKinds))].join(', ');

  return [...policies]
    .sort((a, b) => compareNames(a.name, b.name))
    .map(({ name: policy }) => {
      const scopes: PolicyScope[] = [];
      const userGrants: UserGrant[] = [];
      const groupGrants: GroupGrant[] = [];
      const warnings: string[] = [];
      const holders = new Set<string>(); // subjects, as written, of grants that reach no pod's service account
      const grants = index.grants.filter((g) => grantCovers(g, policy));

      const addScope = (namespace: string, serviceAccount: string, grant: PolicyGrant, requester?: string) => {
        scopes.push({
          namespace,
          serviceAccount,
          via: requester === undefined ? 'serviceAccount' : 'requester',
          ...(requester === undefined ? {} : { requester: { user: requester, workloadKinds: workloadKindsOf(requester) } }),
          grantedBy: [grant.grantedBy],
        });
      };
      const controllerLeak = (grant: PolicyGrant) => {
        if (grant.namespace === ANY) {
          warnings.push(
            `PodSecurityPolicy ${policy} is granted to ${grant.subjectAsWritten} by ${grant.grantedBy}: that reaches every pod a controller creates (${controllerKinds}) in every namespace, whatever its service account, because PSP admission also authorised the requesting controller (${controllerNames} in kube-system). This is how a privileged kube-system PSP leaks cluster-wide; bind it with a RoleBinding in kube-system instead.`,
          );
        } else if (grant.namespace !== CONTROLLER_NAMESPACE) {
          warnings.push(
            `PodSecurityPolicy ${policy} is granted to ${grant.subjectAsWritten} by ${grant.grantedBy}: that reaches every pod a controller creates (${controllerKinds}) in namespace ${grant.namespace}, whatever its service account.`,
          );
        }
      };

      for (const grant of grants) {
        const subject = grant.subject;
        if (subject.kind === 'User') {
          const serviceAccount = parseServiceAccountUser(subject.name);
          let coversOwnPods = false;
          if (serviceAccount !== undefined && (grant.namespace === ANY || grant.namespace === serviceAccount.namespace)) {
            addScope(serviceAccount.namespace, serviceAccount.name, grant);
            coversOwnPods = true;
          }
          if (isControllerUser(subject.name)) {
            addScope(grant.namespace, ANY, grant, subject.name);
            controllerLeak(grant);
          } else if (!coversOwnPods) {
            userGrants.push({ user: subject.name, namespace: grant.namespace, grantedBy: [grant.grantedBy] });
            holders.add(grant.subjectAsWritten);
            if (serviceAccount !== undefined) {
              warnings.push(
                `PodSecurityPolicy ${policy} is granted to ${grant.subjectAsWritten} by ${grant.grantedBy}, which grants only in namespace ${grant.namespace}; a pod's service account is always in the pod's namespace, so no pod of that service account gets this PSP (the service account could only create pods in ${grant.namespace} itself). Put the RoleBinding in namespace ${serviceAccount.namespace}.`,
              );
            }
          }
          continue;
        }

        if (subject.name === AUTHENTICATED_GROUP) {
          addScope(grant.namespace, ANY, grant);
          warnings.push(
            `PodSecurityPolicy ${policy} is granted to Group ${AUTHENTICATED_GROUP} by ${grant.grantedBy}: every user and every pod ${where(grant.namespace)} may use it.`,
          );
          continue;
        }
        if (subject.name === ALL_SERVICE_ACCOUNTS_GROUP) {
          addScope(grant.namespace, ANY, grant);
          warnings.push(
            `PodSecurityPolicy ${policy} is granted to Group ${ALL_SERVICE_ACCOUNTS_GROUP} by ${grant.grantedBy}: every pod (every service account) ${where(grant.namespace)} may use it.`,
          );
          continue;
        }
        const groupNamespace = parseServiceAccountsGroup(subject.name);
        if (groupNamespace !== undefined) {
          const coversOwnPods = grant.namespace === ANY || grant.namespace === groupNamespace;
          if (coversOwnPods) addScope(groupNamespace, ANY, grant);
          if (groupNamespace === CONTROLLER_NAMESPACE) {
            for (const controller of CONTROLLER_IDENTITIES) addScope(grant.namespace, ANY, grant, controller.user);
            controllerLeak(grant);
          } else if (!coversOwnPods) {
            groupGrants.push({ group: subject.name, namespace: grant.namespace, grantedBy: [grant.grantedBy] });
            holders.add(grant.subjectAsWritten);
          }
          continue;
        }
        groupGrants.push({ group: subject.name, namespace: grant.namespace, grantedBy: [grant.grantedBy] });
        holders.add(grant.subjectAsWritten);
      }

      const normalised = normaliseScopes(scopes);
      const users = mergeNotes(userGrants, (n) => n.user);
      const groups = mergeNotes(groupGrants, (n) => n.group);
      const unused = grants.length === 0;
      if (unused) {
        warnings.push(
          `PodSecurityPolicy ${policy} is granted by no RoleBinding or ClusterRoleBinding in the input, so PSP admission never let any pod use it: its translation would affect no pod. Add the bindings that grant it, or drop it.`,
        );
      } else if (normalised.length === 0) {
        warnings.push(
          `PodSecurityPolicy ${policy} is granted only to ${[...holders].sort(compareNames).join(', ')}: no pod's service account may use it, so it admitted only pods those users create directly, not pods of Deployments, DaemonSets, Jobs or other controllers.`,
        );
      }
      return {
        policy,
        scopes: normalised,
        userGrants: users,
        groupGrants: groups,
        unused,
        warnings: [...new Set(warnings)],
      };
    });
}
