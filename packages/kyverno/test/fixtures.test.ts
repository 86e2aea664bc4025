/**
 * Golden fixtures: `fixtures/<case>/input.yaml` (a PSP, every pod may use it) and the expected
 * Kyverno output `kyverno.yaml` beside it, with the fidelity report as a comment on top. The case
 * name's prefix picks the style (`pattern-`, `podsecurity-`, else `cel`). A missing expected file is
 * written on first run, for review; every emitted object is also checked against the CRD schemas.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadInputs } from '@psp-translate/core';
import { describe, expect, it } from 'vitest';
import yaml from 'yaml';
import { translateKyverno, type KyvernoStyle } from '../src/index.js';
import { everyone } from './support/policies.js';
import { schemaErrors } from './support/schemas.js';

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const cases = readdirSync(FIXTURES).filter((c) => !c.startsWith('_')).sort();

function styleOf(name: string): KyvernoStyle {
  return name.startsWith('pattern-') ? 'pattern' : name.startsWith('podsecurity-') ? 'podsecurity' : 'cel';
}

describe('golden fixtures', () => {
  it.each(cases)('%s', async (name) => {
    const inputs = await loadInputs([`${FIXTURES}/${name}/input.yaml`]);
    const result = translateKyverno({ policies: inputs.policies, scopeGroups: everyone(...inputs.policies), options: { api: 'kyverno.io/v1', style: styleOf(name) } });
    expect(result.objects.flatMap(schemaErrors)).toEqual([]);
    const report = result.report.map((r) => `# ${r.fidelity}${r.control === null ? '' : ` ${r.control}`}: ${r.message}`).join('\n');
    const text = `${report}\n${result.objects.map((o) => yaml.stringify(o, { lineWidth: 0 })).join('---\n')}`;
    const expectedFile = `${FIXTURES}/${name}/kyverno.yaml`;
    if (!existsSync(expectedFile)) {
      writeFileSync(expectedFile, text);
      console.warn(`wrote ${expectedFile}: review it`);
    }
    expect(text).toBe(readFileSync(expectedFile, 'utf8'));
  });
});
