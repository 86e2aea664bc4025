// CEL for PSP controls: one declarative definition per control (./controls.ts in the check language
// of ./ast.ts), a CEL printer, composition across candidate policies, and an in-process runner.
export {
  CONTAINER_VAR,
  OBJECT_VAR,
  and,
  concat,
  cond,
  contains,
  endsWith,
  eq,
  every,
  get,
  has,
  inRanges,
  isIn,
  lit,
  nonEmpty,
  not,
  onlyKey,
  or,
  param,
  selinuxLevelEq,
  some,
  startsWith,
  startsWithAny,
  v,
  cmp,
  type Expr,
  type Json,
  type Key,
  type Rule,
  type Scope,
} from './ast.js';
export { PSP_SAFE_SYSCTLS, VOLUME_SOURCE_KEYS, controlDefinitions, paramsFor, type ControlDefinition, type ControlParams } from './controls.js';
export { UNROLL_LIMIT, fold, jsonEqual, selinuxLevelsEqual as celSelinuxLevelsEqual, type FoldContext } from './fold.js';
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
  type InlineControlCel,
  type PolicySetCel,
} from './control-cel.js';
export { compileCel, evaluateCel, fromCelValue, toCelValue, type CelProgram } from './runtime.js';
export { CEL_PER_CALL_LIMIT, CEL_RUNTIME_BUDGET, estimateCelCost, type CelCostOptions } from './cost.js';
export { celFidelity, type CelFidelity } from './fidelity.js';
