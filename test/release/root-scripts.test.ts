/**
 * Root scripts must not share a name with a pnpm built-in command: `pnpm <name>` runs the built-in
 * (e.g. `pnpm docs` opens the npm page), so a script of that name is unreachable as documented.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const PNPM_BUILTINS = [
  'add', 'audit', 'bin', 'docs', 'home', 'dlx', 'env', 'exec', 'fetch', 'import', 'init', 'install', 'i',
  'link', 'list', 'ls', 'outdated', 'pack', 'prune', 'publish', 'rebuild', 'remove', 'root', 'setup',
  'store', 'unlink', 'update', 'up', 'why', 'config', 'patch', 'deploy', 'licenses', 'server',
];

describe('root package.json scripts', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
  };
  it('no script is shadowed by a pnpm built-in command', () => {
    expect(Object.keys(pkg.scripts).filter((name) => PNPM_BUILTINS.includes(name))).toEqual([]);
  });
  it('the typedoc script is api-docs, as README documents', () => {
    expect(pkg.scripts['api-docs']).toBe('typedoc');
    expect(readFileSync(new URL('../../README.md', import.meta.url), 'utf8')).toContain('`pnpm api-docs`');
  });
});
