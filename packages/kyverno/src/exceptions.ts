/**
 * PolicyExceptions for scopes where a candidate PSP admits every pod unchanged (typically a
 * privileged PSP granted in kube-system): those pods are exempt from every translated policy,
 * rather than every policy carrying their exclusion in its preconditions.
 *
 * Kyverno processes PolicyExceptions only when the feature is on (Helm `features.policyExceptions.
 * enabled=true`, and `features.policyExceptions.namespace` naming the namespace they live in).
 */
import { COMMON_LABELS, VALIDATE_KINDS, type Condition } from './kyverno-shapes.js';
import { dnsLabel } from './names.js';
import { describeGroup, scopeCondition } from './scope.js';
import type { ScopePlan } from './translate.js';
import type { FidelityEntry, KubernetesObject, KyvernoOptions, NameSelectorLike, ScopeGroupLike } from './types.js';

const DEFAULT_EXCEPTION_NAMESPACE = 'kyverno';

function groupLabel(group: ScopeGroupLike): string {
  const part = (s: NameSelectorLike) => (s.op === 'In' ? s.values.join('-') : s.values.length === 0 ? '' : `not-${s.values.join('-')}`);
  const parts = [part(group.namespace), part(group.serviceAccount), part(group.requester)].filter((p) => p !== '');
  return parts.length === 0 ? 'all' : parts.join('-');
}

function ruleNamesOf(policy: KubernetesObject): string[] {
  const spec = policy.spec as { rules?: { name: string }[] } | undefined;
  return (spec?.rules ?? []).map((r) => r.name);
}

/**
 * One PolicyException per decided scope group, naming every emitted policy except those of the
 * deciding PSP itself (which still apply to the group).
 */
export function buildExceptions(plan: ScopePlan, allPolicies: readonly KubernetesObject[], options: KyvernoOptions, report: FidelityEntry[]): KubernetesObject[] {
  const namespace = options.exceptionNamespace ?? DEFAULT_EXCEPTION_NAMESPACE;
  const out: KubernetesObject[] = [];
  for (const { group, decider: admittedBy } of plan.decided) {
    // The decider's own validations keep applying (it is a policy without defaults).
    const policies = allPolicies.filter((p) => p.metadata.annotations?.['psp-translate.io/candidates'] !== admittedBy.name);
    if (policies.length === 0) continue;
    const name = dnsLabel('psp', admittedBy.name, groupLabel(group));
    // The exception selects exactly this group's pods (no "don't care" here).
    const others = plan.all.filter((g) => g !== group);
    const metadata = {
      name,
      namespace,
      labels: { ...COMMON_LABELS },
      annotations: { 'psp-translate.io/admitted-by': admittedBy.name, 'psp-translate.io/scope': describeGroup(group) },
    };
    if (options.api === 'kyverno.io/v1') {
      const resources: Record<string, unknown> = { kinds: [...VALIDATE_KINDS] };
      if (group.namespace.op === 'In') resources.namespaces = [...group.namespace.values];
      const spec: Record<string, unknown> = {
        exceptions: policies.map((p) => ({ policyName: p.metadata.name, ruleNames: ruleNamesOf(p) })),
        match: { any: [{ resources }] },
      };
      const condition = scopeCondition('jmespath', plan.all, [group], []);
      // Namespaces listed in `resources` already narrow the match; the condition states the rest.
      const needsCondition = condition !== undefined && others.length > 0;
      if (needsCondition) spec.conditions = { all: [{ key: `{{ ${condition} }}`, operator: 'Equals', value: true } satisfies Condition] };
      if (needsCondition && condition.includes('request.userInfo')) {
        spec.background = false;
        report.push({ policy: admittedBy.name, control: null, fidelity: 'note', message: `PolicyException ${namespace}/${name} depends on the requesting user, so it does not apply in background scans: existing pods of that scope are reported as violations` });
      }
      out.push({ apiVersion: 'kyverno.io/v2', kind: 'PolicyException', metadata, spec });
    } else {
      const spec: Record<string, unknown> = { policyRefs: policies.map((p) => ({ name: p.metadata.name, kind: p.kind })) };
      const condition = scopeCondition('cel', plan.all, [group], []);
      if (condition !== undefined) spec.matchConditions = [{ name: 'psp-scope', expression: condition }];
      out.push({ apiVersion: 'policies.kyverno.io/v1', kind: 'PolicyException', metadata, spec });
    }
    report.push({
      policy: admittedBy.name,
      control: null,
      fidelity: 'note',
      message: `pods in scope (${describeGroup(group)}) are decided by ${admittedBy.name} alone (it admits every pod the other candidates admit, unchanged): PolicyException ${namespace}/${name} exempts them from the other policies; Kyverno must have PolicyExceptions enabled for namespace ${namespace} (Helm features.policyExceptions.enabled=true, features.policyExceptions.namespace=${namespace}), or translate with exemptions 'preconditions'`,
    });
  }
  return out;
}
