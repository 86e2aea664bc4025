// The reference PSP evaluator: the oracle every emitter is tested against.
export type {
  AdmissionOperation,
  AdmissionResult,
  AdmissionWarning,
  AdmitOptions,
  EvaluateOptions,
  JsonPatchOp,
  PodContext,
  PolicyVerdict,
  Reason,
} from './types.js';
export { evaluatePolicy, fieldPathOfPointer, unusablePolicyReasons } from './evaluate.js';
export { admit, NO_CANDIDATES_MESSAGE } from './admit.js';
export { hasPathPrefix, hostPathAllowed } from './host-path.js';
export type { AllowedHostPath, HostPathDecision } from './host-path.js';
export { SAFE_SYSCTLS_1_24, SAFE_SYSCTLS_ADDED_AFTER_1_24, classifySysctl, sysctlMatches } from './sysctls.js';
export type { SysctlDecision } from './sysctls.js';
export { VOLUME_SOURCE_TYPES, volumeFsType } from './volumes.js';
export {
  APPARMOR_CONTAINER_ANNOTATION_PREFIX,
  SECCOMP_CONTAINER_ANNOTATION_PREFIX,
  SECCOMP_POD_ANNOTATION,
  VALIDATED_PSP_ANNOTATION,
  appArmorAnnotationForField,
  profileFieldForAnnotation,
  seccompAnnotationForField,
  type ProfileFieldValue,
  selinuxLevelsEqual,
} from './profiles.js';
export { jsonPointer, type Segment } from './pod-draft.js';
export { applyJsonPatch } from './json-patch.js';
