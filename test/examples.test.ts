// The library examples in examples/library/ run, and what they print is the reviewed golden output
// beside each (`<example>.out.txt`; PSP_TRANSLATE_UPDATE_GOLDEN=1 rewrites them). The examples in
// examples/report/ are run by packages/report/test/examples.test.ts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main as checkChart } from '../examples/library/check-chart.js';
import { main as translate } from '../examples/library/translate.js';

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
  it('translate.ts translates examples/cluster to every target and lists what is not exact', async () => {
    const text = await output((print) => translate([fromRoot('examples/cluster')], print));
    // Every target produced objects, and the cluster's PSP defaults leave at least PSA with findings.
    for (const target of ['gatekeeper', 'kyverno', 'psa', 'vap']) expect(text).toMatch(new RegExp(`^${target}: [1-9]\\d* objects`, 'm'));
    expect(text).toMatch(/^ {2}psa: (approximate|unsupported): /m);
    expectGolden('examples/library/translate.out.txt', text);
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
