/**
 * Library example: what a chart vendor ships so their chart installs on clusters that enforce a Pod
 * Security level: Kyverno PolicyExceptions for exactly what the chart's pods need, as Helm templates.
 * `packages/report/test/examples.test.ts` runs it on the node-exporter workloads.
 *
 *   helm template prometheus ./chart > rendered.yaml
 *   const files = await chartExceptions('rendered.yaml', { namespace: 'monitoring', release: 'prometheus' });
 */
import { loadInputs } from '@psp-translate/core';
import { exceptions, helmTemplates, type HelmFile } from '@psp-translate/report';

/** The exceptions a rendered chart needs against `restricted`, as a kubectl-ready JSON List and as Helm files. */
export async function chartExceptions(rendered: string, chart: { namespace: string; release: string }): Promise<{ objects: string; helm: HelmFile[] }> {
  const { workloads } = await loadInputs([rendered], { defaultNamespace: chart.namespace });
  const result = exceptions({ workloads, namespace: chart.namespace, baseline: { level: 'restricted' }, targets: ['kyverno', 'psa'] });
  const objects = `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...result.objects.kyverno, ...result.objects.psa] }, null, 2)}\n`;
  return { objects, helm: helmTemplates(result, { releaseName: chart.release }) };
}
