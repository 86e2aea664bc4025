/**
 * Small pieces shared by the checks: the container visitor, message wording (which must match
 * the admission plugin's warnings word for word) and the shared "allowed" result.
 */
import type { Container, ObjectMeta, PodSpec } from '@psp-translate/core';

/** The outcome of one check on one pod. `forbiddenReason` is empty when allowed. */
export interface CheckResult {
  readonly allowed: boolean;
  /** Short reason, e.g. `host namespaces`; always shown. */
  readonly forbiddenReason: string;
  /** Specifics, e.g. `hostNetwork=true`; may be empty. */
  readonly forbiddenDetail: string;
}

/** A check implementation: reads the pod's metadata and spec, never mutates them. */
export type CheckPodFn = (podMeta: ObjectMeta, podSpec: PodSpec) => CheckResult;

/** One allocation for every passing check: results are read-only. */
export const ALLOWED: CheckResult = Object.freeze({ allowed: true, forbiddenReason: '', forbiddenDetail: '' });

/** A failing result. */
export function forbidden(forbiddenReason: string, forbiddenDetail: string): CheckResult {
  return { allowed: false, forbiddenReason, forbiddenDetail };
}

/**
 * Calls `visit` for every initContainer, container and ephemeralContainer, in that order (the
 * order that decides how names are listed in messages). Ephemeral containers are checked like
 * the others: `kubectl debug` must not be a way around the policy.
 */
export function visitContainers(podSpec: PodSpec, visit: (container: Container) => void): void {
  visitList(podSpec.initContainers, visit);
  visitList(podSpec.containers, visit);
  visitList(podSpec.ephemeralContainers, visit);
}

function visitList(list: readonly Container[] | null | undefined, visit: (container: Container) => void): void {
  if (!Array.isArray(list)) return;
  for (const container of list) {
    if (container !== null && typeof container === 'object') visit(container);
  }
}

/** `"a", "b"`; empty for no items. */
export function joinQuote(items: readonly string[]): string {
  return items.length === 0 ? '' : `"${items.join('", "')}"`;
}

/** The singular form for exactly one item, else the plural. */
export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/** `container "a"` / `containers "a", "b"`. */
export function containersPhrase(names: readonly string[]): string {
  return `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
}

/** Sorted, de-duplicated copy, ordered by code unit like Go's sort.Strings on ASCII. */
export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/**
 * A double-quoted string literal as Go's `%q` writes it, so messages quoting annotation values
 * match upstream byte for byte on the values people actually write.
 */
export function goQuote(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    switch (char) {
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\u0007':
        out += '\\a';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\v':
        out += '\\v';
        break;
      default:
        if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
        else if (code >= 0x80 && code < 0xa0) out += `\\u${code.toString(16).padStart(4, '0')}`;
        else out += char;
    }
  }
  return `${out}"`;
}

/** The value of a boolean field as Go reads it: only a literal `true` is true. */
export function isTrue(value: unknown): boolean {
  return value === true;
}

/** A nested object field, or undefined when absent, null or not an object. */
export function objectField(parent: unknown, key: string): Record<string, unknown> | undefined {
  if (parent === null || typeof parent !== 'object') return undefined;
  const value = (parent as Record<string, unknown>)[key];
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

/** A string field as Go decodes it: absent or null is the empty string. */
export function stringField(parent: Record<string, unknown> | null | undefined, key: string): string {
  const value = parent?.[key];
  return typeof value === 'string' ? value : '';
}

/** True when the pod runs in its own user namespace (`hostUsers: false`), which relaxes some checks from v1.35. */
export function inUserNamespace(podSpec: PodSpec): boolean {
  return podSpec.hostUsers === false;
}

/** True when `spec.os.name` is `windows`: from v1.25 Linux-only restricted checks skip such pods. */
export function isWindowsPod(podSpec: PodSpec): boolean {
  return podSpec.os?.name === 'windows';
}
