// Public API of @psp-translate/psa. Explicit named exports only; the list is pinned by a test.
export {
  LATEST_VERSION,
  LEVELS,
  compareLevels,
  effectiveMinor,
  formatLevelVersion,
  formatVersion,
  isLevel,
  parseLevel,
  parseKubeVersion,
  parseLevelVersion,
  parseVersion,
} from './version.js';
export type { Level, LevelVersion, PsaMinorVersion, PsaVersion } from './version.js';
export { checks } from './checks/index.js';
export { BASELINE_CAPABILITIES } from './checks/capabilities.js';
export { RESTRICTED_VOLUME_SOURCES } from './checks/restricted-volumes.js';
export type { Check, CheckId, CheckPodFn, CheckResult, VersionedCheck } from './checks/index.js';
export { checksFor, evaluatePod, evaluatePodSpec } from './evaluate.js';
export type { ActiveCheck, CheckOutcome, PodEvaluation } from './evaluate.js';
export { DEFAULT_NAMESPACE_POLICY, PSA_LABEL_PREFIX, evaluateNamespacePolicy, namespaceLabels, parseNamespacePolicy } from './namespace.js';
export type { NamespaceDecision, NamespaceLabelError, NamespaceLike, NamespacePolicy, ParsedNamespacePolicy, PsaMode } from './namespace.js';
export { assessPolicy } from './assessment/assess.js';
export type { AssessOptions, Assessment, CheckBlocker, VersionRange } from './assessment/assess.js';
export type { Finding } from './assessment/blockers.js';
export type { PolicyFacts } from './assessment/facts.js';
export type { LostDefault, LostDefaultEffect, LostProtection } from './assessment/lost.js';
export { PSP_MAPPING } from './assessment/mapping.js';
export type { FieldMapping, MappedField, MappingRow } from './assessment/mapping.js';
export type { Gap } from './assessment/gaps.js';
export { mirrorSeccompProfiles } from './seccomp-mirror.js';
export { kubectlLabelCommands, namespacesOf, translatePsa } from './translate.js';
export { psaTarget } from './target.js';
export type { PsaTargetOptions, PsaTargetResult } from './target.js';
export type {
  NamespaceDecisionReport,
  NamespaceManifest,
  PinnedLevel,
  PsaFidelity,
  PsaInput,
  PsaOutputFormat,
  PsaReportEntry,
  PsaScopeGroup,
  PsaTranslateOptions,
  PsaTranslation,
} from './translate.js';
