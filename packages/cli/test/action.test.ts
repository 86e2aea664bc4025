import { describe, expect, it } from 'vitest';
import { ACTION_WORDS, normaliseAction } from '../src/action.js';

describe('normaliseAction', () => {
  it.each([
    ['audit', 'audit', 'dryrun', 'Audit', ['Audit'], 'audit'],
    ['warn', 'warn', 'warn', 'Audit', ['Warn'], 'warn'],
    ['deny', 'deny', 'deny', 'Enforce', ['Deny'], 'enforce'],
  ] as const)('maps %s to each engine word', (word, action, gatekeeper, kyverno, vap, psa) => {
    expect(normaliseAction(word)).toMatchObject({ action, gatekeeper, kyverno, vap, psa });
  });

  it.each([
    ['dryrun', 'audit'],
    ['Audit', 'audit'],
    ['Warn', 'warn'],
    ['Deny', 'deny'],
    ['Enforce', 'deny'],
    ['enforce', 'deny'],
    ['DENY', 'deny'],
    [' audit ', 'audit'],
  ] as const)('accepts the engine word %j as %s', (word, action) => {
    expect(normaliseAction(word).action).toBe(action);
  });

  it('accepts every word it advertises', () => {
    for (const word of ACTION_WORDS) expect(() => normaliseAction(word)).not.toThrow();
  });

  it('leaves explaining Kyverno warn to the Kyverno target (no CLI note to contradict it)', () => {
    expect(normaliseAction('warn').notes).toEqual({});
    expect(normaliseAction('audit').notes).toEqual({});
    expect(normaliseAction('deny').notes).toEqual({});
  });

  it.each(['', 'block', 'scoped', 'toString', '__proto__', 'dry-run'])('rejects %j listing the accepted words', (word) => {
    expect(() => normaliseAction(word)).toThrow(/use audit, warn or deny \(engine words accepted too: dryrun, Audit, Warn, Deny, Enforce\)/);
  });
});
