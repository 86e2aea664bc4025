/**
 * The parts of a core/v1 Pod that PSP, PSA and our emitters read. Everything else a manifest holds
 * is kept (index signatures) and passed through untouched.
 */

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

export interface WindowsOptions {
  hostProcess?: boolean;
  [key: string]: unknown;
}

export interface Capabilities {
  add?: string[] | null;
  drop?: string[] | null;
}

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

export interface Sysctl {
  name: string;
  value: string;
}

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

export interface ContainerPort {
  containerPort?: number;
  hostPort?: number | null;
  hostIP?: string;
  protocol?: string;
  name?: string;
  [key: string]: unknown;
}

export interface VolumeMount {
  name: string;
  mountPath?: string;
  readOnly?: boolean | null;
  [key: string]: unknown;
}

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

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string> | null;
  annotations?: Record<string, string> | null;
  [key: string]: unknown;
}

export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: PodSpec;
  [key: string]: unknown;
}
