/**
 * The `psa` target (core's `TargetModule`, used by the CLI registry and the migration report): PSPs
 * and RBAC in, Namespace manifests with Pod Security labels and a fidelity report out.
 */
import type { InputSet, TargetModule, TranslationResult } from '@psp-translate/core';
import { inputNamespaceLabels, namespaceLabelEvaluator, translatedNamespaceLabels } from './evaluate-target.js';
import { namespacesOf, translatePsa, type NamespaceManifest, type PsaInput, type PsaReportEntry } from './translate.js';
import type { PsaMode } from './namespace.js';

/** What the CLI passes: its `TranslateOptions`, of which the target reads these parts. */
export interface PsaTargetOptions {
  /** `--action` in every engine's words; the target reads `actions.psa`. */
  readonly actions?: { readonly psa: PsaMode };
  /** `--kube-version` (`latest`, `1.29`, `v1.29.3`); default the newest policy version known. */
  readonly kubeVersion?: string;
}

/** What the target returns (the CLI's `TranslationResult`). */
export interface PsaTargetResult {
  objects: NamespaceManifest[];
  report: PsaReportEntry[];
}

/** The `psa` translation target. */
export const psaTarget = {
  name: 'psa' as const,
  translate(inputs: PsaInput, options: PsaTargetOptions = {}): PsaTargetResult {
    const mode = options.actions?.psa ?? 'enforce';
    const result = translatePsa(inputs, { mode, format: 'manifests', ...(options.kubeVersion === undefined ? {} : { kubeVersion: options.kubeVersion }) });
    const report = [...result.report];
    // Labels are per namespace: without one, an empty output would look like a translation that needed nothing.
    if (inputs.policies.length > 0 && namespacesOf(inputs).size === 0) {
      report.unshift({
        policy: null,
        control: null,
        fidelity: 'note',
        message:
          'no namespace found in the inputs: Pod Security Admission labels are set per namespace, so there is nothing to label; ' +
          'pass the Namespace objects (kubectl get namespaces -o yaml), or the namespaced RBAC or workloads that name them',
      });
    }
    if (mode !== 'enforce') {
      report.unshift({
        policy: null,
        control: null,
        fidelity: 'note',
        message: `--action ${mode}: the safe level is set as pod-security.kubernetes.io/${mode}, nothing is enforced`,
      });
    }
    return { objects: [...result.objects], report };
  },
  /** `check --target psa`: workloads judged by the labels the translation chose (over the inputs' own labels). */
  evaluate: (translation: Pick<TranslationResult, 'objects'>, inputs: Pick<InputSet, 'namespaces'>) =>
    namespaceLabelEvaluator(translatedNamespaceLabels(translation.objects, inputs)),
  /** `evaluate`: workloads judged by the labels the input Namespaces carry; every namespace is subject to PSA, so there is always something to judge. */
  evaluateExisting: (inputs: Pick<InputSet, 'namespaces'>) => namespaceLabelEvaluator(inputNamespaceLabels(inputs)),
} satisfies TargetModule;
