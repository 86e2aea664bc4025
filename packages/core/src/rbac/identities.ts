/**
 * Identities that PSP admission authorised: service accounts and the controllers that create pods.
 */
import type { WorkloadKind } from '../schema/rbac.js';
import type { ControllerIdentity, Requester } from './types.js';

/** Group of every authenticated user, service accounts included. */
export const AUTHENTICATED_GROUP = 'system:authenticated';
/** Group of every service account in every namespace. */
export const ALL_SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';
const SERVICE_ACCOUNT_GROUP_PREFIX = 'system:serviceaccounts:';
const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';
/** Namespace of kube-controller-manager's per-controller service accounts. */
export const CONTROLLER_NAMESPACE = 'kube-system';

/** The user name of a service account: `system:serviceaccount:<namespace>:<name>`. */
export function serviceAccountUser(namespace: string, serviceAccount: string): string {
  return `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${serviceAccount}`;
}

/** The group of all service accounts of one namespace: `system:serviceaccounts:<namespace>`. */
export function serviceAccountsGroup(namespace: string): string {
  return `${SERVICE_ACCOUNT_GROUP_PREFIX}${namespace}`;
}

/** Namespace and name of a service account user name, or undefined for any other user. */
export function parseServiceAccountUser(user: string): { namespace: string; name: string } | undefined {
  if (!user.startsWith(SERVICE_ACCOUNT_USER_PREFIX)) return undefined;
  const rest = user.slice(SERVICE_ACCOUNT_USER_PREFIX.length);
  const colon = rest.indexOf(':');
  // Namespaces cannot contain ':', service account names cannot either: exactly one separator.
  if (colon <= 0 || colon === rest.length - 1 || rest.indexOf(':', colon + 1) !== -1) return undefined;
  return { namespace: rest.slice(0, colon), name: rest.slice(colon + 1) };
}

/** The namespace of a `system:serviceaccounts:<ns>` group, or undefined for any other group. */
export function parseServiceAccountsGroup(group: string): string | undefined {
  if (!group.startsWith(SERVICE_ACCOUNT_GROUP_PREFIX)) return undefined;
  const namespace = group.slice(SERVICE_ACCOUNT_GROUP_PREFIX.length);
  return namespace === '' ? undefined : namespace;
}

/**
 * The identity of a service account as the authorizer sees it when the service account makes a
 * request: its user name, `system:serviceaccounts`, `system:serviceaccounts:<ns>` and
 * `system:authenticated`. (PSP admission's own service-account check omitted `system:authenticated`,
 * but it also checked the requesting user, who is always authenticated, so the answers agree.)
 */
export function serviceAccountRequester(namespace: string, serviceAccount: string): Requester {
  return {
    user: serviceAccountUser(namespace, serviceAccount),
    groups: [ALL_SERVICE_ACCOUNTS_GROUP, serviceAccountsGroup(namespace), AUTHENTICATED_GROUP],
  };
}

/** kube-controller-manager's service account that creates the pods of each workload kind. */
const CONTROLLER_OF: Readonly<Record<WorkloadKind, string | undefined>> = {
  Deployment: 'replicaset-controller', // a Deployment makes ReplicaSets, whose controller makes the pods
  ReplicaSet: 'replicaset-controller',
  DaemonSet: 'daemon-set-controller',
  StatefulSet: 'statefulset-controller',
  Job: 'job-controller',
  CronJob: 'job-controller', // a CronJob makes Jobs, whose controller makes the pods
  ReplicationController: 'replication-controller',
  Pod: undefined,
  PodTemplate: undefined,
};

/**
 * The controller that creates the pods of a workload kind, as the requester PSP admission saw
 * (`system:serviceaccount:kube-system:replicaset-controller` for a Deployment...), or undefined for a
 * bare Pod or PodTemplate, whose requester is whoever creates it.
 */
export function controllerRequester(kind: WorkloadKind): Requester | undefined {
  const requester = CONTROLLER_REQUESTERS.get(kind);
  // A fresh copy each call (callers own it); its strings are built once, so memo lookups keyed by
  // them reuse their hashes.
  return requester === undefined ? undefined : { user: requester.user, groups: requester.groups.slice() };
}

const CONTROLLER_REQUESTERS: ReadonlyMap<WorkloadKind, Requester> = new Map(
  (Object.entries(CONTROLLER_OF) as [WorkloadKind, string | undefined][]).flatMap(([kind, controller]) =>
    controller === undefined ? [] : [[kind, serviceAccountRequester(CONTROLLER_NAMESPACE, controller)] as const],
  ),
);

/** Every pod-creating controller, sorted by user name, with the workload kinds it serves. */
export const CONTROLLER_IDENTITIES: readonly ControllerIdentity[] = (() => {
  const byUser = new Map<string, WorkloadKind[]>();
  for (const [kind, controller] of Object.entries(CONTROLLER_OF) as [WorkloadKind, string | undefined][]) {
    if (controller === undefined) continue;
    const user = serviceAccountUser(CONTROLLER_NAMESPACE, controller);
    byUser.set(user, [...(byUser.get(user) ?? []), kind]);
  }
  return [...byUser.entries()]
    .sort(([a], [b]) => compareNames(a, b))
    .map(([user, workloadKinds]) => ({ user, workloadKinds }));
})();

/** The workload kinds whose pods a requester creates, when it is a known controller. */
export function workloadKindsOf(user: string): WorkloadKind[] {
  return CONTROLLER_IDENTITIES.find((c) => c.user === user)?.workloadKinds.slice() ?? [];
}

/** Whether a user name is one of the pod-creating controllers in kube-system. */
export function isControllerUser(user: string): boolean {
  return CONTROLLER_IDENTITIES.some((c) => c.user === user);
}

/** Name order as PSP admission sorted policies (Go compares bytes; Kubernetes names are ASCII, so code units agree). */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
