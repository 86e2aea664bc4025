import pc from 'picocolors';
import type { CliIO } from './io.js';

/** Messages for people, on stderr, with a coloured prefix on terminals (unless `NO_COLOR`). */
export interface Messages {
  note(text: string): void;
  warning(text: string): void;
  /** A line without prefix. */
  plain(text: string): void;
}

export function messages(io: CliIO): Messages {
  const colours = pc.createColors(io.isTTY && !io.env['NO_COLOR']);
  return {
    note: (text) => void io.stderr.write(`${colours.cyan('note:')} ${text}\n`),
    warning: (text) => void io.stderr.write(`${colours.yellow('warning:')} ${text}\n`),
    plain: (text) => void io.stderr.write(`${text}\n`),
  };
}
