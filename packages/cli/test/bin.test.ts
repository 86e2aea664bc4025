import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

const exec = promisify(execFile);
// The shipped bin: the esbuild bundle of dist/bin.js (packages/cli/scripts/bundle.mjs).
const bin = path.join(repoRoot, 'packages', 'cli', 'bin', 'psp-translate.js');
const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'packages', 'cli', 'package.json'), 'utf8')) as { version: string };

describe('the built bin', () => {
  beforeAll(async () => {
    // `pnpm install` builds dist/ and the bundle; build here only when it is missing (a fresh clone without install scripts).
    if (!existsSync(bin)) await exec('pnpm', ['build'], { cwd: repoRoot });
  }, 120_000);

  it('runs as a node program and prints the version', async () => {
    const { stdout, stderr } = await exec(process.execPath, [bin, '--version'], { cwd: repoRoot });
    expect(stdout).toBe(`${version}\n`);
    expect(stderr).toBe('');
  });

  it('prints help listing the commands', async () => {
    const { stdout, stderr } = await exec(process.execPath, [bin, '--help'], { cwd: repoRoot });
    expect(stdout).toMatch(/^Usage: psp-translate \[options\] \[command\]/);
    for (const command of ['ir', 'translate', 'check']) expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(stderr).toBe('');
  });

  it('sets the exit code without killing the process (usage error: 2)', async () => {
    const error = (await exec(process.execPath, [bin, 'translate'], { cwd: repoRoot }).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(error.code).toBe(2);
    expect(error.stderr).toMatch(/^error: missing required argument 'inputs'/m);
  });
});
