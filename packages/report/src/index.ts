// Public API of @psp-translate/report. Explicit named exports only; the list is pinned by a test.
export { report, type ReportInput, type ReportOptions } from './report.js';
export { renderReport, REPORT_FORMATS, type ReportFormat } from './render/render.js';
export { escapeHtml } from './render/h.js';
export { BUILTIN_TARGETS, ENFORCING_ACTIONS, OBSERVING_ACTIONS, type ReportTarget } from './targets.js';
export type * from './model.js';
export { exceptions, admittedWithExceptions, type ChartPod, type ChartWorkload, type ExceptionBaseline, type ExceptionsInput, type ExceptionsReportEntry, type ExceptionsResult, type ExceptionTarget } from './exceptions/exceptions.js';
export { FINE_CHECKS, needsFor, sanitise, type ContainerRef, type ExceptionNeed, type ExceptionWorkload } from './exceptions/needs.js';
export { KYVERNO_CONTROL_NAMES, KYVERNO_DEFAULT_POLICIES, kyvernoExceptions, type KyvernoExceptionOptions } from './exceptions/kyverno.js';
export { escapeGoTemplate, helmTemplates, type HelmFile, type HelmOptions } from './exceptions/helm.js';
