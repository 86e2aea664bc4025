/**
 * How faithfully the CEL of each control reproduces PSP validation of a defaulted pod.
 */
import type { ControlKind } from '../ir/ir.js';

/** `exact`: same verdict as PSP on every defaulted pod; `approximate`: see the note. */
export interface CelFidelity {
  fidelity: 'exact' | 'approximate';
  note?: string;
}

const AFTER_DEFAULTS = 'checks the pod after the policy defaults; an undefaulted pod that leaves the field unset fails until the mutator runs';

/** Per control: does the CEL decide as PSP did? */
export const celFidelity = {
  privileged: { fidelity: 'exact' },
  hostNamespaces: { fidelity: 'exact' },
  hostPorts: { fidelity: 'exact', note: 'only ports[].hostPort > 0 is checked, as PSP did (container ports under hostNetwork are not)' },
  volumes: {
    fidelity: 'exact',
    note: 'a volume with no source counts as emptyDir (API server default); a source PSP did not know (e.g. image) is rejected even with *',
  },
  hostPaths: {
    fidelity: 'exact',
    note: "prefix match ignores one trailing '/' and nothing else, as PSP; paths with a '..' segment never match (the API server rejects them in any pod)",
  },
  flexVolumeDrivers: { fidelity: 'exact' },
  csiDrivers: { fidelity: 'exact' },
  readOnlyRootFilesystem: { fidelity: 'exact', note: AFTER_DEFAULTS },
  privilegeEscalation: { fidelity: 'exact', note: AFTER_DEFAULTS },
  capabilities: {
    fidelity: 'exact',
    note: `${AFTER_DEFAULTS}; required drops are literal members of drop ([ALL] alone does not satisfy NET_RAW), as PSP; with * nothing is checked`,
  },
  runAsUser: { fidelity: 'exact', note: AFTER_DEFAULTS },
  runAsGroup: { fidelity: 'exact', note: AFTER_DEFAULTS },
  supplementalGroups: { fidelity: 'exact', note: AFTER_DEFAULTS },
  fsGroup: { fidelity: 'exact', note: AFTER_DEFAULTS },
  seLinux: {
    fidelity: 'exact',
    note: `${AFTER_DEFAULTS}; levels compare as PSP's equalLevels (categories in any order) using the strings extension (indexOf, substring, split)`,
  },
  procMount: { fidelity: 'exact', note: 'unset procMount is Default' },
  sysctls: {
    fidelity: 'exact',
    note: 'the safe set is the kubelet 1.24 list PSP knew; sysctls made safe later still need allowedUnsafeSysctls, as under PSP',
  },
  seccomp: {
    fidelity: 'exact',
    note: `${AFTER_DEFAULTS}; profiles in annotation form; the seccompProfile fields count where the annotation is absent, as the API server mirrors them`,
  },
  appArmor: {
    fidelity: 'exact',
    note: `${AFTER_DEFAULTS}; the 1.30+ appArmorProfile fields count where the annotation is absent or empty`,
  },
  runtimeClass: { fidelity: 'exact', note: 'an unset runtimeClassName is allowed; after defaults it holds the default' },
} satisfies Record<ControlKind, CelFidelity>;
