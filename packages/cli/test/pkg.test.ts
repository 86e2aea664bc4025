import { describe, expect, it } from 'vitest';

describe('psp-translate package exports', () => {
  it('exports exactly this API', async () => {
    expect(Object.keys(await import('../src/index.js')).sort()).toEqual([
      'ACTIONS',
      'ACTION_WORDS',
      'CliError',
      'ExitCode',
      'TARGET_NAMES',
      'isTargetName',
      'normaliseAction',
      'parseTargetList',
      'run',
    ]);
  });
});
