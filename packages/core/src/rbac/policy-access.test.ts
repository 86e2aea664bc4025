import { describe, expect, it } from 'vitest';
import {
  clusterRole,
  clusterRoleBinding,
  group,
  psps,
  rbacInput,
  role,
  roleBinding,
  sa,
  useRule,
  user,
} from './__fixtures__/rbac-objects.js';
import { normaliseScopes, policyAccess, type PolicyScope } from './policy-access.js';
import { buildRbacIndex } from './rbac-index.js';

const access = (...args: Parameters<typeof rbacInput>) => {
  const input = rbacInput(...args);
  return (names: string[]) => policyAccess(psps(...names), buildRbacIndex(input, { policies: psps(...names) }));
};
const strip = (scopes: PolicyScope[]) => scopes.map(({ grantedBy: _, ...rest }) => rest);

describe('policyAccess', () => {
  it('service-account grants become scopes with their bindings', () => {
    const [result] = access(
      clusterRole('psp-a', [useRule('a')]),
      roleBinding('team', 'rb', { kind: 'ClusterRole', name: 'psp-a' }, [sa('team', 'app'), sa(undefined, 'worker')]),
      clusterRoleBinding('crb', 'psp-a', [sa('monitoring', 'prometheus')]),
    )(['a']);
    expect(strip(result!.scopes)).toEqual([
      { namespace: 'monitoring', serviceAccount: 'prometheus', via: 'serviceAccount' },
      { namespace: 'team', serviceAccount: 'app', via: 'serviceAccount' },
      { namespace: 'team', serviceAccount: 'worker', via: 'serviceAccount' },
    ]);
    expect(result!.scopes[0]!.grantedBy).toEqual([expect.stringMatching(/^ClusterRoleBinding\/crb \(rbac\.yaml:\d+\) -> ClusterRole\/psp-a \(rbac\.yaml:\d+\)$/)]);
    expect(result!.scopes[1]!.grantedBy).toEqual([expect.stringMatching(/^RoleBinding\/rb \(namespace team, rbac\.yaml:\d+\) -> ClusterRole\/psp-a/)]);
    expect(result!.unused).toBe(false);
    expect(result!.warnings).toEqual([]);
  });

  it('a * scope subsumes narrower ones and keeps their grantedBy', () => {
    const [result] = access(
      clusterRole('psp-a', [useRule('a')]),
      roleBinding('team', 'narrow', { kind: 'ClusterRole', name: 'psp-a' }, [sa('team', 'app')]),
      roleBinding('team', 'wide', { kind: 'ClusterRole', name: 'psp-a' }, [group('system:serviceaccounts:team')]),
      roleBinding('team', 'wide-again', { kind: 'ClusterRole', name: 'psp-a' }, [group('system:serviceaccounts:team')]),
    )(['a']);
    expect(strip(result!.scopes)).toEqual([{ namespace: 'team', serviceAccount: '*', via: 'serviceAccount' }]);
    expect(result!.scopes[0]!.grantedBy.map((g) => g.split(' ')[0])).toEqual(['RoleBinding/narrow', 'RoleBinding/wide', 'RoleBinding/wide-again']);
  });

  it('system:authenticated and system:serviceaccounts warn that every pod may use the PSP', () => {
    const [a, b] = access(
      clusterRole('psp-a', [useRule('a')]),
      clusterRole('psp-b', [useRule('b')]),
      clusterRoleBinding('everyone', 'psp-a', [group('system:authenticated')]),
      roleBinding('team', 'all-pods', { kind: 'ClusterRole', name: 'psp-b' }, [group('system:serviceaccounts')]),
    )(['a', 'b']);
    expect(strip(a!.scopes)).toEqual([{ namespace: '*', serviceAccount: '*', via: 'serviceAccount' }]);
    expect(a!.warnings).toEqual([expect.stringMatching(/PodSecurityPolicy a is granted to Group system:authenticated by ClusterRoleBinding\/everyone .*: every user and every pod in every namespace may use it/)]);
    expect(strip(b!.scopes)).toEqual([{ namespace: 'team', serviceAccount: '*', via: 'serviceAccount' }]);
    expect(b!.warnings).toEqual([expect.stringMatching(/Group system:serviceaccounts by RoleBinding\/all-pods .*every pod \(every service account\) in namespace team/)]);
  });

  it('kube-system service accounts bound cluster-wide reach every controller-made pod, loudly', () => {
    const [result] = access(
      clusterRole('privileged', [useRule('privileged')]),
      clusterRoleBinding('kube-system-sas', 'privileged', [group('system:serviceaccounts:kube-system')]),
    )(['privileged']);
    expect(strip(result!.scopes)).toEqual([
      {
        namespace: '*', serviceAccount: '*', via: 'requester',
        requester: { user: 'system:serviceaccount:kube-system:daemon-set-controller', workloadKinds: ['DaemonSet'] },
      },
      { namespace: '*', serviceAccount: '*', via: 'requester', requester: { user: 'system:serviceaccount:kube-system:job-controller', workloadKinds: ['Job', 'CronJob'] } },
      { namespace: '*', serviceAccount: '*', via: 'requester', requester: { user: 'system:serviceaccount:kube-system:replicaset-controller', workloadKinds: ['Deployment', 'ReplicaSet'] } },
      { namespace: '*', serviceAccount: '*', via: 'requester', requester: { user: 'system:serviceaccount:kube-system:replication-controller', workloadKinds: ['ReplicationController'] } },
      { namespace: '*', serviceAccount: '*', via: 'requester', requester: { user: 'system:serviceaccount:kube-system:statefulset-controller', workloadKinds: ['StatefulSet'] } },
      { namespace: 'kube-system', serviceAccount: '*', via: 'serviceAccount' },
    ]);
    expect(result!.warnings).toHaveLength(1);
    expect(result!.warnings[0]).toMatch(
      /granted to Group system:serviceaccounts:kube-system by ClusterRoleBinding\/kube-system-sas .*every pod a controller creates .* in every namespace.*leaks cluster-wide/,
    );
  });

  it('a single controller service account bound cluster-wide warns too; bound in kube-system it does not', () => {
    const [result] = access(
      clusterRole('privileged', [useRule('privileged')]),
      clusterRoleBinding('rs', 'privileged', [sa('kube-system', 'replicaset-controller')]),
      roleBinding('kube-system', 'ds', { kind: 'ClusterRole', name: 'privileged' }, [sa('kube-system', 'daemon-set-controller')]),
    )(['privileged']);
    expect(strip(result!.scopes)).toEqual([
      { namespace: '*', serviceAccount: '*', via: 'requester', requester: { user: 'system:serviceaccount:kube-system:replicaset-controller', workloadKinds: ['Deployment', 'ReplicaSet'] } },
      { namespace: 'kube-system', serviceAccount: '*', via: 'requester', requester: { user: 'system:serviceaccount:kube-system:daemon-set-controller', workloadKinds: ['DaemonSet'] } },
      { namespace: 'kube-system', serviceAccount: 'daemon-set-controller', via: 'serviceAccount' },
      { namespace: 'kube-system', serviceAccount: 'replicaset-controller', via: 'serviceAccount' },
    ]);
    expect(result!.warnings).toEqual([expect.stringMatching(/ServiceAccount kube-system\/replicaset-controller by ClusterRoleBinding\/rs .*in every namespace/)]);
  });

  it('grants to users and groups only warn that no pod service account holds the PSP', () => {
    const [result] = access(
      clusterRole('psp-a', [useRule('a')]),
      roleBinding('kube-system', 'nodes', { kind: 'ClusterRole', name: 'psp-a' }, [group('system:nodes'), user('kubelet')]),
    )(['a']);
    expect(result!.scopes).toEqual([]);
    expect(result!.userGrants).toEqual([{ user: 'kubelet', namespace: 'kube-system', grantedBy: [expect.stringMatching(/^RoleBinding\/nodes/)] }]);
    expect(result!.groupGrants).toEqual([{ group: 'system:nodes', namespace: 'kube-system', grantedBy: [expect.stringMatching(/^RoleBinding\/nodes/)] }]);
    expect(result!.unused).toBe(false);
    expect(result!.warnings).toEqual([expect.stringMatching(/granted only to Group system:nodes, User kubelet: no pod's service account may use it/)]);
  });

  it('a service account bound outside its namespace gets no pod scope, with a specific warning', () => {
    const [result] = access(
      role('default', 'psp-a', [useRule('a')]),
      roleBinding('default', 'calico', { kind: 'Role', name: 'psp-a' }, [sa('kube-system', 'calico-node')]),
    )(['a']);
    expect(result!.scopes).toEqual([]);
    expect(result!.userGrants).toEqual([{ user: 'system:serviceaccount:kube-system:calico-node', namespace: 'default', grantedBy: [expect.stringMatching(/^RoleBinding\/calico/)] }]);
    expect(result!.warnings).toEqual([
      expect.stringMatching(/granted to ServiceAccount kube-system\/calico-node by RoleBinding\/calico .*grants only in namespace default; .*Put the RoleBinding in namespace kube-system\.$/),
      expect.stringMatching(/granted only to ServiceAccount kube-system\/calico-node: no pod's service account may use it/),
    ]);
  });

  it('a PSP no binding grants is unused', () => {
    const [a, b] = access(clusterRole('psp-a', [useRule('a')]), clusterRoleBinding('crb', 'psp-a', [sa('x', 'y')]))(['a', 'b']);
    expect(a!.unused).toBe(false);
    expect(b!.unused).toBe(true);
    expect(b!.scopes).toEqual([]);
    expect(b!.warnings).toEqual([expect.stringMatching(/PodSecurityPolicy b is granted by no RoleBinding or ClusterRoleBinding/)]);
  });

  it('is sorted by PSP name whatever the input order', () => {
    const input = rbacInput();
    const names = policyAccess(psps('z', 'a', 'm'), buildRbacIndex(input)).map((p) => p.policy);
    expect(names).toEqual(['a', 'm', 'z']);
  });
});

describe('normaliseScopes', () => {
  const scope = (namespace: string, serviceAccount: string, grantedBy: string, requester?: string): PolicyScope => ({
    namespace,
    serviceAccount,
    via: requester === undefined ? 'serviceAccount' : 'requester',
    ...(requester === undefined ? {} : { requester: { user: requester, workloadKinds: [] } }),
    grantedBy: [grantedBy],
  });

  it('drops duplicates and subsumed scopes; a requester scope never subsumes a service-account scope', () => {
    const result = normaliseScopes([
      scope('n', 'x', 'g1'),
      scope('n', 'x', 'g2'),
      scope('n', '*', 'g3', 'ctrl'),
      scope('*', '*', 'g4', 'ctrl'),
      scope('m', '*', 'g5'),
      scope('m', 'y', 'g6'),
      scope('m', '*', 'g7', 'ctrl'),
    ]);
    expect(result).toEqual([
      // (m, *, ctrl) is covered by both; its grant goes to the widest subsumer.
      { ...scope('*', '*', 'g3', 'ctrl'), grantedBy: ['g3', 'g4', 'g7'] },
      { ...scope('m', '*', 'g5'), grantedBy: ['g5', 'g6'] },
      { ...scope('n', 'x', 'g1'), grantedBy: ['g1', 'g2'] },
    ]);
  });
});
