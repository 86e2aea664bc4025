/**
 * Pieces of text both human formats (table and markdown) say the same way.
 */
import { fieldPathOfPointer } from '@psp-translate/core';
import type { TargetName } from '../target-names.js';
import { describeMutation, differences, groupedWarnings, visibleMutations, workloadTitle, type Report, type TargetSummary, type WorkloadResult } from './report.js';

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The opening sentence(s): how many workloads, admitted, rejected, and per target. */
export function headline(report: Report): string[] {
  const { summary } = report;
  const lines =
    report.command === 'check'
      ? [`PodSecurityPolicy admission of ${plural(summary.workloads, 'workload')}: ${summary.admitted} admitted, ${summary.rejected} rejected.`]
      : [`${plural(summary.workloads, 'workload')} against the policies in the inputs: ${summary.admitted} admitted, ${summary.rejected} rejected.`];
  for (const target of report.targets) {
    const counts = summary.targets?.[target];
    if (counts === undefined || counts.notEvaluated === summary.workloads) continue;
    lines.push(`${target}: ${targetCounts(counts)}.`);
  }
  return lines;
}

function targetCounts(counts: TargetSummary): string {
  const parts = [`${counts.admitted} admitted`, `${counts.rejected} rejected`];
  if (counts.notEvaluated > 0) parts.push(`${counts.notEvaluated} not evaluated`);
  let text = parts.join(', ');
  if (counts.newlyAdmitted !== undefined && counts.newlyRejected !== undefined) {
    text += `; ${counts.newlyAdmitted} admitted that PSP rejected (security regressions), ${counts.newlyRejected} rejected that PSP admitted`;
  }
  return text;
}

/** Why PSP decided as it did, one line each: its defaults when it admitted, its reasons when it rejected. */
export function pspWhy(result: WorkloadResult): string[] {
  const psp = result.psp;
  if (psp === undefined) return [];
  if (!psp.admitted) return psp.reasons;
  const shown = visibleMutations(psp.mutations);
  if (shown.length === 0) return ['admitted as is'];
  return ['after its defaults:', ...shown.map((op) => `  ${describeMutation(op, fieldPathOfPointer)}`)];
}

/** The policy cell: the one that admitted, or the ones tried. */
export function pspPolicy(result: WorkloadResult): string {
  const psp = result.psp;
  if (psp === undefined) return '';
  if (psp.policy !== null) return psp.candidates.length > 1 ? `${psp.policy}\n(of ${psp.candidates.length})` : psp.policy;
  return psp.candidates.length === 0 ? 'none usable' : ['tried:', ...psp.candidates].join('\n');
}

/** The targets evaluated for at least one workload, and those evaluated for none (with why). */
export function targetColumns(report: Report): { evaluated: TargetName[]; notEvaluated: { target: TargetName; why: string }[] } {
  const evaluated: TargetName[] = [];
  const notEvaluated: { target: TargetName; why: string }[] = [];
  for (const target of report.targets) {
    const outcomes = report.results.map((result) => result.targets?.[target]);
    if (outcomes.some((outcome) => outcome !== undefined && outcome.admitted !== null)) evaluated.push(target);
    else notEvaluated.push({ target, why: outcomes.find((outcome) => outcome?.notEvaluated !== undefined)?.notEvaluated ?? 'not evaluated' });
  }
  return { evaluated, notEvaluated };
}

/** The difference sections: security regressions first, then workloads a target would break. */
export function differenceSections(report: Report): { title: string; items: string[] }[] {
  const found = differences(report);
  const regressions = found.filter((d) => d.difference === 'newlyAdmitted');
  const breaks = found.filter((d) => d.difference === 'newlyRejected');
  const sections: { title: string; items: string[] }[] = [];
  if (regressions.length > 0) {
    sections.push({
      title: `Security regressions: ${plural(regressions.length, 'workload')} PodSecurityPolicy rejected would be admitted`,
      items: regressions.map(({ result, target }) => `${workloadTitle(result.workload)}: ${target} admits it; PSP rejected it: ${(result.psp?.reasons ?? []).join('; ')}`),
    });
  }
  if (breaks.length > 0) {
    sections.push({
      title: `Would break: ${plural(breaks.length, 'workload')} PodSecurityPolicy admitted would be rejected`,
      items: breaks.map(({ result, target }) => `${workloadTitle(result.workload)}: ${target} rejects it: ${(result.targets?.[target]?.reasons ?? []).join('; ')}`),
    });
  }
  return sections;
}

/** Numbered workload warnings (each once, with the workloads it concerns). */
export function warningItems(report: Report): { number: number; warning: string; workloads: string[] }[] {
  return groupedWarnings(report).map(({ warning, workloads }, index) => ({ number: index + 1, warning, workloads: workloads.map(workloadTitle) }));
}

/** For each result, the numbers of the warnings it has. */
export function warningNumbers(report: Report): Map<WorkloadResult, number[]> {
  const numberOf = new Map(groupedWarnings(report).map(({ warning }, index) => [warning, index + 1]));
  return new Map(report.results.map((result) => [result, (result.psp?.warnings ?? []).map((warning) => numberOf.get(warning) as number)]));
}

/** A target's verdict as a word, with the difference from PSP spelled out. */
export function targetVerdict(result: WorkloadResult, target: TargetName): { text: string; tone: 'good' | 'bad' | 'alarm' | 'muted' } {
  const outcome = result.targets?.[target];
  if (outcome === undefined || outcome.admitted === null) return { text: 'not evaluated', tone: 'muted' };
  if (result.psp !== undefined && result.psp.admitted !== outcome.admitted) {
    return outcome.admitted ? { text: 'ADMITTED\n(PSP rejected)', tone: 'alarm' } : { text: 'REJECTED\n(PSP admitted)', tone: 'bad' };
  }
  return outcome.admitted ? { text: 'admitted', tone: 'good' } : { text: 'rejected', tone: 'bad' };
}

/** `evaluate`: why each target decided as it did (reasons, then warnings), labelled by target when several. */
export function targetWhy(result: WorkloadResult, targets: readonly TargetName[]): string[] {
  return targets.flatMap((target) => {
    const outcome = result.targets?.[target];
    if (outcome === undefined || outcome.admitted === null) return [];
    const label = targets.length > 1 ? `${target}: ` : '';
    const lines = [...outcome.reasons.map((reason) => `${label}${reason}`), ...(outcome.warnings ?? []).map((warning) => `${label}warning: ${warning}`)];
    return lines.length === 0 && outcome.admitted ? [`${label}admitted`] : lines;
  });
}
