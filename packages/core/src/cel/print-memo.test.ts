/**
 * printCel memoises by node and by the names: a node printed once with some names must print with
 * other names as if for the first time.
 */
import { describe, expect, test } from 'vitest';
import { and, every, get, has, isIn, lit, not, param, v } from './ast.js';
import { printCel } from './print.js';

const check = and(
  not(has(v('object'), ['spec', 'hostNetwork'])),
  every('container', get(v('object'), ['spec', 'containers'], []), isIn(get(v('container'), ['image'], ''), param('images'))),
);

describe('printCel memoisation', () => {
  test('the same node prints with the names of each call', () => {
    const plain = printCel(check, { object: 'object', params: 'params' });
    expect(plain).toBe(
      '(!(has(object.spec) && has(object.spec.hostNetwork)) && (has(object.spec) && has(object.spec.containers) ? object.spec.containers : []).all(container, ((has(container.image) ? container.image : "") in params.images)))',
    );
    const other = printCel(check, { object: 'request.object', params: 'variables.params' });
    expect(other).toBe(plain.replaceAll('object.spec', 'request.object.spec').replace('params.images', 'variables.params.images'));
    expect(printCel(check, { object: 'object', params: 'params' })).toBe(plain);
  });

  test('names that concatenate alike are told apart', () => {
    const e = and(get(v('object'), ['a']), get(param('b'), ['c']));
    expect(printCel(e, { object: 'x', params: 'yz' })).toBe('(x.a && yz.b.c)');
    expect(printCel(e, { object: 'xy', params: 'z' })).toBe('(xy.a && z.b.c)');
    expect(printCel(e, { object: 'x', params: 'y z' })).toBe('(x.a && (y z).b.c)');
  });

  test('list literals print the same each time', () => {
    const list = lit(['a', 'b']);
    expect(printCel(isIn(v('x'), list), { object: 'object', params: 'params' })).toBe('(x in ["a", "b"])');
    expect(printCel(list, { object: 'other', params: 'params' })).toBe('["a", "b"]');
  });
});
