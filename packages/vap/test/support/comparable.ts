/**
 * Pods as the mutating policies leave them, made comparable with the reference evaluator's
 * defaulted pods.
 */
import type { Pod } from '@psp-translate/core';
import { profileField } from '../../src/index.js';

type Json = Record<string, unknown>;
const SECCOMP_POD = 'seccomp.security.alpha.kubernetes.io/pod';
const PSP_CHOSEN = 'kubernetes.io/psp';
const APPARMOR = 'container.apparmor.security.beta.kubernetes.io/';

/** Put an annotation back as the original pod had it. */
function restore(copy: Pod, original: Pod, key: string): void {
  const before = original.metadata.annotations?.[key];
  if (before === undefined) delete copy.metadata.annotations?.[key];
  else (copy.metadata.annotations as Record<string, string>)[key] = before;
}

/**
 * The evaluator writes profile defaults as annotations (as PSP did); the mutations write the fields
 * the kubelet reads today. Move the evaluator's annotations to fields so the pods compare, and sort
 * capability lists (PSP sorted them; order means nothing).
 */
export function comparable(pod: Pod, original: Pod): Json {
  const copy = structuredClone(pod) as unknown as Json & Pod;
  // Written by the evaluator: present now, absent or empty before.
  const added = (key: string) => copy.metadata.annotations?.[key] !== undefined && (original.metadata.annotations?.[key] ?? '') === '' && copy.metadata.annotations?.[key] !== '';
  if (added(SECCOMP_POD)) {
    copy.spec.securityContext = { ...copy.spec.securityContext, seccompProfile: profileField(copy.metadata.annotations?.[SECCOMP_POD] as string) as never };
    restore(copy, original, SECCOMP_POD);
  }
  for (const kind of ['containers', 'initContainers', 'ephemeralContainers'] as const) {
    for (const container of copy.spec[kind] ?? []) {
      const key = APPARMOR + container.name;
      if (added(key)) {
        container.securityContext = { ...container.securityContext, appArmorProfile: profileField(copy.metadata.annotations?.[key] as string) as never };
        restore(copy, original, key);
      }
      const caps = container.securityContext?.capabilities;
      // An empty list means the same as none (PSP wrote only non-empty lists).
      if (caps?.add) caps.add = caps.add.length === 0 ? undefined : [...new Set(caps.add)].sort();
      if (caps?.drop) caps.drop = caps.drop.length === 0 ? undefined : [...new Set(caps.drop)].sort();
    }
  }
  // PSP admission recorded the policy it chose in kubernetes.io/psp (the reference evaluator's pod
  // leaves it out); so do the mutating policies where several candidates default.
  restore(copy, original, PSP_CHOSEN);
  if (copy.metadata.annotations && Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  return JSON.parse(JSON.stringify(copy)) as Json;
}

