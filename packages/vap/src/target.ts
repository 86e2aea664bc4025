/**
 * The CLI adapter: the `TargetModule` shape of packages/cli/src/targets.ts, declared structurally so
 * this package does not depend on the CLI. The CLI registers it as `vap: vapTarget`.
 */
import { buildRbacIndex, scopeGroups, type InputSet } from '@psp-translate/core';
import { translateVap } from './translate.js';
import type { FidelityEntry, KubernetesObject, ValidationAction } from './types.js';

/** The options the CLI passes (its `TranslateOptions`, the fields this target reads). */
export interface VapTargetOptions {
  /** `--action` in every engine's words; this target reads `vap`. */
  actions: { vap: readonly ValidationAction[] };
  /** `--kube-version`, when the CLI has it. */
  kubeVersion?: string;
}

/** `--target vap`: RBAC resolved into scope groups, then {@link translateVap}. Pure. */
export const vapTarget = {
  name: 'vap' as const,
  translate(inputs: InputSet, options: VapTargetOptions): { objects: KubernetesObject[]; report: FidelityEntry[] } {
    const index = buildRbacIndex(inputs.rbac);
    const groups = scopeGroups(index, inputs.policies);
    const { objects, report } = translateVap(
      { policies: inputs.policies, scopeGroups: groups },
      { validationActions: options.actions.vap, ...(options.kubeVersion === undefined ? {} : { kubeVersion: options.kubeVersion }) },
    );
    return { objects, report };
  },
};
