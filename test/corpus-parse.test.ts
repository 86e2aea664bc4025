// Every real-world PSP of the shared corpus must parse into IR, with the RBAC shipped beside it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { type InputSet, parseInputs, PolicyIRSchema } from '@psp-translate/core';

const corpusDir = fileURLToPath(new URL('../../shared/corpus/psp/', import.meta.url));
const corpusPresent = existsSync(corpusDir);
if (!corpusPresent) console.warn(`corpus-parse: SKIPPED, corpus not found at ${corpusDir} (expected ../shared/corpus from the repo root)`);

describe.skipIf(!corpusPresent)('PSP corpus (../shared/corpus/psp)', () => {
  const files = corpusPresent ? readdirSync(corpusDir).filter((name) => /\.ya?ml$/.test(name)).sort() : [];
  // Files are parsed one by one: several projects ship a PSP of the same name (`privileged`).
  const parsed = new Map<string, InputSet>();
  const failures: string[] = [];
  for (const name of files) {
    try {
      parsed.set(name, parseInputs([{ path: name, text: readFileSync(corpusDir + name, 'utf8') }]));
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message}`);
    }
  }

  test('every file parses, each PSP into schema-valid IR', () => {
    const invalidIR = [...parsed].flatMap(([name, set]) =>
      set.policies.filter((policy) => !PolicyIRSchema.safeParse(policy).success).map((policy) => `${name}: ${policy.name}: IR fails PolicyIRSchema`),
    );
    expect([...failures, ...invalidIR]).toEqual([]);
    // The README says one PSP per file.
    expect([...parsed].filter(([, set]) => set.policies.length !== 1).map(([name]) => name)).toEqual([]);
  });

  test('object counts match the corpus README', () => {
    const sets = [...parsed.values()];
    const count = (select: (set: InputSet) => readonly unknown[]) => sets.reduce((sum, set) => sum + select(set).length, 0);
    expect(files).toHaveLength(48);
    expect({
      PodSecurityPolicy: count((set) => set.policies),
      ClusterRole: count((set) => set.rbac.clusterRoles),
      Role: count((set) => set.rbac.roles),
      ClusterRoleBinding: count((set) => set.rbac.clusterRoleBindings),
      RoleBinding: count((set) => set.rbac.roleBindings),
      ServiceAccount: count((set) => set.serviceAccounts),
      Namespace: count((set) => set.namespaces),
      skipped: count((set) => set.skipped),
    }).toEqual({
      PodSecurityPolicy: 48,
      ClusterRole: 26,
      Role: 18,
      ClusterRoleBinding: 28,
      RoleBinding: 30,
      ServiceAccount: 7,
      Namespace: 2,
      skipped: 0,
    });
  });

  test('feature counts from the README survive into the IR', () => {
    const policies = [...parsed.values()].flatMap((set) => set.policies);
    const count = (predicate: (policy: (typeof policies)[number]) => boolean) => policies.filter(predicate).length;
    expect({
      seccomp: count((p) => p.controls.seccomp.validate.allowed !== null || p.controls.seccomp.defaults !== null),
      appArmor: count((p) => p.controls.appArmor.validate.allowed !== null || p.controls.appArmor.defaults !== null),
      anyVolume: count((p) => p.controls.volumes.validate.anyType),
      anyCapability: count((p) => p.controls.capabilities.validate.allowAny),
      extensionsApi: count((p) => p.apiVersion === 'extensions/v1beta1'),
      runAsGroup: count((p) => p.controls.runAsGroup.validate.specified),
      seLinuxMustRunAs: count((p) => p.controls.seLinux.validate.rule === 'MustRunAs'),
      defaultAddCapabilities: count((p) => (p.controls.capabilities.defaults?.add.length ?? 0) > 0),
      readOnlyHostPath: count((p) => p.controls.hostPaths.validate.allowed.some((entry) => entry.readOnly)),
    }).toEqual({
      seccomp: 24,
      appArmor: 14,
      anyVolume: 7,
      anyCapability: 5,
      extensionsApi: 2,
      runAsGroup: 5,
      seLinuxMustRunAs: 1,
      defaultAddCapabilities: 1,
      readOnlyHostPath: 1,
    });
  });
});
