/**
 * Hand-built IR policies for CEL tests: a policy that admits everything, with controls overridden.
 */
import { PolicyIRSchema, type Controls, type PolicyIR } from '../../ir/ir.js';

const all = ['containers', 'initContainers', 'ephemeralContainers'] as ['containers', 'initContainers', 'ephemeralContainers'];

/** Controls of a PSP that admits every pod and changes nothing. */
export function permissiveControls(): Controls {
  return {
    privileged: { appliesTo: all, sources: ['spec.privileged'], validate: { allowPrivileged: true }, defaults: null },
    hostNamespaces: {
      appliesTo: 'pod',
      sources: ['spec.hostNetwork'],
      validate: { allowHostNetwork: true, allowHostPID: true, allowHostIPC: true },
      defaults: null,
    },
    hostPorts: { appliesTo: all, sources: ['spec.hostPorts'], validate: { ranges: [{ min: 0, max: 65535 }] }, defaults: null },
    volumes: { appliesTo: 'pod', sources: ['spec.volumes'], validate: { anyType: true, allowedTypes: [] }, defaults: null },
    hostPaths: { appliesTo: 'pod', sources: ['spec.allowedHostPaths'], validate: { allowed: [] }, defaults: null },
    flexVolumeDrivers: { appliesTo: 'pod', sources: ['spec.allowedFlexVolumes'], validate: { allowedDrivers: [] }, defaults: null },
    csiDrivers: { appliesTo: 'pod', sources: ['spec.allowedCSIDrivers'], validate: { allowedDrivers: [] }, defaults: null },
    readOnlyRootFilesystem: { appliesTo: all, sources: ['spec.readOnlyRootFilesystem'], validate: { required: false }, defaults: null },
    privilegeEscalation: {
      appliesTo: all,
      sources: ['spec.allowPrivilegeEscalation'],
      validate: { allowPrivilegeEscalation: true },
      defaults: null,
    },
    capabilities: {
      appliesTo: all,
      sources: ['spec.allowedCapabilities'],
      validate: { allowAny: true, allowed: [], requiredDrop: [] },
      defaults: null,
    },
    runAsUser: { appliesTo: all, sources: ['spec.runAsUser'], validate: { rule: 'RunAsAny', ranges: [] }, defaults: null },
    runAsGroup: {
      appliesTo: all,
      sources: ['spec.runAsGroup'],
      validate: { specified: false, rule: 'RunAsAny', ranges: [] },
      defaults: null,
    },
    supplementalGroups: { appliesTo: 'pod', sources: ['spec.supplementalGroups'], validate: { rule: 'RunAsAny', ranges: [] }, defaults: null },
    fsGroup: { appliesTo: 'pod', sources: ['spec.fsGroup'], validate: { rule: 'RunAsAny', ranges: [] }, defaults: null },
    seLinux: { appliesTo: all, sources: ['spec.seLinux'], validate: { rule: 'RunAsAny', options: null }, defaults: null },
    procMount: { appliesTo: all, sources: ['spec.allowedProcMountTypes'], validate: { allowed: ['Default', 'Unmasked'] }, defaults: null },
    sysctls: { appliesTo: 'pod', sources: ['spec.forbiddenSysctls'], validate: { forbidden: [], allowedUnsafe: ['*'] }, defaults: null },
    seccomp: { appliesTo: all, sources: ['metadata.annotations'], validate: { allowed: ['*'] }, defaults: null },
    appArmor: { appliesTo: all, sources: ['metadata.annotations'], validate: { allowed: null }, defaults: null },
    runtimeClass: { appliesTo: 'pod', sources: ['spec.runtimeClass'], validate: { allowed: null }, defaults: null },
  };
}

type ValidateOverrides = { [K in keyof Controls]?: Partial<Controls[K]['validate']> };

/** A policy admitting everything except what `overrides` restricts (validation values only). */
export function policy(name: string, overrides: ValidateOverrides = {}): PolicyIR {
  const controls = permissiveControls() as Record<string, { validate: object }>;
  for (const [kind, validate] of Object.entries(overrides)) {
    const control = controls[kind];
    if (control === undefined) throw new Error(`no control ${kind}`);
    control.validate = { ...control.validate, ...validate };
  }
  return PolicyIRSchema.parse({
    name,
    apiVersion: 'policy/v1beta1',
    source: { file: 'test.yaml', line: 1, column: 1 },
    labels: {},
    annotations: {},
    mutating: false,
    controls,
  });
}
