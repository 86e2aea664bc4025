/**
 * Level assessment: the strictest Pod Security level, and the policy version, that every pod a
 * PodSecurityPolicy admits (after its defaults) passes. That is the level a namespace can enforce
 * without rejecting anything the PSP let run.
 *
 * Computed analytically: for each check at each level and version up to the Kubernetes version,
 * decide from the IR whether the PSP can admit a pod that fails it (see `blockers.ts`). A level
 * holds at a version when no check in force there can fail. Checks added later (probe hosts in
 * v1.34) can make a level hold only up to some version: the assessment then pins the label to it.
 */
import type { PolicyIR } from '@psp-translate/core';
import type { CheckId } from '../checks/check.js';
import { checksFor } from '../evaluate.js';
import { compareLevels, effectiveMinor, LATEST_VERSION, parseKubeVersion, type Level, type PsaMinorVersion, type PsaVersion } from '../version.js';
import { checkAnalyses, type CheckAnalysis, type Finding } from './blockers.js';
import { policyFacts, type PolicyFacts } from './facts.js';
import { gapsTo, type Gap } from './gaps.js';
import { lostDefaults, lostProtections, type LostDefault, type LostProtection } from './lost.js';
import { mapPolicy, type MappedField } from './mapping.js';

/** Inclusive range of policy versions. */
export interface VersionRange {
  readonly from: PsaMinorVersion;
  readonly to: PsaMinorVersion;
}

/** A check the PSP can admit a failing pod for: what keeps a stricter level (or a newer version) from being safe. */
export interface CheckBlocker extends Finding {
  readonly check: CheckId;
  /** The level the check belongs to (baseline checks also bind at restricted). */
  readonly level: 'baseline' | 'restricted';
  /** The policy versions, up to the Kubernetes version assessed, at which the check exists and can fail. */
  readonly versions: readonly VersionRange[];
}

/** Where a PSP lands among the Pod Security levels, and what moving there loses. */
export interface Assessment {
  readonly policy: string;
  /** The Kubernetes version assessed for (`--kube-version`, capped at the newest policy version known). */
  readonly kubeVersion: PsaMinorVersion;
  /** The strictest level every pod the PSP admits (after its defaults) passes, at {@link version}. */
  readonly level: Level;
  /**
   * The newest policy version, up to {@link kubeVersion}, at which {@link level} holds: the value for
   * `pod-security.kubernetes.io/enforce-version`. Older than `kubeVersion` when a newer check
   * (see {@link blockers}) would reject pods the PSP admitted.
   */
  readonly version: PsaMinorVersion;
  /** The oldest policy version at which {@link level} holds: the label must not name an older one. */
  readonly minVersion: PsaMinorVersion;
  /** Versions up to {@link kubeVersion} at which baseline and restricted hold. */
  readonly safeVersions: { readonly baseline: readonly VersionRange[]; readonly restricted: readonly VersionRange[] };
  /**
   * Every check, at either level, that the PSP can admit a failing pod for at {@link kubeVersion}:
   * why no stricter level (or newer version) is safe. Baseline checks first, then restricted ones,
   * each group sorted by ID as upstream orders them.
   */
  readonly blockers: readonly CheckBlocker[];
  /** Why {@link version} or {@link minVersion} differ from the obvious ones, one sentence each. */
  readonly versionNotes: readonly string[];
  /** What the PSP enforced that {@link level} does not: to be covered by Gatekeeper, Kyverno or ValidatingAdmissionPolicy. */
  readonly lostProtections: readonly LostProtection[];
  /** What the PSP wrote into pods that PSA, being validation only, does not. */
  readonly lostDefaults: readonly LostDefault[];
  /** Non-empty when PSP could not use the policy at all: it admitted no pod, so every level is vacuously safe. */
  readonly admitsNoPod: readonly string[];
  /**
   * The level the PSP was meant to be: what the official mapping ("Mapping PodSecurityPolicies to Pod
   * Security Standards", see `mapping.ts`) assigns it field by field, never less strict than
   * {@link level}. For `warn` and `audit` labels, never for `enforce`: pods the PSP admitted may fail
   * it (see {@link gaps}).
   */
  readonly mappedLevel: Level;
  /** The PSP fields that keep {@link mappedLevel} from being stricter, or that the mapping reads as the docs' example PSPs do. */
  readonly mappedFields: readonly MappedField[];
  /**
   * Every concrete way a pod the PSP admitted fails {@link mappedLevel} at {@link kubeVersion}: the
   * blockers of its checks, and the PSP defaults it requires that PSA does not write. Empty when
   * {@link mappedLevel} is privileged, or {@link level} holding at {@link kubeVersion}.
   */
  readonly gaps: readonly Gap[];
}

/** Options of {@link assessPolicy}. */
export interface AssessOptions {
  /** The cluster's Kubernetes version (`latest`, `1.29`, `v1.29.3`, or a parsed version). Default `latest`. */
  readonly kubeVersion?: PsaVersion | string;
}

const STRICT_LEVELS = ['baseline', 'restricted'] as const;

/** A check in force at a level and version: its analysis, whether that reads the version (declares the second parameter), and its slot in per-policy tables. */
interface PlannedCheck {
  readonly id: CheckId;
  readonly slot: number;
  readonly analysis: CheckAnalysis;
  readonly versioned: boolean;
}

const SLOTS: ReadonlyMap<CheckId, number> = new Map((Object.keys(checkAnalyses) as CheckId[]).map((id, slot) => [id, slot]));

function plan(level: 'baseline' | 'restricted', minor: number): readonly PlannedCheck[] {
  return checksFor(level, v1(minor)).map((check) => {
    const analysis: CheckAnalysis = checkAnalyses[check.id];
    return { id: check.id, slot: SLOTS.get(check.id) ?? -1, analysis, versioned: analysis.length >= 2 };
  });
}

/** The checks of each strict level at every version known, resolved once. */
const PLANS: Readonly<Record<'baseline' | 'restricted', readonly (readonly PlannedCheck[])[]>> = {
  baseline: Array.from({ length: LATEST_VERSION.minor + 1 }, (_, minor) => plan('baseline', minor)),
  restricted: Array.from({ length: LATEST_VERSION.minor + 1 }, (_, minor) => plan('restricted', minor)),
};

/** The checks failing at one level and version, with why, in check order. */
type Failing = readonly (readonly [CheckId, Finding])[];

function v1(minor: number): PsaMinorVersion {
  return { major: 1, minor };
}

/** Compresses sorted minors into inclusive ranges. */
function ranges(minors: readonly number[]): VersionRange[] {
  const out: VersionRange[] = [];
  for (let i = 0; i < minors.length; ) {
    const from = minors[i] as number;
    let to = from;
    while (i + 1 < minors.length && minors[i + 1] === to + 1) to = minors[++i] as number;
    i++;
    out.push({ from: v1(from), to: v1(to) });
  }
  return out;
}

/** The kube version option as a minor version we have checks for. */
export function kubeMinorOf(kubeVersion: PsaVersion | string | undefined): number {
  const version = typeof kubeVersion === 'string' ? parseKubeVersion(kubeVersion) : (kubeVersion ?? 'latest');
  return effectiveMinor(version);
}

/**
 * Assesses a PSP: the strictest Pod Security level (and version) that every pod it admits, after its
 * defaults, passes; the checks that keep stricter levels unsafe; and the protections and defaults a
 * namespace loses by moving from the PSP to that level.
 *
 * @throws Error when `options.kubeVersion` is not a Kubernetes version.
 */
export function assessPolicy(policy: PolicyIR, options: AssessOptions = {}): Assessment {
  const kubeMinor = kubeMinorOf(options.kubeVersion);
  const facts = policyFacts(policy);
  const minors = Array.from({ length: kubeMinor + 1 }, (_, minor) => minor);

  if (facts.admitsNoPod.length > 0) {
    const all = ranges(minors);
    return {
      mappedLevel: 'restricted',
      mappedFields: mapPolicy(facts, kubeMinor).fields,
      gaps: [],
      policy: policy.name,
      kubeVersion: v1(kubeMinor),
      level: 'restricted',
      version: v1(kubeMinor),
      minVersion: v1(0),
      safeVersions: { baseline: all, restricted: all },
      blockers: [],
      versionNotes: [],
      lostProtections: [],
      lostDefaults: [],
      admitsNoPod: facts.admitsNoPod,
    };
  }

  // An analysis that does not take the version (declares one parameter) is decided once, not at
  // every version and level: most checks' analyses read only the policy.
  // One that does is decided once per version: restricted repeats baseline's checks.
  const once: (Finding | null | undefined)[] = [];
  const perMinor: (Finding | null | undefined)[][] = [];
  const analyse = (check: PlannedCheck, minor: number): Finding | null => {
    if (check.versioned) {
      const byMinor = (perMinor[check.slot] ??= []);
      let found = byMinor[minor];
      if (found === undefined) byMinor[minor] = found = check.analysis(facts, minor) ?? null;
      return found;
    }
    let found = once[check.slot];
    if (found === undefined) once[check.slot] = found = check.analysis(facts, minor) ?? null;
    return found;
  };

  // failing[level][minor]: the checks in force there that the PSP can admit a failing pod for, in check order.
  // failingAt[level]: per check, the minors (ascending) at which it is in force and can fail.
  const failing = {} as Record<'baseline' | 'restricted', Failing[]>;
  const failingAt = {} as Record<'baseline' | 'restricted', Map<CheckId, number[]>>;
  for (const level of STRICT_LEVELS) {
    const at = new Map<CheckId, number[]>();
    failingAt[level] = at;
    failing[level] = minors.map((minor) => {
      const found: [CheckId, Finding][] = [];
      for (const check of PLANS[level][minor] ?? plan(level, minor)) {
        const result = analyse(check, minor);
        if (result === null) continue;
        found.push([check.id, result]);
        const seenAt = at.get(check.id);
        if (seenAt === undefined) at.set(check.id, [minor]);
        else seenAt.push(minor);
      }
      return found;
    });
  }
  const safeMinors = (level: 'baseline' | 'restricted') => minors.filter((minor) => failing[level][minor]?.length === 0);
  const safe = { baseline: safeMinors('baseline'), restricted: safeMinors('restricted') };

  const level: Level = safe.restricted.length > 0 ? 'restricted' : safe.baseline.length > 0 ? 'baseline' : 'privileged';
  const chosen = level === 'privileged' ? minors : safe[level];
  const version = chosen[chosen.length - 1] ?? kubeMinor;
  const minVersion = level === 'privileged' ? 0 : (chosen[0] ?? 0);

  const blockers: CheckBlocker[] = [];
  const seen = new Set<CheckId>();
  for (const level of STRICT_LEVELS) {
    for (const check of checksFor(level, v1(kubeMinor))) {
      if (check.level !== level || seen.has(check.id)) continue;
      const result = failing[level][kubeMinor]?.find(([id]) => id === check.id)?.[1];
      if (!result) continue;
      seen.add(check.id);
      const versions = ranges(failingAt[level].get(check.id) ?? []);
      blockers.push({ check: check.id, level, reason: result.reason, fields: result.fields, versions });
    }
  }

  const versionNotes: string[] = [];
  if (level !== 'privileged') {
    const describe = (minor: number) =>
      (failing[level][minor] ?? []).map(([id, f]) => `${id} (the PSP ${f.reason})`).join('; ');
    if (version < kubeMinor) {
      versionNotes.push(`${level} holds up to v1.${version} only: from v1.${version + 1}, ${describe(version + 1)}`);
    }
    if (minVersion > 0) {
      versionNotes.push(`${level} holds from v1.${minVersion} only: at v1.${minVersion - 1}, ${describe(minVersion - 1)}`);
    }
  }

  return {
    ...intended(facts, level, kubeMinor, blockers),
    policy: policy.name,
    kubeVersion: v1(kubeMinor),
    level,
    version: v1(version),
    minVersion: v1(minVersion),
    safeVersions: { baseline: ranges(safe.baseline), restricted: ranges(safe.restricted) },
    blockers,
    versionNotes,
    lostProtections: lostProtections(facts, level, version),
    lostDefaults: lostDefaults(facts, level, version),
    admitsNoPod: [],
  };
}

/** The mapped level (never below the strict one), the fields behind it, and the gaps to it at the Kubernetes version. */
function intended(
  facts: PolicyFacts,
  level: Level,
  kubeMinor: number,
  blockers: readonly CheckBlocker[],
): Pick<Assessment, 'mappedLevel' | 'mappedFields' | 'gaps'> {
  const mapping = mapPolicy(facts, kubeMinor);
  const mappedLevel = compareLevels(mapping.level, level) >= 0 ? mapping.level : level;
  return { mappedLevel, mappedFields: mapping.fields, gaps: gapsAt(facts, mappedLevel, kubeMinor, blockers) };
}

function gapsAt(facts: PolicyFacts, level: Level, kubeMinor: number, blockers: readonly CheckBlocker[]): Gap[] {
  const active = new Set(level === 'privileged' ? [] : checksFor(level, v1(kubeMinor)).map((c) => c.id));
  const rejected = lostDefaults(facts, level, kubeMinor).filter((d) => d.effect === 'rejected');
  return gapsTo(level, facts, kubeMinor, blockers, active, rejected);
}

/**
 * The gaps between a PSP and any `level` at its assessment's Kubernetes version: which pods the PSP
 * admitted that `level` rejects (what `warn` and `audit` at `level` would report).
 */
export function gapsToLevel(policy: PolicyIR, assessment: Assessment, level: Level): Gap[] {
  if (assessment.admitsNoPod.length > 0) return [];
  return gapsAt(policyFacts(policy), level, assessment.kubeVersion.minor, assessment.blockers);
}
