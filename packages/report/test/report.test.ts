import { loadInputs, type InputSet } from '@psp-translate/core';
import { BUILTIN_TARGETS, renderReport, report, REPORT_FORMATS, type Report, type ReportTarget } from '@psp-translate/report';
import { beforeAll, describe, expect, it } from 'vitest';
import { elementsWith, expectGolden, repoPath } from './support.js';

let cluster: InputSet;
let full: Report;

beforeAll(async () => {
  cluster = await loadInputs([repoPath('examples/cluster')]);
  full = await report({ inputs: cluster, workloads: cluster.workloads });
}, 120_000);

/** A target that reports one thing and judges every workload the same way. */
function fakeTarget(name: string, admitted: boolean, message = 'expressed'): ReportTarget {
  return {
    name,
    translate: (inputs) => ({
      objects: [],
      report: [
        { policy: inputs.policies[0]!.name, control: 'privileged', aspect: 'validation', fidelity: 'exact', message },
        { policy: inputs.policies[0]!.name, control: 'capabilities', aspect: 'validation', fidelity: 'approximate', message: `drops are ${message}` },
        { policy: inputs.policies[0]!.name, control: 'capabilities', aspect: 'default', fidelity: 'exact', message: 'defaults applied by mutators' },
        { policy: null, control: null, fidelity: 'note', message: `whole ${message}` },
      ],
    }),
    evaluate: () => () => ({ admitted, reasons: admitted ? [] : [`rejected by ${name}`] }),
  };
}

describe('report() on the example cluster', () => {
  it('describes every PSP with its RBAC scopes and a row per control and per default, for every target', () => {
    expect(full.summary.policies).toBe(cluster.policies.length);
    expect(full.targets.map((t) => t.name)).toEqual(['gatekeeper', 'kyverno', 'psa', 'vap']);
    for (const policy of full.policies) {
      expect(policy.controls).toHaveLength(20);
      for (const row of policy.controls) expect(Object.keys(row.cells).sort()).toEqual(['gatekeeper', 'kyverno', 'psa', 'vap']);
      const source = cluster.policies.find((p) => p.name === policy.name)!;
      expect(policy.defaults.map((d) => d.control)).toEqual(Object.entries(source.controls).filter(([, c]) => c.defaults !== null).map(([k]) => k));
    }
    const storefront = full.policies.find((p) => p.name === 'allow-chown')!;
    expect(storefront.access.scopes).toEqual([expect.objectContaining({ namespace: 'shop', serviceAccount: 'storefront', via: 'serviceAccount' })]);
    expect(full.summary.scopes).toBe(full.policies.reduce((n, p) => n + p.access.scopes.length, 0));
  });

  it('chooses PSA labels per namespace and says why', () => {
    expect(full.namespaces.map((n) => n.namespace)).toEqual(expect.arrayContaining(['batch', 'kube-system', 'shop']));
    for (const ns of full.namespaces) {
      expect(ns.labels['pod-security.kubernetes.io/enforce']).toMatch(/^(privileged|baseline|restricted)$/);
      expect(ns.reasons.length).toBeGreaterThan(0);
    }
  });

  it('folds in the workloads: the PSA labels admit a pod PSP rejected, a security regression listed first', () => {
    const w = full.workloads!;
    expect(w.summary.workloads).toBe(cluster.workloads.length);
    const debug = w.results.find((r) => r.workload.name === 'debug-tools')!;
    expect(debug.psp.admitted).toBe(false);
    expect(w.differences[0]).toMatchObject({ kind: 'regression', target: 'psa', workload: { name: 'debug-tools' } });
    // A target is judged in-process exactly when its module has an evaluate hook.
    for (const target of BUILTIN_TARGETS) {
      expect(w.summary.perTarget[target.name]!.notEvaluated, target.name).toBe(target.evaluate === undefined ? w.summary.workloads : 0);
    }
  });

  it('matches the golden reports in every format', () => {
    expectGolden('examples/report/cluster.json', renderReport(full, 'json'));
    expectGolden('examples/report/cluster.md', renderReport(full, 'markdown'));
    expectGolden('examples/report/cluster.txt', renderReport(full, 'text'));
    expectGolden('examples/report/cluster.html', renderReport(full, 'html'));
  });

  it('text: every table cell is set apart from the next, however long the control name', () => {
    const text = renderReport(full, 'text');
    expect(text).toMatch(/^ {2}readOnlyRootFilesystem {2,}\S/m);
    // Before cells were padded to a fixed width: 'readOnlyRootFilesystemexact', 'mutator emittedapproximated'.
    expect(text).not.toMatch(/(exact\*?|approx|missing|lost|emitted|Filesystem|Drivers|Groups)(exact|approx|missing|lost|mutator|-)/);
  });

  it('renders identically twice', async () => {
    // vap is left out: its translation alone takes seconds (CEL cost estimation); the golden covers it.
    const targets = BUILTIN_TARGETS.filter((t) => t.name !== 'vap');
    const once = await report({ inputs: cluster, workloads: cluster.workloads, targets });
    const twice = await report({ inputs: cluster, workloads: cluster.workloads, targets });
    for (const format of REPORT_FORMATS) expect(renderReport(twice, format)).toBe(renderReport(once, format));
  });
});

describe('the HTML report', () => {
  const html = () => renderReport(full, 'html');

  it('has one matrix cell per PSP, control and target, coloured as the JSON says', () => {
    const cells = elementsWith(html(), 'data-fidelity');
    const expected = full.policies.flatMap((p) => p.controls.flatMap((row) => full.targets.map((t) => ({ policy: p.name, control: row.control, target: t.name, fidelity: row.cells[t.name]!.fidelity }))));
    expect(cells.map((c) => ({ policy: c['data-policy'], control: c['data-control'], target: c['data-target'], fidelity: c['data-fidelity'] }))).toEqual(expected);
    for (const c of cells) expect(c['class']).toBe(`cell f-${c['data-fidelity']}`);
    const defaults = elementsWith(html(), 'data-default');
    expect(defaults).toHaveLength(full.policies.reduce((n, p) => n + p.defaults.length * full.targets.length, 0));
  });

  it('is self-contained: no scripts, no external styles, fonts or images', () => {
    const text = html();
    expect(text).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(text).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(text.startsWith('<!doctype html>')).toBe(true);
  });

  it('escapes every text from the inputs and the targets', async () => {
    const hostile = await report({ inputs: cluster, targets: [fakeTarget('evil', true, '<script>alert("x")</script> & <b>')] });
    const text = renderReport(hostile, 'html');
    expect(text).not.toContain('<script>');
    expect(text).not.toContain('<b>');
    expect(text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;');
  });
});

describe('report() with given targets', () => {
  it('takes each target cell from its worst entry and splits defaults from validation', async () => {
    const result = await report({ inputs: cluster, targets: [fakeTarget('one', true)] });
    const first = result.policies[0]!;
    expect(first.controls.find((r) => r.control === 'privileged')!.cells['one']!.fidelity).toBe('exact');
    expect(first.controls.find((r) => r.control === 'capabilities')!.cells['one']!.fidelity).toBe('approximate');
    expect(first.controls.find((r) => r.control === 'hostPaths')!.cells['one']!.fidelity).toBe('unreported');
    const capabilitiesDefault = first.defaults.find((d) => d.control === 'capabilities');
    if (capabilitiesDefault !== undefined) expect(capabilitiesDefault.cells['one']!.status).toBe('emitted');
    expect(result.targets[0]!.notes).toEqual([{ fidelity: 'note', message: 'whole expressed', aspect: 'validation' }]);
    const summary = result.summary.targets[0]!;
    expect(summary.cells).toBe(20 * cluster.policies.length);
    expect(summary.exactShare).toBeCloseTo(1 / summary.cells);
    expect(result.namespaces).toEqual([]);
  });

  it('lists security regressions before breakages', async () => {
    const result = await report({ inputs: cluster, workloads: cluster.workloads, targets: [fakeTarget('rejects', false), fakeTarget('admits', true)] });
    const kinds = result.workloads!.differences.map((d) => d.kind);
    expect(kinds).toContain('regression');
    expect(kinds).toContain('breakage');
    expect(kinds.indexOf('breakage')).toBeGreaterThan(kinds.lastIndexOf('regression'));
    const admitted = result.workloads!.results.filter((r) => r.psp.admitted).length;
    expect(result.workloads!.summary.perTarget['rejects']!.breakages).toBe(admitted);
    expect(result.workloads!.summary.perTarget['admits']!.regressions).toBe(result.workloads!.results.length - admitted);
  });

  it('reports a target whose translation throws instead of failing', async () => {
    const broken: ReportTarget = { name: 'broken', translate: () => { throw new Error('boom'); } };
    const result = await report({ inputs: cluster, targets: [broken] });
    expect(result.targets[0]).toMatchObject({ name: 'broken', status: 'failed', error: 'boom' });
    expect(renderReport(result, 'text')).toContain('broken: translation FAILED: boom');
  });

  it('refuses inputs without PSPs and targets given twice', async () => {
    await expect(report({ inputs: { ...cluster, policies: [] } })).rejects.toThrow(/no PodSecurityPolicy/);
    await expect(report({ inputs: cluster, targets: [fakeTarget('x', true), fakeTarget('x', true)] })).rejects.toThrow(/given twice/);
  });
});

describe('entries by aspect', () => {
  it("places each entry by the target's aspect, whatever its wording", async () => {
    const p = cluster.policies.find((policy) => policy.controls.seccomp.defaults !== null)!;
    const target: ReportTarget = {
      name: 'worded',
      translate: () => ({
        objects: [],
        report: [
          { policy: p.name, control: 'seccomp', aspect: 'validation', fidelity: 'unsupported', message: 'the seccomp default wording, about validation' },
          { policy: p.name, control: 'seccomp', aspect: 'default', fidelity: 'approximate', message: 'anything' },
          { policy: p.name, control: 'privileged', fidelity: 'exact', message: 'no aspect: validation' },
        ],
      }),
    };
    const model = await report({ inputs: cluster, targets: [target] });
    const policy = model.policies.find((row) => row.name === p.name)!;
    expect(policy.controls.find((row) => row.control === 'seccomp')!.cells['worded']).toMatchObject({ fidelity: 'unsupported', entries: [{ message: 'the seccomp default wording, about validation' }] });
    expect(policy.defaults.find((row) => row.control === 'seccomp')!.cells['worded']).toMatchObject({ status: 'approximated', entries: [{ message: 'anything' }] });
    expect(policy.controls.find((row) => row.control === 'privileged')!.cells['worded']!.fidelity).toBe('exact');
  });
});
