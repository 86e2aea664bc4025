/**
 * The targets a report runs: the target packages' own modules (core's `TargetModule`), the same
 * objects the CLI registry loads, so a report and `psp-translate translate` never disagree.
 */
import type { EngineActions, TargetModule } from '@psp-translate/core';
import { gatekeeperTarget } from '@psp-translate/gatekeeper';
import { kyvernoTarget } from '@psp-translate/kyverno';
import { psaTarget } from '@psp-translate/psa';
import { vapTarget } from '@psp-translate/vap';

/** Each engine's observing default, as `translate` without `--action` (the CLI's `defaultActions()`). */
export const OBSERVING_ACTIONS: EngineActions = Object.freeze({
  action: 'default',
  gatekeeper: 'dryrun',
  kyverno: 'Audit',
  vap: Object.freeze(['Audit', 'Warn'] as const),
  psa: 'enforce',
  notes: {},
});

/** Enforcing actions: workload verdicts are judged as the policies decide when enforced (as `check` does). */
export const ENFORCING_ACTIONS: EngineActions = Object.freeze({
  action: 'deny',
  gatekeeper: 'deny',
  kyverno: 'Enforce',
  vap: Object.freeze(['Deny'] as const),
  psa: 'enforce',
  notes: {},
});

/**
 * A translation target as the report runs it: core's `TargetModule`, whose name may also be one of
 * the caller's own (a column of the report).
 */
export type ReportTarget = Omit<TargetModule, 'name'> & { name: string };

/** The four targets, in the CLI's order. */
export const BUILTIN_TARGETS: readonly ReportTarget[] = Object.freeze([gatekeeperTarget, kyvernoTarget, psaTarget, vapTarget]);
