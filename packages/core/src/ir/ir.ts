/**
 * The engine-neutral intermediate representation of a PodSecurityPolicy.
 *
 * Every PSP field becomes one explicit control. Each control keeps its validation meaning
 * (`validate`: what a pod must satisfy) apart from its defaulting meaning (`defaults`: what PSP
 * admission wrote into the pod before validating it), because engines translate the two very
 * differently (validation rules vs. mutators) and a translation that forgets the second rejects
 * pods that PSP used to admit.
 *
 * Container-level controls name the container kinds they apply to, always all three: PSP checked
 * ephemeral containers too, and the public engine libraries forgot them for months.
 *
 * The zod schemas are the spec; the types are `z.infer` of them.
 */
import { z } from 'zod';
import { FS_TYPES, GROUP_RULES, PROC_MOUNT_TYPES, RUN_AS_USER_RULES, SELINUX_RULES } from '../schema/psp.js';

/** The three lists of containers in a pod spec. */
export const CONTAINER_KINDS = ['containers', 'initContainers', 'ephemeralContainers'] as const;
/**
 * One list of containers in a pod spec (`containers`, `initContainers`, `ephemeralContainers`): the
 * key under `spec` and the kind a container-level control applies to.
 */
export type ContainerKind = (typeof CONTAINER_KINDS)[number];

/** Always exactly all three container kinds: the type makes forgetting one a compile error. */
export const AllContainerKindsSchema = z.tuple([
  z.literal('containers'),
  z.literal('initContainers'),
  z.literal('ephemeralContainers'),
]);

/** Where a value came from: file and 1-based line/column of the YAML node. */
export const SourceRefSchema = z.object({
  /** Path as given on the command line, or `<stdin>`. */
  file: z.string(),
  /** 1-based line of the object's (or field's) first character. */
  line: z.number().int(),
  /** 1-based column. */
  column: z.number().int(),
});
/** Where a value came from: file and 1-based line and column (see {@link SourceRefSchema}). */
export type SourceRef = z.infer<typeof SourceRefSchema>;

/** An inclusive integer range (`IDRange` or `HostPortRange`). */
export const RangeSchema = z.object({ min: z.number().int(), max: z.number().int() });
/**
 * An inclusive integer range, `min` to `max` (see {@link RangeSchema}): a PSP `IDRange` (user, group
 * and fsGroup IDs) or `HostPortRange` (host ports). The parser has checked `min <= max`.
 */
export type Range = z.infer<typeof RangeSchema>;

const containerControl = { appliesTo: AllContainerKindsSchema };
const podControl = { appliesTo: z.literal('pod') };

/** The PSP fields (dotted paths under the object, e.g. `spec.volumes`) a control was built from. */
const sources = z.array(z.string()).min(1);

/** `spec.privileged`. */
export const PrivilegedControlSchema = z.object({
  ...containerControl,
  sources,
  validate: z.object({
    /** `spec.privileged`: when false, no container may set `securityContext.privileged: true`. Unset = false. */
    allowPrivileged: z.boolean(),
  }),
  defaults: z.null(),
});

/** `spec.hostNetwork`, `spec.hostPID`, `spec.hostIPC`. */
export const HostNamespacesControlSchema = z.object({
  ...podControl,
  sources,
  validate: z.object({
    /** `spec.hostNetwork`: when false, `spec.hostNetwork: true` is rejected. Unset = false. */
    allowHostNetwork: z.boolean(),
    /** `spec.hostPID`: when false, `spec.hostPID: true` is rejected. Unset = false. */
    allowHostPID: z.boolean(),
    /** `spec.hostIPC`: when false, `spec.hostIPC: true` is rejected. Unset = false. */
    allowHostIPC: z.boolean(),
  }),
  defaults: z.null(),
});

/** `spec.hostPorts`. */
export const HostPortsControlSchema = z.object({
  ...containerControl,
  sources,
  validate: z.object({
    /**
     * `spec.hostPorts`: every non-zero `ports[].hostPort` of every container must lie in one of these
     * inclusive ranges. Empty list = no host port allowed. (PSP checks hostPort only; with
     * hostNetwork the container ports are host ports but PSP did not check them.)
     */
    ranges: z.array(RangeSchema),
  }),
  defaults: z.null(),
});

/** `spec.volumes`. */
export const VolumesControlSchema = z.object({
  ...podControl,
  sources,
  validate: z.object({
    /** `spec.volumes` contains `*`: every volume type is allowed. */
    anyType: z.boolean(),
    /** `spec.volumes` without `*`: the allowed volume types. Empty list and no `*` = no volumes at all. */
    allowedTypes: z.array(z.enum(FS_TYPES).exclude(['*'])),
  }),
  defaults: z.null(),
});

/** `spec.allowedHostPaths`. */
export const HostPathsControlSchema = z.object({
  ...podControl,
  sources,
  validate: z.object({
    /**
     * `spec.allowedHostPaths`: a hostPath volume's path must match one prefix segment-wise, ignoring
     * one trailing `/` (`/foo` allows `/foo`, `/foo/`, `/foo/bar`, not `/food`); PSP did not clean
     * paths otherwise, and the API server rejects any hostPath with a `..` segment. Empty list = any
     * path. When several entries match, a writable one wins.
     * `readOnly: true` on the matching entry requires every volumeMount of that volume, in every
     * container kind, to be `readOnly: true`.
     */
    allowed: z.array(z.object({ pathPrefix: z.string(), readOnly: z.boolean() })),
  }),
  defaults: z.null(),
});

/** `spec.allowedFlexVolumes`. */
export const FlexVolumeDriversControlSchema = z.object({
  ...podControl,
  sources,
  validate: z.object({
    /** `spec.allowedFlexVolumes[].driver`: a flexVolume's driver must be listed. Empty list = any driver. */
    allowedDrivers: z.array(z.string()),
  }),
  defaults: z.null(),
});

/** `spec.allowedCSIDrivers`. */
export const CsiDriversControlSchema = z.object({
  ...podControl,
  sources,
  validate: z.object({
    /** `spec.allowedCSIDrivers[].name`: an inline `csi` volume's driver must be listed. Empty list = any driver. */
    allowedDrivers: z.array(z.string()),
  }),
  defaults: z.null(),
});

/** `spec.readOnlyRootFilesystem`. */
export const ReadOnlyRootFilesystemControlSchema = z.object({
  ...containerControl,
  sources,
  validate: z.object({
    /** `spec.readOnlyRootFilesystem`: every container must have `securityContext.readOnlyRootFilesystem: true`. */
    required: z.boolean(),
  }),
  defaults: z
    .object({
      /** PSP sets `readOnlyRootFilesystem: true` on containers that leave it unset, when required. */
      readOnlyRootFilesystem: z.literal(true),
    })
    .nullable(),
});

/** `spec.allowPrivilegeEscalation`, `spec.defaultAllowPrivilegeEscalation`. */
export const PrivilegeEscalationControlSchema = z.object({
  ...containerControl,
  sources,
  validate: z.object({
    /**
     * `spec.allowPrivilegeEscalation` (unset = true): when false, a container may not set
     * `allowPrivilegeEscalation: true`, and (after defaults) must have it false.
     */
    allowPrivilegeEscalation: z.boolean(),
  }),
  defaults: z
    .object({
      /**
       * Value PSP set on containers that leave `allowPrivilegeEscalation` unset:
       * `spec.defaultAllowPrivilegeEscalation` if set, else `false` when escalation is not allowed.
       */
      allowPrivilegeEscalation: z.boolean(),
    })
    .nullable(),
});

/** `spec.allowedCapabilities`, `spec.requiredDropCapabilities`, `spec.defaultAddCapabilities`. */
export const CapabilitiesControlSchema = z.object({
  ...containerControl,
  sources,
  validate: z.object({
    /** `spec.allowedCapabilities` contains `*`: any capability may be added. */
    allowAny: z.boolean(),
    /**
     * `spec.allowedCapabilities` (without `*`): capabilities a container may add, besides the
     * `defaultAddCapabilities`, which are implicitly allowed. Empty = only the defaults.
     */
    allowed: z.array(z.string()),
    /**
     * `spec.requiredDropCapabilities`: each must be literally in `capabilities.drop` after defaults
     * (defaulting adds them, so this only bites where PSP cannot change the pod: a container dropping
     * `ALL` but not `NET_RAW` does not satisfy `NET_RAW`). PSP validation keeps them out of the
     * allowed and default-add lists, so a container may not add one, unless `allowAny`: `*` skipped
     * every capability check, required drops included.
     */
    requiredDrop: z.array(z.string()),
  }),
  defaults: z
    .object({
      /** `spec.defaultAddCapabilities`: added to `capabilities.add` unless the container drops them. */
      add: z.array(z.string()),
      /** `spec.requiredDropCapabilities`: added to `capabilities.drop` when missing. */
      drop: z.array(z.string()),
    })
    .nullable(),
});

/** `spec.runAsUser`. */
export const RunAsUserControlSchema = z.object({
  ...containerControl,
  sources,
  validate: z.object({
    /**
     * `spec.runAsUser.rule`: MustRunAs = the effective UID (container overrides pod) must be set and
     * in a range; MustRunAsNonRoot = effective `runAsNonRoot` or UID set, `runAsNonRoot` not false
     * and UID not 0 (`runAsNonRoot: false` fails even with a non-zero UID); RunAsAny = no check.
     */
    rule: z.enum(RUN_AS_USER_RULES),
    /** `spec.runAsUser.ranges`, inclusive. */
    ranges: z.array(RangeSchema),
  }),
  defaults: z
    .union([
      /** MustRunAs: containers with no effective UID get `runAsUser` = the first range's min. */
      z.object({ runAsUser: z.number().int() }),
      /** MustRunAsNonRoot: containers with neither `runAsNonRoot` nor a UID get `runAsNonRoot: true`. */
      z.object({ runAsNonRoot: z.literal(true) }),
    ])
    .nullable(),
});

/** `spec.runAsGroup`. */
export const RunAsGroupControlSchema = z.object({
  ...containerControl,
  sources,
  validate: z.object({
    /** `spec.runAsGroup` was set at all. When unset, PSP neither checks nor defaults the GID. */
    specified: z.boolean(),
    /**
     * `spec.runAsGroup.rule`: MustRunAs = effective GID set and in range; MayRunAs = in range
     * when set; RunAsAny (or unset) = no check.
     */
    rule: z.enum(GROUP_RULES),
    ranges: z.array(RangeSchema),
  }),
  defaults: z.object({ runAsGroup: z.number().int() }).nullable(),
});

/** `spec.supplementalGroups`. */
export const SupplementalGroupsControlSchema = z.object({
  ...podControl,
  sources,
  validate: z.object({
    /** MustRunAs = non-empty and each in range; MayRunAs = each in range; RunAsAny = no check. */
    rule: z.enum(GROUP_RULES),
    ranges: z.array(RangeSchema),
  }),
  /** MustRunAs with no groups set: `[first range's min]`. */
  defaults: z.object({ supplementalGroups: z.array(z.number().int()) }).nullable(),
});

/** `spec.fsGroup`. */
export const FsGroupControlSchema = z.object({
  ...podControl,
  sources,
  validate: z.object({
    /** MustRunAs = `spec.securityContext.fsGroup` set and in range; MayRunAs = in range when set; RunAsAny = no check. */
    rule: z.enum(GROUP_RULES),
    ranges: z.array(RangeSchema),
  }),
  /** MustRunAs with no fsGroup: the first range's min. */
  defaults: z.object({ fsGroup: z.number().int() }).nullable(),
});

/**
 * `spec.seLinux.seLinuxOptions` of a PSP (and the options PSP compares a pod's with): each part
 * absent when the PSP leaves it out. Under MustRunAs PSP compares a container's effective
 * `seLinuxOptions` with these, user, role and type exactly, level canonically (`s0:c1,c0` equals
 * `s0:c0,c1`); a part left out here must be left out by the pod too.
 */
export const SELinuxOptionsIRSchema = z.object({
  /** SELinux user label (`user`). */
  user: z.string().optional(),
  /** SELinux role label (`role`). */
  role: z.string().optional(),
  /** SELinux type label (`type`). */
  type: z.string().optional(),
  /** SELinux level label (`level`), an MLS/MCS sensitivity and categories such as `s0:c123,c456`. */
  level: z.string().optional(),
});

/** `spec.seLinux`. */
export const SELinuxControlSchema = z.object({
  ...containerControl,
  sources,
  validate: z.object({
    /** MustRunAs = effective seLinuxOptions equal `options` (user, role, type exactly; level canonically). */
    rule: z.enum(SELINUX_RULES),
    options: SELinuxOptionsIRSchema.nullable(),
  }),
  /**
   * MustRunAs: a pod without `spec.securityContext.seLinuxOptions` gets `options` there (so its
   * containers inherit them); a container without effective options would get them too.
   */
  defaults: z.object({ seLinuxOptions: SELinuxOptionsIRSchema }).nullable(),
});

/** `spec.allowedProcMountTypes`. */
export const ProcMountControlSchema = z.object({
  ...containerControl,
  sources,
  validate: z.object({
    /** `spec.allowedProcMountTypes`: allowed `securityContext.procMount` values. Empty = `Default` only. */
    allowed: z.array(z.enum(PROC_MOUNT_TYPES)),
  }),
  defaults: z.null(),
});

/** `spec.forbiddenSysctls`, `spec.allowedUnsafeSysctls`. */
export const SysctlsControlSchema = z.object({
  ...podControl,
  sources,
  validate: z.object({
    /** `spec.forbiddenSysctls`: names or `prefix*` globs (`*` = all) that no pod may set. Checked first. */
    forbidden: z.array(z.string()),
    /** `spec.allowedUnsafeSysctls`: names or `prefix*` globs allowed beyond the kubelet's safe set. */
    allowedUnsafe: z.array(z.string()),
  }),
  defaults: z.null(),
});

/** Seccomp annotations `seccomp.security.alpha.kubernetes.io/{allowedProfileNames,defaultProfileName}`. */
export const SeccompControlSchema = z.object({
  ...containerControl,
  sources,
  validate: z.object({
    /**
     * allowedProfileNames, comma-split (blanks trimmed), names in annotation form (`runtime/default`,
     * `docker/default`, `unconfined`, `localhost/<path>`): `*` = any profile, or none; otherwise the
     * pod's profile (after defaults) must be listed, and an unset profile passes only when `""` is
     * listed. `null` (annotation absent) = no profile may be set at all, not even the default: PSP
     * wrote defaultProfileName into the pod and then rejected it ("seccomp may not be set").
     */
    allowed: z.array(z.string()).nullable(),
  }),
  /**
   * defaultProfileName: written to the pod annotation `seccomp.security.alpha.kubernetes.io/pod` when
   * that annotation is empty and the pod has no `spec.securityContext.seccompProfile`. (With the field
   * and no annotation, PSP wrote the field's annotation form there instead, under every policy.)
   */
  defaults: z.object({ profile: z.string() }).nullable(),
});

/** AppArmor annotations `apparmor.security.beta.kubernetes.io/{allowedProfileNames,defaultProfileName}`. */
export const AppArmorControlSchema = z.object({
  ...containerControl,
  sources,
  validate: z.object({
    /**
     * allowedProfileNames, comma-split (`runtime/default`, `localhost/<name>`), compared with each
     * container's `container.apparmor.security.beta.kubernetes.io/<name>` annotation (PSP 1.24 knew no
     * `appArmorProfile` field). `null` (absent) = any profile; otherwise an unset profile is rejected.
     */
    allowed: z.array(z.string()).nullable(),
  }),
  /** defaultProfileName: written as the annotation of each container (ephemeral ones included) that has none. */
  defaults: z.object({ profile: z.string() }).nullable(),
});

/** `spec.runtimeClass`. */
export const RuntimeClassControlSchema = z.object({
  ...podControl,
  sources,
  validate: z.object({
    /**
     * `spec.runtimeClass.allowedRuntimeClassNames`: `*` = any; empty list = no runtime class may be set;
     * `null` (`spec.runtimeClass` absent) = no check. A pod without `runtimeClassName` (after defaults)
     * always passes.
     */
    allowed: z.array(z.string()).nullable(),
  }),
  /** `spec.runtimeClass.defaultRuntimeClassName`: set when the pod names none. */
  defaults: z.object({ runtimeClassName: z.string() }).nullable(),
});

/**
 * Every control of a PSP, by kind. Emitters map over this with
 * `handlers satisfies Record<ControlKind, Handler>`, so a control added here fails to compile in
 * every emitter that has not handled it.
 */
export const ControlsSchema = z.object({
  privileged: PrivilegedControlSchema,
  hostNamespaces: HostNamespacesControlSchema,
  hostPorts: HostPortsControlSchema,
  volumes: VolumesControlSchema,
  hostPaths: HostPathsControlSchema,
  flexVolumeDrivers: FlexVolumeDriversControlSchema,
  csiDrivers: CsiDriversControlSchema,
  readOnlyRootFilesystem: ReadOnlyRootFilesystemControlSchema,
  privilegeEscalation: PrivilegeEscalationControlSchema,
  capabilities: CapabilitiesControlSchema,
  runAsUser: RunAsUserControlSchema,
  runAsGroup: RunAsGroupControlSchema,
  supplementalGroups: SupplementalGroupsControlSchema,
  fsGroup: FsGroupControlSchema,
  seLinux: SELinuxControlSchema,
  procMount: ProcMountControlSchema,
  sysctls: SysctlsControlSchema,
  seccomp: SeccompControlSchema,
  appArmor: AppArmorControlSchema,
  runtimeClass: RuntimeClassControlSchema,
});
/** Every control of a PSP, by kind (see {@link ControlsSchema}). */
export type Controls = z.infer<typeof ControlsSchema>;
/**
 * The name of one control: one PSP field (or a group of fields, such as `hostNamespaces` for
 * hostNetwork, hostPID and hostIPC) with its validation and default meaning. Emitters key their
 * handler tables by it, `satisfies Record<ControlKind, Handler>`.
 */
export type ControlKind = keyof Controls;
/** Every {@link ControlKind}, in the order of {@link ControlsSchema} (the order reports list controls in). */
export const CONTROL_KINDS = Object.keys(ControlsSchema.shape) as ControlKind[];

/**
 * The order in which PSP admission applied a policy's defaults (the provider's MutatePod: pod-level
 * strategies first, then each container's), followed by the controls that have no defaults. Emitters
 * that write defaults as ordered mutations follow it so that they change a pod as PSP did.
 */
export const DEFAULTING_ORDER: readonly ControlKind[] = (() => {
  const withDefaults: readonly ControlKind[] = [
    'supplementalGroups', 'fsGroup', 'seLinux', 'seccomp', 'runtimeClass',
    'runAsUser', 'runAsGroup', 'appArmor', 'capabilities', 'readOnlyRootFilesystem', 'privilegeEscalation',
  ];
  return [...withDefaults, ...CONTROL_KINDS.filter((kind) => !withDefaults.includes(kind))];
})();

/** One PodSecurityPolicy in IR form. */
export const PolicyIRSchema = z.object({
  /** `metadata.name`. PSP admission tries policies in this name order. */
  name: z.string(),
  /** `apiVersion` as written (`policy/v1beta1` or `extensions/v1beta1`). */
  apiVersion: z.string(),
  /** Where the PSP object starts. */
  source: SourceRefSchema,
  /** `metadata.labels`, kept for output. */
  labels: z.record(z.string(), z.string()),
  /** `metadata.annotations` other than the seccomp/AppArmor ones the controls consume, kept for output. */
  annotations: z.record(z.string(), z.string()),
  /** True when any control has defaults: PSP admission may change pods this policy admits. */
  mutating: z.boolean(),
  controls: ControlsSchema,
});
/**
 * One PodSecurityPolicy in IR form (see {@link PolicyIRSchema}): what every target translates, and
 * what the reference evaluator (`evaluatePolicy`, `admit`) judges pods by.
 */
export type PolicyIR = z.infer<typeof PolicyIRSchema>;
