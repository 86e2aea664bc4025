/**
 * Output is data: objects are serialised with `yaml` (or JSON), never templated as text.
 * Deterministic: the same objects always give the same bytes.
 */
import { Document } from 'yaml';
import type { KubernetesObject } from './targets.js';

/** Keys Kubernetes users expect first, in this order. */
const LEADING_KEYS = ['apiVersion', 'kind', 'metadata'] as const;

/** A shallow copy of `object` with `apiVersion`, `kind`, `metadata` first, then the other keys in their order. */
export function withKubernetesKeyOrder<T extends object>(object: T): T {
  const ordered: Record<string, unknown> = {};
  const source = object as Record<string, unknown>;
  for (const key of LEADING_KEYS) if (Object.hasOwn(source, key)) ordered[key] = source[key];
  for (const [key, value] of Object.entries(source)) if (!Object.hasOwn(ordered, key)) ordered[key] = value;
  return ordered as T;
}

/**
 * One YAML document (no `---` marker). Multi-line strings (Rego, CEL) become literal blocks, long
 * lines are never folded, and an object reused twice is written twice rather than as an anchor.
 */
export function toYaml(value: unknown): string {
  const document = new Document(value, { aliasDuplicateObjects: false });
  return document.toString({ blockQuote: 'literal', lineWidth: 0 });
}

/** A multi-document YAML stream: each object starts with `---`. Empty string for no objects. */
export function toYamlStream(objects: readonly KubernetesObject[]): string {
  return objects.map((object) => `---\n${toYaml(withKubernetesKeyOrder(object))}`).join('');
}

/** Pretty JSON with a final newline. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** The objects as a `v1` `List` in JSON, the form `kubectl apply -f` accepts. */
export function toJsonList(objects: readonly KubernetesObject[]): string {
  return toJson({ apiVersion: 'v1', kind: 'List', items: objects.map((object) => withKubernetesKeyOrder(object)) });
}
