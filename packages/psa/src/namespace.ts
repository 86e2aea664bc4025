/**
 * Namespace-level Pod Security Admission: the `pod-security.kubernetes.io/*` labels, read with
 * the plugin's defaults and fail-safes, and a pod judged in enforce, audit and warn mode.
 */
import type { ObjectMeta, Pod } from '@psp-translate/core';
import { evaluatePodSpec, type PodEvaluation } from './evaluate.js';
import { compareLevels, formatLevelVersion, formatVersion, parseLevel, parseVersion, type Level, type LevelVersion, type PsaVersion } from './version.js';

/** The three modes a namespace can set: reject, record in the audit log, or warn the client. */
export type PsaMode = 'enforce' | 'audit' | 'warn';

/** The level and version a namespace sets for each mode. */
export interface NamespacePolicy {
  readonly enforce: LevelVersion;
  readonly audit: LevelVersion;
  readonly warn: LevelVersion;
}

/** An invalid `pod-security.kubernetes.io/*` label value. */
export interface NamespaceLabelError {
  readonly label: string;
  readonly value: string;
  /** What is wrong and what would be valid, naming the namespace when known. */
  readonly message: string;
}

/** A namespace's policy as the plugin would apply it, plus every invalid label it had to work around. */
export interface ParsedNamespacePolicy {
  readonly policy: NamespacePolicy;
  readonly errors: readonly NamespaceLabelError[];
}

/** Anything with Namespace metadata labels (a Namespace object as parsed from YAML). */
export interface NamespaceLike {
  readonly metadata?: Pick<ObjectMeta, 'name' | 'labels'> | null;
}

/** The label prefix shared by all six labels. */
export const PSA_LABEL_PREFIX = 'pod-security.kubernetes.io/';

const MODES: readonly PsaMode[] = ['enforce', 'audit', 'warn'];

const PRIVILEGED_LATEST: LevelVersion = Object.freeze({ level: 'privileged', version: 'latest' });

/** What the plugin applies to a namespace without labels, unless the cluster configures other defaults. */
export const DEFAULT_NAMESPACE_POLICY: NamespacePolicy = Object.freeze({
  enforce: PRIVILEGED_LATEST,
  audit: PRIVILEGED_LATEST,
  warn: PRIVILEGED_LATEST,
});

/**
 * The labels that put a namespace at `level` and `version` in the given modes (all three by
 * default), e.g. `pod-security.kubernetes.io/enforce: restricted` and
 * `pod-security.kubernetes.io/enforce-version: v1.25`. Keys are ordered enforce, audit, warn.
 */
export function namespaceLabels(level: Level, version: PsaVersion, modes: readonly PsaMode[] = MODES): Record<string, string> {
  parseLevel(level);
  for (const mode of modes) {
    if (!MODES.includes(mode)) throw new Error(`invalid Pod Security mode ${JSON.stringify(mode)}: must be one of enforce, audit, warn`);
  }
  const versionText = formatVersion(version);
  parseVersion(versionText);
  const labels: Record<string, string> = {};
  for (const mode of MODES) {
    if (!modes.includes(mode)) continue;
    labels[`${PSA_LABEL_PREFIX}${mode}`] = level;
    labels[`${PSA_LABEL_PREFIX}${mode}-version`] = versionText;
  }
  return labels;
}

/**
 * Reads a namespace's Pod Security labels. Unset modes keep `defaults` (privileged/latest). Like
 * the plugin, an invalid value never loosens enforcement: a bad enforce level means restricted,
 * a bad audit or warn level means privileged (they fail open), a bad version means latest; each
 * is also reported in `errors`. When warn is not set and enforce is set stricter than warn, warn
 * follows enforce, so users see what will be rejected before it is.
 */
export function parseNamespacePolicy(namespace: NamespaceLike, defaults: NamespacePolicy = DEFAULT_NAMESPACE_POLICY): ParsedNamespacePolicy {
  const labels = namespace.metadata?.labels ?? {};
  const where = namespace.metadata?.name ? `namespace ${JSON.stringify(namespace.metadata.name)}: ` : '';
  const errors: NamespaceLabelError[] = [];
  const read = <T>(label: string, parse: (value: string) => T, fallback: T): { value: T; set: boolean; valid: boolean } | undefined => {
    const raw: unknown = labels[label];
    if (raw === undefined) return undefined;
    const value = typeof raw === 'string' ? raw : String(raw);
    try {
      return { value: parse(value), set: true, valid: true };
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      errors.push({ label, value, message: `${where}label ${label}: ${why}` });
      return { value: fallback, set: true, valid: false };
    }
  };

  const modes: Record<PsaMode, { level: Level; version: PsaVersion }> = {
    enforce: { ...defaults.enforce },
    audit: { ...defaults.audit },
    warn: { ...defaults.warn },
  };
  let enforceLevelSet = false;
  let warnLevelSet = false;
  let warnVersionSet = false;
  for (const mode of MODES) {
    // Enforce fails closed, audit and warn fail open, as upstream.
    const level = read(`${PSA_LABEL_PREFIX}${mode}`, parseLevel, mode === 'enforce' ? 'restricted' : 'privileged');
    if (level) {
      modes[mode].level = level.value as Level;
      if (mode === 'enforce') enforceLevelSet = level.valid;
      if (mode === 'warn') warnLevelSet = true;
    }
    const version = read(`${PSA_LABEL_PREFIX}${mode}-version`, parseVersion, 'latest');
    if (version) {
      modes[mode].version = version.value as PsaVersion;
      if (mode === 'warn') warnVersionSet = true;
    }
  }
  if (!warnLevelSet && enforceLevelSet && compareLevels(modes.enforce.level, modes.warn.level) > 0) {
    modes.warn.level = modes.enforce.level;
    if (!warnVersionSet) modes.warn.version = modes.enforce.version;
  }
  return { policy: modes, errors };
}

/** What the plugin does with a pod in a namespace. */
export interface NamespaceDecision {
  /** False when the enforce level rejects the pod. */
  readonly admitted: boolean;
  /** The enforce-mode violations, each `reason (detail)`; empty when admitted. */
  readonly reasons: readonly string[];
  /** The API server's rejection, `violates PodSecurity "restricted:latest": ...`; empty when admitted. */
  readonly denial: string;
  /** Warn-mode messages shown to the client, `would violate PodSecurity "...": ...`. Empty when denied, as the plugin only warns on admitted requests. */
  readonly warnings: readonly string[];
  /** The audit-mode violation recorded in the audit log (`pod-security.kubernetes.io/audit-violations`); empty when none. */
  readonly auditViolation: string;
  /** Invalid labels the decision had to work around (see {@link parseNamespacePolicy}). */
  readonly labelErrors: readonly NamespaceLabelError[];
}

function isPolicy(value: NamespacePolicy | Readonly<Record<string, string>>): value is NamespacePolicy {
  const enforce: unknown = (value as Record<string, unknown>).enforce;
  return enforce !== null && typeof enforce === 'object';
}

/**
 * Judges a pod in a namespace: rejected if the enforce level forbids it, with audit and warn
 * messages worded as the plugin's. `policy` is a parsed {@link NamespacePolicy} or the
 * namespace's labels. Exemptions (users, runtime classes, namespaces) are not modelled.
 */
export function evaluateNamespacePolicy(pod: Pod, policy: NamespacePolicy | Readonly<Record<string, string>>): NamespaceDecision {
  const parsed: ParsedNamespacePolicy = isPolicy(policy) ? { policy, errors: [] } : parseNamespacePolicy({ metadata: { labels: { ...policy } } });
  const { enforce, audit, warn } = parsed.policy;
  const cache = new Map<string, PodEvaluation>();
  const evaluate = (levelVersion: LevelVersion): PodEvaluation => {
    // Same level and version in two modes: evaluate once, as the plugin caches.
    const key = levelVersion.level === 'privileged' ? 'privileged' : formatLevelVersion(levelVersion);
    let evaluation = cache.get(key);
    if (evaluation === undefined) {
      evaluation = evaluatePodSpec(pod.metadata, pod.spec, levelVersion.level, levelVersion.version);
      cache.set(key, evaluation);
    }
    return evaluation;
  };

  const enforced = evaluate(enforce);
  const audited = evaluate(audit);
  const warned = enforced.allowed ? evaluate(warn) : undefined;
  return {
    admitted: enforced.allowed,
    reasons: enforced.results.filter((r) => !r.allowed).map((r) => r.message),
    denial: enforced.allowed ? '' : `violates PodSecurity "${formatLevelVersion(enforce)}": ${enforced.message}`,
    warnings: warned && !warned.allowed ? [`would violate PodSecurity "${formatLevelVersion(warn)}": ${warned.message}`] : [],
    auditViolation: audited.allowed ? '' : `would violate PodSecurity "${formatLevelVersion(audit)}": ${audited.message}`,
    labelErrors: parsed.errors,
  };
}
