import { describe, expect, it } from 'vitest';
import { TARGET_NAMES } from '../src/target-names.js';
import { targets } from '../src/targets.js';

describe('the shipped target registry', () => {
  it('has an entry for every target name and nothing else', () => {
    expect(Object.keys(targets).sort()).toEqual([...TARGET_NAMES].sort());
  });

  it('registers each module under its own name', () => {
    for (const [key, module] of Object.entries(targets)) {
      if (module !== undefined) expect(module.name).toBe(key);
    }
  });
});
