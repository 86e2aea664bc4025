import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { jsonCopy } from '../src/plain-data.js';

const random = process.env['PSP_TRANSLATE_FUZZ'] === 'random';
const seed = random ? Date.now() : Number(process.env['PSP_TRANSLATE_FUZZ_SEED'] ?? 42);

describe('jsonCopy', () => {
  test('equals a JSON round trip for any value, and shares no object with the input', () => {
    const odd = fc.constantFrom<unknown>(undefined, -0, Number.NaN, Infinity, () => 1, Symbol('s'), new Date(0), { toJSON: () => 'custom' });
    const value = fc.letrec((tie) => ({
      any: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 1 }), odd, tie('list'), tie('map')),
      list: fc.array(tie('any'), { maxLength: 4 }),
      map: fc.dictionary(fc.oneof(fc.string({ maxLength: 4 }), fc.constant('__proto__')), tie('any'), { maxKeys: 4 }),
    })).any;
    fc.assert(
      fc.property(value, (input) => {
        const expected: unknown = JSON.stringify(input) === undefined ? undefined : JSON.parse(JSON.stringify(input));
        if (expected === undefined) return; // JSON writes nothing for a lone function, symbol or undefined
        const copied = jsonCopy(input);
        expect(copied).toStrictEqual(expected);
        expect(JSON.stringify(copied)).toBe(JSON.stringify(input));
        const objects = new Set<unknown>();
        const collect = (v: unknown) => {
          if (typeof v === 'object' && v !== null) {
            objects.add(v);
            Object.values(v).forEach(collect);
          }
        };
        collect(input);
        const shared = (v: unknown): boolean => typeof v === 'object' && v !== null && (objects.has(v) || Object.values(v).some(shared));
        expect(shared(copied)).toBe(false);
      }),
      { seed, numRuns: random ? 2000 : 300 },
    );
  });

  test('an object used twice is copied twice', () => {
    const shared = { a: [1] };
    const [first, second] = jsonCopy([shared, shared]);
    expect(first).toEqual(shared);
    expect(first).not.toBe(second);
    expect(first!.a).not.toBe(second!.a);
  });

  test('bigint fails as JSON does', () => {
    expect(() => jsonCopy({ n: 1n })).toThrow(TypeError);
  });
});
