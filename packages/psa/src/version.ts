/**
 * Pod Security Standards levels and policy versions, parsed and compared the way the PodSecurity
 * admission plugin does (`pod-security.kubernetes.io/<mode>` and `<mode>-version` label values).
 */

/** A Pod Security Standards level, from least to most strict. */
export type Level = 'privileged' | 'baseline' | 'restricted';

/** A concrete policy version `v1.<minor>`. Only major version 1 exists. */
export interface PsaMinorVersion {
  readonly major: 1;
  readonly minor: number;
}

/**
 * A policy version: `v1.<minor>` or `'latest'`. Versions newer than {@link LATEST_VERSION} are
 * valid and evaluate as the newest policy we know, as the admission plugin does for its own
 * maximum.
 */
export type PsaVersion = PsaMinorVersion | 'latest';

/** A level paired with the version of its checks, e.g. `restricted:v1.25`. */
export interface LevelVersion {
  readonly level: Level;
  readonly version: PsaVersion;
}

/** The newest policy version that has checks of its own (what `latest` means here). */
export const LATEST_VERSION: PsaMinorVersion = Object.freeze({ major: 1, minor: 37 });

/** Levels in order of strictness. */
export const LEVELS: readonly Level[] = Object.freeze(['privileged', 'baseline', 'restricted']);

// Same grammar as upstream: "v1.0", "v1.25", no leading zeros, no patch.
const VERSION_PATTERN = /^v1\.(0|[1-9][0-9]*)$/;

/** True when `value` is one of the three level names. */
export function isLevel(value: unknown): value is Level {
  return value === 'privileged' || value === 'baseline' || value === 'restricted';
}

/**
 * Parses a level label value.
 * @throws Error naming the valid values when `value` is not a level.
 */
export function parseLevel(value: string): Level {
  if (isLevel(value)) return value;
  throw new Error(
    `invalid Pod Security level ${JSON.stringify(value)}: must be one of privileged, baseline, restricted`,
  );
}

/**
 * Parses a version label value: `latest` or `v1.<minor>` (e.g. `v1.25`).
 * @throws Error saying what is accepted when `value` is neither.
 */
export function parseVersion(value: string): PsaVersion {
  if (value === 'latest') return 'latest';
  const match = VERSION_PATTERN.exec(value);
  const minor = match ? Number(match[1]) : Number.NaN;
  if (!Number.isSafeInteger(minor)) {
    throw new Error(
      `invalid Pod Security version ${JSON.stringify(value)}: must be "latest" or "v1.x" (for example v1.25)`,
    );
  }
  return { major: 1, minor };
}

/**
 * Parses a level and an optional version (default `latest`), as given on a command line or in a
 * namespace's labels.
 * @throws Error when either value is invalid.
 */
export function parseLevelVersion(level: string, version = 'latest'): LevelVersion {
  return { level: parseLevel(level), version: parseVersion(version) };
}

/** `latest` or `v1.<minor>`, the label spelling. */
export function formatVersion(version: PsaVersion): string {
  return version === 'latest' ? 'latest' : `v1.${version.minor}`;
}

/** `level:version`, the spelling the admission plugin uses in its messages (`restricted:latest`). */
export function formatLevelVersion(levelVersion: LevelVersion): string {
  return `${levelVersion.level}:${formatVersion(levelVersion.version)}`;
}

/**
 * The minor version whose checks apply: `latest` and anything newer than {@link LATEST_VERSION}
 * use the newest checks.
 */
export function effectiveMinor(version: PsaVersion): number {
  if (version === 'latest') return LATEST_VERSION.minor;
  if (!Number.isSafeInteger(version.minor) || version.minor < 0) {
    throw new Error(`invalid Pod Security version v1.${String(version.minor)}: the minor version must be a whole number >= 0`);
  }
  return Math.min(version.minor, LATEST_VERSION.minor);
}

/** Compares levels by strictness: negative when `a` is less strict than `b`, 0 when equal. */
export function compareLevels(a: Level, b: Level): number {
  return LEVELS.indexOf(a) - LEVELS.indexOf(b);
}

// `1.29`, `v1.29`, `1.29.3`, `v1.29.3-gke.1` as `kubectl version` and users write them.
const KUBE_VERSION_PATTERN = /^v?1\.(0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[-+][0-9A-Za-z.+-]*)?$/;

/**
 * Parses a Kubernetes version as given with `--kube-version`: `latest`, `1.29`, `v1.29`, or a full
 * release such as `v1.29.3` (the patch level does not matter to Pod Security).
 * @throws Error saying what is accepted when `value` is none of these.
 */
export function parseKubeVersion(value: string): PsaVersion {
  const text = value.trim();
  if (text === 'latest') return 'latest';
  const match = KUBE_VERSION_PATTERN.exec(text);
  const minor = match ? Number(match[1]) : Number.NaN;
  if (!Number.isSafeInteger(minor)) {
    throw new Error(`invalid Kubernetes version ${JSON.stringify(value)}: give "latest" or 1.<minor> (for example 1.29 or v1.29.3)`);
  }
  return { major: 1, minor };
}
