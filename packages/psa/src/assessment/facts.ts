/**
 * What a PodSecurityPolicy lets through, derived once from its IR controls: the sets and flags the
 * per-check analyses and the lost-protection report both read.
 *
 * Everything here describes pods AFTER the policy's defaults, as PSP admission validated them, and
 * as the API server then stored them (it mirrors seccomp annotations into fields, so a defaulted
 * `runtime/default` annotation is also `seccompProfile.type: RuntimeDefault`).
 */
import { sysctlMatches, unusablePolicyReasons, type PolicyIR, type Range } from '@psp-translate/core';

type Controls = PolicyIR['controls'];

/**
 * What one PSP lets through, derived from its IR once (after its defaults, as PSP admission
 * validated pods): what each Pod Security check's analysis and the lost-protection report read.
 */
export interface PolicyFacts {
  readonly name: string;
  readonly controls: Controls;
  /**
   * Why PSP admission could not use the policy at all: it then admitted no pod, and every level is
   * (vacuously) safe. Same conditions as the reference evaluator's.
   */
  readonly admitsNoPod: readonly string[];
  /** Capabilities a container may end up with in `capabilities.add`; null = any (`allowedCapabilities: ['*']`). */
  readonly addableCapabilities: ReadonlySet<string> | null;
  /** Volume types PSP admitted (`*` expanded is not needed: null = any type). */
  readonly volumeTypes: ReadonlySet<string> | null;
  /** Seccomp: `*` listed. */
  readonly seccompAny: boolean;
  /** Seccomp profiles listed, without `*` (annotation form; `''` = unset allowed). */
  readonly seccompListed: ReadonlySet<string>;
  /** Seccomp: no profile may be set at all (no list, or an empty one). */
  readonly seccompNone: boolean;
  /** A pod may be admitted with `unconfined` somewhere. */
  readonly seccompUnconfined: boolean;
  /** A container may end up with no seccomp profile at all (after the policy's default). */
  readonly seccompUnset: boolean;
}

/** Host port range that covers every usable port: the policy does not restrict host ports. */
export const ALL_HOST_PORTS: Range = { min: 1, max: 65535 };

/** The facts of one policy. */
export function policyFacts(policy: PolicyIR): PolicyFacts {
  const c = policy.controls;
  const admitsNoPod = unusablePolicyReasons(policy);

  const seccompList = c.seccomp.validate.allowed ?? [];
  const seccompAny = seccompList.includes('*');
  const seccompListed = new Set(seccompList.filter((p) => p !== '*'));
  const seccompNone = !seccompAny && seccompListed.size === 0;
  // PSP wrote the default into every pod without a profile, then refused any profile.
  if (seccompNone && c.seccomp.defaults !== null) {
    admitsNoPod.push('seccomp: a defaultProfileName without allowedProfileNames makes PSP set a profile it then refuses');
  }

  const caps = c.capabilities;
  return {
    name: policy.name,
    controls: c,
    admitsNoPod,
    addableCapabilities: caps.validate.allowAny ? null : new Set([...caps.validate.allowed, ...(caps.defaults?.add ?? [])]),
    volumeTypes: c.volumes.validate.anyType ? null : new Set(c.volumes.validate.allowedTypes),
    seccompAny,
    seccompListed,
    seccompNone,
    seccompUnconfined: seccompAny || seccompListed.has('unconfined'),
    // The default fills the pod-level profile, which every container without its own inherits.
    seccompUnset: (seccompAny || seccompNone || seccompListed.has('')) && c.seccomp.defaults === null,
  };
}

/** True when the policy admits volumes of PSP type `type`. */
export function allowsVolumeType(facts: PolicyFacts, type: string): boolean {
  return facts.volumeTypes === null || facts.volumeTypes.has(type);
}

/**
 * The sysctl names and `prefix*` patterns the policy admits beyond `safe`, as written in
 * `allowedUnsafeSysctls`: a pattern counts unless a forbidden pattern covers all of it.
 */
export function sysctlsBeyond(facts: PolicyFacts, safe: ReadonlySet<string>): string[] {
  const { forbidden, allowedUnsafe } = facts.controls.sysctls.validate;
  const beyond: string[] = [];
  for (const pattern of allowedUnsafe) {
    if (pattern.endsWith('*')) {
      const prefix = pattern.slice(0, -1);
      const covered = forbidden.some((f) => f.endsWith('*') && prefix.startsWith(f.slice(0, -1)));
      if (!covered) beyond.push(pattern);
    } else if (!safe.has(pattern) && !forbidden.some((f) => sysctlMatches(pattern, f))) {
      beyond.push(pattern);
    }
  }
  return beyond;
}

/** `80, 8000-8080`. */
export function formatRanges(ranges: readonly Range[]): string {
  return ranges.map((r) => (r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`)).join(', ');
}

/** `a, b` with each value quoted as YAML would need it only when empty. */
export function formatList(values: Iterable<string>): string {
  return [...values].map((v) => (v === '' ? '""' : v)).join(', ');
}

/** True when some range contains a usable host port (1-65535). */
export function allowsSomeHostPort(ranges: readonly Range[]): boolean {
  return ranges.some((r) => r.max >= ALL_HOST_PORTS.min && r.min <= ALL_HOST_PORTS.max && r.min <= r.max);
}

/** True when the ranges together cover every usable host port. */
export function allowsAllHostPorts(ranges: readonly Range[]): boolean {
  const sorted = [...ranges].filter((r) => r.min <= r.max).sort((a, b) => a.min - b.min);
  let next = ALL_HOST_PORTS.min;
  for (const r of sorted) {
    if (r.min > next) return false;
    next = Math.max(next, r.max + 1);
    if (next > ALL_HOST_PORTS.max) return true;
  }
  return next > ALL_HOST_PORTS.max;
}
