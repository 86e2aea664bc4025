import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, test } from 'vitest';
import { InputError, type InputIssue, loadInputs, MAX_ALIAS_EXPANSIONS, parseInputs, readInputs } from '@psp-translate/core';

const root = mkdtempSync(path.join(tmpdir(), 'psp-translate-read-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const PSP = (name: string) => `apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: ${name}}
spec: {seLinux: {rule: RunAsAny}, runAsUser: {rule: RunAsAny}, supplementalGroups: {rule: RunAsAny}, fsGroup: {rule: RunAsAny}}
`;

function write(relative: string, text: string): string {
  const full = path.join(root, relative);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, text);
  return full;
}

async function issuesOf(run: () => Promise<unknown>): Promise<InputIssue[]> {
  try {
    await run();
  } catch (error) {
    if (error instanceof InputError) return [...error.issues];
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('readInputs', () => {
  test('directories are read recursively, manifests only, in sorted path order', async () => {
    const dir = path.join(root, 'tree');
    write('tree/b.yaml', PSP('b'));
    write('tree/a/z.yml', PSP('z'));
    write('tree/a/y.json', JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'y' } }));
    write('tree/README.md', '# not a manifest');
    write('tree/c.YAML', PSP('c'));
    const files = await readInputs([dir]);
    expect(files.map((file) => path.relative(root, file.path))).toEqual(['tree/a/y.json', 'tree/a/z.yml', 'tree/b.yaml', 'tree/c.YAML']);
    const set = await loadInputs([dir]);
    expect(set.policies.map((policy) => policy.name)).toEqual(['b', 'c', 'z']);
    expect(set.policies[0]!.source.file).toBe(path.join(dir, 'b.yaml'));
  });

  test('`-` reads the given stdin stream, and files keep the order given', async () => {
    const file = write('one.yaml', PSP('from-file'));
    const stdin = Readable.from([Buffer.from(PSP('from-stdin').slice(0, 40)), Buffer.from(PSP('from-stdin').slice(40))]);
    const files = await readInputs(['-', file], { stdin });
    expect(files.map((input) => input.path)).toEqual(['<stdin>', file]);
    const set = parseInputs(files);
    expect(set.policies.map((policy) => [policy.name, policy.source.file])).toEqual([
      ['from-file', file],
      ['from-stdin', '<stdin>'],
    ]);
  });

  test('every missing path is reported at once', async () => {
    const issues = await issuesOf(() => readInputs([path.join(root, 'nope.yaml'), path.join(root, 'gone')]));
    expect(issues.map((issue) => [path.basename(issue.file), issue.message])).toEqual([
      ['nope.yaml', 'no such file or directory'],
      ['gone', 'no such file or directory'],
    ]);
  });

  test('a file over the cap is refused from its size alone, before it is read', async () => {
    // A sparse 65 MiB file: creating it costs nothing, reading it would.
    const big = write('big.yaml', '');
    truncateSync(big, 65 * 1024 * 1024);
    const started = performance.now();
    const issues = await issuesOf(() => readInputs([big]));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(issues).toEqual([
      { file: big, message: expect.stringMatching(/^input is too large \(65\.0 MiB; the limit is 64\.0 MiB in total\), refused before parsing; .*maxBytes/) },
    ]);
    const hinted = await issuesOf(() => readInputs([big], { maxBytes: 1024, maxBytesHint: 'raise it with --max-input-bytes' }));
    expect(hinted[0]!.message).toMatch(/limit is 1\.0 KiB.*raise it with --max-input-bytes$/);
  });

  test('stdin over the cap stops being read', async () => {
    let chunksPulled = 0;
    const endless = new Readable({
      read() {
        chunksPulled++;
        this.push(Buffer.alloc(64 * 1024, 0x61));
      },
    });
    const issues = await issuesOf(() => readInputs(['-'], { stdin: endless, maxBytes: 1024 * 1024 }));
    expect(issues[0]).toMatchObject({ file: '<stdin>', message: expect.stringMatching(/more than 1\.\d MiB; the limit is 1\.0 MiB/) });
    expect(chunksPulled).toBeLessThan(40);
  });

  test(`an alias bomb is refused quickly (alias expansions capped at ${MAX_ALIAS_EXPANSIONS})`, () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 12; level++) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      levels.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(',')}]`);
    }
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: laughs}\ndata:\n${levels.map((line) => `  ${line}`).join('\n')}\n`;
    const started = performance.now();
    let message = '';
    try {
      parseInputs([{ path: 'bomb.yaml', text }]);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(performance.now() - started).toBeLessThan(2000);
    expect(message).toMatch(/^bomb\.yaml:1:1: YAML aliases expand to more than \d+ nodes; refused as a likely "billion laughs" attack/);
  });

  test('a few aliases, as real manifests use them, are fine', () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: policy/v1beta1
  kind: PodSecurityPolicy
  metadata: {name: one}
  spec: &spec {seLinux: {rule: RunAsAny}, runAsUser: {rule: RunAsAny}, supplementalGroups: {rule: RunAsAny}, fsGroup: {rule: RunAsAny}}
- apiVersion: policy/v1beta1
  kind: PodSecurityPolicy
  metadata: {name: two}
  spec: *spec
`;
    expect(parseInputs([{ path: 'ok.yaml', text }]).policies.map((policy) => policy.name)).toEqual(['one', 'two']);
  });
});
