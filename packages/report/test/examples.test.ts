// The library examples in examples/report/ run, and their output is the reviewed golden output.
import { describe, expect, it } from 'vitest';
import { chartExceptions } from '../../../examples/report/chart-exceptions.js';
import { migrationReport } from '../../../examples/report/migration-report.js';
import { expectGolden, repoPath } from './support.js';

describe('examples/report', () => {
  it('migration-report.ts prints the example cluster report with its security regression', async () => {
    const { text, regressions } = await migrationReport([repoPath('examples/cluster')], 'markdown');
    expect(regressions).toBeGreaterThan(0);
    expectGolden('examples/report/cluster.md', text);
  }, 120_000);

  it('chart-exceptions.ts writes the node exporter exceptions and Helm templates', async () => {
    const { objects, helm } = await chartExceptions(repoPath('packages/report/test/charts/prometheus-node-exporter/workloads.yaml'), { namespace: 'monitoring', release: 'prometheus' });
    expectGolden('examples/report/node-exporter-exceptions.json', objects);
    expect(helm.map((f) => f.path)).toEqual(['templates/pod-security-exceptions.yaml', 'values-pod-security-exceptions.yaml']);
    expectGolden('examples/report/node-exporter-helm-template.yaml', helm[0]!.contents);
  });
});
