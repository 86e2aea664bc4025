/**
 * Seccomp and AppArmor profile names as PSP compared them: in annotation form.
 */
import type { ProfileRef } from '../pod/types.js';

/**
 * The pod annotation that set the seccomp profile of every container before the
 * `securityContext.seccompProfile` field (removed in Kubernetes 1.27); PSP's seccomp check and
 * default read and wrote it.
 */
export const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
/** Prefix of the per-container seccomp annotation (`...seccomp.security.alpha.kubernetes.io/<container name>`), which overrides the pod one. */
export const SECCOMP_CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';
/**
 * Prefix of the per-container AppArmor annotation (`...apparmor.security.beta.kubernetes.io/<container name>`),
 * the only way to set a profile before the `appArmorProfile` field of Kubernetes 1.30; PSP's
 * AppArmor check and default read and wrote it.
 */
export const APPARMOR_CONTAINER_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
/** The annotation PSP admission wrote on every pod it admitted: the name of the admitting policy. */
export const VALIDATED_PSP_ANNOTATION = 'kubernetes.io/psp';

/** A profile in field form, as `securityContext.seccompProfile` / `appArmorProfile` hold it. */
export type ProfileFieldValue = {
  type: 'RuntimeDefault' | 'Unconfined' | 'Localhost';
  localhostProfile?: string;
};

/**
 * A profile name in annotation form as a field (the inverse of {@link seccompAnnotationForField}):
 * `runtime/default` and `docker/default` are RuntimeDefault, `unconfined` is Unconfined,
 * `localhost/<p>` is Localhost `<p>`; undefined for a name no field can carry.
 */
export function profileFieldForAnnotation(name: string): ProfileFieldValue | undefined {
  if (name === 'runtime/default' || name === 'docker/default') return { type: 'RuntimeDefault' };
  if (name === 'unconfined') return { type: 'Unconfined' };
  if (name.startsWith('localhost/') && name.length > 'localhost/'.length) return { type: 'Localhost', localhostProfile: name.slice('localhost/'.length) };
  return undefined;
}

/**
 * A `seccompProfile` field in annotation form (`RuntimeDefault` = `runtime/default`, `Unconfined` =
 * `unconfined`, `Localhost` = `localhost/<localhostProfile>`), `''` when it has none.
 */
export function seccompAnnotationForField(profile: ProfileRef): string {
  switch (profile.type) {
    case 'RuntimeDefault':
      return 'runtime/default';
    case 'Unconfined':
      return 'unconfined';
    case 'Localhost':
      return typeof profile.localhostProfile === 'string' ? `localhost/${profile.localhostProfile}` : '';
    default:
      return '';
  }
}

/**
 * An `appArmorProfile` field (Kubernetes 1.30+) in annotation form (`runtime/default`,
 * `localhost/<name>`, `unconfined`), `''` when it has none.
 */
export function appArmorAnnotationForField(profile: ProfileRef): string {
  return seccompAnnotationForField(profile);
}

/** SELinux levels equal as PSP compared them: sensitivity exactly, categories in any order. */
export function selinuxLevelsEqual(expected: string, actual: string): boolean {
  if (expected === actual) return true;
  const e = splitLevel(expected);
  const a = splitLevel(actual);
  if (e === undefined || a === undefined || e[0] !== a[0]) return false;
  const ec = e[1].split(',').sort();
  const ac = a[1].split(',').sort();
  return ec.length === ac.length && ec.every((c, i) => c === ac[i]);
}

function splitLevel(level: string): [string, string] | undefined {
  const i = level.indexOf(':');
  return i < 0 ? undefined : [level.slice(0, i), level.slice(i + 1)];
}
