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
import type { TargetModule } from '@psp-translate/core';
import type { TargetName } from './target-names.js';

export { TARGET_NAMES, type TargetName } from './target-names.js';
// The contract lives in core (packages/core/src/target.ts) so target packages and the report share it.
export type {
  Fidelity,
  FidelityAspect,
  FidelityEntry,
  KubernetesObject,
  TargetFile,
  TargetModule,
  TargetVerdict,
  TranslateOptions,
  TranslationResult,
  WorkloadContext,
  WorkloadEvaluator,
  WorkloadRef,
} from '@psp-translate/core';

/** Every target by name; `undefined` = not implemented in this version. */
export type TargetRegistry = Readonly<Record<TargetName, TargetModule | undefined>>;

/** The targets this version of psp-translate ships; each package is imported on first use. */
export const targets: TargetRegistry = {
  gatekeeper: {
    name: 'gatekeeper',
    translate: async (inputs, options) => (await import('@psp-translate/gatekeeper')).gatekeeperTarget.translate(inputs, options),
    evaluate: async (translation, inputs) => (await import('@psp-translate/gatekeeper')).gatekeeperTarget.evaluate(translation, inputs),
    evaluateExisting: async (inputs) => (await import('@psp-translate/gatekeeper')).evaluateGatekeeperExisting(inputs),
  },
  kyverno: {
    name: 'kyverno',
    translate: async (inputs, options) => (await import('@psp-translate/kyverno')).kyvernoTarget.translate(inputs, options),
    evaluate: async (translation, inputs) => (await import('@psp-translate/kyverno')).kyvernoTarget.evaluate(translation, inputs),
    evaluateExisting: async (inputs) => (await import('@psp-translate/kyverno')).evaluateKyvernoExisting(inputs),
  },
  psa: {
    name: 'psa',
    translate: async (inputs, options) => (await import('@psp-translate/psa')).psaTarget.translate(inputs, options),
    evaluate: async (translation, inputs) => (await import('@psp-translate/psa')).psaTarget.evaluate(translation, inputs),
    evaluateExisting: async (inputs) => (await import('@psp-translate/psa')).psaTarget.evaluateExisting(inputs),
  },
  vap: {
    name: 'vap',
    translate: async (inputs, options) => (await import('@psp-translate/vap')).vapTarget.translate(inputs, options),
    evaluate: async (translation, inputs) => (await import('@psp-translate/vap')).vapTarget.evaluate(translation, inputs),
    evaluateExisting: async (inputs) => (await import('@psp-translate/vap')).vapTarget.evaluateExisting(inputs),
  },
};
