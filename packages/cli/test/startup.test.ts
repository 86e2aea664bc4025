/**
 * `--version` and `--help` must not load the parser, zod schemas or yaml: the modules `index.ts`
 * reaches through static (non-type) imports may only use light dependencies.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const sourceDir = fileURLToPath(new URL('../src/', import.meta.url));
const HEAVY = ['@psp-translate/core', 'yaml', 'zod', 'handlebars', 'ts-morph', 'cli-table3'];

/** Specifiers of runtime static imports and re-exports (`import type`/`export type` excluded). */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  for (const match of text.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) specifiers.push(match[1]!);
  return specifiers;
}

function reachable(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const imports = staticImports(file);
    seen.set(file, imports);
    for (const specifier of imports) {
      if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
    }
  };
  visit(entry);
  return seen;
}

describe('CLI start-up', () => {
  it('loads no heavy module statically from index.ts', () => {
    const graph = reachable(path.join(sourceDir, 'index.ts'));
    expect([...graph.keys()].map((file) => path.relative(sourceDir, file)).sort()).toContain('program.ts');
    const heavy = [...graph].flatMap(([file, imports]) => imports.filter((specifier) => HEAVY.includes(specifier)).map((specifier) => `${path.relative(sourceDir, file)} -> ${specifier}`));
    expect(heavy).toEqual([]);
  });

  it('would notice a heavy import (the check itself works)', () => {
    const graph = reachable(path.join(sourceDir, 'commands', 'translate.ts'));
    const all = [...graph.values()].flat();
    expect(all).toContain('yaml');
  });
});
