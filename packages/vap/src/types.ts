/**
 * The shapes this target returns. Structurally the same as the CLI target registry's
 * `KubernetesObject` / `FidelityEntry` (packages/cli/src/targets.ts), declared here so the emitter
 * does not depend on the CLI.
 */
import type { ControlKind, SourceRef } from '@psp-translate/core';

/** A Kubernetes object as plain data. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/** `exact` / `note` / `approximate` / `unsupported`, as in the CLI's fidelity report. */
export type Fidelity = 'exact' | 'note' | 'approximate' | 'unsupported';

/** One line of the fidelity report. */
export interface FidelityEntry {
  /** The PSP this entry is about, or `null` for the translation as a whole. */
  policy: string | null;
  /** The IR control this entry is about, or `null` for the policy as a whole. */
  control: ControlKind | null;
  fidelity: Fidelity;
  /** One line for the user: what was (not) expressed and what to do about it. */
  message: string;
  /** Where the PSP field lives, when the entry is about one. */
  source?: SourceRef;
}

/** The estimated runtime cost of one emitted CEL expression. */
export interface CelCostEntry {
  /** `ValidatingAdmissionPolicy/<name>` or `MutatingAdmissionPolicy/<name>`. */
  object: string;
  /** Field path of the expression, e.g. `spec.variables[2].expression`. */
  field: string;
  /** Worst-case cost estimate (core's `estimateCelCost`, lists assumed at most 64 items). */
  cost: number;
  /** True when `cost` exceeds the API server's per-expression limit (`CEL_PER_CALL_LIMIT`). */
  overLimit: boolean;
}

/** `validationActions` of a ValidatingAdmissionPolicyBinding. */
export type ValidationAction = 'Audit' | 'Warn' | 'Deny';
