/** Output formats of `check` and `evaluate`, and when to colour; light, so the command line can offer them without loading the printers. */
import type { CliIO } from '../io.js';

/** The formats `check` and `evaluate` print. */
export const OUTPUT_FORMATS = ['text', 'json', 'markdown'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * Colour the report only for a person at a terminal: never with `NO_COLOR` (any non-empty value),
 * always with `FORCE_COLOR` (other than `0`), else when stdout is a TTY that is not `TERM=dumb`.
 */
export function colourEnabled(io: Pick<CliIO, 'stdout' | 'env'>): boolean {
  const { env } = io;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined) return env['FORCE_COLOR'] !== '0' && env['FORCE_COLOR'] !== 'false';
  return (io.stdout as { isTTY?: boolean }).isTTY === true && env['TERM'] !== 'dumb';
}
