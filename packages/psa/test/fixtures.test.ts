/**
 * Agreement with the official Pod Security Admission fixtures
 * (kubernetes/pod-security-admission test/testdata, copied to ../shared/corpus/psa-fixtures).
 *
 * The corpus keeps only the versions where a level's fixtures change; any version left out is
 * byte-identical to the nearest lower one, so each fixture directory is also judged at every
 * version it stands for (and the newest at `latest`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Container, Pod } from '@psp-translate/core';
import { checks, evaluatePod, LATEST_VERSION, type PodEvaluation, type PsaVersion } from '@psp-translate/psa';

const FIXTURES = fileURLToPath(new URL('../../../../shared/corpus/psa-fixtures', import.meta.url));
const present = existsSync(FIXTURES);
if (!present) console.warn(`PSA fixtures not found at ${FIXTURES}: skipping the fixture agreement tests.`);

type FixtureLevel = 'baseline' | 'restricted';

interface Fixture {
  readonly level: FixtureLevel;
  readonly dir: string;
  readonly file: string;
  readonly expectAllowed: boolean;
  /** The check the fixture exercises, lower-cased as in its file name (`seccompprofile_restricted`), or undefined for `base*`. */
  readonly checkId: string | undefined;
  readonly pod: Pod;
  /** The versions this fixture directory stands for. */
  readonly versions: readonly PsaVersion[];
}

// At restricted, a baseline fixture may be rejected by the restricted check that overrides it
// (hostPathVolumes by restrictedVolumes, ...): either ID names the right violation.
const ACCEPTED_IDS = new Map<string, readonly string[]>(
  checks.map((c) => [
    c.id.toLowerCase(),
    [c.id, ...checks.filter((o) => o.overrides?.includes(c.id)).map((o) => o.id)].map((id) => id.toLowerCase()),
  ]),
);

function versionLabel(version: PsaVersion): string {
  return version === 'latest' ? 'latest' : `v1.${version.minor}`;
}

function loadFixtures(): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const level of ['baseline', 'restricted'] as const) {
    const dirs = readdirSync(join(FIXTURES, level))
      .map((dir) => ({ dir, minor: Number(/^v1\.(\d+)$/.exec(dir)?.[1] ?? Number.NaN) }))
      .filter((d) => Number.isInteger(d.minor))
      .sort((a, b) => a.minor - b.minor);
    dirs.forEach(({ dir, minor }, index) => {
      const next = dirs[index + 1]?.minor ?? LATEST_VERSION.minor + 1;
      const versions: PsaVersion[] = [];
      for (let m = minor; m < next; m++) versions.push({ major: 1, minor: m });
      if (index === dirs.length - 1) versions.push('latest');
      for (const outcome of ['pass', 'fail'] as const) {
        const folder = join(FIXTURES, level, dir, outcome);
        if (!existsSync(folder)) continue;
        for (const file of readdirSync(folder).filter((f) => f.endsWith('.yaml')).sort()) {
          const stem = file.replace(/\.yaml$/, '');
          const pod = parse(readFileSync(join(folder, file), 'utf8'), { version: '1.1' }) as Pod;
          fixtures.push({
            level,
            dir,
            file: `${level}/${dir}/${outcome}/${file}`,
            expectAllowed: outcome === 'pass',
            checkId: stem.startsWith('base') ? undefined : stem.replace(/\d+$/, ''),
            pod,
            versions,
          });
        }
      }
    });
  }
  return fixtures;
}

/** Why `evaluation` disagrees with what the fixture expects, or undefined when it agrees. */
function disagreement(fixture: Fixture, evaluation: PodEvaluation): string | undefined {
  if (fixture.expectAllowed) return evaluation.allowed ? undefined : `expected allowed, got: ${evaluation.message}`;
  if (evaluation.allowed) return 'expected forbidden, got allowed';
  const failed = evaluation.results.filter((r) => !r.allowed).map((r) => r.id.toLowerCase());
  const accepted = fixture.checkId === undefined ? undefined : (ACCEPTED_IDS.get(fixture.checkId) ?? [fixture.checkId]);
  if (accepted !== undefined && !failed.some((id) => accepted.includes(id))) {
    return `forbidden, but not by ${fixture.checkId}: ${evaluation.message}`;
  }
  return undefined;
}

/** The pod with one container moved from `from` into ephemeralContainers (shallow copies only). */
function moveToEphemeral(pod: Pod, from: 'containers' | 'initContainers', index: number): Pod {
  const list = pod.spec[from] ?? [];
  const moved = list[index] as Container;
  return {
    ...pod,
    spec: {
      ...pod.spec,
      [from]: list.filter((_, i) => i !== index),
      ephemeralContainers: [...(pod.spec.ephemeralContainers ?? []), moved],
    },
  };
}

describe.skipIf(!present)('official PSA fixtures', () => {
  const fixtures = present ? loadFixtures() : [];

  it('every fixture agrees at its level and at every version it stands for', () => {
    const disagreements: string[] = [];
    let total = 0;
    for (const fixture of fixtures) {
      for (const version of fixture.versions) {
        total++;
        const why = disagreement(fixture, evaluatePod(fixture.pod, fixture.level, version));
        if (why !== undefined) disagreements.push(`${fixture.file} at ${fixture.level}:${versionLabel(version)}: ${why}`);
      }
    }
    console.log(`PSA fixtures: ${total - disagreements.length} agree of ${total}`);
    expect(fixtures.length).toBeGreaterThan(1000);
    expect(disagreements).toEqual([]);
  });

  it('failing pods still fail when a container is moved into ephemeralContainers', () => {
    const disagreements: string[] = [];
    let variants = 0;
    // Variants whose only violation is in the ephemeral container: these fail only if ephemeral containers are checked.
    let onlyEphemeral = 0;
    for (const fixture of fixtures.filter((f) => !f.expectAllowed)) {
      const version = fixture.versions[0] as PsaVersion;
      for (const from of ['initContainers', 'containers'] as const) {
        const count = fixture.pod.spec[from]?.length ?? 0;
        for (let i = 0; i < count; i++) {
          const variant = moveToEphemeral(fixture.pod, from, i);
          variants++;
          const why = disagreement(fixture, evaluatePod(variant, fixture.level, version));
          if (why !== undefined) {
            disagreements.push(`${fixture.file} with ${from}[${i}] moved to ephemeralContainers at ${versionLabel(version)}: ${why}`);
          }
          const withoutEphemeral = { ...variant, spec: { ...variant.spec, ephemeralContainers: [] } };
          if (evaluatePod(withoutEphemeral, fixture.level, version).allowed) onlyEphemeral++;
        }
      }
    }
    console.log(`PSA ephemeral variants: ${variants - disagreements.length} agree of ${variants} (${onlyEphemeral} violate only in ephemeralContainers)`);
    expect(onlyEphemeral).toBeGreaterThan(100);
    expect(disagreements).toEqual([]);
  });

  it('passing pods still pass with copies of their containers in ephemeralContainers', () => {
    const disagreements: string[] = [];
    for (const fixture of fixtures.filter((f) => f.expectAllowed)) {
      const { spec } = fixture.pod;
      const copies = [...(spec.initContainers ?? []), ...spec.containers];
      const variant: Pod = { ...fixture.pod, spec: { ...spec, ephemeralContainers: copies } };
      for (const version of fixture.versions) {
        const evaluation = evaluatePod(variant, fixture.level, version);
        if (!evaluation.allowed) disagreements.push(`${fixture.file} at ${versionLabel(version)}: ${evaluation.message}`);
      }
    }
    expect(disagreements).toEqual([]);
  });
});
