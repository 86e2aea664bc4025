/**
 * Which admission policy APIs a Kubernetes version serves.
 *
 * - ValidatingAdmissionPolicy `admissionregistration.k8s.io/v1`: GA in 1.30; beta `v1beta1` in 1.28-1.29
 *   and alpha `v1alpha1` in 1.26-1.27 (both behind the `ValidatingAdmissionPolicy` feature gate, off
 *   by default); absent before 1.26.
 * - MutatingAdmissionPolicy (KEP-3962): alpha `v1alpha1` in 1.32, beta `v1beta1` in 1.34 (feature
 *   gate `MutatingAdmissionPolicy` off by default, plus `--runtime-config
 *   admissionregistration.k8s.io/v1beta1=true`), GA `v1` in 1.36. Alpha is never emitted: it needs a
 *   gate no production cluster turns on, and its API changed before beta.
 */

/** A Kubernetes minor version. */
export interface KubeVersion {
  major: 1;
  minor: number;
}

/** The newest minor version whose admission APIs this module knows. */
export const NEWEST_KNOWN_KUBE_VERSION: KubeVersion = { major: 1, minor: 36 };

/** The version assumed when none is given: the newest known (the targets' shared contract). */
export const DEFAULT_KUBE_VERSION: KubeVersion = NEWEST_KNOWN_KUBE_VERSION;

/**
 * Parses `--kube-version`: `1.34`, `v1.34`, `1.34.2`, or `latest` ({@link NEWEST_KNOWN_KUBE_VERSION}).
 * @throws Error saying what a version looks like.
 */
export function parseKubeVersion(value: string): KubeVersion {
  const text = value.trim();
  if (text === 'latest') return NEWEST_KNOWN_KUBE_VERSION;
  const match = /^v?1\.(0|[1-9]\d*)(?:\.\d+)?$/.exec(text);
  if (match === null) throw new Error(`invalid Kubernetes version "${value}"; write it as 1.30, v1.30, 1.30.2 or latest`);
  return { major: 1, minor: Number(match[1]) };
}

/** The MutatingAdmissionPolicy API a version serves (beta or GA), or `undefined`. */
export interface MutatingPolicyApi {
  apiVersion: 'admissionregistration.k8s.io/v1' | 'admissionregistration.k8s.io/v1beta1';
  /** What the cluster admin must enable, when anything. */
  note: string | undefined;
}

/** MutatingAdmissionPolicy availability at `version`. */
export function mutatingPolicyApi(version: KubeVersion): MutatingPolicyApi | undefined {
  if (version.minor >= 36) return { apiVersion: 'admissionregistration.k8s.io/v1', note: undefined };
  if (version.minor >= 34) {
    return {
      apiVersion: 'admissionregistration.k8s.io/v1beta1',
      note: `MutatingAdmissionPolicy is beta in Kubernetes 1.${version.minor}: enable the MutatingAdmissionPolicy feature gate and --runtime-config=admissionregistration.k8s.io/v1beta1=true on kube-apiserver, or the PSP defaults are not applied`,
    };
  }
  return undefined;
}

/** Whether `version` serves ValidatingAdmissionPolicy v1. */
export function hasValidatingPolicyV1(version: KubeVersion): boolean {
  return version.minor >= 30;
}

/**
 * What a cluster older than 1.30 serves instead of ValidatingAdmissionPolicy v1, for the report
 * (the objects are always emitted as v1): `undefined` from 1.30 on.
 */
export function validatingPolicyApiNote(version: KubeVersion): string | undefined {
  if (hasValidatingPolicyV1(version)) return undefined;
  const v1Only = 'the emitted objects are admissionregistration.k8s.io/v1, served from Kubernetes 1.30';
  if (version.minor >= 28) {
    return `Kubernetes 1.${version.minor} serves ValidatingAdmissionPolicy only as beta admissionregistration.k8s.io/v1beta1, behind the ValidatingAdmissionPolicy feature gate and --runtime-config=admissionregistration.k8s.io/v1beta1=true (both off by default); ${v1Only}: upgrade to 1.30+ before applying them`;
  }
  if (version.minor >= 26) {
    return `Kubernetes 1.${version.minor} has ValidatingAdmissionPolicy only as alpha admissionregistration.k8s.io/v1alpha1 behind a feature gate, with an older API; ${v1Only}: upgrade to 1.30+ before applying them`;
  }
  return `Kubernetes 1.${version.minor} has no ValidatingAdmissionPolicy at all (alpha from 1.26, GA in 1.30); ${v1Only}: use another target (gatekeeper, kyverno, psa) for this cluster`;
}
