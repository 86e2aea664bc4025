/**
 * The parts of Kyverno's APIs we emit, as types, and the constants shared by every policy:
 * which requests a policy must see.
 */
import { CONTAINER_KINDS, type ContainerKind } from '@psp-translate/core';

export { CONTAINER_KINDS, type ContainerKind };

/** A Kyverno JMESPath precondition (`key operator value`). */
export interface Condition {
  key: unknown;
  operator: 'Equals' | 'NotEquals' | 'AnyIn' | 'AnyNotIn' | 'AllIn' | 'AllNotIn';
  value: unknown;
  message?: string;
}

/** `{all: [...]}` / `{any: [...]}` preconditions. */
export interface Conditions {
  all?: Condition[];
  any?: Condition[];
}

/** A CEL match condition / celPrecondition. */
export interface MatchCondition {
  name: string;
  expression: string;
}

/**
 * ClusterPolicy kinds a validation rule matches: the Pod and its `ephemeralcontainers`
 * subresource, through which `kubectl debug` adds containers to running pods (PSP checked those
 * too). Kyverno registers its webhook for the subresource when a policy names it.
 */
export const VALIDATE_KINDS = ['Pod', 'Pod/ephemeralcontainers'] as const;

/**
 * `matchConstraints.resourceRules` for policies.kyverno.io policies: CEL policies build their
 * webhook rules verbatim from these, so the subresource must be listed explicitly.
 */
export const VALIDATE_RESOURCE_RULES = [
  {
    apiGroups: [''],
    apiVersions: ['v1'],
    operations: ['CREATE', 'UPDATE'],
    resources: ['pods', 'pods/ephemeralcontainers'],
  },
];

/**
 * Mutations match Pod CREATE only: PSP defaulted pods when they were created, never on update
 * (an `ephemeralcontainers` update is validated as is), and a mutation on update would be
 * rejected anyway because a pod's spec is immutable.
 */
export const MUTATE_RESOURCE_RULES = [
  {
    apiGroups: [''],
    apiVersions: ['v1'],
    operations: ['CREATE'],
    resources: ['pods'],
  },
];

/** JMESPath expression of a container list that is empty, not null, when the pod has none. */
export function jmespathContainerList(kind: ContainerKind): string {
  return `request.object.spec.${kind} || \`[]\``;
}

/** Labels on every object we emit, so users can select and delete them together. */
export const COMMON_LABELS = { 'app.kubernetes.io/managed-by': 'psp-translate' } as const;

/**
 * ClusterPolicy annotations: Kyverno's auto-generation of rules for Deployments and other controllers
 * is off, because PSP judged pods (with the controller as requester), not their controllers; rules
 * rewritten for a Deployment would see the wrong requester and no pod-level defaults.
 */
export const CLUSTER_POLICY_ANNOTATIONS = { 'pod-policies.kyverno.io/autogen-controllers': 'none' } as const;
