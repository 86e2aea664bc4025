import { describe, expect, it } from 'vitest';
import { CONTROL_KINDS } from '@psp-translate/core';
import { perControlTemplate, policySetTemplate } from '../src/templates.js';

/** Every object and array reachable from `value`, including itself. */
function objectsIn(value: unknown, out: object[] = []): object[] {
  if (typeof value !== 'object' || value === null) return out;
  out.push(value);
  for (const member of Object.values(value)) objectsIn(member, out);
  return out;
}

describe('static templates', () => {
  it('are built once and shared deep-frozen, so no caller can change a later translation', () => {
    for (const kind of CONTROL_KINDS) {
      const template = perControlTemplate(kind);
      expect(perControlTemplate(kind)).toBe(template);
      const objects = objectsIn(template);
      expect(objects.length).toBeGreaterThan(10);
      expect(objects.filter((o) => !Object.isFrozen(o))).toEqual([]);
    }
    const set = policySetTemplate();
    expect(policySetTemplate()).toBe(set);
    expect(objectsIn(set).filter((o) => !Object.isFrozen(o))).toEqual([]);
    expect(() => {
      (set.metadata as { name: string }).name = 'changed';
    }).toThrow(TypeError);
    expect(policySetTemplate().metadata.name).not.toBe('changed');
  });
});
