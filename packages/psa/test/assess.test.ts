import { describe, expect, it } from 'vitest';
import { policyFixture } from '@psp-translate/core/testing';
import { assessPolicy, type Assessment } from '@psp-translate/psa';
import { corpusPolicy, corpusPresent, policyFromYaml, TIGHT_BASELINE } from './support.js';

const ids = (a: Assessment) => a.blockers.map((b) => b.check);
const label = (a: Assessment) => `${a.level}:v1.${a.version.minor}`;
const lostControls = (a: Assessment) => a.lostProtections.map((p) => p.control);
const defaults = (a: Assessment) => a.lostDefaults.map((d) => `${d.value} -> ${d.effect}`);
const gaps = (a: Assessment) => a.gaps.map((g) => g.message);
const mapped = (a: Assessment) => a.mappedFields.map((f) => `${f.field}: ${f.value} -> ${f.tableLevel === f.level ? f.level : `${f.level} (table: ${f.tableLevel})`}`);

/** The Kubernetes docs' restricted PSP, pinned to one SELinux level. */
const TIGHT_RESTRICTED = `
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: tight-restricted
  annotations:
    apparmor.security.beta.kubernetes.io/allowedProfileNames: 'runtime/default'
    seccomp.security.alpha.kubernetes.io/allowedProfileNames: 'runtime/default'
    seccomp.security.alpha.kubernetes.io/defaultProfileName: 'runtime/default'
spec:
  privileged: false
  allowPrivilegeEscalation: false
  requiredDropCapabilities: [ALL]
  allowedCapabilities: [NET_BIND_SERVICE]
  volumes: [configMap, emptyDir, projected, secret, downwardAPI, csi, persistentVolumeClaim, ephemeral]
  runAsUser: { rule: MustRunAsNonRoot }
  seLinux:
    rule: MustRunAs
    seLinuxOptions: { level: 's0:c123,c456' }
  supplementalGroups: { rule: MustRunAs, ranges: [{ min: 1, max: 65535 }] }
  fsGroup: { rule: MustRunAs, ranges: [{ min: 1, max: 65535 }] }
`;

describe.skipIf(!corpusPresent)('corpus PSPs', () => {
  it("the Kubernetes docs' restricted PSP is only privileged-safe: SELinux RunAsAny, runAsNonRoot, and checks PSP never had", () => {
    const a = assessPolicy(corpusPolicy('kubernetes-docs-restricted.yaml'));
    expect(label(a)).toBe('privileged:v1.37');
    expect(ids(a)).toEqual(['hostProbesAndHostLifecycle', 'seLinuxOptions', 'runAsNonRoot', 'runAsUser']);
    expect(a.blockers.find((b) => b.check === 'hostProbesAndHostLifecycle')?.versions).toEqual([{ from: { major: 1, minor: 34 }, to: { major: 1, minor: 37 } }]);
    expect(a.blockers.find((b) => b.check === 'seLinuxOptions')?.reason).toBe(
      'allows any SELinux options, including custom types, users and roles (spec.seLinux.rule: RunAsAny)',
    );
    expect(lostControls(a)).toEqual([
      'privileged',
      'hostNamespaces',
      'hostPorts',
      'volumes',
      'privilegeEscalation',
      'capabilities',
      'capabilities',
      'runAsUser',
      'supplementalGroups',
      'fsGroup',
      'procMount',
      'sysctls',
      'seccomp',
      'appArmor',
    ]);
    expect(a.lostProtections.find((p) => p.control === 'seccomp')?.message).toBe(
      'seccomp profiles limited to docker/default, runtime/default (metadata.annotations["seccomp.security.alpha.kubernetes.io/allowedProfileNames"]); privileged also admits unconfined, no profile, any localhost/ profile',
    );
    expect(defaults(a)).toEqual([
      'allowPrivilegeEscalation: false -> changed',
      'capabilities.drop: [ALL] -> changed',
      'runAsNonRoot: true -> changed',
      'supplementalGroups: [1] -> changed',
      'fsGroup: 1 -> changed',
      'AppArmor profile runtime/default -> changed',
    ]);
    // Before v1.23 (no runAsUser check) and v1.34 (no probe-host check) only two blockers remain.
    expect(ids(assessPolicy(corpusPolicy('kubernetes-docs-restricted.yaml'), { kubeVersion: '1.22' }))).toEqual(['seLinuxOptions', 'runAsNonRoot']);
  });

  it("the Kubernetes docs' restricted PSP maps to restricted, and the gaps say which admitted pods restricted rejects", () => {
    const a = assessPolicy(corpusPolicy('kubernetes-docs-restricted.yaml'));
    expect(a.level).toBe('privileged');
    expect(a.mappedLevel).toBe('restricted');
    // Every field meets the table's Restricted column except seLinux, read as the docs' own PSPs use it.
    expect(mapped(a)).toEqual(['spec.seLinux: rule RunAsAny -> restricted (table: privileged)']);
    expect(a.mappedFields[0]?.note).toMatch(/assumes the nodes are using AppArmor rather than SELinux/);
    expect(gaps(a)).toEqual([
      'pods whose probes or lifecycle handlers set httpGet.host or tcpSocket.host (PSP had no control for them) will be rejected by restricted from v1.34',
      'pods that set a custom SELinux type, user or role will be rejected by restricted: the PSP allows any SELinux options, including custom types, users and roles (spec.seLinux.rule: RunAsAny)',
      'pods that set runAsUser without runAsNonRoot: true (PSP MustRunAsNonRoot only defaulted runAsNonRoot when neither was set) will be rejected by restricted',
      "pods that set runAsNonRoot: false at pod level while every container sets it true (PSP MustRunAsNonRoot checked each container's effective value only) will be rejected by restricted",
      "pods that set runAsUser: 0 at pod level while every container sets its own UID (PSP MustRunAsNonRoot checked each container's effective UID only) will be rejected by restricted from v1.23",
      'pods whose containers leave allowPrivilegeEscalation unset (PSP set allowPrivilegeEscalation: false on them; PSA sets nothing) will be rejected by restricted',
      'pods whose containers do not drop ALL capabilities themselves (PSP set capabilities.drop: [ALL] on them; PSA sets nothing) will be rejected by restricted',
      'pods whose containers set neither runAsNonRoot nor runAsUser (PSP set runAsNonRoot: true on them; PSA sets nothing) will be rejected by restricted',
    ]);
    expect(a.gaps.map((g) => `${g.cause} ${g.check}`)).toEqual([
      'admitted hostProbesAndHostLifecycle',
      'admitted seLinuxOptions',
      'admitted runAsNonRoot',
      'admitted runAsNonRoot',
      'admitted runAsUser',
      'defaulted allowPrivilegeEscalation',
      'defaulted capabilities_restricted',
      'defaulted runAsNonRoot',
    ]);
    // The strict result is untouched: enforce stays privileged.
    expect(a.lostDefaults.map((d) => d.effect)).not.toContain('rejected');
  });

  it("the Kubernetes docs' baseline PSP is privileged-safe only: NET_RAW, unconfined seccomp and SELinux RunAsAny", () => {
    const a = assessPolicy(corpusPolicy('kubernetes-docs-baseline.yaml'), { kubeVersion: '1.33' });
    expect(label(a)).toBe('privileged:v1.33');
    expect(a.blockers.filter((b) => b.level === 'baseline').map((b) => [b.check, b.reason])).toEqual([
      ['capabilities_baseline', "allows adding NET_RAW beyond the container runtime's default set (spec.allowedCapabilities)"],
      ['seLinuxOptions', 'allows any SELinux options, including custom types, users and roles (spec.seLinux.rule: RunAsAny)'],
      [
        'seccompProfile_baseline',
        'allows seccomp profile unconfined (metadata.annotations["seccomp.security.alpha.kubernetes.io/allowedProfileNames"] lists it, and defaultProfileName sets it)',
      ],
    ]);
    expect(lostControls(a)).toEqual(['privileged', 'hostNamespaces', 'hostPorts', 'volumes', 'capabilities', 'procMount', 'sysctls', 'seccomp', 'appArmor']);
    expect(defaults(a)).toEqual(['seccomp profile unconfined -> changed', 'AppArmor profile runtime/default -> changed']);

    // Meant as baseline: NET_RAW and unconfined are the docs' own baseline values, and stay gaps.
    expect(a.mappedLevel).toBe('baseline');
    expect(mapped(a)).toEqual([
      'spec.allowedCapabilities: [CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW, SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE] -> baseline (table: privileged)',
      'spec.requiredDropCapabilities: unset -> baseline',
      'spec.volumes: [configMap, emptyDir, projected, secret, downwardAPI, persistentVolumeClaim, awsElasticBlockStore, azureDisk, azureFile, cephFS, cinder, csi, fc, flexVolume, flocker, gcePersistentDisk, gitRepo, glusterfs, iscsi, nfs, photonPersistentDisk, portworxVolume, quobyte, rbd, scaleIO, storageos, vsphereVolume] -> baseline',
      'spec.seLinux: rule RunAsAny -> restricted (table: privileged)',
      'spec.runAsUser: rule RunAsAny -> baseline',
      'spec.allowPrivilegeEscalation: true or unset -> baseline',
      'metadata.annotations["seccomp.security.alpha.kubernetes.io/allowedProfileNames"]: "docker/default,runtime/default,unconfined" -> baseline (table: privileged)',
    ]);
    expect(gaps(a)).toEqual([
      "pods whose containers add NET_RAW will be rejected by baseline: the PSP allows adding NET_RAW beyond the container runtime's default set (spec.allowedCapabilities)",
      'pods that set a custom SELinux type, user or role will be rejected by baseline: the PSP allows any SELinux options, including custom types, users and roles (spec.seLinux.rule: RunAsAny)',
      'pods that set the seccomp profile unconfined will be rejected by baseline: the PSP allows seccomp profile unconfined (metadata.annotations["seccomp.security.alpha.kubernetes.io/allowedProfileNames"] lists it, and defaultProfileName sets it)',
    ]);
    // From v1.34 baseline also checks probe hosts, which no PSP could forbid.
    expect(assessPolicy(corpusPolicy('kubernetes-docs-baseline.yaml')).gaps.map((g) => g.check)).toEqual([
      'capabilities_baseline',
      'hostProbesAndHostLifecycle',
      'seLinuxOptions',
      'seccompProfile_baseline',
    ]);
  });

  it('a hostPath PSP is privileged, and its allowedHostPaths are lost', () => {
    const a = assessPolicy(corpusPolicy('kubernetes-gce.fluentd-gcp.yaml'));
    expect(a.level).toBe('privileged');
    expect(ids(a)).toContain('hostPathVolumes');
    expect(ids(a)).toContain('hostNamespaces');
    expect(a.blockers.find((b) => b.check === 'hostPathVolumes')?.fields).toEqual(['spec.volumes']);
    expect(lostControls(a)).toEqual([
      'privileged',
      'hostNamespaces',
      'hostPorts',
      'volumes',
      'hostPaths',
      'privilegeEscalation',
      'capabilities',
      'procMount',
      'sysctls',
      'appArmor',
    ]);
    expect(a.lostProtections.find((p) => p.control === 'hostPaths')?.message).toBe(
      'hostPath volumes only under /var/log, /var/lib/docker/containers, /usr/lib64 (spec.allowedHostPaths)',
    );
    expect(defaults(a)).toEqual(['allowPrivilegeEscalation: false -> changed', 'AppArmor profile runtime/default -> changed']);

    // Meant as privileged too (hostPath, hostNetwork): nothing to warn about.
    expect(a.mappedLevel).toBe('privileged');
    expect(mapped(a)).toEqual([
      'spec.requiredDropCapabilities: unset -> baseline',
      'spec.volumes: [configMap, hostPath, secret] -> privileged',
      'spec.hostNetwork: true -> privileged',
      'spec.seLinux: rule RunAsAny -> restricted (table: privileged)',
      'spec.runAsUser: rule RunAsAny -> baseline',
      'metadata.annotations["seccomp.security.alpha.kubernetes.io/allowedProfileNames"]: "*" -> baseline (table: privileged)',
    ]);
    expect(a.gaps).toEqual([]);
  });
});

describe('levels and versions', () => {
  it('a PSP that closes every baseline gap is baseline, pinned below the probe-host check of v1.34', () => {
    const policy = policyFromYaml(TIGHT_BASELINE);
    const latest = assessPolicy(policy);
    expect(label(latest)).toBe('baseline:v1.33');
    expect(latest.minVersion).toEqual({ major: 1, minor: 0 });
    expect(latest.versionNotes).toEqual([
      'baseline holds up to v1.33 only: from v1.34, hostProbesAndHostLifecycle (the PSP cannot forbid probe and lifecycle handler hosts (httpGet.host, tcpSocket.host): PSP had no such control; baseline forbids them from v1.34)',
    ]);
    expect(latest.safeVersions.baseline).toEqual([{ from: { major: 1, minor: 0 }, to: { major: 1, minor: 33 } }]);
    expect(lostControls(latest)).toEqual(['volumes', 'seLinux', 'sysctls', 'seccomp', 'appArmor']);
    // PSP 1.24 knew fewer safe sysctls than baseline v1.33 allows.
    expect(latest.lostProtections.find((p) => p.control === 'sysctls')?.message).toBe(
      'sysctls net.ipv4.ip_local_reserved_ports, net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes, net.ipv4.tcp_rmem, net.ipv4.tcp_wmem not allowed (spec.forbiddenSysctls, spec.allowedUnsafeSysctls); baseline:v1.33 allows them',
    );
    expect(latest.lostProtections.find((p) => p.control === 'volumes')?.message).toBe(
      'volume types limited to configMap, downwardAPI, emptyDir, nfs, persistentVolumeClaim, projected, secret (spec.volumes); baseline:v1.33 also admits awsElasticBlockStore, azureDisk, azureFile, cephFS, cinder, csi, ephemeral, fc, flexVolume, flocker, gcePersistentDisk, gitRepo, glusterfs, iscsi, photonPersistentDisk, portworxVolume, quobyte, rbd, scaleIO, storageos, vsphereVolume',
    );
    expect(defaults(latest)).toEqual([
      'seLinuxOptions {level: s0:c123,c456} -> changed',
      'seccomp profile runtime/default -> changed',
      'AppArmor profile runtime/default -> changed',
    ]);
    expect(label(assessPolicy(policy, { kubeVersion: 'v1.29.4' }))).toBe('baseline:v1.29');
  });

  it('restricted is out of reach of every PSP: runAsNonRoot must be literally true', () => {
    const a = assessPolicy(policyFromYaml(TIGHT_RESTRICTED), { kubeVersion: '1.22' });
    expect(label(a)).toBe('baseline:v1.22');
    expect(ids(a)).toEqual(['runAsNonRoot']);
    const latest = assessPolicy(policyFromYaml(TIGHT_RESTRICTED));
    expect(label(latest)).toBe('baseline:v1.33');
    expect(ids(latest)).toEqual(['hostProbesAndHostLifecycle', 'runAsNonRoot', 'runAsUser']);
    expect(latest.mappedLevel).toBe('restricted');
    expect(latest.gaps.map((g) => `${g.cause} ${g.check}`)).toEqual([
      'admitted hostProbesAndHostLifecycle',
      'admitted runAsNonRoot',
      'admitted runAsNonRoot',
      'admitted runAsUser',
      'defaulted allowPrivilegeEscalation',
      'defaulted capabilities_restricted',
      'defaulted runAsNonRoot',
      'defaulted seccompProfile_restricted',
    ]);
  });

  it('the mapped level is never less strict than the strict one', () => {
    // container_engine_t became a baseline SELinux type in v1.31; the mapping table predates it.
    const policy = policyFromYaml(TIGHT_BASELINE.replace("level: 's0:c123,c456'", 'type: container_engine_t'));
    const a = assessPolicy(policy, { kubeVersion: '1.31' });
    expect(a.level).toBe('baseline');
    expect(a.mappedFields.find((f) => f.field === 'spec.seLinux')?.level).toBe('privileged');
    expect(a.mappedLevel).toBe('baseline');
    expect(a.gaps).toEqual([]);
  });

  it('a sysctl that became safe later makes baseline hold only from that version', () => {
    const policy = policyFixture({
      controls: {
        privileged: { validate: { allowPrivileged: false } },
        hostNamespaces: { validate: { allowHostNetwork: false, allowHostPID: false, allowHostIPC: false } },
        hostPorts: { validate: { ranges: [] } },
        volumes: { validate: { anyType: false, allowedTypes: ['secret'] } },
        capabilities: { validate: { allowAny: false, allowed: [], requiredDrop: [] } },
        seLinux: { validate: { rule: 'MustRunAs', options: { type: 'container_t' } }, defaults: { seLinuxOptions: { type: 'container_t' } } },
        procMount: { validate: { allowed: [] } },
        sysctls: { validate: { forbidden: [], allowedUnsafe: ['net.ipv4.tcp_keepalive_time'] } },
        seccomp: { validate: { allowed: ['runtime/default'] }, defaults: null },
        appArmor: { validate: { allowed: ['runtime/default'] }, defaults: null },
      },
    });
    expect(label(assessPolicy(policy, { kubeVersion: '1.28' }))).toBe('privileged:v1.28');
    const a = assessPolicy(policy, { kubeVersion: '1.30' });
    expect(label(a)).toBe('baseline:v1.30');
    expect(a.minVersion).toEqual({ major: 1, minor: 29 });
    expect(a.versionNotes).toEqual([
      'baseline holds from v1.29 only: at v1.28, sysctls (the PSP allows sysctls outside the safe set of v1.28: net.ipv4.tcp_keepalive_time (spec.allowedUnsafeSysctls))',
    ]);
  });

  it('a PSP no pod could use is vacuously restricted, and says why', () => {
    const a = assessPolicy(policyFixture({ controls: { fsGroup: { validate: { rule: 'MustRunAs', ranges: [] } } } }));
    expect(label(a)).toBe('restricted:v1.37');
    expect(a.admitsNoPod).toEqual(['spec.fsGroup: rule MustRunAs requires at least one range']);
    expect(a.blockers).toEqual([]);
    expect(a.mappedLevel).toBe('restricted');
    expect(a.gaps).toEqual([]);
  });

  it('rejects a version that is not one', () => {
    expect(() => assessPolicy(policyFixture({}), { kubeVersion: '2.0' })).toThrow(/invalid Kubernetes version "2.0"/);
  });
});

describe('per-check analyses', () => {
  const restrictedish = (controls: NonNullable<Parameters<typeof policyFixture>[0]>['controls']) => assessPolicy(policyFixture({ controls }), { kubeVersion: '1.30' });

  it('capabilities_restricted holds with drop ALL and at most NET_BIND_SERVICE, even added by default', () => {
    const ok = restrictedish({ capabilities: { validate: { allowAny: false, allowed: [], requiredDrop: ['ALL'] }, defaults: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] } } });
    expect(ids(ok)).not.toContain('capabilities_restricted');
    const defaultKill = restrictedish({ capabilities: { validate: { allowAny: false, allowed: [], requiredDrop: ['ALL'] }, defaults: { add: ['KILL'], drop: ['ALL'] } } });
    expect(defaultKill.blockers.find((b) => b.check === 'capabilities_restricted')?.reason).toBe(
      'allows adding KILL beyond NET_BIND_SERVICE (spec.defaultAddCapabilities adds KILL)',
    );
  });

  it('seccompProfile_restricted: an allowed unset profile is safe only under a default', () => {
    const withDefault = restrictedish({ seccomp: { validate: { allowed: ['runtime/default', ''] }, defaults: { profile: 'runtime/default' } } });
    expect(ids(withDefault)).not.toContain('seccompProfile_restricted');
    const without = restrictedish({ seccomp: { validate: { allowed: ['runtime/default', ''] }, defaults: null } });
    expect(ids(without)).toContain('seccompProfile_restricted');
    const none = restrictedish({ seccomp: { validate: { allowed: null }, defaults: null } });
    expect(none.blockers.find((b) => b.check === 'seccompProfile_restricted')?.reason).toMatch(/^forbids every seccomp profile/);
  });

  it('hostPorts: a range of only port 0 opens no host port', () => {
    expect(ids(restrictedish({ hostPorts: { validate: { ranges: [{ min: 0, max: 0 }] } } }))).not.toContain('hostPorts');
    expect(ids(restrictedish({ hostPorts: { validate: { ranges: [{ min: 0, max: 1 }] } } }))).toContain('hostPorts');
  });

  it('windowsHostProcess follows hostNetwork, which the API server requires for HostProcess pods', () => {
    const closed = restrictedish({ hostNamespaces: { validate: { allowHostNetwork: false, allowHostPID: true, allowHostIPC: true } } });
    expect(ids(closed)).not.toContain('windowsHostProcess');
    const open = restrictedish({ hostNamespaces: { validate: { allowHostNetwork: true, allowHostPID: false, allowHostIPC: false } } });
    expect(ids(open)).toContain('windowsHostProcess');
  });

  it('sysctls: a pattern counts unless a forbidden pattern covers it', () => {
    const covered = restrictedish({ sysctls: { validate: { forbidden: ['net.*'], allowedUnsafe: ['net.core.*'] } } });
    expect(ids(covered)).not.toContain('sysctls');
    const open = restrictedish({ sysctls: { validate: { forbidden: ['net.core.somaxconn'], allowedUnsafe: ['net.core.*'] } } });
    expect(ids(open)).toContain('sysctls');
  });
});
