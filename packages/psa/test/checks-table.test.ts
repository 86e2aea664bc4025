import { describe, expect, it } from 'vitest';
import { checks, checksFor, LATEST_VERSION, type PsaVersion } from '@psp-translate/psa';

const v = (minor: number): PsaVersion => ({ major: 1, minor });
const ids = (level: 'baseline' | 'restricted', version: PsaVersion) => checksFor(level, version).map((c) => c.id);

describe('the check table', () => {
  it('has unique IDs and strictly increasing versions within v1.0 .. LATEST_VERSION', () => {
    expect(new Set(checks.map((c) => c.id)).size).toBe(checks.length);
    for (const check of checks) {
      const minors = check.versions.map((r) => r.minVersion.minor);
      expect(minors.length, check.id).toBeGreaterThan(0);
      expect([...minors].sort((a, b) => a - b), check.id).toEqual(minors);
      expect(new Set(minors).size, check.id).toBe(minors.length);
      expect(Math.max(...minors), check.id).toBeLessThanOrEqual(LATEST_VERSION.minor);
    }
    expect(Math.max(...checks.flatMap((c) => c.versions.map((r) => r.minVersion.minor)))).toBe(LATEST_VERSION.minor);
  });

  it('lets only restricted checks override, and only baseline checks', () => {
    const levelOf = new Map(checks.map((c) => [c.id, c.level]));
    for (const check of checks) {
      for (const id of check.overrides ?? []) {
        expect(check.level, `${check.id} overrides ${id}`).toBe('restricted');
        expect(levelOf.get(id), `${check.id} overrides ${id}`).toBe('baseline');
      }
    }
  });
});

describe('checksFor', () => {
  it('has nothing at privileged', () => {
    expect(checksFor('privileged', 'latest')).toEqual([]);
  });

  it('runs baseline checks in sorted ID order, adding hostProbesAndHostLifecycle at v1.34', () => {
    const v133 = ids('baseline', v(33));
    expect(v133).toEqual([
      'appArmorProfile',
      'capabilities_baseline',
      'hostNamespaces',
      'hostPathVolumes',
      'hostPorts',
      'privileged',
      'procMount',
      'seLinuxOptions',
      'seccompProfile_baseline',
      'sysctls',
      'windowsHostProcess',
    ]);
    expect(ids('baseline', v(34))).toEqual([...v133.slice(0, 5), 'hostProbesAndHostLifecycle', ...v133.slice(5)]);
  });

  it('replaces baseline checks with the restricted ones that override them, from the version they appear', () => {
    expect(ids('restricted', v(0))).toEqual([
      'appArmorProfile',
      'capabilities_baseline',
      'hostNamespaces',
      'hostPorts',
      'privileged',
      'procMount',
      'seLinuxOptions',
      'seccompProfile_baseline',
      'sysctls',
      'windowsHostProcess',
      'restrictedVolumes',
      'runAsNonRoot',
    ]);
    expect(ids('restricted', v(8))).toContain('allowPrivilegeEscalation');
    expect(ids('restricted', v(18))).toContain('seccompProfile_baseline');
    expect(ids('restricted', v(19))).not.toContain('seccompProfile_baseline');
    expect(ids('restricted', v(19))).toContain('seccompProfile_restricted');
    expect(ids('restricted', v(21))).toContain('capabilities_baseline');
    expect(ids('restricted', v(22))).not.toContain('capabilities_baseline');
    expect(ids('restricted', v(22))).toContain('runAsNonRoot');
    expect(ids('restricted', v(22))).not.toContain('runAsUser');
    expect(ids('restricted', v(23))).toContain('runAsUser');
    expect(ids('restricted', v(34))).toContain('procMount');
    expect(ids('restricted', v(35))).not.toContain('procMount');
    expect(ids('restricted', v(35))).toContain('procMount_restricted');
  });

  it('picks the revision in force and treats newer versions as latest', () => {
    const sysctls = (version: PsaVersion) => checksFor('baseline', version).find((c) => c.id === 'sysctls')?.minVersion.minor;
    expect([0, 26, 27, 28, 29, 31, 32, 36, 37].map((m) => sysctls(v(m)))).toEqual([0, 0, 27, 27, 29, 29, 32, 32, 37]);
    expect(checksFor('restricted', v(99))).toBe(checksFor('restricted', 'latest'));
  });

  it('rejects versions that do not exist', () => {
    expect(() => checksFor('baseline', v(-1))).toThrow(/minor version must be a whole number/);
    expect(() => checksFor('baseline', v(1.5))).toThrow(/minor version must be a whole number/);
  });
});
