// Public API of @psp-translate/kyverno. Explicit named exports only; the list is pinned by a test.
export { translateKyverno, planScopes, validationPolicyName, type KyvernoInput, type CandidateSet, type ScopePlan } from './translate.js';
export { kyvernoAction, type KyvernoAction, type NeutralAction } from './action.js';
export { dnsLabel, stableDigest } from './names.js';
export { admitsEveryPod } from './permissive.js';
export {
  defaultsPlan,
  profileField,
  type AppArmorDefault,
  type CapabilitiesDefault,
  type ContainerFieldDefault,
  type DefaultEdit,
  type DefaultsPlan,
  type PodFieldDefault,
  type ProfileField,
} from './mutate/defaults.js';
export { POD_SECURITY_VERSION } from './validate/pod-security.js';
export { TEST_EXCEPTION_FILE, TEST_POLICY_FILE, TEST_RESOURCE_FILE } from './tests-file.js';
export type {
  ExemptionMode,
  FidelityEntry,
  Fidelity,
  KubernetesObject,
  KyvernoApi,
  KyvernoOptions,
  KyvernoStyle,
  KyvernoTestFiles,
  KyvernoTranslation,
  NameSelectorLike,
  ScopeGroupLike,
} from './types.js';
export { kyvernoEvaluator, kyvernoTarget, translateInputs, type KyvernoTargetOptions, type KyvernoVerdict, type KyvernoWorkload } from './target.js';
export { applyMerge, constructorsToMaps, runMutatingPolicy } from './apply-configuration.js';
export { evaluateKyvernoExisting, type KyvernoExistingEvaluator } from './evaluate-existing.js';
