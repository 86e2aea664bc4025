/**
 * Evaluates pods against a level and version: picks each check's revision for the version, drops
 * baseline checks that a restricted check overrides, and runs them in upstream's order (baseline
 * IDs sorted, then restricted IDs sorted) so aggregated messages read exactly like the plugin's.
 */
import type { ObjectMeta, Pod, PodSpec } from '@psp-translate/core';
import { checks } from './checks/index.js';
import type { Check, CheckId } from './checks/check.js';
import type { CheckPodFn } from './checks/helpers.js';
import { effectiveMinor, LATEST_VERSION, type Level, type PsaMinorVersion, type PsaVersion } from './version.js';

/** A check as it applies at one level and version: the revision in force. */
export interface ActiveCheck {
  readonly id: CheckId;
  /** The level the check belongs to (baseline checks also run at restricted). */
  readonly level: 'baseline' | 'restricted';
  /** The first version of the revision in force. */
  readonly minVersion: PsaMinorVersion;
  readonly evaluate: CheckPodFn;
}

/** One check's verdict on a pod. */
export interface CheckOutcome {
  readonly id: CheckId;
  readonly allowed: boolean;
  /** Upstream's short forbidden reason (`host namespaces`); empty when allowed. */
  readonly reason: string;
  /** Upstream's forbidden detail (`hostNetwork=true`); empty when allowed or when there is none. */
  readonly detail: string;
  /** `reason (detail)`, as the plugin prints each violation; empty when allowed. */
  readonly message: string;
}

/** The verdict on a pod at one level and version. */
export interface PodEvaluation {
  /** True when every check allowed the pod. */
  readonly allowed: boolean;
  /** Every check that ran, in upstream's order. Empty at `privileged`. */
  readonly results: readonly CheckOutcome[];
  /**
   * The violations joined as the plugin words them after `violates PodSecurity "<level>:<version>": `,
   * e.g. `host namespaces (hostNetwork=true), privileged (container "a" must not set securityContext.privileged=true)`.
   */
  readonly message: string;
}

interface ResolvedCheck extends ActiveCheck {
  /** Shared outcome for a pass, so passing checks allocate nothing. */
  readonly allowedOutcome: CheckOutcome;
}

const UNKNOWN_FORBIDDEN_REASON = 'unknown forbidden reason';

// Check IDs are ASCII, so the default code-unit sort equals Go's byte-wise slices.Sort.
const ORDERED_IDS: readonly CheckId[] = [
  ...checks.filter((c) => c.level === 'baseline').map((c) => c.id).sort(),
  ...checks.filter((c) => c.level === 'restricted').map((c) => c.id).sort(),
];

const CHECKS_BY_ID: ReadonlyMap<CheckId, Check> = new Map(checks.map((c) => [c.id, c]));

/** The revision of `check` in force at `minor`, or undefined before its first version. */
function revisionAt(check: Check, minor: number) {
  let found: Check['versions'][number] | undefined;
  for (const revision of check.versions) {
    if (revision.minVersion.minor <= minor) found = revision;
  }
  return found;
}

function resolve(level: 'baseline' | 'restricted', minor: number): readonly ResolvedCheck[] {
  const overridden = new Set<CheckId>();
  if (level === 'restricted') {
    for (const check of checks) {
      if (check.level === 'restricted' && revisionAt(check, minor) !== undefined) {
        for (const id of check.overrides ?? []) overridden.add(id);
      }
    }
  }
  const resolved: ResolvedCheck[] = [];
  for (const id of ORDERED_IDS) {
    const check = CHECKS_BY_ID.get(id);
    if (check === undefined || overridden.has(id)) continue;
    if (level === 'baseline' && check.level !== 'baseline') continue;
    const revision = revisionAt(check, minor);
    if (revision === undefined) continue;
    resolved.push(
      Object.freeze({
        id,
        level: check.level,
        minVersion: revision.minVersion,
        evaluate: revision.evaluate,
        allowedOutcome: Object.freeze({ id, allowed: true, reason: '', detail: '', message: '' }),
      }),
    );
  }
  return Object.freeze(resolved);
}

// Resolved once per level and minor version (v1.0 ... newest): evaluation is a lookup.
const RESOLVED: Readonly<Record<'baseline' | 'restricted', readonly (readonly ResolvedCheck[])[]>> = {
  baseline: Array.from({ length: LATEST_VERSION.minor + 1 }, (_, minor) => resolve('baseline', minor)),
  restricted: Array.from({ length: LATEST_VERSION.minor + 1 }, (_, minor) => resolve('restricted', minor)),
};

const NO_CHECKS: readonly ResolvedCheck[] = Object.freeze([]);

function resolvedFor(level: Level, version: PsaVersion): readonly ResolvedCheck[] {
  if (level === 'privileged') return NO_CHECKS;
  if (level !== 'baseline' && level !== 'restricted') {
    throw new Error(`invalid Pod Security level ${JSON.stringify(level)}: must be one of privileged, baseline, restricted`);
  }
  return RESOLVED[level][effectiveMinor(version)] ?? NO_CHECKS;
}

/**
 * The checks that run at `level` and `version`, in evaluation order. `privileged` has none;
 * `latest` and versions newer than {@link LATEST_VERSION} get the newest checks.
 */
export function checksFor(level: Level, version: PsaVersion): readonly ActiveCheck[] {
  return resolvedFor(level, version);
}

/**
 * Evaluates a pod's metadata and spec, e.g. a workload's pod template, at a level and version.
 * Reads the objects only; nothing is cloned or mutated.
 */
export function evaluatePodSpec(podMeta: ObjectMeta | null | undefined, podSpec: PodSpec, level: Level, version: PsaVersion): PodEvaluation {
  const active = resolvedFor(level, version);
  const meta: ObjectMeta = podMeta ?? {};
  const results: CheckOutcome[] = new Array<CheckOutcome>(active.length);
  let allowed = true;
  let message = '';
  for (let i = 0; i < active.length; i++) {
    const check = active[i] as ResolvedCheck;
    const result = check.evaluate(meta, podSpec);
    if (result.allowed) {
      results[i] = check.allowedOutcome;
      continue;
    }
    allowed = false;
    const reason = result.forbiddenReason === '' ? UNKNOWN_FORBIDDEN_REASON : result.forbiddenReason;
    const text = result.forbiddenDetail === '' ? reason : `${reason} (${result.forbiddenDetail})`;
    message = message === '' ? text : `${message}, ${text}`;
    results[i] = { id: check.id, allowed: false, reason, detail: result.forbiddenDetail, message: text };
  }
  return { allowed, results, message };
}

/**
 * Evaluates a Pod at a level and version, as the PodSecurity admission plugin does (including
 * ephemeral containers, which it checks on the pods/ephemeralcontainers subresource).
 * @throws Error when the object has no `spec`, or the level or version is invalid.
 */
export function evaluatePod(pod: Pod, level: Level, version: PsaVersion): PodEvaluation {
  if (pod === null || typeof pod !== 'object' || pod.spec === null || typeof pod.spec !== 'object') {
    const name = pod?.metadata?.name;
    throw new Error(`cannot evaluate pod${name ? ` ${JSON.stringify(name)}` : ''}: it has no spec. Pass a Pod object with metadata and spec.`);
  }
  return evaluatePodSpec(pod.metadata, pod.spec, level, version);
}
