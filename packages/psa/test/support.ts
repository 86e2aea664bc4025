/**
 * Test helpers: the shared corpus (skipped with a message when absent), PSPs from YAML text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseInputs, type PolicyIR } from '@psp-translate/core';

/** `../shared/corpus` relative to the repository root. */
export const CORPUS = fileURLToPath(new URL('../../../../shared/corpus', import.meta.url));
export const corpusPresent = existsSync(join(CORPUS, 'psp'));
if (!corpusPresent) console.warn(`corpus not found at ${CORPUS}: skipping the tests that read corpus PSPs.`);

/** The one PSP of a corpus file (`psp/<file>`), parsed as the CLI would. */
export function corpusPolicy(file: string): PolicyIR {
  const path = join(CORPUS, 'psp', file);
  const set = parseInputs([{ path, text: readFileSync(path, 'utf8') }]);
  const [policy] = set.policies;
  if (set.policies.length !== 1 || policy === undefined) throw new Error(`${file}: expected exactly one PodSecurityPolicy, found ${set.policies.length}`);
  return policy;
}

/** The PSPs of a YAML text. */
export function policiesFromYaml(text: string, path = 'test.yaml'): PolicyIR[] {
  return parseInputs([{ path, text }]).policies;
}

/** The one PSP of a YAML text. */
export function policyFromYaml(text: string): PolicyIR {
  const [policy] = policiesFromYaml(text);
  if (policy === undefined) throw new Error('expected a PodSecurityPolicy in the test YAML');
  return policy;
}

/** The Kubernetes docs' baseline PSP with what keeps it from baseline taken out. */
export const TIGHT_BASELINE = `
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: tight-baseline
  annotations:
    apparmor.security.beta.kubernetes.io/allowedProfileNames: 'runtime/default'
    apparmor.security.beta.kubernetes.io/defaultProfileName: 'runtime/default'
    seccomp.security.alpha.kubernetes.io/allowedProfileNames: 'docker/default,runtime/default'
    seccomp.security.alpha.kubernetes.io/defaultProfileName: 'runtime/default'
spec:
  privileged: false
  allowedCapabilities: [CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE]
  volumes: [configMap, emptyDir, projected, secret, downwardAPI, persistentVolumeClaim, nfs]
  hostNetwork: false
  hostIPC: false
  hostPID: false
  runAsUser: { rule: RunAsAny }
  seLinux:
    rule: MustRunAs
    seLinuxOptions: { level: 's0:c123,c456' }
  supplementalGroups: { rule: RunAsAny }
  fsGroup: { rule: RunAsAny }
`;

