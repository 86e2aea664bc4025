/**
 * Manifests -> InputSet: every document of every file is parsed as kubectl would, Lists are
 * unwrapped, recognised kinds are validated and positioned, and every problem in every file is
 * collected before one InputError is thrown.
 */
import type { Document, LineCounter, Node } from 'yaml';
import { isMap } from 'yaml';
import { z } from 'zod';
import { policyToIR } from '../ir/from-psp.js';
import type { PolicyIR, SourceRef } from '../ir/ir.js';
import { PodSecurityPolicySchema } from '../schema/psp.js';
import {
  type ClusterRole,
  ClusterRoleBindingSchema,
  type ClusterRoleBinding,
  ClusterRoleSchema,
  type Role,
  type RoleBinding,
  RoleBindingSchema,
  RoleSchema,
  WORKLOAD_KINDS,
  type WorkloadKind,
} from '../schema/rbac.js';
import { InputError, type InputIssue, sortInputIssues } from './input-error.js';
import { type JsonDocument, lineIndex, readJsonStream } from './json-stream.js';
import { checkPodSecurityPolicy } from './psp-validation.js';
import { DEFAULT_MAX_INPUT_BYTES, type InputFile, inputTooLargeIssue } from './read-inputs.js';
import {
  type FieldPath,
  formatFieldPath,
  isEmptyDocument,
  MAX_ALIAS_EXPANSIONS,
  MAX_NESTING_DEPTH,
  parseYamlFile,
  SourceLocator,
  YamlDocumentStream,
  valueAt,
} from './yaml-source.js';
import { closestField, describeValue, describeZodIssues, type FieldProblem } from './zod-issues.js';

/** One Kubernetes object read from the input. */
export interface ManifestObject<T = Record<string, unknown>> {
  apiVersion: string;
  kind: string;
  /** `metadata.name` (for workloads without one, `metadata.generateName`). */
  name: string;
  /**
   * For namespaced kinds (Role, RoleBinding, ServiceAccount, workloads): `metadata.namespace`, else
   * the `defaultNamespace` parse option, else `undefined` (consumers then apply their own default,
   * as kubectl applies the context's namespace). Always `undefined` for cluster-scoped kinds.
   */
  namespace: string | undefined;
  /** True when `namespace` came from the `defaultNamespace` option rather than the manifest. */
  namespaceDefaulted?: boolean;
  /** Position of the object's start. */
  source: SourceRef;
  /** Plain data as kubectl would send it (validated by zod for PSP and RBAC kinds). */
  raw: T;
}

/** A Pod or an object with a pod template. */
export interface Workload extends ManifestObject {
  kind: WorkloadKind;
}

/** An object of a kind we do not read, counted so nothing disappears without a trace. */
export interface SkippedObject {
  apiVersion: string;
  kind: string;
  name: string;
  source: SourceRef;
}

/** Everything read from the input, by role. */
export interface InputSet {
  /** One per PodSecurityPolicy, sorted by name (PSP admission's order among equals). */
  policies: PolicyIR[];
  rbac: {
    roles: ManifestObject<Role>[];
    clusterRoles: ManifestObject<ClusterRole>[];
    roleBindings: ManifestObject<RoleBinding>[];
    clusterRoleBindings: ManifestObject<ClusterRoleBinding>[];
  };
  serviceAccounts: ManifestObject[];
  namespaces: ManifestObject[];
  workloads: Workload[];
  /**
   * Admission policies of other engines, kept whole (with their source) for `evaluate`, in input
   * order: see {@link isAdmissionPolicyObject}. ConfigMaps are here too (a ValidatingAdmissionPolicy's
   * params may name one), and also in `skipped`, as no other command reads them.
   */
  others: ManifestObject[];
  /** Objects of other kinds, in input order. */
  skipped: SkippedObject[];
}

/** API groups whose objects are admission policies other engines evaluate, and the kinds read from each (`*` = any). */
const ADMISSION_POLICY_KINDS: Readonly<Record<string, readonly string[]>> = {
  'templates.gatekeeper.sh': ['ConstraintTemplate'],
  'constraints.gatekeeper.sh': ['*'],
  'mutations.gatekeeper.sh': ['Assign', 'AssignMetadata', 'ModifySet', 'AssignImage'],
  'kyverno.io': ['ClusterPolicy', 'Policy', 'PolicyException'],
  'policies.kyverno.io': ['ValidatingPolicy', 'NamespacedValidatingPolicy', 'MutatingPolicy', 'NamespacedMutatingPolicy', 'PolicyException'],
  'admissionregistration.k8s.io': ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding'],
};

/** The namespaced ones among them (the others are cluster-scoped). */
const NAMESPACED_POLICY_KINDS: ReadonlySet<string> = new Set(['Policy', 'PolicyException', 'NamespacedValidatingPolicy', 'NamespacedMutatingPolicy']);

/**
 * Whether an object is an admission policy that `psp-translate evaluate` can read: Gatekeeper
 * ConstraintTemplates, Constraints and mutators, Kyverno policies and PolicyExceptions (both APIs),
 * ValidatingAdmissionPolicies, MutatingAdmissionPolicies and their bindings.
 */
export function isAdmissionPolicyObject(object: { apiVersion: string; kind: string }): boolean {
  const kinds = ADMISSION_POLICY_KINDS[apiGroup(object.apiVersion)];
  return kinds !== undefined && (kinds.includes('*') || kinds.includes(object.kind));
}

/** Options for {@link parseInputs}. */
export interface ParseOptions {
  /** Namespace for namespaced objects that name none (see {@link ManifestObject.namespace}). */
  defaultNamespace?: string;
  /** Total bytes accepted across all files; default 64 MiB. Checked before any parsing. */
  maxBytes?: number;
  /** How the user raises `maxBytes`, appended to the "too large" message. */
  maxBytesHint?: string;
}

type Raw = Record<string, unknown>;

/**
 * zod compiles a parser for each object schema with `new Function` the first time it is used,
 * which costs more than it saves for the few hundred objects one run validates (the corpus's
 * first pass: ~75 -> ~45 ms in zod, later passes within noise); results and issues are the same.
 */
const ZOD_PARSE = { jitless: true } as const;


/** Where each recognised kind's pod spec lives. */
const POD_SPEC_PATH: Record<WorkloadKind, FieldPath> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  PodTemplate: ['template', 'spec'],
};

/** API groups each workload kind is served from (older groups included: old manifests still parse). */
const WORKLOAD_GROUPS: Record<WorkloadKind, readonly string[]> = {
  Pod: [''],
  ReplicationController: [''],
  PodTemplate: [''],
  Deployment: ['apps', 'extensions'],
  ReplicaSet: ['apps', 'extensions'],
  StatefulSet: ['apps'],
  DaemonSet: ['apps', 'extensions'],
  Job: ['batch'],
  CronJob: ['batch'],
};

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const RBAC_KINDS: ReadonlySet<string> = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

/**
 * Whether an RBAC kind's API group is a mistake for `rbac.authorization.k8s.io` (the core group, a
 * near miss, anything naming rbac) rather than another API's kind of the same name, such as
 * Crossplane's `iam.aws.crossplane.io` Role, which is skipped.
 */
function looksLikeRbacGroup(group: string): boolean {
  return group === '' || group.toLowerCase().includes('rbac') || closestField(group, [RBAC_GROUP]) !== undefined;
}

function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

function isPlainObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isWorkloadKind(kind: string): kind is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(kind);
}

/** One object to classify: its data, and where it and its fields are written. */
interface Located {
  data: unknown;
  /** Position of the object's first character. */
  source: SourceRef;
  /** Whether the object is written as a mapping (a Kubernetes object must be). */
  isMapping: boolean;
  /** Position of a field of the object, or of its key with `key` (the deepest part that exists). */
  fieldAt(path: FieldPath, options: { key?: boolean }): SourceRef;
}

/** {@link Located} for an object that has a node in a composed YAML document. */
function locatedNode(data: unknown, node: Node | null, locator: SourceLocator): Located {
  return { data, source: locator.atNode(node), isMapping: isMap(node), fieldAt: (path, options) => locator.at(node, path, options) };
}

/** Positions in one document of a JSON stream; YAML nodes are composed for it only when a field must be placed. */
class JsonDocumentPlaces {
  private composed: { locator: SourceLocator; root: Node | null } | undefined;

  constructor(
    private readonly file: string,
    private readonly document: JsonDocument,
    private readonly lines: LineCounter,
  ) {}

  atOffset(offset: number): SourceRef {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col };
  }

  /** The object at `pathInDocument` (`[]`, or `['items', 3]` inside a List). */
  located(data: unknown, pathInDocument: FieldPath): Located {
    const index = pathInDocument.length === 2 ? this.document.itemStarts?.[pathInDocument[1] as number] : undefined;
    const source = pathInDocument.length === 0 ? this.atOffset(this.document.start) : index !== undefined ? this.atOffset(index) : this.nodeSource(pathInDocument);
    return {
      data,
      source,
      isMapping: isPlainObject(data),
      fieldAt: (path, options) => {
        const { locator, root } = this.compose();
        return locator.at(locator.find(root, pathInDocument), path, options);
      },
    };
  }

  private nodeSource(pathInDocument: FieldPath): SourceRef {
    const { locator, root } = this.compose();
    return locator.atNode(locator.find(root, pathInDocument));
  }

  /** The document's YAML nodes, from its text alone (offsets are then relative to its start). */
  private compose(): { locator: SourceLocator; root: Node | null } {
    if (!this.composed) {
      const document = parseYamlFile(this.document.source).documents[0];
      if (!document) throw new Error(`internal error: the JSON document at offset ${this.document.start} of ${this.file} did not compose as YAML`);
      this.composed = { locator: new SourceLocator(this.file, document, this.lines, this.document.start), root: document.contents as Node | null };
    }
    return this.composed;
  }
}

class InputCollector {
  readonly issues: InputIssue[] = [];
  readonly set: InputSet = {
    policies: [],
    rbac: { roles: [], clusterRoles: [], roleBindings: [], clusterRoleBindings: [] },
    serviceAccounts: [],
    namespaces: [],
    workloads: [],
    others: [],
    skipped: [],
  };
  private readonly policySources = new Map<string, SourceRef>();

  constructor(
    private readonly options: ParseOptions,
    private readonly jsonFastPath = true,
  ) {}

  addFile(file: InputFile): void {
    const json = this.jsonFastPath ? readJsonStream(file.text) : undefined;
    if (json) {
      const lines = lineIndex(file.text);
      for (const document of json) this.addJsonDocument(document, new JsonDocumentPlaces(file.path, document, lines));
      return;
    }
    // Documents are composed and read one at a time; a document nested too deep refuses the whole
    // file, so what the documents before it added is taken back.
    const documents = new YamlDocumentStream(file.text);
    const { lineCounter } = documents;
    const restore = this.checkpoint();
    for (const { document, collectionKeys } of documents) {
      if (documents.tooDeep) break;
      for (const key of collectionKeys) {
        const { line, col } = lineCounter.linePos(key.offset);
        this.issueAt(
          { file: file.path, line, column: col },
          `mapping key is a ${key.shape}; Kubernetes objects only have string keys, and kubectl refuses this document. ` +
            'Quote the key if it is meant as text',
        );
      }
      this.addDocument(file.path, document, new SourceLocator(file.path, document, lineCounter));
    }
    const tooDeep = documents.tooDeep;
    if (tooDeep) {
      restore();
      const { line, col } = lineCounter.linePos(tooDeep.offset);
      this.issueAt(
        { file: file.path, line, column: col },
        `YAML nests ${tooDeep.depth} levels deep; the limit is ${MAX_NESTING_DEPTH} levels (no Kubernetes object needs more than a few dozen), ` +
          'so the file was refused before reading it. Check that this is the manifest you meant to pass',
      );
    }
  }

  /** Returns a function that takes back every object, policy name and issue added since. */
  private checkpoint(): () => void {
    const { set } = this;
    const lists: unknown[][] = [
      this.issues, set.policies, set.rbac.roles, set.rbac.clusterRoles, set.rbac.roleBindings, set.rbac.clusterRoleBindings,
      set.serviceAccounts, set.namespaces, set.workloads, set.others, set.skipped,
    ];
    const lengths = lists.map((list) => list.length);
    const names = new Set(this.policySources.keys());
    return () => {
      lists.forEach((list, index) => {
        list.length = lengths[index]!;
      });
      for (const name of [...this.policySources.keys()]) if (!names.has(name)) this.policySources.delete(name);
    };
  }

  private issueAt(source: SourceRef, message: string, extra: Partial<InputIssue> = {}): void {
    this.issues.push({ file: source.file, line: source.line, column: source.column, ...extra, message });
  }

  /** A document of a JSON stream: the same steps as {@link addDocument}, without YAML nodes. */
  private addJsonDocument(document: JsonDocument, places: JsonDocumentPlaces): void {
    const data = document.data;
    if (!isPlainObject(data)) {
      this.issueAt(
        places.atOffset(document.start),
        `document is not a Kubernetes object: expected a mapping with apiVersion and kind, got ${describeValue(data)}`,
      );
      return;
    }
    this.addObjectOrList(data, (item, pathInDocument) => places.located(item, pathInDocument));
  }

  /** Unwraps `kind: List` and typed lists into their items; adds any other object as it is. */
  private addObjectOrList(data: Raw, locate: (data: unknown, pathInDocument: FieldPath) => Located): void {
    const kind = data.kind;
    const items = data.items;
    // `kind: List`, and typed lists such as PodSecurityPolicyList that `kubectl get -o yaml` prints.
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(items)) {
      const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
      items.forEach((item, index) => {
        // Items of a typed list read straight from the API carry no kind/apiVersion of their own.
        if (itemKind && isPlainObject(item)) {
          item.kind ??= itemKind;
          if (typeof data.apiVersion === 'string') item.apiVersion ??= data.apiVersion;
        }
        this.addObject(locate(item, ['items', index]));
      });
      return;
    }
    this.addObject(locate(data, []));
  }

  private addDocument(file: string, document: Document.Parsed, locator: SourceLocator): void {
    const yamlError = document.errors[0];
    if (yamlError) {
      const at = locator.atOffset(yamlError.pos[0]);
      this.issueAt(at, `invalid YAML: ${yamlError.message.split('\n')[0]}`);
      return;
    }
    if (isEmptyDocument(document)) return;

    let data: unknown;
    try {
      data = document.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
    } catch (error) {
      const at = locator.atNode(document.contents);
      if (error instanceof ReferenceError && /alias/i.test(error.message)) {
        this.issueAt(
          at,
          `YAML aliases expand to more than ${MAX_ALIAS_EXPANSIONS} nodes; refused as a likely "billion laughs" ` +
            'attack. Expand the aliases by hand if this document is genuine',
        );
      } else {
        this.issueAt(at, `cannot read YAML: ${(error as Error).message}`);
      }
      return;
    }

    const root = document.contents as Node;
    if (!isPlainObject(data) || !isMap(root)) {
      this.issueAt(
        locator.atNode(root),
        `document is not a Kubernetes object: expected a mapping with apiVersion and kind, got ${describeValue(data)}`,
      );
      return;
    }
    this.addObjectOrList(data, (item, pathInDocument) =>
      locatedNode(item, pathInDocument.length === 0 ? root : locator.find(root, pathInDocument), locator),
    );
  }

  private addObject(located: Located): void {
    const { data, source } = located;
    if (!isPlainObject(data) || !located.isMapping) {
      this.issueAt(source, `list item is not a Kubernetes object: expected a mapping, got ${describeValue(data)}`);
      return;
    }
    const { apiVersion, kind } = data;
    const metadata = isPlainObject(data.metadata) ? data.metadata : {};
    const nameValue = metadata.name ?? metadata.generateName;
    const name = typeof nameValue === 'string' ? nameValue : '';
    const missing = [typeof apiVersion === 'string' && apiVersion ? undefined : 'apiVersion', typeof kind === 'string' && kind ? undefined : 'kind']
      .filter(Boolean)
      .join(' and ');
    if (missing) {
      this.issueAt(source, `not a Kubernetes object: ${missing} missing or not a string`);
      return;
    }
    const api = apiVersion as string;
    const objectKind = kind as string;
    const object = `${objectKind}/${name || '(unnamed)'}`;
    const group = apiGroup(api);
    const problemsAt = (problems: FieldProblem[]) => {
      for (const problem of problems) {
        const at = located.fieldAt(problem.path, { key: problem.atKey === true });
        this.issueAt(at, problem.message, { object, field: formatFieldPath(problem.path) });
      }
    };

    // Under any API group: a PodSecurityPolicy we skipped for a typo in its apiVersion would be a policy silently dropped.
    if (objectKind === 'PodSecurityPolicy') {
      const parsed = PodSecurityPolicySchema.safeParse(data, ZOD_PARSE);
      if (!parsed.success) return problemsAt(describeZodIssues(parsed.error, data, PodSecurityPolicySchema));
      const problems = checkPodSecurityPolicy(parsed.data);
      if (problems.length > 0) return problemsAt(problems);
      const earlier = this.policySources.get(parsed.data.metadata.name);
      if (earlier) {
        this.issueAt(
          source,
          `duplicate PodSecurityPolicy name ${JSON.stringify(parsed.data.metadata.name)}, also defined at ` +
            `${earlier.file}:${earlier.line}:${earlier.column}; names must be unique (remove or rename one)`,
          { object },
        );
        return;
      }
      this.policySources.set(parsed.data.metadata.name, source);
      this.set.policies.push(policyToIR(parsed.data, source));
      return;
    }

    if (group === RBAC_GROUP || (RBAC_KINDS.has(objectKind) && looksLikeRbacGroup(group))) {
      const rbac = this.set.rbac;
      switch (objectKind) {
        case 'Role':
          return this.addValidated(RoleSchema, located, problemsAt, (raw) =>
            rbac.roles.push(this.manifest(raw, api, objectKind, name, source, true)),
          );
        case 'ClusterRole':
          return this.addValidated(ClusterRoleSchema, located, problemsAt, (raw) =>
            rbac.clusterRoles.push(this.manifest(raw, api, objectKind, name, source, false)),
          );
        case 'RoleBinding':
          return this.addValidated(RoleBindingSchema, located, problemsAt, (raw) =>
            rbac.roleBindings.push(this.manifest(raw, api, objectKind, name, source, true)),
          );
        case 'ClusterRoleBinding':
          return this.addValidated(ClusterRoleBindingSchema, located, problemsAt, (raw) => {
            // The API server requires the namespace of a ServiceAccount subject here: there is no binding namespace to fall back on.
            const problems: FieldProblem[] = [];
            (raw.subjects ?? []).forEach((subject, index) => {
              if (subject.kind === 'ServiceAccount' && !subject.namespace) {
                problems.push({ path: ['subjects', index, 'namespace'], message: 'required for a ServiceAccount subject of a ClusterRoleBinding' });
              }
            });
            if (problems.length > 0) return problemsAt(problems);
            rbac.clusterRoleBindings.push(this.manifest(raw, api, objectKind, name, source, false));
          });
      }
    }

    if (group === '' && (objectKind === 'ServiceAccount' || objectKind === 'Namespace')) {
      if (!name || typeof metadata.name !== 'string') return problemsAt([{ path: ['metadata', 'name'], message: 'required field is missing (expected string)' }]);
      const target = objectKind === 'ServiceAccount' ? this.set.serviceAccounts : this.set.namespaces;
      target.push(this.manifest(data, api, objectKind, name, source, objectKind === 'ServiceAccount'));
      return;
    }

    if (isWorkloadKind(objectKind) && WORKLOAD_GROUPS[objectKind].includes(group)) {
      const problems: FieldProblem[] = [];
      if (!name) problems.push({ path: ['metadata', 'name'], message: 'required field is missing (expected string)' });
      const podSpecPath = POD_SPEC_PATH[objectKind];
      const containersPath = [...podSpecPath, 'containers'];
      const containers = valueAt(data, containersPath);
      if (!Array.isArray(containers)) {
        problems.push({
          path: containersPath,
          message:
            containers === undefined
              ? `required field is missing (a ${objectKind} needs a pod spec with a list of containers)`
              : `expected list, got ${describeValue(containers)}`,
        });
      }
      if (problems.length > 0) return problemsAt(problems);
      const workload = this.manifest(data, api, objectKind, name, source, true);
      this.set.workloads.push({ ...workload, kind: objectKind });
      return;
    }

    if (isAdmissionPolicyObject({ apiVersion: api, kind: objectKind })) {
      this.set.others.push(this.manifest(data, api, objectKind, name, source, NAMESPACED_POLICY_KINDS.has(objectKind)));
      return;
    }
    if (group === '' && objectKind === 'ConfigMap') this.set.others.push(this.manifest(data, api, objectKind, name, source, true));
    this.set.skipped.push({ apiVersion: api, kind: objectKind, name, source });
  }

  private addValidated<S extends z.ZodType>(
    schema: S,
    located: Located,
    problemsAt: (problems: FieldProblem[]) => void,
    accept: (raw: z.infer<S>) => void,
  ): void {
    const parsed = schema.safeParse(located.data, ZOD_PARSE);
    if (!parsed.success) return problemsAt(describeZodIssues(parsed.error, located.data, schema));
    accept(parsed.data);
  }

  private manifest<T>(raw: T, apiVersion: string, kind: string, name: string, source: SourceRef, namespaced: boolean): ManifestObject<T> {
    const metadata = (raw as { metadata?: { namespace?: unknown } }).metadata;
    const own = typeof metadata?.namespace === 'string' && metadata.namespace ? metadata.namespace : undefined;
    const object: ManifestObject<T> = { apiVersion, kind, name, namespace: undefined, source, raw };
    if (namespaced) {
      if (own) object.namespace = own;
      else if (this.options.defaultNamespace) {
        object.namespace = this.options.defaultNamespace;
        object.namespaceDefaulted = true;
      }
    }
    return object;
  }
}

/**
 * Parses manifests into an {@link InputSet}. Files are read as kubectl reads them (YAML 1.1,
 * multi-document, `kind: List` and typed `*List` objects unwrapped), PodSecurityPolicies and RBAC
 * are validated against the API, workloads get a light check (a pod spec with containers), other
 * engines' admission policies are kept whole in `others`, other kinds are counted in `skipped`. Empty documents are skipped silently.
 *
 * @throws {InputError} with every problem of every file (malformed YAML, wrong types, unknown PSP
 * fields, invalid values, duplicate PSP names, alias bombs, oversized input), sorted by file and line.
 */
export function parseInputs(files: readonly InputFile[], options: ParseOptions = {}): InputSet {
  return collectInputs(files, options, true);
}

/**
 * {@link parseInputs} with every file composed as YAML, never through the JSON fast path: the
 * reference that path is tested against. Not exported from the package.
 *
 * @internal
 */
export function parseInputsAsYaml(files: readonly InputFile[], options: ParseOptions = {}): InputSet {
  return collectInputs(files, options, false);
}

function collectInputs(files: readonly InputFile[], options: ParseOptions, jsonFastPath: boolean): InputSet {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
  const totalBytes = files.reduce((sum, file) => sum + Buffer.byteLength(file.text, 'utf8'), 0);
  if (totalBytes > maxBytes) {
    const where = files.length === 1 ? files[0]!.path : files.map((file) => file.path).join(', ');
    throw new InputError([inputTooLargeIssue(where, totalBytes, maxBytes, options.maxBytesHint)]);
  }
  const collector = new InputCollector(options, jsonFastPath);
  for (const file of files) collector.addFile(file);
  if (collector.issues.length > 0) {
    throw new InputError(sortInputIssues(collector.issues, files.map((file) => file.path)));
  }
  const set = collector.set;
  set.policies.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return set;
}

/**
 * Throws unless the input holds at least one PodSecurityPolicy: the CLI calls this for commands
 * that translate policies.
 *
 * @param inputsDescription how the user named the inputs (e.g. the paths joined), used as the
 * issue's location.
 */
export function requirePolicies(set: InputSet, inputsDescription: string): void {
  if (set.policies.length > 0) return;
  const found = [
    [set.rbac.clusterRoles.length, 'ClusterRole'],
    [set.rbac.roles.length, 'Role'],
    [set.rbac.clusterRoleBindings.length, 'ClusterRoleBinding'],
    [set.rbac.roleBindings.length, 'RoleBinding'],
    [set.serviceAccounts.length, 'ServiceAccount'],
    [set.namespaces.length, 'Namespace'],
    [set.workloads.length, 'workload'],
    [set.others.filter((object) => object.kind !== 'ConfigMap').length, 'admission policy object'],
    [set.skipped.length, 'other object'],
  ] as const;
  const counted = found.filter(([count]) => count > 0).map(([count, what]) => `${count} ${what}${count === 1 ? '' : 's'}`);
  throw new InputError([
    {
      file: inputsDescription,
      message:
        `no PodSecurityPolicy found (read ${counted.length > 0 ? counted.join(', ') : 'no objects'}); ` +
        'pass the files that define your policies, e.g. the output of `kubectl get podsecuritypolicies,clusterroles,roles,clusterrolebindings,rolebindings -A -o yaml`',
    },
  ]);
}
