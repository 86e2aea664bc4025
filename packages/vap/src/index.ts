// Public API of @psp-translate/vap. Explicit named exports only; the list is pinned by a test.
export { translateVap, VALIDATE_RESOURCE_RULES, MUTATE_RESOURCE_RULES, type VapInput, type VapOptions, type VapTranslation } from './translate.js';
export { validationActionsFor, DEFAULT_VALIDATION_ACTIONS } from './action.js';
export {
  DEFAULT_KUBE_VERSION,
  NEWEST_KNOWN_KUBE_VERSION,
  hasValidatingPolicyV1,
  mutatingPolicyApi,
  parseKubeVersion,
  type KubeVersion,
  type MutatingPolicyApi,
} from './version.js';
export {
  TYPED_APPLY_PRINTER,
  defaultsPlan,
  mutationExpression,
  profileField,
  wouldChangeExpression,
  type ApplyPrinter,
  type DefaultMutation,
  type DefaultsPlan,
} from './mutation.js';
export { NAMESPACE_NAME_LABEL, REQUESTER_EXPRESSION, SERVICE_ACCOUNT_EXPRESSION, describeGroup, namespaceSelector, scopeConditions, type MatchCondition } from './scope.js';
export { vapTarget } from './target.js';
export { MATCH_CONDITION_IDENTIFIERS, matchConditionErrors, undeclaredReferences } from './stateless.js';
export {
  bindingsOf,
  evaluateVapExisting,
  evaluateVapTranslation,
  resourcesMatch,
  vapAdmission,
  vapEvaluator,
  workloadRequest,
  type MatchResources,
  type AdmissionOptions,
  type AdmissionOutcome,
  type AdmissionRequest,
  type AdmissionViolation,
  type ExistingPolicyEvaluator,
} from './evaluate.js';
export {
  celContext,
  matchConditionsHold,
  mergeApplyConfiguration,
  runValidation,
  typedConstructorsToMaps,
  usesAuthorizer,
  type CelValidation,
  type EvaluationMemo,
  type NamedExpression,
  type ValidationResult,
} from './evaluate-cel.js';
export type { CelCostEntry, Fidelity, FidelityEntry, KubernetesObject, ValidationAction } from './types.js';
