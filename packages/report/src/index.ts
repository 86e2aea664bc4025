// Public API of @psp-translate/report. Explicit named exports only; the list is pinned by a test.
export { report, type ReportInput, type ReportOptions } from './report.js';
export { renderReport, REPORT_FORMATS, type ReportFormat } from './render/render.js';
export { escapeHtml } from './render/h.js';
export { BUILTIN_TARGETS, ENFORCING_ACTIONS, OBSERVING_ACTIONS, type ReportTarget } from './targets.js';
export type * from './model.js';
export { exceptions, admittedWithExceptions, chartSelector, readOnlyHostPaths, type ChartPod, type ChartWorkload, type ExceptionBaseline, type ExceptionsInput, type ExceptionsReportEntry, type ExceptionsResult, type ExceptionTarget } from './exceptions/exceptions.js';
export { FINE_CHECKS, needsFor, sanitise, type ContainerRef, type ExceptionNeed, type ExceptionWorkload } from './exceptions/needs.js';
export { KYVERNO_CONTROL_NAMES, KYVERNO_DEFAULT_POLICIES, kyvernoExceptions, type KyvernoExceptionOptions } from './exceptions/kyverno.js';
export { gatekeeperExceptions, gatekeeperBaselineObjects, applyGatekeeperExclusions, type GatekeeperExceptionsInput, type GatekeeperExclusion } from './exceptions/gatekeeper.js';
export { vapExceptions, vapBaselineObjects, EXCEPTION_PART_ANNOTATION, type VapExceptionsInput } from './exceptions/vap.js';
export { levelPolicy, levelPolicyName, chartPolicy, PSP_MODELLED_CHECKS, type ChartSelector } from './exceptions/level-policy.js';
export { escapeGoTemplate, helmTemplates, type HelmFile, type HelmOptions } from './exceptions/helm.js';
