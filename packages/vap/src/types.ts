/**
 * The shapes this target returns: core's target contract, plus the cost report.
 */

export type { Fidelity, FidelityAspect, FidelityEntry, KubernetesObject } from '@psp-translate/core';

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

export type { ValidationAction } from '@psp-translate/core';
