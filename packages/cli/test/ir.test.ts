import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exampleCluster, runCli, temporaryDirectory } from './helpers.js';

/** PSP names defined in the example cluster, read straight from the files. */
async function examplePolicyNames(): Promise<string[]> {
  const names: string[] = [];
  for (const file of await readdir(exampleCluster)) {
    if (!file.endsWith('.yaml')) continue;
    const text = await readFile(path.join(exampleCluster, file), 'utf8');
    for (const match of text.matchAll(/^kind: PodSecurityPolicy\nmetadata:\n {2}name: (\S+)$/gm)) names.push(match[1]!);
  }
  return names.sort();
}

interface IrDocument {
  policies: {
    name: string;
    source: { file: string; line: number };
    mutating: boolean;
    controls: Record<string, unknown>;
    access: { scopes: { namespace: string; serviceAccount: string; via: string }[]; unused: boolean; warnings: string[] };
  }[];
  rbacWarnings: string[];
}

describe('psp-translate ir', () => {
  it('prints every PSP of the example cluster as JSON, in name order, with sources relative to cwd', async () => {
    const result = await runCli(['ir', 'examples/cluster/', '--format', 'json']);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as IrDocument;
    const expected = await examplePolicyNames();
    expect(expected).toEqual(['allow-chown', 'baseline', 'chown', 'privileged', 'restricted']);
    expect(document.policies.map((policy) => policy.name)).toEqual(expected);
    const privileged = document.policies.find((policy) => policy.name === 'privileged');
    expect(privileged?.source.file).toBe('examples/cluster/psp-privileged.yaml');
    expect(privileged?.mutating).toBe(false);
    expect(document.policies.find((policy) => policy.name === 'restricted')?.mutating).toBe(true);
  });

  it("shows each PSP's RBAC scopes, and warns on stderr about grants that reach every pod", async () => {
    const result = await runCli(['ir', 'examples/cluster/', '--format', 'json']);
    const document = JSON.parse(result.stdout) as IrDocument;
    const scopes = Object.fromEntries(
      document.policies.map((policy) => [policy.name, policy.access.scopes.filter((scope) => scope.via === 'serviceAccount').map((scope) => `${scope.namespace}/${scope.serviceAccount}`)]),
    );
    expect(scopes).toEqual({
      'allow-chown': ['shop/storefront'],
      chown: ['shop/storefront'],
      baseline: ['batch/*'],
      privileged: ['kube-system/*'],
      restricted: ['*/*'],
    });
    expect(document.policies.every((policy) => !policy.access.unused)).toBe(true);
    expect(document.rbacWarnings).toEqual([]);
    const restricted = document.policies.find((policy) => policy.name === 'restricted');
    expect(restricted?.access.warnings.length).toBeGreaterThan(0);
    for (const warning of restricted?.access.warnings ?? []) expect(result.stderr).toContain(`warning: ${warning}\n`);
  });

  it('prints YAML by default, equal to the JSON', async () => {
    const [yamlResult, jsonResult] = await Promise.all([
      runCli(['ir', 'examples/cluster']),
      runCli(['ir', 'examples/cluster', '--format', 'json']),
    ]);
    expect(yamlResult.code).toBe(0);
    expect(parse(yamlResult.stdout)).toEqual(JSON.parse(jsonResult.stdout));
  });

  it('counts skipped objects in one line, and lists them with --verbose', async () => {
    const quiet = await runCli(['ir', 'examples/cluster/']);
    expect(quiet.stderr).toMatch(/^note: skipped 1 object of kinds psp-translate does not read \(Service\); --verbose lists them$/m);
    expect(quiet.stderr).not.toContain('storefront.yaml');
    const verbose = await runCli(['ir', 'examples/cluster/', '--verbose']);
    expect(verbose.stderr).toMatch(/^note: skipped Service\/storefront \(v1\) at examples\/cluster\/workloads\/storefront\.yaml:\d+$/m);
  });

  it('resolves inputs against the working directory and reads stdin for -', async () => {
    const fromDir = await runCli(['ir', 'psp-privileged.yaml', '--format', 'json'], { cwd: exampleCluster });
    expect(fromDir.code).toBe(0);
    expect((JSON.parse(fromDir.stdout) as IrDocument).policies[0]?.source.file).toBe('psp-privileged.yaml');

    const text = await readFile(path.join(exampleCluster, 'psp-baseline.yaml'), 'utf8');
    const fromStdin = await runCli(['ir', '-', '--format', 'json'], { stdin: text });
    expect(fromStdin.code).toBe(0);
    const policy = (JSON.parse(fromStdin.stdout) as IrDocument).policies[0];
    expect(policy?.name).toBe('baseline');
    expect(policy?.source.file).toBe('<stdin>');
  });

  it('fails with exit 2 when the inputs hold no PodSecurityPolicy', async () => {
    const result = await runCli(['ir', 'examples/cluster/namespaces.yaml']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: examples\/cluster\/namespaces\.yaml: no PodSecurityPolicy found \(read 3 ServiceAccounts, 2 Namespaces\)/m);
  });

  it('reports a missing input as an error, exit 2', async () => {
    const result = await runCli(['ir', 'examples/nope.yaml']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(/^error: examples\/nope\.yaml: no such file or directory$/m);
  });

  it('reports every invalid field with file:line:column, object and field, exit 2', async () => {
    const { dir, remove } = await temporaryDirectory();
    try {
      await writeFile(
        path.join(dir, 'bad.yaml'),
        ['apiVersion: policy/v1beta1', 'kind: PodSecurityPolicy', 'metadata:', '  name: broken', 'spec:', '  privileged: maybe', '  runAsUser: {rule: RunAsAny}', '  seLinux: {rule: RunAsAny}', '  supplementalGroups: {rule: RunAsAny}', '  fsGroup: {rule: RunAsAny}', ''].join('\n'),
      );
      const result = await runCli(['ir', 'bad.yaml'], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^error: bad\.yaml:6:\d+: PodSecurityPolicy\/broken: spec\.privileged: .+$/m);
    } finally {
      await remove();
    }
  });
});
