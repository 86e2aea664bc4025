/** The report as plain text for a terminal: summary first, regressions before breakages. */
import type { Report } from '../model.js';
import { CELL_WORDS, DEFAULT_WORDS, LEGEND, scopeWords, targetSummaryLine, workloadTitle } from './common.js';

/**
 * Lay out rows as columns: each column as wide as its widest cell plus two spaces, so no cell ever
 * runs into the next (`readOnlyRootFilesystem` is wider than a fixed 22); no trailing spaces.
 */
function columns(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows.map((row) => `${indent}${row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd((widths[index] ?? 0) + 2))).join('')}`.trimEnd());
}

/** Render the report as text. */
export function renderText(report: Report): string {
  const out: string[] = [];
  const line = (text = '') => out.push(text);
  const names = report.targets.map((t) => t.name);
  const s = report.summary;
  line('PSP migration report');
  line(`${s.policies} PodSecurityPolicies, ${s.scopes} scopes${s.unusedPolicies.length > 0 ? `, unused: ${s.unusedPolicies.join(', ')}` : ''}, ${s.namespaces} namespaces labelled`);
  for (const target of s.targets) line(`  ${targetSummaryLine(target)}`);
  for (const target of report.targets) if (target.status === 'failed') line(`  ${target.name}: translation FAILED: ${target.error ?? ''}`);

  const w = report.workloads;
  if (w !== undefined) {
    line();
    line(`Workloads: ${w.summary.workloads}, PSP admitted ${w.summary.pspAdmitted}`);
    for (const name of names) {
      const c = w.summary.perTarget[name];
      if (c === undefined) continue;
      line(`  ${name}: ${c.notEvaluated === w.summary.workloads ? 'not evaluated' : `admits ${c.admitted}, rejects ${c.rejected}, security regressions ${c.regressions}, newly rejected ${c.breakages}`}`);
    }
    const regressions = w.differences.filter((d) => d.kind === 'regression');
    const breakages = w.differences.filter((d) => d.kind === 'breakage');
    if (regressions.length > 0) {
      line();
      line('SECURITY REGRESSIONS: admitted by a target, rejected by PSP');
      for (const d of regressions) line(`  ${d.target}: ${workloadTitle(d.workload)}: PSP rejected it: ${d.reasons.join('; ')}`);
    }
    if (breakages.length > 0) {
      line();
      line('Newly rejected: admitted by PSP, rejected by a target');
      for (const d of breakages) line(`  ${d.target}: ${workloadTitle(d.workload)}: ${d.reasons.join('; ')}`);
    }
  }

  for (const policy of report.policies) {
    line();
    line(`PodSecurityPolicy ${policy.name} (${policy.source.file}:${policy.source.line})${policy.mutating ? ', mutating' : ''}`);
    if (policy.access.unused) line('  used by: nobody (no binding grants it)');
    for (const scope of policy.access.scopes) line(`  used by: ${scopeWords(scope)}`);
    for (const grant of policy.access.userGrants) line(`  granted to user ${grant.user} (${grant.namespace === '*' ? 'every namespace' : grant.namespace})`);
    for (const grant of policy.access.groupGrants) line(`  granted to group ${grant.group} (${grant.namespace === '*' ? 'every namespace' : grant.namespace})`);
    for (const warning of policy.access.warnings) line(`  warning: ${warning}`);
    // Controls and defaults share column widths, so the two tables line up under each other.
    const controlRows = [['control', ...names], ...policy.controls.map((row) => [row.control, ...names.map((n) => CELL_WORDS[row.cells[n]?.fidelity ?? 'unreported'])])];
    const defaultRows = policy.defaults.length === 0 ? [] : [['default', ...names, 'value'], ...policy.defaults.map((row) => [row.control, ...names.map((n) => DEFAULT_WORDS[row.cells[n]?.status ?? 'unreported']), row.value])];
    out.push(...columns([...controlRows, ...defaultRows]));
    for (const name of names) {
      for (const entry of policy.notes[name] ?? []) line(`  ${name}: ${entry.fidelity}: ${entry.message}`);
      for (const row of policy.controls) for (const entry of row.cells[name]?.entries ?? []) if (entry.fidelity !== 'exact') line(`  ${name}: ${row.control}: ${entry.fidelity}: ${entry.message}`);
      for (const row of policy.defaults) for (const entry of row.cells[name]?.entries ?? []) if (entry.fidelity !== 'exact') line(`  ${name}: ${row.control} default: ${entry.fidelity}: ${entry.message}`);
    }
  }
  line();
  line(LEGEND);

  if (report.namespaces.length > 0) {
    line();
    line('Pod Security Admission labels per namespace');
    for (const ns of report.namespaces) {
      const labels = Object.entries(ns.labels).map(([k, v]) => `${k.replace('pod-security.kubernetes.io/', '')}=${v}`).join(' ');
      line(`  ${ns.namespace}: ${labels || '(none)'}`);
      for (const reason of ns.reasons) line(`    ${reason}`);
    }
  }
  const notes = report.targets.flatMap((t) => t.notes.map((n) => `${t.name}: ${n.fidelity}: ${n.message}`));
  if (notes.length > 0) {
    line();
    line('Target notes');
    for (const note of notes) line(`  ${note}`);
  }
  if (report.warnings.length > 0) {
    line();
    line('Warnings');
    for (const warning of report.warnings) line(`  ${warning}`);
  }
  return `${out.join('\n')}\n`;
}
