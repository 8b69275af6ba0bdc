import { isQuantity, parseQuantity } from '../quantity';
import { child, KubeObject, Reporter } from './findings';
import { isDns1123Label } from '../labels';
import { checkAnnotations, checkLabels, isIanaServiceName } from './metadata';
import { isObject, Json, podTemplateOf } from './pods';
import { checkSelector, isEmptySelector, LabelSelector, selects } from './selectors';

/**
 * What the API server enforces beyond the OpenAPI schema, after the validation functions of
 * kubernetes/pkg/apis/{core,apps,autoscaling,policy}/validation. Only rules we can state
 * without a cluster are here; each names the field and what is allowed.
 */

const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;

function checkProbe(probe: unknown, path: string, reporter: Reporter): void {
  if (!isObject(probe)) return;
  const handlers = PROBE_HANDLERS.filter((h) => probe[h] !== undefined);
  if (handlers.length === 0) reporter.report('probes', path, `must specify a handler type: one of ${PROBE_HANDLERS.join(', ')}`);
  if (handlers.length > 1) reporter.report('probes', path, `may not specify more than 1 handler type (found ${handlers.join(', ')})`);
  const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
  if (typeof port === 'string' && !isIanaServiceName(port)) reporter.report('ports', child(child(path, handlers[0] ?? 'httpGet'), 'port'), `port name ${JSON.stringify(port)} must be an IANA service name: at most 15 lowercase alphanumerics or '-', with a letter`, port);
  if (typeof port === 'number' && (port < 1 || port > 65535)) reporter.report('ports', child(child(path, handlers[0] ?? 'httpGet'), 'port'), 'must be between 1 and 65535, inclusive', port);
  for (const field of ['periodSeconds', 'timeoutSeconds', 'successThreshold', 'failureThreshold'] as const) {
    if (typeof probe[field] === 'number' && probe[field] < 0) reporter.report('probes', child(path, field), 'must be greater than or equal to 0', probe[field]);
  }
}

function checkResources(resources: unknown, path: string, reporter: Reporter): void {
  if (!isObject(resources)) return;
  const requests = isObject(resources.requests) ? resources.requests : {};
  const limits = isObject(resources.limits) ? resources.limits : {};
  for (const [name, value] of Object.entries(requests)) {
    const limit = limits[name];
    if (limit === undefined || !isQuantity(String(value)) || !isQuantity(String(limit))) continue;
    if (parseQuantity(String(value)) > parseQuantity(String(limit))) {
      reporter.report('resources', child(child(path, 'requests'), name), `must be less than or equal to ${name} limit of ${String(limit)}`, value);
    }
  }
}

/**
 * ValidatePodSpec, for the rules that matter to manifests: unique container and volume names,
 * ports, mounts that name a volume, resources and probes.
 * `claimNames` are a StatefulSet's volume claim templates, which mounts may also name.
 */
export function checkPodSpec(spec: unknown, path: string, reporter: Reporter, claimNames: readonly string[] = []): void {
  if (!isObject(spec)) return;
  const containers = list(spec.containers);
  if (containers.length === 0) reporter.report('containers', child(path, 'containers'), 'Required value: a pod needs at least one container');
  const volumes = new Set<string>();
  list(spec.volumes).forEach((volume, index) => {
    const at = child(child(path, 'volumes'), index);
    if (typeof volume?.name !== 'string') return;
    if (!isDns1123Label(volume.name)) reporter.report('containers', child(at, 'name'), `volume name ${JSON.stringify(volume.name)} must be a DNS-1123 label`, volume.name);
    if (volumes.has(volume.name)) reporter.report('containers', child(at, 'name'), `Duplicate value: volume name ${JSON.stringify(volume.name)}`, volume.name);
    volumes.add(volume.name);
  });
  const names = new Set<string>();
  for (const field of ['initContainers', 'containers'] as const) {
    list(spec[field]).forEach((container, index) => {
      const at = child(child(path, field), index);
      if (!isObject(container)) return;
      // Port names are unique within a container (validateContainerPorts), not across the pod.
      const portNames = new Set<string>();
      if (typeof container.name === 'string') {
        if (!isDns1123Label(container.name)) reporter.report('containers', child(at, 'name'), `container name ${JSON.stringify(container.name)} must be a DNS-1123 label: lowercase alphanumerics or '-', at most 63`, container.name);
        if (names.has(container.name)) reporter.report('containers', child(at, 'name'), `Duplicate value: container name ${JSON.stringify(container.name)} is used twice in the pod`, container.name);
        names.add(container.name);
      }
      list(container.ports).forEach((port, p) => {
        const portAt = child(child(at, 'ports'), p);
        if (typeof port?.containerPort === 'number' && (port.containerPort < 1 || port.containerPort > 65535)) reporter.report('ports', child(portAt, 'containerPort'), 'must be between 1 and 65535, inclusive', port.containerPort);
        if (typeof port?.name !== 'string') return;
        if (!isIanaServiceName(port.name)) reporter.report('ports', child(portAt, 'name'), `port name ${JSON.stringify(port.name)} must be an IANA service name: at most 15 lowercase alphanumerics or '-', with at least one letter, no '--'`, port.name);
        if (portNames.has(port.name)) reporter.report('ports', child(portAt, 'name'), `Duplicate value: port name ${JSON.stringify(port.name)} is used twice in container "${String(container.name)}"`, port.name);
        portNames.add(port.name);
      });
      const mountPaths = new Set<string>();
      list(container.volumeMounts).forEach((mount, m) => {
        const mountAt = child(child(at, 'volumeMounts'), m);
        if (typeof mount?.name === 'string' && !volumes.has(mount.name) && !claimNames.includes(mount.name)) reporter.report('containers', child(mountAt, 'name'), `Not found: no volume named ${JSON.stringify(mount.name)} in the pod${claimNames.length > 0 ? ' or its volumeClaimTemplates' : ''}`, mount.name);
        if (typeof mount?.mountPath === 'string') {
          if (mountPaths.has(mount.mountPath)) reporter.report('containers', child(mountAt, 'mountPath'), `Duplicate value: ${JSON.stringify(mount.mountPath)} must be unique`, mount.mountPath);
          mountPaths.add(mount.mountPath);
        }
      });
      checkResources(container.resources, child(at, 'resources'), reporter);
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) checkProbe(container[probe], child(at, probe), reporter);
      if (field === 'initContainers' && container.restartPolicy !== 'Always') {
        for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
          if (container[probe] !== undefined) reporter.report('probes', child(at, probe), 'Forbidden: may not be set for init containers without restartPolicy=Always');
        }
      }
    });
  }
  checkLabels(spec.nodeSelector, child(path, 'nodeSelector'), reporter, 'node selector');
  list(spec.topologySpreadConstraints).forEach((c, index) => {
    const at = child(child(path, 'topologySpreadConstraints'), index);
    if (typeof c?.maxSkew === 'number' && c.maxSkew <= 0) reporter.report('schema', child(at, 'maxSkew'), 'must be greater than zero', c.maxSkew);
    if (c?.minDomains !== undefined && c?.minDomains !== null) {
      if (typeof c.minDomains === 'number' && c.minDomains <= 0) reporter.report('schema', child(at, 'minDomains'), 'must be greater than zero', c.minDomains);
      if (c.whenUnsatisfiable !== 'DoNotSchedule') reporter.report('schema', child(at, 'minDomains'), 'can only be set when whenUnsatisfiable is DoNotSchedule', c.minDomains);
    }
  });
  list(spec.tolerations).forEach((t, index) => {
    const at = child(child(path, 'tolerations'), index);
    if (t?.operator === 'Exists' && t.value !== undefined && t.value !== '') reporter.report('schema', child(at, 'operator'), "value must be empty when `operator` is 'Exists'", t.operator);
    if ((t?.key === undefined || t.key === '') && t?.operator !== 'Exists') reporter.report('schema', child(at, 'operator'), "operator must be Exists when `key` is empty, which means \"match all values and all keys\"", t?.operator ?? 'Equal');
  });
}

function checkTemplate(object: KubeObject, reporter: Reporter, admissionOnly: boolean): void {
  const found = podTemplateOf(object);
  if (!found || object.kind === 'Pod') return;
  const { template, path } = found;
  const spec = object.spec as Json;
  const selector = object.kind === 'CronJob' || object.kind === 'Job' ? undefined : spec.selector;
  const labels = isObject(template.metadata?.labels) ? (template.metadata.labels as Record<string, string>) : {};
  checkLabels(template.metadata?.labels, `${path}.metadata.labels`, reporter);
  checkAnnotations(template.metadata?.annotations, `${path}.metadata.annotations`, reporter);
  if (isObject(selector)) {
    checkSelector(selector, 'spec.selector', reporter);
    if (isEmptySelector(selector as LabelSelector)) reporter.report('selector', 'spec.selector', 'Invalid value: empty selector is invalid for this resource');
    else if (!selects(selector as LabelSelector, labels)) reporter.report('selector', `${path}.metadata.labels`, '`selector` does not match template `labels`', labels);
  }
  if (object.kind === 'Job' || object.kind === 'CronJob') {
    // A Job's pods run to completion: the pod template's default restartPolicy (Always) is refused.
    const policy = isObject(template.spec) ? template.spec.restartPolicy : undefined;
    if (policy !== 'OnFailure' && policy !== 'Never') reporter.report('schema', `${path}.spec.restartPolicy`, `Unsupported value: ${JSON.stringify(policy ?? 'Always')}${policy === undefined ? ' (the default)' : ''}: supported values: "OnFailure", "Never"`, policy);
  }
  if (object.kind === 'StatefulSet') {
    // The API server validates only the labels and annotations of a StatefulSet's template
    // (ValidatePodTemplateSpecForStatefulSet); a bad pod spec is found when pods are created.
    if (admissionOnly) return;
    const claims = list(spec.volumeClaimTemplates);
    checkPodSpec(template.spec, `${path}.spec`, reporter.under('pod-template', 'the API server accepts this StatefulSet, but would reject its pods'), claims.map((c) => c?.metadata?.name).filter((n): n is string => typeof n === 'string'));
    claims.forEach((claim, index) => {
      const at = child('spec.volumeClaimTemplates', index);
      if (typeof claim?.metadata?.name !== 'string' || !isDns1123Label(claim.metadata.name)) reporter.report('volume-claim-templates', `${at}.metadata.name`, 'must be a DNS-1123 label: it names the PVCs and the volume mounts refer to it', claim?.metadata?.name);
      if (list(claim?.spec?.accessModes).length === 0) reporter.report('volume-claim-templates', `${at}.spec.accessModes`, 'Required value: at least 1 access mode is required');
      const storage = claim?.spec?.resources?.requests?.storage;
      if (storage === undefined) reporter.report('volume-claim-templates', `${at}.spec.resources.requests.storage`, 'Required value: the claim needs a storage request');
      else if (!isQuantity(String(storage))) reporter.report('volume-claim-templates', `${at}.spec.resources.requests.storage`, 'must be a quantity (e.g. 100Gi)', storage);
    });
    return;
  }
  checkPodSpec(template.spec, `${path}.spec`, reporter);
}

function checkService(spec: Json, reporter: Reporter): void {
  const ports = list(spec.ports);
  if (ports.length === 0 && spec.type !== 'ExternalName' && spec.clusterIP !== 'None') reporter.report('ports', 'spec.ports', 'Required value: a Service needs at least one port');
  const names = new Set<string>();
  ports.forEach((port, index) => {
    const at = child('spec.ports', index);
    if (ports.length > 1 && (port?.name === undefined || port.name === '')) reporter.report('ports', child(at, 'name'), 'Required value: every port of a multi-port Service needs a name');
    if (typeof port?.name === 'string' && port.name !== '') {
      if (!isDns1123Label(port.name)) reporter.report('ports', child(at, 'name'), `port name ${JSON.stringify(port.name)} must be a DNS-1123 label`, port.name);
      if (names.has(port.name)) reporter.report('ports', child(at, 'name'), `Duplicate value: port name ${JSON.stringify(port.name)}`, port.name);
      names.add(port.name);
    }
    if (typeof port?.port === 'number' && (port.port < 1 || port.port > 65535)) reporter.report('ports', child(at, 'port'), 'must be between 1 and 65535, inclusive', port.port);
    if (typeof port?.targetPort === 'string' && !isIanaServiceName(port.targetPort)) reporter.report('ports', child(at, 'targetPort'), `port name ${JSON.stringify(port.targetPort)} must be an IANA service name`, port.targetPort);
  });
  checkLabels(spec.selector, 'spec.selector', reporter, 'selector');
}

function checkHpa(spec: Json, reporter: Reporter): void {
  const min = spec.minReplicas ?? 1;
  if (typeof min === 'number' && min < 1) reporter.report('hpa-replicas', 'spec.minReplicas', 'must be greater than or equal to 1', min);
  if (typeof spec.maxReplicas === 'number' && spec.maxReplicas < 1) reporter.report('hpa-replicas', 'spec.maxReplicas', 'must be greater than 0', spec.maxReplicas);
  if (typeof min === 'number' && typeof spec.maxReplicas === 'number' && spec.maxReplicas < min) reporter.report('hpa-replicas', 'spec.maxReplicas', `must be greater than or equal to \`minReplicas\` (${min})`, spec.maxReplicas);
  list(spec.metrics).forEach((metric, index) => {
    const at = child('spec.metrics', index);
    const field = ({ Resource: 'resource', Pods: 'pods', Object: 'object', External: 'external', ContainerResource: 'containerResource' } as Record<string, string>)[metric?.type];
    if (field && metric[field] === undefined) reporter.report('schema', child(at, field), `Required value: must populate information for the given metric source (type ${metric.type})`);
    const target = field ? metric[field]?.target : undefined;
    if (target?.type === 'Utilization' && !(target.averageUtilization > 0)) reporter.report('schema', child(child(at, field!), 'target.averageUtilization'), 'must be greater than 0', target.averageUtilization);
  });
}

// IsValidPercent and ValidatePositiveIntOrPercent.
function checkIntOrPercent(value: unknown, path: string, reporter: Reporter): void {
  if (typeof value === 'number' && value < 0) reporter.report('pdb-budget', path, 'must be greater than or equal to 0', value);
  if (typeof value === 'string') {
    if (!/^[0-9]+%$/.test(value)) reporter.report('pdb-budget', path, "must be an integer or percentage (e.g. '5%')", value);
    else if (Number(value.slice(0, -1)) > 100) reporter.report('pdb-budget', path, 'must not be greater than 100%', value);
  }
}

function checkPdb(spec: Json, reporter: Reporter): void {
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) reporter.report('pdb-budget', 'spec', 'minAvailable and maxUnavailable cannot be both set');
  checkIntOrPercent(spec.minAvailable, 'spec.minAvailable', reporter);
  checkIntOrPercent(spec.maxUnavailable, 'spec.maxUnavailable', reporter);
  checkSelector(spec.selector, 'spec.selector', reporter);
}

// ConfigMap and Secret keys: IsConfigMapKey.
function checkDataKeys(object: KubeObject, reporter: Reporter): void {
  for (const field of ['data', 'binaryData', 'stringData'] as const) {
    for (const key of Object.keys(isObject(object[field]) ? (object[field] as Json) : {})) {
      if (key.length > 253 || !/^[-._a-zA-Z0-9]+$/.test(key)) reporter.report('name', child(field, key), `key ${JSON.stringify(key)} must consist of alphanumerics, '-', '_' or '.'`, key);
    }
  }
}

/** The API server's rules beyond the schema, for the kinds that have them. */
export function checkServerRules(object: KubeObject, reporter: Reporter, admissionOnly: boolean): void {
  const spec = isObject(object.spec) ? object.spec : {};
  switch (object.kind) {
    case 'Service':
      checkService(spec, reporter);
      break;
    case 'HorizontalPodAutoscaler':
      checkHpa(spec, reporter);
      break;
    case 'PodDisruptionBudget':
      checkPdb(spec, reporter);
      break;
    case 'ConfigMap':
    case 'Secret':
      checkDataKeys(object, reporter);
      break;
    case 'Pod':
      checkPodSpec(spec, 'spec', reporter);
      break;
    default:
      checkTemplate(object, reporter, admissionOnly);
  }
  if (object.kind === 'Deployment' || object.kind === 'StatefulSet') {
    if (typeof spec.replicas === 'number' && spec.replicas < 0) reporter.report('schema', 'spec.replicas', 'must be greater than or equal to 0', spec.replicas);
  }
}
