// One entry point for every report format.
import type { Report } from '../model.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { renderText } from './text.js';

/** The formats `renderReport` prints. */
export const REPORT_FORMATS = ['text', 'markdown', 'json', 'html'] as const;
/** One of {@link REPORT_FORMATS}: how {@link renderReport} prints the migration report. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * Print a report: `text` for a terminal, `markdown` for a pull request, `json` (the {@link Report}
 * model, 2-space indented), or `html` (one self-contained page).
 */
export function renderReport(report: Report, format: ReportFormat): string {
  switch (format) {
    case 'text':
      return renderText(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'html':
      return renderHtml(report);
  }
}
