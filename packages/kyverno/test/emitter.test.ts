/**
 * Invariants of everything the Kyverno target emits, over real PSPs and every API and style:
 * valid against the Kyverno CRD schemas, byte-identical when emitted twice, names stable DNS-1123
 * labels, Kyverno's own variables untouched, every container kind and the ephemeralcontainers
 * subresource covered.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildRbacIndex, loadInputs, scopeGroups } from '@psp-translate/core';
import { describe, expect, it } from 'vitest';
import yaml from 'yaml';
import { dnsLabel, kyvernoAction, translateKyverno, type KyvernoApi, type KyvernoOptions, type KyvernoStyle } from '../src/index.js';
import { schemaErrors } from './support/schemas.js';
import { byNamespace, everyone, privilegedPsp, psp, restrictedPsp } from './support/policies.js';

const CORPUS = fileURLToPath(new URL('../../../../shared/corpus/psp', import.meta.url));
const corpusPresent = existsSync(CORPUS);
if (!corpusPresent) console.warn(`SKIPPED: PSP corpus not found at ${CORPUS}; the corpus-wide Kyverno invariants did not run`);

const VARIANTS: { api: KyvernoApi; style: KyvernoStyle }[] = [
  { api: 'kyverno.io/v1', style: 'cel' },
  { api: 'kyverno.io/v1', style: 'pattern' },
  { api: 'kyverno.io/v1', style: 'podsecurity' },
  { api: 'policies.kyverno.io/v1', style: 'cel' },
];

const serialise = (objects: unknown[]) => objects.map((o) => yaml.stringify(o, { lineWidth: 0 })).join('---\n');

describe('action words', () => {
  it('maps audit, warn and deny and accepts Kyverno words', () => {
    expect(kyvernoAction('audit').validationFailureAction).toBe('Audit');
    expect(kyvernoAction('deny')).toMatchObject({ validationFailureAction: 'Enforce', validationActions: ['Deny'] });
    expect(kyvernoAction('Enforce').action).toBe('deny');
    expect(kyvernoAction('warn')).toMatchObject({ validationFailureAction: 'Audit', emitWarning: true, validationActions: ['Warn'] });
    expect(kyvernoAction('warn').note).toMatch(/no warn-only action/);
    expect(() => kyvernoAction('block')).toThrow(/use audit, warn or deny/);
  });
});

describe('names', () => {
  it('are DNS-1123 labels, stable, and distinct for distinct inputs', () => {
    expect(dnsLabel('psp', 'baseline')).toBe('psp-baseline');
    expect(dnsLabel('psp', 'Ingress_Nginx')).toMatch(/^psp-ingress-nginx-[0-9a-f]{8}$/);
    expect(dnsLabel('psp', 'Ingress_Nginx')).not.toBe(dnsLabel('psp', 'ingress-nginx'));
    const long = dnsLabel('psp-any-of', 'a'.repeat(40), 'b'.repeat(40));
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toBe(dnsLabel('psp-any-of', 'a'.repeat(40), 'b'.repeat(40)));
  });
});

describe('the kube-system example: privileged there, restricted elsewhere', () => {
  const policies = [privilegedPsp(), restrictedPsp()];
  const groups = byNamespace({ 'kube-system': ['privileged', 'restricted'] }, ['restricted']);

  it('emits cluster-wide restricted rules and defaults, privileged rules for kube-system, and a PolicyException', () => {
    const { objects, report } = translateKyverno({ policies, scopeGroups: groups, options: { api: 'kyverno.io/v1', style: 'cel', action: 'deny' } });
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names).toEqual([
      'ClusterPolicy/psp-restricted-defaults',
      'ClusterPolicy/psp-privileged',
      'ClusterPolicy/psp-restricted',
      'PolicyException/psp-privileged-kube-system',
    ]);
    // The docs' privileged PSP still rejects unsafe sysctls, Unmasked /proc and volume sources PSP
    // did not know (host ports above 65535 too, which the API server rejects first): kube-system keeps those rules.
    const privileged = objects[1]!['spec'] as { rules: { name: string; celPreconditions: unknown }[] };
    expect(privileged.rules.map((r) => r.name)).toEqual(['host-ports', 'volumes', 'proc-mount', 'sysctls']);
    expect(privileged.rules[0]!.celPreconditions).toEqual([{ name: 'psp-scope', expression: 'request.namespace in ["kube-system"]' }]);
    const validation = objects[2]!;
    const spec = validation['spec'] as { validationFailureAction: string; background: boolean; rules: { name: string; celPreconditions?: unknown; match: unknown }[] };
    expect(spec.validationFailureAction).toBe('Enforce');
    expect(spec.background).toBe(true);
    // Exempt scopes are the exception's business: the restricted rules need no precondition.
    expect(spec.rules.every((r) => r.celPreconditions === undefined)).toBe(true);
    expect(spec.rules[0]!.match).toEqual({ any: [{ resources: { kinds: ['Pod', 'Pod/ephemeralcontainers'] } }] });
    const exception = objects[3]!;
    expect(exception.metadata.namespace).toBe('kyverno');
    expect((exception['spec'] as { exceptions: { policyName: string }[] }).exceptions.map((e) => e.policyName)).toEqual(['psp-restricted-defaults', 'psp-restricted']);
    expect((exception['spec'] as { match: unknown }).match).toEqual({ any: [{ resources: { kinds: ['Pod', 'Pod/ephemeralcontainers'], namespaces: ['kube-system'] } }] });
    expect(report.some((r) => /features\.policyExceptions\.enabled=true/.test(r.message))).toBe(true);
    expect(report.some((r) => r.fidelity === 'approximate' && /kube-public/.test(r.message))).toBe(true);
  });

  it('with exemptions as preconditions, scopes the rules away from kube-system instead', () => {
    const { objects } = translateKyverno({ policies, scopeGroups: groups, options: { api: 'kyverno.io/v1', style: 'cel', exemptions: 'preconditions' } });
    expect(objects.some((o) => o.kind === 'PolicyException')).toBe(false);
    const rule = ((objects[2]!['spec'] as { rules: { celPreconditions: { expression: string }[] }[] }).rules)[0]!;
    expect(rule.celPreconditions).toEqual([{ name: 'psp-scope', expression: '!(request.namespace in ["kube-system"])' }]);
    const mutate = ((objects[0]!['spec'] as { rules: { preconditions: { all: { key: string }[] } }[] }).rules)[0]!;
    expect(mutate.preconditions.all[1]!.key).toBe('{{ !contains(`["kube-system"]`, request.namespace) }}');
  });
});

describe('mutations keep Kyverno variables and cover every container list', () => {
  const policy = psp('defaulting', {
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    defaultAddCapabilities: ['NET_BIND_SERVICE'],
    requiredDropCapabilities: ['NET_RAW'],
    runAsUser: { rule: 'MustRunAs', ranges: [{ min: 1000, max: 2000 }] },
    runAsGroup: { rule: 'MustRunAs', ranges: [{ min: 3000, max: 3000 }] },
    fsGroup: { rule: 'MustRunAs', ranges: [{ min: 2000, max: 2000 }] },
  });
  const { objects } = translateKyverno({ policies: [policy], scopeGroups: everyone(policy), options: { api: 'kyverno.io/v1', style: 'cel' } });
  const text = serialise(objects);

  it('writes {{ element.name }} and {{ elementIndex }} verbatim', () => {
    expect(text).toContain('{{ element.name }}');
    expect(text).toContain('/securityContext/capabilities/drop/-');
    expect(text).toContain('{{ elementIndex }}');
  });

  it('has a foreach entry for containers, initContainers and ephemeralContainers in every container rule', () => {
    const rules = (objects[0]!['spec'] as { rules: { name: string; mutate: { foreach?: { list: string }[] } }[] }).rules;
    for (const rule of rules.filter((r) => r.mutate.foreach !== undefined)) {
      const lists = new Set(rule.mutate.foreach!.map((f) => f.list));
      expect([...lists].sort(), rule.name).toEqual(['request.object.spec.containers || `[]`', 'request.object.spec.ephemeralContainers || `[]`', 'request.object.spec.initContainers || `[]`']);
    }
  });
});

describe.skipIf(!corpusPresent)('over the real PSP corpus (each file one cluster)', async () => {
  const files = corpusPresent ? readdirSync(CORPUS).filter((f) => f.endsWith('.yaml')).sort() : [];
  const clusters = await Promise.all(files.map((f) => loadInputs([`${CORPUS}/${f}`])));
  for (const variant of VARIANTS) {
    it.each(clusters.map((inputs, i) => [files[i]!, inputs] as const))(`${variant.api} ${variant.style}: %s is schema-valid and deterministic`, (_file, inputs) => {
      const index = buildRbacIndex(inputs.rbac);
      const groups = scopeGroups(index, inputs.policies);
      const options: KyvernoOptions = { ...variant, emitTests: true };
      const first = translateKyverno({ policies: inputs.policies, scopeGroups: groups, options });
      const second = translateKyverno({ policies: inputs.policies, scopeGroups: groups, options });
      expect(serialise(first.objects)).toBe(serialise(second.objects));
      // No YAML anchors or aliases: every object is plain, unshared data.
      expect(serialise(first.objects)).not.toMatch(/(^|\s)[&*]a\d+(\s|$)/m);
      const errors = first.objects.flatMap(schemaErrors);
      expect(errors).toEqual([]);
      expect(schemaErrors(first.tests!.test)).toEqual([]);
      for (const o of first.objects) expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
      const keys = first.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
      expect(new Set(keys).size).toBe(keys.length);
    });
  }
});
