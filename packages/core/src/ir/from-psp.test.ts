import { describe, expect, test } from 'vitest';
import { PodSecurityPolicySchema, PSP_ANNOTATIONS, type PodSecurityPolicy } from '../schema/psp.js';
import { policyToIR } from './from-psp.js';
import { PolicyIRSchema } from './ir.js';

const source = { file: 'psp.yaml', line: 3, column: 1 };

/** The smallest PSP the API accepts, plus `spec` overrides. */
function psp(spec: Record<string, unknown> = {}, annotations?: Record<string, string>): PodSecurityPolicy {
  return PodSecurityPolicySchema.parse({
    apiVersion: 'policy/v1beta1',
    kind: 'PodSecurityPolicy',
    metadata: { name: 'p', ...(annotations ? { annotations } : {}) },
    spec: {
      seLinux: { rule: 'RunAsAny' },
      runAsUser: { rule: 'RunAsAny' },
      supplementalGroups: { rule: 'RunAsAny' },
      fsGroup: { rule: 'RunAsAny' },
      ...spec,
    },
  });
}

describe('policyToIR', () => {
  test('a minimal PSP: PSP meaning of every unset field, nothing mutated', () => {
    const ir = policyToIR(psp(), source);
    expect(PolicyIRSchema.parse(ir)).toEqual(ir);
    const { controls } = ir;
    expect(ir.source).toEqual(source);
    expect(ir.mutating).toBe(false);
    expect(controls.privileged.validate.allowPrivileged).toBe(false);
    expect(controls.hostNamespaces.validate).toEqual({ allowHostNetwork: false, allowHostPID: false, allowHostIPC: false });
    expect(controls.hostPorts.validate.ranges).toEqual([]);
    expect(controls.volumes.validate).toEqual({ anyType: false, allowedTypes: [] });
    expect(controls.privilegeEscalation).toMatchObject({ validate: { allowPrivilegeEscalation: true }, defaults: null });
    expect(controls.runAsGroup.validate).toEqual({ specified: false, rule: 'RunAsAny', ranges: [] });
    expect(controls.seccomp).toMatchObject({ validate: { allowed: null }, defaults: null });
    expect(controls.appArmor).toMatchObject({ validate: { allowed: null }, defaults: null });
    expect(controls.runtimeClass).toMatchObject({ validate: { allowed: null }, defaults: null });
    expect(controls.procMount.validate.allowed).toEqual([]);
    for (const control of Object.values(controls)) expect(control.defaults).toBeNull();
    expect(controls.runAsUser.appliesTo).toEqual(['containers', 'initContainers', 'ephemeralContainers']);
  });

  test('allowPrivilegeEscalation: false defaults containers to false', () => {
    const ir = policyToIR(psp({ allowPrivilegeEscalation: false }), source);
    expect(ir.controls.privilegeEscalation.validate.allowPrivilegeEscalation).toBe(false);
    expect(ir.controls.privilegeEscalation.defaults).toEqual({ allowPrivilegeEscalation: false });
    expect(ir.mutating).toBe(true);
  });

  test('defaultAllowPrivilegeEscalation wins as the default when set', () => {
    expect(policyToIR(psp({ defaultAllowPrivilegeEscalation: true }), source).controls.privilegeEscalation.defaults).toEqual({
      allowPrivilegeEscalation: true,
    });
    expect(
      policyToIR(psp({ allowPrivilegeEscalation: true, defaultAllowPrivilegeEscalation: false }), source).controls.privilegeEscalation,
    ).toMatchObject({ validate: { allowPrivilegeEscalation: true }, defaults: { allowPrivilegeEscalation: false } });
  });

  test('capabilities: `*` allows any; default adds and required drops become defaults', () => {
    const any = policyToIR(psp({ allowedCapabilities: ['*', 'NET_ADMIN'] }), source).controls.capabilities;
    expect(any).toMatchObject({ validate: { allowAny: true, allowed: ['NET_ADMIN'], requiredDrop: [] }, defaults: null });
    const restricted = policyToIR(psp({ defaultAddCapabilities: ['CHOWN'], requiredDropCapabilities: ['ALL'] }), source);
    expect(restricted.controls.capabilities).toMatchObject({
      validate: { allowAny: false, allowed: [], requiredDrop: ['ALL'] },
      defaults: { add: ['CHOWN'], drop: ['ALL'] },
    });
    expect(restricted.mutating).toBe(true);
  });

  test('volumes: `*` is anyType, the rest are listed', () => {
    expect(policyToIR(psp({ volumes: ['*'] }), source).controls.volumes.validate).toEqual({ anyType: true, allowedTypes: [] });
    expect(policyToIR(psp({ volumes: ['secret', 'configMap', 'secret'] }), source).controls.volumes.validate).toEqual({
      anyType: false,
      allowedTypes: ['secret', 'configMap'],
    });
  });

  test('MustRunAs strategies default to the first range minimum', () => {
    const ir = policyToIR(
      psp({
        runAsUser: { rule: 'MustRunAs', ranges: [{ min: 1000, max: 2000 }, { min: 10, max: 20 }] },
        runAsGroup: { rule: 'MustRunAs', ranges: [{ min: 3000, max: 3001 }] },
        supplementalGroups: { rule: 'MustRunAs', ranges: [{ min: 5, max: 6 }] },
        fsGroup: { rule: 'MustRunAs', ranges: [{ min: 7, max: 8 }] },
      }),
      source,
    ).controls;
    expect(ir.runAsUser).toMatchObject({ validate: { rule: 'MustRunAs', ranges: [{ min: 1000, max: 2000 }, { min: 10, max: 20 }] }, defaults: { runAsUser: 1000 } });
    expect(ir.runAsGroup).toMatchObject({ validate: { specified: true, rule: 'MustRunAs' }, defaults: { runAsGroup: 3000 } });
    expect(ir.supplementalGroups.defaults).toEqual({ supplementalGroups: [5] });
    expect(ir.fsGroup.defaults).toEqual({ fsGroup: 7 });
  });

  test('MayRunAs checks ranges but defaults nothing; MustRunAsNonRoot defaults runAsNonRoot', () => {
    const ir = policyToIR(
      psp({
        runAsUser: { rule: 'MustRunAsNonRoot' },
        runAsGroup: { rule: 'MayRunAs', ranges: [{ min: 1, max: 2 }] },
        fsGroup: { rule: 'MayRunAs', ranges: [{ min: 1, max: 2 }] },
      }),
      source,
    ).controls;
    expect(ir.runAsUser.defaults).toEqual({ runAsNonRoot: true });
    expect(ir.runAsGroup.defaults).toBeNull();
    expect(ir.fsGroup).toMatchObject({ validate: { rule: 'MayRunAs', ranges: [{ min: 1, max: 2 }] }, defaults: null });
  });

  test('seLinux MustRunAs defaults the options; readOnlyRootFilesystem defaults true', () => {
    const ir = policyToIR(psp({ seLinux: { rule: 'MustRunAs', seLinuxOptions: { level: 's0' } }, readOnlyRootFilesystem: true }), source);
    expect(ir.controls.seLinux).toMatchObject({ validate: { rule: 'MustRunAs', options: { level: 's0' } }, defaults: { seLinuxOptions: { level: 's0' } } });
    expect(ir.controls.readOnlyRootFilesystem).toMatchObject({ validate: { required: true }, defaults: { readOnlyRootFilesystem: true } });
  });

  test('seccomp and AppArmor come from the annotations, comma-split and trimmed, and leave `annotations`', () => {
    const ir = policyToIR(
      psp({}, {
        [PSP_ANNOTATIONS.seccompAllowedProfileNames]: 'docker/default, runtime/default',
        [PSP_ANNOTATIONS.seccompDefaultProfileName]: 'runtime/default',
        [PSP_ANNOTATIONS.appArmorAllowedProfileNames]: 'runtime/default',
        [PSP_ANNOTATIONS.appArmorDefaultProfileName]: 'runtime/default',
        'kubernetes.io/description': 'kept',
      }),
      source,
    );
    expect(ir.controls.seccomp).toMatchObject({ validate: { allowed: ['docker/default', 'runtime/default'] }, defaults: { profile: 'runtime/default' } });
    expect(ir.controls.appArmor).toMatchObject({ validate: { allowed: ['runtime/default'] }, defaults: { profile: 'runtime/default' } });
    expect(ir.controls.seccomp.sources).toEqual([
      'metadata.annotations["seccomp.security.alpha.kubernetes.io/allowedProfileNames"]',
      'metadata.annotations["seccomp.security.alpha.kubernetes.io/defaultProfileName"]',
    ]);
    expect(ir.annotations).toEqual({ 'kubernetes.io/description': 'kept' });
    expect(ir.mutating).toBe(true);
  });

  test('host paths, drivers, sysctls, proc mount and runtime class', () => {
    const ir = policyToIR(
      psp({
        allowedHostPaths: [{ pathPrefix: '/var/log', readOnly: true }, { pathPrefix: '/tmp' }],
        allowedFlexVolumes: [{ driver: 'example/lvm' }],
        allowedCSIDrivers: [{ name: 'csi.example.com' }],
        forbiddenSysctls: ['kernel.*'],
        allowedUnsafeSysctls: ['net.core.somaxconn'],
        allowedProcMountTypes: ['Unmasked'],
        runtimeClass: { allowedRuntimeClassNames: ['gvisor'], defaultRuntimeClassName: 'gvisor' },
      }),
      source,
    ).controls;
    expect(ir.hostPaths.validate.allowed).toEqual([{ pathPrefix: '/var/log', readOnly: true }, { pathPrefix: '/tmp', readOnly: false }]);
    expect(ir.flexVolumeDrivers.validate.allowedDrivers).toEqual(['example/lvm']);
    expect(ir.csiDrivers.validate.allowedDrivers).toEqual(['csi.example.com']);
    expect(ir.sysctls.validate).toEqual({ forbidden: ['kernel.*'], allowedUnsafe: ['net.core.somaxconn'] });
    expect(ir.procMount.validate.allowed).toEqual(['Unmasked']);
    expect(ir.runtimeClass).toMatchObject({ validate: { allowed: ['gvisor'] }, defaults: { runtimeClassName: 'gvisor' } });
  });
});
