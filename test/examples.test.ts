// The library examples in examples/library/ run; check-chart.ts's output is the reviewed golden
// beside it (`check-chart.out.txt`; PSP_TRANSLATE_UPDATE_GOLDEN=1 rewrites it). The examples in
// examples/report/ are run by packages/report/test/examples.test.ts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main as checkChart } from '../examples/library/check-chart.js';
import { main as translate, translateCluster } from '../examples/library/translate.js';

const fromRoot = (relative: string): string => fileURLToPath(new URL(`../${relative}`, import.meta.url));

/** Run an example's `main`, collecting what it prints. */
async function output(run: (print: (line: string) => void) => Promise<void>): Promise<string> {
  const lines: string[] = [];
  await run((line) => lines.push(line));
  return `${lines.join('\n')}\n`;
}

function expectGolden(file: string, actual: string): void {
  const full = fromRoot(file);
  if (process.env['PSP_TRANSLATE_UPDATE_GOLDEN'] === '1') {
    writeFileSync(full, actual);
    console.warn(`wrote golden file ${file}: review it`);
    return;
  }
  expect(existsSync(full), `${file} is missing: run with PSP_TRANSLATE_UPDATE_GOLDEN=1 and review it`).toBe(true);
  expect(actual, `${file} differs (PSP_TRANSLATE_UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(full, 'utf8'));
}

describe('examples/library', () => {
  // No golden here: the targets' fidelity wording changes with every target's work; the output is
  // checked against the translation itself instead (every non-exact entry listed, nothing else).
  it('translate.ts translates examples/cluster to every target and lists exactly the entries that are not exact', async () => {
    const paths = [fromRoot('examples/cluster')];
    const text = await output((print) => translate(paths, print));
    const results = await translateCluster(paths);
    expect([...results.keys()]).toEqual(['gatekeeper', 'kyverno', 'psa', 'vap']);
    const expected: string[] = [];
    for (const [target, result] of results) {
      expect(result.objects.length, `${target} produced no objects`).toBeGreaterThan(0);
      const findings = result.report.filter((entry) => entry.fidelity !== 'exact');
      const summary = text.split('\n').find((line) => line.startsWith(`${target}: `));
      expect(summary).toContain(`${target}: ${result.objects.length} objects (`);
      expect(summary).toContain(`; ${findings.length} of ${result.report.length} fidelity entries are not exact`);
      for (const entry of findings) expected.push(`  ${target}: ${entry.fidelity}: ${[entry.policy ?? '(all policies)', entry.control].filter(Boolean).join('/')}: ${entry.message}`);
    }
    // The cluster's PSP defaults cannot be written by namespace labels: PSA has findings to read.
    expect(expected.some((line) => line.startsWith('  psa: '))).toBe(true);
    expect(text.split('\n').filter((line) => line.startsWith('  '))).toEqual(expected);
  }, 120_000);

  it('check-chart.ts judges the rendered ingress-nginx and node-exporter charts against examples/cluster', async () => {
    const cluster = [fromRoot('examples/cluster/namespaces.yaml'), ...['baseline', 'privileged', 'restricted', 'storefront'].map((name) => fromRoot(`examples/cluster/psp-${name}.yaml`))];
    const charts: [chart: string, namespace: string][] = [
      ['ingress-nginx', 'ingress-nginx'],
      ['prometheus-node-exporter', 'monitoring'],
    ];
    let text = '';
    for (const [chart, namespace] of charts) {
      text += `# ${chart} (namespace ${namespace})\n`;
      text += await output((print) => checkChart(cluster, [fromRoot(`packages/report/test/charts/${chart}/workloads.yaml`)], namespace, print));
    }
    // One verdict line per workload: ingress-nginx renders two, node-exporter one.
    expect(text.match(/^(ADMITTED|REJECTED) /gm)).toHaveLength(3);
    // node-exporter uses the host's network and PID namespaces: nothing granted in `monitoring` admits it.
    expect(text).toMatch(/^REJECTED DaemonSet\/monitoring\/prometheus-prometheus-node-exporter /m);
    expectGolden('examples/library/check-chart.out.txt', text);
  });
});
