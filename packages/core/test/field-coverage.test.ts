// No PSP field or annotation may be dropped on the way to the IR: each is named in some control's
// `sources`, and changing it changes that control.
import { describe, expect, test } from 'vitest';
import {
  annotationSource,
  CONTROL_KINDS,
  type ControlKind,
  type PodSecurityPolicy,
  type PodSecurityPolicySpec,
  PodSecurityPolicySchema,
  policyToIR,
  PSP_ANNOTATIONS,
  PSP_SPEC_FIELDS,
} from '@psp-translate/core';
import { checkPodSecurityPolicy } from '../src/parse/psp-validation.js';

const source = { file: 'every-field.yaml', line: 1, column: 1 };

/** A PSP that sets every spec field and every PSP annotation to a non-default value. */
function everyFieldPolicy(): PodSecurityPolicy {
  return {
    apiVersion: 'policy/v1beta1',
    kind: 'PodSecurityPolicy',
    metadata: {
      name: 'every-field',
      annotations: {
        [PSP_ANNOTATIONS.seccompAllowedProfileNames]: 'runtime/default,localhost/audit.json',
        [PSP_ANNOTATIONS.seccompDefaultProfileName]: 'runtime/default',
        [PSP_ANNOTATIONS.appArmorAllowedProfileNames]: 'runtime/default',
        [PSP_ANNOTATIONS.appArmorDefaultProfileName]: 'runtime/default',
      },
    },
    spec: {
      privileged: false,
      defaultAddCapabilities: ['NET_BIND_SERVICE'],
      requiredDropCapabilities: ['NET_RAW'],
      allowedCapabilities: ['CHOWN'],
      volumes: ['configMap', 'hostPath', 'flexVolume', 'csi'],
      hostNetwork: false,
      hostPorts: [{ min: 8000, max: 8080 }],
      hostPID: false,
      hostIPC: false,
      seLinux: { rule: 'MustRunAs', seLinuxOptions: { level: 's0:c1,c2' } },
      runAsUser: { rule: 'MustRunAs', ranges: [{ min: 1000, max: 2000 }] },
      runAsGroup: { rule: 'MayRunAs', ranges: [{ min: 1000, max: 2000 }] },
      supplementalGroups: { rule: 'MustRunAs', ranges: [{ min: 1, max: 65535 }] },
      fsGroup: { rule: 'MayRunAs', ranges: [{ min: 1, max: 65535 }] },
      readOnlyRootFilesystem: false,
      defaultAllowPrivilegeEscalation: false,
      allowPrivilegeEscalation: true,
      allowedHostPaths: [{ pathPrefix: '/var/log', readOnly: true }],
      allowedFlexVolumes: [{ driver: 'example/lvm' }],
      allowedCSIDrivers: [{ name: 'csi.example.com' }],
      allowedUnsafeSysctls: ['net.core.somaxconn'],
      forbiddenSysctls: ['kernel.*'],
      allowedProcMountTypes: ['Default'],
      runtimeClass: { allowedRuntimeClassNames: ['gvisor'], defaultRuntimeClassName: 'gvisor' },
    },
  };
}

/** One realistic change per spec field; `satisfies` makes a new PSP field fail to compile here. */
const specChanges = {
  privileged: (spec) => void (spec.privileged = true),
  defaultAddCapabilities: (spec) => void (spec.defaultAddCapabilities = ['SYS_TIME']),
  requiredDropCapabilities: (spec) => void (spec.requiredDropCapabilities = ['ALL']),
  allowedCapabilities: (spec) => void (spec.allowedCapabilities = ['CHOWN', 'SYS_TIME']),
  volumes: (spec) => void (spec.volumes = ['*']),
  hostNetwork: (spec) => void (spec.hostNetwork = true),
  hostPorts: (spec) => void (spec.hostPorts = [{ min: 443, max: 443 }]),
  hostPID: (spec) => void (spec.hostPID = true),
  hostIPC: (spec) => void (spec.hostIPC = true),
  seLinux: (spec) => void (spec.seLinux = { rule: 'RunAsAny' }),
  runAsUser: (spec) => void (spec.runAsUser = { rule: 'MustRunAsNonRoot' }),
  runAsGroup: (spec) => void (spec.runAsGroup = { rule: 'MustRunAs', ranges: [{ min: 5, max: 6 }] }),
  supplementalGroups: (spec) => void (spec.supplementalGroups = { rule: 'RunAsAny' }),
  fsGroup: (spec) => void (spec.fsGroup = { rule: 'MustRunAs', ranges: [{ min: 2000, max: 3000 }] }),
  readOnlyRootFilesystem: (spec) => void (spec.readOnlyRootFilesystem = true),
  defaultAllowPrivilegeEscalation: (spec) => void (spec.defaultAllowPrivilegeEscalation = true),
  allowPrivilegeEscalation: (spec) => void (spec.allowPrivilegeEscalation = false),
  allowedHostPaths: (spec) => void (spec.allowedHostPaths = [{ pathPrefix: '/var/log', readOnly: false }]),
  allowedFlexVolumes: (spec) => void (spec.allowedFlexVolumes = [{ driver: 'example/nfs' }]),
  allowedCSIDrivers: (spec) => void (spec.allowedCSIDrivers = []),
  allowedUnsafeSysctls: (spec) => void (spec.allowedUnsafeSysctls = ['net.ipv4.*']),
  forbiddenSysctls: (spec) => void (spec.forbiddenSysctls = ['vm.swappiness']),
  allowedProcMountTypes: (spec) => void (spec.allowedProcMountTypes = ['Default', 'Unmasked']),
  runtimeClass: (spec) => void (spec.runtimeClass = { allowedRuntimeClassNames: ['*'] }),
} satisfies Record<keyof PodSecurityPolicySpec, (spec: PodSecurityPolicySpec) => void>;

const annotationChanges = {
  seccompAllowedProfileNames: '*',
  seccompDefaultProfileName: 'docker/default',
  appArmorAllowedProfileNames: 'runtime/default,localhost/k8s-nginx',
  appArmorDefaultProfileName: 'localhost/k8s-nginx',
} satisfies Record<keyof typeof PSP_ANNOTATIONS, string>;

function controlsUsing(sourceName: string, ir: ReturnType<typeof policyToIR>): ControlKind[] {
  return CONTROL_KINDS.filter((kind) => ir.controls[kind].sources.includes(sourceName));
}

/** Builds the IR after `change`, checking the changed PSP is one the API server would accept. */
function irAfter(change: (psp: PodSecurityPolicy) => void) {
  const psp = everyFieldPolicy();
  change(psp);
  const valid = PodSecurityPolicySchema.parse(psp);
  expect(checkPodSecurityPolicy(valid)).toEqual([]);
  return policyToIR(valid, source);
}

describe('field coverage of policyToIR', () => {
  const base = irAfter(() => {});

  test('the every-field PSP is valid and every spec field and annotation is named in some control', () => {
    const named = new Set(CONTROL_KINDS.flatMap((kind) => base.controls[kind].sources));
    const missing = [
      ...PSP_SPEC_FIELDS.map((field) => `spec.${field}`),
      ...Object.values(PSP_ANNOTATIONS).map(annotationSource),
    ].filter((name) => !named.has(name));
    expect(missing).toEqual([]);
    expect(Object.keys(everyFieldPolicy().spec).sort()).toEqual([...PSP_SPEC_FIELDS].sort());
  });

  test.each(PSP_SPEC_FIELDS)('changing spec.%s changes the control that names it', (field) => {
    const changed = irAfter((psp) => specChanges[field](psp.spec));
    const controls = controlsUsing(`spec.${field}`, base);
    expect(controls.length).toBeGreaterThan(0);
    expect(controls.some((kind) => JSON.stringify(changed.controls[kind]) !== JSON.stringify(base.controls[kind]))).toBe(true);
  });

  test.each(Object.keys(PSP_ANNOTATIONS) as (keyof typeof PSP_ANNOTATIONS)[])(
    'changing the %s annotation changes the control that names it',
    (key) => {
      const annotation = PSP_ANNOTATIONS[key];
      const changed = irAfter((psp) => {
        psp.metadata.annotations = { ...psp.metadata.annotations, [annotation]: annotationChanges[key] };
      });
      const controls = controlsUsing(annotationSource(annotation), base);
      expect(controls.length).toBeGreaterThan(0);
      expect(controls.some((kind) => JSON.stringify(changed.controls[kind]) !== JSON.stringify(base.controls[kind]))).toBe(true);
    },
  );

  test('consumed annotations are not copied to the IR, the others are', () => {
    const ir = irAfter((psp) => {
      psp.metadata.annotations = { ...psp.metadata.annotations, 'example.com/owner': 'platform' };
    });
    expect(ir.annotations).toEqual({ 'example.com/owner': 'platform' });
  });
});
