/**
 * Messages must read exactly like the PodSecurity plugin's warnings: users grep for them and
 * compare our dry run with what their cluster printed.
 */
import { describe, expect, it } from 'vitest';
import type { Container, Pod, PodSpec } from '@psp-translate/core';
import { evaluatePod, evaluatePodSpec, type CheckId, type Level, type PsaVersion } from '@psp-translate/psa';

function pod(spec: Partial<PodSpec>, annotations?: Record<string, string>): Pod {
  return { metadata: { name: 'p', ...(annotations ? { annotations } : {}) }, spec: { containers: [], ...spec } };
}

function c(name: string, extra: Partial<Container> = {}): Container {
  return { name, image: 'registry.k8s.io/pause', ...extra };
}

/** The failing outcome of `id`, as `reason (detail)`. */
function failure(p: Pod, id: CheckId, level: Level = 'restricted', version: PsaVersion = 'latest'): string {
  const outcome = evaluatePod(p, level, version).results.find((r) => r.id === id);
  if (outcome === undefined) throw new Error(`${id} did not run at ${level}`);
  expect(outcome.allowed).toBe(false);
  return outcome.message;
}

describe('check messages', () => {
  it('privileged names every privileged container, ephemeral ones included', () => {
    const p = pod({
      initContainers: [c('i', { securityContext: { privileged: true } })],
      containers: [c('a', { securityContext: { privileged: false } })],
      ephemeralContainers: [c('debug', { securityContext: { privileged: true } })],
    });
    expect(failure(p, 'privileged', 'baseline')).toBe(
      'privileged (containers "i", "debug" must not set securityContext.privileged=true)',
    );
  });

  it('hostPorts lists ports sorted as text and pluralises', () => {
    const p = pod({
      containers: [
        c('a', { ports: [{ containerPort: 80 }] }),
        c('b', { ports: [{ containerPort: 1, hostPort: 20 }, { containerPort: 2, hostPort: 10 }] }),
        c('c', { ports: [{ containerPort: 3, hostPort: 30 }, { containerPort: 4, hostPort: 9 }] }),
      ],
    });
    expect(failure(p, 'hostPorts', 'baseline')).toBe('hostPort (containers "b", "c" use hostPorts 10, 20, 30, 9)');
    const one = pod({ containers: [c('b', { ports: [{ containerPort: 1, hostPort: 20 }] })] });
    expect(failure(one, 'hostPorts', 'baseline')).toBe('hostPort (container "b" uses hostPort 20)');
  });

  it('seLinuxOptions reports the pod and containers with types, user and role', () => {
    const p = pod({
      securityContext: { seLinuxOptions: { type: 'foo', user: 'u', role: 'r' } },
      containers: [
        c('e', { securityContext: { seLinuxOptions: { type: 'bar' } } }),
        c('ok', { securityContext: { seLinuxOptions: { type: 'container_t', level: 's0:c1' } } }),
      ],
    });
    expect(failure(p, 'seLinuxOptions', 'baseline')).toBe(
      'seLinuxOptions (pod and container "e" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set)',
    );
  });

  it('seLinuxOptions allows container_engine_t from v1.31 only', () => {
    const p = pod({ containers: [c('a', { securityContext: { seLinuxOptions: { type: 'container_engine_t' } } })] });
    expect(evaluatePod(p, 'baseline', { major: 1, minor: 30 }).allowed).toBe(false);
    expect(evaluatePod(p, 'baseline', { major: 1, minor: 31 }).allowed).toBe(true);
  });

  it('appArmorProfile quotes annotation values Go-style and sorts them after field types', () => {
    const p = pod(
      {
        securityContext: { appArmorProfile: { type: 'Unconfined' } },
        containers: [c('a')],
      },
      {
        'container.apparmor.security.beta.kubernetes.io/': 'bogus',
        'container.apparmor.security.beta.kubernetes.io/a': '',
        'container.apparmor.security.beta.kubernetes.io/b': 'runtime/default',
        'container.apparmor.security.beta.kubernetes.io/d': 'localhost/foo',
        'container.apparmor.security.beta.kubernetes.io/f': 'un"known',
        'container.apparmor.security.beta.kubernetes.io/e': 'unconfined',
      },
    );
    expect(failure(p, 'appArmorProfile', 'baseline')).toBe(
      'forbidden AppArmor profiles (pod and annotations must not set AppArmor profile type to "Unconfined", ' +
        '"container.apparmor.security.beta.kubernetes.io/="bogus"", ' +
        '"container.apparmor.security.beta.kubernetes.io/e="unconfined"", ' +
        '"container.apparmor.security.beta.kubernetes.io/f="un\\"known"")',
    );
  });

  it('seccompProfile_baseline reads the alpha annotations before v1.19 and the fields after', () => {
    const p = pod(
      { containers: [c('a'), c('b')] },
      {
        'seccomp.security.alpha.kubernetes.io/pod': 'unconfined',
        'container.seccomp.security.alpha.kubernetes.io/a': 'unconfined',
        'container.seccomp.security.alpha.kubernetes.io/b': 'docker/default',
        'container.seccomp.security.alpha.kubernetes.io/z': 'unconfined', // no container z: ignored
      },
    );
    expect(failure(p, 'seccompProfile_baseline', 'baseline', { major: 1, minor: 18 })).toBe(
      'seccompProfile (forbidden annotations container.seccomp.security.alpha.kubernetes.io/a="unconfined", seccomp.security.alpha.kubernetes.io/pod="unconfined")',
    );
    expect(evaluatePod(p, 'baseline', { major: 1, minor: 19 }).allowed).toBe(true);
  });

  it('seccompProfile_restricted: explicit bad values win over missing ones; a valid pod profile covers containers', () => {
    const explicit = pod({
      securityContext: { seccompProfile: { type: 'Unconfined' } },
      containers: [c('a', { securityContext: { seccompProfile: {} } }), c('b')],
    });
    expect(failure(explicit, 'seccompProfile_restricted')).toBe(
      'seccompProfile (pod and container "a" must not set securityContext.seccompProfile.type to "", "Unconfined")',
    );
    const missing = pod({ containers: [c('a', { securityContext: { seccompProfile: { type: 'Localhost' } } }), c('b')] });
    expect(failure(missing, 'seccompProfile_restricted')).toBe(
      'seccompProfile (pod or container "b" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
    const covered = pod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [c('b')] });
    expect(evaluatePod(covered, 'restricted', 'latest').results.find((r) => r.id === 'seccompProfile_restricted')?.allowed).toBe(true);
  });

  it('capabilities_restricted joins both problems with "; "', () => {
    const p = pod({
      containers: [
        c('a', { securityContext: { capabilities: { add: ['NET_BIND_SERVICE', 'SYS_ADMIN'], drop: ['ALL'] } } }),
        c('b'),
        c('d', { securityContext: { capabilities: { drop: ['all'], add: ['CHOWN'] } } }),
      ],
    });
    expect(failure(p, 'capabilities_restricted')).toBe(
      'unrestricted capabilities (containers "b", "d" must set securityContext.capabilities.drop=["ALL"]; ' +
        'containers "a", "d" must not include "CHOWN", "SYS_ADMIN" in securityContext.capabilities.add)',
    );
  });

  it('hostProbesAndHostLifecycle lists containers and hosts as sorted sets, from v1.34', () => {
    const p = pod({
      containers: [
        c('b', { lifecycle: { preStop: { tcpSocket: { host: 'localhost', port: 1 } } } }),
        c('a', {
          livenessProbe: { httpGet: { host: '127.0.0.1', port: 1 } },
          readinessProbe: { tcpSocket: { host: '::1', port: 1 } },
          startupProbe: { httpGet: { host: '', port: 1 } },
        }),
      ],
    });
    expect(failure(p, 'hostProbesAndHostLifecycle', 'baseline')).toBe(
      'probe or lifecycle host (containers "a", "b" use probe or lifecycle hosts "127.0.0.1", "::1", "localhost")',
    );
    expect(evaluatePod(p, 'baseline', { major: 1, minor: 33 }).allowed).toBe(true);
  });

  it('restrictedVolumes names each restricted source; a volume without a source is the defaulted emptyDir', () => {
    const p = pod({
      volumes: [
        { name: 'ok', configMap: { name: 'x' } },
        { name: 'bare' },
        { name: 'h', hostPath: { path: '/' } },
        { name: 'n', nfs: { server: 's', path: '/' } },
        { name: 'f', flexVolume: { driver: 'd' } },
        { name: 'odd', somethingNew: {} },
      ],
    });
    expect(failure(p, 'restrictedVolumes')).toBe(
      'restricted volume types (volumes "h", "n", "f", "odd" use restricted volume types "flexVolume", "hostPath", "nfs", "unknown")',
    );
  });

  it('runAsNonRoot and runAsUser word explicit and implicit violations like upstream', () => {
    const explicit = pod({ securityContext: { runAsNonRoot: false, runAsUser: 0 }, containers: [c('a', { securityContext: { runAsNonRoot: false, runAsUser: 0 } })] });
    expect(failure(explicit, 'runAsNonRoot')).toBe('runAsNonRoot != true (pod and container "a" must not set securityContext.runAsNonRoot=false)');
    expect(failure(explicit, 'runAsUser')).toBe('runAsUser=0 (pod and container "a" must not set runAsUser=0)');
    const implicit = pod({ containers: [c('a'), c('b', { securityContext: { runAsNonRoot: true } })] });
    expect(failure(implicit, 'runAsNonRoot')).toBe('runAsNonRoot != true (pod or container "a" must set securityContext.runAsNonRoot=true)');
  });

  it('sysctls and windowsHostProcess', () => {
    const p = pod({
      securityContext: {
        sysctls: [{ name: 'kernel.msgmax', value: '1' }, { name: 'net.ipv4.tcp_notsent_lowat', value: '1' }],
        windowsOptions: { hostProcess: true },
      },
      containers: [c('a', { securityContext: { windowsOptions: { hostProcess: true } } })],
    });
    expect(failure(p, 'sysctls', 'baseline', { major: 1, minor: 36 })).toBe('forbidden sysctls (kernel.msgmax, net.ipv4.tcp_notsent_lowat)');
    expect(failure(p, 'sysctls', 'baseline')).toBe('forbidden sysctls (kernel.msgmax)');
    expect(failure(p, 'windowsHostProcess', 'baseline')).toBe(
      'hostProcess (pod and container "a" must not set securityContext.windowsOptions.hostProcess=true)',
    );
  });

  it('aggregates violations in upstream order: baseline IDs sorted, then restricted IDs sorted', () => {
    const p = pod({ hostNetwork: true, hostPID: true, containers: [c('a', { securityContext: { privileged: true } })] });
    const evaluation = evaluatePod(p, 'restricted', { major: 1, minor: 25 });
    expect(evaluation.allowed).toBe(false);
    expect(evaluation.results.filter((r) => !r.allowed).map((r) => r.id)).toEqual([
      'hostNamespaces',
      'privileged',
      'allowPrivilegeEscalation',
      'capabilities_restricted',
      'runAsNonRoot',
      'seccompProfile_restricted',
    ]);
    expect(evaluation.message).toBe(
      'host namespaces (hostNetwork=true, hostPID=true), ' +
        'privileged (container "a" must not set securityContext.privileged=true), ' +
        'allowPrivilegeEscalation != false (container "a" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (container "a" must set securityContext.capabilities.drop=["ALL"]), ' +
        'runAsNonRoot != true (pod or container "a" must set securityContext.runAsNonRoot=true), ' +
        'seccompProfile (pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
  });
});

describe('pod OS and user namespaces', () => {
  const windows = pod({ os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: [c('a')] });

  it('exempts Windows pods from the Linux-only restricted checks from v1.25', () => {
    expect(evaluatePod(windows, 'restricted', { major: 1, minor: 25 })).toMatchObject({ allowed: true });
    expect(evaluatePod(windows, 'restricted', { major: 1, minor: 24 }).results.filter((r) => !r.allowed).map((r) => r.id)).toEqual([
      'allowPrivilegeEscalation',
      'capabilities_restricted',
      'seccompProfile_restricted',
    ]);
  });

  it('relaxes procMount (baseline), runAsNonRoot and runAsUser for hostUsers: false from v1.35, not procMount_restricted', () => {
    const userns = pod({
      hostUsers: false,
      securityContext: { runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [c('a', { securityContext: { procMount: 'Unmasked', allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } })],
    });
    expect(evaluatePod(userns, 'baseline', { major: 1, minor: 34 }).allowed).toBe(false);
    expect(evaluatePod(userns, 'baseline', { major: 1, minor: 35 }).allowed).toBe(true);
    expect(evaluatePod(userns, 'restricted', { major: 1, minor: 34 }).results.filter((r) => !r.allowed).map((r) => r.id)).toEqual([
      'procMount',
      'runAsNonRoot',
      'runAsUser',
    ]);
    expect(evaluatePod(userns, 'restricted', 'latest').message).toBe(
      'procMount (container "a" must not set securityContext.procMount to "Unmasked")',
    );
    expect(evaluatePod(userns, 'restricted', 'latest').results.find((r) => !r.allowed)?.id).toBe('procMount_restricted');
  });
});

describe('evaluatePodSpec', () => {
  it('evaluates a pod template without metadata and never mutates it', () => {
    const spec: PodSpec = { containers: [c('a', { securityContext: { privileged: true } })] };
    const before = JSON.stringify(spec);
    expect(evaluatePodSpec(undefined, spec, 'baseline', 'latest').allowed).toBe(false);
    expect(evaluatePodSpec(undefined, spec, 'privileged', 'latest')).toEqual({ allowed: true, results: [], message: '' });
    expect(JSON.stringify(spec)).toBe(before);
  });

  it('rejects a pod without a spec with a message that says what to pass', () => {
    expect(() => evaluatePod({ metadata: { name: 'x' } } as unknown as Pod, 'baseline', 'latest')).toThrow(/"x": it has no spec/);
  });
});
