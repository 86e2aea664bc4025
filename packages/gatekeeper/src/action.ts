import type { GatekeeperAction } from './types.js';

const ACTION_WORDS: Readonly<Record<string, GatekeeperAction>> = {
  audit: 'dryrun',
  dryrun: 'dryrun',
  warn: 'warn',
  deny: 'deny',
};

/**
 * Map `--action` (audit|warn|deny, or Gatekeeper's own dryrun|warn|deny; case-insensitive) to a
 * constraint's `enforcementAction`. Absent = `dryrun`: a migration starts by observing.
 */
export function gatekeeperAction(word: string | undefined): GatekeeperAction {
  if (word === undefined) return 'dryrun';
  const action = ACTION_WORDS[word.toLowerCase()];
  if (action === undefined) {
    throw new Error(
      `unknown --action "${word}" for the Gatekeeper target: use audit, warn or deny (or Gatekeeper's dryrun)`,
    );
  }
  return action;
}
