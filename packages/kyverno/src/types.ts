/**
 * The emitter contract: what `translateKyverno` takes and returns. Objects and fidelity entries are
 * core's target-contract types, so the CLI and the report pass our result through without conversion.
 */
import type { FidelityEntry, KubernetesObject } from '@psp-translate/core';

// The target contract's shared shapes (core's `target.ts`), re-exported under this package's names.
export type { Fidelity, FidelityEntry, KubernetesObject } from '@psp-translate/core';

/** A selector over one request attribute (structurally core's `NameSelector`). */
export interface NameSelectorLike {
  op: 'In' | 'NotIn';
  values: readonly string[];
}

/**
 * One cell of the partition of pod admissions (structurally core's `ScopeGroup`): the pods whose
 * namespace, service account and requesting user match, and the PSPs PSP admission tried for them.
 */
export interface ScopeGroupLike {
  namespace: NameSelectorLike;
  serviceAccount: NameSelectorLike;
  requester: NameSelectorLike;
  /** Candidate PSP names in name order; empty = PSP admission rejected every such pod. */
  candidates: readonly string[];
}

/** `--kyverno-api`: which Kyverno API the policies are written for. */
export type KyvernoApi = 'kyverno.io/v1' | 'policies.kyverno.io/v1';

/**
 * `--kyverno-style` (ClusterPolicy only): `cel` = `validate.cel` rules (Kyverno 1.11+); `pattern` =
 * classic pattern/deny rules (Kyverno 1.6-1.10); `podsecurity` = `validate.podSecurity` where a PSP is
 * exactly a Pod Security level plus exclusions, `cel` rules otherwise.
 */
export type KyvernoStyle = 'cel' | 'pattern' | 'podsecurity';

/** How scopes that a PSP admitting every pod covers are exempted. */
export type ExemptionMode = 'policy-exception' | 'preconditions';

/** Options of {@link translateKyverno}. */
export interface KyvernoOptions {
  api: KyvernoApi;
  style: KyvernoStyle;
  /** `audit`, `warn`, `deny` or a Kyverno word (`Audit`, `Enforce`, `Warn`, `Deny`). Default `audit`. */
  action?: string;
  /** Also emit a `kyverno-test.yaml` (`cli.kyverno.io/v1alpha1` Test) with resources and expected results. */
  emitTests?: boolean;
  /** Emit mutate rules / MutatingPolicies for the PSP defaults (default true); `--no-mutate` sets false and each default is reported as lost. */
  mutate?: boolean;
  /**
   * `policy-exception` (default): pods a PSP admitting everything covers are exempted by
   * PolicyException resources; `preconditions`: by the policies' own preconditions (works without
   * Kyverno's PolicyException feature).
   */
  exemptions?: ExemptionMode;
  /** Namespace for PolicyExceptions (Kyverno's `--exceptionNamespace`). Default `kyverno`. */
  exceptionNamespace?: string;
}

/** What `translateKyverno` returns. */
export interface KyvernoTranslation {
  /** Policies and exceptions to apply, in a deterministic order. */
  objects: KubernetesObject[];
  /** The `kyverno test` file and its resources, when `emitTests` was set. */
  tests: KyvernoTestFiles | undefined;
  report: FidelityEntry[];
}

/** Files for `kyverno test`: the Test object refers to the policy and resource files by these names. */
export interface KyvernoTestFiles {
  /** The `cli.kyverno.io/v1alpha1` Test (file `kyverno-test.yaml`). */
  test: KubernetesObject;
  /** File name the Test expects the policies in: every object except the PolicyExceptions. */
  policyFile: string;
  /** File name the Test expects the PolicyExceptions in, when there are any. */
  exceptionFile: string | undefined;
  /** File name the Test expects the resources in, and the resources. */
  resourceFile: string;
  resources: KubernetesObject[];
}
