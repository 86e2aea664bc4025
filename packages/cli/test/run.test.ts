import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

describe('psp-translate --version and --help', () => {
  it('prints the package version and exits 0', async () => {
    for (const flag of ['--version', '-V']) {
      const result = await runCli([flag]);
      expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('prints help listing every command, exit codes and examples, on stdout with exit 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Usage: psp-translate /);
    expect(result.stdout).toMatch(/^\s+ir \[options\] <inputs\.\.\.>/m);
    expect(result.stdout).toMatch(/^\s+translate \[options\] <inputs\.\.\.>/m);
    expect(result.stdout).toContain('Exit codes: 0 ok; 1 findings: check/evaluate: a workload rejected;');
    expect(result.stdout).toContain('translate: only with --strict');
    expect(result.stdout).not.toContain('1 findings (e.g. a control a target cannot express exactly)');
    expect(result.stdout).toContain('psp-translate ir examples/cluster/');
  });

  it.each([
    [['ir', '--help'], ['--format <format>', '--namespace <namespace>', '--verbose', 'psp-translate ir psp.yaml rbac.yaml --format json']],
    [['help', 'ir'], ['--format <format>', 'psp-translate ir examples/cluster/']],
    [
      ['translate', '--help'],
      ['--target <targets>', 'gatekeeper, kyverno, psa, vap', '--action <action>', 'dryrun, Audit, Warn, Deny, Enforce', '--out-dir <dir>', '--target kyverno --action audit'],
    ],
  ])('%j shows the command help with examples', async (argv, expected) => {
    const result = await runCli(argv);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    for (const text of expected) expect(result.stdout).toContain(text);
  });
});

describe('usage errors exit 2 with a message on stderr and nothing on stdout', () => {
  it.each([
    [[], /Usage: psp-translate/],
    [['frobnicate'], /error: unknown command 'frobnicate'/],
    [['ir'], /error: missing required argument 'inputs'/],
    [['translate', 'x.yaml', '--bogus'], /error: unknown option '--bogus'/],
    [['ir', 'x.yaml', '--format', 'toml'], /error: option '-f, --format <format>' argument 'toml' is invalid\. Allowed choices are yaml, json/],
    [['translate', 'x.yaml', '--target', 'gatekeeper,opa'], /unknown target "opa"; valid targets: gatekeeper, kyverno, psa, vap \(comma-separated\) or all/],
    [['translate', 'x.yaml', '--target', 'all,psa'], /"all" cannot be combined with other targets/],
    [['translate', 'x.yaml', '--action', 'block'], /unknown action "block"; use audit, warn or deny/],
    [['ir', 'x.yaml', '--max-input-mib', '0'], /expected a positive number of MiB, got "0"/],
  ])('%j', async (argv, message) => {
    const result = await runCli(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });
});
