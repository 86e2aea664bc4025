/**
 * Gatekeeper's `spec.match` (pkg/mutation/match `Matches`), shared by the translated-policy
 * evaluation (`gatekeeperTarget.evaluate`, `gatekeeperEvaluator`) and `evaluateGatekeeperExisting`:
 * a constraint that does not select a pod must not judge it, whatever field deselects it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseInputs, type Pod, type WorkloadContext } from '@psp-translate/core';
import { evaluateGatekeeperExisting, gatekeeperEvaluator, gatekeeperTarget, mutatePod, type KubernetesObject, type MutatorObject } from '../src/index.js';
import { gatekeeperMatches, matchProblem, wildcardMatches, type GatekeeperMatch, type MatchedPod } from '../src/match.js';

const seed = process.env.PSP_TRANSLATE_FUZZ === 'random' ? Date.now() : Number(process.env.PSP_TRANSLATE_FUZZ_SEED ?? 42);

const target = (labels: Record<string, string> | undefined, namespace = 'apps', extra: Partial<MatchedPod['pod']['metadata']> = {}): MatchedPod => ({
  pod: { metadata: { name: 'web-1', ...(labels !== undefined ? { labels } : {}), ...extra } },
  namespace,
  namespaceLabels: { 'kubernetes.io/metadata.name': namespace, tier: namespace === 'prod' ? 'prod' : 'dev' },
});

describe('gatekeeperMatches', () => {
  it('labelSelector: matchLabels and every matchExpressions operator on the pod labels', () => {
    const web = target({ app: 'web', team: 'a' });
    const sel = (labelSelector: GatekeeperMatch['labelSelector']) => gatekeeperMatches({ labelSelector }, web);
    expect(sel({})).toBe(true);
    expect(sel({ matchLabels: { app: 'web' } })).toBe(true);
    expect(sel({ matchLabels: { app: 'web', team: 'b' } })).toBe(false);
    expect(sel({ matchExpressions: [{ key: 'app', operator: 'In', values: ['api', 'web'] }] })).toBe(true);
    expect(sel({ matchExpressions: [{ key: 'app', operator: 'In', values: ['api'] }] })).toBe(false);
    expect(sel({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] })).toBe(false);
    expect(sel({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['api'] }] })).toBe(true);
    expect(sel({ matchExpressions: [{ key: 'missing', operator: 'NotIn', values: ['x'] }] })).toBe(true);
    expect(sel({ matchExpressions: [{ key: 'team', operator: 'Exists' }] })).toBe(true);
    expect(sel({ matchExpressions: [{ key: 'missing', operator: 'Exists' }] })).toBe(false);
    expect(sel({ matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] })).toBe(false);
    expect(sel({ matchExpressions: [{ key: 'missing', operator: 'DoesNotExist' }] })).toBe(true);
    // Every requirement must hold.
    expect(sel({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'team', operator: 'In', values: ['b'] }] })).toBe(false);
  });

  it('a pod without labels: only selectors of absent labels (NotIn, DoesNotExist) or empty ones select it', () => {
    const bare = target(undefined);
    expect(gatekeeperMatches({ labelSelector: {} }, bare)).toBe(true);
    expect(gatekeeperMatches({ labelSelector: { matchLabels: { app: '' } } }, bare)).toBe(false);
    expect(gatekeeperMatches({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] } }, bare)).toBe(true);
    expect(gatekeeperMatches({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] } }, bare)).toBe(true);
    expect(gatekeeperMatches({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] } }, bare)).toBe(false);
  });

  it('namespaceSelector on the namespace labels; namespaces/excludedNamespaces with front, end and both-ends globs', () => {
    expect(gatekeeperMatches({ namespaceSelector: { matchLabels: { tier: 'prod' } } }, target({}, 'prod'))).toBe(true);
    expect(gatekeeperMatches({ namespaceSelector: { matchLabels: { tier: 'prod' } } }, target({}, 'apps'))).toBe(false);
    expect(gatekeeperMatches({ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['apps'] }] } }, target({}, 'apps'))).toBe(true);
    expect(gatekeeperMatches({ namespaces: ['kube-*'] }, target({}, 'kube-system'))).toBe(true);
    expect(gatekeeperMatches({ namespaces: ['*-system'] }, target({}, 'kube-system'))).toBe(true);
    expect(gatekeeperMatches({ namespaces: ['*be-sy*'] }, target({}, 'kube-system'))).toBe(true);
    expect(gatekeeperMatches({ namespaces: ['kube'] }, target({}, 'kube-system'))).toBe(false);
    expect(gatekeeperMatches({ namespaces: [] }, target({}, 'anything'))).toBe(true);
    expect(gatekeeperMatches({ excludedNamespaces: ['*-system'] }, target({}, 'gatekeeper-system'))).toBe(false);
    expect(gatekeeperMatches({ namespaces: ['apps'], excludedNamespaces: ['ap*'] }, target({}, 'apps'))).toBe(false);
  });

  it('kinds (empty lists are wildcards), scope, name (and generateName), source', () => {
    const pod = target({}, 'apps', { name: '', generateName: 'web-' });
    expect(gatekeeperMatches({ kinds: [{ apiGroups: [''], kinds: ['Pod'] }] }, pod)).toBe(true);
    expect(gatekeeperMatches({ kinds: [{ kinds: ['Pod'] }] }, pod)).toBe(true);
    expect(gatekeeperMatches({ kinds: [{ apiGroups: ['*'] }] }, pod)).toBe(true);
    expect(gatekeeperMatches({ kinds: [{ apiGroups: ['apps'], kinds: ['Pod'] }, { apiGroups: [''], kinds: ['Service'] }] }, pod)).toBe(false);
    expect(gatekeeperMatches({ scope: 'Namespaced' }, pod)).toBe(true);
    expect(gatekeeperMatches({ scope: '*' }, pod)).toBe(true);
    expect(gatekeeperMatches({ scope: 'Cluster' }, pod)).toBe(false);
    expect(gatekeeperMatches({ name: 'web-*' }, pod)).toBe(true);
    expect(gatekeeperMatches({ name: '*-1' }, target({}))).toBe(true);
    expect(gatekeeperMatches({ name: '*eb-' }, pod)).toBe(false);
    expect(gatekeeperMatches({ name: 'api-*' }, pod)).toBe(false);
    expect(gatekeeperMatches({ source: 'All' }, pod)).toBe(true);
    expect(gatekeeperMatches({ source: 'Original' }, pod)).toBe(true);
    expect(gatekeeperMatches({ source: 'Generated' }, pod)).toBe(false);
  });

  it('names selectors Kubernetes rejects', () => {
    expect(matchProblem({ labelSelector: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] } })).toMatch(/In on a needs values/);
    expect(matchProblem({ namespaceSelector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] } })).toMatch(/Exists on a takes no values/);
    expect(matchProblem({ labelSelector: { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] } })).toMatch(/unknown operator/);
    expect(matchProblem({ labelSelector: { matchLabels: { a: 'b' } }, kinds: [{ kinds: ['Pod'] }] })).toBeUndefined();
  });

  it('wildcardMatches agrees with a direct reading of the glob (property)', () => {
    const word = fc.stringMatching(/^[a-c-]{0,5}$/);
    fc.assert(
      fc.property(word, word, fc.boolean(), fc.boolean(), (core, candidate, front, end) => {
        const pattern = `${front ? '*' : ''}${core}${end ? '*' : ''}`;
        const expected = front && end ? candidate.includes(core) : front ? candidate.endsWith(core) : end ? candidate.startsWith(core) : candidate === core;
        expect(wildcardMatches(pattern, candidate)).toBe(expected);
      }),
      { seed, numRuns: 300 },
    );
  });
});

/** The translation of a PSP that forbids privileged containers, with `match` merged into every constraint. */
function translatedWith(match: GatekeeperMatch): KubernetesObject[] {
  const inputs = parseInputs([
    {
      path: 'psp.yaml',
      text: `apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: { name: restricted }
spec:
  privileged: false
  seLinux: { rule: RunAsAny }
  runAsUser: { rule: RunAsAny }
  supplementalGroups: { rule: RunAsAny }
  fsGroup: { rule: RunAsAny }
  volumes: ['*']
`,
    },
  ]);
  const { objects } = gatekeeperTarget.translate(inputs, { actions: { gatekeeper: 'deny' }, mutate: false });
  return objects.map((o) => {
    if (!o.apiVersion.startsWith('constraints.gatekeeper.sh/')) return o;
    const spec = o['spec'] as { match: GatekeeperMatch };
    return { ...o, spec: { ...spec, match: { ...spec.match, ...match } } };
  });
}

const privileged = (labels: Record<string, string>, namespace = 'apps'): WorkloadContext => ({
  workload: { kind: 'Pod', namespace, name: 'web', serviceAccount: 'default' },
  pod: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace, labels },
    spec: { containers: [{ name: 'c', image: 'nginx', securityContext: { privileged: true } }] },
  } as Pod,
});

describe('gatekeeperTarget.evaluate applies each constraint\'s whole match', () => {
  it('the unscoped translation rejects a privileged pod (the control the cases below rely on)', () => {
    expect(gatekeeperTarget.evaluate({ objects: translatedWith({}) })(privileged({ app: 'web' })).admitted).toBe(false);
  });

  const cases: { name: string; match: GatekeeperMatch; labels: Record<string, string>; rejected: boolean }[] = [
    { name: 'matchLabels excluding the pod', match: { labelSelector: { matchLabels: { app: 'db' } } }, labels: { app: 'web' }, rejected: false },
    { name: 'matchLabels including the pod', match: { labelSelector: { matchLabels: { app: 'web' } } }, labels: { app: 'web' }, rejected: true },
    { name: 'NotIn on the pod\'s value (an exception\'s exclusion)', match: { labelSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] } }, labels: { app: 'web' }, rejected: false },
    { name: 'NotIn on another value', match: { labelSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db'] }] } }, labels: { app: 'web' }, rejected: true },
    { name: 'In without the pod\'s value', match: { labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['db'] }] } }, labels: { app: 'web' }, rejected: false },
    { name: 'In with the pod\'s value', match: { labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['db', 'web'] }] } }, labels: { app: 'web' }, rejected: true },
    { name: 'Exists on an absent label', match: { labelSelector: { matchExpressions: [{ key: 'exempt', operator: 'Exists' }] } }, labels: { app: 'web' }, rejected: false },
    { name: 'DoesNotExist on a present label', match: { labelSelector: { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] } }, labels: { app: 'web' }, rejected: false },
    { name: 'DoesNotExist on an absent label', match: { labelSelector: { matchExpressions: [{ key: 'exempt', operator: 'DoesNotExist' }] } }, labels: { app: 'web' }, rejected: true },
    { name: 'namespaceSelector not matching the namespace', match: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } } }, labels: {}, rejected: false },
    { name: 'namespaceSelector matching the namespace', match: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } } }, labels: {}, rejected: true },
    { name: 'excludedNamespaces glob', match: { excludedNamespaces: ['ap*'] }, labels: {}, rejected: false },
    { name: 'namespaces glob elsewhere', match: { namespaces: ['kube-*'] }, labels: {}, rejected: false },
    { name: 'kinds without Pod', match: { kinds: [{ apiGroups: ['apps'], kinds: ['Deployment'] }] }, labels: {}, rejected: false },
    { name: 'scope Cluster', match: { scope: 'Cluster' }, labels: {}, rejected: false },
    { name: 'name of another pod', match: { name: 'api*' }, labels: {}, rejected: false },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.rejected ? 'rejected' : 'not judged'}, and evaluateGatekeeperExisting agrees`, () => {
      const objects = translatedWith(c.match);
      const workload = privileged(c.labels);
      expect(gatekeeperTarget.evaluate({ objects })(workload).admitted).toBe(!c.rejected);
      const existing = evaluateGatekeeperExisting(parseInputs([{ path: 'gk.yaml', text: objects.map((o) => JSON.stringify(o)).join('\n---\n') }]));
      expect(existing?.notes).toEqual([]);
      expect(existing!(workload).admitted).toBe(!c.rejected);
    });
  }

  it('an UPDATE is judged when its object or its oldObject is selected (Gatekeeper\'s matchAny)', () => {
    const judge = gatekeeperEvaluator(translatedWith({ labelSelector: { matchLabels: { app: 'web' } } }));
    const old = privileged({ app: 'web' }).pod;
    const relabelled = { ...old, metadata: { ...old.metadata, labels: { app: 'other' } } };
    expect(judge({ pod: relabelled, namespace: 'apps' }).admitted).toBe(true);
    expect(judge({ pod: relabelled, oldPod: old, namespace: 'apps', operation: 'UPDATE' }).admitted).toBe(false);
    expect(judge({ pod: relabelled, oldPod: relabelled, namespace: 'apps', operation: 'UPDATE' }).admitted).toBe(true);
  });

  it('namespaceSelector reads the namespace labels given with the inputs', () => {
    const objects = translatedWith({ namespaceSelector: { matchLabels: { tier: 'prod' } } });
    const namespaces = parseInputs([{ path: 'ns.yaml', text: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: prod, labels: { tier: prod } }\n' }]);
    const judge = gatekeeperTarget.evaluate({ objects }, namespaces);
    expect(judge(privileged({}, 'prod')).admitted).toBe(false);
    expect(judge(privileged({}, 'apps')).admitted).toBe(true);
  });

  it('a selector Kubernetes rejects is refused when prepared, and reported by evaluateGatekeeperExisting', () => {
    const objects = translatedWith({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] } });
    expect(() => gatekeeperEvaluator(objects)).toThrow(/Gatekeeper cannot run its match.labelSelector: operator In on app needs values/);
    const existing = evaluateGatekeeperExisting(parseInputs([{ path: 'gk.yaml', text: objects.map((o) => JSON.stringify(o)).join('\n---\n') }]));
    expect(existing?.notes.some((n) => /not evaluated: Gatekeeper cannot run its match.labelSelector/.test(n))).toBe(true);
  });
});

describe('mutators apply only where their whole match selects the pod as mutated so far', () => {
  const assign = (name: string, match: GatekeeperMatch, location: string, value: unknown): MutatorObject => ({
    apiVersion: 'mutations.gatekeeper.sh/v1',
    kind: 'Assign',
    metadata: { name },
    spec: { applyTo: [{ groups: [''], kinds: ['Pod'], versions: ['v1'] }], match, location, parameters: { assign: { value } } },
  });
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
  const runtimeClass = (mutators: MutatorObject[], namespace = 'apps', namespaceLabels?: Record<string, string>) =>
    mutatePod(pod, mutators, { namespace, operation: 'CREATE', ...(namespaceLabels !== undefined ? { namespaceLabels } : {}) }).spec.runtimeClassName;

  it('labelSelector, namespaceSelector, name and namespace globs', () => {
    const set = (match: GatekeeperMatch) => [assign('rc', match, 'spec.runtimeClassName', 'gvisor')];
    expect(runtimeClass(set({ labelSelector: { matchLabels: { app: 'web' } } }))).toBe('gvisor');
    expect(runtimeClass(set({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] } }))).toBeUndefined();
    expect(runtimeClass(set({ namespaceSelector: { matchLabels: { tier: 'prod' } } }), 'prod', { tier: 'prod' })).toBe('gvisor');
    expect(runtimeClass(set({ namespaceSelector: { matchLabels: { tier: 'prod' } } }), 'apps')).toBeUndefined();
    expect(runtimeClass(set({ name: 'api*' }))).toBeUndefined();
    expect(runtimeClass(set({ excludedNamespaces: ['kube-*'] }), 'kube-system')).toBeUndefined();
    expect(runtimeClass(set({ namespaces: ['*-system'] }), 'kube-system')).toBe('gvisor');
  });

  it('a label set by an earlier mutator selects a later one', () => {
    const mutators = [
      assign('a-label', {}, 'metadata.labels.sandbox', 'yes'),
      assign('b-runtime', { labelSelector: { matchLabels: { sandbox: 'yes' } } }, 'spec.runtimeClassName', 'gvisor'),
    ];
    expect(runtimeClass(mutators)).toBe('gvisor');
    expect(runtimeClass(mutators.slice(1))).toBeUndefined();
  });
});
