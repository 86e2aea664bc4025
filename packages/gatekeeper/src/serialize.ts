import { Document, Scalar, visit } from 'yaml';
import type { KubernetesObject } from './types.js';

/** Kubernetes convention: these keys first, in this order; the rest keep their insertion order. */
const LEADING_KEYS = ['apiVersion', 'kind', 'metadata', 'spec'];

function ordered(object: KubernetesObject): KubernetesObject {
  const out: Record<string, unknown> = {};
  for (const key of LEADING_KEYS) if (key in object) out[key] = object[key];
  for (const [key, value] of Object.entries(object)) if (!(key in out)) out[key] = value;
  return out as KubernetesObject;
}

/**
 * Multi-document YAML of the objects, deterministic: same objects, same bytes. Multi-line strings
 * (Rego, CEL) are written as literal blocks so they read as code.
 */
export function serializeObjects(objects: readonly KubernetesObject[]): string {
  return objects
    .map((object) => {
      const doc = new Document(ordered(object));
      visit(doc, {
        Scalar(_key, node) {
          if (typeof node.value === 'string' && node.value.includes('\n')) node.type = Scalar.BLOCK_LITERAL;
        },
      });
      return doc.toString({ lineWidth: 0 });
    })
    .join('---\n');
}
