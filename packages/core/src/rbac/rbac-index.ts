/**
 * The RBAC index: every grant of `use` on PodSecurityPolicies, extracted once from the bindings, with
 * lookups by user and group so that "which PSPs may this identity use in this namespace" is cheap.
 */
import type { SourceRef } from '../ir/ir.js';
import type { ClusterRoleBinding, PolicyRule, RoleBinding, Subject } from '../schema/rbac.js';
import { compareNames, serviceAccountUser } from './identities.js';
import { effectiveClusterRoleRules, policiesGrantedByRule } from './rules.js';
import type { GrantSubject, PolicyGrant, RbacInput, RbacObject, RbacObjectRef, Requester } from './types.js';

/**
 * Every grant of `use` on PodSecurityPolicies in an input, with fast lookups. Build it once with
 * {@link buildRbacIndex}; query it with {@link usablePolicies}, `candidatesFor`, `policyAccess`
 * and `scopeGroups`.
 */
export interface RbacIndex {
  /** Every (binding, subject) pair whose role allows `use` on some PSP, in input order. */
  readonly grants: readonly PolicyGrant[];
  /**
   * Problems in the RBAC input that change who may use a PSP: bindings to roles the input lacks
   * (they grant nothing here), ServiceAccount subjects of ClusterRoleBindings without a namespace,
   * roles defined twice, grants naming PSPs the input lacks.
   */
  readonly warnings: readonly string[];
  /** PSP names the index was built with (`options.policies`), sorted; undefined when not given. */
  readonly policyNames: readonly string[] | undefined;
}

/** Options of {@link buildRbacIndex}. */
export interface RbacIndexOptions {
  /**
   * The PSPs of the input. With them, wildcard grants (no `resourceNames`) resolve to these names,
   * grants of names not among them are dropped from lookups, and such names are reported.
   */
  policies?: readonly { name: string }[];
  /** Namespace assumed for RoleBindings and Roles that name none (kubectl's default: `default`). */
  defaultNamespace?: string;
}

/** The grants one identity holds in one namespace, before resolving wildcards to PSP names. */
export interface GrantSet {
  /** Some grant covers every PSP. */
  readonly all: boolean;
  /** PSP names granted by name. */
  readonly names: ReadonlySet<string>;
  /** The grants that apply, in input order. */
  readonly grants: readonly PolicyGrant[];
}

interface Lookup {
  byUser: Map<string, PolicyGrant[]>;
  byGroup: Map<string, PolicyGrant[]>;
  /** Grant sets by identity key. */
  cache: Map<string, GrantSet>;
  /** `usablePolicies` answers by identity key. */
  usable: Map<string, readonly string[]>;
}

// Lookup tables stay private to this module: the public index shape is data only.
const lookups = new WeakMap<RbacIndex, Lookup>();

/** `file:line`. */
export function formatSource(source: SourceRef): string {
  return `${source.file}:${source.line}`;
}

function describeRef(ref: RbacObjectRef): string {
  const where = ref.namespace === undefined ? '' : `namespace ${ref.namespace}, `;
  return `${ref.kind}/${ref.name} (${where}${formatSource(ref.source)})`;
}

function describeSubject(subject: Subject, defaultNamespace: string | undefined): string {
  if (subject.kind !== 'ServiceAccount') return `${subject.kind} ${subject.name}`;
  const namespace = subject.namespace ?? defaultNamespace;
  return `ServiceAccount ${namespace ?? '<no namespace>'}/${subject.name}`;
}

/**
 * Build the index of who may `use` which PSP. Binding to a missing role grants nothing and is
 * reported in `warnings`, as the API server's authorizer ignores it.
 */
export function buildRbacIndex(rbac: RbacInput, options: RbacIndexOptions = {}): RbacIndex {
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const warnings: string[] = [];
  const policyNames = options.policies?.map((p) => p.name).sort(compareNames);
  const known = policyNames === undefined ? undefined : new Set(policyNames);

  const clusterRoleRules = effectiveClusterRoleRules(rbac.clusterRoles);
  const clusterRoleByName = new Map<string, RbacObject<unknown>>();
  for (const role of rbac.clusterRoles) {
    if (clusterRoleByName.has(role.name)) {
      warnings.push(`ClusterRole/${role.name} is defined twice (${formatSource(role.source)}); the later definition is used, as kubectl apply would leave it.`);
    }
    clusterRoleByName.set(role.name, role);
  }
  const roleByKey = new Map<string, RbacObject<{ rules?: PolicyRule[] | null }>>();
  for (const role of rbac.roles) {
    const key = `${role.namespace ?? defaultNamespace}/${role.name}`;
    if (roleByKey.has(key)) {
      warnings.push(`Role/${role.name} in namespace ${role.namespace ?? defaultNamespace} is defined twice (${formatSource(role.source)}); the later definition is used.`);
    }
    roleByKey.set(key, role);
  }

  const grants: PolicyGrant[] = [];
  const unknownNames = new Map<string, string>(); // PSP name -> first grantedBy naming it

  const addBinding = (
    binding: RbacObject<RoleBinding> | RbacObject<ClusterRoleBinding>,
    bindingKind: 'RoleBinding' | 'ClusterRoleBinding',
  ) => {
    const bindingNamespace = bindingKind === 'RoleBinding' ? (binding.namespace ?? defaultNamespace) : undefined;
    const bindingRef: RbacObjectRef = { kind: bindingKind, name: binding.name, namespace: bindingNamespace, source: binding.source };
    if (bindingKind === 'RoleBinding' && binding.namespace === undefined) {
      warnings.push(`${describeRef(bindingRef)} names no namespace; assuming ${defaultNamespace}. Set metadata.namespace: it decides where the binding grants.`);
    }
    const roleRef = binding.raw.roleRef;
    let rules: readonly PolicyRule[] | undefined;
    let role: RbacObjectRef | undefined;
    if (roleRef.kind === 'ClusterRole') {
      const found = clusterRoleByName.get(roleRef.name);
      rules = clusterRoleRules.get(roleRef.name);
      if (found !== undefined) role = { kind: 'ClusterRole', name: found.name, namespace: undefined, source: found.source };
    } else {
      const found = roleByKey.get(`${bindingNamespace}/${roleRef.name}`);
      if (found !== undefined) {
        rules = found.raw.rules ?? [];
        role = { kind: 'Role', name: found.name, namespace: bindingNamespace, source: found.source };
      }
    }
    if (role === undefined || rules === undefined) {
      const where = roleRef.kind === 'Role' ? ` in namespace ${bindingNamespace}` : '';
      warnings.push(
        `${describeRef(bindingRef)} references ${roleRef.kind}/${roleRef.name}${where}, which is not in the input: the binding grants nothing here. Add the ${roleRef.kind} to the input if it exists in the cluster.`,
      );
      return;
    }

    let all = false;
    const names = new Set<string>();
    for (const rule of rules) {
      const granted = policiesGrantedByRule(rule);
      if (granted === '*') all = true;
      else if (granted !== undefined) for (const name of granted) names.add(name);
    }
    if (!all && names.size === 0) return;
    const policies = all ? '*' : [...names].sort(compareNames);
    const grantedBy = `${describeRef(bindingRef)} -> ${describeRef(role)}`;
    if (known !== undefined && policies !== '*') {
      for (const name of policies) if (!known.has(name) && !unknownNames.has(name)) unknownNames.set(name, grantedBy);
    }

    for (const subject of binding.raw.subjects ?? []) {
      let normalised: GrantSubject;
      if (subject.kind === 'ServiceAccount') {
        // On a RoleBinding an omitted namespace means the binding's own; a ClusterRoleBinding must name one.
        const namespace = subject.namespace ?? bindingNamespace;
        if (namespace === undefined || namespace === '') {
          warnings.push(`${describeRef(bindingRef)}: subject ServiceAccount ${subject.name} names no namespace, so it matches no service account and grants nothing. Add subjects[].namespace.`);
          continue;
        }
        normalised = { kind: 'User', name: serviceAccountUser(namespace, subject.name) };
      } else {
        normalised = { kind: subject.kind, name: subject.name };
      }
      grants.push({
        subject: normalised,
        subjectAsWritten: describeSubject(subject, bindingNamespace),
        namespace: bindingNamespace ?? '*',
        policies,
        binding: bindingRef,
        role,
        grantedBy,
      });
    }
  };

  for (const binding of rbac.roleBindings) addBinding(binding, 'RoleBinding');
  for (const binding of rbac.clusterRoleBindings) addBinding(binding, 'ClusterRoleBinding');

  for (const [name, grantedBy] of [...unknownNames].sort(([a], [b]) => compareNames(a, b))) {
    warnings.push(`${grantedBy} grants use of PodSecurityPolicy ${name}, which is not in the input: the grant is ignored.`);
  }

  const byUser = new Map<string, PolicyGrant[]>();
  const byGroup = new Map<string, PolicyGrant[]>();
  for (const grant of grants) {
    const table = grant.subject.kind === 'User' ? byUser : byGroup;
    const list = table.get(grant.subject.name);
    if (list === undefined) table.set(grant.subject.name, [grant]);
    else list.push(grant);
  }

  const index: RbacIndex = { grants, warnings, policyNames };
  lookups.set(index, { byUser, byGroup, cache: new Map(), usable: new Map() });
  return index;
}

function lookupOf(index: RbacIndex): Lookup {
  const lookup = lookups.get(index);
  if (lookup === undefined) {
    throw new Error('This RbacIndex was not made by buildRbacIndex; build the index with buildRbacIndex(rbac).');
  }
  return lookup;
}

/** A memo key for (namespace, identity). NUL cannot occur in Kubernetes names. */
export function identityKey(namespace: string, who: Requester): string {
  return `${namespace}\u0000${who.user}\u0000${who.groups.join('\u0000')}`;
}

/**
 * The grants `who` holds in `namespace` (RoleBindings of that namespace and every
 * ClusterRoleBinding), memoized per (namespace, identity).
 */
export function grantsFor(index: RbacIndex, namespace: string, who: Requester): GrantSet {
  const lookup = lookupOf(index);
  const key = identityKey(namespace, who);
  const cached = lookup.cache.get(key);
  if (cached !== undefined) return cached;

  const applying: PolicyGrant[] = [];
  const collect = (list: readonly PolicyGrant[] | undefined) => {
    if (list === undefined) return;
    for (const grant of list) if (grant.namespace === '*' || grant.namespace === namespace) applying.push(grant);
  };
  collect(lookup.byUser.get(who.user));
  for (const group of new Set(who.groups)) collect(lookup.byGroup.get(group));

  let all = false;
  const names = new Set<string>();
  for (const grant of applying) {
    if (grant.policies === '*') all = true;
    else for (const name of grant.policies) names.add(name);
  }
  const result: GrantSet = { all, names, grants: applying };
  lookup.cache.set(key, result);
  return result;
}

/**
 * The PSP names a grant set covers among `policyNames` (sorted); without `policyNames`, the names
 * granted by name plus `'*'` when some grant covers every PSP.
 */
export function resolveGrantSets(sets: readonly GrantSet[], policyNames: readonly string[] | undefined): string[] {
  if (policyNames === undefined) {
    const names = new Set<string>();
    let all = false;
    for (const set of sets) {
      all ||= set.all;
      for (const name of set.names) names.add(name);
    }
    const sorted = [...names].sort(compareNames);
    return all ? ['*', ...sorted] : sorted;
  }
  if (sets.some((s) => s.all)) return policyNames.slice();
  return policyNames.filter((name) => sets.some((s) => s.names.has(name)));
}

/**
 * PSP names `who.user` (with `who.groups`) may `use` in `namespace`, sorted by name. When the index
 * was built without `options.policies` and a grant covers every PSP, the list holds `'*'` first.
 */
export function usablePolicies(index: RbacIndex, namespace: string, who: Requester): string[] {
  const memo = lookupOf(index).usable;
  const key = identityKey(namespace, who);
  let names = memo.get(key);
  if (names === undefined) {
    names = resolveGrantSets([grantsFor(index, namespace, who)], index.policyNames);
    memo.set(key, names);
  }
  return names.slice();
}
