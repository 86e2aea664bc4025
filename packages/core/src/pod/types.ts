/**
 * The parts of a core/v1 Pod that PSP, PSA and our emitters read. Everything else a manifest holds
 * is kept (index signatures) and passed through untouched.
 */

/** `SELinuxOptions`: the SELinux label of a pod or container, each part optional. */
export interface SELinuxOptions {
  user?: string;
  role?: string;
  type?: string;
  level?: string;
}

/** `SeccompProfile` / `AppArmorProfile` fields (Kubernetes 1.19+ / 1.30+). */
export interface ProfileRef {
  type?: 'RuntimeDefault' | 'Unconfined' | 'Localhost' | string;
  localhostProfile?: string;
}

/** `WindowsOptions` of a (pod) security context; PSA's baseline refuses `hostProcess: true`. */
export interface WindowsOptions {
  hostProcess?: boolean;
  [key: string]: unknown;
}

/** `Capabilities` of a container: Linux capabilities added to and dropped from the runtime's default set. */
export interface Capabilities {
  add?: string[] | null;
  drop?: string[] | null;
}

/**
 * A container's `securityContext`. Where a field is also on the pod's ({@link PodSecurityContext}:
 * runAsUser, runAsGroup, runAsNonRoot, seLinuxOptions, seccompProfile, appArmorProfile,
 * windowsOptions), the container's value wins and the pod's applies when it is unset.
 */
export interface SecurityContext {
  privileged?: boolean | null;
  capabilities?: Capabilities | null;
  runAsUser?: number | null;
  runAsGroup?: number | null;
  runAsNonRoot?: boolean | null;
  readOnlyRootFilesystem?: boolean | null;
  allowPrivilegeEscalation?: boolean | null;
  procMount?: string | null;
  seLinuxOptions?: SELinuxOptions | null;
  seccompProfile?: ProfileRef | null;
  appArmorProfile?: ProfileRef | null;
  windowsOptions?: WindowsOptions | null;
  [key: string]: unknown;
}

/** One namespaced kernel parameter a pod sets (`spec.securityContext.sysctls[]`). */
export interface Sysctl {
  name: string;
  value: string;
}

/** A pod's `spec.securityContext`: defaults for every container, and the pod-only fsGroup, supplementalGroups and sysctls. */
export interface PodSecurityContext {
  runAsUser?: number | null;
  runAsGroup?: number | null;
  runAsNonRoot?: boolean | null;
  fsGroup?: number | null;
  supplementalGroups?: number[] | null;
  seLinuxOptions?: SELinuxOptions | null;
  seccompProfile?: ProfileRef | null;
  appArmorProfile?: ProfileRef | null;
  sysctls?: Sysctl[] | null;
  windowsOptions?: WindowsOptions | null;
  [key: string]: unknown;
}

/** One of a container's `ports`; PSP's `hostPorts` ranges judge `hostPort`. */
export interface ContainerPort {
  containerPort?: number;
  hostPort?: number | null;
  hostIP?: string;
  protocol?: string;
  name?: string;
  [key: string]: unknown;
}

/**
 * One of a container's `volumeMounts`. PSP's `allowedHostPaths` with `readOnly: true` requires
 * `readOnly` on every mount of a matching hostPath volume.
 */
export interface VolumeMount {
  name: string;
  mountPath?: string;
  readOnly?: boolean | null;
  [key: string]: unknown;
}

/** A container, init container or ephemeral container of a pod spec (the fields PSP reads, the rest kept). */
export interface Container {
  name: string;
  image?: string;
  ports?: ContainerPort[] | null;
  securityContext?: SecurityContext | null;
  volumeMounts?: VolumeMount[] | null;
  [key: string]: unknown;
}

/**
 * A volume: exactly one source key besides `name` (`hostPath`, `emptyDir`, `csi`, `flexVolume`, ...).
 * `hostPath.path`, `flexVolume.driver` and `csi.driver` are the ones PSP reads.
 */
export interface Volume {
  name: string;
  hostPath?: { path: string; type?: string } | null;
  flexVolume?: { driver: string; [key: string]: unknown } | null;
  csi?: { driver: string; [key: string]: unknown } | null;
  [key: string]: unknown;
}

/** A pod's `spec`: the pod-level fields PSP reads and the three container lists. */
export interface PodSpec {
  serviceAccountName?: string | null;
  /** Deprecated alias of serviceAccountName, still honoured by the API server. */
  serviceAccount?: string | null;
  hostNetwork?: boolean | null;
  hostPID?: boolean | null;
  hostIPC?: boolean | null;
  hostUsers?: boolean | null;
  runtimeClassName?: string | null;
  securityContext?: PodSecurityContext | null;
  volumes?: Volume[] | null;
  containers: Container[];
  initContainers?: Container[] | null;
  ephemeralContainers?: Container[] | null;
  os?: { name: string } | null;
  [key: string]: unknown;
}

/** A pod's `metadata`: namespace and name, and the annotations that carry seccomp and AppArmor profiles and the admitting PSP. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string> | null;
  annotations?: Record<string, string> | null;
  [key: string]: unknown;
}

/**
 * A core/v1 Pod as admission sees it: what `admit` and `evaluatePolicy` judge and every target's
 * in-process evaluation receives (`podFromWorkload` builds one from a workload's pod template).
 */
export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: PodSpec;
  [key: string]: unknown;
}
