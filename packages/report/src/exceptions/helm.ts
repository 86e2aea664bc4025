/**
 * The exceptions as Helm templates for a chart's `templates/` directory. Helm templates are text
 * (Go templates over YAML), so they are printed from YAML built as data: every literal is serialised
 * by `yaml`, every `{{`/`}}` in it is escaped for Go templates, and only the release parts (namespace,
 * names, the values flag) are template actions, each quoted.
 */
import { stringify } from 'yaml';
import type { KubernetesObject } from '@psp-translate/core';
import type { ExceptionsResult } from './exceptions.js';
import { EXCEPTION_PART_ANNOTATION } from './vap.js';

/** Options of {@link helmTemplates}. */
export interface HelmOptions {
  /**
   * The release name the manifests were rendered with (`helm template <release> ...`): workload names
   * starting with it are written as `{{ .Release.Name }}` plus the rest, so they follow the user's release.
   */
  releaseName?: string;
  /** The values flag guarding the templates; default `podSecurityExceptions.enabled`. */
  valuesFlag?: string;
}

/** One file for the chart. */
export interface HelmFile {
  /** Relative to the chart root: `templates/...` or `values-pod-security-exceptions.yaml`. */
  path: string;
  contents: string;
}

const GO_DELIMITERS = /\{\{|\}\}/g;

/** Text Go templates print as is: `{{` and `}}` become actions printing them. */
export function escapeGoTemplate(text: string): string {
  return text.replace(GO_DELIMITERS, (d) => (d === '{{' ? '{{ "{{" }}' : '{{ "}}" }}'));
}

/** A token the YAML printer leaves alone and the input cannot contain (checked). */
function tokenFactory(text: string): (n: number) => string {
  let salt = 0;
  while (text.includes(`psptoken${salt}x`)) salt++;
  return (n) => `psptoken${salt}x${n}`;
}

/** A template document builder: the object with its release parts replaced by tokens from `t`. */
type Templater = (object: KubernetesObject, t: ReleaseTokens) => unknown;

/** Tokens for the release parts; each stands for one Go template action. */
interface ReleaseTokens {
  namespace: string;
  /** `{{ .Release.Name }}` as a quoted string. */
  release: string;
  /** A rendered name `<release><rest>` as a template of the release name, else the name itself. */
  nameOf: (name: string, suffix?: string) => string;
}

function renderDocuments(objects: readonly KubernetesObject[], release: string | undefined, templater: Templater): string {
  const raw = JSON.stringify(objects);
  const token = tokenFactory(raw);
  const actions: string[] = [];
  const action = (template: string) => {
    actions.push(template);
    return token(actions.length - 1);
  };
  const namespaceToken = action('{{ .Release.Namespace | quote }}');
  const releaseToken = action('{{ .Release.Name | quote }}');
  // A rendered name `<release><rest>` becomes `{{ printf "%s<rest>" .Release.Name | quote }}`.
  const nameOf = (name: string, suffix = ''): string => {
    if (release === undefined || release === '' || !name.startsWith(release)) return `${name}${suffix}`;
    const rest = `${name.slice(release.length)}${suffix}`;
    return action(`{{ printf "%s%s" .Release.Name ${JSON.stringify(rest)} | trunc 63 | quote }}`);
  };
  const tokens: ReleaseTokens = { namespace: namespaceToken, release: releaseToken, nameOf };
  const documents = objects.map((object) => escapeGoTemplate(stringify(templater(object, tokens), { lineWidth: 0 })));
  return documents.join('---\n').replace(/psptoken\d+x(\d+)/g, (whole, index: string) => actions[Number(index)] ?? whole);
}

function kyvernoDocument(object: KubernetesObject, t: ReleaseTokens): unknown {
  const spec = object['spec'] as { match: { any: { resources: { namespaces: string[]; names: string[] } }[] } };
  const names = spec.match.any[0]!.resources.names;
  return {
    ...object,
    metadata: { ...object.metadata, name: t.nameOf(object.metadata.name), namespace: t.namespace },
    spec: {
      ...spec,
      match: { any: [{ resources: { ...spec.match.any[0]!.resources, namespaces: [t.namespace], names: names.map((n) => (n.endsWith('-*') ? t.nameOf(n.slice(0, -2), '-*') : t.nameOf(n))) } }] },
    },
  };
}

/**
 * A Gatekeeper or VAP exception object with the release parts templated: the chart namespace where
 * a match or selector names it, the release label value, and names and policy names starting with
 * the release. Only the selecting parts are rewritten, never parameters or CEL.
 */
function selectingDocument(result: ExceptionsResult, namespace: string, release: string | undefined): Templater {
  const label = result.selector;
  return (object, t) => {
    const swapNamespace = (values: unknown): unknown => (Array.isArray(values) ? values.map((v) => (v === namespace ? t.namespace : v)) : values);
    const swapLabel = (selector: Record<string, unknown> | undefined): Record<string, unknown> | undefined => {
      if (selector === undefined || label === null || label.value !== release) return selector;
      const matchLabels = selector['matchLabels'] as Record<string, string> | undefined;
      const matchExpressions = selector['matchExpressions'] as { key: string; values?: string[] }[] | undefined;
      return {
        ...selector,
        ...(matchLabels === undefined ? {} : { matchLabels: Object.fromEntries(Object.entries(matchLabels).map(([k, v]) => [k, k === label.key && v === label.value ? t.release : v])) }),
        ...(matchExpressions === undefined
          ? {}
          : { matchExpressions: matchExpressions.map((e) => ({ ...e, values: e.key === label.key ? (e.values ?? []).map((v) => (v === label.value ? t.release : v)) : e.key === 'kubernetes.io/metadata.name' ? swapNamespace(e.values) : e.values })) }),
      };
    };
    const spec = (object['spec'] ?? {}) as Record<string, unknown>;
    const templated: Record<string, unknown> = { ...spec };
    if (object.kind === 'ConstraintTemplate') return object;
    if (object.apiVersion.startsWith('constraints.gatekeeper.sh/')) {
      const match = spec['match'] as Record<string, unknown>;
      templated['match'] = { ...match, ...(match['namespaces'] === undefined ? {} : { namespaces: swapNamespace(match['namespaces']) }), ...(match['excludedNamespaces'] === undefined ? {} : { excludedNamespaces: swapNamespace(match['excludedNamespaces']) }), labelSelector: swapLabel(match['labelSelector'] as Record<string, unknown> | undefined) };
    }
    if (object.kind === 'ValidatingAdmissionPolicyBinding') {
      const match = (spec['matchResources'] ?? {}) as Record<string, unknown>;
      const policyName = String(spec['policyName']);
      templated['policyName'] = t.nameOf(policyName);
      templated['matchResources'] = { ...match, ...(match['namespaceSelector'] === undefined ? {} : { namespaceSelector: swapLabel(match['namespaceSelector'] as Record<string, unknown>) ?? match['namespaceSelector'] }), ...(match['objectSelector'] === undefined ? {} : { objectSelector: swapLabel(match['objectSelector'] as Record<string, unknown>) }) };
      // namespaceSelector names the namespace by kubernetes.io/metadata.name even when the label is not the release's.
      const ns = (templated['matchResources'] as Record<string, unknown>)['namespaceSelector'] as { matchExpressions?: { key: string; values?: unknown }[] } | undefined;
      if (ns?.matchExpressions) ns.matchExpressions = ns.matchExpressions.map((e) => (e.key === 'kubernetes.io/metadata.name' ? { ...e, values: swapNamespace(e.values) } : e)) as never;
    }
    return { ...object, metadata: { ...object.metadata, name: t.nameOf(object.metadata.name) }, spec: templated };
  };
}

/**
 * The exceptions as Helm templates, each file guarded by `{{- if .Values.podSecurityExceptions.enabled }}`:
 * the Kyverno PolicyExceptions (namespace `{{ .Release.Namespace }}`, names from the release name),
 * the Gatekeeper scoped constraints (and any ConstraintTemplate the cluster lacks) and the VAP chart
 * policy and bindings, with the chart namespace and release label templated. Not written: PSA (a chart
 * does not own its namespace's labels; `result.namespaces` says which it needs), the cluster's own VAP
 * binding replacement and the Gatekeeper exclusions (the cluster admin's objects; see the report).
 */
export function helmTemplates(result: ExceptionsResult, options: HelmOptions = {}): HelmFile[] {
  const flag = options.valuesFlag ?? 'podSecurityExceptions.enabled';
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(flag)) throw new Error(`values flag ${JSON.stringify(flag)} is not a values path like podSecurityExceptions.enabled`);
  const release = options.releaseName;
  const header = (what: string) =>
    `# ${what} this chart needs (generated by psp-translate exceptions against ${result.baseline.level}:${result.baseline.version}).\n# Enable with --set ${flag}=true; each exception names exactly the controls, images and values the chart's workloads use.\n`;
  const file = (path: string, what: string, body: string): HelmFile => ({ path, contents: `${header(what)}{{- if .Values.${flag} }}\n${body}{{- end }}\n` });
  const files: HelmFile[] = [];
  if (result.objects.kyverno.length > 0) files.push(file('templates/pod-security-exceptions.yaml', 'Pod Security exceptions', renderDocuments(result.objects.kyverno, release, kyvernoDocument)));
  const namespace = result.namespaces.length === 1 ? result.namespaces[0]!.namespace : undefined;
  const chartOwned = (objects: readonly KubernetesObject[]) => objects.filter((o) => o.metadata.annotations?.[EXCEPTION_PART_ANNOTATION] !== 'cluster');
  const gatekeeper = chartOwned(result.objects.gatekeeper);
  const vap = chartOwned(result.objects.vap);
  if (gatekeeper.length > 0 && namespace !== undefined) files.push(file('templates/pod-security-exceptions-gatekeeper.yaml', 'Gatekeeper constraints scoped to the chart\'s pods', renderDocuments(gatekeeper, release, selectingDocument(result, namespace, release))));
  if (vap.length > 0 && namespace !== undefined) files.push(file('templates/pod-security-exceptions-vap.yaml', 'ValidatingAdmissionPolicy exceptions', renderDocuments(vap, release, selectingDocument(result, namespace, release))));
  if (files.length === 0) return [];
  files.splice(result.objects.kyverno.length > 0 ? 1 : 0, 0, { path: 'values-pod-security-exceptions.yaml', contents: valuesSnippet(flag) });
  return files;
}

function valuesSnippet(flag: string): string {
  const parts = flag.split('.');
  const obj: Record<string, unknown> = {};
  let cursor = obj;
  parts.forEach((part, i) => {
    if (i === parts.length - 1) cursor[part] = false;
    else cursor = (cursor[part] = {}) as Record<string, unknown>;
  });
  return `# Merge into the chart's values.yaml: the Pod Security exceptions for the chart's pods, off by default.\n${stringify(obj)}`;
}
