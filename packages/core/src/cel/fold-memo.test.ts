/**
 * Folding memoises by node and by the values of the params and variables: a result must depend on
 * those values only, never on which object held them or on what was folded before.
 */
import { describe, expect, test } from 'vitest';
import { and, every, get, isIn, letIn, lit, not, or, param, v, type Expr } from './ast.js';
import { CONTROL_KINDS } from '../ir/ir.js';
import { controlCondition } from './control-cel.js';
import { fold } from './fold.js';

const caps = get(v('container'), ['securityContext', 'capabilities', 'add'], []);
/** Every added capability is allowed, unless the params allow any. */
const allowed: Expr = or(param('any'), every('cap', caps, isIn(v('cap'), param('allowed'))));
const check: Expr = every('container', get(v('object'), ['spec', 'containers'], []), allowed);

describe('fold memoisation', () => {
  test('equal params in different objects give equal results; different params give their own', () => {
    const first = fold(check, { params: { any: false, allowed: ['NET_ADMIN'] } });
    expect(fold(check, { params: { any: false, allowed: ['NET_ADMIN'] } })).toBe(first);
    expect(fold(check, { params: { any: true, allowed: ['NET_ADMIN'] } })).toEqual(lit(true));
    const other = fold(check, { params: { any: false, allowed: ['SYS_TIME'] } });
    expect(other).not.toEqual(first);
    expect(JSON.stringify(other)).toContain('SYS_TIME');
    expect(JSON.stringify(first)).toContain('NET_ADMIN');
  });

  test('values that print alike but differ (-0 and 0, "1" and 1, key order) are told apart', () => {
    const oneOf = and(not(param('any')), isIn(get(v('object'), ['x'], null), param('allowed')));
    const p = (value: string | number) => fold(oneOf, { params: { any: false, allowed: [value] } });
    expect(p('1')).not.toEqual(p(1));
    const membership = isIn(v('object'), param('l')); // one node, so the second fold may find the first
    const single = (value: number) => fold(membership, { params: { l: [value] } }) as { op: string; right: { value: unknown } };
    expect(single(-0).op).toBe('eq');
    expect(Object.is(single(-0).right.value, -0)).toBe(true);
    expect(Object.is(single(0).right.value, 0)).toBe(true);
    const ordered = fold(membership, { params: { l: [{ a: 1, b: 2 }] } });
    const reordered = fold(membership, { params: { l: [{ b: 2, a: 1 }] } });
    expect(Object.keys((reordered as { right: { value: Record<string, unknown> } }).right.value)).toEqual(['b', 'a']);
    expect(fold(membership, { params: { l: [{ a: 1 }] } })).toEqual({ op: 'eq', left: v('object'), right: lit({ a: 1 }) });
    expect(fold(membership, { params: { l: [{ b: 1 }] } })).toEqual({ op: 'eq', left: v('object'), right: lit({ b: 1 }) });
    expect(Object.keys((ordered as { right: { value: Record<string, unknown> } }).right.value)).toEqual(['a', 'b']);
  });

  test('variables are part of the key, and shadowing still applies after a memoised fold', () => {
    const body = letIn('l', param('allowed'), isIn(v('x'), v('l')));
    expect(fold(body, { params: { allowed: ['a'] }, vars: new Map([['x', 'a']]) })).toEqual(lit(true));
    expect(fold(body, { params: { allowed: ['a'] }, vars: new Map([['x', 'b']]) })).toEqual(lit(false));
    expect(fold(body, { params: { allowed: ['a'] } })).toEqual({ op: 'eq', left: v('x'), right: lit('a') });
  });

  test('every control folds to the same tree whether or not its parts were folded before', () => {
    for (const kind of CONTROL_KINDS) {
      const condition = controlCondition(kind);
      const cold = JSON.stringify(fold(structuredClone(condition)));
      expect(JSON.stringify(fold(condition))).toBe(cold);
      expect(JSON.stringify(fold(condition))).toBe(cold);
    }
  });
});
