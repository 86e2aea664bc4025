/**
 * What each PSP control requires of a pod, once, in the check language of ./ast.ts.
 *
 * Semantics are PSP admission's (kubernetes pkg/security/podsecuritypolicy, release-1.24) applied to
 * a pod AFTER the policy's defaults: PSP first mutated the pod, then validated it, and the emitters
 * emit the defaults as mutators of their own. Where a check would read differently on a pod that was
 * not defaulted, the comment on the control says which way we chose.
 *
 * Each definition has a zod schema of its params (the policy's values, the only input besides the
 * pod), `paramsFor` deriving them from the IR control, and the rules. The rules are static: no
 * value of a particular PSP appears in them.
 */
import { APPARMOR_CONTAINER_ANNOTATION_PREFIX, SECCOMP_CONTAINER_ANNOTATION_PREFIX, SECCOMP_POD_ANNOTATION } from '../evaluate/profiles.js';
import { z } from 'zod';
import type { ControlKind, Controls } from '../ir/ir.js';
import {
  and,
  collect,
  concat,
  cond,
  contains,
  endsWith,
  eq,
  every,
  get,
  has,
  inRanges,
  isIn,
  lit,
  not,
  nonEmpty,
  onlyKey,
  or,
  param,
  selinuxLevelEq,
  some,
  startsWith,
  startsWithAny,
  v,
  type Expr,
  type Json,
  type Key,
  type Rule,
  type Scope,
} from './ast.js';

/** One control's definition: params schema, params from the IR, and the rules. */
export interface ControlDefinition<K extends ControlKind, P extends Record<string, Json> = Record<string, Json>> {
  /** Shape of the params (for Gatekeeper `parameters` / VAP param CRD schemas: `z.toJSONSchema`). */
  readonly params: z.ZodType<P>;
  /** The params of one policy's control. Plain JSON: integers, strings, booleans, lists, objects. */
  readonly paramsFor: (control: Controls[K]) => P;
  /** All must hold. */
  readonly rules: readonly Rule[];
}

const pod = v('object');
const container = v('container');
const podScope: Scope = { kind: 'pod' };
const containersScope: Scope = { kind: 'containers' };
const volumesScope: Scope = { kind: 'items', path: ['spec', 'volumes'], var: 'volume', label: get(v('volume'), ['name'], '') };
const volume = v('volume');

const RangeParams = z.object({ min: z.number().int(), max: z.number().int() });
const ranges = z.array(RangeParams);

/** A container's own securityContext field. */
const sc = (field: string, dflt?: Json): Expr => get(container, ['securityContext', field], dflt);
/** The pod-level securityContext field. */
const podSc = (field: string, dflt?: Json): Expr => get(pod, ['spec', 'securityContext', field], dflt);
/** PSP's "effective" container setting: the container's own value, else the pod's. */
/** @internal Shared with ./defaults.ts. */
export const hasEffective = (field: string): Expr =>
  or(has(container, ['securityContext', field]), has(pod, ['spec', 'securityContext', field]));
const effective = (field: string): Expr => cond(has(container, ['securityContext', field]), sc(field), podSc(field));

/** `field == true` with unset = false. */
const isTrue = (from: Expr, path: readonly Key[]): Expr => eq(get(from, path, false), lit(true));

function uniq<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

// ---------------------------------------------------------------------------------------------
// Volume classification, shared by volumes/hostPaths/flex/csi.

/**
 * Pod volume source keys PSP knew (`GetVolumeFSType`), with the PSP type name where it differs.
 * The pod's `cephfs` is PSP's `cephFS`.
 */
export const VOLUME_SOURCE_KEYS: Readonly<Record<string, string>> = {
  hostPath: 'hostPath', emptyDir: 'emptyDir', gcePersistentDisk: 'gcePersistentDisk',
  awsElasticBlockStore: 'awsElasticBlockStore', gitRepo: 'gitRepo', secret: 'secret', nfs: 'nfs',
  iscsi: 'iscsi', glusterfs: 'glusterfs', persistentVolumeClaim: 'persistentVolumeClaim', rbd: 'rbd',
  flexVolume: 'flexVolume', cinder: 'cinder', cephfs: 'cephFS', flocker: 'flocker', downwardAPI: 'downwardAPI',
  fc: 'fc', azureFile: 'azureFile', configMap: 'configMap', vsphereVolume: 'vsphereVolume', quobyte: 'quobyte',
  azureDisk: 'azureDisk', photonPersistentDisk: 'photonPersistentDisk', projected: 'projected',
  portworxVolume: 'portworxVolume', scaleIO: 'scaleIO', storageos: 'storageos', csi: 'csi', ephemeral: 'ephemeral',
};
const SOURCE_KEY_OF_TYPE = new Map(Object.entries(VOLUME_SOURCE_KEYS).map(([key, type]) => [type, key]));

/** A volume with no source but its name: the API server defaults it to `emptyDir` before admission. */
const noSource = (vol: Expr): Expr => onlyKey(vol, 'name');

// ---------------------------------------------------------------------------------------------
// hostPath prefix matching.

/**
 * PSP's `hasPathPrefix(path, prefix)` with the prefix pre-trimmed of one trailing `/` (`entry.prefix`)
 * and `entry.prefixSlash` = that + `/`. PSP trims one trailing `/` of the path too, so: equal to the
 * prefix (path not ending in `/`), or starting with `prefix/`.
 */
const pathMatches = (path: Expr, entry: Expr): Expr =>
  or(and(eq(path, get(entry, ['prefix'])), not(endsWith(path, lit('/')))), startsWith(path, get(entry, ['prefixSlash'])));

/** The path has a `..` segment (the evaluator, like the API server, never lets those match). */
const hasBacksteps = (path: Expr): Expr =>
  or(eq(path, lit('..')), startsWith(path, lit('../')), endsWith(path, lit('/..')), contains(path, lit('/../')));

const hostPathOf = (vol: Expr): Expr => get(vol, ['hostPath', 'path'], '');

/** The volume's hostPath is allowed and matches only read-only entries. */
const hostPathNeedsReadOnly = (vol: Expr): Expr =>
  and(
    has(vol, ['hostPath']),
    not(hasBacksteps(hostPathOf(vol))),
    some('roEntry', param('entries'), pathMatches(hostPathOf(vol), v('roEntry'))),
    not(some('rwEntry', param('entries'), and(pathMatches(hostPathOf(vol), v('rwEntry')), not(get(v('rwEntry'), ['readOnly']))))),
  );

// ---------------------------------------------------------------------------------------------
// Profiles.

/** @internal Shared with ./defaults.ts (the annotation names are the evaluator's, in ../evaluate/profiles.ts). */
export { SECCOMP_POD_ANNOTATION };
/** @internal Shared with ./defaults.ts. */
export const APPARMOR_CONTAINER_PREFIX = APPARMOR_CONTAINER_ANNOTATION_PREFIX;
const SECCOMP_CONTAINER_PREFIX = SECCOMP_CONTAINER_ANNOTATION_PREFIX;

/** A `seccompProfile`/`appArmorProfile` field in annotation form; `''` for an unknown type. */
/** @internal Shared with ./defaults.ts. */
export const profileAnnotationForm = (profile: Expr): Expr =>
  cond(
    eq(get(profile, ['type'], ''), lit('RuntimeDefault')),
    lit('runtime/default'),
    cond(
      eq(get(profile, ['type'], ''), lit('Unconfined')),
      lit('unconfined'),
      cond(
        and(eq(get(profile, ['type'], ''), lit('Localhost')), has(profile, ['localhostProfile'])),
        concat(lit('localhost/'), get(profile, ['localhostProfile'])),
        lit(''),
      ),
    ),
  );

const annotations = (): Key[] => ['metadata', 'annotations'];

/** The pod's seccomp profile: the pod annotation when non-empty, else the pod field, else `''`. */
const podSeccomp = (): Expr =>
  cond(
    and(has(pod, [...annotations(), SECCOMP_POD_ANNOTATION]), not(eq(get(pod, [...annotations(), SECCOMP_POD_ANNOTATION]), lit('')))),
    get(pod, [...annotations(), SECCOMP_POD_ANNOTATION]),
    cond(has(pod, ['spec', 'securityContext', 'seccompProfile']), profileAnnotationForm(podSc('seccompProfile')), lit('')),
  );

/** A container's seccomp profile: its field, else its annotation when present (even empty), else the pod's. */
const containerSeccomp = (): Expr => {
  const key = concat(lit(SECCOMP_CONTAINER_PREFIX), get(container, ['name'], ''));
  return cond(
    has(container, ['securityContext', 'seccompProfile']),
    profileAnnotationForm(sc('seccompProfile')),
    cond(has(pod, [...annotations(), key]), get(pod, [...annotations(), key]), podSeccomp()),
  );
};

/**
 * A container's AppArmor profile: its annotation when non-empty, else its `appArmorProfile` field,
 * else the pod's field (1.30+ fields, which the API server mirrors into the annotation), else `''`.
 */
/** @internal Shared with ./defaults.ts. */
export const containerAppArmor = (): Expr => {
  const key = concat(lit(APPARMOR_CONTAINER_PREFIX), get(container, ['name'], ''));
  return cond(
    and(has(pod, [...annotations(), key]), not(eq(get(pod, [...annotations(), key]), lit('')))),
    get(pod, [...annotations(), key]),
    cond(
      has(container, ['securityContext', 'appArmorProfile']),
      profileAnnotationForm(sc('appArmorProfile')),
      cond(has(pod, ['spec', 'securityContext', 'appArmorProfile']), profileAnnotationForm(podSc('appArmorProfile')), lit('')),
    ),
  );
};

// ---------------------------------------------------------------------------------------------
// SELinux.

const selinuxMatches = (options: Expr): Expr =>
  and(
    eq(get(options, ['user'], ''), param('user')),
    eq(get(options, ['role'], ''), param('role')),
    eq(get(options, ['type'], ''), param('type')),
    selinuxLevelEq(get(options, ['level'], ''), param('level')),
  );

// ---------------------------------------------------------------------------------------------
// Sysctls.

/** `name*` patterns become prefixes (`*` = the empty prefix, matching all); others are exact names. */
function sysctlPatterns(patterns: readonly string[]): { exact: string[]; prefixes: string[] } {
  return {
    exact: uniq(patterns.filter((p) => !p.endsWith('*'))),
    prefixes: uniq(patterns.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1))),
  };
}

/**
 * The kubelet's safe sysctls in Kubernetes 1.24, which PSP allowed without `allowedUnsafeSysctls`.
 * Later kubelets added more; PSP (removed in 1.25) never knew them.
 */
export const PSP_SAFE_SYSCTLS: readonly string[] = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];

const sysctlName = get(v('sysctl'), ['name'], '');
const groupRuleParams = z.object({ rule: z.enum(['MustRunAs', 'MayRunAs', 'RunAsAny']), ranges, usable: z.boolean() });

/** PSP could not build a provider for such a policy (e.g. MustRunAs without ranges): it admitted no pod. */
const usableRule = (why: string): Rule => ({
  id: 'usable',
  scope: podScope,
  field: '',
  require: param('usable'),
  detail: lit(`the policy cannot be used: ${why}`),
});

/** Ranged rules other than RunAsAny/MustRunAsNonRoot need at least one range. */
const rangesUsable = (rule: string, list: readonly unknown[]): boolean => !(rule === 'MustRunAs' || rule === 'MayRunAs') || list.length > 0;

// ---------------------------------------------------------------------------------------------

/**
 * Every control's definition. `satisfies` makes a control added to the IR a compile error here
 * until it is defined.
 */
export const controlDefinitions = {
  privileged: {
    params: z.object({ allowPrivileged: z.boolean() }),
    paramsFor: (c) => ({ allowPrivileged: c.validate.allowPrivileged }),
    rules: [
      {
        id: 'privileged',
        scope: containersScope,
        field: 'securityContext.privileged',
        require: or(param('allowPrivileged'), not(isTrue(container, ['securityContext', 'privileged']))),
        detail: lit('privileged containers are not allowed'),
      },
    ],
  },

  hostNamespaces: {
    params: z.object({ allowHostNetwork: z.boolean(), allowHostPID: z.boolean(), allowHostIPC: z.boolean() }),
    paramsFor: (c) => ({ ...c.validate }),
    rules: (['Network', 'PID', 'IPC'] as const).map((ns) => ({
      id: `host${ns}`,
      scope: podScope,
      field: `spec.host${ns}`,
      require: or(param(`allowHost${ns}`), not(isTrue(pod, ['spec', `host${ns}`]))),
      detail: lit(`host ${ns === 'Network' ? 'network' : ns} is not allowed to be used`),
    })),
  },

  hostPorts: {
    params: z.object({ ranges }),
    paramsFor: (c) => ({ ranges: c.validate.ranges.map(({ min, max }) => ({ min, max })) }),
    rules: [
      {
        id: 'hostPorts',
        scope: containersScope,
        field: 'ports',
        // PSP checks hostPort > 0 only; a container port is not a host port even under hostNetwork.
        require: every(
          'port',
          get(container, ['ports'], []),
          or(
            not(and(has(v('port'), ['hostPort']), { op: 'cmp', cmp: '>', left: get(v('port'), ['hostPort']), right: lit(0) })),
            inRanges(get(v('port'), ['hostPort']), param('ranges')),
          ),
        ),
        detail: lit('a hostPort is outside the allowed ranges'),
      },
    ],
  },

  volumes: {
    params: z.object({ anyType: z.boolean(), allowedSources: z.array(z.string()), allowEmptyDir: z.boolean() }),
    paramsFor: (c) => ({
      anyType: c.validate.anyType,
      // Pod volume source keys, not PSP type names (cephFS is the pod's cephfs).
      allowedSources: uniq(c.validate.allowedTypes.map((type) => SOURCE_KEY_OF_TYPE.get(type) ?? type)),
      allowEmptyDir: c.validate.anyType || c.validate.allowedTypes.includes('emptyDir'),
    }),
    rules: [
      {
        id: 'knownType',
        scope: volumesScope,
        field: '',
        // PSP rejected a source it could not classify (e.g. `image`), even with `*`.
        require: or(some('source', lit(Object.keys(VOLUME_SOURCE_KEYS)), has(volume, [v('source')])), noSource(volume)),
        detail: lit('volume source is not a type PodSecurityPolicy knows'),
      },
      {
        id: 'allowedType',
        scope: volumesScope,
        field: '',
        require: or(
          param('anyType'),
          some('source', param('allowedSources'), has(volume, [v('source')])),
          and(param('allowEmptyDir'), noSource(volume)),
        ),
        detail: lit('volume type is not allowed by spec.volumes'),
      },
    ],
  },

  hostPaths: {
    params: z.object({
      restrict: z.boolean(),
      anyReadOnly: z.boolean(),
      entries: z.array(z.object({ prefix: z.string(), prefixSlash: z.string(), readOnly: z.boolean() })),
    }),
    paramsFor: (c) => {
      const entries = c.validate.allowed.map((entry) => {
        const prefix = entry.pathPrefix.endsWith('/') ? entry.pathPrefix.slice(0, -1) : entry.pathPrefix;
        return { prefix, prefixSlash: `${prefix}/`, readOnly: entry.readOnly };
      });
      return { restrict: entries.length > 0, anyReadOnly: entries.some((e) => e.readOnly), entries };
    },
    rules: [
      {
        id: 'pathPrefix',
        scope: volumesScope,
        field: 'hostPath.path',
        require: or(
          not(param('restrict')),
          not(has(volume, ['hostPath'])),
          and(not(hasBacksteps(hostPathOf(volume))), some('entry', param('entries'), pathMatches(hostPathOf(volume), v('entry')))),
        ),
        detail: lit('host path is not under any spec.allowedHostPaths prefix'),
      },
      {
        id: 'readOnlyMounts',
        scope: containersScope,
        field: 'volumeMounts',
        // The names of the hostPath volumes that must be mounted read-only, computed once per pod:
        // then each mount is one lookup in that short list (containers x mounts x |names|), not a
        // search of every volume (containers x mounts x volumes, 1e8+ estimated CEL cost).
        let: {
          var: 'readOnlyVolumes',
          value: collect('hostVolume', get(pod, ['spec', 'volumes'], []), hostPathNeedsReadOnly(v('hostVolume')), get(v('hostVolume'), ['name'], '')),
        },
        require: or(
          not(param('anyReadOnly')),
          every(
            'mount',
            get(container, ['volumeMounts'], []),
            or(isTrue(v('mount'), ['readOnly']), not(isIn(get(v('mount'), ['name'], ''), v('readOnlyVolumes')))),
          ),
        ),
        detail: lit('a hostPath volume allowed read-only is mounted without readOnly: true'),
      },
    ],
  },

  flexVolumeDrivers: {
    params: z.object({ restrict: z.boolean(), drivers: z.array(z.string()) }),
    paramsFor: (c) => ({ restrict: c.validate.allowedDrivers.length > 0, drivers: [...c.validate.allowedDrivers] }),
    rules: [
      {
        id: 'flexVolumeDriver',
        scope: volumesScope,
        field: 'flexVolume.driver',
        require: or(not(param('restrict')), not(has(volume, ['flexVolume'])), isIn(get(volume, ['flexVolume', 'driver'], ''), param('drivers'))),
        detail: lit('flexVolume driver is not allowed'),
      },
    ],
  },

  csiDrivers: {
    params: z.object({ restrict: z.boolean(), drivers: z.array(z.string()) }),
    paramsFor: (c) => ({ restrict: c.validate.allowedDrivers.length > 0, drivers: [...c.validate.allowedDrivers] }),
    rules: [
      {
        id: 'csiDriver',
        scope: volumesScope,
        field: 'csi.driver',
        require: or(not(param('restrict')), not(has(volume, ['csi'])), isIn(get(volume, ['csi', 'driver'], ''), param('drivers'))),
        detail: lit('inline CSI driver is not allowed'),
      },
    ],
  },

  readOnlyRootFilesystem: {
    params: z.object({ required: z.boolean() }),
    paramsFor: (c) => ({ required: c.validate.required }),
    rules: [
      {
        id: 'readOnlyRootFilesystem',
        scope: containersScope,
        field: 'securityContext.readOnlyRootFilesystem',
        // After defaults: PSP set true where unset, so unset fails here (the mutator sets it).
        require: or(not(param('required')), isTrue(container, ['securityContext', 'readOnlyRootFilesystem'])),
        detail: lit('must be true'),
      },
    ],
  },

  privilegeEscalation: {
    params: z.object({ allowPrivilegeEscalation: z.boolean() }),
    paramsFor: (c) => ({ allowPrivilegeEscalation: c.validate.allowPrivilegeEscalation }),
    rules: [
      {
        id: 'allowPrivilegeEscalation',
        scope: containersScope,
        field: 'securityContext.allowPrivilegeEscalation',
        // Unset counts as true (the kernel default); after defaults PSP had set it false.
        require: or(param('allowPrivilegeEscalation'), eq(sc('allowPrivilegeEscalation', true), lit(false))),
        detail: lit('must be false: privilege escalation is not allowed'),
      },
    ],
  },

  capabilities: {
    params: z.object({
      allowAny: z.boolean(),
      allowedAdd: z.array(z.string()),
      requiredDrop: z.array(z.string()),
      capabilitiesRequired: z.boolean(),
    }),
    paramsFor: (c) => {
      const defaultAdd = c.defaults?.add ?? [];
      return {
        allowAny: c.validate.allowAny,
        // defaultAddCapabilities are implicitly allowed.
        allowedAdd: uniq([...c.validate.allowed, ...defaultAdd]),
        requiredDrop: uniq(c.validate.requiredDrop),
        capabilitiesRequired: defaultAdd.length > 0 || c.validate.requiredDrop.length > 0,
      };
    },
    rules: [
      {
        id: 'capabilitiesSet',
        scope: containersScope,
        field: 'securityContext.capabilities',
        // PSP's first check, before the `*` shortcut: defaults must have produced a capabilities struct.
        require: or(not(param('capabilitiesRequired')), has(container, ['securityContext', 'capabilities'])),
        detail: lit('required capabilities are not set'),
      },
      {
        id: 'add',
        scope: containersScope,
        field: 'securityContext.capabilities.add',
        require: or(
          param('allowAny'),
          every('cap', get(container, ['securityContext', 'capabilities', 'add'], []), isIn(v('cap'), param('allowedAdd'))),
        ),
        detail: lit('a capability may not be added'),
      },
      {
        id: 'drop',
        scope: containersScope,
        field: 'securityContext.capabilities.drop',
        // Literal membership, as PSP: drop [ALL] alone does not satisfy a required drop of NET_RAW.
        // After defaults the drop list holds every required capability anyway.
        require: or(
          param('allowAny'),
          every('required', param('requiredDrop'), isIn(v('required'), get(container, ['securityContext', 'capabilities', 'drop'], []))),
        ),
        detail: lit('a required capability is not dropped'),
      },
    ],
  },

  runAsUser: {
    params: z.object({ rule: z.enum(['MustRunAs', 'MustRunAsNonRoot', 'RunAsAny']), ranges, usable: z.boolean() }),
    paramsFor: (c) => ({
      rule: c.validate.rule,
      ranges: c.validate.ranges.map(({ min, max }) => ({ min, max })),
      usable: rangesUsable(c.validate.rule, c.validate.ranges),
    }),
    rules: [
      usableRule('spec.runAsUser: rule MustRunAs requires at least one range'),
      {
        id: 'mustRunAs',
        scope: containersScope,
        field: 'securityContext.runAsUser',
        require: or(
          not(eq(param('rule'), lit('MustRunAs'))),
          and(hasEffective('runAsUser'), inRanges(effective('runAsUser'), param('ranges'))),
        ),
        detail: lit('must be set (here or in the pod) and within the allowed ranges'),
      },
      {
        id: 'mustRunAsNonRoot',
        scope: containersScope,
        field: 'securityContext.runAsNonRoot',
        // PSP: one of runAsNonRoot/runAsUser set; runAsNonRoot not false; runAsUser not 0.
        require: or(
          not(eq(param('rule'), lit('MustRunAsNonRoot'))),
          and(
            or(hasEffective('runAsNonRoot'), hasEffective('runAsUser')),
            not(and(hasEffective('runAsNonRoot'), eq(effective('runAsNonRoot'), lit(false)))),
            not(and(hasEffective('runAsUser'), eq(effective('runAsUser'), lit(0)))),
          ),
        ),
        detail: lit('must run as non-root: runAsNonRoot must be true or runAsUser non-zero'),
      },
    ],
  },

  runAsGroup: {
    params: groupRuleParams,
    paramsFor: (c) => ({
      // Unset spec.runAsGroup: no check at all.
      rule: c.validate.specified ? c.validate.rule : 'RunAsAny',
      ranges: c.validate.ranges.map(({ min, max }) => ({ min, max })),
      usable: !c.validate.specified || rangesUsable(c.validate.rule, c.validate.ranges),
    }),
    rules: [
      usableRule('spec.runAsGroup: rules MustRunAs and MayRunAs require at least one range'),
      {
        id: 'runAsGroup',
        scope: containersScope,
        field: 'securityContext.runAsGroup',
        require: or(
          eq(param('rule'), lit('RunAsAny')),
          cond(hasEffective('runAsGroup'), inRanges(effective('runAsGroup'), param('ranges')), not(eq(param('rule'), lit('MustRunAs')))),
        ),
        detail: lit('must be within the allowed ranges (and set, under MustRunAs)'),
      },
    ],
  },

  supplementalGroups: {
    params: groupRuleParams,
    paramsFor: (c) => ({
      rule: c.validate.rule,
      ranges: c.validate.ranges.map(({ min, max }) => ({ min, max })),
      usable: rangesUsable(c.validate.rule, c.validate.ranges),
    }),
    rules: [
      usableRule('spec.supplementalGroups: rules MustRunAs and MayRunAs require at least one range'),
      {
        id: 'supplementalGroups',
        scope: podScope,
        field: 'spec.securityContext.supplementalGroups',
        require: or(
          eq(param('rule'), lit('RunAsAny')),
          and(
            or(not(eq(param('rule'), lit('MustRunAs'))), nonEmpty(podSc('supplementalGroups', []), 'group')),
            every('group', podSc('supplementalGroups', []), inRanges(v('group'), param('ranges'))),
          ),
        ),
        detail: lit('must be within the allowed ranges (and non-empty, under MustRunAs)'),
      },
    ],
  },

  fsGroup: {
    params: groupRuleParams,
    paramsFor: (c) => ({
      rule: c.validate.rule,
      ranges: c.validate.ranges.map(({ min, max }) => ({ min, max })),
      usable: rangesUsable(c.validate.rule, c.validate.ranges),
    }),
    rules: [
      usableRule('spec.fsGroup: rules MustRunAs and MayRunAs require at least one range'),
      {
        id: 'fsGroup',
        scope: podScope,
        field: 'spec.securityContext.fsGroup',
        require: or(
          eq(param('rule'), lit('RunAsAny')),
          cond(
            has(pod, ['spec', 'securityContext', 'fsGroup']),
            inRanges(podSc('fsGroup'), param('ranges')),
            not(eq(param('rule'), lit('MustRunAs'))),
          ),
        ),
        detail: lit('must be within the allowed ranges (and set, under MustRunAs)'),
      },
    ],
  },

  seLinux: {
    params: z.object({ mustRunAs: z.boolean(), usable: z.boolean(), user: z.string(), role: z.string(), type: z.string(), level: z.string() }),
    paramsFor: (c) => ({
      // MustRunAs without options made the policy unusable (the `usable` rule); nothing to compare then.
      mustRunAs: c.validate.rule === 'MustRunAs' && c.validate.options !== null,
      usable: c.validate.rule !== 'MustRunAs' || c.validate.options !== null,
      user: c.validate.options?.user ?? '',
      role: c.validate.options?.role ?? '',
      type: c.validate.options?.type ?? '',
      level: c.validate.options?.level ?? '',
    }),
    rules: [
      usableRule('spec.seLinux: rule MustRunAs requires seLinuxOptions'),
      {
        id: 'podSeLinuxOptions',
        scope: podScope,
        field: 'spec.securityContext.seLinuxOptions',
        // After defaults the pod level is always set under MustRunAs; PSP validated it too.
        require: or(
          not(param('mustRunAs')),
          and(has(pod, ['spec', 'securityContext', 'seLinuxOptions']), selinuxMatches(podSc('seLinuxOptions'))),
        ),
        detail: lit('must equal the policy seLinuxOptions'),
      },
      {
        id: 'seLinuxOptions',
        scope: containersScope,
        field: 'securityContext.seLinuxOptions',
        require: or(
          not(param('mustRunAs')),
          cond(
            has(container, ['securityContext', 'seLinuxOptions']),
            selinuxMatches(sc('seLinuxOptions')),
            and(has(pod, ['spec', 'securityContext', 'seLinuxOptions']), selinuxMatches(podSc('seLinuxOptions'))),
          ),
        ),
        detail: lit('effective seLinuxOptions must equal the policy seLinuxOptions'),
      },
    ],
  },

  procMount: {
    params: z.object({ allowed: z.array(z.string()) }),
    paramsFor: (c) => ({ allowed: c.validate.allowed.length > 0 ? [...c.validate.allowed] : ['Default'] }),
    rules: [
      {
        id: 'procMount',
        scope: containersScope,
        field: 'securityContext.procMount',
        require: isIn(sc('procMount', 'Default'), param('allowed')),
        detail: lit('procMount type is not allowed'),
      },
    ],
  },

  sysctls: {
    params: z.object({
      forbiddenExact: z.array(z.string()),
      forbiddenPrefixes: z.array(z.string()),
      allowedExact: z.array(z.string()),
      allowedPrefixes: z.array(z.string()),
    }),
    paramsFor: (c) => {
      const forbidden = sysctlPatterns(c.validate.forbidden);
      const allowed = sysctlPatterns([...PSP_SAFE_SYSCTLS, ...c.validate.allowedUnsafe]);
      return {
        forbiddenExact: forbidden.exact,
        forbiddenPrefixes: forbidden.prefixes,
        allowedExact: allowed.exact,
        allowedPrefixes: allowed.prefixes,
      };
    },
    rules: [
      {
        id: 'forbidden',
        scope: { kind: 'items', path: ['spec', 'securityContext', 'sysctls'], var: 'sysctl', label: sysctlName },
        field: 'name',
        require: not(or(isIn(sysctlName, param('forbiddenExact')), startsWithAny(sysctlName, param('forbiddenPrefixes')))),
        detail: lit('sysctl is forbidden'),
      },
      {
        id: 'allowed',
        scope: { kind: 'items', path: ['spec', 'securityContext', 'sysctls'], var: 'sysctl', label: sysctlName },
        field: 'name',
        require: or(isIn(sysctlName, param('allowedExact')), startsWithAny(sysctlName, param('allowedPrefixes'))),
        detail: lit('unsafe sysctl is not allowed'),
      },
    ],
  },

  seccomp: {
    params: z.object({ allowAny: z.boolean(), allowed: z.array(z.string()) }),
    paramsFor: (c) => {
      const allowed = c.validate.allowed ?? [];
      return {
        allowAny: allowed.includes('*'),
        // No list (or an empty one): only "no profile" is allowed.
        allowed: allowed.length === 0 ? [''] : uniq(allowed.filter((name) => name !== '*')),
      };
    },
    rules: [
      {
        id: 'podProfile',
        scope: podScope,
        field: `metadata.annotations[${SECCOMP_POD_ANNOTATION}]`,
        require: or(param('allowAny'), isIn(podSeccomp(), param('allowed'))),
        detail: lit('seccomp profile is not allowed'),
      },
      {
        id: 'containerProfile',
        scope: containersScope,
        field: 'securityContext.seccompProfile',
        require: or(param('allowAny'), isIn(containerSeccomp(), param('allowed'))),
        detail: lit('seccomp profile is not allowed'),
      },
    ],
  },

  appArmor: {
    params: z.object({ restrict: z.boolean(), allowUnset: z.boolean(), allowed: z.array(z.string()) }),
    paramsFor: (c) => ({
      restrict: c.validate.allowed !== null,
      allowUnset: (c.validate.allowed ?? []).length === 0,
      allowed: [...(c.validate.allowed ?? [])],
    }),
    rules: [
      {
        id: 'profile',
        scope: containersScope,
        field: 'securityContext.appArmorProfile',
        require: or(
          not(param('restrict')),
          cond(eq(containerAppArmor(), lit('')), param('allowUnset'), isIn(containerAppArmor(), param('allowed'))),
        ),
        detail: lit('AppArmor profile is not allowed (or must be set)'),
      },
    ],
  },

  runtimeClass: {
    params: z.object({ restrict: z.boolean(), allowed: z.array(z.string()) }),
    paramsFor: (c) => ({
      restrict: c.validate.allowed !== null && !c.validate.allowed.includes('*'),
      allowed: [...(c.validate.allowed ?? [])],
    }),
    rules: [
      {
        id: 'runtimeClassName',
        scope: podScope,
        field: 'spec.runtimeClassName',
        // An unset runtimeClassName is always allowed (after defaults it holds the default).
        require: or(
          not(param('restrict')),
          not(has(pod, ['spec', 'runtimeClassName'])),
          isIn(get(pod, ['spec', 'runtimeClassName']), param('allowed')),
        ),
        detail: lit('runtime class is not allowed'),
      },
    ],
  },
} satisfies { [K in ControlKind]: ControlDefinition<K> };

/** Params of every control of one policy, by control kind. */
export type ControlParams = { [K in ControlKind]: ReturnType<(typeof controlDefinitions)[K]['paramsFor']> };

/** The params of one control of a policy. */
export function paramsFor<K extends ControlKind>(kind: K, control: Controls[K]): Record<string, Json> {
  const definition = controlDefinitions[kind] as unknown as ControlDefinition<K>;
  return definition.paramsFor(control);
}
