/**
 * zod schemas for the RBAC objects that decide who may `use` a PodSecurityPolicy, mirroring
 * `rbac.authorization.k8s.io/v1`. Unknown fields are kept (we only read what authorisation reads).
 */
import { z } from 'zod';
import { ObjectMetaSchema } from './psp.js';

/**
 * RBAC object names are path segments, not DNS names (`system:node`, `psp:privileged`): the API
 * server only refuses `.`, `..`, and names containing `/` or `%`.
 */
export const RbacObjectMetaSchema = ObjectMetaSchema.extend({
  name: z
    .string()
    .min(1)
    .refine((name) => name !== '.' && name !== '..' && !/[/%]/.test(name), {
      message: "must not be '.' or '..' and must not contain '/' or '%'",
    }),
});

/** `PolicyRule`. */
export const PolicyRuleSchema = z.looseObject({
  verbs: z.array(z.string()),
  apiGroups: z.array(z.string()).nullish(),
  resources: z.array(z.string()).nullish(),
  /** Absent or empty = every object of the resource. */
  resourceNames: z.array(z.string()).nullish(),
  nonResourceURLs: z.array(z.string()).nullish(),
});
/**
 * One rule of a Role or ClusterRole (see {@link PolicyRuleSchema}). It lets a subject use a PSP when
 * `verbs` has `use` (or `*`), `resources` has `podsecuritypolicies` (or `*`), `apiGroups` has
 * `policy` or `extensions` (or `*`), and `resourceNames` names the PSP or is absent or empty.
 */
export type PolicyRule = z.infer<typeof PolicyRuleSchema>;

/**
 * `LabelSelector` (`matchLabels` and `matchExpressions`, all of which must match), as a ClusterRole's
 * `aggregationRule.clusterRoleSelectors` uses it to pick the ClusterRoles whose rules it aggregates.
 */
export const LabelSelectorSchema = z.looseObject({
  matchLabels: z.record(z.string(), z.string()).nullish(),
  matchExpressions: z
    .array(
      z.looseObject({
        key: z.string(),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(z.string()).nullish(),
      }),
    )
    .nullish(),
});

const rbacApiVersion = z.enum(['rbac.authorization.k8s.io/v1', 'rbac.authorization.k8s.io/v1beta1', 'rbac.authorization.k8s.io/v1alpha1']);

/** `Role` (namespaced). */
export const RoleSchema = z.looseObject({
  apiVersion: rbacApiVersion,
  kind: z.literal('Role'),
  metadata: RbacObjectMetaSchema,
  rules: z.array(PolicyRuleSchema).nullish(),
});
/** A validated `Role` (see {@link RoleSchema}): rules that grant only through bindings in its own namespace. */
export type Role = z.infer<typeof RoleSchema>;

/** `ClusterRole`, with `aggregationRule` (its rules are the union of the selected ClusterRoles'). */
export const ClusterRoleSchema = z.looseObject({
  apiVersion: rbacApiVersion,
  kind: z.literal('ClusterRole'),
  metadata: RbacObjectMetaSchema,
  rules: z.array(PolicyRuleSchema).nullish(),
  aggregationRule: z.looseObject({ clusterRoleSelectors: z.array(LabelSelectorSchema).nullish() }).nullish(),
});
/**
 * A validated `ClusterRole` (see {@link ClusterRoleSchema}): rules that grant everywhere through a
 * ClusterRoleBinding, or in one namespace through a RoleBinding.
 */
export type ClusterRole = z.infer<typeof ClusterRoleSchema>;

/** `Subject`: ServiceAccount (namespace required on ClusterRoleBindings), User or Group. */
export const SubjectSchema = z.looseObject({
  kind: z.enum(['ServiceAccount', 'User', 'Group']),
  name: z.string().min(1),
  namespace: z.string().nullish(),
  apiGroup: z.string().nullish(),
});
/**
 * Who a binding grants to (see {@link SubjectSchema}). A ServiceAccount subject authorises the pods
 * that run as it; the groups `system:serviceaccounts` and `system:serviceaccounts:<namespace>`
 * authorise every service account (of the namespace); other users and groups authorise requesting
 * users (controllers creating pods among them), not pods' service accounts.
 */
export type Subject = z.infer<typeof SubjectSchema>;

/**
 * `RoleRef`: the Role (a RoleBinding only, in the binding's namespace) or ClusterRole whose rules a
 * binding grants; the API server never lets it change after creation.
 */
export const RoleRefSchema = z.looseObject({
  apiGroup: z.string(),
  kind: z.enum(['Role', 'ClusterRole']),
  name: z.string().min(1),
});

/** `RoleBinding`: grants only in its own namespace, also when it references a ClusterRole. */
export const RoleBindingSchema = z.looseObject({
  apiVersion: rbacApiVersion,
  kind: z.literal('RoleBinding'),
  metadata: RbacObjectMetaSchema,
  subjects: z.array(SubjectSchema).nullish(),
  roleRef: RoleRefSchema,
});
/** A validated `RoleBinding` (see {@link RoleBindingSchema}): grants in its own namespace only. */
export type RoleBinding = z.infer<typeof RoleBindingSchema>;

/** `ClusterRoleBinding`: grants in every namespace; may reference only a ClusterRole. */
export const ClusterRoleBindingSchema = z.looseObject({
  apiVersion: rbacApiVersion,
  kind: z.literal('ClusterRoleBinding'),
  metadata: RbacObjectMetaSchema,
  subjects: z.array(SubjectSchema).nullish(),
  roleRef: RoleRefSchema.extend({ kind: z.literal('ClusterRole') }),
});
/** A validated `ClusterRoleBinding` (see {@link ClusterRoleBindingSchema}): grants a ClusterRole's rules in every namespace. */
export type ClusterRoleBinding = z.infer<typeof ClusterRoleBindingSchema>;

/** Kinds whose pod template (or pod) PSP admission saw. */
export const WORKLOAD_KINDS = [
  'Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController', 'PodTemplate',
] as const;
/** One of {@link WORKLOAD_KINDS}: a Pod, or a kind whose controller creates pods from a pod template. */
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];
