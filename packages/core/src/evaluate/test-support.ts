/**
 * A factory for PolicyIR literals in tests: permissive by default (admits every pod, changes
 * nothing), with per-control overrides. Emitter tests reuse it, so core exports it from its
 * `@psp-translate/core/testing` entry point (src/testing.ts), not from the main one.
 */
import { CONTROL_KINDS, PolicyIRSchema, type ControlKind, type Controls, type PolicyIR } from '../ir/ir.js';

const ALL_KINDS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

/** Overrides for {@link policyFixture}: `validate` fields are merged, `defaults` replace. */
export interface PolicyFixtureOverrides {
  name?: string;
  apiVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Computed from the controls' defaults unless given. */
  mutating?: boolean;
  controls?: {
    [K in ControlKind]?: {
      validate?: Partial<Controls[K]['validate']>;
      defaults?: Controls[K]['defaults'];
    };
  };
}

function permissiveControls(): Controls {
  return {
    privileged: { appliesTo: [...ALL_KINDS], sources: ['spec.privileged'], validate: { allowPrivileged: true }, defaults: null },
    hostNamespaces: {
      appliesTo: 'pod',
      sources: ['spec.hostNetwork', 'spec.hostPID', 'spec.hostIPC'],
      validate: { allowHostNetwork: true, allowHostPID: true, allowHostIPC: true },
      defaults: null,
    },
    hostPorts: { appliesTo: [...ALL_KINDS], sources: ['spec.hostPorts'], validate: { ranges: [{ min: 0, max: 65535 }] }, defaults: null },
    volumes: { appliesTo: 'pod', sources: ['spec.volumes'], validate: { anyType: true, allowedTypes: [] }, defaults: null },
    hostPaths: { appliesTo: 'pod', sources: ['spec.allowedHostPaths'], validate: { allowed: [] }, defaults: null },
    flexVolumeDrivers: { appliesTo: 'pod', sources: ['spec.allowedFlexVolumes'], validate: { allowedDrivers: [] }, defaults: null },
    csiDrivers: { appliesTo: 'pod', sources: ['spec.allowedCSIDrivers'], validate: { allowedDrivers: [] }, defaults: null },
    readOnlyRootFilesystem: {
      appliesTo: [...ALL_KINDS],
      sources: ['spec.readOnlyRootFilesystem'],
      validate: { required: false },
      defaults: null,
    },
    privilegeEscalation: {
      appliesTo: [...ALL_KINDS],
      sources: ['spec.allowPrivilegeEscalation', 'spec.defaultAllowPrivilegeEscalation'],
      validate: { allowPrivilegeEscalation: true },
      defaults: null,
    },
    capabilities: {
      appliesTo: [...ALL_KINDS],
      sources: ['spec.allowedCapabilities', 'spec.requiredDropCapabilities', 'spec.defaultAddCapabilities'],
      validate: { allowAny: true, allowed: [], requiredDrop: [] },
      defaults: null,
    },
    runAsUser: { appliesTo: [...ALL_KINDS], sources: ['spec.runAsUser'], validate: { rule: 'RunAsAny', ranges: [] }, defaults: null },
    runAsGroup: {
      appliesTo: [...ALL_KINDS],
      sources: ['spec.runAsGroup'],
      validate: { specified: false, rule: 'RunAsAny', ranges: [] },
      defaults: null,
    },
    supplementalGroups: { appliesTo: 'pod', sources: ['spec.supplementalGroups'], validate: { rule: 'RunAsAny', ranges: [] }, defaults: null },
    fsGroup: { appliesTo: 'pod', sources: ['spec.fsGroup'], validate: { rule: 'RunAsAny', ranges: [] }, defaults: null },
    seLinux: { appliesTo: [...ALL_KINDS], sources: ['spec.seLinux'], validate: { rule: 'RunAsAny', options: null }, defaults: null },
    procMount: { appliesTo: [...ALL_KINDS], sources: ['spec.allowedProcMountTypes'], validate: { allowed: ['Default', 'Unmasked'] }, defaults: null },
    sysctls: {
      appliesTo: 'pod',
      sources: ['spec.forbiddenSysctls', 'spec.allowedUnsafeSysctls'],
      validate: { forbidden: [], allowedUnsafe: ['*'] },
      defaults: null,
    },
    seccomp: {
      appliesTo: [...ALL_KINDS],
      sources: ['metadata.annotations.seccomp.security.alpha.kubernetes.io/allowedProfileNames'],
      validate: { allowed: ['*'] },
      defaults: null,
    },
    appArmor: {
      appliesTo: [...ALL_KINDS],
      sources: ['metadata.annotations.apparmor.security.beta.kubernetes.io/allowedProfileNames'],
      validate: { allowed: null },
      defaults: null,
    },
    runtimeClass: { appliesTo: 'pod', sources: ['spec.runtimeClass'], validate: { allowed: null }, defaults: null },
  };
}

/**
 * A valid PolicyIR (checked by `PolicyIRSchema`): permissive unless overridden. Example:
 * `policyFixture({ name: 'restricted', controls: { privileged: { validate: { allowPrivileged: false } } } })`.
 */
export function policyFixture(overrides: PolicyFixtureOverrides = {}): PolicyIR {
  const controls = permissiveControls() as Record<ControlKind, { validate: object; defaults: unknown }>;
  for (const kind of CONTROL_KINDS) {
    const override = overrides.controls?.[kind];
    if (!override) continue;
    const control = controls[kind];
    if (override.validate) control.validate = { ...control.validate, ...override.validate };
    if (override.defaults !== undefined) control.defaults = override.defaults;
  }
  const mutating = overrides.mutating ?? CONTROL_KINDS.some((kind) => controls[kind].defaults !== null);
  return PolicyIRSchema.parse({
    name: overrides.name ?? 'fixture',
    apiVersion: overrides.apiVersion ?? 'policy/v1beta1',
    source: { file: 'fixture.yaml', line: 1, column: 1 },
    labels: overrides.labels ?? {},
    annotations: overrides.annotations ?? {},
    mutating,
    controls,
  });
}
