/**
 * The target registry: the contract between the CLI and the packages that translate the IR into
 * one policy engine's objects.
 *
 * A target is pure (STYLE: "emitters are pure"): it receives the parsed cluster (PSPs as IR, RBAC,
 * workloads) and returns Kubernetes objects plus a fidelity report. It never touches the file
 * system or the console; the CLI serialises, writes and prints.
 *
 * To add a target, implement {@link TargetModule} in its package and put it in {@link targets}.
 * Keep the module's top level light (import heavy code inside `translate`): this file is loaded by
 * every `translate` run, whichever targets were asked for.
 */
import type { ControlKind, InputSet, Pod, Requester, SourceRef, WorkloadKind } from '@psp-translate/core';
import type { EngineActions } from './action.js';
import { psaEvaluation } from './commands/evaluate-psa.js';
import type { TargetName } from './target-names.js';

export { TARGET_NAMES, type TargetName } from './target-names.js';

/** A Kubernetes object as plain data: serialised as is (keys `apiVersion`, `kind`, `metadata` first). */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    /** Set for namespaced objects only. */
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/**
 * How faithfully a target expressed something:
 * - `exact`: same decisions and same pod changes as PSP admission;
 * - `note`: exact, with something the user should know (e.g. how `--action warn` was mapped);
 * - `approximate`: expressed, but some pods are decided differently (the message says which);
 * - `unsupported`: not expressed at all; the user must cover it another way.
 */
export type Fidelity = 'exact' | 'note' | 'approximate' | 'unsupported';

/** One line of a target's fidelity report. `approximate` and `unsupported` make the CLI exit 1. */
export interface FidelityEntry {
  /** The PSP this entry is about, or `null` for the translation as a whole (e.g. RBAC scoping). */
  policy: string | null;
  /** The IR control this entry is about, or `null` for the policy as a whole. */
  control: ControlKind | null;
  fidelity: Fidelity;
  /** For the user: what was (not) expressed and what to do about it. One line. */
  message: string;
  /** Where the PSP field lives, when the entry is about one. */
  source?: SourceRef;
}

/** Options every target receives. */
export interface TranslateOptions {
  /** `--action` in every engine's words; a target uses its own and reports `actions.notes[name]`. */
  actions: EngineActions;
  /** `--kube-version` as given (`v1.N` or `1.N`); unset = the newest version the targets know. */
  kubeVersion?: string;
}

/** What a target returns. */
export interface TranslationResult {
  /** The objects to apply, in a deterministic order (output order). Names must be unique per kind and namespace. */
  objects: KubernetesObject[];
  /** One entry per thing the user should know; may be empty only when everything is `exact`. */
  report: FidelityEntry[];
}

/** A workload as `check` and `evaluate` report it. */
export interface WorkloadRef {
  kind: WorkloadKind;
  /** The pod's namespace: the manifest's, else `--namespace`, else `default`. */
  namespace: string;
  name: string;
  /** `spec.serviceAccountName` of the pod template, `default` when unset. */
  serviceAccount: string;
}

/** One workload, as a target's evaluator sees it. */
export interface WorkloadContext {
  workload: WorkloadRef;
  /**
   * The pod the workload's controller creates (a bare Pod: itself), named after the workload, as
   * it reaches admission: no PSP defaults applied. A target that mutates applies its own. Read-only.
   */
  pod: Pod;
  /** Who creates the pod: the controller for controller-made kinds; undefined for a bare Pod or PodTemplate (a person). */
  requester?: Requester;
}

/** What a target's policies decide about one workload. */
export interface TargetVerdict {
  /** False when the policies, enforced, reject the pod (`check` translates with `--action deny` for this; audit/warn findings count as rejections). */
  admitted: boolean;
  /** Why it is rejected, one line each, naming the field and the policy; empty when admitted. */
  reasons: string[];
  /** What the engine would tell the user while admitting (e.g. PSA warn-mode messages). */
  warnings?: string[];
}

/** Judges one workload at a time; prepared once per run, called once per workload. */
export type WorkloadEvaluator = (workload: WorkloadContext) => TargetVerdict;

/** A translation target. */
export interface TargetModule {
  /** The name users pass to `--target`; also the output subdirectory. */
  name: TargetName;
  /**
   * Translate every PSP of `inputs` (`inputs.policies`, never empty) with the RBAC that grants them.
   * Pure: same inputs, same output. Throws only on a bug, never for input it cannot express
   * (that goes into the report).
   */
  translate(inputs: InputSet, options: TranslateOptions): TranslationResult | Promise<TranslationResult>;
  /**
   * Optional: judge workloads in-process against the objects `translate` returned for `inputs`
   * (`check --target`). Prepare once (parse labels, compile CEL...), return the per-workload
   * function. Without it, `check` reports this target as not evaluated.
   */
  evaluate?(translation: TranslationResult, inputs: InputSet): WorkloadEvaluator | Promise<WorkloadEvaluator>;
  /**
   * Optional: judge workloads against this engine's policies already present in `inputs`, no PSP
   * involved (`evaluate`). Returns `null` when the inputs hold nothing this engine would read.
   * Without it, `evaluate` reports this target as not evaluated.
   */
  evaluateExisting?(inputs: InputSet): WorkloadEvaluator | null | Promise<WorkloadEvaluator | null>;
}

/** Every target by name; `undefined` = not implemented in this version. */
export type TargetRegistry = Readonly<Record<TargetName, TargetModule | undefined>>;

/** The targets this version of psp-translate ships. */
export const targets: TargetRegistry = {
  gatekeeper: undefined,
  kyverno: undefined,
  psa: {
    name: 'psa',
    translate: async (inputs, options) => (await import('@psp-translate/psa')).psaTarget.translate(inputs, options),
    ...psaEvaluation,
  },
  vap: undefined,
};
