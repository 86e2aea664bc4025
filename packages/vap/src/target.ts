/**
 * The CLI adapter: core's `TargetModule` contract for `--target vap` (registered in
 * packages/cli/src/targets.ts).
 */
import { buildRbacIndex, scopeGroups, type InputSet, type TargetModule, type TranslateOptions, type TranslationResult } from '@psp-translate/core';
import { evaluateVapExisting, evaluateVapTranslation } from './evaluate.js';
import { translateVap } from './translate.js';
import { parseKubeVersion, validatingPolicyApiNote } from './version.js';

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
    // translateVap says the objects need 1.30+; this says what an older cluster has instead.
    const versionNote = options.kubeVersion === undefined ? undefined : validatingPolicyApiNote(parseKubeVersion(options.kubeVersion));
    if (versionNote !== undefined) report.push({ policy: null, control: null, fidelity: 'note', message: versionNote });
    return { objects, report };
  },
  evaluate: evaluateVapTranslation,
  evaluateExisting: evaluateVapExisting,
} satisfies TargetModule;
