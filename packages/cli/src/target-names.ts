/**
 * Target names and `--target` parsing. Kept apart from the target registry (`targets.ts`) so that
 * parsing arguments never loads a target's code.
 */
import type { TargetName as CoreTargetName } from '@psp-translate/core';

/** Every policy engine psp-translate can translate to, in the order output is written. */
export const TARGET_NAMES = ['gatekeeper', 'kyverno', 'psa', 'vap'] as const;

/**
 * A translation target: `gatekeeper` (ConstraintTemplates + Constraints), `kyverno` (ClusterPolicies,
 * PolicyExceptions, ValidatingPolicies), `psa` (Pod Security Admission namespace labels), `vap`
 * (ValidatingAdmissionPolicy + bindings).
 */
export type TargetName = (typeof TARGET_NAMES)[number];

// Core's target contract names the same targets: this fails to compile when the two lists differ.
type SameNames<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const sameNamesAsCore: SameNames<TargetName, CoreTargetName> = true;
void sameNamesAsCore;

/** What `--target` asked for. */
export interface TargetSelection {
  /** Requested targets, without duplicates, in the order given (`all`: {@link TARGET_NAMES} order). */
  names: TargetName[];
  /** True for `all` (the default): targets not implemented yet are skipped with a note instead of failing. */
  all: boolean;
}

/** True when `name` is a known target. */
export function isTargetName(name: string): name is TargetName {
  return (TARGET_NAMES as readonly string[]).includes(name);
}

/**
 * Parse a `--target` value: a comma-separated list of target names, or `all`.
 * @throws Error naming the unknown targets and listing the valid ones.
 */
export function parseTargetList(value: string): TargetSelection {
  const words = value
    .split(',')
    .map((word) => word.trim().toLowerCase())
    .filter((word) => word !== '');
  const valid = `valid targets: ${TARGET_NAMES.join(', ')} (comma-separated) or all`;
  if (words.length === 0) throw new Error(`no target given; ${valid}`);
  if (words.includes('all')) {
    if (words.length > 1) throw new Error(`"all" cannot be combined with other targets; ${valid}`);
    return { names: [...TARGET_NAMES], all: true };
  }
  const unknown = words.filter((word) => !isTargetName(word));
  if (unknown.length > 0) {
    const list = unknown.map((word) => `"${word}"`).join(', ');
    throw new Error(`unknown target${unknown.length > 1 ? 's' : ''} ${list}; ${valid}`);
  }
  return { names: [...new Set(words.filter(isTargetName))], all: false };
}
