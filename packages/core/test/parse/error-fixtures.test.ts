// Bad input, one fixture folder per class of mistake: `_error_/<case>/input.yaml` must be refused
// with exactly the messages in `error.txt` (written on first run, then reviewed and committed).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { InputError, type ParseOptions, parseInputs, requirePolicies } from '@psp-translate/core';

const fixturesDir = fileURLToPath(new URL('../fixtures/_error_/', import.meta.url));
const cases = readdirSync(fixturesDir).sort();

/** Runs the parser as the CLI does for a translating command; returns the error text. */
function refusal(caseDir: string): string {
  const optionsPath = `${caseDir}/options.json`;
  const options = existsSync(optionsPath) ? (JSON.parse(readFileSync(optionsPath, 'utf8')) as ParseOptions) : {};
  try {
    const set = parseInputs([{ path: 'input.yaml', text: readFileSync(`${caseDir}/input.yaml`, 'utf8') }], options);
    requirePolicies(set, 'input.yaml');
  } catch (error) {
    if (error instanceof InputError) return `${error.message}\n`;
    throw error;
  }
  throw new Error(`${caseDir}/input.yaml was accepted; every _error_ fixture must be refused`);
}

describe('error fixtures', () => {
  test('there is one fixture per class of bad input', () => {
    expect(cases).toEqual(
      expect.arrayContaining([
        'malformed-yaml', 'wrong-type', 'unknown-field', 'invalid-enum', 'range-min-gt-max',
        'duplicate-psp', 'alias-bomb', 'oversized', 'no-psp', 'not-a-mapping', 'deep-nesting', 'unknown-api-version',
      ]),
    );
  });

  test.each(cases)('%s', (name) => {
    const caseDir = fixturesDir + name;
    const actual = refusal(caseDir);
    const expectedPath = `${caseDir}/error.txt`;
    if (!existsSync(expectedPath)) {
      writeFileSync(expectedPath, actual);
      console.warn(`error fixture ${name}: wrote error.txt, review it before committing`);
    }
    expect(actual).toBe(readFileSync(expectedPath, 'utf8'));
  });
});
