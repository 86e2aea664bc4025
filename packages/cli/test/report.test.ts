import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TargetModule, TargetRegistry } from '../src/index.js';
import { writeFileAtomically } from '../src/commands/report.js';
import { exampleCluster, runCli, temporaryDirectory } from './helpers.js';

/** A target that reports every control exact and admits every workload. */
const lenient: TargetModule = {
  name: 'gatekeeper',
  translate: (inputs) => ({ objects: [], report: inputs.policies.flatMap((p) => Object.keys(p.controls).map((control) => ({ policy: p.name, control: control as 'privileged', fidelity: 'exact' as const, message: 'exact' }))) }),
  evaluate: () => () => ({ admitted: true, reasons: [] }),
};
const registry: TargetRegistry = { gatekeeper: lenient, kyverno: undefined, psa: undefined, vap: undefined };

describe('psp-translate report', () => {
  it('prints the markdown report with a security regression for a target that admits what PSP rejected', async () => {
    const result = await runCli(['report', exampleCluster, '--workloads', path.join(exampleCluster, 'workloads'), '--target', 'gatekeeper', '--format', 'markdown'], { targets: registry });
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('| gatekeeper | 100% (100/100) |');
    expect(result.stdout).toMatch(/### Security regressions[\s\S]*\*\*gatekeeper\*\* admits Deployment shop\/debug-tools/);
  });

  it('exits 0 when everything is exact and no workload is decided differently', async () => {
    const result = await runCli(['report', exampleCluster, '--target', 'gatekeeper', '--format', 'json'], { targets: registry });
    expect(result.code).toBe(0);
    const model = JSON.parse(result.stdout) as { summary: { targets: { name: string; exactShare: number }[] } };
    expect(model.summary.targets).toEqual([expect.objectContaining({ name: 'gatekeeper', exactShare: 1 })]);
  });

  it('writes --out atomically and leaves no temporary file', async () => {
    const { dir, remove } = await temporaryDirectory();
    try {
      const out = path.join(dir, 'report.html');
      const result = await runCli(['report', exampleCluster, '--target', 'psa', '--format', 'html', '--out', out]);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`wrote the html report to ${out}`);
      const html = await readFile(out, 'utf8');
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).toContain('data-target="psa"');
      expect(await readdir(dir)).toEqual(['report.html']);
    } finally {
      await remove();
    }
  });

  it('keeps the old file when the write fails, and says what to do', async () => {
    const { dir, remove } = await temporaryDirectory();
    try {
      const out = path.join(dir, 'report.txt');
      await writeFile(out, 'old');
      await expect(writeFileAtomically(path.join(dir, 'missing', 'report.txt'), 'new')).rejects.toThrow(/directory exists/);
      expect(await readFile(out, 'utf8')).toBe('old');
      expect(await readdir(dir)).toEqual(['report.txt']);
    } finally {
      await remove();
    }
  });

  it('exits 2 on bad input and on an unknown target', async () => {
    const noPsp = await runCli(['report', path.join(exampleCluster, 'workloads')]);
    expect(noPsp.code).toBe(2);
    expect(noPsp.stderr).toMatch(/error:.*PodSecurityPolic/);
    const unknown = await runCli(['report', exampleCluster, '--target', 'opa']);
    expect(unknown.code).toBe(2);
  });
});
