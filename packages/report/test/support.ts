// Shared test helpers: the repository root, the example cluster, golden files.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** A path under the repository, relative to the working directory (so reports name files portably). */
export function repoPath(...parts: string[]): string {
  return path.relative(process.cwd(), path.join(repoRoot, ...parts)) || '.';
}

/**
 * Compare with a golden file; a missing one is written (review it before committing), and
 * PSP_TRANSLATE_UPDATE_GOLDEN=1 rewrites them all.
 */
export function expectGolden(file: string, actual: string): void {
  const full = path.join(repoRoot, file);
  if (!existsSync(full) || process.env['PSP_TRANSLATE_UPDATE_GOLDEN'] === '1') {
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, actual);
    console.warn(`wrote golden file ${file}: review it`);
    return;
  }
  expect(actual, `${file} differs (PSP_TRANSLATE_UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(full, 'utf8'));
}

/** Every element's attributes with `name` in an HTML text we produced (attribute values double-quoted, escaped). */
export function elementsWith(html: string, attribute: string): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  for (const match of html.matchAll(/<([a-z]+)((?:\s+[a-z-]+(?:="[^"]*")?)*)\s*>/g)) {
    const attributes: Record<string, string> = {};
    for (const a of (match[2] ?? '').matchAll(/([a-z-]+)(?:="([^"]*)")?/g)) attributes[a[1] as string] = decode(a[2] ?? '');
    if (attribute in attributes) found.push(attributes);
  }
  return found;
}

function decode(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] as string);
}
