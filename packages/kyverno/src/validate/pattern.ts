/**
 * `--kyverno-style pattern`: classic `pattern` / `deny` rules that Kyverno 1.6-1.10 run, for the
 * controls whose PSP semantics they express exactly. Other controls fall back to `validate.cel`
 * rules (Kyverno 1.11+) and are reported, never dropped.
 *
 * Container checks use `foreach` over all three container lists
 * (`request.object.spec.[ephemeralContainers, initContainers, containers][]`) with `deny`
 * conditions, so no container kind is forgotten.
 */
import { CONTROL_KINDS, type ControlKind, type Controls, type PolicyIR } from '@psp-translate/core';
import { kebabCase } from '../names.js';
import { controlIsUnrestricted } from '../permissive.js';
import { jmespathLiteral } from '../scope.js';
import type { FidelityEntry } from '../types.js';

/** A classic validate rule body (`match` and preconditions are added by the caller). */
export interface ClassicRule {
  name: string;
  validate: Record<string, unknown>;
}

/** Result of a classic style: rules, controls left to CEL, report lines. `rules` undefined = use CEL for everything. */
export interface StyledRules {
  rules: ClassicRule[] | undefined;
  celControls: ControlKind[];
  report: FidelityEntry[];
}

const ALL_CONTAINERS = 'request.object.spec.[ephemeralContainers, initContainers, containers][]';

/** A deny rule over every container: denied when the JMESPath boolean `condition` (over `element`) holds. */
function denyEachContainer(message: string, condition: string): Record<string, unknown> {
  return {
    message,
    foreach: [{ list: ALL_CONTAINERS, deny: { conditions: { any: [{ key: `{{ ${condition} }}`, operator: 'Equals', value: true }] } } }],
  };
}

/** A deny rule on the pod: denied when the JMESPath boolean `condition` holds. */
function denyPod(message: string, condition: string): Record<string, unknown> {
  return { message, deny: { conditions: { any: [{ key: `{{ ${condition} }}`, operator: 'Equals', value: true }] } } };
}

const lit = jmespathLiteral;
/** Some item of `list` is not among `allowed`. */
const someNotIn = (list: string, allowed: readonly string[]) => `length((${list} || \`[]\`)[?!contains(${lit(allowed)}, @)]) > \`0\``;
const rangeTest = (value: string, ranges: readonly { min: number; max: number }[]) =>
  ranges.length === 0 ? 'false' : ranges.map((r) => `(${value} >= ${lit(r.min)} && ${value} <= ${lit(r.max)})`).join(' || ');

type PatternHandler<K extends ControlKind> = (control: Controls[K], policy: PolicyIR) => Record<string, unknown> | undefined;

const message = (policy: PolicyIR, kind: ControlKind, what: string) => `PodSecurityPolicy ${policy.name}: ${kind}: ${what}`;

/**
 * Per control: the classic rule, or undefined where classic rules cannot say exactly what PSP
 * meant (the control then falls back to CEL).
 */
const handlers: { [K in ControlKind]: PatternHandler<K> } = {
  privileged: (c, p) => denyEachContainer(message(p, 'privileged', 'privileged containers are not allowed'), 'element.securityContext.privileged == `true`'),
  hostNamespaces: (c, p) => {
    const forbidden = (['Network', 'PID', 'IPC'] as const).filter((ns) => !c.validate[`allowHost${ns}`]).map((ns) => `request.object.spec.host${ns} == \`true\``);
    return denyPod(message(p, 'hostNamespaces', 'host namespaces are not allowed'), forbidden.join(' || '));
  },
  hostPorts: (c, p) =>
    denyEachContainer(
      message(p, 'hostPorts', 'a hostPort is outside the allowed ranges'),
      `length((element.ports || \`[]\`)[?hostPort > \`0\` && !(${rangeTest('hostPort', c.validate.ranges)})]) > \`0\``,
    ),
  // Volume types, unknown sources and emptyDir-by-absence need CEL's exact reading.
  volumes: () => undefined,
  // Segment-wise prefixes after path cleaning and read-only mounts across containers: CEL.
  hostPaths: () => undefined,
  flexVolumeDrivers: (c, p) =>
    denyPod(
      message(p, 'flexVolumeDrivers', 'flexVolume driver is not allowed'),
      someNotIn('request.object.spec.volumes[?flexVolume].flexVolume.driver', c.validate.allowedDrivers),
    ),
  csiDrivers: (c, p) =>
    denyPod(message(p, 'csiDrivers', 'inline CSI driver is not allowed'), someNotIn('request.object.spec.volumes[?csi].csi.driver', c.validate.allowedDrivers)),
  readOnlyRootFilesystem: (c, p) =>
    denyEachContainer(message(p, 'readOnlyRootFilesystem', 'readOnlyRootFilesystem must be true'), '!(element.securityContext.readOnlyRootFilesystem == `true`)'),
  privilegeEscalation: (c, p) =>
    denyEachContainer(
      message(p, 'privilegeEscalation', 'allowPrivilegeEscalation must be false'),
      // After defaults the field is set; unset means the pod bypassed the mutation.
      '!(element.securityContext.allowPrivilegeEscalation == `false`)',
    ),
  capabilities: (c, p) => {
    const defaultAdd = p.controls.capabilities.defaults?.add ?? [];
    const parts: string[] = [];
    // PSP's checks: defaults must have produced a capabilities struct; with `*` nothing else.
    if (defaultAdd.length > 0 || c.validate.requiredDrop.length > 0) parts.push('element.securityContext.capabilities == `null`');
    if (!c.validate.allowAny) {
      // Default adds are implicitly allowed.
      parts.push(someNotIn('element.securityContext.capabilities.add', [...new Set([...c.validate.allowed, ...defaultAdd])]));
      // Literal membership: drop [ALL] alone does not satisfy a required NET_RAW.
      const drop = '(element.securityContext.capabilities.drop || `[]`)';
      parts.push(...c.validate.requiredDrop.map((cap) => `!contains(${drop}, ${lit(cap)})`));
    }
    if (parts.length === 0) return undefined;
    return denyEachContainer(message(p, 'capabilities', 'capabilities are not allowed'), parts.map((x) => `(${x})`).join(' || '));
  },
  // Effective values (container, else pod) and range arithmetic read more safely in CEL.
  runAsUser: () => undefined,
  runAsGroup: () => undefined,
  supplementalGroups: (c, p) => {
    if (c.validate.rule === 'RunAsAny') return undefined;
    const groups = 'request.object.spec.securityContext.supplementalGroups';
    const outOfRange = `length((${groups} || \`[]\`)[?!(${rangeTest('@', c.validate.ranges)})]) > \`0\``;
    const condition = c.validate.rule === 'MustRunAs' ? `length(${groups} || \`[]\`) == \`0\` || ${outOfRange}` : outOfRange;
    return denyPod(message(p, 'supplementalGroups', 'supplementalGroups are outside the allowed ranges'), condition);
  },
  fsGroup: (c, p) => {
    if (c.validate.rule === 'RunAsAny') return undefined;
    const group = 'request.object.spec.securityContext.fsGroup';
    const outOfRange = `!(${rangeTest(group, c.validate.ranges)})`;
    const condition = c.validate.rule === 'MustRunAs' ? `${group} == \`null\` || ${outOfRange}` : `${group} != \`null\` && ${outOfRange}`;
    return denyPod(message(p, 'fsGroup', 'fsGroup is outside the allowed ranges'), condition);
  },
  // SELinux levels compare canonically (category order): CEL.
  seLinux: () => undefined,
  procMount: (c, p) =>
    denyEachContainer(
      message(p, 'procMount', 'procMount type is not allowed'),
      // An empty list allows only Default; a non-empty list allows exactly its entries.
      `!contains(${lit(c.validate.allowed.length === 0 ? ['Default'] : c.validate.allowed)}, element.securityContext.procMount || 'Default')`,
    ),
  // Glob matching of sysctl names and the kubelet's safe set: CEL.
  sysctls: () => undefined,
  // Annotation and field forms of profiles: CEL.
  seccomp: () => undefined,
  appArmor: () => undefined,
  runtimeClass: (c, p) => {
    if (c.validate.allowed === null) return undefined;
    return denyPod(
      message(p, 'runtimeClass', 'runtimeClassName is not allowed'),
      `request.object.spec.runtimeClassName != \`null\` && !contains(${lit(c.validate.allowed)}, request.object.spec.runtimeClassName)`,
    );
  },
};

/** Classic rules for one PSP; controls the classic language cannot express exactly go to CEL. */
export function patternRules(policy: PolicyIR): StyledRules {
  const rules: ClassicRule[] = [];
  const celControls: ControlKind[] = [];
  for (const kind of CONTROL_KINDS) {
    const control = policy.controls[kind];
    if (controlIsUnrestricted(kind, control)) continue;
    const validate = (handlers[kind] as PatternHandler<ControlKind>)(control, policy);
    if (validate === undefined) celControls.push(kind);
    else rules.push({ name: kebabCase(kind), validate });
  }
  const report: FidelityEntry[] = celControls.map((kind) => ({
    policy: policy.name,
    control: kind,
    aspect: 'validation',
    fidelity: 'note',
    message: `${kind} is written as a validate.cel rule (Kyverno 1.11+): pattern/deny rules cannot state PSP's check exactly`,
  }));
  return { rules, celControls, report };
}
