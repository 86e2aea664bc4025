/**
 * The `let` and `collect` nodes: folding decides what the params decide, and the printed CEL binds
 * once and filters as the node says.
 */
import { describe, expect, test } from 'vitest';
import { collect, eq, every, get, isIn, letIn, lit, param, v } from './ast.js';
import { fold } from './fold.js';
import { printCel } from './print.js';
import { evaluateCel } from './runtime.js';

const names = { object: 'object', params: 'params' };
const volumes = get(v('object'), ['spec', 'volumes'], []);
/** The names of the volumes whose `kind` is the param `kind`. */
const namesOfKind = collect('vol', volumes, eq(get(v('vol'), ['kind'], ''), param('kind')), get(v('vol'), ['name'], ''));
/** Every container mount names a volume of that kind. */
const mountsOfKind = letIn('chosen', namesOfKind, every('m', get(v('object'), ['spec', 'mounts'], []), isIn(v('m'), v('chosen'))));

const pod = { spec: { volumes: [{ name: 'a', kind: 'x' }, { name: 'b', kind: 'y' }, { name: 'c', kind: 'x' }], mounts: ['a', 'c'] } };

describe('let and collect', () => {
  test('printed CEL binds once and filters then maps', () => {
    const cel = printCel(fold(mountsOfKind, { params: { kind: 'x' } }), names);
    expect(cel).toMatch(/^\[.*\.filter\(vol, .*\)\.map\(vol, .*\)\]\.all\(chosen, /);
    expect(evaluateCel(cel, { object: pod })).toBe(true);
    expect(evaluateCel(cel, { object: { spec: { ...pod.spec, mounts: ['a', 'b'] } } })).toBe(false);
    expect(evaluateCel(printCel(fold(namesOfKind, { params: { kind: 'y' } }), names), { object: pod })).toEqual(['b']);
  });

  test('a non-boolean let prints as a one-element map', () => {
    const cel = printCel(letIn('n', lit(2), v('n')), names);
    expect(cel).toBe('[2].map(n, n)[0]');
    expect(evaluateCel(cel)).toBe(2);
  });

  test('fold decides a collect over a literal list and substitutes a literal let', () => {
    const literal = collect('x', lit([1, 2, 3]), eq(v('x'), param('keep')), v('x'));
    expect(fold(literal, { params: { keep: 2 } })).toEqual(lit([2]));
    expect(fold(letIn('l', literal, isIn(lit(2), v('l'))), { params: { keep: 2 } })).toEqual(lit(true));
    // A where that folds to false leaves nothing to collect, whatever the list.
    expect(fold(collect('x', volumes, lit(false), v('x')))).toEqual(lit([]));
    // A body the params decide needs no binding.
    expect(fold(letIn('unused', namesOfKind, param('flag')), { params: { flag: true, kind: 'x' } })).toEqual(lit(true));
  });

  test('the comprehension variable of collect and let shadows an outer binding', () => {
    const shadowed = letIn('x', volumes, collect('x', lit([1, 2]), lit(true), v('x')));
    expect(fold(shadowed, { vars: new Map([['x', 'outer']]) })).toEqual(lit([1, 2]));
  });
});
