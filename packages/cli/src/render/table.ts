/**
 * The text format: a table a person takes in at a glance (workload, verdict, policy, why), then the
 * differences, warnings and what was not evaluated. Coloured only when asked (see `colourEnabled`).
 */
import Table from 'cli-table3';
import pc from 'picocolors';
import type { RenderOptions } from './render.js';
import type { Report, WorkloadResult } from './report.js';
import { differenceSections, headline, pspPolicy, pspWhy, targetColumns, targetVerdict, targetWhy, warningItems, warningNumbers } from './text.js';

/**
 * Wrap `text` to `width` columns: at spaces, and inside a long token (a field path) after `.`,
 * `/` or `]` where possible, so paths stay readable.
 */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    const indent = /^ */.exec(paragraph)?.[0] ?? '';
    let line = '';
    const words = paragraph.slice(indent.length).split(' ');
    const flush = () => {
      lines.push(line);
      line = indent;
    };
    line = indent;
    for (let word of words) {
      const room = () => width - line.length - (line.trim() === '' ? 0 : 1);
      if (word.length <= room()) {
        line += (line.trim() === '' ? '' : ' ') + word;
        continue;
      }
      if (line.trim() !== '' && word.length <= width - indent.length) {
        flush();
        line += word;
        continue;
      }
      // A token longer than the room left: break it at a separator.
      while (word.length > room()) {
        const space = room();
        if (space <= 0) {
          flush();
          continue;
        }
        const head = word.slice(0, space);
        // Break after `.`, `/` or `]`, or before `[`, in the second half of the room.
        const cut = Math.max(head.lastIndexOf('.') + 1, head.lastIndexOf('/') + 1, head.lastIndexOf(']') + 1, head.lastIndexOf('['));
        const at = cut >= Math.ceil(space / 2) ? cut : space;
        line += (line.trim() === '' ? '' : ' ') + word.slice(0, at);
        word = word.slice(at);
        flush();
      }
      if (word !== '') line += (line.trim() === '' ? '' : ' ') + word;
    }
    lines.push(line);
  }
  return lines.map((l) => l.trimEnd());
}

type Colours = ReturnType<typeof pc.createColors>;

function toneColour(colours: Colours, tone: 'good' | 'bad' | 'alarm' | 'muted'): (text: string) => string {
  switch (tone) {
    case 'good':
      return colours.green;
    case 'bad':
      return colours.red;
    case 'alarm':
      return (text) => colours.bold(colours.magenta(text));
    case 'muted':
      return colours.dim;
  }
}

interface Column {
  head: string;
  /** Natural width: the longest line the column would like. */
  want: number;
  /** Never narrower than this. */
  min: number;
  /** Takes the width left over. */
  flexible?: boolean;
  cells: { text: string; colour?: (text: string) => string }[];
}

/**
 * Fit columns into `width` (cli-table3 adds 3 characters per column for borders and padding): fixed
 * columns get what they want up to 28, the flexible one the rest; when that leaves it under its
 * minimum, the widest fixed columns give way down to their own minimums.
 */
function layout(columns: Column[], width: number): number[] {
  const widths = columns.map((column) => (column.flexible ? column.min : Math.max(column.min, Math.min(column.want, 28))));
  const chrome = columns.length * 3 + 1;
  const total = () => chrome + widths.reduce((a, b) => a + b, 0);
  while (total() > width) {
    let widest = -1;
    columns.forEach((column, index) => {
      if (!column.flexible && (widths[index] as number) > column.min && (widest < 0 || (widths[index] as number) > (widths[widest] as number))) widest = index;
    });
    if (widest < 0) break;
    widths[widest] = (widths[widest] as number) - 1;
  }
  const flexible = columns.findIndex((column) => column.flexible);
  if (flexible >= 0) widths[flexible] = Math.max(columns[flexible]!.min, Math.min(columns[flexible]!.want, width - total() + (widths[flexible] as number)));
  return widths;
}

function longestLine(text: string): number {
  return Math.max(0, ...text.split('\n').map((line) => line.length));
}

function column(head: string, texts: { text: string; colour?: (text: string) => string }[], min: number, flexible = false): Column {
  return { head, cells: texts, min, flexible, want: Math.max(head.length, ...texts.map((cell) => longestLine(cell.text))) };
}

/** The report as a table with sections, ending with a newline. */
export function renderTable(report: Report, options: RenderOptions): string {
  const colours = pc.createColors(options.colour);
  const numbers = warningNumbers(report);
  const { evaluated, notEvaluated } = targetColumns(report);
  const rows = report.results;
  const workloadCell = (result: WorkloadResult) => ({ text: `${result.workload.kind}\n${result.workload.namespace}/${result.workload.name}\nsa ${result.workload.serviceAccount}` });

  const columns: Column[] = [column('Workload', rows.map(workloadCell), 12)];
  if (report.command === 'check') {
    columns.push(
      column(
        'PSP',
        rows.map((result) => (result.psp?.admitted ? { text: 'admitted', colour: colours.green } : { text: 'REJECTED', colour: (t: string) => colours.bold(colours.red(t)) })),
        8,
      ),
      column('Policy', rows.map((result) => ({ text: pspPolicy(result) })), 8),
    );
    const why = rows.map((result) => {
      const refs = numbers.get(result) ?? [];
      const lines = [...pspWhy(result), ...(refs.length > 0 ? [`see warning${refs.length > 1 ? 's' : ''} ${refs.join(', ')}`] : [])];
      return { text: lines.join('\n') };
    });
    columns.push(column('Why', why, 24, true));
    for (const target of evaluated) {
      columns.push(
        column(
          target,
          rows.map((result) => {
            const verdict = targetVerdict(result, target);
            return { text: verdict.text, colour: toneColour(colours, verdict.tone) };
          }),
          8,
        ),
      );
    }
  } else {
    for (const target of evaluated) {
      columns.push(
        column(
          target,
          rows.map((result) => {
            const verdict = targetVerdict(result, target);
            return { text: verdict.text, colour: toneColour(colours, verdict.tone) };
          }),
          8,
        ),
      );
    }
    columns.push(column('Why', rows.map((result) => ({ text: targetWhy(result, evaluated).join('\n') })), 24, true));
  }

  const widths = layout(columns, options.width);
  const table = new Table({
    head: columns.map((c) => colours.bold(c.head)),
    colWidths: widths.map((w) => w + 2),
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1 },
    wordWrap: false,
  });
  for (let row = 0; row < rows.length; row++) {
    table.push(
      columns.map((c, index) => {
        const cell = c.cells[row] ?? { text: '' };
        const wrapped = wrapText(cell.text, widths[index] as number);
        return wrapped.map((line) => (cell.colour && line !== '' ? cell.colour(line) : line)).join('\n');
      }),
    );
  }

  const out: string[] = [...headline(report), '', table.toString()];
  const bullet = (text: string, indent = '  ') => wrapText(text, Math.max(20, options.width - indent.length - 2)).map((line, i) => `${i === 0 ? `${indent}- ` : `${indent}  `}${line}`);
  for (const section of differenceSections(report)) {
    out.push('', colours.bold(section.title.startsWith('Security') ? colours.magenta(section.title) : colours.red(section.title)));
    for (const item of section.items) out.push(...bullet(item));
  }
  const warnings = warningItems(report);
  if (warnings.length > 0) {
    out.push('', colours.bold(colours.yellow('Warnings')));
    for (const { number, warning, workloads } of warnings) {
      out.push(...wrapText(`${number}. ${warning}`, options.width - 2).map((line, i) => (i === 0 ? `  ${line}` : `     ${line}`)));
      out.push(...wrapText(`workloads: ${workloads.join(', ')}`, options.width - 5).map((line) => `     ${colours.dim(line)}`));
    }
  }
  if (report.clusterWarnings.length > 0) {
    out.push('', colours.bold(colours.yellow('Cluster warnings')));
    for (const warning of report.clusterWarnings) out.push(...bullet(warning));
  }
  if (notEvaluated.length > 0) {
    out.push('', colours.bold('Not evaluated'));
    for (const { target, why } of notEvaluated) out.push(...bullet(`${target}: ${why}`));
  }
  return `${out.join('\n')}\n`;
}
