/**
 * The fidelity report contract every target keeps (core's `FidelityEntry`), which the migration
 * report's matrix relies on: for every PSP, an entry about the validation of EVERY control and one
 * about EVERY default, each entry about a control saying which of the two it is about, and a
 * message on every entry. Checked on the example cluster (with and without mutations, both Kyverno
 * APIs) and on every corpus PSP granted to every service account.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONTROL_KINDS, loadInputs, parseInputs, policyControlExpressions, type EngineActions, type InputSet, type TargetModule, type TranslateOptions, type TranslationResult } from '@psp-translate/core';
import { gatekeeperTarget } from '@psp-translate/gatekeeper';
import { kyvernoTarget } from '@psp-translate/kyverno';
import { psaTarget } from '@psp-translate/psa';
import { vapTarget } from '@psp-translate/vap';

const TARGETS: readonly TargetModule[] = [gatekeeperTarget, kyvernoTarget, psaTarget, vapTarget];
/** vap estimates the CEL cost of every expression (~0.6 s per corpus file): it runs on a sample covering every control. */
const CORPUS_SAMPLE_SIZE = 12;
const ACTIONS: EngineActions = { action: 'default', gatekeeper: 'dryrun', kyverno: 'Audit', vap: ['Audit', 'Warn'], psa: 'enforce', notes: {} };

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const corpusPsps = join(repoRoot, '..', 'shared', 'corpus', 'psp');
const corpusPresent = existsSync(corpusPsps);
if (!corpusPresent) console.warn(`fidelity-coverage: corpus part SKIPPED, corpus not found at ${corpusPsps} (expected ../shared/corpus from the repo root)`);

/** What breaks the contract, one line each; empty when the report keeps it. */
function contractGaps(inputs: InputSet, { report }: TranslationResult): string[] {
  const gaps: string[] = [];
  for (const entry of report) {
    const subject = `${entry.policy ?? '(all)'}/${entry.control ?? '-'}`;
    if (entry.message.trim() === '') gaps.push(`${subject}: ${entry.fidelity} entry without a message`);
    if (entry.control !== null && entry.aspect === undefined) gaps.push(`${subject}: no aspect: ${entry.message}`);
    if (entry.control === null && entry.aspect !== undefined) gaps.push(`${subject}: aspect without a control: ${entry.message}`);
  }
  for (const policy of inputs.policies) {
    for (const control of CONTROL_KINDS) {
      const mine = report.filter((e) => e.policy === policy.name && e.control === control);
      if (!mine.some((e) => e.aspect === 'validation')) gaps.push(`${policy.name}/${control}: no validation entry`);
      const hasDefault = policy.controls[control].defaults !== null;
      if (hasDefault && !mine.some((e) => e.aspect === 'default')) gaps.push(`${policy.name}/${control}: no entry for its default`);
      if (!hasDefault && mine.some((e) => e.aspect === 'default')) gaps.push(`${policy.name}/${control}: a default entry, but the PSP has no default there`);
    }
  }
  return gaps;
}

async function gapsOf(target: TargetModule, inputs: InputSet, options: Partial<TranslateOptions> = {}): Promise<string[]> {
  return contractGaps(inputs, await target.translate(inputs, { actions: ACTIONS, ...options }));
}

describe('every target reports every control and every default', () => {
  const cluster = loadInputs([join(repoRoot, 'examples', 'cluster')]);

  for (const target of TARGETS) {
    it(`${target.name}: the example cluster, with mutations and with --no-mutate`, async () => {
      const inputs = await cluster;
      expect(await gapsOf(target, inputs)).toEqual([]);
      expect(await gapsOf(target, inputs, { mutate: false })).toEqual([]);
    });
  }

  it('kyverno: the policies.kyverno.io/v1 API and the pattern style', async () => {
    const inputs = await cluster;
    expect(await gapsOf(kyvernoTarget, inputs, { kyverno: { api: 'policies.kyverno.io/v1' } })).toEqual([]);
    expect(await gapsOf(kyvernoTarget, inputs, { kyverno: { style: 'pattern' } })).toEqual([]);
  });

  it('vap: without MutatingAdmissionPolicy (--kube-version 1.33) every default is reported lost', async () => {
    const inputs = await cluster;
    const result = await vapTarget.translate(inputs, { actions: ACTIONS, kubeVersion: '1.33' });
    expect(contractGaps(inputs, result)).toEqual([]);
    const defaults = result.report.filter((e) => e.aspect === 'default');
    expect(defaults.length).toBeGreaterThan(0);
    expect(defaults.filter((e) => e.fidelity !== 'approximate' && e.fidelity !== 'unsupported')).toEqual([]);
  });

  it('gatekeeper: policy-set mode', async () => {
    expect(await gapsOf(gatekeeperTarget, await cluster, { gatekeeper: { mode: 'policy-set' } })).toEqual([]);
  });
});

describe.skipIf(!corpusPresent)('every corpus PSP, granted to every service account', () => {
  const files = corpusPresent ? readdirSync(corpusPsps).filter((name) => /\.ya?ml$/.test(name)).sort() : [];
  const grant = (names: readonly string[]) => `
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: use-every-psp }
rules: [{ apiGroups: [policy], resources: [podsecuritypolicies], verbs: [use], resourceNames: ${JSON.stringify(names)} }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: every-service-account }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: use-every-psp }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: Group, name: 'system:serviceaccounts' }]
`;

  /**
   * Files picked greedily so that, together, they restrict and default every control any corpus
   * file restricts or defaults (what vap's report has most to say about).
   */
  function coveringSample(size: number): string[] {
    const features = new Map(
      files.map((file) => {
        const policies = parseInputs([{ path: file, text: readFileSync(join(corpusPsps, file), 'utf8') }]).policies;
        const found = new Set<string>();
        for (const policy of policies) {
          for (const c of policyControlExpressions(policy, { object: 'object' })) found.add(`checks ${c.kind}`);
          for (const control of CONTROL_KINDS) if (policy.controls[control].defaults !== null) found.add(`defaults ${control}`);
        }
        return [file, found] as const;
      }),
    );
    const wanted = new Set([...features.values()].flatMap((f) => [...f]));
    const sample: string[] = [];
    while (sample.length < size && wanted.size > 0) {
      const best = files.filter((f) => !sample.includes(f)).reduce((a, b) => ([...features.get(b)!].filter((x) => wanted.has(x)).length > [...features.get(a)!].filter((x) => wanted.has(x)).length ? b : a));
      sample.push(best);
      for (const feature of features.get(best)!) wanted.delete(feature);
    }
    expect([...wanted], `corpus features the ${size}-file sample misses`).toEqual([]);
    // Fill up to size with the first files not yet taken, so the sample keeps its size as the corpus grows.
    for (const file of files) if (sample.length < size && !sample.includes(file)) sample.push(file);
    return sample.sort();
  }

  for (const target of TARGETS) {
    it(`${target.name}: one cluster per corpus file${target.name === 'vap' ? ` (a ${CORPUS_SAMPLE_SIZE}-file sample covering every control)` : ''}`, async () => {
      expect(files.length).toBeGreaterThan(0);
      const gaps: string[] = [];
      for (const file of target.name === 'vap' ? coveringSample(CORPUS_SAMPLE_SIZE) : files) {
        const text = readFileSync(join(corpusPsps, file), 'utf8');
        const names = parseInputs([{ path: file, text }]).policies.map((p) => p.name);
        const inputs = parseInputs([{ path: file, text: `${text}${grant(names)}` }]);
        gaps.push(...(await gapsOf(target, inputs)).map((gap) => `${file}: ${gap}`));
      }
      expect(gaps).toEqual([]);
    });
  }
});
