import type { Check } from './check.js';
import { v1 } from './check.js';
import { ALLOWED, forbidden, type CheckPodFn } from './helpers.js';

// "Safe" sysctls: namespaced per pod and isolated from other pods. The list grows with the version.
const SAFE_1_0 = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start'];
const SAFE_1_27 = [...SAFE_1_0, 'net.ipv4.ip_local_reserved_ports'];
const SAFE_1_29 = [...SAFE_1_27, 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'];
const SAFE_1_32 = [...SAFE_1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];
const SAFE_1_37 = [...SAFE_1_32, 'net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'];

const SAFE_BY_VERSION: readonly (readonly [number, readonly string[]])[] = [
  [37, SAFE_1_37],
  [32, SAFE_1_32],
  [29, SAFE_1_29],
  [27, SAFE_1_27],
  [0, SAFE_1_0],
];

/** The sysctls baseline allows at policy version `v1.<minor>`. */
export function baselineSysctls(minor: number): readonly string[] {
  for (const [from, names] of SAFE_BY_VERSION) if (minor >= from) return names;
  return SAFE_1_0;
}

function sysctlsCheckFor(safe: readonly string[]): CheckPodFn {
  const allowed: ReadonlySet<string> = new Set(safe);
  return (_meta, spec) => {
    const bad: string[] = [];
    for (const sysctl of spec.securityContext?.sysctls ?? []) {
      const name = typeof sysctl?.name === 'string' ? sysctl.name : '';
      if (!allowed.has(name)) bad.push(name);
    }
    if (bad.length === 0) return ALLOWED;
    return forbidden('forbidden sysctls', bad.join(', '));
  };
}

/** Baseline: only the safe sysctls of the policy version (v1.0, extended in v1.27, v1.29, v1.32, v1.37). */
export const sysctlsCheck: Check = {
  id: 'sysctls',
  level: 'baseline',
  versions: [
    { minVersion: v1(0), evaluate: sysctlsCheckFor(SAFE_1_0) },
    { minVersion: v1(27), evaluate: sysctlsCheckFor(SAFE_1_27) },
    { minVersion: v1(29), evaluate: sysctlsCheckFor(SAFE_1_29) },
    { minVersion: v1(32), evaluate: sysctlsCheckFor(SAFE_1_32) },
    { minVersion: v1(37), evaluate: sysctlsCheckFor(SAFE_1_37) },
  ],
};
