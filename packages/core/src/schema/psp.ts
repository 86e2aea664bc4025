/**
 * zod schemas for the PodSecurityPolicy API (`policy/v1beta1` and `extensions/v1beta1`), mirroring
 * `k8s.io/api/policy/v1beta1` field for field, including the API server's validation of ranges and
 * enums. Unknown fields inside `spec` are errors: a typo such as `privilged` must never loosen
 * security by being ignored.
 */
import { z } from 'zod';

/** Annotation keys that carry PSP settings outside `spec`. */
export const PSP_ANNOTATIONS = {
  seccompAllowedProfileNames: 'seccomp.security.alpha.kubernetes.io/allowedProfileNames',
  seccompDefaultProfileName: 'seccomp.security.alpha.kubernetes.io/defaultProfileName',
  appArmorAllowedProfileNames: 'apparmor.security.beta.kubernetes.io/allowedProfileNames',
  appArmorDefaultProfileName: 'apparmor.security.beta.kubernetes.io/defaultProfileName',
} as const;

/** Volume types a PSP may list in `spec.volumes` (`FSType`), `*` meaning all. */
export const FS_TYPES = [
  'azureFile', 'flocker', 'flexVolume', 'hostPath', 'emptyDir', 'gcePersistentDisk',
  'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs', 'persistentVolumeClaim',
  'rbd', 'cinder', 'cephFS', 'downwardAPI', 'fc', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk',
  'photonPersistentDisk', 'portworxVolume', 'projected', 'scaleIO', 'storageos', 'csi', 'ephemeral', '*',
] as const;
/** One volume type a PSP may allow in `spec.volumes` (the API's `FSType`): a volume source name, or `*` for all. */
export type FSType = (typeof FS_TYPES)[number];

const int32 = z.number().int().min(-2147483648).max(2147483647);
const int64 = z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

/** `HostPortRange`: inclusive, 0-65535, min <= max. */
export const HostPortRangeSchema = z
  .strictObject({ min: int32.min(0).max(65535), max: int32.min(0).max(65535) })
  .refine((r) => r.min <= r.max, { message: 'min must be less than or equal to max' });

/** `IDRange`: inclusive, non-negative, min <= max. */
export const IDRangeSchema = z
  .strictObject({ min: int64.min(0), max: int64.min(0) })
  .refine((r) => r.min <= r.max, { message: 'min must be less than or equal to max' });

/** `core/v1 SELinuxOptions`. */
export const SELinuxOptionsSchema = z.strictObject({
  user: z.string().optional(),
  role: z.string().optional(),
  type: z.string().optional(),
  level: z.string().optional(),
});

/**
 * Rules of `spec.runAsUser.rule`: `MustRunAs` (every container's UID within `ranges`; a container
 * without one gets the first range's min), `MustRunAsNonRoot` (runAsNonRoot true or a non-zero UID;
 * a container with neither gets runAsNonRoot true), `RunAsAny` (no check, no default).
 */
export const RUN_AS_USER_RULES = ['MustRunAs', 'MustRunAsNonRoot', 'RunAsAny'] as const;
/**
 * Rules of `spec.runAsGroup.rule`, `spec.supplementalGroups.rule` and `spec.fsGroup.rule`:
 * `MustRunAs` (the IDs must be set and within `ranges`; unset, they get the first range's min),
 * `MayRunAs` (within `ranges` when set; never defaulted), `RunAsAny` (no check, no default).
 */
export const GROUP_RULES = ['MustRunAs', 'MayRunAs', 'RunAsAny'] as const;
/**
 * Rules of `spec.seLinux.rule`: `MustRunAs` (the effective `seLinuxOptions` must equal the PSP's
 * `seLinuxOptions`; a pod without them gets them), `RunAsAny` (no check, no default).
 */
export const SELINUX_RULES = ['MustRunAs', 'RunAsAny'] as const;
/**
 * Values of `spec.allowedProcMountTypes`: `Default` (the runtime's masked, read-only /proc paths,
 * always allowed) and `Unmasked` (no masking, allowed only when listed).
 */
export const PROC_MOUNT_TYPES = ['Default', 'Unmasked'] as const;

function rangedStrategy<R extends readonly [string, ...string[]]>(rules: R) {
  return z.strictObject({
    rule: z.enum(rules),
    ranges: z.array(IDRangeSchema).nullish(),
  });
}

/** `PodSecurityPolicySpec`, every field, nothing else. */
export const PodSecurityPolicySpecSchema = z.strictObject({
  privileged: z.boolean().nullish(),
  defaultAddCapabilities: z.array(z.string().min(1)).nullish(),
  requiredDropCapabilities: z.array(z.string().min(1)).nullish(),
  allowedCapabilities: z.array(z.string().min(1)).nullish(),
  volumes: z.array(z.enum(FS_TYPES)).nullish(),
  hostNetwork: z.boolean().nullish(),
  hostPorts: z.array(HostPortRangeSchema).nullish(),
  hostPID: z.boolean().nullish(),
  hostIPC: z.boolean().nullish(),
  seLinux: z.strictObject({
    rule: z.enum(SELINUX_RULES),
    seLinuxOptions: SELinuxOptionsSchema.nullish(),
  }),
  runAsUser: rangedStrategy(RUN_AS_USER_RULES),
  runAsGroup: rangedStrategy(GROUP_RULES).nullish(),
  supplementalGroups: rangedStrategy(GROUP_RULES),
  fsGroup: rangedStrategy(GROUP_RULES),
  readOnlyRootFilesystem: z.boolean().nullish(),
  defaultAllowPrivilegeEscalation: z.boolean().nullish(),
  allowPrivilegeEscalation: z.boolean().nullish(),
  allowedHostPaths: z
    .array(z.strictObject({ pathPrefix: z.string().min(1), readOnly: z.boolean().nullish() }))
    .nullish(),
  allowedFlexVolumes: z.array(z.strictObject({ driver: z.string().min(1) })).nullish(),
  allowedCSIDrivers: z.array(z.strictObject({ name: z.string().min(1) })).nullish(),
  allowedUnsafeSysctls: z.array(z.string().min(1)).nullish(),
  forbiddenSysctls: z.array(z.string().min(1)).nullish(),
  allowedProcMountTypes: z.array(z.enum(PROC_MOUNT_TYPES)).nullish(),
  runtimeClass: z
    .strictObject({
      allowedRuntimeClassNames: z.array(z.string().min(1)),
      defaultRuntimeClassName: z.string().min(1).nullish(),
    })
    .nullish(),
});
/** A validated `PodSecurityPolicySpec` (see {@link PodSecurityPolicySpecSchema}): absent fields are `undefined` or `null`, as written. */
export type PodSecurityPolicySpec = z.infer<typeof PodSecurityPolicySpecSchema>;

/** Every field name of `PodSecurityPolicySpec`; the field-coverage test walks this list. */
export const PSP_SPEC_FIELDS = Object.keys(PodSecurityPolicySpecSchema.shape) as (keyof PodSecurityPolicySpec)[];

const dns1123Subdomain = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    message: 'must be a lowercase DNS-1123 subdomain',
  });

/** Object metadata as far as we read it; other metadata fields are kept but not checked. */
export const ObjectMetaSchema = z.looseObject({
  name: dns1123Subdomain,
  namespace: z.string().min(1).nullish(),
  labels: z.record(z.string(), z.string()).nullish(),
  annotations: z.record(z.string(), z.string()).nullish(),
});

/** A whole PodSecurityPolicy object. */
export const PodSecurityPolicySchema = z.looseObject({
  apiVersion: z.enum(['policy/v1beta1', 'extensions/v1beta1']),
  kind: z.literal('PodSecurityPolicy'),
  metadata: ObjectMetaSchema,
  spec: PodSecurityPolicySpecSchema,
});
/**
 * A validated PodSecurityPolicy object as written in the manifest (see {@link PodSecurityPolicySchema});
 * `policyToIR` turns it into a `PolicyIR`.
 */
export type PodSecurityPolicy = z.infer<typeof PodSecurityPolicySchema>;
