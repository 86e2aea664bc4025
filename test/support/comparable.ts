/**
 * Pods as an engine's mutations leave them, made comparable with the reference evaluator's
 * defaulted pods (admit's `mutatedPod`). Shared by the Kyverno and VAP differential tests.
 */
import {
  APPARMOR_CONTAINER_ANNOTATION_PREFIX,
  SECCOMP_POD_ANNOTATION,
  VALIDATED_PSP_ANNOTATION,
  profileFieldForAnnotation,
  type Pod,
} from '@psp-translate/core';

type Json = Record<string, unknown>;

/** Put an annotation back as the original pod had it. */
function restore(copy: Pod, original: Pod, key: string): void {
  const before = original.metadata.annotations?.[key];
  if (before === undefined) delete copy.metadata.annotations?.[key];
  else (copy.metadata.annotations as Record<string, string>)[key] = before;
}

/**
 * The evaluator writes profile defaults as annotations (as PSP did, and it mirrors a seccomp field
 * into the annotation); the mutations write the fields the kubelet reads today. Move annotations
 * the evaluator added to fields (a field the pod set stays), sort capability lists (PSP sorted
 * them; order means nothing), and leave out `kubernetes.io/psp`, which PSP admission (and the VAP
 * mutating policies where several candidates default) recorded but the evaluator's pod does not.
 */
export function comparable(pod: Pod, original: Pod): Json {
  const copy = structuredClone(pod) as unknown as Json & Pod;
  // Written by the evaluator: present now, absent or empty before.
  const added = (key: string) => copy.metadata.annotations?.[key] !== undefined && (original.metadata.annotations?.[key] ?? '') === '' && copy.metadata.annotations?.[key] !== '';
  if (added(SECCOMP_POD_ANNOTATION)) {
    if (copy.spec.securityContext?.seccompProfile === undefined || copy.spec.securityContext.seccompProfile === null) {
      copy.spec.securityContext = { ...copy.spec.securityContext, seccompProfile: profileFieldForAnnotation(copy.metadata.annotations?.[SECCOMP_POD_ANNOTATION] as string) as never };
    }
    restore(copy, original, SECCOMP_POD_ANNOTATION);
  }
  for (const kind of ['containers', 'initContainers', 'ephemeralContainers'] as const) {
    for (const container of copy.spec[kind] ?? []) {
      const key = APPARMOR_CONTAINER_ANNOTATION_PREFIX + container.name;
      if (added(key)) {
        container.securityContext = { ...container.securityContext, appArmorProfile: profileFieldForAnnotation(copy.metadata.annotations?.[key] as string) as never };
        restore(copy, original, key);
      }
      const caps = container.securityContext?.capabilities;
      // An empty list means the same as none (PSP wrote only non-empty lists).
      if (caps?.add) caps.add = caps.add.length === 0 ? undefined : [...new Set(caps.add)].sort();
      if (caps?.drop) caps.drop = caps.drop.length === 0 ? undefined : [...new Set(caps.drop)].sort();
    }
  }
  restore(copy, original, VALIDATED_PSP_ANNOTATION);
  if (copy.metadata.annotations && Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  return JSON.parse(JSON.stringify(copy)) as Json;
}
