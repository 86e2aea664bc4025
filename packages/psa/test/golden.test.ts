/**
 * Golden fixtures: `fixtures/<case>/input.yaml` (or `inputs.txt`, paths relative to the repository
 * root, one a line) -> `fixtures/<case>/psa.yaml`, the Namespace manifests with the report as a
 * comment block above them. A missing `psa.yaml` is written on the first run for review; after
 * that any difference fails.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadInputs, parseInputs, type InputSet } from '@psp-translate/core';
import { translatePsa } from '@psp-translate/psa';

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const cases = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
  .map((d) => d.name)
  .sort();

async function inputOf(dir: string): Promise<InputSet> {
  const list = join(dir, 'inputs.txt');
  if (existsSync(list)) {
    const paths = readFileSync(list, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    return loadInputs(paths.map((p) => join(REPO, p)));
  }
  return parseInputs([{ path: 'input.yaml', text: readFileSync(join(dir, 'input.yaml'), 'utf8') }]);
}

/** What a reviewer reads: the report, then the objects exactly as the CLI serialises them. */
function render(result: ReturnType<typeof translatePsa>): string {
  const report = result.report.map((r) => `# ${r.fidelity}${r.policy ? ` ${r.policy}` : ''}${r.control ? ` ${r.control}` : ''}: ${r.message}`.replaceAll(REPO, '<repo>/'));
  const objects = result.objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
  return `${report.join('\n')}\n${objects}`;
}

describe('golden fixtures', () => {
  it.each(cases)('%s', async (name) => {
    const dir = join(FIXTURES, name);
    const result = translatePsa(await inputOf(dir), { kubeVersion: '1.37' });
    const actual = render(result);
    const expectedPath = join(dir, 'psa.yaml');
    if (!existsSync(expectedPath)) {
      writeFileSync(expectedPath, actual);
      console.warn(`${expectedPath} written: review it and commit it.`);
    }
    expect(actual).toBe(readFileSync(expectedPath, 'utf8'));
    // Emitting twice gives the same bytes.
    expect(render(translatePsa(await inputOf(dir), { kubeVersion: '1.37' }))).toBe(actual);
  });
});
