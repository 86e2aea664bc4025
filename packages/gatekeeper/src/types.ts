/**
 * The contract of the Gatekeeper emitter: IR in, Kubernetes objects plus a fidelity report out.
 * Nothing here touches the file system; the CLI writes what `translateGatekeeper` returns.
 */
import type { KubernetesObject, FidelityEntry, PolicyIR, TargetFile } from '@psp-translate/core';

// The target contract's shared shapes (core's `target.ts`), re-exported under this package's names.
export type { KubernetesObject, Fidelity, FidelityEntry } from '@psp-translate/core';

/**
 * A set of values of one request attribute, as label-selector operators: `In` = exactly these
 * values, `NotIn` = every value except these (`NotIn []` = any value).
 */
export type NameSelector = { op: 'In'; values: readonly string[] } | { op: 'NotIn'; values: readonly string[] };

/**
 * One cell of the partition of pod admissions by what PSP authorisation depended on, with the PSPs
 * PSP admission tried there. Structurally the `ScopeGroup` of `@psp-translate/core`'s `scopeGroups`
 * (whose output can be passed as is), so the emitter does not depend on how groups are computed.
 * Groups must partition all pods: for every namespace, service account and requester exactly one
 * group matches.
 */
export interface GatekeeperScopeGroup {
  /** Pod namespace. */
  namespace: NameSelector;
  /** `spec.serviceAccountName` (after defaulting to `default`). */
  serviceAccount: NameSelector;
  /** `request.userInfo.username` of whoever created the pod. */
  requester: NameSelector;
  /** Names of the PSPs PSP admission tried for these pods, in name order; empty = it admitted none. */
  candidates: readonly string[];
}

/** `--gatekeeper-mode`: how several PSPs applying to one scope are expressed. */
export type GatekeeperMode = 'per-control' | 'policy-set' | 'auto';

/** Gatekeeper's `enforcementAction` words. */
export type GatekeeperAction = 'dryrun' | 'warn' | 'deny';

/** How {@link translateGatekeeper} writes the policies: the CLI's flags for this engine. */
export interface GatekeeperOptions {
  /** `--action`: audit|warn|deny or Gatekeeper's own dryrun|warn|deny. Default `dryrun`. */
  action?: string;
  /** Default `auto`: per-control where a scope has one candidate PSP, policy-set elsewhere. */
  mode?: GatekeeperMode;
  /** Emit mutators for PSP defaults (default true). `--no-mutate` sets false; the report lists what is lost. */
  mutate?: boolean;
  /** Namespaces no constraint or mutator applies to (e.g. `kube-system`); always written out explicitly. */
  excludedNamespaces?: readonly string[];
}

/** What {@link translateGatekeeper} translates: the PSPs, and who may use which. */
export interface GatekeeperInput {
  /** One IR per PSP (any order; output is sorted by name). */
  policies: readonly PolicyIR[];
  /**
   * Who may use which PSP (`scopeGroups` of `@psp-translate/core`). Absent = every policy is usable
   * by every pod in every namespace (a cluster whose PSPs are all bound to `system:authenticated`).
   */
  scopeGroups?: readonly GatekeeperScopeGroup[];
  options?: GatekeeperOptions;
}

/**
 * What {@link translateGatekeeper} returns: ConstraintTemplates, Constraints and mutators, and the
 * fidelity report (what Gatekeeper expresses only approximately or not at all).
 */
export interface GatekeeperOutput {
  /** Templates, then constraints, then mutators; each group sorted by name. */
  objects: KubernetesObject[];
  report: FidelityEntry[];
  /** With `emitTests` (gatekeeperTarget): Rego unit tests and the templates' Rego under `rego-tests/`. */
  files?: TargetFile[];
}
