/**
 * Checks on a PodSecurityPolicy that the zod schema cannot express field by field: the API
 * server's cross-field validation (pkg/apis/policy/validation), and settings the API server stored
 * but PSP admission could not build a provider from (it then ignored the policy entirely, so no
 * faithful translation exists).
 */
import { PSP_ANNOTATIONS, type PodSecurityPolicy } from '../schema/psp.js';
import type { FieldProblem } from './zod-issues.js';

// Sysctl names and `prefix*` patterns as the API server accepted them.
const SYSCTL_SEGMENT = '[a-z0-9]([-_a-z0-9]*[a-z0-9])?';
const SYSCTL_PATTERN = new RegExp(`^(${SYSCTL_SEGMENT}\\.)*([a-z0-9][-_a-z0-9]*)?[a-z0-9*]$`);
const SYSCTL_MAX_LENGTH = 253;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Splits a PSP profile-list annotation the way PSP did (on commas); we also trim blanks around names. */
export function splitProfileList(value: string): string[] {
  return value.split(',').map((name) => name.trim());
}

function seccompProfileProblem(profile: string): string | undefined {
  if (['runtime/default', 'docker/default', 'unconfined'].includes(profile)) return undefined;
  if (profile.startsWith('localhost/')) {
    const local = profile.slice('localhost/'.length);
    if (local === '' || local.startsWith('/') || local.split('/').includes('..')) {
      return `invalid seccomp profile ${JSON.stringify(profile)}: the localhost path must be relative and must not contain '..'`;
    }
    return undefined;
  }
  return `invalid seccomp profile ${JSON.stringify(profile)}; valid: runtime/default, docker/default, unconfined, localhost/<path>`;
}

function appArmorProfileProblem(profile: string): string | undefined {
  if (profile === '' || profile === 'runtime/default' || profile === 'unconfined' || profile.startsWith('localhost/')) return undefined;
  return `invalid AppArmor profile ${JSON.stringify(profile)}; valid: runtime/default, unconfined, localhost/<name>`;
}

function checkSysctls(list: readonly string[] | null | undefined, field: string, problems: FieldProblem[]): void {
  if (!list?.length) return;
  list.forEach((name, index) => {
    if (name.length > SYSCTL_MAX_LENGTH || !SYSCTL_PATTERN.test(name)) {
      problems.push({ path: ['spec', field, index], message: `invalid sysctl name or pattern ${JSON.stringify(name)}` });
    }
  });
  if (list.includes('*') && list.length > 1) {
    problems.push({ path: ['spec', field], message: "if '*' is present, no other sysctl may be listed" });
  }
}

/** Does the sysctl pattern `a` (name or `prefix*`) cover `b`? (API server's overlap rule.) */
function sysctlsOverlap(allowed: string, forbidden: string): boolean {
  const allowedPrefix = allowed.endsWith('*') ? allowed.slice(0, -1) : undefined;
  const forbiddenPrefix = forbidden.endsWith('*') ? forbidden.slice(0, -1) : undefined;
  if (allowedPrefix !== undefined && forbiddenPrefix !== undefined) {
    return allowedPrefix.startsWith(forbiddenPrefix) || forbiddenPrefix.startsWith(allowedPrefix);
  }
  if (allowedPrefix !== undefined) return forbidden.startsWith(allowedPrefix);
  if (forbiddenPrefix !== undefined) return allowed.startsWith(forbiddenPrefix);
  return allowed === forbidden;
}

const unusable = 'PSP admission could not use this policy';

/** Every cross-field problem of a schema-valid PodSecurityPolicy, with the field it concerns. */
export function checkPodSecurityPolicy(psp: PodSecurityPolicy): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const spec = psp.spec;

  // Capabilities: a dropped capability cannot also be added or allowed.
  const drops = spec.requiredDropCapabilities ?? [];
  if (drops.length > 0 && spec.allowedCapabilities?.includes('*')) {
    problems.push({ path: ['spec', 'requiredDropCapabilities'], message: "must be empty when allowedCapabilities contains '*'" });
  }
  for (const field of ['defaultAddCapabilities', 'allowedCapabilities'] as const) {
    (spec[field] ?? []).forEach((capability, index) => {
      if (drops.includes(capability)) {
        problems.push({ path: ['spec', field, index], message: `capability ${capability} is also in requiredDropCapabilities` });
      }
    });
  }

  if (spec.defaultAllowPrivilegeEscalation === true && spec.allowPrivilegeEscalation === false) {
    problems.push({
      path: ['spec', 'defaultAllowPrivilegeEscalation'],
      message: 'cannot be true while allowPrivilegeEscalation is false',
    });
  }

  // Strategies that need ranges: the API server accepted some of these, PSP admission did not.
  if (spec.runAsUser.rule === 'MustRunAs' && !spec.runAsUser.ranges?.length) {
    problems.push({ path: ['spec', 'runAsUser', 'ranges'], message: `rule MustRunAs needs at least one range (${unusable})` });
  }
  if (spec.runAsGroup) {
    if (spec.runAsGroup.rule === 'RunAsAny' && spec.runAsGroup.ranges?.length) {
      problems.push({ path: ['spec', 'runAsGroup', 'ranges'], message: 'must be empty when rule is RunAsAny' });
    }
    if (spec.runAsGroup.rule !== 'RunAsAny' && !spec.runAsGroup.ranges?.length) {
      problems.push({ path: ['spec', 'runAsGroup', 'ranges'], message: `rule ${spec.runAsGroup.rule} needs at least one range` });
    }
  }
  for (const field of ['supplementalGroups', 'fsGroup'] as const) {
    const strategy = spec[field];
    if (strategy.rule !== 'RunAsAny' && !strategy.ranges?.length) {
      problems.push({ path: ['spec', field, 'ranges'], message: `rule ${strategy.rule} needs at least one range (${unusable})` });
    }
  }
  if (spec.seLinux.rule === 'MustRunAs' && !spec.seLinux.seLinuxOptions) {
    problems.push({ path: ['spec', 'seLinux', 'seLinuxOptions'], message: `rule MustRunAs needs seLinuxOptions (${unusable})` });
  }

  (spec.allowedHostPaths ?? []).forEach((entry, index) => {
    if (entry.pathPrefix.replaceAll('\\', '/').split('/').includes('..')) {
      problems.push({ path: ['spec', 'allowedHostPaths', index, 'pathPrefix'], message: "must not contain '..'" });
    }
  });

  checkSysctls(spec.allowedUnsafeSysctls, 'allowedUnsafeSysctls', problems);
  checkSysctls(spec.forbiddenSysctls, 'forbiddenSysctls', problems);
  (spec.allowedUnsafeSysctls ?? []).forEach((allowed, index) => {
    const clash = (spec.forbiddenSysctls ?? []).find((forbidden) => sysctlsOverlap(allowed, forbidden));
    if (clash !== undefined) {
      problems.push({ path: ['spec', 'allowedUnsafeSysctls', index], message: `overlaps forbidden sysctl ${clash}` });
    }
  });

  const runtimeClass = spec.runtimeClass;
  if (runtimeClass) {
    const names = runtimeClass.allowedRuntimeClassNames;
    names.forEach((name, index) => {
      if (name !== '*' && !DNS_SUBDOMAIN.test(name)) {
        problems.push({ path: ['spec', 'runtimeClass', 'allowedRuntimeClassNames', index], message: `${JSON.stringify(name)} is not a valid RuntimeClass name` });
      }
      if (names.indexOf(name) !== index) {
        problems.push({ path: ['spec', 'runtimeClass', 'allowedRuntimeClassNames', index], message: `duplicate ${JSON.stringify(name)}` });
      }
    });
    if (names.includes('*') && names.length > 1) {
      problems.push({ path: ['spec', 'runtimeClass', 'allowedRuntimeClassNames'], message: "if '*' is present, no other name may be listed" });
    }
    const fallback = runtimeClass.defaultRuntimeClassName;
    if (fallback != null && !names.includes(fallback) && !names.includes('*')) {
      problems.push({ path: ['spec', 'runtimeClass', 'defaultRuntimeClassName'], message: `${JSON.stringify(fallback)} must also be in allowedRuntimeClassNames` });
    }
  }

  const annotations = psp.metadata.annotations ?? {};
  const annotationChecks = [
    // [annotation, check, is a list, list may hold the `*` wildcard (seccomp only)]
    [PSP_ANNOTATIONS.seccompDefaultProfileName, seccompProfileProblem, false, false],
    [PSP_ANNOTATIONS.seccompAllowedProfileNames, seccompProfileProblem, true, true],
    [PSP_ANNOTATIONS.appArmorDefaultProfileName, appArmorProfileProblem, false, false],
    [PSP_ANNOTATIONS.appArmorAllowedProfileNames, appArmorProfileProblem, true, false],
  ] as const;
  for (const [key, problemOf, isList, wildcard] of annotationChecks) {
    const value = annotations[key];
    // The API server skipped empty values.
    if (value === undefined || value === '') continue;
    const names = isList ? splitProfileList(value).filter((name) => !(wildcard && name === '*')) : [value.trim()];
    for (const name of names) {
      const problem = problemOf(name);
      if (problem) problems.push({ path: ['metadata', 'annotations', key], message: problem });
    }
  }
  return problems;
}
