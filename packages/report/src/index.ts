// Public API of @psp-translate/report. Explicit named exports only; the list is pinned by a test.
export { report, aspectOf, type ReportInput, type ReportOptions } from './report.js';
export { renderReport, REPORT_FORMATS, type ReportFormat } from './render/render.js';
export { escapeHtml } from './render/h.js';
export {
  BUILTIN_TARGETS,
  ENFORCING_ACTIONS,
  OBSERVING_ACTIONS,
  gatekeeperReportTarget,
  kyvernoReportTarget,
  psaReportTarget,
  vapReportTarget,
  type EngineActionsLike,
  type ReportTarget,
  type TargetFidelityEntry,
  type TargetObject,
  type TargetTranslation,
  type TargetVerdictLike,
  type TargetWorkload,
  type TranslateOptionsLike,
} from './targets.js';
export type * from './model.js';
