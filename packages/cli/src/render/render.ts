/**
 * Printing a check/evaluate report: `text` (a table for a terminal), `markdown` (a pull-request
 * comment) or `json` (the contract scripts read).
 */
import type { OutputFormat } from './formats.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import type { Report } from './report.js';
import { renderTable } from './table.js';

export { colourEnabled, OUTPUT_FORMATS, type OutputFormat } from './formats.js';

/** How the text format is laid out. */
export interface RenderOptions {
  /** ANSI colours (text format only). */
  colour: boolean;
  /** Terminal width the table should fit (text format only). */
  width: number;
}

/** The report in `format`, ending with a newline. */
export function renderReport(report: Report, format: OutputFormat, options: RenderOptions): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'text':
      return renderTable(report, options);
  }
}
