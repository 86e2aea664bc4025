/**
 * Naming rules. Names are DNS-1123, derived only from what they name (PSP name, control kind), so
 * they are stable across runs and do not change when an unrelated PSP changes: no hashes, no
 * counters.
 */
import type { ControlKind } from '@psp-translate/core';

/** Longest name Gatekeeper accepts for a mutator (it checks a DNS-1123 label length). */
export const MAX_MUTATOR_NAME = 63;
/** Longest DNS-1123 subdomain: the limit for templates and constraints. */
export const MAX_OBJECT_NAME = 253;

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** True when `name` is a valid DNS-1123 subdomain of at most `max` characters. */
export function isDns1123Name(name: string, max = MAX_OBJECT_NAME): boolean {
  return name.length > 0 && name.length <= max && DNS1123_SUBDOMAIN.test(name);
}

/**
 * Join parts into a DNS-1123 name: lower case, anything else than `[a-z0-9.-]` becomes `-`.
 * Throws when the result is longer than `max`, so two long PSP names can never be cut into one.
 */
export function objectName(parts: readonly string[], max = MAX_OBJECT_NAME): string {
  const name = parts
    .map((part) =>
      part
        .toLowerCase()
        .replace(/[^a-z0-9.-]+/g, '-')
        .replace(/^[-.]+|[-.]+$/g, ''),
    )
    .filter((part) => part.length > 0)
    .join('-')
    .replace(/-{2,}/g, '-');
  if (!isDns1123Name(name, max)) {
    throw new Error(
      `cannot name a Gatekeeper object "${name}": it must be a DNS-1123 name of at most ${max} characters; ` +
        'shorten the PodSecurityPolicy name',
    );
  }
  return name;
}

/** Constraint CRD kind of a per-control template: `K8sPsp` + the control in PascalCase. */
export function constraintKind(control: ControlKind): string {
  return `K8sPsp${control.charAt(0).toUpperCase()}${control.slice(1)}`;
}

/** Constraint CRD kind of the policy-set template. */
export const POLICY_SET_KIND = 'K8sPspPolicySet';

/** A ConstraintTemplate's name is its CRD kind lowercased (Gatekeeper requires exactly that). */
export function templateName(kind: string): string {
  return kind.toLowerCase();
}
