import { isDns1123Label } from '../../labels';
import { goQuantity, isQuantity, parseQuantity } from '../../quantity';
import { child, Reporter } from '../findings';
import { checkLabels, isIanaServiceName } from '../metadata';
import { at, dnsSubdomain, forbidden, invalid, isObject, Json, list, nonNegative, notSupported, num, obj, portNumber, required, str, userOrGroupId } from './common';

/**
 * ValidatePodSpec (k8s.io/kubernetes v1.35.4 pkg/apis/core/validation/validation.go), on a spec
 * as the API server holds it after defaulting (restartPolicy Always, dnsPolicy ClusterFirst, a
 * grace period): volumes, containers (names, images, ports, env, mounts, resources, probes,
 * security contexts), the pod's security context, tolerations, topology spread, and the fields
 * that name other objects. `claimNames` are a StatefulSet's volume claim templates, which mounts
 * may also name.
 */

// The volume sources of core.VolumeSource: a volume sets exactly one.
const VOLUME_SOURCES = ['hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image'];

function checkVolumes(spec: Json, path: string, reporter: Reporter): Set<string> {
  const names = new Set<string>();
  list(spec.volumes).forEach((volume, index) => {
    const vat = at(at(path, 'volumes'), index);
    if (!isObject(volume)) return;
    const name = str(volume.name);
    if (name === '') required(reporter, at(vat, 'name'));
    else if (!isDns1123Label(name)) reporter.report('containers', at(vat, 'name'), `volume name ${JSON.stringify(name)} must be a DNS-1123 label`, name);
    else if (names.has(name)) reporter.report('containers', at(vat, 'name'), `Duplicate value: volume name ${JSON.stringify(name)}`, name);
    names.add(name);
    const sources = VOLUME_SOURCES.filter((s) => volume[s] !== undefined && volume[s] !== null);
    if (sources.length === 0) required(reporter, vat, 'must specify a volume type');
    else if (sources.length > 1) forbidden(reporter, at(vat, sources[1]!), 'may not specify more than 1 volume type');
    if (isObject(volume.hostPath) && str(volume.hostPath.path) === '') required(reporter, at(at(vat, 'hostPath'), 'path'));
    if (isObject(volume.persistentVolumeClaim) && str(volume.persistentVolumeClaim.claimName) === '') required(reporter, at(at(vat, 'persistentVolumeClaim'), 'claimName'));
    if (isObject(volume.emptyDir) && volume.emptyDir.sizeLimit !== undefined && typeof volume.emptyDir.sizeLimit === 'string' && isQuantity(volume.emptyDir.sizeLimit) && parseQuantity(volume.emptyDir.sizeLimit) < 0) invalid(reporter, at(at(vat, 'emptyDir'), 'sizeLimit'), volume.emptyDir.sizeLimit, 'must be greater than or equal to 0');
    if (isObject(volume.secret) && volume.secret.secretName !== undefined) dnsSubdomain(reporter, volume.secret.secretName, at(at(vat, 'secret'), 'secretName'));
    if (isObject(volume.configMap) && str(volume.configMap.name) !== '') dnsSubdomain(reporter, volume.configMap.name, at(at(vat, 'configMap'), 'name'));
  });
  return names;
}

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'] as const;

/** validateHandler: exactly one handler, each valid. */
function checkHandler(handler: Json, handlers: readonly string[], path: string, reporter: Reporter): void {
  const set = handlers.filter((h) => handler[h] !== undefined && handler[h] !== null);
  if (set.length === 0) reporter.report('probes', path, 'Required value: must specify a handler type');
  set.slice(1).forEach((h) => reporter.report('probes', at(path, h), 'Forbidden: may not specify more than 1 handler type'));
  const first = set[0];
  if (first === 'exec' && list(handler.exec.command).length === 0) required(reporter, at(at(path, 'exec'), 'command'));
  if (first === 'httpGet' || first === 'tcpSocket') {
    const port = obj(handler[first]).port;
    const pat = at(at(path, first), 'port');
    if (port === undefined || port === null || port === 0 || port === '') required(reporter, pat);
    else if (typeof port === 'string' && !isIanaServiceName(port)) reporter.report('ports', pat, `port name ${JSON.stringify(port)} must be an IANA service name: at most 15 lowercase alphanumerics or '-', with a letter`, port);
    else portNumber(reporter, port, pat);
  }
  if (first === 'grpc') portNumber(reporter, obj(handler.grpc).port, at(at(path, 'grpc'), 'port'));
}

function checkProbe(probe: unknown, path: string, reporter: Reporter): void {
  if (!isObject(probe)) return;
  checkHandler(probe, PROBE_HANDLERS, path, reporter);
  for (const field of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) nonNegative(reporter, probe[field], at(path, field));
  if (typeof probe.terminationGracePeriodSeconds === 'number' && probe.terminationGracePeriodSeconds <= 0) invalid(reporter, at(path, 'terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must be greater than 0');
}

/** validateResourceRequirements: quantities, and requests no greater than limits. */
function checkResources(resources: unknown, path: string, reporter: Reporter): void {
  if (!isObject(resources)) return;
  const requests = obj(resources.requests);
  const limits = obj(resources.limits);
  for (const [field, values] of [['limits', limits], ['requests', requests]] as const) {
    for (const [name, value] of Object.entries(values)) {
      // validateContainerResourceName: cpu, memory, ephemeral-storage, hugepages-<size>, or a domain-qualified extended resource.
      if (!['cpu', 'memory', 'ephemeral-storage'].includes(name) && !name.startsWith('hugepages-') && !name.includes('/')) invalid(reporter, `${at(path, field)}[${name}]`, name, 'must be a standard resource type or fully qualified');
      if (typeof value === 'string' && isQuantity(value) && parseQuantity(value) < 0) invalid(reporter, at(at(path, field), name), value, 'must be greater than or equal to 0');
    }
  }
  const amount = (v: unknown) => (typeof v === 'number' ? v : goQuantity(String(v)));
  for (const [name, value] of Object.entries(requests)) {
    const [request, limit] = [amount(value), amount(limits[name])];
    if (limits[name] === undefined || request === undefined || limit === undefined) continue;
    if (request > limit) reporter.report('resources', at(path, 'requests'), `Invalid value: ${JSON.stringify(String(value))}: must be less than or equal to ${name} limit of ${String(limits[name])}`, value);
  }
}

/** ValidateSeccompProfileField */
function checkSeccomp(profile: unknown, path: string, reporter: Reporter): void {
  if (!isObject(profile)) return;
  if (profile.type === undefined || profile.type === '') required(reporter, at(path, 'type'), 'type is required when seccompProfile is set');
  if (profile.type === 'Localhost' && profile.localhostProfile === undefined) required(reporter, at(path, 'localhostProfile'), 'must be set when seccomp type is Localhost');
  if (profile.type !== 'Localhost' && profile.localhostProfile !== undefined) invalid(reporter, at(path, 'localhostProfile'), profile, 'can only be set when seccomp type is Localhost');
}

/** ValidateSecurityContext (a container's). */
function checkContainerSecurity(sc: unknown, path: string, hostUsers: boolean, reporter: Reporter): void {
  if (!isObject(sc)) return;
  userOrGroupId(reporter, sc.runAsUser, at(path, 'runAsUser'));
  userOrGroupId(reporter, sc.runAsGroup, at(path, 'runAsGroup'));
  if (sc.procMount !== undefined && sc.procMount !== 'Default' && sc.procMount !== 'Unmasked') notSupported(reporter, at(path, 'procMount'), sc.procMount, ['Default', 'Unmasked']);
  if (hostUsers && sc.procMount === 'Unmasked') invalid(reporter, at(path, 'procMount'), 'Unmasked', '`hostUsers` must be false to use `Unmasked`');
  checkSeccomp(sc.seccompProfile, at(path, 'seccompProfile'), reporter);
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) invalid(reporter, path, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true');
    if (list(obj(sc.capabilities).add).includes('CAP_SYS_ADMIN')) invalid(reporter, path, sc, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN');
  }
  if (isObject(sc.appArmorProfile)) checkAppArmor(sc.appArmorProfile, at(path, 'appArmorProfile'), reporter);
}

function checkAppArmor(profile: Json, path: string, reporter: Reporter): void {
  if (profile.type === 'Localhost' && str(profile.localhostProfile) === '') required(reporter, at(path, 'localhostProfile'), 'must be set when AppArmor type is Localhost');
  if (profile.type !== 'Localhost' && profile.localhostProfile !== undefined) invalid(reporter, at(path, 'localhostProfile'), profile.localhostProfile, 'can only be set when AppArmor type is Localhost');
}

// validateEnvVarValueFrom: the sources an env var may take its value from; it sets exactly one.
const ENV_SOURCES = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef', 'fileKeyRef'] as const;
const ENV_FIELD_PATHS = new Set(['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs']);

function checkEnv(env: unknown, path: string, reporter: Reporter): void {
  list(env).forEach((variable, index) => {
    const eat = at(path, index);
    if (!isObject(variable)) return;
    // RelaxedEnvironmentVariableValidation (GA in 1.34): any printable ASCII but '='.
    if (str(variable.name) === '') required(reporter, at(eat, 'name'));
    else if (!/^[ -<>-~]+$/.test(variable.name)) invalid(reporter, at(eat, 'name'), variable.name, "a valid environment variable name must consist only of printable ASCII characters other than '='");
    if (!isObject(variable.valueFrom)) {
      if (variable.valueFrom === null) return;
      return;
    }
    const vat = at(eat, 'valueFrom');
    const from = variable.valueFrom;
    const sources = ENV_SOURCES.filter((s) => from[s] !== undefined && from[s] !== null);
    if (sources.length === 0) invalid(reporter, vat, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef`, `secretKeyRef` or `fileKeyRef`');
    else if (sources.length > 1) invalid(reporter, vat, '', 'may not have more than one field specified at a time');
    else if (str(variable.value) !== '') invalid(reporter, vat, '', 'may not be specified when `value` is not empty');
    for (const ref of ['secretKeyRef', 'configMapKeyRef'] as const) {
      if (!isObject(from[ref])) continue;
      const rat = at(vat, ref);
      const name = str(from[ref].name);
      if (name === '') invalid(reporter, at(rat, 'name'), '', "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
      else dnsSubdomain(reporter, name, at(rat, 'name'));
      if (str(from[ref].key) === '') required(reporter, at(rat, 'key'));
    }
    if (isObject(from.fieldRef)) {
      const fat = at(vat, 'fieldRef');
      const fieldPath = str(from.fieldRef.fieldPath);
      if (fieldPath === '') required(reporter, at(fat, 'fieldPath'));
      else if (!ENV_FIELD_PATHS.has(fieldPath) && !/^metadata\.(labels|annotations)\['.+'\]$/.test(fieldPath)) notSupported(reporter, at(fat, 'fieldPath'), fieldPath, [...ENV_FIELD_PATHS]);
    }
  });
}

function checkContainer(container: Json, cat: string, volumes: Set<string>, claimNames: readonly string[], hostUsers: boolean, init: boolean, reporter: Reporter): void {
  if (str(container.image).trim() === '') required(reporter, at(cat, 'image'));
  // Port names are unique within a container (validateContainerPorts), not across the pod.
  const portNames = new Set<string>();
  list(container.ports).forEach((port, p) => {
    const pat = at(at(cat, 'ports'), p);
    if (!isObject(port)) return;
    if (port.containerPort === undefined || port.containerPort === 0) required(reporter, at(pat, 'containerPort'));
    else portNumber(reporter, port.containerPort, at(pat, 'containerPort'));
    if (typeof port.hostPort === 'number' && port.hostPort !== 0) portNumber(reporter, port.hostPort, at(pat, 'hostPort'));
    if (port.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(port.protocol)) notSupported(reporter, at(pat, 'protocol'), port.protocol, ['SCTP', 'TCP', 'UDP']);
    if (typeof port.name !== 'string' || port.name === '') return;
    if (!isIanaServiceName(port.name)) reporter.report('ports', at(pat, 'name'), `port name ${JSON.stringify(port.name)} must be an IANA service name: at most 15 lowercase alphanumerics or '-', with at least one letter, no '--'`, port.name);
    if (portNames.has(port.name)) reporter.report('ports', at(pat, 'name'), `Duplicate value: port name ${JSON.stringify(port.name)} is used twice in container "${String(container.name)}"`, port.name);
    portNames.add(port.name);
  });
  checkEnv(container.env, at(cat, 'env'), reporter);
  const mountPaths = new Set<string>();
  list(container.volumeMounts).forEach((mount, m) => {
    const mat = at(at(cat, 'volumeMounts'), m);
    if (!isObject(mount)) return;
    const name = str(mount.name);
    if (name === '') required(reporter, at(mat, 'name'));
    else if (!volumes.has(name) && !claimNames.includes(name)) reporter.report('containers', at(mat, 'name'), `Not found: no volume named ${JSON.stringify(name)} in the pod${claimNames.length > 0 ? ' or its volumeClaimTemplates' : ''}`, name);
    const mountPath = str(mount.mountPath);
    if (mountPath === '') required(reporter, at(mat, 'mountPath'));
    else if (mountPaths.has(mountPath)) reporter.report('containers', at(mat, 'mountPath'), `Duplicate value: ${JSON.stringify(mountPath)} must be unique`, mountPath);
    mountPaths.add(mountPath);
  });
  checkResources(container.resources, at(cat, 'resources'), reporter);
  const probes = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
  if (init && container.restartPolicy !== 'Always') {
    for (const probe of probes) if (container[probe] !== undefined && container[probe] !== null) reporter.report('probes', at(cat, probe), 'Forbidden: may not be set for init containers without restartPolicy=Always');
  } else for (const probe of probes) checkProbe(container[probe], at(cat, probe), reporter);
  if (isObject(container.lifecycle)) {
    for (const hook of ['postStart', 'preStop'] as const) if (isObject(container.lifecycle[hook])) checkHandler(container.lifecycle[hook], LIFECYCLE_HANDLERS, at(at(cat, 'lifecycle'), hook), reporter);
  }
  checkContainerSecurity(container.securityContext, at(cat, 'securityContext'), hostUsers, reporter);
}

/** ValidatePodSpec, for what manifests set (see above). */
export function checkPodSpec(spec: unknown, path: string, reporter: Reporter, claimNames: readonly string[] = []): void {
  if (!isObject(spec)) return;
  const security = obj(spec.securityContext);
  const hostUsers = security.hostUsers !== false;
  const volumes = checkVolumes(spec, path, reporter);
  const containers = list(spec.containers);
  if (containers.length === 0) required(reporter, at(path, 'containers'));
  const names = new Set<string>();
  for (const field of ['initContainers', 'containers'] as const) {
    list(spec[field]).forEach((container, index) => {
      const cat = at(at(path, field), index);
      if (!isObject(container)) return;
      const name = str(container.name);
      if (name === '') required(reporter, at(cat, 'name'));
      else if (!isDns1123Label(name)) reporter.report('containers', at(cat, 'name'), `container name ${JSON.stringify(name)} must be a DNS-1123 label: lowercase alphanumerics or '-', at most 63`, name);
      else if (names.has(name)) reporter.report('containers', at(cat, 'name'), `Duplicate value: container name ${JSON.stringify(name)} is used twice in the pod`, name);
      names.add(name);
      checkContainer(container, cat, volumes, claimNames, hostUsers, field === 'initContainers', reporter);
    });
  }
  checkHostProcess(spec, path, reporter);
  if (spec.restartPolicy !== undefined && !['Always', 'OnFailure', 'Never'].includes(spec.restartPolicy)) notSupported(reporter, at(path, 'restartPolicy'), spec.restartPolicy, ['Always', 'Never', 'OnFailure']);
  if (spec.dnsPolicy !== undefined && !['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'].includes(spec.dnsPolicy)) notSupported(reporter, at(path, 'dnsPolicy'), spec.dnsPolicy, ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None']);
  checkLabels(spec.nodeSelector, at(path, 'nodeSelector'), reporter, 'node selector');
  // validatePodSpecSecurityContext
  const sat = at(path, 'securityContext');
  userOrGroupId(reporter, security.fsGroup, at(sat, 'fsGroup'));
  userOrGroupId(reporter, security.runAsUser, at(sat, 'runAsUser'));
  userOrGroupId(reporter, security.runAsGroup, at(sat, 'runAsGroup'));
  list(security.supplementalGroups).forEach((g, i) => userOrGroupId(reporter, g, at(at(sat, 'supplementalGroups'), i)));
  if (security.shareProcessNamespace === true && spec.hostPID === true) invalid(reporter, at(sat, 'shareProcessNamespace'), true, 'ShareProcessNamespace and HostPID cannot both be enabled');
  checkSeccomp(security.seccompProfile, at(sat, 'seccompProfile'), reporter);
  if (isObject(security.appArmorProfile)) checkAppArmor(security.appArmorProfile, at(sat, 'appArmorProfile'), reporter);
  if (spec.activeDeadlineSeconds !== undefined && (num(spec.activeDeadlineSeconds) < 1 || num(spec.activeDeadlineSeconds) > 2147483647)) invalid(reporter, at(path, 'activeDeadlineSeconds'), spec.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive');
  if (typeof spec.terminationGracePeriodSeconds === 'number' && spec.terminationGracePeriodSeconds < 0) invalid(reporter, at(path, 'terminationGracePeriodSeconds'), spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0');
  if (str(spec.serviceAccountName) !== '') dnsSubdomain(reporter, spec.serviceAccountName, at(path, 'serviceAccountName'));
  if (str(spec.priorityClassName) !== '') dnsSubdomain(reporter, spec.priorityClassName, at(path, 'priorityClassName'));
  if (str(spec.hostname) !== '' && !isDns1123Label(spec.hostname)) invalid(reporter, at(path, 'hostname'), spec.hostname, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'");
  if (str(spec.subdomain) !== '' && !isDns1123Label(spec.subdomain)) invalid(reporter, at(path, 'subdomain'), spec.subdomain, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'");
  checkTopologySpread(spec, path, reporter);
  checkTolerations(spec, path, reporter);
}

/** validateWindowsHostProcessPod */
function checkHostProcess(spec: Json, path: string, reporter: Reporter): void {
  const pod = obj(obj(obj(spec.securityContext).windowsOptions)).hostProcess;
  let count = 0;
  let hostProcess = 0;
  for (const field of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    list(spec[field]).forEach((c, i) => {
      if (!isObject(c)) return;
      count++;
      const own = obj(obj(c.securityContext).windowsOptions).hostProcess;
      if (typeof pod === 'boolean' && typeof own === 'boolean' && pod !== own) invalid(reporter, at(at(at(at(at(path, field), i), 'securityContext'), 'windowsOptions'), 'hostProcess'), own, `pod hostProcess value must be identical if both are specified, was ${String(pod)}`);
      if (own === true || (own === undefined && pod === true)) hostProcess++;
    });
  }
  if (hostProcess === 0) return;
  if (hostProcess !== count) invalid(reporter, path, '', 'If pod contains any hostProcess containers then all containers must be HostProcess containers');
  if (spec.hostNetwork !== true) invalid(reporter, at(path, 'hostNetwork'), spec.hostNetwork ?? false, 'hostNetwork must be true if pod contains any hostProcess containers');
}

function checkTopologySpread(spec: Json, path: string, reporter: Reporter): void {
  list(spec.topologySpreadConstraints).forEach((c, index) => {
    const tat = at(at(path, 'topologySpreadConstraints'), index);
    if (!isObject(c)) return;
    if (typeof c.maxSkew === 'number' && c.maxSkew <= 0) reporter.report('schema', at(tat, 'maxSkew'), 'must be greater than zero', c.maxSkew);
    if (str(c.topologyKey) === '') required(reporter, at(tat, 'topologyKey'), 'can not be empty');
    // No default: unset, it is "", which is neither.
    if (!['DoNotSchedule', 'ScheduleAnyway'].includes(c.whenUnsatisfiable)) notSupported(reporter, at(tat, 'whenUnsatisfiable'), c.whenUnsatisfiable ?? '', ['DoNotSchedule', 'ScheduleAnyway']);
    if (c.minDomains !== undefined && c.minDomains !== null) {
      if (typeof c.minDomains === 'number' && c.minDomains <= 0) reporter.report('schema', at(tat, 'minDomains'), 'must be greater than zero', c.minDomains);
      if (c.whenUnsatisfiable !== 'DoNotSchedule') reporter.report('schema', at(tat, 'minDomains'), 'can only be set when whenUnsatisfiable is DoNotSchedule', c.minDomains);
    }
  });
}

function checkTolerations(spec: Json, path: string, reporter: Reporter): void {
  list(spec.tolerations).forEach((t, index) => {
    const tat = at(at(path, 'tolerations'), index);
    if (!isObject(t)) return;
    if (t.operator === 'Exists' && t.value !== undefined && t.value !== '') reporter.report('schema', at(tat, 'operator'), "value must be empty when `operator` is 'Exists'", t.operator);
    if ((t.key === undefined || t.key === '') && t.operator !== 'Exists') reporter.report('schema', at(tat, 'operator'), 'operator must be Exists when `key` is empty, which means "match all values and all keys"', t.operator ?? 'Equal');
    if (t.operator !== undefined && !['Equal', 'Exists', 'Gt', 'Lt'].includes(t.operator)) notSupported(reporter, at(tat, 'operator'), t.operator, ['Equal', 'Exists']);
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') invalid(reporter, at(tat, 'effect'), t.effect ?? '', 'effect must be \'NoExecute\' when `tolerationSeconds` is set');
  });
}

export { child };
