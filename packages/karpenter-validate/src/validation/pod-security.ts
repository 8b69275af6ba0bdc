import { Checked } from './cluster';
import { child, KubeObject, Reporter } from './findings';
import { isObject, Json, podOf } from './pods';

/**
 * Pod Security Admission, as the API server applies it to the pods a workload creates: each pod
 * template is checked against its namespace's `enforce` level (its pods are refused: the
 * workload is admitted but never gets a pod) and its `warn` and `audit` levels (warnings). The
 * checks are those of the Pod Security Standards for the `latest` version.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/
 */
export type Level = 'privileged' | 'baseline' | 'restricted';

const LEVELS: readonly Level[] = ['privileged', 'baseline', 'restricted'];
const LABEL = 'pod-security.kubernetes.io/';

// Capabilities baseline allows to be added.
const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
// Sysctls baseline allows (the "safe" set of the latest version).
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
// Volume types restricted allows.
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

interface Violation {
  readonly path: string;
  readonly check: string;
}

const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);

/** The containers of a pod spec, with their paths. */
function containers(spec: Json, path: string): { c: Json; at: string }[] {
  return (['initContainers', 'containers', 'ephemeralContainers'] as const).flatMap((field) => list(spec[field]).map((c, i) => ({ c, at: child(child(path, field), i) })));
}

/** Where a pod breaks the baseline standard. */
function baseline(spec: Json, annotations: Record<string, unknown>, path: string): Violation[] {
  const out: Violation[] = [];
  const pod = isObject(spec.securityContext) ? spec.securityContext : {};
  if (pod.windowsOptions?.hostProcess === true) out.push({ path: `${path}.securityContext.windowsOptions.hostProcess`, check: 'HostProcess' });
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) if (spec[field] === true) out.push({ path: child(path, field), check: 'host namespaces' });
  list(spec.volumes).forEach((v, i) => {
    if (v.hostPath !== undefined) out.push({ path: child(child(child(path, 'volumes'), i), 'hostPath'), check: 'hostPath volumes' });
  });
  if (pod.seccompProfile?.type === 'Unconfined') out.push({ path: `${path}.securityContext.seccompProfile.type`, check: 'seccomp (Unconfined)' });
  const selinux = (options: Json | undefined, at: string) => {
    if (!isObject(options)) return;
    if (options.type !== undefined && !SELINUX_TYPES.has(String(options.type))) out.push({ path: child(at, 'type'), check: 'SELinux type' });
    for (const field of ['user', 'role'] as const) if (options[field] !== undefined && options[field] !== '') out.push({ path: child(at, field), check: `SELinux ${field}` });
  };
  selinux(pod.seLinuxOptions, `${path}.securityContext.seLinuxOptions`);
  const appArmor = (profile: Json | undefined, at: string) => {
    if (isObject(profile) && profile.type !== undefined && profile.type !== 'RuntimeDefault' && profile.type !== 'Localhost') out.push({ path: child(at, 'type'), check: 'AppArmor' });
  };
  appArmor(pod.appArmorProfile, `${path}.securityContext.appArmorProfile`);
  for (const [key, value] of Object.entries(annotations)) {
    if (key.startsWith('container.apparmor.security.beta.kubernetes.io/') && value !== 'runtime/default' && !String(value).startsWith('localhost/')) out.push({ path: `metadata.annotations[${JSON.stringify(key)}]`, check: 'AppArmor' });
  }
  list(pod.sysctls).forEach((s, i) => {
    if (!SAFE_SYSCTLS.has(String(s.name))) out.push({ path: child(`${path}.securityContext.sysctls`, i), check: `sysctl ${String(s.name)}` });
  });
  for (const { c, at } of containers(spec, path)) {
    const sc = isObject(c.securityContext) ? c.securityContext : {};
    if (sc.privileged === true) out.push({ path: `${at}.securityContext.privileged`, check: 'privileged containers' });
    if (sc.windowsOptions?.hostProcess === true) out.push({ path: `${at}.securityContext.windowsOptions.hostProcess`, check: 'HostProcess' });
    const added = Array.isArray(sc.capabilities?.add) ? (sc.capabilities.add as unknown[]).map(String).filter((cap) => !BASELINE_CAPABILITIES.has(cap)) : [];
    if (added.length > 0) out.push({ path: `${at}.securityContext.capabilities.add`, check: `capabilities ${added.join(', ')}` });
    list(c.ports).forEach((p, i) => {
      if (typeof p.hostPort === 'number' && p.hostPort !== 0) out.push({ path: child(child(child(at, 'ports'), i), 'hostPort'), check: 'host ports' });
    });
    if (sc.procMount !== undefined && sc.procMount !== 'Default') out.push({ path: `${at}.securityContext.procMount`, check: '/proc mount type' });
    if (sc.seccompProfile?.type === 'Unconfined') out.push({ path: `${at}.securityContext.seccompProfile.type`, check: 'seccomp (Unconfined)' });
    selinux(sc.seLinuxOptions, `${at}.securityContext.seLinuxOptions`);
    appArmor(sc.appArmorProfile, `${at}.securityContext.appArmorProfile`);
  }
  return out;
}

/** Where a pod breaks the restricted standard beyond baseline. */
function restricted(spec: Json, path: string): Violation[] {
  const out: Violation[] = [];
  const pod = isObject(spec.securityContext) ? spec.securityContext : {};
  list(spec.volumes).forEach((v, i) => {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (type !== undefined && !RESTRICTED_VOLUMES.has(type)) out.push({ path: child(child(path, 'volumes'), i), check: `volume type ${type}` });
  });
  if (pod.runAsUser === 0) out.push({ path: `${path}.securityContext.runAsUser`, check: 'runAsUser 0' });
  // pod-security-admission policy/check_runAsNonRoot.go: an explicit false anywhere is a violation,
  // even where every container sets true.
  if (pod.runAsNonRoot === false) out.push({ path: `${path}.securityContext.runAsNonRoot`, check: 'runAsNonRoot must not be false' });
  const all = containers(spec, path);
  for (const { c, at } of all) {
    const sc = isObject(c.securityContext) ? c.securityContext : {};
    if (sc.allowPrivilegeEscalation !== false) out.push({ path: `${at}.securityContext.allowPrivilegeEscalation`, check: 'allowPrivilegeEscalation must be false' });
    const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
    if (nonRoot !== true && pod.runAsNonRoot !== false) out.push({ path: `${at}.securityContext.runAsNonRoot`, check: 'runAsNonRoot must be true' });
    if (sc.runAsUser === 0) out.push({ path: `${at}.securityContext.runAsUser`, check: 'runAsUser 0' });
    const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push({ path: `${at}.securityContext.seccompProfile`, check: 'seccompProfile must be RuntimeDefault or Localhost' });
    const drops = Array.isArray(sc.capabilities?.drop) ? (sc.capabilities.drop as unknown[]).map(String) : [];
    if (!drops.includes('ALL')) out.push({ path: `${at}.securityContext.capabilities.drop`, check: 'capabilities must drop ALL' });
    const added = Array.isArray(sc.capabilities?.add) ? (sc.capabilities.add as unknown[]).map(String).filter((cap) => cap !== 'NET_BIND_SERVICE') : [];
    if (added.length > 0) out.push({ path: `${at}.securityContext.capabilities.add`, check: `capabilities may add only NET_BIND_SERVICE (adds ${added.join(', ')})` });
  }
  return out;
}

/** Where a pod breaks a level. */
export function violations(level: Level, spec: Json, annotations: Record<string, unknown>, path: string): Violation[] {
  if (level === 'privileged') return [];
  return level === 'baseline' ? baseline(spec, annotations, path) : [...baseline(spec, annotations, path), ...restricted(spec, path)];
}

/** A namespace's enforce, warn and audit levels, from its labels. */
function levelsOf(namespace: KubeObject): { enforce?: Level; warn?: Level; audit?: Level } {
  const labels = (isObject(namespace.metadata?.labels) ? namespace.metadata!.labels : {}) as Record<string, unknown>;
  const level = (mode: string) => {
    const value = labels[`${LABEL}${mode}`];
    return LEVELS.includes(value as Level) ? (value as Level) : undefined;
  };
  return { enforce: level('enforce'), warn: level('warn'), audit: level('audit') };
}

function describe(found: readonly Violation[]): string {
  return [...new Set(found.map((v) => v.check))].join('; ');
}

/**
 * Checks every pod template of the set against its namespace's Pod Security levels. Namespaces
 * outside the set get `fallback` (the CLI's --pod-security), or are not checked.
 */
export function checkPodSecurity(items: readonly Checked[], fallback: Level | undefined): void {
  const namespaces = new Map(items.filter((i) => i.object.kind === 'Namespace').map((i) => [String(i.object.metadata?.name), levelsOf(i.object)]));
  for (const { object, reporter } of items) {
    const pod = podOf(object);
    if (!pod) continue;
    const name = typeof object.metadata?.namespace === 'string' ? object.metadata.namespace : 'default';
    const levels = namespaces.get(name) ?? (fallback ? { enforce: fallback } : undefined);
    if (!levels) continue;
    report(reporter, object, pod, name, levels);
  }
}

function report(reporter: Reporter, object: KubeObject, pod: NonNullable<ReturnType<typeof podOf>>, namespace: string, levels: ReturnType<typeof levelsOf>): void {
  const enforce = levels.enforce ?? 'privileged';
  const refused = violations(enforce, pod.spec, pod.annotations, pod.path);
  const what = object.kind === 'Pod' ? 'the pod' : `the pods of ${String(object.kind)} ${String(object.metadata?.name)}`;
  if (refused.length > 0) {
    reporter.report(
      'pod-security',
      refused[0]!.path,
      `namespace "${namespace}" enforces Pod Security "${enforce}", which refuses ${what}: ${describe(refused)}. The ${object.kind === 'Pod' ? 'pod' : 'workload'} is admitted but its pods are never created. Meet the level, or run it in a namespace that allows it (with the reason)`,
    );
  }
  // Warn and audit at the same level are one finding.
  const modes = (['warn', 'audit'] as const).filter((mode) => levels[mode] !== undefined && LEVELS.indexOf(levels[mode]!) > LEVELS.indexOf(enforce));
  for (const level of new Set(modes.map((mode) => levels[mode]!))) {
    const found = violations(level, pod.spec, pod.annotations, pod.path);
    const verbs = modes.filter((mode) => levels[mode] === level).map((mode) => (mode === 'warn' ? 'warns' : 'audits')).join(' and ');
    if (found.length > 0) reporter.report('pod-security-warn', found[0]!.path, `namespace "${namespace}" ${verbs} at Pod Security "${level}", which ${what} break: ${describe(found)}`);
  }
}
