/**
 * Object and CEL variable names: deterministic, valid, and readable.
 */

/** Longest object name we emit (a DNS subdomain may have 253; 63 keeps names readable in kubectl). */
const MAX_NAME = 63;

/** FNV-1a of `text`, 8 hex digits: a stable suffix for names that had to be shortened. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** A DNS-label-like name from parts: lowercase, `[a-z0-9-]`, at most 63 characters. */
export function objectName(...parts: string[]): string {
  const raw = parts.join('-');
  const clean = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  if (clean.length <= MAX_NAME) return clean;
  return `${clean.slice(0, MAX_NAME - 9).replace(/-+$/, '')}-${shortHash(raw)}`;
}

/** Gives out unique CEL identifiers: a taken name gets `_2`, `_3`, ... */
export class IdentifierPool {
  private readonly taken = new Set<string>();

  /** `base` (already a CEL identifier), or the first free numbered variant. */
  claim(base: string): string {
    let name = base;
    for (let i = 2; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }

  /** What claiming each of `bases` in order would give, without claiming them. */
  peek(bases: readonly string[]): string[] {
    const trial = new IdentifierPool();
    for (const name of this.taken) trial.taken.add(name);
    return bases.map((base) => trial.claim(base));
  }
}
