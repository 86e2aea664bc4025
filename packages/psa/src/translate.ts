/**
 * PodSecurityPolicies -> Pod Security Admission namespace labels.
 *
 * Per namespace: every PSP some pod there could have used (its service account's grants, the
 * grants of the controller that created it, cluster-wide grants) could have admitted a pod, so the
 * namespace can enforce only what ALL of them guarantee: the least strict of their assessed levels,
 * at a policy version where each of them holds. `audit` and `warn` (at the Kubernetes version) go to
 * the level the PSPs were meant for, the least strict of their mapped levels (official PSP-to-PSS
 * mapping), when that is stricter than `enforce`: they then report exactly the pods that stand
 * between the namespace and its intended level. Otherwise they go one level stricter than
 * `enforce`, to show what stands in the way of tightening.
 *
 * Pure: input objects in, Namespace objects (or kubectl commands) and a report out.
 */
import {
  buildRbacIndex,
  CONTROL_KINDS,
  policyAccess,
  scopeGroups as computeScopeGroups,
  selectorMatches,
  type ControlKind,
  type FidelityAspect,
  type InputSet,
  type NameSelector,
  type PolicyIR,
  type SourceRef,
} from '@psp-translate/core';
import { assessPolicy, gapsToLevel, kubeMinorOf, type Assessment, type VersionRange } from './assessment/assess.js';
import { policyFacts, type PolicyFacts } from './assessment/facts.js';
import { lostDefaults, lostProtections } from './assessment/lost.js';
import { namespaceLabels, type PsaMode } from './namespace.js';
import { compareLevels, LEVELS, type Level, type PsaMinorVersion } from './version.js';

/** `manifests`: Namespace objects carrying only the labels; `kubectl`: `kubectl label` commands. */
export type PsaOutputFormat = 'manifests' | 'kubectl';

/** The part of core's `ScopeGroup` the translation reads. */
export interface PsaScopeGroup {
  readonly namespace: NameSelector;
  readonly candidates: readonly string[];
}

/** Options of {@link translatePsa}. */
export interface PsaTranslateOptions {
  /** The cluster's Kubernetes version (`latest`, `1.29`, `v1.29.3`). Default: the newest policy version known. */
  readonly kubeVersion?: string | PsaMinorVersion | 'latest';
  /** Default `manifests`. */
  readonly format?: PsaOutputFormat;
  /**
   * The mode that gets the safe level (`--action`: deny = `enforce`, the default; `warn`; `audit`).
   * With `enforce`, audit and warn get the mapped level when stricter, else the next stricter level;
   * with `warn`, audit does and nothing is enforced; with `audit`, only audit is set.
   */
  readonly mode?: PsaMode;
  /** core's `scopeGroups(...)` for `input`, when the caller has them; computed from `input.rbac` otherwise. */
  readonly scopeGroups?: readonly PsaScopeGroup[];
}

/** The input a translation reads: core's `InputSet` (only these parts). */
export type PsaInput = Pick<InputSet, 'policies' | 'rbac' | 'namespaces' | 'serviceAccounts' | 'workloads'>;

/** A level at a concrete policy version. */
export interface PinnedLevel {
  readonly level: Level;
  readonly version: PsaMinorVersion;
}

/** What was decided for one namespace, and why. */
export interface NamespaceDecisionReport {
  readonly namespace: string;
  /** Where the input mentions the namespace: `Namespace`, `RoleBinding/x`, `Deployment/y`, ... (sorted, de-duplicated). */
  readonly foundIn: readonly string[];
  /** The safe level: every pod a usable PSP admitted passes it. */
  readonly safe: PinnedLevel;
  /** The levels set per mode (a mode left out is not set). */
  readonly enforce?: PinnedLevel;
  readonly audit?: PinnedLevel;
  readonly warn?: PinnedLevel;
  /** The `pod-security.kubernetes.io/*` labels set. */
  readonly labels: Readonly<Record<string, string>>;
  /** The PSPs pods in the namespace could use, each with its own assessment (strict level and version, mapped level). */
  readonly policies: readonly { readonly policy: string; readonly level: Level; readonly version: PsaMinorVersion; readonly mappedLevel: Level }[];
  /** The level the usable PSPs were meant for: the least strict of their mapped levels; null when none was usable. */
  readonly mapped: Level | null;
  /**
   * When `audit`/`warn` are at {@link mapped} (stricter than enforce): per usable PSP, the pods it
   * admitted that this level rejects, i.e. what audit and warn will report. Empty otherwise.
   */
  readonly gaps: readonly { readonly policy: string; readonly message: string }[];
  /** The PSPs that kept the level from being stricter. */
  readonly drivenBy: readonly string[];
  /** Why the enforce level is what it is, one sentence each. */
  readonly reasons: readonly string[];
  /** No PSP was usable: PSP admission rejected every pod here. */
  readonly noPolicy: boolean;
}

/** How faithfully something was carried over (the CLI's fidelity words). */
export type PsaFidelity = 'exact' | 'note' | 'approximate' | 'unsupported';

/** One report line, shaped as core's `FidelityEntry`. */
export interface PsaReportEntry {
  readonly policy: string | null;
  readonly control: ControlKind | null;
  /** Set on entries about a control: its validation (protections) or its default. */
  readonly aspect?: FidelityAspect;
  readonly fidelity: PsaFidelity;
  readonly message: string;
  readonly source?: SourceRef;
}

/** A Namespace object carrying only the Pod Security labels. */
export type NamespaceManifest = {
  apiVersion: 'v1';
  kind: 'Namespace';
  metadata: { name: string; labels: Record<string, string> };
};

/** What {@link translatePsa} returns. */
export interface PsaTranslation {
  /** Namespace manifests (format `manifests`), sorted by name; empty for `kubectl`. */
  readonly objects: NamespaceManifest[];
  /** One `kubectl label namespace ... --overwrite` command per namespace (format `kubectl`); empty for `manifests`. */
  readonly commands: string[];
  readonly namespaces: readonly NamespaceDecisionReport[];
  /** Every PSP's assessment at the Kubernetes version, in input order. */
  readonly assessments: readonly Assessment[];
  readonly report: readonly PsaReportEntry[];
}

function v1(minor: number): PsaMinorVersion {
  return { major: 1, minor };
}

function minorsOf(ranges: readonly VersionRange[]): number[] {
  return ranges.flatMap((r) => Array.from({ length: r.to.minor - r.from.minor + 1 }, (_, i) => r.from.minor + i));
}

function pinned(p: PinnedLevel): string {
  return `${p.level}:v1.${p.version.minor}`;
}

/** Every namespace the input names, with where it is named. */
export function namespacesOf(input: PsaInput): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const add = (namespace: string | undefined | null, where: string) => {
    if (typeof namespace !== 'string' || namespace === '' || namespace === '*') return;
    const set = found.get(namespace) ?? new Set<string>();
    set.add(where);
    found.set(namespace, set);
  };
  for (const ns of input.namespaces) add(ns.name, 'Namespace');
  for (const sa of input.serviceAccounts) add(sa.namespace, `ServiceAccount/${sa.name}`);
  for (const role of input.rbac.roles) add(role.namespace, `Role/${role.name}`);
  const bindings = [
    ...input.rbac.roleBindings.map((b) => ({ kind: 'RoleBinding', name: b.name, namespace: b.namespace, subjects: b.raw.subjects ?? [] })),
    ...input.rbac.clusterRoleBindings.map((b) => ({ kind: 'ClusterRoleBinding', name: b.name, namespace: undefined, subjects: b.raw.subjects ?? [] })),
  ];
  for (const b of bindings) {
    add(b.namespace, `${b.kind}/${b.name}`);
    for (const subject of b.subjects) {
      if (subject.kind === 'ServiceAccount') add(typeof subject.namespace === 'string' && subject.namespace !== '' ? subject.namespace : b.namespace, `${b.kind}/${b.name}`);
      const group = /^system:serviceaccounts:(.+)$/.exec(subject.kind === 'Group' ? String(subject.name) : '');
      if (group) add(group[1], `${b.kind}/${b.name}`);
    }
  }
  // kubectl applies a manifest without a namespace to the context's namespace, `default` unless told.
  for (const w of input.workloads) add(w.namespace ?? 'default', `${w.kind}/${w.name}`);
  return found;
}

/**
 * Translates PSPs into Pod Security Admission labels for every namespace the input names.
 *
 * @throws Error when `options.kubeVersion` is not a Kubernetes version.
 */
export function translatePsa(input: PsaInput, options: PsaTranslateOptions = {}): PsaTranslation {
  const kubeMinor = kubeMinorOf(options.kubeVersion);
  const kube = v1(kubeMinor);
  const format = options.format ?? 'manifests';
  const policies: readonly PolicyIR[] = input.policies;
  const byName = new Map(policies.map((p) => [p.name, p]));
  const assessments = new Map(policies.map((p) => [p.name, assessPolicy(p, { kubeVersion: kube })]));
  const index = buildRbacIndex(input.rbac);
  const groups = options.scopeGroups ?? computeScopeGroups(index, policies);

  const report: PsaReportEntry[] = [];
  const decisions: NamespaceDecisionReport[] = [];
  // (policy, message) -> namespaces, so a loss shared by many namespaces is reported once.
  const losses = new Map<string, { policy: string; control: ControlKind; aspect: FidelityAspect; fidelity: PsaFidelity; message: string; namespaces: string[] }>();
  // PSPs some namespace may use, with the namespaces: the others are translated nowhere.
  const usedIn = new Map<string, string[]>();
  // What a PSP loses at a pinned level depends only on the PSP, the level and the version, not on
  // the namespace: decided once per (PSP, level, version) and per (PSP, level) for the gaps.
  const factsOf = new Map<string, PolicyFacts>();
  const factsFor = (policy: PolicyIR): PolicyFacts => {
    let facts = factsOf.get(policy.name);
    if (facts === undefined) factsOf.set(policy.name, (facts = policyFacts(policy)));
    return facts;
  };
  type Loss = { key: string; control: ControlKind; aspect: FidelityAspect; fidelity: PsaFidelity; message: string };
  const loss = (name: string, control: ControlKind, aspect: FidelityAspect, fidelity: PsaFidelity, message: string): Loss => ({
    key: `${name}\u0000${fidelity}\u0000${message}`,
    control,
    aspect,
    fidelity,
    message,
  });
  const lostAt = new Map<string, readonly Loss[]>();
  const gapsMemo = new Map<string, readonly { readonly message: string }[]>();

  for (const [namespace, where] of [...namespacesOf(input)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const candidates = [...new Set(groups.filter((g) => selectorMatches(g.namespace, namespace)).flatMap((g) => g.candidates))]
      .filter((name) => byName.has(name))
      .sort();
    const gapsAt = (name: string, level: Level) => {
      const key = `${name}\u0000${level}`;
      let gaps = gapsMemo.get(key);
      if (gaps === undefined) {
        const policy = byName.get(name);
        const assessment = assessments.get(name);
        // The assessment holds the gaps to its own mapped level, worked out the same way.
        gaps = policy && assessment ? (assessment.mappedLevel === level ? assessment.gaps : gapsToLevel(policy, assessment, level)) : [];
        gapsMemo.set(key, gaps);
      }
      return gaps;
    };
    const decision = decide(namespace, [...where].sort(), candidates, assessments, kube, options.mode ?? 'enforce', gapsAt);
    decisions.push(decision);
    const set = (['enforce', 'audit', 'warn'] as const).flatMap((mode) => (decision[mode] ? [`${mode} ${pinned(decision[mode])}`] : [])).join(', ');
    report.push({ policy: null, control: null, fidelity: 'note', message: `namespace ${namespace}: ${set}. ${decision.reasons.join(' ')}` });

    for (const name of candidates) {
      const policy = byName.get(name);
      if (!policy || assessments.get(name)?.admitsNoPod.length) continue;
      const users = usedIn.get(name);
      if (users === undefined) usedIn.set(name, [namespace]);
      else users.push(namespace);
      const enforced = decision.safe;
      const lostKey = `${name}\u0000${enforced.level}\u0000${enforced.version.minor}`;
      let losing = lostAt.get(lostKey);
      if (losing === undefined) {
        // The assessment holds what its own level and version lose (a namespace with this PSP alone enforces them).
        const own = assessments.get(name);
        const atOwn = own !== undefined && own.level === enforced.level && own.version.minor === enforced.version.minor;
        const protections = atOwn ? own.lostProtections : lostProtections(factsFor(policy), enforced.level, enforced.version.minor);
        const defaults = atOwn ? own.lostDefaults : lostDefaults(factsFor(policy), enforced.level, enforced.version.minor);
        losing = [
          ...protections.map((lost) =>
            loss(name, lost.control, 'validation', 'unsupported', `${lost.message}: not enforced by ${pinned(enforced)}; cover it with Gatekeeper, Kyverno or ValidatingAdmissionPolicy`),
          ),
          ...defaults.map((lost) =>
            loss(name, lost.control, 'default', lost.effect === 'unchanged' ? 'note' : 'approximate', lost.message),
          ),
        ];
        lostAt.set(lostKey, losing);
      }
      for (const lost of losing) {
        const entry = losses.get(lost.key) ?? { policy: name, control: lost.control, aspect: lost.aspect, fidelity: lost.fidelity, message: lost.message, namespaces: [] };
        entry.namespaces.push(namespace);
        losses.set(lost.key, entry);
      }
    }
  }

  for (const entry of losses.values()) {
    const policy = byName.get(entry.policy);
    report.push({
      policy: entry.policy,
      control: entry.control,
      aspect: entry.aspect,
      fidelity: entry.fidelity,
      message: `${entry.message} (namespace${entry.namespaces.length > 1 ? 's' : ''} ${entry.namespaces.join(', ')})`,
      ...(policy ? { source: policy.source } : {}),
    });
  }

  // Grants to people and groups reach only the pods they create themselves (bare pods, kubectl run).
  for (const access of policyAccess(policies, index)) {
    const grants = [...access.userGrants.map((g) => `User ${g.user}`), ...access.groupGrants.map((g) => `Group ${g.group}`)];
    if (grants.length === 0) continue;
    const policy = byName.get(access.policy);
    report.push({
      policy: access.policy,
      control: null,
      fidelity: 'approximate',
      message: `granted to ${grants.join(', ')}: pods they create themselves (not through a controller) could use it; the namespace levels above do not account for them`,
      ...(policy ? { source: policy.source } : {}),
    });
  }

  // Every control and default of every PSP gets an entry: protections the levels keep are exact,
  // defaults the namespaces' pods relied on were recorded above per namespace.
  // policy -> aspect -> the controls it already has an entry for.
  const reported = new Map<string, Record<FidelityAspect, Set<ControlKind>>>();
  const reportedFor = (policy: string) => {
    let byAspect = reported.get(policy);
    if (byAspect === undefined) reported.set(policy, (byAspect = { validation: new Set(), default: new Set() }));
    return byAspect;
  };
  for (const e of report) if (e.policy !== null && e.control !== null && e.aspect !== undefined) reportedFor(e.policy)[e.aspect].add(e.control);
  for (const policy of policies) {
    const namespaces = usedIn.get(policy.name);
    const unused = assessments.get(policy.name)?.admitsNoPod.length
      ? 'this PSP admits no pod, so no namespace level depends on it'
      : 'no namespace in the inputs may use this PSP (RBAC), so no label stands for it';
    const where = namespaces === undefined ? '' : ` (namespace${namespaces.length > 1 ? 's' : ''} ${namespaces.join(', ')})`;
    for (const control of CONTROL_KINDS) {
      const done = reportedFor(policy.name);
      const has = (aspect: FidelityAspect) => done[aspect].has(control);
      if (!has('validation')) {
        report.push({
          policy: policy.name,
          control,
          aspect: 'validation',
          fidelity: 'exact',
          message: namespaces === undefined ? unused : `every pod this control refused is refused by the namespace's enforce level too${where}`,
        });
        done.validation.add(control);
      }
      if (policy.controls[control].defaults !== null && !has('default')) {
        report.push({
          policy: policy.name,
          control,
          aspect: 'default',
          fidelity: 'exact',
          message: namespaces === undefined ? unused : `no pod relies on this default to pass the namespace's levels${where}`,
        });
        done.default.add(control);
      }
    }
  }

  const manifests: NamespaceManifest[] = decisions.map((d) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: d.namespace, labels: { ...d.labels } } }));
  const objects = format === 'manifests' ? manifests : [];
  const commands = format === 'kubectl' ? kubectlLabelCommands(manifests) : [];
  return { objects, commands, namespaces: decisions, assessments: policies.map((p) => assessments.get(p.name) as Assessment), report };
}

/**
 * `kubectl label namespace <name> <key>=<value>... --overwrite`, one command per Namespace manifest:
 * the `--format kubectl` output.
 */
export function kubectlLabelCommands(manifests: readonly NamespaceManifest[]): string[] {
  return manifests.map(
    (m) => `kubectl label namespace ${shellWord(m.metadata.name)} ${Object.entries(m.metadata.labels).map(([k, v]) => shellWord(`${k}=${v}`)).join(' ')} --overwrite`,
  );
}

// Namespace names and label values are DNS labels and version strings; quote anything else anyway.
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function decide(
  namespace: string,
  foundIn: readonly string[],
  candidates: readonly string[],
  assessments: ReadonlyMap<string, Assessment>,
  kube: PsaMinorVersion,
  mode: PsaMode,
  gapsAt: (policy: string, level: Level) => readonly { readonly message: string }[],
): NamespaceDecisionReport {
  const used = candidates.map((name) => assessments.get(name)).filter((a): a is Assessment => a !== undefined);
  let enforce: PinnedLevel = { level: 'privileged', version: kube };
  const reasons: string[] = [];
  let drivenBy: string[] = [];

  if (used.length === 0) {
    enforce = { level: 'restricted', version: kube };
    reasons.push('No PodSecurityPolicy was usable here, so PSP admission rejected every pod; restricted is the closest level.');
  } else {
    for (const level of ['restricted', 'baseline'] as const) {
      let common: Set<number> | undefined;
      for (const a of used) {
        const minors = new Set(minorsOf(a.safeVersions[level]));
        common = common === undefined ? minors : new Set([...common].filter((m) => minors.has(m)));
      }
      const newest = Math.max(...(common ?? []));
      if (Number.isFinite(newest)) {
        enforce = { level, version: v1(newest) };
        break;
      }
    }
    const loosest = used.reduce((min, a) => (compareLevels(a.level, min) < 0 ? a.level : min), 'restricted' as Level);
    const stricter = LEVELS[LEVELS.indexOf(enforce.level) + 1];
    if (stricter === undefined) {
      reasons.push(`Every usable PodSecurityPolicy (${used.map((a) => a.policy).join(', ')}) admits only pods that pass restricted.`);
    } else {
      const drivers = compareLevels(loosest, enforce.level) === 0 ? used.filter((a) => a.level === loosest) : used;
      drivenBy = drivers.map((a) => a.policy);
      if (compareLevels(loosest, enforce.level) > 0) {
        reasons.push(`Each usable PodSecurityPolicy holds at ${loosest} on its own, but not at a common version.`);
      }
      for (const a of drivers) {
        const relevant = a.blockers.filter((b) => stricter === 'restricted' || b.level === 'baseline');
        const why = relevant.map((b) => `${b.check}: it ${b.reason}`).join('; ');
        reasons.push(`PSP ${a.policy} keeps the namespace from ${stricter}: ${why}.`);
      }
    }
    if (enforce.level !== 'privileged' && enforce.version.minor < kube.minor) {
      for (const a of used) for (const note of a.versionNotes) reasons.push(`PSP ${a.policy}: ${note}.`);
    }
  }

  const next = LEVELS[Math.min(LEVELS.indexOf(enforce.level) + 1, LEVELS.length - 1)] as Level;
  const mapped = used.length === 0 ? null : used.reduce((min, a) => (compareLevels(a.mappedLevel, min) < 0 ? a.mappedLevel : min), 'restricted' as Level);
  const intended = mapped !== null && compareLevels(mapped, enforce.level) > 0;
  const stricter: PinnedLevel = { level: intended ? mapped : next, version: kube };
  const gaps: { policy: string; message: string }[] = [];
  const observed = mode === 'enforce' ? 'audit and warn' : 'audit';
  const mappings = used.map((a) => `${a.policy} → ${a.mappedLevel}`).join(', ');
  if (intended) {
    for (const a of used) for (const gap of gapsAt(a.policy, mapped)) gaps.push({ policy: a.policy, message: gap.message });
    const listed = used
      .map((a) => ({ policy: a.policy, messages: gaps.filter((g) => g.policy === a.policy).map((g) => g.message) }))
      .filter((p) => p.messages.length > 0)
      .map((p) => `PSP ${p.policy}: ${p.messages.join('; ')}.`);
    if (mode !== 'audit') {
      reasons.push(
        `${observed} at ${mapped}: the level the usable PodSecurityPolicies were meant for (official PSP-to-PSS mapping: ${mappings}); they report the pods that enforce admits and ${mapped} rejects.`,
        ...listed,
      );
    }
  } else if (used.length > 0 && mode !== 'audit' && enforce.level !== 'restricted') {
    reasons.push(`${observed} one level stricter (${next}), to show what blocks tightening: the usable PodSecurityPolicies were meant for no stricter level than enforce (official PSP-to-PSS mapping: ${mappings}).`);
  }
  const modes: Partial<Record<PsaMode, PinnedLevel>> =
    mode === 'enforce' ? { enforce, audit: stricter, warn: stricter } : mode === 'warn' ? { audit: stricter, warn: enforce } : { audit: enforce };
  const labels: Record<string, string> = {};
  for (const m of ['enforce', 'audit', 'warn'] as const) {
    const p = modes[m];
    if (p) Object.assign(labels, namespaceLabels(p.level, p.version, [m]));
  }
  return {
    namespace,
    foundIn,
    safe: enforce,
    ...modes,
    labels,
    policies: used.map((a) => ({ policy: a.policy, level: a.level, version: a.version, mappedLevel: a.mappedLevel })),
    mapped,
    gaps: mode === 'audit' ? [] : gaps,
    drivenBy,
    reasons,
    noPolicy: used.length === 0,
  };
}
