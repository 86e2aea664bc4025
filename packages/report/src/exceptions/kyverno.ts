/**
 * Kyverno PolicyExceptions (`kyverno.io/v2`) for the needs of a chart: one per workload, exempting
 * exactly the Pod Security controls it fails, per container image, field and value.
 */
import type { CheckId } from '@psp-translate/psa';
import type { KubernetesObject } from '@psp-translate/core';
import type { ExceptionNeed, ExceptionWorkload } from './needs.js';
import type { ExceptionsReportEntry } from './exceptions.js';

/** Kyverno's own names of the Pod Security controls (`podSecurity[].controlName`). */
export const KYVERNO_CONTROL_NAMES: Record<CheckId, string> = {
  allowPrivilegeEscalation: 'Privilege Escalation',
  appArmorProfile: 'AppArmor',
  capabilities_baseline: 'Capabilities',
  capabilities_restricted: 'Capabilities',
  hostNamespaces: 'Host Namespaces',
  hostPathVolumes: 'HostPath Volumes',
  hostPorts: 'Host Ports',
  hostProbesAndHostLifecycle: 'Host Probes / Lifecycle Hooks',
  privileged: 'Privileged Containers',
  procMount: '/proc Mount Type',
  procMount_restricted: '/proc Mount Type',
  restrictedVolumes: 'Volume Types',
  runAsNonRoot: 'Running as Non-root',
  runAsUser: 'Running as Non-root user',
  seLinuxOptions: 'SELinux',
  seccompProfile_baseline: 'Seccomp',
  seccompProfile_restricted: 'Seccomp',
  sysctls: 'Sysctls',
  windowsHostProcess: 'HostProcess',
};

/** The policies the exceptions name: Kyverno's sample Pod Security policies (one `podSecurity` rule per level). */
export const KYVERNO_DEFAULT_POLICIES = {
  baseline: { policyName: 'podsecurity-subrule-baseline', ruleName: 'baseline' },
  restricted: { policyName: 'podsecurity-subrule-restricted', ruleName: 'restricted' },
} as const;

/** Which Kyverno policy and rule enforce the baseline in the cluster, and where exceptions live. */
export interface KyvernoExceptionOptions {
  policyName?: string;
  ruleName?: string;
  /** Namespace of the PolicyExceptions; default the workload's namespace. */
  exceptionNamespace?: string;
}

/** `<workload>-pod-security`, cut to a DNS label. */
export function exceptionName(workload: ExceptionWorkload): string {
  const base = `${workload.name}-pod-security`;
  return base.length <= 63 ? base : `${base.slice(0, 63).replace(/-+$/, '')}`;
}

/** The PolicyExceptions for `needs`, grouped by workload, in workload order. */
export function kyvernoExceptions(needs: readonly ExceptionNeed[], level: 'baseline' | 'restricted', options: KyvernoExceptionOptions): { objects: KubernetesObject[]; report: ExceptionsReportEntry[] } {
  const policyName = options.policyName ?? KYVERNO_DEFAULT_POLICIES[level].policyName;
  const ruleName = options.ruleName ?? KYVERNO_DEFAULT_POLICIES[level].ruleName;
  const byWorkload = new Map<string, { workload: ExceptionWorkload; needs: ExceptionNeed[] }>();
  for (const need of needs) {
    const key = `${need.workload.namespace}/${need.workload.kind}/${need.workload.name}`;
    const entry = byWorkload.get(key) ?? { workload: need.workload, needs: [] };
    entry.needs.push(need);
    byWorkload.set(key, entry);
  }
  const report: ExceptionsReportEntry[] = [
    {
      target: 'kyverno',
      fidelity: 'note',
      message: `PolicyExceptions name policy ${policyName}, rules ${ruleName} and its autogen rules; Kyverno must allow PolicyExceptions in the exceptions' namespace (Helm features.policyExceptions), and matches podSecurity exemptions by container image, not container name`,
    },
  ];
  if (needs.some((n) => n.values.includes('undefined') || (n.values.length === 0 && n.wholeCheck !== true))) {
    report.push({
      target: 'kyverno',
      fidelity: 'approximate',
      message: 'some exemptions are for a field the workload leaves unset or empty (value "undefined", or values []): Kyverno may not match an unset field by value; better set the field in the chart (allowPrivilegeEscalation: false, capabilities.drop: [ALL], seccompProfile RuntimeDefault) than ship these',
    });
  }
  const objects = [...byWorkload.values()].map(({ workload, needs: mine }): KubernetesObject => ({
    apiVersion: 'kyverno.io/v2',
    kind: 'PolicyException',
    metadata: { name: exceptionName(workload), namespace: options.exceptionNamespace ?? workload.namespace, labels: { 'app.kubernetes.io/managed-by': 'psp-translate' } },
    spec: {
      exceptions: [{ policyName, ruleNames: [ruleName, `autogen-${ruleName}`, `autogen-cronjob-${ruleName}`] }],
      match: { any: [{ resources: { kinds: [...new Set(['Pod', workload.kind])], namespaces: [workload.namespace], names: [workload.name, `${workload.name}-*`] } }] },
      podSecurity: mine.map((need) => ({
        controlName: KYVERNO_CONTROL_NAMES[need.check],
        ...(need.container === null || need.container.image === '' ? {} : { images: [need.container.image] }),
        ...(need.wholeCheck ? {} : { restrictedField: need.field, values: need.values }),
      })),
    },
  }));
  return { objects, report };
}
