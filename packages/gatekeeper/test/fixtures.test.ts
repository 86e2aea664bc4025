/**
 * Golden fixtures (fixtures/<case>/input.yaml [+ options.json] -> gatekeeper.yaml, written on first
 * run for review) and the invariants every output must keep: CRD schemas, parameters valid against
 * their template's schema, Rego inside our checked subset, CEL that compiles, identical bytes twice.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildRbacIndex, compileCel, parseInputs, scopeGroups } from '@psp-translate/core';
import { serializeObjects, translateGatekeeper, type GatekeeperInput, type GatekeeperOptions, type GatekeeperOutput, type KubernetesObject } from '@psp-translate/gatekeeper';
import { parseRego } from './support/rego-interpreter.js';
import { loadCrdSchema, validateAgainstCrd, validateStructural, type Schema } from '../../../test/support/structural-schema.js';

const fixtures = new URL('./fixtures/', import.meta.url);
const cases = readdirSync(fixtures).filter((name) => existsSync(new URL(`${name}/input.yaml`, fixtures))).sort();

function inputOf(name: string): GatekeeperInput {
  const path = `fixtures/${name}/input.yaml`;
  const set = parseInputs([{ path, text: readFileSync(new URL(`${name}/input.yaml`, fixtures), 'utf8') }]);
  const optionsFile = new URL(`${name}/options.json`, fixtures);
  const options = existsSync(optionsFile) ? (JSON.parse(readFileSync(optionsFile, 'utf8')) as GatekeeperOptions) : {};
  const hasRbac = Object.values(set.rbac).some((list) => list.length > 0);
  return {
    policies: set.policies,
    ...(hasRbac ? { scopeGroups: scopeGroups(buildRbacIndex(set.rbac), set.policies) } : {}),
    options,
  };
}

/** The expected file: the fidelity report as comments, then the objects. */
function render(output: GatekeeperOutput): string {
  const report = output.report.map((e) => `# ${e.fidelity}: ${e.policy ?? '*'}${e.control ? ` ${e.control}` : ''}: ${e.message}`);
  return `${report.join('\n')}${report.length > 0 ? '\n' : ''}${serializeObjects(output.objects)}`;
}

const crds = {
  ConstraintTemplate: loadCrdSchema(new URL('./schemas/constrainttemplate-v1.json', import.meta.url)),
  Assign: loadCrdSchema(new URL('./schemas/assign-v1.json', import.meta.url)),
  ModifySet: loadCrdSchema(new URL('./schemas/modifyset-v1.json', import.meta.url)),
  AssignMetadata: loadCrdSchema(new URL('./schemas/assignmetadata-v1.json', import.meta.url)),
};

type Template = { metadata: { name: string }; spec: { crd: { spec: { names: { kind: string }; validation: { openAPIV3Schema: Schema } } }; targets: { rego: string; code: { source: { validations: { expression: string; messageExpression: string }[] } }[] }[] } };

function checkInvariants(objects: readonly KubernetesObject[]): void {
  const templates = new Map<string, Template>();
  for (const object of objects) {
    if (object.kind === 'ConstraintTemplate') {
      const t = object as unknown as Template;
      templates.set(t.spec.crd.spec.names.kind, t);
      expect(t.metadata.name).toBe(t.spec.crd.spec.names.kind.toLowerCase());
      const target = t.spec.targets[0]!;
      const module = parseRego(target.rego);
      expect(module.imports).not.toContain('rego.v1');
      expect(module.rules.has('violation')).toBe(true);
      for (const v of target.code[0]!.source.validations) {
        compileCel(v.expression);
        compileCel(v.messageExpression);
        expect(v.expression).not.toMatch(/\.\?|orValue|variables\.anyObject/);
      }
    }
  }
  for (const object of objects) {
    const crd = crds[object.kind as keyof typeof crds];
    if (crd !== undefined) {
      expect(validateAgainstCrd(object as unknown as Record<string, unknown>, crd), `${object.kind}/${object.metadata.name}`).toEqual([]);
      continue;
    }
    expect(object.apiVersion).toBe('constraints.gatekeeper.sh/v1beta1');
    const template = templates.get(object.kind);
    expect(template, `template for ${object.kind}`).toBeDefined();
    const spec = object.spec as { parameters: unknown; enforcementAction: string; match: { kinds: unknown } };
    expect(validateStructural(spec.parameters, template!.spec.crd.spec.validation.openAPIV3Schema), `${object.kind}/${object.metadata.name}`).toEqual([]);
    expect(['dryrun', 'warn', 'deny']).toContain(spec.enforcementAction);
    expect(spec.match.kinds).toEqual([{ apiGroups: [''], kinds: ['Pod'] }]);
  }
  const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
  expect(new Set(names).size).toBe(names.length);
}

describe('golden fixtures', () => {
  it('has a fixture for every control and every mode', () => {
    expect(cases.filter((c) => c.startsWith('control-'))).toHaveLength(20);
    expect(cases).toEqual(expect.arrayContaining(['mode-auto-rbac', 'mode-policy-set', 'mode-per-control', 'no-mutate-deny']));
  });

  for (const name of cases) {
    it(name, () => {
      const output = translateGatekeeper(inputOf(name));
      checkInvariants(output.objects);
      const actual = render(output);
      // Emitting twice gives identical bytes.
      expect(render(translateGatekeeper(inputOf(name)))).toBe(actual);
      const expectedFile = new URL(`${name}/gatekeeper.yaml`, fixtures);
      if (!existsSync(expectedFile)) {
        writeFileSync(expectedFile, actual);
        console.warn(`wrote ${name}/gatekeeper.yaml: review it`);
        return;
      }
      expect(actual).toBe(readFileSync(expectedFile, 'utf8'));
    });
  }
});

describe('what each fixture must contain', () => {
  it('control fixtures: the control template and a constraint of the PSP, other controls only where the base PSP still checks something', () => {
    // The permissive base PSP still bounds host ports (0-65535), volume sources and procMount types.
    const baseline = ['k8spsphostports', 'k8spspvolumes', 'k8spspprocmount'];
    for (const name of cases.filter((c) => c.startsWith('control-'))) {
      const control = name.slice('control-'.length);
      const objects = translateGatekeeper(inputOf(name)).objects;
      const templates = objects.filter((o) => o.kind === 'ConstraintTemplate').map((o) => o.metadata.name);
      expect(templates, name).toContain(`k8spsp${control.toLowerCase()}`);
      expect(templates.filter((t) => t !== `k8spsp${control.toLowerCase()}` && !baseline.includes(t)), name).toEqual([]);
      expect(objects.some((o) => o.kind === `K8sPsp${control[0]!.toUpperCase()}${control.slice(1)}` && o.metadata.name === `only-${control.toLowerCase()}`), name).toBe(true);
    }
  });

  it('auto mode: per-control where one PSP applies, policy-set where several or none do', () => {
    const objects = translateGatekeeper(inputOf('mode-auto-rbac')).objects;
    const constraints = objects.filter((o) => o.apiVersion.startsWith('constraints.'));
    expect(constraints.filter((o) => o.kind === 'K8sPspPolicySet').map((o) => o.metadata.name)).toEqual(
      expect.arrayContaining(['any-of-privileged-restricted', 'no-usable-psp']),
    );
    expect(constraints.some((o) => o.kind === 'K8sPspPrivileged' && o.metadata.name === 'restricted')).toBe(true);
    const policySet = translateGatekeeper(inputOf('mode-policy-set')).objects.filter((o) => o.apiVersion.startsWith('constraints.'));
    expect(policySet.every((o) => o.kind === 'K8sPspPolicySet')).toBe(true);
  });

  it('--no-mutate and --action deny', () => {
    const output = translateGatekeeper(inputOf('no-mutate-deny'));
    expect(output.objects.some((o) => o.apiVersion.startsWith('mutations.'))).toBe(false);
    expect(output.report.filter((e) => e.fidelity === 'unsupported').map((e) => e.control)).toContain('capabilities');
    for (const o of output.objects.filter((x) => x.apiVersion.startsWith('constraints.'))) {
      expect((o.spec as { enforcementAction: string; match: { excludedNamespaces: string[] } }).enforcementAction).toBe('deny');
      expect((o.spec as { match: { excludedNamespaces: string[] } }).match.excludedNamespaces).toContain('kube-system');
    }
  });
});
