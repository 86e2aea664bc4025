import { describe, expect, it } from 'vitest';
import { translateGatekeeper, type KubernetesObject } from '@psp-translate/gatekeeper';
import type { Container, Pod } from '@psp-translate/core';
import { applyMutator, mutatePod, parseLocation, type MutatorObject } from './support/mutation-interpreter.js';
import { loadCrdSchema, validateAgainstCrd } from '../../../test/support/structural-schema.js';
import { everyDefaultPolicy, nonMutatingPolicy, pspToIR } from './support/policies.js';

const mutatorsOf = (objects: KubernetesObject[]) =>
  objects.filter((o) => o.apiVersion === 'mutations.gatekeeper.sh/v1') as unknown as MutatorObject[];

function pod(spec: Partial<Pod['spec']>, annotations?: Record<string, string>): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'team-a', ...(annotations ? { annotations } : {}) },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
  };
}

describe('the mutation interpreter (test support) follows Gatekeeper semantics', () => {
  it('parses keyed, globbed and quoted locations', () => {
    expect(parseLocation('spec.containers[name: *].securityContext')).toEqual([
      { kind: 'object', key: 'spec' },
      { kind: 'object', key: 'containers' },
      { kind: 'list', keyField: 'name', keyValue: null },
      { kind: 'object', key: 'securityContext' },
    ]);
    expect(parseLocation('metadata.annotations."a.b/c"')[2]).toEqual({ kind: 'object', key: 'a.b/c' });
    expect(parseLocation('spec.containers[name:foo].image')[2]).toEqual({ kind: 'list', keyField: 'name', keyValue: 'foo' });
  });

  const assign = (location: string, value: unknown, mustNotExist = true): MutatorObject => ({
    apiVersion: 'mutations.gatekeeper.sh/v1',
    kind: 'Assign',
    metadata: { name: 't' },
    spec: {
      location,
      parameters: {
        ...(mustNotExist ? { pathTests: [{ subPath: location, condition: 'MustNotExist' as const }] } : {}),
        assign: { value },
      },
    },
  });

  it('creates missing parents but never a globbed list or its elements', () => {
    const obj = { spec: { containers: [{ name: 'a' }, { name: 'b', securityContext: { runAsUser: 7 } }] } };
    expect(applyMutator(obj, assign('spec.containers[name: *].securityContext.runAsUser', 1))).toBe(true);
    expect(obj.spec.containers).toEqual([
      { name: 'a', securityContext: { runAsUser: 1 } },
      { name: 'b', securityContext: { runAsUser: 7 } },
    ]);
    expect(applyMutator(obj, assign('spec.initContainers[name: *].securityContext.runAsUser', 1))).toBe(false);
    expect(obj.spec).not.toHaveProperty('initContainers');
  });

  it('MustNotExist on the leaf keeps set values, without it the value is overwritten', () => {
    const obj = { spec: { securityContext: { fsGroup: 5 } } };
    expect(applyMutator(obj, assign('spec.securityContext.fsGroup', 9))).toBe(false);
    expect(obj.spec.securityContext.fsGroup).toBe(5);
    expect(applyMutator(obj, assign('spec.securityContext.fsGroup', 9, false))).toBe(true);
    expect(obj.spec.securityContext.fsGroup).toBe(9);
  });

  it('rejects path tests that are not prefixes of the location, as Gatekeeper does', () => {
    const m = assign('spec.containers[name: *].securityContext.runAsUser', 1);
    m.spec.parameters.pathTests = [{ subPath: 'spec.securityContext.runAsUser', condition: 'MustNotExist' }];
    expect(() => applyMutator({ spec: {} }, m)).toThrow(/not a prefix/);
  });
});

describe('mutators for PSP defaults', () => {
  const policy = everyDefaultPolicy();
  const { objects, report } = translateGatekeeper({ policies: [policy] });
  const mutators = mutatorsOf(objects);

  it('emits Assign/ModifySet objects that validate against the Gatekeeper CRDs', () => {
    expect(mutators.length).toBeGreaterThan(0);
    const crds = {
      Assign: loadCrdSchema(new URL('./schemas/assign-v1.json', import.meta.url)),
      ModifySet: loadCrdSchema(new URL('./schemas/modifyset-v1.json', import.meta.url)),
    };
    for (const m of mutators) {
      const crd = crds[m.kind as keyof typeof crds];
      expect(crd, m.kind).toBeDefined();
      expect(validateAgainstCrd(m as unknown as Record<string, unknown>, crd), m.metadata.name).toEqual([]);
      expect(m.metadata.name.length).toBeLessThanOrEqual(63);
    }
    expect(new Set(mutators.map((m) => m.metadata.name)).size).toBe(mutators.length);
  });

  it('the schema check catches a broken mutator (so it can fail)', () => {
    const broken = structuredClone(mutators[0]!) as unknown as { spec: Record<string, unknown> };
    (broken.spec.parameters as Record<string, unknown>).pathTest = [];
    broken.spec.applyTo = [{ groups: [''], kinds: ['Pod'], versions: ['v1'], operations: ['DELETE'] }];
    const errors = validateAgainstCrd(broken as unknown as Record<string, unknown>, loadCrdSchema(new URL('./schemas/assign-v1.json', import.meta.url)));
    expect(errors.join('\n')).toMatch(/pathTest: unknown field/);
    expect(errors.join('\n')).toMatch(/"DELETE" is not one of/);
  });

  it('covers all three container kinds for every container-level default', () => {
    for (const field of ['readOnlyRootFilesystem', 'allowPrivilegeEscalation', 'capabilities.add', 'capabilities.drop']) {
      for (const kind of ['containers', 'initContainers', 'ephemeralContainers']) {
        expect(mutators.map((m) => m.spec.location)).toContain(`spec.${kind}[name: *].securityContext.${field}`);
      }
    }
    for (const field of ['runAsUser', 'runAsGroup', 'seLinuxOptions']) {
      expect(mutators.map((m) => m.spec.location)).toContain(`spec.ephemeralContainers[name: *].securityContext.${field}`);
    }
  });

  it('fills every unset field with the PSP default in containers, initContainers and ephemeralContainers', () => {
    const ephemeral: Container = { name: 'debug', image: 'busybox', targetContainerName: 'app' };
    const created = mutatePod(pod({ initContainers: [{ name: 'init' }] }), mutators, { namespace: 'team-a', operation: 'CREATE' });
    const debugged = mutatePod({ ...created, spec: { ...created.spec, ephemeralContainers: [ephemeral] } }, mutators, {
      namespace: 'team-a',
      operation: 'UPDATE',
    });
    expect(debugged.spec.securityContext).toEqual({
      runAsUser: 1000,
      runAsGroup: 3000,
      supplementalGroups: [5000],
      fsGroup: 4000,
      seLinuxOptions: { level: 's0:c1,c2', type: 'container_t' },
      seccompProfile: { type: 'RuntimeDefault' },
      appArmorProfile: { type: 'RuntimeDefault' },
    });
    expect(debugged.spec.runtimeClassName).toBe('gvisor');
    for (const c of [...debugged.spec.containers, ...debugged.spec.initContainers!]) {
      expect(c.securityContext).toEqual({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { add: ['NET_BIND_SERVICE'], drop: ['NET_RAW', 'MKNOD'] },
      });
    }
    expect(debugged.spec.ephemeralContainers![0]!.securityContext).toEqual({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { add: ['NET_BIND_SERVICE'], drop: ['NET_RAW', 'MKNOD'] },
      runAsUser: 1000,
      runAsGroup: 3000,
      seLinuxOptions: { level: 's0:c1,c2', type: 'container_t' },
    });
  });

  it('never overwrites what the pod sets, and merges capabilities as a set', () => {
    const own = {
      readOnlyRootFilesystem: false,
      allowPrivilegeEscalation: true,
      runAsUser: 1500,
      capabilities: { add: ['CHOWN'], drop: ['MKNOD'] },
    };
    const mutated = mutatePod(
      pod({ securityContext: { runAsUser: 1200, fsGroup: 4100, seccompProfile: { type: 'Localhost', localhostProfile: 'strict.json' } }, runtimeClassName: 'runc', containers: [{ name: 'app', securityContext: own }] }),
      mutators,
      { namespace: 'team-a', operation: 'CREATE' },
    );
    expect(mutated.spec.securityContext?.runAsUser).toBe(1200);
    expect(mutated.spec.securityContext?.fsGroup).toBe(4100);
    expect(mutated.spec.securityContext?.seccompProfile).toEqual({ type: 'Localhost', localhostProfile: 'strict.json' });
    expect(mutated.spec.runtimeClassName).toBe('runc');
    expect(mutated.spec.containers[0]!.securityContext).toEqual({
      ...own,
      capabilities: { add: ['CHOWN', 'NET_BIND_SERVICE'], drop: ['MKNOD', 'NET_RAW'] },
    });
  });

  it('converges: applying the mutators twice changes nothing more', () => {
    const once = mutatePod(pod({ initContainers: [{ name: 'i' }] }), mutators, { namespace: 'x', operation: 'CREATE' });
    const twice = mutatePod(once, mutators, { namespace: 'x', operation: 'CREATE' });
    expect(twice).toEqual(once);
  });

  it('runs pod-level and container/init defaults on CREATE only, ephemeral ones on UPDATE too', () => {
    for (const m of mutators) {
      const ops = m.spec.applyTo![0]!.operations;
      expect(ops).toEqual(m.spec.location.startsWith('spec.ephemeralContainers') ? ['CREATE', 'UPDATE'] : ['CREATE']);
    }
  });

  it('reports approximations instead of hiding them', () => {
    const levels = report.filter((e) => e.policy === policy.name).map((e) => `${e.control}:${e.fidelity}`);
    expect(levels).toContain('capabilities:approximate');
    expect(levels).toContain('appArmor:approximate');
    expect(levels).toContain('readOnlyRootFilesystem:exact');
  });

  it('--no-mutate leaves mutators out and reports every default as lost', () => {
    const out = translateGatekeeper({ policies: [policy], options: { mutate: false } });
    expect(mutatorsOf(out.objects)).toEqual([]);
    const lost = out.report.filter((e) => e.fidelity === 'unsupported').map((e) => e.control);
    for (const control of ['readOnlyRootFilesystem', 'privilegeEscalation', 'capabilities', 'runAsUser', 'runAsGroup', 'supplementalGroups', 'fsGroup', 'seLinux', 'seccomp', 'appArmor', 'runtimeClass']) {
      expect(lost).toContain(control);
    }
  });
});

describe('mutator scoping', () => {
  const mutating = everyDefaultPolicy('mutating');
  const plain = nonMutatingPolicy('plain');
  const other = pspToIR('other-default', { readOnlyRootFilesystem: true, runtimeClass: { allowedRuntimeClassNames: ['*'], defaultRuntimeClassName: 'kata' } });
  const sel = (op: 'In' | 'NotIn', ...values: string[]) => ({ op, values });

  it('matches only the namespaces where the pod may use the mutating PSPs, and excludes explicit exemptions', () => {
    const { objects } = translateGatekeeper({
      policies: [mutating, plain],
      scopeGroups: [
        { namespace: sel('In', 'apps'), serviceAccount: sel('NotIn'), requester: sel('NotIn'), candidates: ['mutating'] },
        { namespace: sel('NotIn', 'apps'), serviceAccount: sel('NotIn'), requester: sel('NotIn'), candidates: ['plain'] },
      ],
      options: { excludedNamespaces: ['kube-system'] },
    });
    const m = mutatorsOf(objects);
    expect(m.length).toBeGreaterThan(0);
    for (const x of m) expect(x.spec.match).toMatchObject({ namespaces: ['apps'], excludedNamespaces: ['kube-system'] });
    expect(mutatePod(pod({}), m, { namespace: 'web', operation: 'CREATE' })).toEqual(pod({}));
  });

  it('applies no default where candidates disagree, and reports it as lost', () => {
    const { objects, report } = translateGatekeeper({ policies: [mutating, plain] });
    expect(mutatorsOf(objects)).toEqual([]);
    expect(report.some((e) => e.fidelity === 'unsupported' && e.policy === 'mutating' && e.control === 'runAsUser')).toBe(true);
  });

  it('keeps a default shared by all candidates and drops the ones they set differently', () => {
    const { objects, report } = translateGatekeeper({ policies: [mutating, other] });
    const locations = mutatorsOf(objects).map((m) => m.spec.location);
    expect(locations).toContain('spec.containers[name: *].securityContext.readOnlyRootFilesystem');
    expect(locations).not.toContain('spec.runtimeClassName');
    expect(report.some((e) => e.fidelity === 'unsupported' && e.control === 'runtimeClass')).toBe(true);
  });
});
