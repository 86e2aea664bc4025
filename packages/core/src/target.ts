/**
 * The target contract: what a package that translates PSPs into one policy engine's objects
 * provides, and what the CLI registry and the migration report (`@psp-translate/report`) call.
 * Defined here, below every target, so the four target packages, the report and the CLI share one
 * definition instead of structural copies (none of them may depend on the CLI).
 *
 * Types only: importing this module loads no code.
 */
import type { ControlKind, SourceRef } from './ir/ir.js';
import type { InputSet } from './parse/parse-inputs.js';
import type { Pod } from './pod/types.js';
import type { Requester } from './rbac/types.js';
import type { WorkloadKind } from './schema/rbac.js';

/**
 * A policy engine psp-translate translates to: the `--target` word and the output subdirectory.
 * The CLI's `TARGET_NAMES` lists them in output order.
 */
export type TargetName = 'gatekeeper' | 'kyverno' | 'psa' | 'vap';

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

/**
 * What of a PSP control an entry is about: `validation`, what the control refused; `default`, what
 * the control wrote into pods (PSP defaults, which a target expresses as mutations or loses).
 */
export type FidelityAspect = 'validation' | 'default';

/**
 * One line of a target's fidelity report. `approximate` and `unsupported` make the CLI exit 1.
 *
 * Coverage contract (the migration report's matrix relies on it): for every PSP it translates, a
 * target reports at least one entry with `aspect: 'validation'` for EVERY control, and one with
 * `aspect: 'default'` for every control the PSP defaults; `exact` entries included.
 */
export interface FidelityEntry {
  /** The PSP this entry is about, or `null` for the translation as a whole (e.g. RBAC scoping). */
  policy: string | null;
  /** The IR control this entry is about, or `null` for the policy as a whole. */
  control: ControlKind | null;
  /** Set on every entry that names a control: whether it is about the control's validation or its default. */
  aspect?: FidelityAspect;
  fidelity: Fidelity;
  /** For the user: what was (not) expressed and what to do about it. One line. */
  message: string;
  /** Where the PSP field lives, when the entry is about one. */
  source?: SourceRef;
}

/** `validationActions` of a ValidatingAdmissionPolicyBinding (also Kyverno's ValidatingPolicy). */
export type ValidationAction = 'Audit' | 'Warn' | 'Deny';

/** `--action` (what an engine does with a pod a translated policy rejects) in every engine's words. */
export interface EngineActions {
  /**
   * The engine-neutral action, or `default` when the user gave no `--action`: then each engine
   * field holds that engine's own default (the CLI's `defaultActions()`).
   */
  action: 'audit' | 'warn' | 'deny' | 'default';
  /** Gatekeeper Constraint `spec.enforcementAction`. */
  gatekeeper: 'dryrun' | 'warn' | 'deny';
  /** Kyverno ClusterPolicy `spec.validationFailureAction` (Kyverno has no warn-only mode there). */
  kyverno: 'Audit' | 'Enforce';
  /** ValidatingAdmissionPolicyBinding `spec.validationActions`; Kyverno ValidatingPolicy uses the same words. */
  vap: readonly ValidationAction[];
  /** Pod Security Admission label mode: `pod-security.kubernetes.io/<mode>`. */
  psa: 'audit' | 'warn' | 'enforce';
  /** What a target cannot express exactly about this action, for the user to read. */
  notes: Partial<Record<TargetName, string>>;
}

/** Options every target receives; each reads the parts that concern it. */
export interface TranslateOptions {
  /** `--action` in every engine's words; a target uses its own field and leaves `actions.notes` to the caller. */
  actions: EngineActions;
  /** `--kube-version` as given (`v1.N` or `1.N`); unset = the newest version the targets know. */
  kubeVersion?: string;
  /**
   * `--no-mutate` sets false (default true): targets that express PSP defaults as mutations
   * (mutators, mutate rules, MutatingAdmissionPolicies) leave them out and report each default as lost.
   */
  mutate?: boolean;
  /**
   * `--emit-tests`: targets that can write tests for their policies in the engine's own test format
   * return them in {@link TranslationResult.files}.
   */
  emitTests?: boolean;
  /** Gatekeeper only. */
  gatekeeper?: {
    /** `--gatekeeper-mode` (default `auto`): how several PSPs applying to one scope are expressed. */
    mode?: 'per-control' | 'policy-set' | 'auto';
  };
  /** Kyverno only. */
  kyverno?: {
    /** `--kyverno-api` (default `kyverno.io/v1`). */
    api?: 'kyverno.io/v1' | 'policies.kyverno.io/v1';
    /** `--kyverno-style` (default `cel`; ClusterPolicy only). */
    style?: 'cel' | 'pattern' | 'podsecurity';
  };
}

/**
 * A file a target returns besides its objects (e.g. `--emit-tests` test suites), written under the
 * target's output directory: `objects` as a multi-document YAML stream, `text` as is.
 */
export type TargetFile = { path: string; objects: KubernetesObject[] } | { path: string; text: string };

/** What a target returns. */
export interface TranslationResult {
  /** The objects to apply, in a deterministic order (output order). Names must be unique per kind and namespace. */
  objects: KubernetesObject[];
  /** The fidelity report; see {@link FidelityEntry} for what it must cover. */
  report: FidelityEntry[];
  /**
   * Files that are not objects to apply (tests for the engine's own CLI), by `/`-separated path
   * relative to the target's output directory. Only written with an output directory.
   */
  files?: TargetFile[];
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

/** A translation target: each target package exports one (`gatekeeperTarget`, `kyvernoTarget`, `psaTarget`, `vapTarget`). */
export interface TargetModule {
  /** The name users pass to `--target`; also the output subdirectory. */
  name: TargetName;
  /**
   * Translate every PSP of `inputs` (`inputs.policies`, never empty) with the RBAC that grants them.
   * Pure: same inputs, same output; no file system, no console. Throws only on a bug, never for
   * input it cannot express (that goes into the report).
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
