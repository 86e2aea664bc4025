/**
 * `--action`: what an engine does with a pod that the translated policy rejects. Users say it once
 * (`audit`, `warn`, `deny`, or any engine's own word) and each target gets its own vocabulary.
 */
import type { EngineActions } from '@psp-translate/core';
import type { TargetName } from './target-names.js';

/** The engine-neutral actions, from weakest to strongest. */
export const ACTIONS = ['audit', 'warn', 'deny'] as const;
/**
 * What `--action` asks of every engine, in engine-neutral words: `audit` (record violations, admit
 * the pod), `warn` (admit it with a warning to the user), `deny` (reject it).
 */
export type Action = (typeof ACTIONS)[number];

// One action in every target's words: part of the target contract in core.
export type { EngineActions, ValidationAction } from '@psp-translate/core';

/** Each accepted word (compared case-insensitively) and the action it means. */
const WORDS: Readonly<Record<string, Action>> = {
  audit: 'audit',
  dryrun: 'audit', // Gatekeeper
  warn: 'warn',
  deny: 'deny',
  enforce: 'deny', // Kyverno ClusterPolicy, Pod Security Admission
};

/** Every word `--action` accepts, for help and error messages. */
export const ACTION_WORDS = ['audit', 'warn', 'deny', 'dryrun', 'Audit', 'Warn', 'Deny', 'Enforce'] as const;

/**
 * Normalise an `--action` word to each engine's vocabulary.
 * Accepts `audit|warn|deny` and the engines' own words (`dryrun`, `Audit`, `Warn`, `Deny`, `Enforce`).
 * @throws Error listing the accepted words when `word` is none of them.
 */
export function normaliseAction(word: string): EngineActions {
  const key = word.trim().toLowerCase();
  const action = Object.hasOwn(WORDS, key) ? WORDS[key] : undefined;
  if (action === undefined) {
    throw new Error(`unknown action "${word}"; use audit, warn or deny (engine words accepted too: dryrun, Audit, Warn, Deny, Enforce)`);
  }
  switch (action) {
    case 'audit':
      return { action, gatekeeper: 'dryrun', kyverno: 'Audit', vap: ['Audit'], psa: 'audit', notes: {} };
    case 'warn':
      // Kyverno ClusterPolicies have no warn-only action; the Kyverno target says how it maps warn
      // (Audit with emitWarning) in its own report, so the CLI adds no note that could contradict it.
      return { action, gatekeeper: 'warn', kyverno: 'Audit', vap: ['Warn'], psa: 'warn', notes: {} };
    case 'deny':
      return { action, gatekeeper: 'deny', kyverno: 'Enforce', vap: ['Deny'], psa: 'enforce', notes: {} };
  }
}

/**
 * What each engine does when the user gives no `--action`. A migration starts by observing, so no
 * engine blocks pods PSP admitted: Gatekeeper `dryrun`, Kyverno `Audit`, ValidatingAdmissionPolicy
 * (and Kyverno ValidatingPolicy) `[Audit, Warn]`. Pod Security Admission enforces, because the PSA
 * target chooses the level every pod the PSPs admitted already passes, and adds `audit`/`warn`
 * labels one level stricter to show what blocks tightening.
 */
export function defaultActions(): EngineActions {
  return { action: 'default', gatekeeper: 'dryrun', kyverno: 'Audit', vap: ['Audit', 'Warn'], psa: 'enforce', notes: {} };
}

/** One line for the user: what {@link defaultActions} chose for `targets`, and how to change it. */
export function describeDefaultActions(targets: readonly TargetName[]): string {
  const actions = defaultActions();
  const words: Record<TargetName, string> = {
    gatekeeper: `gatekeeper ${actions.gatekeeper}`,
    kyverno: `kyverno ${actions.kyverno}`,
    psa: 'psa enforce (the level every admitted pod already passes) with audit and warn one level stricter',
    vap: `vap [${actions.vap.join(', ')}]`,
  };
  return `no --action given, so each target observes before it blocks: ${targets.map((target) => words[target]).join('; ')}. Pass --action deny to enforce.`;
}
