/**
 * The CLI adapter: core's `TargetModule` contract for `--target vap` (registered in
 * packages/cli/src/targets.ts).
 */
import { buildRbacIndex, scopeGroups, type InputSet, type TargetModule, type TranslateOptions, type TranslationResult } from '@psp-translate/core';
import { evaluateVapExisting, evaluateVapTranslation } from './evaluate.js';
import { translateVap } from './translate.js';

/**
 * `--target vap`: RBAC resolved into scope groups, then {@link translateVap}. Pure. Workloads are
 * judged in-process (./evaluate.ts): by the translation for `check`, by the inputs' own
 * ValidatingAdmissionPolicies and bindings for `evaluate`.
 */
export const vapTarget = {
  name: 'vap' as const,
  translate(inputs: InputSet, options: TranslateOptions): TranslationResult {
    const groups = scopeGroups(buildRbacIndex(inputs.rbac), inputs.policies);
    const { objects, report } = translateVap(
      { policies: inputs.policies, scopeGroups: groups },
      {
        validationActions: options.actions.vap,
        ...(options.kubeVersion === undefined ? {} : { kubeVersion: options.kubeVersion }),
        ...(options.mutate === undefined ? {} : { mutate: options.mutate }),
      },
    );
    return { objects, report };
  },
  evaluate: evaluateVapTranslation,
  evaluateExisting: evaluateVapExisting,
} satisfies TargetModule;
