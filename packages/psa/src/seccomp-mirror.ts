/**
 * Seccomp annotations and fields as the API server keeps them in step (Kubernetes 1.19+): on pod
 * creation a profile given only as an annotation is copied into the field, and one given only as
 * a field into the annotation, at pod and at container level. PSP wrote its default profile as
 * the pod annotation; the Pod Security checks of v1.19+ read only the fields. Mirroring the pod as
 * the API server stored it lets both agree about a PSP-defaulted pod.
 */
import type { Container, Pod, ProfileRef } from '@psp-translate/core';

const POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

/** A seccomp annotation value as a field; undefined for values the API server rejects. */
function fieldOf(annotation: string): ProfileRef | undefined {
  if (annotation === 'runtime/default' || annotation === 'docker/default') return { type: 'RuntimeDefault' };
  if (annotation === 'unconfined') return { type: 'Unconfined' };
  if (annotation.startsWith('localhost/') && annotation.length > 'localhost/'.length) {
    return { type: 'Localhost', localhostProfile: annotation.slice('localhost/'.length) };
  }
  return undefined;
}

/** A seccomp field as an annotation value; undefined when the field names no profile. */
function annotationOf(field: ProfileRef): string | undefined {
  if (field.type === 'RuntimeDefault') return 'runtime/default';
  if (field.type === 'Unconfined') return 'unconfined';
  if (field.type === 'Localhost' && typeof field.localhostProfile === 'string' && field.localhostProfile !== '') return `localhost/${field.localhostProfile}`;
  return undefined;
}

/**
 * The pod as the API server stores it on creation: every seccomp profile set only as an
 * annotation is also set as a field, and the other way round. Returns a new pod when anything was
 * copied, the same pod otherwise; the input is never changed.
 */
export function mirrorSeccompProfiles(pod: Pod): Pod {
  const annotations: Record<string, string> = { ...(pod.metadata.annotations ?? {}) };
  let changed = false;
  const spec = { ...pod.spec };

  const podAnnotation = annotations[POD_ANNOTATION];
  const podField = spec.securityContext?.seccompProfile;
  if (podField == null && typeof podAnnotation === 'string') {
    const field = fieldOf(podAnnotation);
    if (field) {
      spec.securityContext = { ...(spec.securityContext ?? {}), seccompProfile: field };
      changed = true;
    }
  } else if (podField != null && podAnnotation === undefined) {
    const value = annotationOf(podField);
    if (value !== undefined) {
      annotations[POD_ANNOTATION] = value;
      changed = true;
    }
  }

  const mirrorContainers = (list: Container[] | null | undefined): Container[] | null | undefined => {
    if (!Array.isArray(list)) return list;
    let listChanged = false;
    const out = list.map((container) => {
      const key = CONTAINER_ANNOTATION_PREFIX + container.name;
      const annotation = annotations[key];
      const field = container.securityContext?.seccompProfile;
      if (field == null && typeof annotation === 'string') {
        const mirrored = fieldOf(annotation);
        if (!mirrored) return container;
        listChanged = true;
        return { ...container, securityContext: { ...(container.securityContext ?? {}), seccompProfile: mirrored } };
      }
      if (field != null && annotation === undefined) {
        const value = annotationOf(field);
        if (value !== undefined) {
          annotations[key] = value;
          changed = true;
        }
      }
      return container;
    });
    if (listChanged) changed = true;
    return listChanged ? out : list;
  };
  const containers = mirrorContainers(spec.containers);
  if (containers) spec.containers = containers;
  const initContainers = mirrorContainers(spec.initContainers);
  if (initContainers !== undefined) spec.initContainers = initContainers;
  const ephemeralContainers = mirrorContainers(spec.ephemeralContainers);
  if (ephemeralContainers !== undefined) spec.ephemeralContainers = ephemeralContainers;

  if (!changed) return pod;
  return { ...pod, metadata: { ...pod.metadata, annotations }, spec };
}
