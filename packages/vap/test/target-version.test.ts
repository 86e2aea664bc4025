/**
 * `--target vap --kube-version` below 1.30: the objects are ValidatingAdmissionPolicy v1, which only
 * 1.30+ serves; the report must say so and what the older cluster has instead.
 */
import { readFileSync } from 'node:fs';
import { parseInputs, type FidelityEntry } from '@psp-translate/core';
import { describe, expect, it } from 'vitest';
import { vapTarget } from '../src/target.js';

const path = 'packages/vap/test/fixtures/restricted-and-privileged/input.yaml';
const text = readFileSync(new URL('fixtures/restricted-and-privileged/input.yaml', import.meta.url), 'utf8');

function translateAt(kubeVersion: string | undefined) {
  const inputs = parseInputs([{ path, text }]);
  return vapTarget.translate(inputs, {
    actions: { action: 'default', gatekeeper: 'dryrun', kyverno: 'Audit', vap: ['Audit', 'Warn'], psa: 'enforce', notes: {} },
    ...(kubeVersion === undefined ? {} : { kubeVersion }),
  });
}
const cluster = (report: readonly FidelityEntry[]) => report.filter((entry) => entry.policy === null && entry.control === null);

describe('vap target: Kubernetes versions without ValidatingAdmissionPolicy v1', () => {
  it.each([
    ['1.29', /serves ValidatingAdmissionPolicy only as beta admissionregistration\.k8s\.io\/v1beta1.*feature gate.*upgrade to 1\.30\+/],
    ['v1.28', /1\.28 serves ValidatingAdmissionPolicy only as beta admissionregistration\.k8s\.io\/v1beta1/],
    ['1.27', /1\.27 has ValidatingAdmissionPolicy only as alpha admissionregistration\.k8s\.io\/v1alpha1/],
    ['1.25', /1\.25 has no ValidatingAdmissionPolicy at all.*use another target/],
  ])('%s: v1 objects, reported unsupported with what the cluster serves instead', (version, note) => {
    const { objects, report } = translateAt(version);
    const apiVersions = new Set(objects.filter((o) => o.kind.startsWith('ValidatingAdmissionPolicy')).map((o) => o.apiVersion));
    expect(apiVersions).toEqual(new Set(['admissionregistration.k8s.io/v1']));
    const entries = cluster(report);
    expect(entries.some((entry) => entry.fidelity === 'unsupported' && /need 1\.30 or later/.test(entry.message))).toBe(true);
    expect(entries.filter((entry) => entry.fidelity === 'note' && note.test(entry.message))).toHaveLength(1);
  });

  it.each([['1.30'], ['1.36'], [undefined]])('%s: no version note', (version) => {
    const messages = cluster(translateAt(version).report).map((entry) => entry.message);
    expect(messages.filter((message) => /1\.30|v1beta1|v1alpha1/.test(message))).toEqual([]);
  });
});
