/** The report as Markdown (a pull-request comment or a wiki page). */
import type { Report } from '../model.js';
import { CELL_WORDS, DEFAULT_WORDS, LEGEND, percent, scopeWords, workloadTitle } from './common.js';

/** Text safe inside a Markdown table cell or list item: no pipes, no HTML, no line breaks. */
export function markdownText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/[*_`[\]]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
}

/** Render the report as Markdown. */
export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  const names = report.targets.map((t) => t.name);
  const s = report.summary;
  const m = markdownText;
  out.push('# PSP migration report', '');
  out.push(`${s.policies} PodSecurityPolicies, ${s.scopes} scopes, ${s.namespaces} namespaces labelled.${s.unusedPolicies.length > 0 ? ` Unused: ${s.unusedPolicies.map(m).join(', ')}.` : ''}`, '');
  out.push(
    ...table(
      ['target', 'controls exact', 'approximate', 'not expressible', 'unreported', 'defaults emitted', 'defaults approximated', 'defaults lost'],
      s.targets.map((t) => [m(t.name), `${percent(t.exactShare)} (${t.byFidelity.exact + t.byFidelity.note}/${t.cells})`, String(t.byFidelity.approximate), String(t.byFidelity.unsupported), String(t.byFidelity.unreported), String(t.defaults.emitted), String(t.defaults.approximated), String(t.defaults.lost)]),
    ),
    '',
  );
  for (const target of report.targets) if (target.status === 'failed') out.push(`**${m(target.name)}: translation failed:** ${m(target.error ?? '')}`, '');

  const w = report.workloads;
  if (w !== undefined) {
    out.push('## Workloads', '');
    out.push(`${w.summary.workloads} workloads, ${w.summary.pspAdmitted} admitted by PSP.`, '');
    out.push(
      ...table(
        ['target', 'admits', 'rejects', 'security regressions', 'newly rejected', 'not evaluated'],
        names.flatMap((n) => {
          const c = w.summary.perTarget[n];
          return c === undefined ? [] : [[m(n), String(c.admitted), String(c.rejected), String(c.regressions), String(c.breakages), String(c.notEvaluated)]];
        }),
      ),
      '',
    );
    const regressions = w.differences.filter((d) => d.kind === 'regression');
    if (regressions.length > 0) {
      out.push('### Security regressions (admitted by a target, rejected by PSP)', '');
      for (const d of regressions) out.push(`- **${m(d.target)}** admits ${m(workloadTitle(d.workload))}; PSP rejected it: ${d.reasons.map(m).join('; ')}`);
      out.push('');
    }
    const breakages = w.differences.filter((d) => d.kind === 'breakage');
    if (breakages.length > 0) {
      out.push('### Newly rejected (admitted by PSP, rejected by a target)', '');
      for (const d of breakages) out.push(`- **${m(d.target)}** rejects ${m(workloadTitle(d.workload))}: ${d.reasons.map(m).join('; ')}`);
      out.push('');
    }
  }

  out.push('## PodSecurityPolicies', '', `_${m(LEGEND)}_`, '');
  for (const policy of report.policies) {
    out.push(`### ${m(policy.name)}`, '', `${m(`${policy.source.file}:${policy.source.line}`)}${policy.mutating ? ', mutating' : ''}`, '');
    if (policy.access.unused) out.push('- used by nobody: no binding grants it');
    for (const scope of policy.access.scopes) out.push(`- used by ${m(scopeWords(scope))}`);
    for (const g of policy.access.userGrants) out.push(`- granted to user ${m(g.user)} (${m(g.namespace === '*' ? 'every namespace' : g.namespace)})`);
    for (const g of policy.access.groupGrants) out.push(`- granted to group ${m(g.group)} (${m(g.namespace === '*' ? 'every namespace' : g.namespace)})`);
    for (const warning of policy.access.warnings) out.push(`- **warning:** ${m(warning)}`);
    out.push('');
    out.push(...table(['control', ...names.map(m)], policy.controls.map((row) => [m(row.control), ...names.map((n) => CELL_WORDS[row.cells[n]?.fidelity ?? 'unreported'])])), '');
    if (policy.defaults.length > 0) {
      out.push(...table(['default', 'value', ...names.map(m)], policy.defaults.map((row) => [m(row.control), `\`${row.value.replace(/`/g, "'")}\``, ...names.map((n) => DEFAULT_WORDS[row.cells[n]?.status ?? 'unreported'])])), '');
    }
    const how: string[] = [];
    for (const n of names) {
      for (const e of policy.notes[n] ?? []) how.push(`- ${m(n)}: ${e.fidelity}: ${m(e.message)}`);
      for (const row of policy.controls) for (const e of row.cells[n]?.entries ?? []) if (e.fidelity !== 'exact') how.push(`- ${m(n)}, ${m(row.control)}: ${e.fidelity}: ${m(e.message)}`);
      for (const row of policy.defaults) for (const e of row.cells[n]?.entries ?? []) if (e.fidelity !== 'exact') how.push(`- ${m(n)}, ${m(row.control)} default: ${e.fidelity}: ${m(e.message)}`);
    }
    if (how.length > 0) out.push('How:', '', ...how, '');
  }

  if (report.namespaces.length > 0) {
    out.push('## Pod Security Admission labels per namespace', '');
    out.push(
      ...table(
        ['namespace', 'labels', 'why'],
        report.namespaces.map((ns) => [m(ns.namespace), Object.entries(ns.labels).map(([k, v]) => `\`${k}=${v}\``).join(' '), m(ns.reasons.join(' '))]),
      ),
      '',
    );
  }
  const notes = report.targets.flatMap((t) => t.notes.map((e) => `- ${m(t.name)}: ${e.fidelity}: ${m(e.message)}`));
  if (notes.length > 0) out.push('## Target notes', '', ...notes, '');
  if (report.warnings.length > 0) out.push('## Warnings', '', ...report.warnings.map((w) => `- ${m(w)}`), '');
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}
