import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { celLiteral, celString, evaluateCel } from './index.js';

const seed = Number(process.env.PSP_TRANSLATE_FUZZ_SEED ?? 42);

describe('celLiteral', () => {
  test.each([
    ['quotes', 'say "hi" and \'bye\''],
    ['backslashes', 'C:\\path\\n is not a newline'],
    ['control characters', 'a\nb\rc\td\u0000e\u001fz\u007f'],
    ['unicode', 'é ü ß 日本 😀 \u2028 \u2029'],
    ['CEL-looking text', '" + object.spec + "'],
  ])('strings with %s read back unchanged', (_, text) => {
    expect(evaluateCel(celLiteral(text))).toBe(text);
  });

  test('any string reads back unchanged', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => evaluateCel(celString(text)) === text), { seed, numRuns: 300 });
  });

  test('strings without characters to escape are written as they are, astral characters included', () => {
    expect(celString('object.spec.hostPID: é 😀')).toBe('"object.spec.hostPID: é 😀"');
    expect(celString('')).toBe('""');
    expect(celString('a\u2028b')).toBe('"a\\u2028b"');
  });

  test('whole numbers are ints, others doubles, as Kubernetes binds JSON', () => {
    expect(celLiteral(42)).toBe('42');
    expect(celLiteral(-7)).toBe('-7');
    expect(evaluateCel(`type(${celLiteral(42)}) == int`)).toBe(true);
    expect(evaluateCel(`type(${celLiteral(1.5)}) == double`)).toBe(true);
    expect(evaluateCel(`type(${celLiteral(1e21)}) == double`)).toBe(true);
    expect(evaluateCel(celLiteral(2n ** 62n))).toBe(2n ** 62n);
  });

  test('lists and maps nest', () => {
    const value = { a: [1, 'two', { three: true, four: null }], 'key with "quotes"': {} };
    expect(evaluateCel(celLiteral(value))).toEqual(value);
    expect(evaluateCel(`${celLiteral(value)}.a[2].three`)).toBe(true);
  });

  test('values CEL cannot hold are errors, not bad code', () => {
    expect(() => celLiteral(Number.NaN)).toThrow(/finite/);
    expect(() => celLiteral(2n ** 63n)).toThrow(/64-bit/);
    expect(() => celString('\ud800')).toThrow(/surrogate/);
  });
});
