/**
 * Sysctl checks of PSP (`forbiddenSysctls`, `allowedUnsafeSysctls`) and the kubelet's safe set.
 */

/**
 * The kubelet's safe sysctls in Kubernetes 1.24 (pkg/kubelet/sysctl/safe_sysctls.go), which PSP
 * allowed without `allowedUnsafeSysctls`. `net.ipv4.ip_unprivileged_port_start` joined in 1.22.
 */
export const SAFE_SYSCTLS_1_24: readonly string[] = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];

/**
 * Sysctls later kubelets added to the safe set (1.27: ip_local_reserved_ports; 1.29: the TCP
 * keepalive and fin timeout ones; 1.32: tcp_rmem/tcp_wmem). PSP never knew them: under PSP they
 * needed `allowedUnsafeSysctls`. Pod Security Admission's baseline allows them.
 */
export const SAFE_SYSCTLS_ADDED_AFTER_1_24: readonly string[] = [
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
];

/** A sysctl name matches a pattern: the exact name, or `prefix*` (so `*` matches all). */
export function sysctlMatches(name: string, pattern: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/** How PSP classified one sysctl: forbidden patterns first, then the safe set, then allowedUnsafe. */
export type SysctlDecision = 'forbidden' | 'safe' | 'allowed-unsafe' | 'unsafe';

const SAFE = new Set(SAFE_SYSCTLS_1_24);

/**
 * How PSP's sysctl check (`spec.forbiddenSysctls`, `spec.allowedUnsafeSysctls`) judged one sysctl a
 * pod sets: `forbidden` when a forbidden pattern matches (even a safe sysctl), else `safe` for the
 * kubelet's 1.24 safe set ({@link SAFE_SYSCTLS_1_24}), else `allowed-unsafe` when an allowedUnsafe
 * pattern matches, else `unsafe`. Only `forbidden` and `unsafe` reject the pod. Patterns are exact
 * names or `prefix*` ({@link sysctlMatches}).
 */
export function classifySysctl(name: string, forbidden: readonly string[], allowedUnsafe: readonly string[]): SysctlDecision {
  if (forbidden.some((p) => sysctlMatches(name, p))) return 'forbidden';
  if (SAFE.has(name)) return 'safe';
  if (allowedUnsafe.some((p) => sysctlMatches(name, p))) return 'allowed-unsafe';
  return 'unsafe';
}
