/**
 * Object and rule names: stable (same input, same name), meaningful (`psp-baseline`,
 * `psp-any-of-baseline-restricted`) and valid DNS-1123 labels of at most 63 characters, which is
 * what Kyverno allows for rule names and what fits in the labels Kyverno writes policy names into.
 */

/** Longest name Kyverno accepts for a rule, and the longest we use for any object. */
export const MAX_NAME_LENGTH = 63;

/** FNV-1a, 32 bit, as 8 hex digits: a short stable digest, never random. */
export function stableDigest(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * A DNS-1123 label made of `parts` joined by `-`: lower case, `[a-z0-9-]`, no leading or trailing
 * `-`. When the result would be longer than 63 characters, or when lowering and replacing characters
 * changed the text (two PSP names could then collide), a digest of the exact parts is appended so
 * distinct inputs keep distinct names.
 */
export function dnsLabel(...parts: string[]): string {
  const exact = parts.join('-');
  const cleaned = exact
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (cleaned === exact && cleaned.length > 0 && cleaned.length <= MAX_NAME_LENGTH) return cleaned;
  const digest = stableDigest(exact);
  const room = MAX_NAME_LENGTH - digest.length - 1;
  const head = cleaned.slice(0, room).replace(/-+$/g, '');
  return head.length > 0 ? `${head}-${digest}` : `psp-${digest}`;
}

/** `captureAll` -> `capture-all`: control kinds as rule names. */
export function kebabCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
