// CEL for PSP controls: one declarative definition per control (./controls.ts in the check language
// of ./ast.ts), a CEL printer, composition across candidate policies, and an in-process runner.
// The check language's node types (under both their short names, which the engine packages
// already use, and Check-prefixed ones); the builders stay internal (import ./ast.js inside core).
export {
  CONTAINER_VAR as CHECK_CONTAINER_VAR,
  OBJECT_VAR as CHECK_OBJECT_VAR,
  type Expr,
  type Expr as CheckExpr,
  type Json,
  type Json as CheckJson,
  type Key,
  type Key as CheckKey,
  type Rule,
  type Rule as CheckRule,
  type Scope,
  type Scope as CheckScope,
} from './ast.js';
export { PSP_SAFE_SYSCTLS, VOLUME_SOURCE_KEYS, controlDefinitions, paramsFor,
  paramsFor as controlParamsFor, type ControlDefinition, type ControlParams } from './controls.js';
export { fold, fold as foldCheck, type FoldContext } from './fold.js';
export { celLiteral, celString } from './literal.js';
export { printCel, type PrintNames } from './print.js';
export {
  celControls,
  controlCondition,
  policyAdmitsExpression,
  policyControlExpressions,
  policyMessageExpression,
  policyParams,
  policySetExpression,
  ruleCondition,
  type CandidateCel,
  type CelControl,
  type CelOptions,
  type InlineCheckCel,
  type InlineControlCel,
  type PolicySetCel,
} from './control-cel.js';
export { compileCel, evaluateCel, fromCelValue, toCelValue, type CelProgram } from './runtime.js';
export { CEL_PER_CALL_LIMIT, CEL_RUNTIME_BUDGET, estimateCelCost, type CelCostOptions } from './cost.js';
export { celFidelity, type CelFidelity } from './fidelity.js';
export {
  DEFAULTS_VAR,
  afterDefaults,
  chosenPolicyExpression,
  controlConditionAfterDefaults,
  policyAdmitsAfterDefaultsExpression,
  policyControlExpressionsAfterDefaults,
  policyDefaults,
  policyWouldChangeExpression,
  wouldChangeCondition,
  type ChosenPolicyCel,
  type DefaultsAwareCandidate,
  type PolicyDefaults,
} from './defaults.js';
