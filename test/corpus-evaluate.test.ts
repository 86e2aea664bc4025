// The reference evaluator must decide every official Pod Security Admission fixture pod against every real
// corpus PSP without throwing, on CREATE and on UPDATE (the pods/ephemeralcontainers path), and its
// patches must reproduce the pod it says PSP admission stored.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { admit, applyJsonPatch, evaluatePolicy, parseInputs, type Pod, type PolicyIR } from '@psp-translate/core';

const corpusDir = fileURLToPath(new URL('../../shared/corpus/', import.meta.url));
const corpusPresent = existsSync(join(corpusDir, 'psp')) && existsSync(join(corpusDir, 'psa-fixtures'));
if (!corpusPresent) console.warn(`corpus-evaluate: SKIPPED, corpus not found at ${corpusDir} (expected ../shared/corpus from the repo root)`);

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return yamlFilesUnder(path);
      return /\.ya?ml$/.test(name) ? [path] : [];
    });
}

describe.skipIf(!corpusPresent)('every corpus PSP x every PSA fixture pod', () => {
  const policies: PolicyIR[] = corpusPresent
    ? readdirSync(join(corpusDir, 'psp'))
        .filter((name) => /\.ya?ml$/.test(name))
        .sort()
        .flatMap((name) => parseInputs([{ path: name, text: readFileSync(join(corpusDir, 'psp', name), 'utf8') }]).policies)
    : [];
  const pods: { file: string; pod: Pod }[] = corpusPresent
    ? yamlFilesUnder(join(corpusDir, 'psa-fixtures')).map((file) => ({ file, pod: parse(readFileSync(file, 'utf8')) as Pod }))
    : [];

  test('evaluates without an exception and with consistent verdicts', () => {
    expect(policies).toHaveLength(48);
    expect(pods.length).toBeGreaterThan(1400);
    const failures: string[] = [];
    let evaluations = 0;
    let admitted = 0;
    for (const { file, pod } of pods) {
      const frozen = JSON.stringify(pod);
      for (const policy of policies) {
        for (const operation of ['CREATE', 'UPDATE'] as const) {
          try {
            const verdict = evaluatePolicy(policy, pod, { operation });
            evaluations++;
            if (verdict.allowed) admitted++;
            if (verdict.allowed !== (verdict.reasons.length === 0)) failures.push(`${file} / ${policy.name} / ${operation}: allowed=${verdict.allowed} with ${verdict.reasons.length} reasons`);
            if (operation === 'CREATE') {
              const patched = applyJsonPatch(structuredClone(pod), verdict.mutations);
              if (JSON.stringify(patched) !== JSON.stringify(verdict.pod)) failures.push(`${file} / ${policy.name}: patch does not reproduce the defaulted pod`);
            }
          } catch (error) {
            failures.push(`${file} / ${policy.name} / ${operation}: threw ${(error as Error).message}`);
          }
        }
      }
      if (JSON.stringify(pod) !== frozen) failures.push(`${file}: the input pod was modified`);
    }
    console.log(`corpus-evaluate: ${evaluations} evaluations (${pods.length} pods x ${policies.length} PSPs x CREATE/UPDATE), ${admitted} admitted`);
    expect(failures.slice(0, 20)).toEqual([]);
    // Sanity: the corpus holds privileged PSPs, so some pods are admitted, and restricted ones, so some are not.
    expect(admitted).toBeGreaterThan(0);
    expect(admitted).toBeLessThan(evaluations);
  });

  test('admit over all 48 PSPs as candidates decides every fixture pod without an exception', () => {
    const failures: string[] = [];
    for (const { file, pod } of pods) {
      try {
        const result = admit(pod, policies);
        if (result.admitted !== (result.policy !== null)) failures.push(`${file}: admitted=${result.admitted} but policy=${result.policy}`);
      } catch (error) {
        failures.push(`${file}: threw ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
