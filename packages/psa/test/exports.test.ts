import { expect, it } from 'vitest';

it('exports exactly the public API', async () => {
  expect(Object.keys(await import('@psp-translate/psa')).sort()).toEqual([
    'LATEST_VERSION',
    'LEVELS',
    'checks',
    'checksFor',
    'compareLevels',
    'effectiveMinor',
    'evaluatePod',
    'evaluatePodSpec',
    'formatLevelVersion',
    'formatVersion',
    'isLevel',
    'parseLevel',
    'parseLevelVersion',
    'parseVersion',
  ]);
});
