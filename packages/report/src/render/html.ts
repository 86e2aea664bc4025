/**
 * The report as one self-contained HTML page: inline CSS, no scripts, no fonts or images from the
 * network. Every matrix cell carries `data-policy`, `data-control`, `data-target` and
 * `data-fidelity`, so tools (and our tests) can read the matrix back.
 */
import type { CellFidelity, DefaultStatus, Report } from '../model.js';
import { CELL_WORDS, DEFAULT_WORDS, LEGEND, percent, scopeWords, workloadTitle } from './common.js';
import { fragment, h, styleSheet, type SafeHtml } from './h.js';

const CSS = `
:root{color-scheme:light;--exact:#c8ecc9;--note:#e3f4c4;--approximate:#ffe3a3;--unsupported:#f8b4b4;--unreported:#e4e4e7;--lost:#f8b4b4;--emitted:#c8ecc9;--approximated:#ffe3a3}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:78rem;padding:0 1rem;color:#1f2328;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}h3{margin:1.6rem 0 .4rem}
table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.9rem}th,td{border:1px solid #d0d7de;padding:.25rem .55rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.cell{text-align:center;min-width:6.5rem;font-weight:600}
.f-exact{background:var(--exact)}.f-note{background:var(--note)}.f-approximate{background:var(--approximate)}.f-unsupported{background:var(--unsupported)}.f-unreported{background:var(--unreported);color:#57606a;font-weight:400}
.d-emitted{background:var(--emitted)}.d-approximated{background:var(--approximated)}.d-lost{background:var(--lost)}.d-unreported{background:var(--unreported);color:#57606a}
.policy-row th{background:#eaeef2;font-size:.95rem}
.bar{display:inline-block;width:10rem;height:.7rem;background:var(--unreported);border-radius:.35rem;overflow:hidden;vertical-align:middle}.bar span{display:block;height:100%;background:#2da44e}
.regression{border-left:.35rem solid #cf222e;background:#fff0f0;padding:.5rem .8rem;margin:.4rem 0}.breakage{border-left:.35rem solid #bf8700;background:#fff8e5;padding:.5rem .8rem;margin:.4rem 0}
.warning{color:#9a6700}.muted{color:#57606a;font-size:.85rem}code{background:#f6f8fa;padding:0 .25rem;border-radius:.2rem;font-size:.85em}
ul.how{font-size:.88rem;margin-top:.2rem}
`;

function cell(policy: string, control: string, target: string, fidelity: CellFidelity, messages: readonly string[]): SafeHtml {
  return h(
    'td',
    { class: `cell f-${fidelity}`, 'data-policy': policy, 'data-control': control, 'data-target': target, 'data-fidelity': fidelity, title: messages.join('\n') || undefined },
    CELL_WORDS[fidelity],
  );
}

function defaultCell(policy: string, control: string, target: string, status: DefaultStatus, messages: readonly string[]): SafeHtml {
  return h('td', { class: `cell d-${status}`, 'data-policy': policy, 'data-default': control, 'data-target': target, 'data-status': status, title: messages.join('\n') || undefined }, DEFAULT_WORDS[status]);
}

/** Render the report as a self-contained HTML document. */
export function renderHtml(report: Report): string {
  const names = report.targets.map((t) => t.name);
  const s = report.summary;
  const w = report.workloads;

  const summary = fragment(
    h('p', {}, `${s.policies} PodSecurityPolicies, ${s.scopes} scopes, ${s.namespaces} namespaces labelled.`, s.unusedPolicies.length > 0 ? ` Unused: ${s.unusedPolicies.join(', ')}.` : ''),
    h(
      'table',
      { class: 'summary' },
      h('thead', {}, h('tr', {}, ['target', 'controls exact', '', 'approximate', 'not expressible', 'unreported', 'defaults emitted', 'defaults approximated', 'defaults lost'].map((t) => h('th', {}, t)))),
      h(
        'tbody',
        {},
        s.targets.map((t) =>
          h(
            'tr',
            { 'data-target': t.name, 'data-exact-share': t.exactShare.toFixed(4) },
            h('th', {}, t.name),
            h('td', {}, `${percent(t.exactShare)} (${t.byFidelity.exact + t.byFidelity.note}/${t.cells})`),
            h('td', {}, h('span', { class: 'bar' }, h('span', { style: `width:${(t.exactShare * 100).toFixed(1)}%` }))),
            h('td', {}, t.byFidelity.approximate),
            h('td', {}, t.byFidelity.unsupported),
            h('td', {}, t.byFidelity.unreported),
            h('td', {}, t.defaults.emitted),
            h('td', {}, t.defaults.approximated),
            h('td', {}, t.defaults.lost),
          ),
        ),
      ),
    ),
    report.targets.filter((t) => t.status === 'failed').map((t) => h('p', { class: 'regression' }, `${t.name}: translation failed: ${t.error ?? ''}`)),
  );

  const workloads =
    w === undefined
      ? null
      : fragment(
          h('h2', {}, 'Workloads'),
          h('p', {}, `${w.summary.workloads} workloads, ${w.summary.pspAdmitted} admitted by PSP.`),
          w.differences.filter((d) => d.kind === 'regression').length > 0 ? h('h3', {}, 'Security regressions: admitted by a target, rejected by PSP') : null,
          w.differences
            .filter((d) => d.kind === 'regression')
            .map((d) => h('div', { class: 'regression' }, h('strong', {}, d.target), ` admits ${workloadTitle(d.workload)}; PSP rejected it: `, d.reasons.join('; '))),
          w.differences.filter((d) => d.kind === 'breakage').length > 0 ? h('h3', {}, 'Newly rejected: admitted by PSP, rejected by a target') : null,
          w.differences
            .filter((d) => d.kind === 'breakage')
            .map((d) => h('div', { class: 'breakage' }, h('strong', {}, d.target), ` rejects ${workloadTitle(d.workload)}: `, d.reasons.join('; '))),
          h(
            'table',
            {},
            h('thead', {}, h('tr', {}, h('th', {}, 'workload'), h('th', {}, 'PSP'), names.map((n) => h('th', {}, n)))),
            h(
              'tbody',
              {},
              w.results.map((row) =>
                h(
                  'tr',
                  {},
                  h('td', {}, workloadTitle(row.workload)),
                  h('td', { class: `cell ${row.psp.admitted ? 'f-exact' : 'f-unsupported'}`, title: row.psp.reasons.join('\n') || undefined }, row.psp.admitted ? `admitted (${row.psp.policy ?? ''})` : 'rejected'),
                  names.map((n) => {
                    const v = row.targets[n];
                    if (v === undefined || v.admitted === null) return h('td', { class: 'cell f-unreported', title: v?.notEvaluated }, 'not evaluated');
                    const differs = v.admitted !== row.psp.admitted;
                    return h('td', { class: `cell ${v.admitted ? (differs ? 'f-unsupported' : 'f-exact') : differs ? 'f-approximate' : 'f-exact'}`, title: v.reasons.join('\n') || undefined }, v.admitted ? 'admitted' : 'rejected');
                  }),
                ),
              ),
            ),
          ),
        );

  const matrix = h(
    'table',
    { class: 'matrix' },
    h('thead', {}, h('tr', {}, h('th', {}, 'PSP / control'), names.map((n) => h('th', {}, n)))),
    h(
      'tbody',
      {},
      report.policies.map((policy) =>
        fragment(
          h('tr', { class: 'policy-row' }, h('th', { colspan: names.length + 1 }, h('a', { href: `#psp-${policy.name}` }, policy.name))),
          policy.controls.map((row) =>
            h(
              'tr',
              {},
              h('td', {}, row.control),
              names.map((n) => {
                const c = row.cells[n];
                return cell(policy.name, row.control, n, c?.fidelity ?? 'unreported', (c?.entries ?? []).map((e) => `${e.fidelity}: ${e.message}`));
              }),
            ),
          ),
        ),
      ),
    ),
  );

  const policies = report.policies.map((policy) => {
    const how: SafeHtml[] = [];
    for (const n of names) {
      for (const e of policy.notes[n] ?? []) how.push(h('li', {}, h('strong', {}, n), `: ${e.fidelity}: ${e.message}`));
      for (const row of policy.controls) for (const e of row.cells[n]?.entries ?? []) if (e.fidelity !== 'exact') how.push(h('li', {}, h('strong', {}, n), ` ${row.control}: ${e.fidelity}: ${e.message}`));
      for (const row of policy.defaults) for (const e of row.cells[n]?.entries ?? []) if (e.fidelity !== 'exact') how.push(h('li', {}, h('strong', {}, n), ` ${row.control} default: ${e.fidelity}: ${e.message}`));
    }
    return h(
      'section',
      { id: `psp-${policy.name}` },
      h('h3', {}, `PodSecurityPolicy ${policy.name}`),
      h('p', { class: 'muted' }, `${policy.source.file}:${policy.source.line}${policy.mutating ? ' · mutating (has defaults)' : ''}`),
      h(
        'ul',
        {},
        policy.access.unused ? h('li', { class: 'warning' }, 'used by nobody: no binding grants it') : null,
        policy.access.scopes.map((scope) => h('li', { title: scope.grantedBy.join('\n') }, 'used by ', scopeWords(scope))),
        policy.access.userGrants.map((g) => h('li', {}, `granted to user ${g.user} (${g.namespace === '*' ? 'every namespace' : g.namespace})`)),
        policy.access.groupGrants.map((g) => h('li', {}, `granted to group ${g.group} (${g.namespace === '*' ? 'every namespace' : g.namespace})`)),
        policy.access.warnings.map((warning) => h('li', { class: 'warning' }, warning)),
      ),
      policy.defaults.length === 0
        ? null
        : h(
            'table',
            { class: 'defaults' },
            h('thead', {}, h('tr', {}, h('th', {}, 'default'), h('th', {}, 'value'), names.map((n) => h('th', {}, n)))),
            h(
              'tbody',
              {},
              policy.defaults.map((row) =>
                h(
                  'tr',
                  {},
                  h('td', {}, row.control),
                  h('td', {}, h('code', {}, row.value)),
                  names.map((n) => {
                    const c = row.cells[n];
                    return defaultCell(policy.name, row.control, n, c?.status ?? 'unreported', (c?.entries ?? []).map((e) => `${e.fidelity}: ${e.message}`));
                  }),
                ),
              ),
            ),
          ),
      how.length === 0 ? null : h('ul', { class: 'how' }, how),
    );
  });

  const namespaces =
    report.namespaces.length === 0
      ? null
      : fragment(
          h('h2', {}, 'Pod Security Admission labels per namespace'),
          h(
            'table',
            {},
            h('thead', {}, h('tr', {}, h('th', {}, 'namespace'), h('th', {}, 'labels'), h('th', {}, 'why'))),
            h(
              'tbody',
              {},
              report.namespaces.map((ns) =>
                h(
                  'tr',
                  {},
                  h('td', {}, ns.namespace),
                  h('td', {}, Object.entries(ns.labels).map(([k, v]) => fragment(h('code', {}, `${k}=${v}`), h('br')))),
                  h('td', {}, ns.reasons.join(' ')),
                ),
              ),
            ),
          ),
        );

  const notes = report.targets.flatMap((t) => t.notes.map((e) => h('li', {}, h('strong', {}, t.name), `: ${e.fidelity}: ${e.message}`)));
  const body = h(
    'body',
    {},
    h('h1', {}, 'PSP migration report'),
    summary,
    workloads,
    h('h2', {}, 'Fidelity matrix'),
    h('p', { class: 'muted' }, LEGEND, '. Hover a cell for the target\u2019s explanation.'),
    matrix,
    h('h2', {}, 'PodSecurityPolicies'),
    policies,
    namespaces,
    notes.length === 0 ? null : fragment(h('h2', {}, 'Target notes'), h('ul', { class: 'how' }, notes)),
    report.warnings.length === 0 ? null : fragment(h('h2', {}, 'Warnings'), h('ul', {}, report.warnings.map((x) => h('li', { class: 'warning' }, x)))),
  );
  const head = h('head', {}, h('meta', { charset: 'utf-8' }), h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }), h('title', {}, 'PSP migration report'), styleSheet(CSS));
  return `<!doctype html>\n${h('html', { lang: 'en' }, head, body).html}\n`;
}
