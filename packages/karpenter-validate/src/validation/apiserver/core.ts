import { isDns1123Label } from '../../labels';
import { goQuantity, isQuantity, parseQuantity } from '../../quantity';
import { child, KubeObject, Reporter } from '../findings';
import { checkLabels, isIanaServiceName } from '../metadata';
import { checkSelector } from '../selectors';
import { at, dnsSubdomain, forbidden, invalid, isObject, Json, list, notSupported, obj, portNumber, qualifiedName, required, str } from './common';

/**
 * The core group's kinds other than pods and their controllers (k8s.io/kubernetes v1.35.4
 * pkg/apis/core/validation/validation.go ValidateService, ValidateEndpoints,
 * ValidatePersistentVolume(Claim), ValidateSecret, ValidateConfigMap, ValidateResourceQuota,
 * ValidateLimitRange).
 */

/** core.MaxSecretSize: what etcd takes for one object, less room for the rest of it. */
const MAX_DATA_SIZE = 1024 * 1024;

const bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0);
/** Decoded bytes of a base64 value. */
const decoded = (value: unknown) => (typeof value === 'string' ? Buffer.from(value, 'base64').length : 0);

/** IsConfigMapKey */
function dataKeys(values: unknown, path: string, reporter: Reporter): void {
  for (const key of Object.keys(obj(values))) {
    if (key.length > 253 || !/^[-._a-zA-Z0-9]+$/.test(key)) reporter.report('name', child(path, key), `key ${JSON.stringify(key)} must consist of alphanumerics, '-', '_' or '.'`, key);
  }
}

function configMap(object: KubeObject, reporter: Reporter): void {
  dataKeys(object.data, 'data', reporter);
  dataKeys(object.binaryData, 'binaryData', reporter);
  for (const key of Object.keys(obj(object.data))) if (Object.hasOwn(obj(object.binaryData), key)) invalid(reporter, child('data', key), key, 'duplicate of key present in binaryData');
  const size = Object.values(obj(object.data)).reduce((sum: number, v) => sum + bytes(v), 0) + Object.values(obj(object.binaryData)).reduce((sum: number, v) => sum + decoded(v), 0);
  // The API server names the whole object ("[]").
  if (size > MAX_DATA_SIZE) reporter.report('validation', '', `Too long: may not be more than ${MAX_DATA_SIZE} bytes (data and binaryData hold ${size}): a ConfigMap is one etcd value; split it, or mount a volume`);
}

const SECRET_KEYS: Readonly<Record<string, readonly string[]>> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

function secret(object: KubeObject, reporter: Reporter): void {
  dataKeys(object.data, 'data', reporter);
  dataKeys(object.stringData, 'stringData', reporter);
  // stringData is merged into data before validation: both count, and both hold the keys.
  const keys = new Set([...Object.keys(obj(object.data)), ...Object.keys(obj(object.stringData))]);
  const size = Object.entries(obj(object.data)).reduce((sum, [k, v]) => sum + (Object.hasOwn(obj(object.stringData), k) ? 0 : decoded(v)), 0) + Object.values(obj(object.stringData)).reduce((sum: number, v) => sum + bytes(v), 0);
  if (size > MAX_DATA_SIZE) reporter.report('validation', 'data', `Too long: may not be more than ${MAX_DATA_SIZE} bytes (the values hold ${size})`);
  const type = str(object.type);
  if (type === 'kubernetes.io/service-account-token' && str(obj(object.metadata?.annotations)['kubernetes.io/service-account.name']) === '') required(reporter, 'metadata.annotations[kubernetes.io/service-account.name]');
  if (type === 'kubernetes.io/basic-auth' && !keys.has('username') && !keys.has('password')) {
    required(reporter, 'data[username]');
    required(reporter, 'data[password]');
  }
  for (const key of SECRET_KEYS[type] ?? []) if (!keys.has(key)) required(reporter, `data[${key}]`);
}

function service(spec: Json, reporter: Reporter): void {
  const type = spec.type ?? 'ClusterIP';
  if (!['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(type)) notSupported(reporter, 'spec.type', type, ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']);
  const ports = list(spec.ports);
  const headless = spec.clusterIP === 'None';
  if (type === 'ExternalName') {
    if (str(spec.externalName) === '') required(reporter, 'spec.externalName');
  } else if (ports.length === 0 && !headless) required(reporter, 'spec.ports');
  if (headless && (type === 'NodePort' || type === 'LoadBalancer')) invalid(reporter, 'spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${type} services`);
  const names = new Set<string>();
  ports.forEach((port, index) => {
    const pat = at('spec.ports', index);
    if (!isObject(port)) return;
    const name = str(port.name);
    if (ports.length > 1 && name === '') reporter.report('ports', at(pat, 'name'), 'Required value: every port of a multi-port Service needs a name');
    if (name !== '') {
      if (!isDns1123Label(name)) reporter.report('ports', at(pat, 'name'), `port name ${JSON.stringify(name)} must be a DNS-1123 label`, name);
      if (names.has(name)) reporter.report('ports', at(pat, 'name'), `Duplicate value: port name ${JSON.stringify(name)}`, name);
      names.add(name);
    }
    if (port.port === undefined || port.port === 0) required(reporter, at(pat, 'port'));
    else portNumber(reporter, port.port, at(pat, 'port'));
    if (port.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(port.protocol)) notSupported(reporter, at(pat, 'protocol'), port.protocol, ['SCTP', 'TCP', 'UDP']);
    if (typeof port.targetPort === 'string' && port.targetPort !== '' && !isIanaServiceName(port.targetPort)) reporter.report('ports', at(pat, 'targetPort'), `port name ${JSON.stringify(port.targetPort)} must be an IANA service name`, port.targetPort);
    if (typeof port.targetPort === 'number' && port.targetPort !== 0) portNumber(reporter, port.targetPort, at(pat, 'targetPort'));
    if (port.nodePort !== undefined && port.nodePort !== 0 && type === 'ClusterIP') forbidden(reporter, at(pat, 'nodePort'), 'may not be used when `type` is \'ClusterIP\'');
  });
  checkLabels(spec.selector, 'spec.selector', reporter, 'selector');
  if (spec.sessionAffinity !== undefined && !['ClientIP', 'None'].includes(spec.sessionAffinity)) notSupported(reporter, 'spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']);
}

const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function endpoints(object: KubeObject, reporter: Reporter): void {
  list(object.subsets).forEach((subset, index) => {
    const sat = at('subsets', index);
    if (list(obj(subset).addresses).length === 0 && list(obj(subset).notReadyAddresses).length === 0) required(reporter, sat, 'must specify `addresses` or `notReadyAddresses`');
    for (const field of ['addresses', 'notReadyAddresses'] as const) {
      list(obj(subset)[field]).forEach((address, a) => {
        const ip = str(obj(address).ip);
        if (!IPV4.test(ip) && !ip.includes(':')) invalid(reporter, at(at(at(sat, field), a), 'ip'), ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)');
      });
    }
    const ports = list(obj(subset).ports);
    ports.forEach((port, p) => {
      const pat = at(at(sat, 'ports'), p);
      if (ports.length > 1 && str(obj(port).name) === '') required(reporter, at(pat, 'name'));
      const number = obj(port).port;
      portNumber(reporter, typeof number === 'number' ? number : 0, at(pat, 'port'));
    });
  });
}

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

function accessModes(modes: unknown, path: string, reporter: Reporter, detail = ''): void {
  const values = list(modes);
  if (values.length === 0) required(reporter, path, detail);
  for (const mode of values) if (!ACCESS_MODES.includes(mode)) notSupported(reporter, path, mode, ACCESS_MODES);
  if (values.includes('ReadWriteOncePod') && values.some((m) => m !== 'ReadWriteOncePod' && ACCESS_MODES.includes(m))) forbidden(reporter, path, 'may not use ReadWriteOncePod with other access modes');
}

function persistentVolume(spec: Json, reporter: Reporter): void {
  accessModes(spec.accessModes, 'spec.accessModes', reporter);
  const capacity = obj(spec.capacity);
  if (Object.keys(capacity).length === 0) required(reporter, 'spec.capacity');
  if (!Object.hasOwn(capacity, 'storage') || Object.keys(capacity).length > 1) notSupported(reporter, 'spec.capacity', capacity, ['storage']);
  const sources = ['gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'quobyte', 'cephfs', 'iscsi', 'cinder', 'fc', 'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'local', 'storageos', 'csi'].filter((s) => spec[s] !== undefined && spec[s] !== null);
  if (sources.length === 0) required(reporter, 'spec', 'must specify a volume type');
  if (isObject(spec.csi)) {
    if (str(spec.csi.driver) === '') required(reporter, 'spec.csi.driver');
    if (str(spec.csi.volumeHandle) === '') required(reporter, 'spec.csi.volumeHandle');
  }
  if (spec.persistentVolumeReclaimPolicy !== undefined && !['Delete', 'Recycle', 'Retain'].includes(spec.persistentVolumeReclaimPolicy)) notSupported(reporter, 'spec.persistentVolumeReclaimPolicy', spec.persistentVolumeReclaimPolicy, ['Delete', 'Recycle', 'Retain']);
}

function persistentVolumeClaim(spec: Json, reporter: Reporter): void {
  accessModes(spec.accessModes, 'spec.accessModes', reporter, 'at least 1 access mode is required');
  if (spec.selector !== undefined) checkSelector(spec.selector, 'spec.selector', reporter);
  const storage = obj(obj(spec.resources).requests).storage;
  if (storage === undefined) required(reporter, 'spec.resources[storage]');
  else if ((typeof storage === 'number' ? storage : goQuantity(String(storage)) ?? 1) <= 0) invalid(reporter, 'spec.resources[storage]', storage, 'must be greater than zero');
  if (str(spec.storageClassName) !== '') dnsSubdomain(reporter, spec.storageClassName, 'spec.storageClassName');
  if (spec.volumeMode !== undefined && !['Block', 'Filesystem'].includes(spec.volumeMode)) notSupported(reporter, 'spec.volumeMode', spec.volumeMode, ['Block', 'Filesystem']);
}

// Resources a quota counts, whose amounts must be whole numbers (IsIntegerResourceName).
const COUNTED = /^(pods|services|replicationcontrollers|resourcequotas|secrets|configmaps|persistentvolumeclaims|services\.nodeports|services\.loadbalancers|count\/.+)$/;

function resourceQuota(spec: Json, reporter: Reporter): void {
  for (const [name, value] of Object.entries(obj(spec.hard))) {
    const path = `spec.hard[${name}]`;
    if (typeof value === 'string' && isQuantity(value) && parseQuantity(value) < 0) invalid(reporter, path, value, 'must be greater than or equal to 0');
    if (COUNTED.test(name) && !Number.isInteger(typeof value === 'number' ? value : isQuantity(String(value)) ? parseQuantity(String(value)) : 0)) invalid(reporter, path, value, 'must be an integer');
  }
}

/** ValidateLimitRange: each limit names its type (a qualified name) and holds valid amounts. */
function limitRange(spec: Json, reporter: Reporter): void {
  list(spec.limits).forEach((limit, index) => {
    const lat = at('spec.limits', index);
    const type = str(obj(limit).type);
    if (type === '') {
      invalid(reporter, at(lat, 'type'), '', 'name part must be non-empty');
      invalid(reporter, at(lat, 'type'), '', "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
    } else qualifiedName(reporter, type, at(lat, 'type'));
  });
}

/** The core group's kinds beyond pods; false for other kinds. */
export function checkCore(object: KubeObject, reporter: Reporter): boolean {
  const spec = obj(object.spec);
  switch (object.kind) {
    case 'ConfigMap':
      configMap(object, reporter);
      return true;
    case 'Secret':
      secret(object, reporter);
      return true;
    case 'Service':
      service(spec, reporter);
      return true;
    case 'Endpoints':
      endpoints(object, reporter);
      return true;
    case 'PersistentVolume':
      persistentVolume(spec, reporter);
      return true;
    case 'PersistentVolumeClaim':
      persistentVolumeClaim(spec, reporter);
      return true;
    case 'ResourceQuota':
      resourceQuota(spec, reporter);
      return true;
    case 'LimitRange':
      limitRange(spec, reporter);
      return true;
    default:
      return false;
  }
}
