/**
 * `spec.allowedHostPaths` matching, as PSP did it (pkg/security/podsecuritypolicy/util).
 */

/** What one allowedHostPaths entry looks like in the IR. */
export interface AllowedHostPath {
  pathPrefix: string;
  readOnly: boolean;
}

/** The result of matching a hostPath volume's path against `allowedHostPaths`. */
export interface HostPathDecision {
  allowed: boolean;
  /** Every matching entry is `readOnly`: all mounts of the volume must be read-only. */
  mustBeReadOnly: boolean;
  /** The path has a `..` segment, which the API server rejects in any pod. */
  backsteps: boolean;
}

/** True when `path` has a `..` segment. Pod validation rejects such hostPath paths. */
export function hasBacksteps(path: string): boolean {
  return path.split('/').includes('..');
}

/**
 * True when `path` equals `prefix` or continues it at a segment boundary. One trailing `/` of each
 * is ignored, nothing else is normalised.
 */
// PSP compares paths segment-wise: /foo allows /foo, /foo/ and /foo/bar but not /food.
export function hasPathPrefix(path: string, prefix: string): boolean {
  const s = path.endsWith('/') ? path.slice(0, -1) : path;
  const p = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (!s.startsWith(p)) return false;
  return s.length === p.length || s[p.length] === '/';
}

/**
 * Whether a hostPath volume's `path` is allowed by `allowedHostPaths` (empty list = any path) and
 * whether it must be mounted read-only. A matching writable entry wins over read-only ones.
 *
 * PSP itself did not clean paths, so `/foo/../etc` matched `/foo`; the API server's pod validation
 * rejects any hostPath with a `..` segment, so the pod never ran. We reject such paths whenever a
 * prefix list applies, so no caller mistakes a backstep for a match.
 */
export function hostPathAllowed(path: string, allowed: readonly AllowedHostPath[]): HostPathDecision {
  if (allowed.length === 0) return { allowed: true, mustBeReadOnly: false, backsteps: false };
  if (hasBacksteps(path)) return { allowed: false, mustBeReadOnly: false, backsteps: true };
  let matched = false;
  for (const entry of allowed) {
    if (!hasPathPrefix(path, entry.pathPrefix)) continue;
    if (!entry.readOnly) return { allowed: true, mustBeReadOnly: false, backsteps: false };
    matched = true;
  }
  return { allowed: matched, mustBeReadOnly: matched, backsteps: false };
}
