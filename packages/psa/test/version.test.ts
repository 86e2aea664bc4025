import { describe, expect, it } from 'vitest';
import { compareLevels, formatLevelVersion, parseLevel, parseLevelVersion, parseVersion } from '@psp-translate/psa';

describe('levels and versions', () => {
  it('parses label values like the admission plugin', () => {
    expect(parseVersion('latest')).toBe('latest');
    expect(parseVersion('v1.0')).toEqual({ major: 1, minor: 0 });
    expect(parseVersion('v1.25')).toEqual({ major: 1, minor: 25 });
    expect(parseVersion('v1.99')).toEqual({ major: 1, minor: 99 });
    for (const bad of ['1.25', 'v1.025', 'v2.0', 'v1.25.0', 'v1', 'Latest', '', ' v1.25']) {
      expect(() => parseVersion(bad), bad).toThrow(/must be "latest" or "v1.x"/);
    }
    expect(parseLevel('baseline')).toBe('baseline');
    expect(() => parseLevel('Restricted')).toThrow(/must be one of privileged, baseline, restricted/);
  });

  it('defaults the version to latest and formats as the plugin does', () => {
    expect(parseLevelVersion('restricted')).toEqual({ level: 'restricted', version: 'latest' });
    expect(formatLevelVersion(parseLevelVersion('baseline', 'v1.23'))).toBe('baseline:v1.23');
    expect(formatLevelVersion(parseLevelVersion('restricted'))).toBe('restricted:latest');
  });

  it('orders levels by strictness', () => {
    expect(compareLevels('privileged', 'baseline')).toBeLessThan(0);
    expect(compareLevels('restricted', 'baseline')).toBeGreaterThan(0);
    expect(compareLevels('baseline', 'baseline')).toBe(0);
  });
});
