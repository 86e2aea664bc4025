import * as fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../src/errors.js';
import { objectFilePath, OWNERSHIP_MARKER, writeOutputAtomically, type OutputFileSystem } from '../src/write-output.js';
import { snapshotTree, temporaryDirectory } from './helpers.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await temporaryDirectory()));
afterEach(async () => remove());

const files = [
  { path: 'gatekeeper/constrainttemplate-a.yaml', contents: 'a: 1\n' },
  { path: 'gatekeeper/constraint-b.yaml', contents: 'b: 2\n' },
  { path: 'kyverno/clusterpolicy-c.yaml', contents: 'c: 3\n' },
];

/** Real fs, except that the call named `failOn` throws on its `nth` use. */
function failingFs(failOn: 'writeFile' | 'rename', nth: number): OutputFileSystem {
  let calls = 0;
  const fail = () => {
    calls += 1;
    if (calls === nth) throw Object.assign(new Error(`ENOSPC: no space left on device (simulated ${failOn} #${nth})`), { code: 'ENOSPC' });
  };
  return {
    lstat: (p) => fs.lstat(p),
    mkdir: (p, o) => fs.mkdir(p, o),
    mkdtemp: (p) => fs.mkdtemp(p),
    rm: (p, o) => fs.rm(p, o),
    writeFile: async (p, d) => {
      if (failOn === 'writeFile') fail();
      return fs.writeFile(p, d);
    },
    rename: async (a, b) => {
      if (failOn === 'rename') fail();
      return fs.rename(a, b);
    },
  };
}

describe('objectFilePath', () => {
  it('names files <target>/<kind>-[<namespace>-]<name>.<ext>', () => {
    expect(objectFilePath('gatekeeper', { kind: 'ConstraintTemplate', metadata: { name: 'k8spsphostnamespace' } }, 'yaml')).toBe('gatekeeper/constrainttemplate-k8spsphostnamespace.yaml');
    expect(objectFilePath('kyverno', { kind: 'PolicyException', metadata: { name: 'storefront', namespace: 'shop' } }, 'json')).toBe('kyverno/policyexception-shop-storefront.json');
  });

  it('cannot be steered out of the target directory by a name', () => {
    expect(objectFilePath('vap', { kind: 'X', metadata: { name: '../../etc/passwd' } }, 'yaml')).toBe('vap/x-__.._etc_passwd.yaml');
  });
});

describe('writeOutputAtomically', () => {
  it('writes every file and an ownership marker per subdirectory, creating missing parents', async () => {
    const out = path.join(dir, 'deep', 'out');
    await writeOutputAtomically(out, files);
    const tree = await snapshotTree(out);
    expect(Object.keys(tree)).toEqual([
      `gatekeeper/${OWNERSHIP_MARKER}`,
      'gatekeeper/constraint-b.yaml',
      'gatekeeper/constrainttemplate-a.yaml',
      `kyverno/${OWNERSHIP_MARKER}`,
      'kyverno/clusterpolicy-c.yaml',
    ]);
    expect(tree['gatekeeper/constraint-b.yaml']).toBe('b: 2\n');
    expect(await fs.readdir(path.join(dir, 'deep'))).toEqual(['out']); // no staging directory left
  });

  it('resolves a relative output directory against cwd', async () => {
    await writeOutputAtomically('out', files.slice(0, 1), { cwd: dir });
    expect(Object.keys(await snapshotTree(path.join(dir, 'out')))).toContain('gatekeeper/constrainttemplate-a.yaml');
  });

  it('replaces its own subdirectories (dropping stale files) and leaves everything else alone', async () => {
    const out = path.join(dir, 'out');
    await writeOutputAtomically(out, files);
    await fs.writeFile(path.join(out, 'README.md'), 'mine\n');
    await writeOutputAtomically(out, [{ path: 'gatekeeper/constraint-new.yaml', contents: 'new\n' }]);
    const tree = await snapshotTree(out);
    expect(Object.keys(tree)).toEqual(['README.md', `gatekeeper/${OWNERSHIP_MARKER}`, 'gatekeeper/constraint-new.yaml', `kyverno/${OWNERSHIP_MARKER}`, 'kyverno/clusterpolicy-c.yaml']);
  });

  it('refuses to replace a subdirectory it did not write, before writing anything', async () => {
    const out = path.join(dir, 'out');
    await fs.mkdir(path.join(out, 'kyverno'), { recursive: true });
    await fs.writeFile(path.join(out, 'kyverno', 'my-policy.yaml'), 'keep\n');
    const error = await writeOutputAtomically(out, files).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toMatch(/refusing to replace .*kyverno: psp-translate did not write it/);
    expect(await snapshotTree(out)).toEqual({ 'kyverno/my-policy.yaml': 'keep\n' });
    expect(await fs.readdir(dir)).toEqual(['out']);
  });

  it('refuses an output path that is a file', async () => {
    const out = path.join(dir, 'out');
    await fs.writeFile(out, 'x');
    await expect(writeOutputAtomically(out, files)).rejects.toThrow(/exists and is not a directory/);
  });

  it('rejects paths that escape the output directory or collide', async () => {
    await expect(writeOutputAtomically(dir, [{ path: '../x.yaml', contents: '' }])).rejects.toThrow(/must be a relative path inside a subdirectory/);
    await expect(writeOutputAtomically(dir, [{ path: 'top.yaml', contents: '' }])).rejects.toThrow(/inside a subdirectory/);
    await expect(writeOutputAtomically(dir, [files[0]!, files[0]!])).rejects.toThrow(/same file/);
  });

  it.each([1, 2, 4, 5])('leaves nothing behind when writing file #%i fails', async (nth) => {
    const out = path.join(dir, 'new', 'out');
    await expect(writeOutputAtomically(out, files, { fs: failingFs('writeFile', nth) })).rejects.toThrow(/ENOSPC/);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it.each([1, 2, 3, 4])('restores the previous output when rename #%i of the swap fails', async (nth) => {
    const out = path.join(dir, 'out');
    await writeOutputAtomically(out, files);
    await fs.writeFile(path.join(out, 'notes.txt'), 'mine\n');
    const before = await snapshotTree(out);
    const next = files.map((file) => ({ ...file, contents: `changed ${file.contents}` }));
    await expect(writeOutputAtomically(out, next, { fs: failingFs('rename', nth) })).rejects.toThrow(/ENOSPC/);
    expect(await snapshotTree(out)).toEqual(before);
    expect(await fs.readdir(dir)).toEqual(['out']);
  });

  it('removes an output directory it created when the swap fails', async () => {
    const out = path.join(dir, 'out');
    await expect(writeOutputAtomically(out, files, { fs: failingFs('rename', 2) })).rejects.toThrow(/ENOSPC/);
    expect(await fs.readdir(dir)).toEqual([]);
  });
});
