/**
 * The evaluator's vocabulary: what PSP admission decided about one pod, as data.
 */
import type { Pod } from '../pod/types.js';

/** The admission operation. `UPDATE` covers pod updates and the `pods/ephemeralcontainers` subresource. */
export type AdmissionOperation = 'CREATE' | 'UPDATE';

/** A pod together with what admission knew about its request. */
export interface PodContext {
  pod: Pod;
  /** `metadata.namespace`, else the default namespace given when reading the input, else `default`. */
  namespace: string;
  /** `spec.serviceAccountName`, else the deprecated `spec.serviceAccount`, else `default`. */
  serviceAccount: string;
  /** The user creating the pod (for workloads, the controller), when known. */
  requester?: { user: string; groups: string[] };
  /** Kind of the manifest the pod came from (`Pod`, `Deployment`, ...). */
  workloadKind?: string;
  /** `UPDATE` = a pod update or the `pods/ephemeralcontainers` subresource (no defaulting). */
  operation?: AdmissionOperation;
}

/** One RFC 6902 JSON Patch operation. `path` is a JSON Pointer (`~1` escapes `/`). */
export interface JsonPatchOp {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

/** Why a policy rejected a pod. */
export interface Reason {
  /** The PodSecurityPolicy that rejected the pod. */
  policy: string;
  /** Field path in Kubernetes notation, e.g. `spec.ephemeralContainers[0].securityContext.privileged`. */
  path: string;
  /** What is wrong, e.g. `privileged containers are not allowed`. */
  message: string;
}

/** One policy's decision about one pod. */
export interface PolicyVerdict {
  policy: string;
  /** The policy admits the pod (after its defaults on CREATE; unchanged on UPDATE). */
  allowed: boolean;
  /** Applying the policy's defaults changed the pod. */
  mutated: boolean;
  /** The changes, in the order PSP made them (pod level first, then each container). */
  mutations: JsonPatchOp[];
  /** Empty when allowed. */
  reasons: Reason[];
}

/** A structured warning about a trap in the candidate set. */
export interface AdmissionWarning {
  /**
   * `name-order`: several candidates admit the pod, each would default it differently, and only
   * the alphabetical order of their names decides which defaults the pod gets.
   */
  code: 'name-order';
  /** The policies involved, sorted by name; the first is the one that wins. */
  policies: string[];
  message: string;
}

/** What PSP admission decided over a set of candidate policies. */
export interface AdmissionResult {
  admitted: boolean;
  /** The policy that admitted the pod (what PSP recorded in the `kubernetes.io/psp` annotation). */
  policy: string | null;
  /** Candidate policy names in the order they were tried. */
  candidates: string[];
  /** The chosen policy's changes; empty when rejected or when a policy admitted the pod unchanged. */
  mutations: JsonPatchOp[];
  /** The pod as admitted (the input pod when rejected or unchanged). Shares unchanged subtrees with the input: treat as read-only. */
  mutatedPod: Pod;
  /** On rejection, the reasons of every candidate; empty when admitted. */
  reasons: Reason[];
  /** Human-readable warnings (the `message` of each structured warning). */
  warnings: string[];
  /** Structured warnings. */
  warningDetails: AdmissionWarning[];
  /** Every candidate's verdict, in the order tried. */
  verdicts: PolicyVerdict[];
}

/** Options of {@link evaluatePolicy}. */
export interface EvaluateOptions {
  /** `CREATE` (default) applies the policy's defaults; `UPDATE` validates the pod as it is. */
  operation?: AdmissionOperation;
}

/** Options of {@link admit}. */
export interface AdmitOptions extends EvaluateOptions {
  /** Compute the `name-order` warnings (default true). */
  warnings?: boolean;
}
