// Public API of @psp-translate/gatekeeper. Explicit named exports only; the list is pinned by a test.
export { translateGatekeeper } from './translate.js';
export { gatekeeperAction } from './action.js';
export { constraintKind, templateName, objectName, isDns1123Name, POLICY_SET_KIND, MAX_MUTATOR_NAME } from './names.js';
export { mutatorHandlers, planMutators, containerLocation, seccompProfileField, appArmorProfileField } from './mutators.js';
export type { MutatorDraft, AssignDraft, ModifySetDraft, MutatorPlan, MutatorOperations } from './mutators.js';
export { serializeObjects } from './serialize.js';
export { SOURCE_ANNOTATION } from './emit-mutators.js';
export type {
  KubernetesObject,
  FidelityEntry,
  Fidelity,
  NameSelector,
  GatekeeperScopeGroup,
  GatekeeperMode,
  GatekeeperAction,
  GatekeeperOptions,
  GatekeeperInput,
  GatekeeperOutput,
} from './types.js';
export { gatekeeperTarget } from './target.js';
export type { GatekeeperTargetOptions, GatekeeperWorkload } from './target.js';
export { gatekeeperEvaluator } from './runtime/evaluate.js';
export type { GatekeeperReview, GatekeeperDecision } from './runtime/evaluate.js';
export { applyMutator, mutatePod, parseLocation } from './runtime/mutation-interpreter.js';
export type { MutatorObject, PathNode } from './runtime/mutation-interpreter.js';
export { evaluateGatekeeperExisting, type GatekeeperExistingEvaluator } from './evaluate-existing.js';
