/**
 * Types shared by RBAC scope resolution: the RBAC input (structurally identical to the parse module's
 * `InputSet['rbac']`), identities, and the grants the index extracts.
 */
import type { SourceRef } from '../ir/ir.js';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding, WorkloadKind } from '../schema/rbac.js';

/**
 * One parsed RBAC object. Structurally the parse module's `ManifestObject<T>`, declared here so that
 * scope resolution does not depend on parsing (both are interchangeable by structural typing).
 */
export interface RbacObject<T> {
  apiVersion: string;
  kind: string;
  /** `metadata.name`. */
  name: string;
  /** `metadata.namespace`; undefined for cluster-scoped objects or when the manifest leaves it out. */
  namespace: string | undefined;
  /** Where the object starts in its file. */
  source: SourceRef;
  /** The object as validated by the zod schema of its kind. */
  raw: T;
}

/** The RBAC objects of an input set (`InputSet['rbac']`). */
export interface RbacInput {
  roles: readonly RbacObject<Role>[];
  clusterRoles: readonly RbacObject<ClusterRole>[];
  roleBindings: readonly RbacObject<RoleBinding>[];
  clusterRoleBindings: readonly RbacObject<ClusterRoleBinding>[];
}

/**
 * An identity as the authorizer sees it: user name plus groups. For a service account the user is
 * `system:serviceaccount:<namespace>:<name>`.
 */
export type Requester = { user: string; groups: string[] };

/** The subject of a grant, normalised: ServiceAccount subjects become their user name. */
export interface GrantSubject {
  kind: 'User' | 'Group';
  name: string;
}

/** A Role/ClusterRole or binding a grant came from. */
export interface RbacObjectRef {
  kind: 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding';
  name: string;
  /** Namespace of a Role or RoleBinding; undefined for cluster-scoped objects. */
  namespace: string | undefined;
  /** Undefined for a role the binding names but the input lacks (such grants are never built). */
  source: SourceRef;
}

/**
 * One subject of one binding whose role allows verb `use` on PodSecurityPolicies: the unit every
 * scope is computed from.
 */
export interface PolicyGrant {
  /** Normalised subject (a ServiceAccount subject is the User `system:serviceaccount:<ns>:<name>`). */
  subject: GrantSubject;
  /** The subject as written, for messages: `ServiceAccount kube-system/kube-proxy`, `Group system:nodes`. */
  subjectAsWritten: string;
  /** Namespace the grant applies in: a RoleBinding's namespace, or `'*'` for a ClusterRoleBinding. */
  namespace: string;
  /** PSP names the role's matching rules list in `resourceNames`, sorted; `'*'` when a rule lists none (= every PSP). */
  policies: string[] | '*';
  binding: RbacObjectRef;
  role: RbacObjectRef;
  /** `RoleBinding/<name> (namespace <ns>, <file>:<line>) -> ClusterRole/<name> (<file>:<line>)`. */
  grantedBy: string;
}

/** A controller that creates pods, as a requester. */
export interface ControllerIdentity {
  /** `system:serviceaccount:kube-system:<controller>`. */
  user: string;
  /** The workload kinds whose pods this controller creates. */
  workloadKinds: WorkloadKind[];
}
