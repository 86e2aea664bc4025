/**
 * The markdown format: fits a pull-request comment (GitHub-flavoured tables, no HTML beyond `<br>`),
 * with the differences first, then the table, warnings and what was not evaluated.
 */
import type { Report, WorkloadResult } from './report.js';
import { differenceSections, headline, pspPolicy, pspWhy, targetColumns, targetVerdict, targetWhy, warningItems, warningNumbers } from './text.js';

/** Text safe inside a table cell: pipes escaped, HTML-ish characters neutralised, lines joined with `<br>`. */
export function markdownCell(text: string): string {
  return text
    .split('\n')
    .map((line) => inline(line.replace(/^ +/, (spaces) => '\u00a0'.repeat(spaces.length))))
    .join('<br>');
}

/** Text safe in markdown prose: no accidental formatting, HTML or table breaks. */
function inline(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (character) => `\\${character}`);
}

function verdictIcon(admitted: boolean | null | undefined): string {
  return admitted === true ? '✅' : admitted === false ? '❌' : '➖';
}

/** The report as markdown, ending with a newline. */
export function renderMarkdown(report: Report): string {
  const numbers = warningNumbers(report);
  const { evaluated, notEvaluated } = targetColumns(report);
  const title = report.command === 'check' ? '### psp-translate check' : '### psp-translate evaluate';
  const out: string[] = [title, '', ...headline(report).map(inline)];

  for (const section of differenceSections(report)) {
    out.push('', `**${inline(section.title.startsWith('Security') ? `🚨 ${section.title}` : `⚠️ ${section.title}`)}**`, '');
    for (const item of section.items) out.push(`- ${inline(item)}`);
  }

  const head = ['Workload', ...(report.command === 'check' ? ['PSP', 'Policy', 'Why'] : []), ...evaluated, ...(report.command === 'evaluate' ? ['Why'] : [])];
  const row = (result: WorkloadResult): string[] => {
    const workload = `${result.workload.kind} \`${result.workload.namespace}/${result.workload.name}\`<br>sa \`${result.workload.serviceAccount}\``;
    const targets = evaluated.map((target) => {
      const verdict = targetVerdict(result, target);
      const icon = verdict.tone === 'alarm' ? '🚨' : verdict.tone === 'good' ? '✅' : verdict.tone === 'bad' ? '❌' : '➖';
      return `${icon} ${inline(verdict.text.replace('\n', ' '))}`;
    });
    if (report.command === 'evaluate') return [workload, ...targets, markdownCell(targetWhy(result, evaluated).join('\n'))];
    const refs = numbers.get(result) ?? [];
    const why = [...pspWhy(result), ...(refs.length > 0 ? [`see warning${refs.length > 1 ? 's' : ''} ${refs.join(', ')}`] : [])];
    const verdict = `${verdictIcon(result.psp?.admitted)} ${result.psp?.admitted ? 'admitted' : 'rejected'}`;
    return [workload, verdict, markdownCell(pspPolicy(result)), markdownCell(why.join('\n')), ...targets];
  };
  out.push('', `| ${head.map(inline).join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`);
  for (const result of report.results) out.push(`| ${row(result).join(' | ')} |`);

  const warnings = warningItems(report);
  if (warnings.length > 0) {
    out.push('', '**Warnings**', '');
    for (const { number, warning, workloads } of warnings) out.push(`${number}. ${inline(warning)}<br>_workloads: ${inline(workloads.join(', '))}_`);
  }
  if (report.clusterWarnings.length > 0) {
    out.push('', '**Cluster warnings**', '');
    for (const warning of report.clusterWarnings) out.push(`- ${inline(warning)}`);
  }
  if (notEvaluated.length > 0) {
    out.push('', '**Not evaluated**', '');
    for (const { target, why } of notEvaluated) out.push(`- ${inline(`${target}: ${why}`)}`);
  }
  return `${out.join('\n')}\n`;
}
