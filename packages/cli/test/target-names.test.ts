import { describe, expect, it } from 'vitest';
import { parseTargetList, TARGET_NAMES } from '../src/target-names.js';

describe('parseTargetList', () => {
  it('expands all to every target in canonical order', () => {
    expect(parseTargetList('all')).toEqual({ names: [...TARGET_NAMES], all: true });
    expect(TARGET_NAMES).toEqual(['gatekeeper', 'kyverno', 'psa', 'vap']);
  });

  it('keeps the given order, drops duplicates, ignores case and blanks', () => {
    expect(parseTargetList('vap, Gatekeeper,vap,,')).toEqual({ names: ['vap', 'gatekeeper'], all: false });
  });

  it.each([
    ['opa', /unknown target "opa"; valid targets: gatekeeper, kyverno, psa, vap/],
    ['opa,kubewarden,psa', /unknown targets "opa", "kubewarden"/],
    ['', /no target given/],
    [' , ', /no target given/],
    ['all,vap', /"all" cannot be combined/],
  ])('rejects %j', (value, message) => {
    expect(() => parseTargetList(value)).toThrow(message);
  });
});
