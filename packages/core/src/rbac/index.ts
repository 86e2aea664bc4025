// RBAC scope resolution: who may `use` which PodSecurityPolicy, per pod and per PSP.
export type { ControllerIdentity, GrantSubject, PolicyGrant, RbacInput, RbacObject, RbacObjectRef, Requester } from './types.js';
export {
  CONTROLLER_IDENTITIES,
  controllerRequester,
  parseServiceAccountUser,
  serviceAccountRequester,
  serviceAccountUser,
} from './identities.js';
export { labelsMatch, policiesGrantedByRule } from './rules.js';
export { buildRbacIndex, usablePolicies, type RbacIndex, type RbacIndexOptions } from './rbac-index.js';
export {
  policyAccess,
  type GroupGrant,
  type PolicyAccess,
  type PolicyScope,
  type RequesterRef,
  type UserGrant,
} from './policy-access.js';
export {
  candidatesFor,
  scopeGroupFor,
  scopeGroups,
  selectorMatches,
  type NameSelector,
  type PodIdentity,
  type ScopeGroup,
  type ScopeGroupOptions,
} from './scope-groups.js';
