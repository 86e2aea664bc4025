/**
 * TSDoc on every export: each package's public API (what `src/index.ts` exports, followed through
 * re-exports and aliases to the declaration) must carry a doc comment, since that is what editors
 * show and what `pnpm api-docs` renders.
 *
 * {@link KNOWN_GAPS} (a ratchet that only shrinks) is empty now: an undocumented export fails the
 * test, and so would a listed one that got documented.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const packagesDir = path.join(repoRoot, 'packages');
const packages = readdirSync(packagesDir)
  .filter((dir) => existsSync(path.join(packagesDir, dir, 'src', 'index.ts')))
  .sort();

/**
 * Undocumented exports tolerated, by package directory, as `name (file)`. Empty: every export is
 * documented, and a new one without a doc comment fails the test.
 */
const KNOWN_GAPS: Record<string, string[]> = {};

/** A declaration's doc comment text (summary or tags), for the node the comment attaches to. */
function hasDocComment(declaration: ts.Declaration): boolean {
  // `export const x = ...`: the comment sits on the variable statement; `getJSDocCommentsAndTags` walks up to it.
  const docs = ts.getJSDocCommentsAndTags(declaration);
  return docs.some((doc) => {
    if (ts.isJSDoc(doc)) return (typeof doc.comment === 'string' ? doc.comment.trim() !== '' : (doc.comment?.length ?? 0) > 0) || (doc.tags?.length ?? 0) > 0;
    return true;
  });
}

/** Every export of every package's index, with whether it is documented. */
function undocumentedExports(): Record<string, string[]> {
  const entries = packages.map((dir) => path.join(packagesDir, dir, 'src', 'index.ts'));
  const program = ts.createProgram(entries, {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    skipLibCheck: true,
    types: ['node'],
    // Resolve sibling packages to their sources, as the tests do.
    paths: Object.fromEntries(packages.map((dir) => [`@psp-translate/${dir}`, [path.join(packagesDir, dir, 'src', 'index.ts')]])),
  });
  const checker = program.getTypeChecker();
  const result: Record<string, string[]> = {};
  for (const [index, entry] of entries.entries()) {
    const dir = packages[index]!;
    const source = program.getSourceFile(entry);
    const module = source && checker.getSymbolAtLocation(source);
    if (!module) throw new Error(`${entry}: not a module`);
    const gaps: string[] = [];
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const declarations = symbol.declarations ?? [];
      // Overloads and merged declarations (a const and a type of the same name): one documented declaration is enough.
      if (declarations.length > 0 && declarations.some(hasDocComment)) continue;
      const first = declarations[0];
      const where = first ? path.relative(path.join(packagesDir, dir), first.getSourceFile().fileName) : 'unknown';
      gaps.push(`${exported.name} (${where})`);
    }
    result[dir] = gaps.sort();
  }
  return result;
}

describe('TSDoc on every export', () => {
  const found = undocumentedExports();
  if (process.env['PSP_TRANSLATE_PRINT_GAPS']) console.log(JSON.stringify(found, null, 2));

  it('finds the packages and their exports', () => {
    expect(packages).toEqual(expect.arrayContaining(['cli', 'core']));
  });

  for (const dir of packages) {
    it(`${dir}: every export of src/index.ts has a doc comment (or is a known gap)`, () => {
      const known = new Set(KNOWN_GAPS[dir] ?? []);
      const gaps = found[dir] ?? [];
      expect(gaps.filter((gap) => !known.has(gap)), 'undocumented exports: add a TSDoc comment').toEqual([]);
      expect([...known].filter((gap) => !gaps.includes(gap)), 'documented now: remove from KNOWN_GAPS').toEqual([]);
    });
  }

  it('would notice an undocumented export (the check itself works)', () => {
    const file = ts.createSourceFile('x.ts', '/** Documented. */\nexport const a = 1;\nexport const b = 2;\n/** */\nexport function c() {}\n', ts.ScriptTarget.ES2023, true);
    const documented = file.statements.map((statement) => {
      const declaration = ts.isVariableStatement(statement) ? statement.declarationList.declarations[0]! : (statement as ts.FunctionDeclaration);
      return hasDocComment(declaration);
    });
    expect(documented).toEqual([true, false, false]);
  });
});
