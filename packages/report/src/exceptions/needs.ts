/**
 * What a pod needs beyond a Pod Security level, check by check, at the granularity of check +
 * container + exact values (capability names, host paths, ports), and how to take exactly that away
 * from a pod again ("sanitise"), so the PSA checks themselves stay the judge of everything else.
 */
import { CONTAINER_KINDS, type Container, type ContainerKind, type Pod, type PodSpec } from '@psp-translate/core';
import { BASELINE_CAPABILITIES, RESTRICTED_VOLUME_SOURCES as RESTRICTED_VOLUME_TYPES, type CheckId } from '@psp-translate/psa';

/** A container as an exception names it. */
export interface ContainerRef {
  kind: ContainerKind;
  name: string;
  /** `image` as written (Kyverno's exemptions match containers by image). */
  image: string;
}

/** The workload an exception is for. */
export interface ExceptionWorkload {
  kind: string;
  namespace: string;
  name: string;
}

/**
 * One thing a workload needs that the baseline level forbids: one check, one container (or the pod),
 * one field, the exact values. `values: []` with `wholeCheck: true` means the check is exempted for
 * the workload as a whole: psp-translate has no finer handle on it (see `FINE_CHECKS`).
 */
export interface ExceptionNeed {
  check: CheckId;
  workload: ExceptionWorkload;
  /** `null` for pod-level fields (host namespaces, volumes). */
  container: ContainerRef | null;
  /** The field in Kyverno's `restrictedField` notation, e.g. `spec.containers[*].securityContext.capabilities.add`. */
  field: string;
  /** The exact values needed, sorted: capability names, host paths, ports, `true`. */
  values: string[];
  wholeCheck?: true;
}

/** The checks psp-translate narrows to exact values; the others are exempted per workload as a whole. */
export const FINE_CHECKS: readonly CheckId[] = [
  'hostNamespaces',
  'privileged',
  'capabilities_baseline',
  'capabilities_restricted',
  'hostPathVolumes',
  'restrictedVolumes',
  'hostPorts',
  'allowPrivilegeEscalation',
  'runAsNonRoot',
  'runAsUser',
  'seccompProfile_baseline',
  'seccompProfile_restricted',
];

const RESTRICTED_CAPABILITIES = new Set(['NET_BIND_SERVICE']);

/** Where a container-level field lives, in restrictedField notation. */
function containerField(kind: ContainerKind, rest: string): string {
  return `spec.${kind}[*].${rest}`;
}

function containersOf(spec: PodSpec): { kind: ContainerKind; container: Container }[] {
  return CONTAINER_KINDS.flatMap((kind) => (spec[kind] ?? []).map((container) => ({ kind, container })));
}

function refOf(kind: ContainerKind, container: Container): ContainerRef {
  return { kind, name: container.name, image: container.image ?? '' };
}

function sorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** A volume's source type: its one key besides `name` (none = emptyDir, as the API server defaults). */
export function volumeType(volume: Record<string, unknown>): string {
  return Object.keys(volume).find((key) => key !== 'name' && volume[key] !== null && volume[key] !== undefined) ?? 'emptyDir';
}

/** Effective seccomp type of a container (container over pod); `''` when unset. */
function seccompType(spec: PodSpec, container: Container): string {
  return container.securityContext?.seccompProfile?.type ?? spec.securityContext?.seccompProfile?.type ?? '';
}

/**
 * What `pod` needs for one failing check, one need per container and field. Checks outside
 * {@link FINE_CHECKS} give one whole-check need.
 */
export function needsFor(check: CheckId, pod: Pod, workload: ExceptionWorkload): ExceptionNeed[] {
  const spec = pod.spec;
  const needs: ExceptionNeed[] = [];
  const add = (container: ContainerRef | null, field: string, values: Iterable<string>) => {
    const list = sorted(values);
    if (list.length > 0) needs.push({ check, workload, container, field, values: list });
  };
  switch (check) {
    case 'hostNamespaces':
      for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) if (spec[field] === true) add(null, `spec.${field}`, ['true']);
      break;
    case 'privileged':
      for (const { kind, container } of containersOf(spec)) if (container.securityContext?.privileged === true) add(refOf(kind, container), containerField(kind, 'securityContext.privileged'), ['true']);
      break;
    case 'capabilities_baseline':
    case 'capabilities_restricted': {
      const allowed = check === 'capabilities_baseline' ? BASELINE_CAPABILITIES : RESTRICTED_CAPABILITIES;
      for (const { kind, container } of containersOf(spec)) {
        const caps = container.securityContext?.capabilities;
        add(refOf(kind, container), containerField(kind, 'securityContext.capabilities.add'), (caps?.add ?? []).filter((cap) => !allowed.has(cap)));
        if (check === 'capabilities_restricted' && !(caps?.drop ?? []).includes('ALL')) {
          // Restricted also wants drop: [ALL]; the need is "may keep these capabilities", i.e. the drop list as it is.
          needs.push({ check, workload, container: refOf(kind, container), field: containerField(kind, 'securityContext.capabilities.drop'), values: sorted(caps?.drop ?? []) });
        }
      }
      break;
    }
    case 'hostPathVolumes':
      add(null, 'spec.volumes[*].hostPath', (spec.volumes ?? []).flatMap((v) => (v.hostPath ? [v.hostPath.path] : [])));
      break;
    case 'restrictedVolumes':
      // A hostPath volume is needed by path (restricted replaces the baseline hostPath check, so the type alone would allow every path).
      add(null, 'spec.volumes[*].hostPath', (spec.volumes ?? []).flatMap((v) => (v.hostPath ? [v.hostPath.path] : [])));
      add(null, 'spec.volumes[*]', (spec.volumes ?? []).filter((v) => !v.hostPath).map((v) => volumeType(v)).filter((type) => !RESTRICTED_VOLUME_TYPES.has(type)));
      break;
    case 'hostPorts':
      for (const { kind, container } of containersOf(spec)) {
        add(refOf(kind, container), containerField(kind, 'ports[*].hostPort'), (container.ports ?? []).flatMap((p) => (typeof p.hostPort === 'number' && p.hostPort !== 0 ? [String(p.hostPort)] : [])));
      }
      break;
    case 'allowPrivilegeEscalation':
      for (const { kind, container } of containersOf(spec)) {
        const value = container.securityContext?.allowPrivilegeEscalation;
        if (value !== false) add(refOf(kind, container), containerField(kind, 'securityContext.allowPrivilegeEscalation'), [value === true ? 'true' : 'undefined']);
      }
      break;
    case 'runAsNonRoot':
      for (const { kind, container } of containersOf(spec)) {
        const value = container.securityContext?.runAsNonRoot ?? spec.securityContext?.runAsNonRoot;
        if (value !== true) add(refOf(kind, container), containerField(kind, 'securityContext.runAsNonRoot'), [value === false ? 'false' : 'undefined']);
      }
      break;
    case 'runAsUser':
      for (const { kind, container } of containersOf(spec)) {
        if ((container.securityContext?.runAsUser ?? spec.securityContext?.runAsUser) === 0) add(refOf(kind, container), containerField(kind, 'securityContext.runAsUser'), ['0']);
      }
      break;
    case 'seccompProfile_baseline':
    case 'seccompProfile_restricted':
      for (const { kind, container } of containersOf(spec)) {
        const type = seccompType(spec, container);
        const bad = check === 'seccompProfile_baseline' ? type === 'Unconfined' : type !== 'RuntimeDefault' && type !== 'Localhost';
        if (bad) add(refOf(kind, container), containerField(kind, 'securityContext.seccompProfile.type'), [type === '' ? 'undefined' : type]);
      }
      break;
    default:
      needs.push({ check, workload, container: null, field: '', values: [], wholeCheck: true });
  }
  if (needs.length === 0) needs.push({ check, workload, container: null, field: '', values: [], wholeCheck: true });
  return needs;
}

function sameContainer(ref: ContainerRef | null, kind: ContainerKind, container: Container): boolean {
  return ref !== null && ref.kind === kind && ref.name === container.name && ref.image === (container.image ?? '');
}

/**
 * `pod` with exactly what `covered` allows taken away for `check` (a covered capability removed from
 * `add`, a covered host path replaced by an emptyDir, ...). What stays is judged by the check itself.
 */
export function sanitise(pod: Pod, check: CheckId, covered: readonly ExceptionNeed[]): Pod {
  const copy = structuredClone(pod);
  const spec = copy.spec;
  const values = (field: string, kind?: ContainerKind, container?: Container) =>
    new Set(covered.filter((n) => n.check === check && n.field === field && (kind === undefined || sameContainer(n.container, kind, container as Container))).flatMap((n) => n.values));
  const securityContext = (container: Container) => (container.securityContext ??= {});
  switch (check) {
    case 'hostNamespaces':
      for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) if (values(`spec.${field}`).has('true')) spec[field] = false;
      break;
    case 'privileged':
      for (const { kind, container } of containersOf(spec)) if (values(containerField(kind, 'securityContext.privileged'), kind, container).has('true')) securityContext(container).privileged = false;
      break;
    case 'capabilities_baseline':
    case 'capabilities_restricted':
      for (const { kind, container } of containersOf(spec)) {
        const allowedAdd = values(containerField(kind, 'securityContext.capabilities.add'), kind, container);
        const caps = container.securityContext?.capabilities;
        if (caps?.add) caps.add = caps.add.filter((cap) => !allowedAdd.has(cap));
        const dropNeeds = covered.filter((n) => n.check === check && n.field === containerField(kind, 'securityContext.capabilities.drop') && sameContainer(n.container, kind, container));
        // The drop need covers exactly the drop list it was derived from.
        if (dropNeeds.some((n) => JSON.stringify(n.values) === JSON.stringify(sorted(caps?.drop ?? [])))) {
          const capabilities = (securityContext(container).capabilities ??= {});
          capabilities.drop = [...(capabilities.drop ?? []), 'ALL'];
        }
      }
      break;
    case 'hostPathVolumes': {
      const paths = values('spec.volumes[*].hostPath');
      spec.volumes = (spec.volumes ?? []).map((v) => (v.hostPath && paths.has(v.hostPath.path) ? { name: v.name, emptyDir: {} } : v));
      break;
    }
    case 'restrictedVolumes': {
      const types = values('spec.volumes[*]');
      const paths = values('spec.volumes[*].hostPath');
      spec.volumes = (spec.volumes ?? []).map((v) => ((v.hostPath ? paths.has(v.hostPath.path) : types.has(volumeType(v))) ? { name: v.name, emptyDir: {} } : v));
      break;
    }
    case 'hostPorts':
      for (const { kind, container } of containersOf(spec)) {
        const ports = values(containerField(kind, 'ports[*].hostPort'), kind, container);
        container.ports = (container.ports ?? []).map((p) => (typeof p.hostPort === 'number' && ports.has(String(p.hostPort)) ? { ...p, hostPort: 0 } : p));
      }
      break;
    case 'allowPrivilegeEscalation':
      for (const { kind, container } of containersOf(spec)) {
        const value = container.securityContext?.allowPrivilegeEscalation;
        if (values(containerField(kind, 'securityContext.allowPrivilegeEscalation'), kind, container).has(value === true ? 'true' : value === false ? 'false' : 'undefined')) securityContext(container).allowPrivilegeEscalation = false;
      }
      break;
    case 'runAsNonRoot':
      for (const { kind, container } of containersOf(spec)) {
        const value = container.securityContext?.runAsNonRoot ?? spec.securityContext?.runAsNonRoot;
        if (values(containerField(kind, 'securityContext.runAsNonRoot'), kind, container).has(value === false ? 'false' : value === true ? 'true' : 'undefined')) securityContext(container).runAsNonRoot = true;
      }
      break;
    case 'runAsUser':
      for (const { kind, container } of containersOf(spec)) {
        if (values(containerField(kind, 'securityContext.runAsUser'), kind, container).has('0')) securityContext(container).runAsUser = 65534;
      }
      break;
    case 'seccompProfile_baseline':
    case 'seccompProfile_restricted':
      for (const { kind, container } of containersOf(spec)) {
        const type = seccompType(spec, container);
        if (values(containerField(kind, 'securityContext.seccompProfile.type'), kind, container).has(type === '' ? 'undefined' : type)) securityContext(container).seccompProfile = { type: 'RuntimeDefault' };
      }
      break;
    default:
      break;
  }
  return copy;
}
