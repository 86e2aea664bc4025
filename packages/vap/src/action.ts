/**
 * `--action` in ValidatingAdmissionPolicyBinding words. Users say `audit`, `warn` or `deny`, or an
 * engine's own word; the binding's `validationActions` is a set of `Audit`, `Warn`, `Deny`.
 */
import type { ValidationAction } from './types.js';

/** What a binding does when nothing is asked for: record and warn, never reject (safe to roll out). */
export const DEFAULT_VALIDATION_ACTIONS: readonly ValidationAction[] = ['Audit', 'Warn'];

const WORDS: Readonly<Record<string, readonly ValidationAction[]>> = {
  audit: ['Audit'],
  dryrun: ['Audit'], // Gatekeeper's word
  warn: ['Warn'],
  deny: ['Deny'],
  enforce: ['Deny'], // Kyverno's and Pod Security Admission's word
};

/**
 * The `validationActions` for an `--action` word (case-insensitive; `audit|warn|deny` and the
 * engines' words `dryrun`, `Audit`, `Warn`, `Deny`, `Enforce`). `undefined` gives
 * {@link DEFAULT_VALIDATION_ACTIONS}.
 * @throws Error listing the accepted words when `word` is none of them.
 */
export function validationActionsFor(word: string | undefined): ValidationAction[] {
  if (word === undefined) return [...DEFAULT_VALIDATION_ACTIONS];
  const key = word.trim().toLowerCase();
  const actions = Object.hasOwn(WORDS, key) ? WORDS[key] : undefined;
  if (actions === undefined) {
    throw new Error(`unknown action "${word}"; use audit, warn or deny (engine words accepted too: dryrun, Audit, Warn, Deny, Enforce)`);
  }
  return [...actions];
}
