/**
 * zod issues in the words of someone editing YAML: which field, what was expected, what was
 * written, and for a misspelt field, the field they probably meant.
 */
import { z } from 'zod';
import type { FieldPath } from './yaml-source.js';
import { valueAt } from './yaml-source.js';

/** One problem with a field, before it is placed in a file. */
export interface FieldProblem {
  path: FieldPath;
  message: string;
  /** Point at the key rather than the value (unknown fields). */
  atKey?: boolean;
}

const TYPE_WORDS: Record<string, string> = { object: 'mapping', array: 'list', int: 'integer' };

/** A value as the user would recognise it: `string "yes please"`, `number 5`, `list`, `mapping`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'string': {
      const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
      return `string ${JSON.stringify(shown)}`;
    }
    case 'number':
      return `number ${value}`;
    case 'boolean':
      return `boolean ${value}`;
    case 'object':
      return 'mapping';
    default:
      return typeof value;
  }
}

/** Edit distance, for "did you mean". */
function levenshtein(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/**
 * The known name closest to a misspelt one, if any is close enough to be a typo (edit distance up to
 * `tolerance`, by default a third of the name's length and at least 2).
 */
export function closestField(unknown: string, known: readonly string[], tolerance = Math.max(2, Math.floor(unknown.length / 3))): string | undefined {
  const lower = unknown.toLowerCase();
  let best: { field: string; distance: number } | undefined;
  for (const field of known) {
    const distance = levenshtein(lower, field.toLowerCase());
    if (!best || distance < best.distance) best = { field, distance };
  }
  return best && best.distance <= tolerance ? best.field : undefined;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
}

/** Field names the schema accepts at `path` (empty when it is not an object schema). */
export function knownFieldsAt(schema: z.ZodType, path: FieldPath): string[] {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const segment of path) {
    if (!current) return [];
    if (current instanceof z.ZodObject && typeof segment === 'string') {
      const shape = current.shape as Record<string, z.ZodType>;
      current = shape[segment] ? unwrap(shape[segment]) : undefined;
    } else if (current instanceof z.ZodArray && typeof segment === 'number') {
      current = unwrap(current.element as z.ZodType);
    } else {
      return [];
    }
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape as object) : [];
}

function didYouMean(value: unknown, valid: readonly string[]): string {
  // Enum values are close to each other (MustRunAs, MustRunAsNonRoot): only suggest near-exact typos.
  const suggestion = typeof value === 'string' ? closestField(value, valid, 2) : undefined;
  return suggestion ? `did you mean \`${suggestion}\`? ` : '';
}

function typeWord(expected: string): string {
  return TYPE_WORDS[expected] ?? expected;
}

/** Turns zod's issues for one object into field problems with human messages. */
export function describeZodIssues(error: z.ZodError, data: unknown, schema: z.ZodType): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of error.issues) {
    const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
    const value = valueAt(data, path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownFieldsAt(schema, path);
        for (const key of issue.keys) {
          const suggestion = closestField(key, known);
          problems.push({
            path: [...path, key],
            atKey: true,
            message: suggestion
              ? `unknown field; did you mean \`${suggestion}\`?`
              : `unknown field; known fields here: ${known.join(', ')}`,
          });
        }
        break;
      }
      case 'invalid_type': {
        const expected = typeWord(issue.expected);
        problems.push({
          path,
          message:
            value === undefined
              ? `required field is missing (expected ${expected})`
              : `expected ${expected}, got ${describeValue(value)}`,
        });
        break;
      }
      case 'invalid_value': {
        const valid = issue.values.map((v) => String(v));
        problems.push({
          path,
          message:
            valid.length === 1
              ? `expected ${JSON.stringify(valid[0])}, got ${describeValue(value)}`
              : value === undefined
                ? `required field is missing; valid values: ${valid.join(', ')}`
                : `invalid value ${typeof value === 'string' ? JSON.stringify(value) : describeValue(value)}; ${didYouMean(value, valid)}valid values: ${valid.join(', ')}`,
        });
        break;
      }
      case 'too_small':
      case 'too_big': {
        const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
        const word = issue.code === 'too_small' ? 'at least' : 'at most';
        let message: string;
        if (issue.origin === 'string' && issue.code === 'too_small' && Number(bound) === 1) message = 'must not be empty';
        else if (issue.origin === 'string') message = `must be ${word} ${bound} characters long`;
        else if (issue.origin === 'array') message = `must have ${word} ${bound} items`;
        else message = `must be ${word} ${bound}, got ${describeValue(value)}`;
        problems.push({ path, message });
        break;
      }
      case 'invalid_format':
        problems.push({ path, message: `${issue.message}, got ${describeValue(value)}` });
        break;
      case 'custom': {
        const range = value as { min?: unknown; max?: unknown } | undefined;
        const detail =
          range && typeof range === 'object' && 'min' in range && 'max' in range
            ? ` (min ${String(range.min)}, max ${String(range.max)})`
            : '';
        problems.push({ path, message: `${issue.message}${detail}` });
        break;
      }
      default:
        problems.push({ path, message: issue.message });
    }
  }
  return problems;
}
