import { describe, expect, it } from 'vitest';
import type { Workload } from '../parse/index.js';
import { WORKLOAD_KINDS, type WorkloadKind } from '../schema/rbac.js';
import { podFromWorkload, POD_TEMPLATE_PATHS, type WorkloadLike } from './pod-from-workload.js';

const template = {
  metadata: { labels: { app: 'web' }, annotations: { a: 'b' } },
  spec: { serviceAccountName: 'web-sa', containers: [{ name: 'web', image: 'nginx' }] },
};

function wrap(kind: WorkloadKind, inner: Record<string, unknown>): Record<string, unknown> {
  let raw: Record<string, unknown> = inner;
  for (const key of [...POD_TEMPLATE_PATHS[kind]].reverse()) raw = { [key]: raw };
  return { apiVersion: 'x', kind, metadata: { name: 'web' }, ...raw };
}

/** `null` = the manifest has no namespace. */
function workload(kind: WorkloadKind, namespace: string | null = 'shop', inner: Record<string, unknown> = template): WorkloadLike {
  return { kind, name: 'web', namespace: namespace ?? undefined, raw: wrap(kind, inner) };
}

describe('podFromWorkload', () => {
  it.each(WORKLOAD_KINDS)('%s yields a v1 Pod named after the workload', (kind) => {
    const context = podFromWorkload(workload(kind));
    expect(context).toEqual({
      pod: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { labels: { app: 'web' }, annotations: { a: 'b' }, name: 'web', namespace: 'shop' },
        spec: template.spec,
      },
      namespace: 'shop',
      serviceAccount: 'web-sa',
      workloadKind: kind,
    });
  });

  it('finds a CronJob template under spec.jobTemplate.spec.template', () => {
    const raw = { kind: 'CronJob', spec: { jobTemplate: { spec: { template } } } };
    expect(podFromWorkload({ kind: 'CronJob', name: 'nightly', namespace: 'ops', raw }).pod.spec.containers[0]?.name).toBe('web');
  });

  it('namespace: the workload, else the default namespace, else default', () => {
    expect(podFromWorkload(workload('Deployment', null), { defaultNamespace: 'team' }).namespace).toBe('team');
    expect(podFromWorkload(workload('Deployment', null)).pod.metadata.namespace).toBe('default');
  });

  it('service account: serviceAccountName, else the deprecated serviceAccount, else default', () => {
    const spec = (extra: Record<string, unknown>) => ({ spec: { containers: [{ name: 'c' }], ...extra } });
    expect(podFromWorkload(workload('Job', 'x', spec({ serviceAccount: 'legacy' }))).serviceAccount).toBe('legacy');
    expect(podFromWorkload(workload('Job', 'x', spec({ serviceAccountName: '', serviceAccount: 'legacy' }))).serviceAccount).toBe('legacy');
    expect(podFromWorkload(workload('Job', 'x', spec({}))).serviceAccount).toBe('default');
  });

  it('names the workload and field when the template is missing', () => {
    expect(() => podFromWorkload({ kind: 'Deployment', name: 'broken', namespace: 'x', raw: { spec: {} } })).toThrow(
      'Deployment/broken: spec.template is missing',
    );
    expect(() => podFromWorkload({ kind: 'Pod', name: 'p', namespace: 'x', raw: { spec: {} } })).toThrow('Pod/p: spec.containers is missing');
  });

  it("accepts the parse module's Workload as it is", () => {
    const parsed: Workload = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      name: 'agent',
      namespace: 'kube-system',
      source: { file: 'agent.yaml', line: 1, column: 1 },
      raw: wrap('DaemonSet', template),
    };
    expect(podFromWorkload(parsed)).toMatchObject({ namespace: 'kube-system', serviceAccount: 'web-sa', pod: { metadata: { name: 'agent' } } });
  });
});
