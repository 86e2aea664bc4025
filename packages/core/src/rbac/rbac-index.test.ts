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
import { controllerRequester, serviceAccountRequester } from './identities.js';
import { buildRbacIndex, grantsFor, usablePolicies } from './rbac-index.js';
import { policiesGrantedByRule } from './rules.js';

const ALL = psps('a', 'b', 'c');
const saOf = serviceAccountRequester;

describe('policiesGrantedByRule', () => {
  it('needs verb use, resource podsecuritypolicies and group policy or extensions; * matches each', () => {
    const base = { apiGroups: ['policy'], resources: ['podsecuritypolicies'], verbs: ['use'] };
    expect(policiesGrantedByRule(base)).toBe('*');
    expect(policiesGrantedByRule({ ...base, apiGroups: ['extensions'] })).toBe('*');
    expect(policiesGrantedByRule({ ...base, apiGroups: ['*'] })).toBe('*');
    expect(policiesGrantedByRule({ ...base, apiGroups: ['apps'] })).toBeUndefined();
    expect(policiesGrantedByRule({ ...base, apiGroups: [] })).toBeUndefined();
    expect(policiesGrantedByRule({ ...base, apiGroups: null })).toBeUndefined();
    expect(policiesGrantedByRule({ ...base, verbs: ['*'] })).toBe('*');
    expect(policiesGrantedByRule({ ...base, verbs: ['get', 'list'] })).toBeUndefined();
    expect(policiesGrantedByRule({ ...base, resources: ['*'] })).toBe('*');
    expect(policiesGrantedByRule({ ...base, resources: ['pods'] })).toBeUndefined();
    expect(policiesGrantedByRule({ ...base, resources: ['podsecuritypolicies/status'] })).toBeUndefined();
    expect(policiesGrantedByRule({ ...base, resourceNames: [] })).toBe('*');
    expect(policiesGrantedByRule({ ...base, resourceNames: ['a', 'b'] })).toEqual(['a', 'b']);
  });
});

describe('usablePolicies', () => {
  it('a RoleBinding grants in its namespace only, a ClusterRoleBinding everywhere', () => {
    const index = buildRbacIndex(
      rbacInput(
        role('team', 'psp-a', [useRule('a')]),
        roleBinding('team', 'rb', { kind: 'Role', name: 'psp-a' }, [sa('team', 'app')]),
        clusterRole('psp-b', [useRule('b')]),
        clusterRoleBinding('crb', 'psp-b', [group('system:authenticated')]),
      ),
      { policies: ALL },
    );
    expect(usablePolicies(index, 'team', saOf('team', 'app'))).toEqual(['a', 'b']);
    expect(usablePolicies(index, 'other', saOf('other', 'app'))).toEqual(['b']);
    // The team SA creating pods elsewhere holds nothing there from the RoleBinding.
    expect(usablePolicies(index, 'other', saOf('team', 'app'))).toEqual(['b']);
  });

  it('a RoleBinding to a ClusterRole grants only in the binding namespace', () => {
    const index = buildRbacIndex(
      rbacInput(
        clusterRole('psp-a', [useRule('a')]),
        roleBinding('team', 'rb', { kind: 'ClusterRole', name: 'psp-a' }, [sa('team', 'app')]),
      ),
      { policies: ALL },
    );
    expect(usablePolicies(index, 'team', saOf('team', 'app'))).toEqual(['a']);
    expect(usablePolicies(index, 'kube-system', saOf('team', 'app'))).toEqual([]);
  });

  it('resourceNames: listed names only; absent or empty lists every PSP', () => {
    const index = buildRbacIndex(
      rbacInput(
        clusterRole('named', [useRule('b', 'zz-not-a-psp')]),
        clusterRole('empty', [{ ...useRule(), resourceNames: [] }]),
        clusterRole('absent', [useRule()]),
        roleBinding('n1', 'rb1', { kind: 'ClusterRole', name: 'named' }, [sa(undefined, 'x')]),
        roleBinding('n2', 'rb2', { kind: 'ClusterRole', name: 'empty' }, [sa(undefined, 'x')]),
        roleBinding('n3', 'rb3', { kind: 'ClusterRole', name: 'absent' }, [sa(undefined, 'x')]),
      ),
      { policies: ALL },
    );
    expect(usablePolicies(index, 'n1', saOf('n1', 'x'))).toEqual(['b']);
    expect(usablePolicies(index, 'n2', saOf('n2', 'x'))).toEqual(['a', 'b', 'c']);
    expect(usablePolicies(index, 'n3', saOf('n3', 'x'))).toEqual(['a', 'b', 'c']);
    expect(index.warnings.join('\n')).toMatch(/PodSecurityPolicy zz-not-a-psp, which is not in the input/);
  });

  it('wildcards and the extensions group grant; other rules do not', () => {
    const index = buildRbacIndex(
      rbacInput(
        clusterRole('admin-like', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
        clusterRole('ext', [{ apiGroups: ['extensions'], resources: ['podsecuritypolicies'], verbs: ['use'], resourceNames: ['c'] }]),
        clusterRole('read-only', [{ apiGroups: ['policy'], resources: ['podsecuritypolicies'], verbs: ['get', 'list', 'watch'] }]),
        roleBinding('n1', 'rb1', { kind: 'ClusterRole', name: 'admin-like' }, [sa(undefined, 'x')]),
        roleBinding('n2', 'rb2', { kind: 'ClusterRole', name: 'ext' }, [sa(undefined, 'x')]),
        roleBinding('n3', 'rb3', { kind: 'ClusterRole', name: 'read-only' }, [sa(undefined, 'x')]),
      ),
      { policies: ALL },
    );
    expect(usablePolicies(index, 'n1', saOf('n1', 'x'))).toEqual(['a', 'b', 'c']);
    expect(usablePolicies(index, 'n2', saOf('n2', 'x'))).toEqual(['c']);
    expect(usablePolicies(index, 'n3', saOf('n3', 'x'))).toEqual([]);
    expect(index.grants.map((g) => g.binding.name)).toEqual(['rb1', 'rb2']);
  });

  it('service-account groups, system:authenticated, and a User named like a service account', () => {
    const index = buildRbacIndex(
      rbacInput(
        clusterRole('a', [useRule('a')]),
        clusterRole('b', [useRule('b')]),
        clusterRole('c', [useRule('c')]),
        clusterRoleBinding('all-sas', 'a', [group('system:serviceaccounts:team')]),
        roleBinding('other', 'authn', { kind: 'ClusterRole', name: 'b' }, [group('system:authenticated')]),
        clusterRoleBinding('as-user', 'c', [user('system:serviceaccount:team:builder')]),
      ),
      { policies: ALL },
    );
    expect(usablePolicies(index, 'team', saOf('team', 'app'))).toEqual(['a']);
    expect(usablePolicies(index, 'team', saOf('team', 'builder'))).toEqual(['a', 'c']);
    expect(usablePolicies(index, 'other', saOf('other', 'app'))).toEqual(['b']);
    expect(usablePolicies(index, 'other', { user: 'alice', groups: ['system:authenticated'] })).toEqual(['b']);
    expect(usablePolicies(index, 'team', { user: 'alice', groups: ['system:authenticated'] })).toEqual([]);
  });

  it('system:serviceaccounts reaches every service account; controllers are kube-system service accounts', () => {
    const index = buildRbacIndex(
      rbacInput(clusterRole('a', [useRule('a')]), clusterRoleBinding('all', 'a', [group('system:serviceaccounts')])),
      { policies: ALL },
    );
    expect(usablePolicies(index, 'x', saOf('x', 'y'))).toEqual(['a']);
    expect(usablePolicies(index, 'x', controllerRequester('Deployment')!)).toEqual(['a']);
    expect(usablePolicies(index, 'x', { user: 'alice', groups: ['system:authenticated'] })).toEqual([]);
  });

  it('a ServiceAccount subject of a RoleBinding defaults to the binding namespace', () => {
    const index = buildRbacIndex(
      rbacInput(clusterRole('a', [useRule('a')]), roleBinding('team', 'rb', { kind: 'ClusterRole', name: 'a' }, [sa(undefined, 'app')])),
      { policies: ALL },
    );
    expect(index.grants[0]!.subject).toEqual({ kind: 'User', name: 'system:serviceaccount:team:app' });
    expect(usablePolicies(index, 'team', saOf('team', 'app'))).toEqual(['a']);
  });

  it('a ServiceAccount subject of a ClusterRoleBinding without namespace grants nothing, with a warning', () => {
    const index = buildRbacIndex(
      rbacInput(clusterRole('a', [useRule('a')]), clusterRoleBinding('crb', 'a', [sa(undefined, 'app')])),
      { policies: ALL },
    );
    expect(index.grants).toEqual([]);
    expect(index.warnings).toEqual([expect.stringMatching(/ClusterRoleBinding\/crb .*ServiceAccount app names no namespace/)]);
  });

  it('aggregated ClusterRoles get the union of the selected roles, transitively, ignoring their own rules', () => {
    const index = buildRbacIndex(
      rbacInput(
        clusterRole('psp-a', [useRule('a')], { labels: { 'psp/aggregate': 'true' } }),
        clusterRole('psp-b', [useRule('b')], { labels: { 'psp/aggregate': 'true', tier: 'x' } }),
        clusterRole('unlabelled', [useRule('c')]),
        clusterRole('mid', [useRule('c')], {
          labels: { top: 'yes' },
          aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['x'] }] }] },
        }),
        clusterRole('agg', null, {
          aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'psp/aggregate': 'true' } }, { matchLabels: { top: 'yes' } }] },
        }),
        roleBinding('n1', 'rb-agg', { kind: 'ClusterRole', name: 'agg' }, [sa(undefined, 'x')]),
        roleBinding('n2', 'rb-mid', { kind: 'ClusterRole', name: 'mid' }, [sa(undefined, 'x')]),
      ),
      { policies: ALL },
    );
    expect(usablePolicies(index, 'n1', saOf('n1', 'x'))).toEqual(['a', 'b']);
    // `mid` lists c itself, but the aggregation controller overwrites an aggregated role's rules.
    expect(usablePolicies(index, 'n2', saOf('n2', 'x'))).toEqual(['b']);
  });

  it('a binding to a missing role grants nothing and warns, naming the binding', () => {
    const index = buildRbacIndex(
      rbacInput(
        roleBinding('team', 'rb', { kind: 'Role', name: 'gone' }, [sa('team', 'app')]),
        clusterRoleBinding('crb', 'also-gone', [group('system:authenticated')]),
      ),
      { policies: ALL },
    );
    expect(index.grants).toEqual([]);
    expect(usablePolicies(index, 'team', saOf('team', 'app'))).toEqual([]);
    expect(index.warnings).toEqual([
      expect.stringMatching(/^RoleBinding\/rb \(namespace team, rbac\.yaml:\d+\) references Role\/gone in namespace team, which is not in the input/),
      expect.stringMatching(/^ClusterRoleBinding\/crb \(rbac\.yaml:\d+\) references ClusterRole\/also-gone, which is not in the input/),
    ]);
  });

  it('a Role of another namespace does not satisfy a RoleBinding', () => {
    const index = buildRbacIndex(
      rbacInput(role('elsewhere', 'psp-a', [useRule('a')]), roleBinding('team', 'rb', { kind: 'Role', name: 'psp-a' }, [sa('team', 'app')])),
      { policies: ALL },
    );
    expect(usablePolicies(index, 'team', saOf('team', 'app'))).toEqual([]);
    expect(index.warnings).toHaveLength(1);
  });

  it('without known PSPs, a wildcard grant shows as * and named grants stay', () => {
    const index = buildRbacIndex(
      rbacInput(clusterRole('all', [useRule()]), clusterRole('b', [useRule('b')]), roleBinding('n', 'rb', { kind: 'ClusterRole', name: 'all' }, [sa('n', 'x')]), roleBinding('n', 'rb2', { kind: 'ClusterRole', name: 'b' }, [sa('n', 'x')])),
    );
    expect(usablePolicies(index, 'n', saOf('n', 'x'))).toEqual(['*', 'b']);
    expect(index.policyNames).toBeUndefined();
  });

  it('returns fresh arrays: callers cannot corrupt the memo', () => {
    const index = buildRbacIndex(rbacInput(clusterRole('a', [useRule('a')]), clusterRoleBinding('crb', 'a', [group('system:serviceaccounts')])), { policies: ALL });
    const first = usablePolicies(index, 'n', saOf('n', 'x'));
    first.push('c');
    expect(usablePolicies(index, 'n', saOf('n', 'x'))).toEqual(['a']);
  });

  it('memoizes per (namespace, identity): repeated lookups reuse one grant set', () => {
    const index = buildRbacIndex(rbacInput(clusterRole('a', [useRule('a')]), roleBinding('n', 'rb', { kind: 'ClusterRole', name: 'a' }, [sa('n', 'x')])), { policies: ALL });
    const first = grantsFor(index, 'n', saOf('n', 'x'));
    expect(grantsFor(index, 'n', saOf('n', 'x'))).toBe(first);
    expect(grantsFor(index, 'm', saOf('n', 'x'))).not.toBe(first);
    expect(first.grants.map((g) => g.binding.name)).toEqual(['rb']);
  });
});
