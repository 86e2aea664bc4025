/**
 * `--action` in Kyverno's words. Users say `audit`, `warn` or `deny` (or an engine's own word) once;
 * ClusterPolicies and ValidatingPolicies express it differently.
 */

/** The engine-neutral actions. */
export type NeutralAction = 'audit' | 'warn' | 'deny';

/** `--action` as Kyverno policies express it. */
export interface KyvernoAction {
  action: NeutralAction;
  /** ClusterPolicy `spec.validationFailureAction`. */
  validationFailureAction: 'Audit' | 'Enforce';
  /** ClusterPolicy `spec.emitWarning`: audit violations are also returned to the client as API warnings. */
  emitWarning: boolean;
  /** ValidatingPolicy `spec.validationActions`. */
  validationActions: ('Deny' | 'Audit' | 'Warn')[];
  /** What the user should know about the mapping, or undefined when it is exact. */
  note: string | undefined;
}

// Every word accepted, lower-cased: ours, Kyverno's (Audit/Enforce, Deny/Warn) and Gatekeeper's dryrun.
const WORDS: Readonly<Record<string, NeutralAction>> = {
  audit: 'audit',
  dryrun: 'audit',
  warn: 'warn',
  deny: 'deny',
  enforce: 'deny',
};

/**
 * Map an `--action` word to Kyverno's settings.
 * @throws Error naming the accepted words when `word` is not one of them.
 */
export function kyvernoAction(word: string): KyvernoAction {
  const key = word.trim().toLowerCase();
  const action = Object.hasOwn(WORDS, key) ? WORDS[key] : undefined;
  switch (action) {
    case 'audit':
      return { action, validationFailureAction: 'Audit', emitWarning: false, validationActions: ['Audit'], note: undefined };
    case 'warn':
      return {
        action,
        validationFailureAction: 'Audit',
        emitWarning: true,
        validationActions: ['Warn'],
        note:
          'ClusterPolicies have no warn-only action: --action warn became validationFailureAction Audit with emitWarning true (violations go to PolicyReports and come back to the client as API warnings; pods are admitted); ValidatingPolicies use validationActions [Warn]',
      };
    case 'deny':
      return { action, validationFailureAction: 'Enforce', emitWarning: false, validationActions: ['Deny'], note: undefined };
    default:
      throw new Error(`unknown action "${word}": use audit, warn or deny (Kyverno's Audit, Enforce, Warn, Deny are accepted too)`);
  }
}
