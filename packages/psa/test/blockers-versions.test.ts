/**
 * assessPolicy decides an analysis that declares no version parameter once per policy instead of at
 * every version: so an analysis whose finding changes with the version must declare it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAnalyses, type CheckAnalysis } from '../src/assessment/blockers.js';
import { policyFacts } from '../src/assessment/facts.js';
import { CORPUS, corpusPresent, policiesFromYaml, TIGHT_BASELINE } from './support.js';

/** container_engine_t joined the baseline SELinux types in v1.31. */
const SELINUX_INIT_TYPE = `
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: { name: init-type }
spec:
  seLinux: { rule: MustRunAs, seLinuxOptions: { type: container_engine_t } }
  runAsUser: { rule: RunAsAny }
  supplementalGroups: { rule: RunAsAny }
  fsGroup: { rule: RunAsAny }
`;

const MINORS = Array.from({ length: 40 }, (_, minor) => minor);

describe('check analyses and versions', () => {
  if (!corpusPresent) console.warn(`psa: corpus not found at ${CORPUS}; the version test uses the inline policy only`);
  const texts = [TIGHT_BASELINE, SELINUX_INIT_TYPE, ...(corpusPresent ? readdirSync(join(CORPUS, 'psp')).filter((f) => /\.ya?ml$/.test(f)).map((f) => readFileSync(join(CORPUS, 'psp', f), 'utf8')) : [])];
  const facts = texts.flatMap((text, i) => policiesFromYaml(text, `policy-${i}.yaml`)).map(policyFacts);

  it('an analysis whose finding differs between versions takes the version', () => {
    const versionDependent = new Set<string>();
    for (const [id, analysis] of Object.entries(checkAnalyses) as [string, CheckAnalysis][]) {
      for (const f of facts) {
        const first = JSON.stringify(analysis(f, 0));
        if (MINORS.some((minor) => JSON.stringify(analysis(f, minor)) !== first)) versionDependent.add(id);
      }
      if (versionDependent.has(id)) expect(analysis.length, `${id} changes with the version`).toBeGreaterThanOrEqual(2);
    }
    expect(versionDependent).toContain('seLinuxOptions');
    // The corpus has policies whose sysctl findings change with the version.
    if (corpusPresent) expect([...versionDependent].sort()).toEqual(['seLinuxOptions', 'sysctls']);
  });
});
