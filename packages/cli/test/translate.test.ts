import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { TargetModule, TargetRegistry, TranslateOptions } from '../src/targets.js';
import { OWNERSHIP_MARKER } from '../src/write-output.js';
import { exampleCluster, runCli, snapshotTree, temporaryDirectory } from './helpers.js';

const none: TargetRegistry = { gatekeeper: undefined, kyverno: undefined, psa: undefined, vap: undefined };

/** A stand-in target: one object per PSP recording what the CLI passed in, and a report line per policy. */
function recordingTarget(name: 'gatekeeper' | 'vap', seen: TranslateOptions[] = [], fidelity: 'exact' | 'approximate' = 'exact'): TargetModule {
  return {
    name,
    translate(inputs, options) {
      seen.push(options);
      return {
        objects: inputs.policies.map((policy) => ({
          spec: { action: name === 'gatekeeper' ? options.actions.gatekeeper : options.actions.vap, rule: 'line one\nline two\n' },
          metadata: { name: `psp-${policy.name}` },
          kind: name === 'gatekeeper' ? 'K8sPspStandIn' : 'ValidatingAdmissionPolicy',
          apiVersion: 'example.psp-translate.dev/v1',
        })),
        report: inputs.policies.map((policy) => ({ policy: policy.name, control: 'privileged' as const, fidelity, message: `checked ${policy.name}`, source: policy.source })),
      };
    },
  };
}

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await temporaryDirectory()));
afterEach(async () => remove());

describe('psp-translate translate without implemented targets', () => {
  it('says each requested target is not implemented yet, exits 2 and writes nothing', async () => {
    const out = path.join(dir, 'out');
    const result = await runCli(['translate', exampleCluster, '--out-dir', out], { targets: none });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    for (const target of ['gatekeeper', 'kyverno', 'psa', 'vap']) {
      expect(result.stderr).toContain(`error: target "${target}" is not implemented yet in this version\n`);
    }
    expect(await snapshotTree(dir)).toEqual({});
  });

  it('names only the requested target', async () => {
    const result = await runCli(['translate', 'examples/cluster', '--target', 'kyverno'], { targets: none });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: target "kyverno" is not implemented yet in this version$/m);
    expect(result.stderr).not.toContain('gatekeeper');
  });
});

describe('psp-translate translate with targets', () => {
  const registry: TargetRegistry = { ...none, gatekeeper: recordingTarget('gatekeeper'), vap: recordingTarget('vap') };

  it('writes a multi-document YAML stream to stdout, apiVersion/kind/metadata first, exit 0', async () => {
    const result = await runCli(['translate', 'examples/cluster', '--target', 'vap,gatekeeper', '--action', 'Warn'], { targets: registry });
    expect(result.code).toBe(0);
    const documents = parseAllDocuments(result.stdout).map((document) => document.toJS() as { kind: string; metadata: { name: string }; spec: { action: unknown } });
    expect(documents.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      ...['allow-chown', 'baseline', 'chown', 'privileged', 'restricted'].map((name) => `ValidatingAdmissionPolicy/psp-${name}`),
      ...['allow-chown', 'baseline', 'chown', 'privileged', 'restricted'].map((name) => `K8sPspStandIn/psp-${name}`),
    ]);
    expect(documents[0]?.spec.action).toEqual(['Warn']);
    expect(documents[5]?.spec.action).toBe('warn');
    expect(result.stdout).toMatch(/^---\napiVersion: example\.psp-translate\.dev\/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n/);
    expect(result.stdout).toContain('rule: |\n    line one\n    line two\n');
  });

  it('writes a JSON List with --format json', async () => {
    const result = await runCli(['translate', 'examples/cluster', '--target', 'gatekeeper', '--format', 'json'], { targets: registry });
    expect(result.code).toBe(0);
    const list = JSON.parse(result.stdout) as { kind: string; items: unknown[] };
    expect(list.kind).toBe('List');
    expect(list.items).toHaveLength(5);
  });

  it('translates the implemented targets for all, saying which are skipped', async () => {
    const result = await runCli(['translate', 'examples/cluster'], { targets: registry });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('note: not translating to kyverno, psa: not implemented yet in this version\n');
    expect(parseAllDocuments(result.stdout)).toHaveLength(10);
  });

  it('fails for an explicitly requested target that does not exist, naming the ones that do', async () => {
    const result = await runCli(['translate', 'examples/cluster', '--target', 'gatekeeper,psa'], { targets: registry });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('note: skipped 1 object of kinds psp-translate does not read (Service); --verbose lists them\nerror: target "psa" is not implemented yet in this version\nerror: implemented targets: gatekeeper, vap\n');
  });

  it("passes the normalised action to every target (default: each engine's own, observing first) and prints action notes", async () => {
    const seen: TranslateOptions[] = [];
    const targets = { ...none, gatekeeper: recordingTarget('gatekeeper', seen) };
    const defaulted = await runCli(['translate', 'examples/cluster'], { targets });
    await runCli(['translate', 'examples/cluster', '--action', 'deny'], { targets });
    expect(seen.map((options) => options.actions.gatekeeper)).toEqual(['dryrun', 'deny']);
    expect(seen[0]?.actions).toMatchObject({ action: 'default', kyverno: 'Audit', vap: ['Audit', 'Warn'], psa: 'enforce' });
    expect(defaulted.stderr).toContain('note: no --action given, so each target observes before it blocks: gatekeeper dryrun. Pass --action deny to enforce.\n');

    // --action warn: ClusterPolicies get emitWarning, so violations do reach the user; stderr says so once, and nothing denies it.
    const result = await runCli(['translate', 'examples/cluster', '--target', 'kyverno', '--action', 'warn']);
    expect(result.stdout).toContain('emitWarning: true');
    expect(result.stderr.match(/no warn-only action/g)).toHaveLength(1);
    expect(result.stderr).toMatch(/emitWarning true \(violations go to PolicyReports and come back to the client as API warnings/);
    expect(result.stderr).not.toContain('sees no warning');
  });

  it('writes one file per object under --out-dir/<target>/ and reports what it wrote', async () => {
    const result = await runCli(['translate', 'examples/cluster', '--out-dir', path.join(dir, 'policies')], { targets: registry });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    const tree = await snapshotTree(path.join(dir, 'policies'));
    expect(Object.keys(tree)).toContain('gatekeeper/k8spspstandin-psp-restricted.yaml');
    expect(Object.keys(tree)).toContain('vap/validatingadmissionpolicy-psp-allow-chown.yaml');
    expect(Object.keys(tree)).toContain(`vap/${OWNERSHIP_MARKER}`);
    expect(Object.keys(tree)).toHaveLength(12);
    expect(tree['gatekeeper/k8spspstandin-psp-restricted.yaml']).toMatch(/^apiVersion: .*\nkind: K8sPspStandIn\nmetadata:\n {2}name: psp-restricted\n/);
    expect(result.stderr).toMatch(/note: wrote 10 files to .*policies: 5 in gatekeeper\/, 5 in vap\//);
  });

  it('prints the entries when a target reports approximate translations, and exits 1 for them only with --strict', async () => {
    const targets = { ...none, gatekeeper: recordingTarget('gatekeeper', [], 'approximate') };
    const lenient = await runCli(['translate', 'examples/cluster'], { targets });
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/^note: 5 approximate and 0 unsupported entries above: read them before applying \(--strict makes this exit 1\)$/m);
    const result = await runCli(['translate', 'examples/cluster', '--strict'], { targets });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^gatekeeper: approximate: restricted\/privileged: checked restricted \(examples\/cluster\/psp-restricted\.yaml:\d+\)$/m);
  });

  it('prints exact entries only with --verbose', async () => {
    const quiet = await runCli(['translate', 'examples/cluster', '--target', 'gatekeeper'], { targets: registry });
    expect(quiet.stderr).not.toContain('exact');
    const verbose = await runCli(['translate', 'examples/cluster', '--target', 'gatekeeper', '--verbose'], { targets: registry });
    expect(verbose.stderr).toContain('gatekeeper: exact: baseline/privileged: checked baseline');
  });
});

describe('psp-translate translate on bad input', () => {
  it('prints file:line errors, exits 2 and leaves the output directory untouched', async () => {
    const input = path.join(dir, 'input');
    const out = path.join(dir, 'out');
    await mkdir(path.join(out, 'gatekeeper'), { recursive: true });
    await writeFile(path.join(out, 'gatekeeper', OWNERSHIP_MARKER), '{}\n');
    await writeFile(path.join(out, 'gatekeeper', 'old.yaml'), 'old\n');
    await mkdir(input);
    const psp = await readFile(path.join(exampleCluster, 'psp-restricted.yaml'), 'utf8');
    await writeFile(path.join(input, 'psp.yaml'), psp.replace('hostPID: false', 'hostPID: sometimes'));
    const before = await snapshotTree(out);

    const result = await runCli(['translate', 'input', '--out-dir', 'out'], { cwd: dir, targets: { ...none, gatekeeper: recordingTarget('gatekeeper') } });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: input\/psp\.yaml:\d+:\d+: PodSecurityPolicy\/restricted: spec\.hostPID: /m);
    expect(await snapshotTree(out)).toEqual(before);
  });

  it('refuses an output directory it did not write, exit 2, nothing changed', async () => {
    await mkdir(path.join(dir, 'out', 'gatekeeper'), { recursive: true });
    await writeFile(path.join(dir, 'out', 'gatekeeper', 'mine.yaml'), 'mine\n');
    const result = await runCli(['translate', exampleCluster, '--out-dir', 'out', '--target', 'gatekeeper'], { cwd: dir, targets: { ...none, gatekeeper: recordingTarget('gatekeeper') } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: refusing to replace out\/gatekeeper: psp-translate did not write it/m);
    expect(await snapshotTree(path.join(dir, 'out'))).toEqual({ 'gatekeeper/mine.yaml': 'mine\n' });
  });
});

describe('internal errors', () => {
  const broken: TargetRegistry = {
    ...none,
    gatekeeper: {
      name: 'gatekeeper',
      translate: () => {
        throw new TypeError('Cannot read properties of undefined (reading \'ranges\')');
      },
    },
  };

  it('print one line asking for a report, exit 2, no stack trace', async () => {
    const result = await runCli(['translate', 'examples/cluster', '--target', 'gatekeeper'], { targets: broken });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n').filter((line) => !line.startsWith('note:') && !line.startsWith('warning:'));
    expect(lines).toEqual([expect.stringMatching(/^error: internal error in psp-translate \S+: Cannot read properties of undefined \(reading 'ranges'\) \(please report this, .*--debug for a stack trace\)$/)]);
  });

  it('print the stack trace with --debug', async () => {
    const result = await runCli(['--debug', 'translate', 'examples/cluster', '--target', 'gatekeeper'], { targets: broken });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^TypeError: Cannot read properties.*\n\s+at /m);
  });

  it('reject objects a target produced without a name before writing anything', async () => {
    const nameless: TargetRegistry = { ...none, vap: { name: 'vap', translate: () => ({ objects: [{ apiVersion: 'v1', kind: 'X', metadata: { name: '' } }], report: [] }) } };
    const result = await runCli(['translate', 'examples/cluster', '--out-dir', path.join(dir, 'out')], { targets: nameless });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/internal error .*target vap produced an object without apiVersion, kind or metadata\.name/);
    expect(await snapshotTree(dir)).toEqual({});
  });
});

describe('RBAC warnings', () => {
  it('prints the warnings ir prints, as warning: lines on stderr, once each', async () => {
    const none: TargetRegistry = { gatekeeper: undefined, kyverno: undefined, psa: undefined, vap: undefined };
    const psa: TargetModule = { name: 'psa', translate: () => ({ objects: [], report: [] }) };
    const translated = await runCli(['translate', 'examples/cluster', '--target', 'psa'], { targets: { ...none, psa } });
    const ir = await runCli(['ir', 'examples/cluster']);
    const warningsOf = (stderr: string): string[] => stderr.split('\n').filter((line) => line.startsWith('warning: '));
    expect(translated.code).toBe(0);
    expect(warningsOf(translated.stderr)).toContain(
      'warning: PodSecurityPolicy restricted is granted to Group system:serviceaccounts by ClusterRoleBinding/psp:restricted:all-service-accounts (examples/cluster/psp-restricted.yaml:63) -> ClusterRole/psp:restricted (examples/cluster/psp-restricted.yaml:53): every pod (every service account) in every namespace may use it.',
    );
    expect(warningsOf(translated.stderr)).toEqual([...new Set(warningsOf(ir.stderr))]);
  });
});
