import type { SELinuxOptions } from '@psp-translate/core';
import type { Check } from './check.js';
import { v1 } from './check.js';
import { ALLOWED, containersPhrase, forbidden, joinQuote, pluralize, sortedUnique, visitContainers, type CheckPodFn } from './helpers.js';

const ALLOWED_TYPES_1_0: ReadonlySet<string> = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const ALLOWED_TYPES_1_31: ReadonlySet<string> = new Set([...ALLOWED_TYPES_1_0, 'container_engine_t']);

/** The SELinux types baseline allows at policy version `v1.<minor>` (`''` = unset). */
export function baselineSeLinuxTypes(minor: number): ReadonlySet<string> {
  return minor >= 31 ? ALLOWED_TYPES_1_31 : ALLOWED_TYPES_1_0;
}

function seLinuxOptionsCheckFor(allowedTypes: ReadonlySet<string>): CheckPodFn {
  return (_meta, spec) => {
    const badTypes: string[] = [];
    let setUser = false;
    let setRole = false;
    const valid = (opts: SELinuxOptions): boolean => {
      let ok = true;
      const type = typeof opts.type === 'string' ? opts.type : '';
      if (!allowedTypes.has(type)) {
        ok = false;
        badTypes.push(type);
      }
      if (typeof opts.user === 'string' && opts.user.length > 0) {
        ok = false;
        setUser = true;
      }
      if (typeof opts.role === 'string' && opts.role.length > 0) {
        ok = false;
        setRole = true;
      }
      return ok;
    };
    const setters: string[] = [];
    const podOptions = spec.securityContext?.seLinuxOptions;
    if (podOptions != null && !valid(podOptions)) setters.push('pod');
    const bad: string[] = [];
    visitContainers(spec, (c) => {
      const options = c.securityContext?.seLinuxOptions;
      if (options != null && !valid(options)) bad.push(c.name);
    });
    if (bad.length > 0) setters.push(containersPhrase(bad));
    if (setters.length === 0) return ALLOWED;
    const problems: string[] = [];
    if (badTypes.length > 0) {
      const types = sortedUnique(badTypes);
      problems.push(`${pluralize('type', 'types', types.length)} ${joinQuote(types)}`);
    }
    if (setUser) problems.push('user may not be set');
    if (setRole) problems.push('role may not be set');
    return forbidden(
      'seLinuxOptions',
      `${setters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${problems.join('; ')}`,
    );
  };
}

/** Baseline: SELinux type only from the container types, no custom user or role (v1.0+; container_engine_t from v1.31). */
export const seLinuxOptionsCheck: Check = {
  id: 'seLinuxOptions',
  level: 'baseline',
  versions: [
    { minVersion: v1(0), evaluate: seLinuxOptionsCheckFor(ALLOWED_TYPES_1_0) },
    { minVersion: v1(31), evaluate: seLinuxOptionsCheckFor(ALLOWED_TYPES_1_31) },
  ],
};
