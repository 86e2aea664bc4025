import { describe, expect, it } from 'vitest';
import type { Pod } from '@psp-translate/core';
import { DEFAULT_NAMESPACE_POLICY, evaluateNamespacePolicy, namespaceLabels, parseNamespacePolicy } from '@psp-translate/psa';

const ns = (labels: Record<string, string>) => ({ metadata: { name: 'team-a', labels } });
const P = 'pod-security.kubernetes.io/';

describe('namespaceLabels', () => {
  it('writes level and version for each requested mode', () => {
    expect(namespaceLabels('restricted', { major: 1, minor: 25 }, ['enforce'])).toEqual({
      [`${P}enforce`]: 'restricted',
      [`${P}enforce-version`]: 'v1.25',
    });
    expect(Object.entries(namespaceLabels('baseline', 'latest'))).toEqual([
      [`${P}enforce`, 'baseline'],
      [`${P}enforce-version`, 'latest'],
      [`${P}audit`, 'baseline'],
      [`${P}audit-version`, 'latest'],
      [`${P}warn`, 'baseline'],
      [`${P}warn-version`, 'latest'],
    ]);
  });

  it('round-trips through parseNamespacePolicy', () => {
    const labels = namespaceLabels('restricted', { major: 1, minor: 30 });
    expect(parseNamespacePolicy(ns(labels))).toEqual({
      policy: {
        enforce: { level: 'restricted', version: { major: 1, minor: 30 } },
        audit: { level: 'restricted', version: { major: 1, minor: 30 } },
        warn: { level: 'restricted', version: { major: 1, minor: 30 } },
      },
      errors: [],
    });
  });

  it('refuses invalid input instead of writing labels the API server would reject', () => {
    expect(() => namespaceLabels('strict' as never, 'latest')).toThrow(/must be one of privileged, baseline, restricted/);
    expect(() => namespaceLabels('baseline', { major: 1, minor: -2 })).toThrow(/must be "latest" or "v1.x"/);
    expect(() => namespaceLabels('baseline', 'latest', ['deny' as never])).toThrow(/must be one of enforce, audit, warn/);
  });
});

describe('parseNamespacePolicy', () => {
  it('defaults to privileged/latest when unset, or to the cluster defaults given', () => {
    expect(parseNamespacePolicy({ metadata: {} })).toEqual({ policy: DEFAULT_NAMESPACE_POLICY, errors: [] });
    const baseline = { level: 'baseline', version: { major: 1, minor: 25 } } as const;
    const defaults = { enforce: baseline, audit: baseline, warn: baseline };
    expect(parseNamespacePolicy(ns({ [`${P}audit`]: 'restricted' }), defaults).policy).toEqual({
      enforce: baseline,
      audit: { level: 'restricted', version: { major: 1, minor: 25 } },
      warn: baseline,
    });
  });

  it('makes warn follow a stricter enforce unless warn is set', () => {
    expect(parseNamespacePolicy(ns({ [`${P}enforce`]: 'baseline', [`${P}enforce-version`]: 'v1.23' })).policy.warn).toEqual({
      level: 'baseline',
      version: { major: 1, minor: 23 },
    });
    expect(parseNamespacePolicy(ns({ [`${P}enforce`]: 'baseline', [`${P}warn`]: 'privileged' })).policy.warn.level).toBe('privileged');
    expect(
      parseNamespacePolicy(ns({ [`${P}enforce`]: 'restricted', [`${P}enforce-version`]: 'v1.23', [`${P}warn-version`]: 'v1.30' })).policy.warn,
    ).toEqual({ level: 'restricted', version: { major: 1, minor: 30 } });
  });

  it('reports invalid values, failing closed for enforce and open for audit and warn', () => {
    const parsed = parseNamespacePolicy(
      ns({ [`${P}enforce`]: 'strict', [`${P}audit`]: 'loud', [`${P}warn-version`]: '1.25', [`${P}enforce-version`]: 'v1.25' }),
    );
    expect(parsed.policy).toEqual({
      enforce: { level: 'restricted', version: { major: 1, minor: 25 } },
      audit: { level: 'privileged', version: 'latest' },
      warn: { level: 'privileged', version: 'latest' },
    });
    expect(parsed.errors.map((e) => e.message)).toEqual([
      'namespace "team-a": label pod-security.kubernetes.io/enforce: invalid Pod Security level "strict": must be one of privileged, baseline, restricted',
      'namespace "team-a": label pod-security.kubernetes.io/audit: invalid Pod Security level "loud": must be one of privileged, baseline, restricted',
      'namespace "team-a": label pod-security.kubernetes.io/warn-version: invalid Pod Security version "1.25": must be "latest" or "v1.x" (for example v1.25)',
    ]);
  });
});

describe('evaluateNamespacePolicy', () => {
  const hostNetworkPod: Pod = {
    metadata: { name: 'p' },
    spec: { hostNetwork: true, containers: [{ name: 'a', image: 'x' }] },
  };
  const plainPod: Pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'x' }] } };

  it('denies at the enforce level with the API server wording and no warnings', () => {
    const decision = evaluateNamespacePolicy(hostNetworkPod, { [`${P}enforce`]: 'baseline', [`${P}audit`]: 'baseline' });
    expect(decision.admitted).toBe(false);
    expect(decision.reasons).toEqual(['host namespaces (hostNetwork=true)']);
    expect(decision.denial).toBe('violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true)');
    expect(decision.warnings).toEqual([]);
    expect(decision.auditViolation).toBe('would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)');
  });

  it('admits and warns or audits at the stricter modes', () => {
    const decision = evaluateNamespacePolicy(plainPod, {
      enforce: { level: 'baseline', version: 'latest' },
      audit: { level: 'privileged', version: 'latest' },
      warn: { level: 'restricted', version: { major: 1, minor: 23 } },
    });
    expect(decision.admitted).toBe(true);
    expect(decision.denial).toBe('');
    expect(decision.auditViolation).toBe('');
    expect(decision.warnings).toEqual([
      'would violate PodSecurity "restricted:v1.23": allowPrivilegeEscalation != false (container "a" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (container "a" must set securityContext.capabilities.drop=["ALL"]), ' +
        'runAsNonRoot != true (pod or container "a" must set securityContext.runAsNonRoot=true), ' +
        'seccompProfile (pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ]);
  });

  it('admits anything in an unlabelled namespace and passes label errors on', () => {
    expect(evaluateNamespacePolicy(hostNetworkPod, {})).toMatchObject({ admitted: true, warnings: [], auditViolation: '', labelErrors: [] });
    const decision = evaluateNamespacePolicy(plainPod, { [`${P}enforce`]: 'bogus' });
    expect(decision.admitted).toBe(false);
    expect(decision.denial).toMatch(/^violates PodSecurity "restricted:latest": /);
    expect(decision.labelErrors).toHaveLength(1);
  });
});
