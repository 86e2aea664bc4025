/**
 * Builders of RBAC input objects for tests: each call gets a distinct source line so that
 * `grantedBy` texts can be told apart.
 */
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from '../../schema/rbac.js';
import type { RbacInput, RbacObject } from '../types.js';

let line = 0;
const API = 'rbac.authorization.k8s.io/v1';

function wrap<T>(kind: string, name: string, namespace: string | undefined, raw: T): RbacObject<T> {
  line += 10;
  return { apiVersion: API, kind, name, namespace, source: { file: 'rbac.yaml', line, column: 1 }, raw };
}

/** A rule allowing `use` of the named PSPs (all PSPs when none are named). */
export function useRule(...names: string[]): PolicyRule {
  return { apiGroups: ['policy'], resources: ['podsecuritypolicies'], verbs: ['use'], ...(names.length > 0 ? { resourceNames: names } : {}) };
}

export function role(namespace: string, name: string, rules: PolicyRule[]): RbacObject<Role> {
  return wrap('Role', name, namespace, { apiVersion: API, kind: 'Role', metadata: { name, namespace }, rules });
}

export function clusterRole(
  name: string,
  rules: PolicyRule[] | null,
  extra: { labels?: Record<string, string>; aggregationRule?: ClusterRole['aggregationRule'] } = {},
): RbacObject<ClusterRole> {
  return wrap('ClusterRole', name, undefined, {
    apiVersion: API,
    kind: 'ClusterRole',
    metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}) },
    rules,
    ...(extra.aggregationRule ? { aggregationRule: extra.aggregationRule } : {}),
  });
}

export const sa = (namespace: string | undefined, name: string): Subject =>
  namespace === undefined ? { kind: 'ServiceAccount', name } : { kind: 'ServiceAccount', name, namespace };
export const user = (name: string): Subject => ({ kind: 'User', name, apiGroup: 'rbac.authorization.k8s.io' });
export const group = (name: string): Subject => ({ kind: 'Group', name, apiGroup: 'rbac.authorization.k8s.io' });

export function roleBinding(
  namespace: string,
  name: string,
  roleRef: { kind: 'Role' | 'ClusterRole'; name: string },
  subjects: Subject[],
): RbacObject<RoleBinding> {
  return wrap('RoleBinding', name, namespace, {
    apiVersion: API,
    kind: 'RoleBinding',
    metadata: { name, namespace },
    subjects,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
  });
}

export function clusterRoleBinding(name: string, clusterRoleName: string, subjects: Subject[]): RbacObject<ClusterRoleBinding> {
  return wrap('ClusterRoleBinding', name, undefined, {
    apiVersion: API,
    kind: 'ClusterRoleBinding',
    metadata: { name },
    subjects,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRoleName },
  });
}

/** Sort objects into an RBAC input by kind. */
export function rbacInput(...objects: RbacObject<Role | ClusterRole | RoleBinding | ClusterRoleBinding>[]): RbacInput {
  const input: { [K in keyof RbacInput]: RbacInput[K][number][] } = { roles: [], clusterRoles: [], roleBindings: [], clusterRoleBindings: [] };
  for (const object of objects) {
    switch (object.raw.kind) {
      case 'Role': input.roles.push(object as RbacObject<Role>); break;
      case 'ClusterRole': input.clusterRoles.push(object as RbacObject<ClusterRole>); break;
      case 'RoleBinding': input.roleBindings.push(object as RbacObject<RoleBinding>); break;
      case 'ClusterRoleBinding': input.clusterRoleBindings.push(object as RbacObject<ClusterRoleBinding>); break;
    }
  }
  return input;
}

/** PSP stand-ins: only names matter to RBAC. */
export const psps = (...names: string[]) => names.map((name) => ({ name }));
