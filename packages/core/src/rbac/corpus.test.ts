import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type InputSet, parseInputs } from '../parse/index.js';
import { CONTROLLER_IDENTITIES, controllerRequester } from './identities.js';
import { policyAccess } from './policy-access.js';
import { buildRbacIndex, type RbacIndex } from './rbac-index.js';
import { candidatesFor, scopeGroupFor, scopeGroups } from './scope-groups.js';
import type { RbacInput } from './types.js';

// The corpus lives beside the repository: <repo>/../shared/corpus.
const corpusDir = fileURLToPath(new URL('../../../../../shared/corpus/psp/', import.meta.url));
const corpusPresent = existsSync(corpusDir);
if (!corpusPresent) console.warn(`SKIPPED: RBAC corpus tests, ${corpusDir} is absent.`);

// Compile-time check: the parser's RBAC output is what the index takes.
const _rbacInputFits = (set: InputSet): RbacInput => set.rbac;
void _rbacInputFits;

function load(file: string, defaultNamespace?: string): { set: InputSet; index: RbacIndex } {
  const set = parseInputs([{ path: file, text: readFileSync(corpusDir + file, 'utf8') }], defaultNamespace ? { defaultNamespace } : {});
  return { set, index: buildRbacIndex(set.rbac, { policies: set.policies }) };
}
const strip = <T extends { grantedBy: string[] }>(items: T[]) => items.map(({ grantedBy: _, ...rest }) => rest);

describe.skipIf(!corpusPresent)('RBAC of the real PSP corpus', () => {
  const files = corpusPresent ? readdirSync(corpusDir).filter((f) => f.endsWith('.yaml')).sort() : [];

  it('holds 48 PSP files', () => {
    expect(files).toHaveLength(48);
  });

  it('every file: the PSP is unused exactly when the file has no binding, and scope groups agree with candidatesFor', () => {
    const unused: string[] = [];
    const mismatches: string[] = [];
    for (const file of files) {
      const { set, index } = load(file);
      const [access] = policyAccess(set.policies, index);
      const hasBindings = set.rbac.roleBindings.length + set.rbac.clusterRoleBindings.length > 0;
      expect(access!.unused, file).toBe(!hasBindings);
      if (access!.unused) unused.push(file);
      // Only RoleBindings without metadata.namespace may draw index warnings from the corpus.
      for (const warning of index.warnings) expect(warning, file).toMatch(/^RoleBinding\/.* names no namespace; assuming default\./);

      const groups = scopeGroups(index, set.policies);
      const namespaces = new Set(['default', 'unmentioned', ...access!.scopes.map((s) => s.namespace).filter((n) => n !== '*')]);
      const serviceAccounts = new Set(['default', 'unmentioned', ...access!.scopes.map((s) => s.serviceAccount).filter((n) => n !== '*')]);
      for (const namespace of namespaces) {
        for (const serviceAccount of serviceAccounts) {
          for (const requester of [undefined, ...CONTROLLER_IDENTITIES.map((c) => controllerRequester(c.workloadKinds[0]!)!)]) {
            const pod = { namespace, serviceAccount, ...(requester ? { requester } : {}) };
            const grouped = scopeGroupFor(groups, pod).candidates.join(',');
            const direct = candidatesFor(index, set.policies, pod).join(',');
            if (grouped !== direct) mismatches.push(`${file} ${JSON.stringify(pod)}: group [${grouped}], candidatesFor [${direct}]`);
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    // The six files the corpus README lists without RBAC.
    expect(unused).toEqual([
      'kubernetes-docs-baseline.yaml',
      'kubernetes-docs-example.yaml',
      'kubernetes-docs-privileged.yaml',
      'kubernetes-docs-restricted.yaml',
      'rke2-global-restricted-psp.yaml',
      'rke2-system-unrestricted-psp.yaml',
    ]);
  });

  it('GCE privileged: kube-system service accounts via RoleBindings, plus nodes and the kubelet as requesters', () => {
    const { set, index } = load('kubernetes-gce.privileged.yaml');
    const [access] = policyAccess(set.policies, index);
    expect(access!.policy).toBe('gce.privileged');
    expect(strip(access!.scopes)).toEqual([
      { namespace: 'kube-system', serviceAccount: 'calico', via: 'serviceAccount' },
      { namespace: 'kube-system', serviceAccount: 'kube-proxy', via: 'serviceAccount' },
      { namespace: 'kube-system', serviceAccount: 'metadata-proxy', via: 'serviceAccount' },
    ]);
    expect(access!.scopes[1]!.grantedBy).toEqual([
      expect.stringMatching(/^RoleBinding\/gce:podsecuritypolicy:kube-proxy \(namespace kube-system, kubernetes-gce\.privileged\.yaml:\d+\) -> ClusterRole\/gce:podsecuritypolicy:privileged \(kubernetes-gce\.privileged\.yaml:\d+\)$/),
    ]);
    expect(strip(access!.userGrants)).toEqual([{ user: 'kubelet', namespace: 'kube-system' }]);
    expect(strip(access!.groupGrants)).toEqual([{ group: 'system:nodes', namespace: 'kube-system' }]);
    expect(access!.warnings).toEqual([]);

    const groups = scopeGroups(index, set.policies);
    const deployment = controllerRequester('Deployment')!;
    expect(scopeGroupFor(groups, { namespace: 'kube-system', serviceAccount: 'kube-proxy', requester: deployment }).candidates).toEqual(['gce.privileged']);
    expect(scopeGroupFor(groups, { namespace: 'kube-system', serviceAccount: 'default', requester: deployment }).candidates).toEqual([]);
    expect(scopeGroupFor(groups, { namespace: 'default', serviceAccount: 'kube-proxy' }).candidates).toEqual([]);
    // Static pods: the kubelet as requester gets the PSP in kube-system only.
    const kubelet = { user: 'kubelet', groups: ['system:nodes', 'system:authenticated'] };
    expect(candidatesFor(index, set.policies, { namespace: 'kube-system', serviceAccount: 'default', requester: kubelet })).toEqual(['gce.privileged']);
    expect(candidatesFor(index, set.policies, { namespace: 'default', serviceAccount: 'default', requester: kubelet })).toEqual([]);
  });

  it('kubespray restricted: granted to system:authenticated, so every pod, with a warning', () => {
    const { set, index } = load('kubespray-restricted.yaml');
    const [access] = policyAccess(set.policies, index);
    expect(strip(access!.scopes)).toEqual([{ namespace: '*', serviceAccount: '*', via: 'serviceAccount' }]);
    expect(access!.warnings).toEqual([expect.stringMatching(/Group system:authenticated by ClusterRoleBinding\/psp:any:restricted .*every user and every pod in every namespace/)]);
    expect(scopeGroups(index, set.policies)).toEqual([
      { namespace: { op: 'NotIn', values: [] }, serviceAccount: { op: 'NotIn', values: [] }, requester: { op: 'NotIn', values: [] }, requesterWorkloadKinds: [], candidates: ['restricted'] },
    ]);
  });

  it('kubespray privileged: every service account of kube-system, masters and nodes as requesters', () => {
    const { set, index } = load('kubespray-privileged.yaml');
    const [access] = policyAccess(set.policies, index);
    expect(strip(access!.scopes)).toEqual([{ namespace: 'kube-system', serviceAccount: '*', via: 'serviceAccount' }]);
    expect(access!.groupGrants.map((g) => g.group)).toEqual(['system:masters', 'system:nodes']);
    expect(access!.warnings).toEqual([]);
  });

  it('AWS calico: a namespace-less RoleBinding grants in the namespace it is applied to', () => {
    const asWritten = load('aws-calico-calico-node.yaml');
    const [misplaced] = policyAccess(asWritten.set.policies, asWritten.index);
    expect(misplaced!.scopes).toEqual([]);
    expect(asWritten.index.warnings).toEqual([expect.stringMatching(/RoleBinding\/calico-node-psp .*names no namespace; assuming default/)]);
    expect(misplaced!.warnings[0]).toMatch(/ServiceAccount kube-system\/calico-node .*Put the RoleBinding in namespace kube-system/);

    // Installed as the chart's docs say, with the release namespace kube-system.
    const installed = load('aws-calico-calico-node.yaml', 'kube-system');
    const [access] = policyAccess(installed.set.policies, installed.index);
    expect(strip(access!.scopes)).toEqual([{ namespace: 'kube-system', serviceAccount: 'calico-node', via: 'serviceAccount' }]);
    expect(access!.warnings).toEqual([]);
    expect(installed.index.warnings).toEqual([]);
  });
});
