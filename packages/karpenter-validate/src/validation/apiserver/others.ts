import { isQuantity, parseQuantity } from '../../quantity';
import { KubeObject, Reporter } from '../findings';
import { checkSelector } from '../selectors';
import { at, dnsLabel, dnsSubdomain, domainPrefixedPath, forbidden, invalid, isObject, Json, list, nonNegative, notSupported, obj, portNumber, required, str } from './common';

/**
 * The other groups' kinds (k8s.io/kubernetes v1.35.4 pkg/apis/<group>/validation): autoscaling,
 * policy, storage, networking, admissionregistration, rbac, scheduling, node, coordination and
 * discovery.
 */

// --- autoscaling (validateHorizontalPodAutoscalerSpec; v1 objects are converted to the v2 form first) ---

function metricTarget(given: unknown, path: string, reporter: Reporter, resource = false): void {
  // A struct held by value: unset, it is empty, and validated as such.
  const target = isObject(given) ? given : {};
  if (target.type === undefined || target.type === '') required(reporter, at(path, 'type'), 'must specify a metric target type');
  if (!['Utilization', 'Value', 'AverageValue'].includes(target.type)) invalid(reporter, at(path, 'type'), target.type ?? '', 'must be either Utilization, Value, or AverageValue');
  // validateResourceSource: a resource metric targets a raw value or a utilization, not both.
  if (resource && target.averageUtilization === undefined && target.averageValue === undefined) required(reporter, at(path, 'averageUtilization'), 'must set either a target raw value or a target utilization');
  if (resource && target.averageUtilization !== undefined && target.averageValue !== undefined) forbidden(reporter, at(path, 'averageValue'), 'may not set both a target raw value and a target utilization');
  for (const field of ['value', 'averageValue'] as const) {
    const value = target[field];
    if (value !== undefined && (typeof value === 'number' ? value <= 0 : isQuantity(String(value)) && parseQuantity(String(value)) <= 0)) invalid(reporter, at(path, field), value, 'must be positive');
  }
  if (typeof target.averageUtilization === 'number' && target.averageUtilization < 1) invalid(reporter, at(path, 'averageUtilization'), target.averageUtilization, 'must be greater than 0');
}

const METRIC_SOURCES: Readonly<Record<string, string>> = { Object: 'object', Pods: 'pods', Resource: 'resource', External: 'external', ContainerResource: 'containerResource' };

function hpa(object: KubeObject, reporter: Reporter): void {
  const spec = obj(object.spec);
  // autoscaling/v1 takes its CPU target as a number the API server turns into a Resource metric.
  const v1 = String(object.apiVersion) === 'autoscaling/v1';
  const min = spec.minReplicas;
  const replicas = (path: string, value: number, detail: string) => reporter.report('hpa-replicas', path, `Invalid value: ${value}: ${detail}`, value);
  if (typeof min === 'number' && min < 1) replicas('spec.minReplicas', min, 'must be greater than or equal to 1');
  const max = typeof spec.maxReplicas === 'number' ? spec.maxReplicas : 0;
  if (max < 1) replicas('spec.maxReplicas', max, 'must be greater than 0');
  if (typeof min === 'number' && max < min) replicas('spec.maxReplicas', max, `must be greater than or equal to \`minReplicas\` (${min})`);
  const ref = obj(spec.scaleTargetRef);
  if (str(ref.kind) === '') required(reporter, 'spec.scaleTargetRef.kind');
  else if (/[/%]/.test(ref.kind) || ref.kind === '.' || ref.kind === '..') invalid(reporter, 'spec.scaleTargetRef.kind', ref.kind, "may not contain '/' or '%'");
  if (str(ref.name) === '') required(reporter, 'spec.scaleTargetRef.name');
  else if (/[/%]/.test(ref.name) || ref.name === '.' || ref.name === '..') invalid(reporter, 'spec.scaleTargetRef.name', ref.name, "may not contain '/' or '%'");
  const apiVersion = str(ref.apiVersion);
  if (apiVersion.split('/').length > 2) invalid(reporter, 'spec.scaleTargetRef.apiVersion', apiVersion, `unexpected GroupVersion string: ${apiVersion}`);
  else if (!apiVersion.includes('/')) invalid(reporter, 'spec.scaleTargetRef.apiVersion', apiVersion, 'apiVersion must specify API group');
  const metrics = v1 ? (spec.targetCPUUtilizationPercentage !== undefined ? [{ type: 'Resource' }] : []) : list(spec.metrics);
  if (v1 && typeof spec.targetCPUUtilizationPercentage === 'number' && spec.targetCPUUtilizationPercentage < 1) invalid(reporter, 'spec.metrics[0].resource.target.averageUtilization', spec.targetCPUUtilizationPercentage, 'must be greater than 0');
  if (!v1) {
    metrics.forEach((metric, index) => {
      const mat = at('spec.metrics', index);
      if (!isObject(metric)) return;
      const field = METRIC_SOURCES[str(metric.type)];
      if (metric.type === undefined) required(reporter, at(mat, 'type'), 'must specify a metric source type');
      else if (!field) notSupported(reporter, at(mat, 'type'), metric.type, Object.keys(METRIC_SOURCES).sort());
      else if (metric[field] === undefined || metric[field] === null) required(reporter, at(mat, field), 'must populate information for the given metric source');
      for (const other of Object.values(METRIC_SOURCES)) if (other !== field && metric[other] !== undefined && metric[other] !== null && field) forbidden(reporter, at(mat, other), 'must populate the given metric source only');
      if (field && isObject(metric[field])) {
        const source = metric[field];
        if ((field === 'resource' || field === 'containerResource') && str(source.name) === '') required(reporter, at(at(mat, field), 'name'), 'must specify a resource name');
        if (field === 'containerResource' && str(source.container) === '') required(reporter, at(at(mat, field), 'container'), 'must specify a container');
        if ((field === 'pods' || field === 'object' || field === 'external') && str(obj(source.metric).name) === '') required(reporter, at(at(at(mat, field), 'metric'), 'name'), 'must specify a metric name');
        metricTarget(source.target, at(at(mat, field), 'target'), reporter, field === 'resource' || field === 'containerResource');
      }
    });
  }
  // HPAScaleToZero is off: minReplicas 0 needs an Object or External metric, which it also refuses above.
  if (min === 0 && !metrics.some((m) => m?.type === 'Object' || m?.type === 'External')) forbidden(reporter, 'spec.metrics', 'must specify at least one Object or External metric to support scaling to zero replicas');
  const behavior = obj(spec.behavior);
  for (const direction of ['scaleUp', 'scaleDown'] as const) {
    const rules = behavior[direction];
    if (!isObject(rules)) continue;
    const rat = at('spec.behavior', direction);
    const window = rules.stabilizationWindowSeconds;
    if (typeof window === 'number' && window < 0) invalid(reporter, at(rat, 'stabilizationWindowSeconds'), window, 'must be greater than or equal to zero');
    if (typeof window === 'number' && window > 3600) invalid(reporter, at(rat, 'stabilizationWindowSeconds'), window, 'must be less than or equal to 3600');
    if (rules.selectPolicy !== undefined && !['Disabled', 'Max', 'Min'].includes(rules.selectPolicy)) notSupported(reporter, at(rat, 'selectPolicy'), rules.selectPolicy, ['Disabled', 'Max', 'Min']);
    // Left unset, the policies are defaulted; set empty, they are refused.
    if (Array.isArray(rules.policies) && rules.policies.length === 0) required(reporter, at(rat, 'policies'), 'must specify at least one Policy');
    list(rules.policies).forEach((policy, index) => {
      const pat = at(at(rat, 'policies'), index);
      const p = obj(policy);
      if (p.type !== 'Pods' && p.type !== 'Percent') notSupported(reporter, at(pat, 'type'), p.type ?? '', ['Percent', 'Pods']);
      if (!(typeof p.value === 'number' && p.value > 0)) invalid(reporter, at(pat, 'value'), p.value ?? 0, 'must be greater than zero');
      const period = typeof p.periodSeconds === 'number' ? p.periodSeconds : 0;
      if (period <= 0) invalid(reporter, at(pat, 'periodSeconds'), period, 'must be greater than zero');
      if (period > 1800) invalid(reporter, at(pat, 'periodSeconds'), period, 'must be less than or equal to 1800');
    });
  }
}

// --- policy ---

function intOrPercent(value: unknown, path: string, reporter: Reporter): void {
  if (typeof value === 'number' && value < 0) reporter.report('pdb-budget', path, 'must be greater than or equal to 0', value);
  if (typeof value === 'string') {
    if (!/^[0-9]+%$/.test(value)) reporter.report('pdb-budget', path, "must be an integer or percentage (e.g. '5%')", value);
    else if (Number(value.slice(0, -1)) > 100) reporter.report('pdb-budget', path, 'must not be greater than 100%', value);
  }
}

function pdb(spec: Json, reporter: Reporter): void {
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) reporter.report('pdb-budget', 'spec', 'minAvailable and maxUnavailable cannot be both set');
  intOrPercent(spec.minAvailable, 'spec.minAvailable', reporter);
  intOrPercent(spec.maxUnavailable, 'spec.maxUnavailable', reporter);
  checkSelector(spec.selector, 'spec.selector', reporter);
  if (spec.unhealthyPodEvictionPolicy !== undefined && !['IfHealthyBudget', 'AlwaysAllow'].includes(spec.unhealthyPodEvictionPolicy)) notSupported(reporter, 'spec.unhealthyPodEvictionPolicy', spec.unhealthyPodEvictionPolicy, ['AlwaysAllow', 'IfHealthyBudget']);
}

// --- storage ---

function storageClass(object: KubeObject, reporter: Reporter): void {
  const provisioner = str(object.provisioner);
  if (provisioner === '') required(reporter, 'provisioner');
  else if (provisioner.length > 63 || !/^[a-z0-9A-Z]([-a-z0-9A-Z._/]*[a-z0-9A-Z])?$/.test(provisioner)) invalid(reporter, 'provisioner', provisioner, 'must be a qualified name');
  if (object.reclaimPolicy !== undefined && !['Delete', 'Retain'].includes(String(object.reclaimPolicy))) notSupported(reporter, 'reclaimPolicy', object.reclaimPolicy, ['Delete', 'Retain']);
  if (object.volumeBindingMode !== undefined && !['Immediate', 'WaitForFirstConsumer'].includes(String(object.volumeBindingMode))) notSupported(reporter, 'volumeBindingMode', object.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer']);
  const parameters = obj(object.parameters);
  if (Object.keys(parameters).length > 512) reporter.report('validation', 'parameters', 'Too many: must have at most 512 items');
  const size = Object.entries(parameters).reduce((sum, [k, v]) => sum + k.length + String(v).length, 0);
  if (size > 256 * 1024) reporter.report('validation', 'parameters', `Too long: may not be more than ${256 * 1024} bytes`);
}

// --- networking ---

function ingressBackend(backend: unknown, path: string, reporter: Reporter): void {
  const b = obj(backend);
  const hasResource = isObject(b.resource);
  const hasService = isObject(b.service);
  if (hasResource && hasService) invalid(reporter, path, '', 'cannot set both resource and service backends');
  else if (hasService) {
    const service = b.service as Json;
    if (str(service.name) === '') required(reporter, at(at(path, 'service'), 'name'));
    else dnsLabel(reporter, service.name, at(at(path, 'service'), 'name'));
    const port = obj(service.port);
    const hasName = str(port.name) !== '';
    const hasNumber = typeof port.number === 'number' && port.number !== 0;
    if (hasName && hasNumber) invalid(reporter, path, '', 'cannot set both port name & port number');
    else if (hasNumber) portNumber(reporter, port.number, `${path}.service.port.number`);
    else if (!hasName) required(reporter, path, 'port name or number is required');
  } else if (!hasResource) invalid(reporter, path, '', 'resource or service backend is required');
}

function ingress(spec: Json, reporter: Reporter): void {
  const rules = list(spec.rules);
  if (rules.length === 0 && spec.defaultBackend === undefined) invalid(reporter, 'spec', null, 'either `defaultBackend` or `rules` must be specified');
  if (spec.defaultBackend !== undefined) ingressBackend(spec.defaultBackend, 'spec.defaultBackend', reporter);
  rules.forEach((rule, index) => {
    const rat = at('spec.rules', index);
    const http = obj(rule).http;
    if (!isObject(http)) return;
    const paths = list(http.paths);
    if (paths.length === 0) required(reporter, at(at(rat, 'http'), 'paths'));
    paths.forEach((p, i) => {
      const pat = at(at(at(rat, 'http'), 'paths'), i);
      const path = obj(p);
      if (path.pathType === undefined) {
        required(reporter, at(pat, 'pathType'), 'pathType must be specified');
        return;
      }
      const value = str(path.path);
      if (path.pathType === 'Exact' || path.pathType === 'Prefix') {
        if (!value.startsWith('/')) invalid(reporter, at(pat, 'path'), value, 'must be an absolute path');
        for (const bad of ['//', '/./', '/../', '%2f', '%2F']) if (value.includes(bad)) invalid(reporter, at(pat, 'path'), value, `must not contain '${bad}'`);
        for (const bad of ['/..', '/.']) if (value.endsWith(bad)) invalid(reporter, at(pat, 'path'), value, `cannot end with '${bad}'`);
      } else if (path.pathType === 'ImplementationSpecific') {
        if (value !== '' && !value.startsWith('/')) invalid(reporter, at(pat, 'path'), value, 'must be an absolute path');
      } else notSupported(reporter, at(pat, 'pathType'), path.pathType, ['Exact', 'ImplementationSpecific', 'Prefix']);
      ingressBackend(path.backend, at(pat, 'backend'), reporter);
    });
  });
  if (spec.ingressClassName !== undefined) dnsSubdomain(reporter, spec.ingressClassName, 'spec.ingressClassName');
}

function ingressClass(spec: Json, reporter: Reporter): void {
  const controller = str(spec.controller);
  if (controller.length > 250) reporter.report('validation', 'spec.controller', 'Too long: may not be more than 250 bytes');
  domainPrefixedPath(reporter, controller, 'spec.controller');
}

function networkPolicy(spec: Json, reporter: Reporter): void {
  checkSelector(spec.podSelector, 'spec.podSelector', reporter);
  list(spec.policyTypes).forEach((type, i) => {
    if (type !== 'Ingress' && type !== 'Egress') notSupported(reporter, at('spec.policyTypes', i), type, ['Ingress', 'Egress']);
  });
  if (list(spec.policyTypes).length > 2) invalid(reporter, 'spec.policyTypes', spec.policyTypes, 'may not specify more than two policyTypes');
  for (const direction of ['ingress', 'egress'] as const) {
    list(spec[direction]).forEach((rule, r) => {
      const rat = at(at('spec', direction), r);
      list(obj(rule).ports).forEach((port, p) => {
        const pat = at(at(rat, 'ports'), p);
        const value = obj(port);
        if (value.protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(value.protocol)) notSupported(reporter, at(pat, 'protocol'), value.protocol, ['SCTP', 'TCP', 'UDP']);
        if (typeof value.port === 'number') portNumber(reporter, value.port, at(pat, 'port'));
        if (value.endPort !== undefined) {
          if (typeof value.port !== 'number') invalid(reporter, at(pat, 'endPort'), value.endPort, 'may not be specified when `port` is non-numeric');
          else if (value.endPort < value.port) invalid(reporter, at(pat, 'endPort'), value.endPort, 'must be greater than or equal to `port`');
        }
      });
      list(obj(rule)[direction === 'ingress' ? 'from' : 'to']).forEach((peer, p) => {
        const pat = at(at(rat, direction === 'ingress' ? 'from' : 'to'), p);
        const value = obj(peer);
        const set = ['podSelector', 'namespaceSelector', 'ipBlock'].filter((k) => value[k] !== undefined && value[k] !== null);
        if (set.length === 0) required(reporter, pat, 'must specify a peer');
        else if (value.ipBlock !== undefined && set.length > 1) forbidden(reporter, pat, 'may not specify both ipBlock and another peer');
        if (value.podSelector !== undefined) checkSelector(value.podSelector, at(pat, 'podSelector'), reporter);
        if (value.namespaceSelector !== undefined) checkSelector(value.namespaceSelector, at(pat, 'namespaceSelector'), reporter);
        if (isObject(value.ipBlock) && str(value.ipBlock.cidr) === '') required(reporter, at(at(pat, 'ipBlock'), 'cidr'));
      });
    });
  }
}

// --- admissionregistration ---

const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];

function webhooks(object: KubeObject, reporter: Reporter, mutating: boolean): void {
  const names = new Set<string>();
  list(object.webhooks).forEach((hook, index) => {
    const wat = at('webhooks', index);
    const w = obj(hook);
    const name = str(w.name);
    if (name === '') required(reporter, at(wat, 'name'));
    else if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(name) || name.length > 253) invalid(reporter, at(wat, 'name'), name, 'should be a domain with at least three segments separated by dots');
    else if (names.has(name)) reporter.report('validation', at(wat, 'name'), `Duplicate value: ${JSON.stringify(name)}`, name);
    names.add(name);
    list(w.rules).forEach((rule, r) => {
      const rat = at(at(wat, 'rules'), r);
      const value = obj(rule);
      const operations = list(value.operations);
      if (operations.length === 0) required(reporter, at(rat, 'operations'));
      if (operations.length > 1 && operations.includes('*')) invalid(reporter, at(rat, 'operations'), operations, "if '*' is present, must not specify other operations");
      operations.forEach((op, o) => {
        if (!OPERATIONS.includes(op)) notSupported(reporter, at(at(rat, 'operations'), o), op, OPERATIONS);
      });
      const groups = list(value.apiGroups);
      if (groups.length === 0) required(reporter, at(rat, 'apiGroups'));
      if (groups.length > 1 && groups.includes('*')) invalid(reporter, at(rat, 'apiGroups'), groups, "if '*' is present, must not specify other API groups");
      const versions = list(value.apiVersions);
      if (versions.length === 0) required(reporter, at(rat, 'apiVersions'));
      if (versions.length > 1 && versions.includes('*')) invalid(reporter, at(rat, 'apiVersions'), versions, "if '*' is present, must not specify other API versions");
      versions.forEach((v, i) => {
        if (v === '' || v === null) required(reporter, at(at(rat, 'apiVersions'), i));
      });
      const resources = list(value.resources);
      if (resources.length === 0) required(reporter, at(rat, 'resources'));
      resources.forEach((res, i) => {
        if (res === '' || res === null) required(reporter, at(at(rat, 'resources'), i));
      });
      if (value.scope !== undefined && !['*', 'Cluster', 'Namespaced'].includes(value.scope)) notSupported(reporter, at(rat, 'scope'), value.scope, ['*', 'Cluster', 'Namespaced']);
    });
    if (w.failurePolicy !== undefined && !['Fail', 'Ignore'].includes(w.failurePolicy)) notSupported(reporter, at(wat, 'failurePolicy'), w.failurePolicy, ['Fail', 'Ignore']);
    if (w.matchPolicy !== undefined && !['Equivalent', 'Exact'].includes(w.matchPolicy)) notSupported(reporter, at(wat, 'matchPolicy'), w.matchPolicy, ['Equivalent', 'Exact']);
    if (!['None', 'NoneOnDryRun'].includes(str(w.sideEffects))) notSupported(reporter, at(wat, 'sideEffects'), w.sideEffects ?? '', ['None', 'NoneOnDryRun']);
    const versions = list(w.admissionReviewVersions);
    if (versions.length === 0) required(reporter, at(wat, 'admissionReviewVersions'), 'must specify one of v1, v1beta1');
    versions.forEach((v, i) => {
      if (typeof v !== 'string' || v === '') required(reporter, at(at(wat, 'admissionReviewVersions'), i));
    });
    if (versions.length > 0 && !versions.some((v) => v === 'v1' || v === 'v1beta1')) invalid(reporter, at(wat, 'admissionReviewVersions'), versions, 'must include at least one of v1, v1beta1');
    if (typeof w.timeoutSeconds === 'number' && (w.timeoutSeconds < 1 || w.timeoutSeconds > 30)) invalid(reporter, at(wat, 'timeoutSeconds'), w.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds');
    if (mutating && w.reinvocationPolicy !== undefined && !['IfNeeded', 'Never'].includes(w.reinvocationPolicy)) notSupported(reporter, at(wat, 'reinvocationPolicy'), w.reinvocationPolicy, ['IfNeeded', 'Never']);
    const config = obj(w.clientConfig);
    const hasUrl = config.url !== undefined && config.url !== null;
    const hasService = isObject(config.service);
    if (hasUrl === hasService) required(reporter, at(wat, 'clientConfig'), 'exactly one of url or service is required');
    else if (hasService) {
      const service = config.service as Json;
      const sat = at(at(wat, 'clientConfig'), 'service');
      if (str(service.name) === '') required(reporter, at(sat, 'name'));
      if (str(service.namespace) === '') required(reporter, at(sat, 'namespace'));
      if (typeof service.path === 'string' && !service.path.startsWith('/')) invalid(reporter, at(sat, 'path'), service.path, "must start with a '/'");
      const port = typeof service.port === 'number' ? service.port : 443;
      if (port < 1 || port > 65535) invalid(reporter, at(sat, 'port'), port, 'port is not valid: must be between 1 and 65535, inclusive');
    } else if (typeof config.url === 'string' && !config.url.startsWith('https://')) invalid(reporter, at(at(wat, 'clientConfig'), 'url'), config.url, "'https' is the only allowed URL scheme");
    if (w.namespaceSelector !== undefined) checkSelector(w.namespaceSelector, at(wat, 'namespaceSelector'), reporter);
    if (w.objectSelector !== undefined) checkSelector(w.objectSelector, at(wat, 'objectSelector'), reporter);
  });
}

// --- rbac ---

function policyRules(rules: unknown, reporter: Reporter): void {
  list(rules).forEach((rule, index) => {
    const rat = at('rules', index);
    const r = obj(rule);
    if (list(r.verbs).length === 0) required(reporter, at(rat, 'verbs'), 'verbs must contain at least one value');
    const urls = list(r.nonResourceURLs);
    if (urls.length > 0) {
      if (list(r.apiGroups).length > 0 || list(r.resources).length > 0) invalid(reporter, at(rat, 'nonResourceURLs'), urls, 'rules cannot apply to both regular resources and non-resource URLs');
      return;
    }
    if (list(r.apiGroups).length === 0) required(reporter, at(rat, 'apiGroups'), 'resource rules must supply at least one api group');
    if (list(r.resources).length === 0) required(reporter, at(rat, 'resources'), 'resource rules must supply at least one resource');
  });
}

function roleBinding(object: KubeObject, reporter: Reporter, namespaced: boolean): void {
  const ref = obj(object.roleRef);
  // Left unset, apiGroup is defaulted to rbac.authorization.k8s.io.
  if (ref.apiGroup !== undefined && ref.apiGroup !== 'rbac.authorization.k8s.io') notSupported(reporter, 'roleRef.apiGroup', ref.apiGroup, ['rbac.authorization.k8s.io']);
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(str(ref.kind))) notSupported(reporter, 'roleRef.kind', ref.kind ?? '', kinds);
  if (str(ref.name) === '') required(reporter, 'roleRef.name');
  else if (/[/%]/.test(ref.name) || ref.name === '.' || ref.name === '..') invalid(reporter, 'roleRef.name', ref.name, "may not contain '/' or '%'");
  list(object.subjects).forEach((subject, index) => {
    const sat = at('subjects', index);
    const s = obj(subject);
    if (str(s.name) === '') required(reporter, at(sat, 'name'));
    switch (s.kind) {
      case 'ServiceAccount':
        if (s.name !== undefined && str(s.name) !== '') dnsSubdomain(reporter, s.name, at(sat, 'name'));
        if (s.apiGroup !== undefined && s.apiGroup !== '') notSupported(reporter, at(sat, 'apiGroup'), s.apiGroup, ['']);
        if (!namespaced && str(s.namespace) === '') required(reporter, at(sat, 'namespace'));
        break;
      case 'User':
      case 'Group':
        if (s.apiGroup !== 'rbac.authorization.k8s.io') notSupported(reporter, at(sat, 'apiGroup'), s.apiGroup ?? '', ['rbac.authorization.k8s.io']);
        break;
      default:
        notSupported(reporter, at(sat, 'kind'), s.kind ?? '', ['ServiceAccount', 'User', 'Group']);
    }
  });
}

// --- the rest ---

function priorityClass(object: KubeObject, reporter: Reporter): void {
  const name = str(object.metadata?.name);
  // Only the system's own classes may sit above a billion, and only they may be named system-.
  if (name.startsWith('system-')) forbidden(reporter, 'metadata.name', "priority class names with 'system-' prefix are reserved");
  else if (typeof object.value === 'number' && object.value > 1_000_000_000) forbidden(reporter, 'value', 'maximum allowed value of a user defined priority is 1000000000');
  if (object.preemptionPolicy !== undefined && !['Never', 'PreemptLowerPriority'].includes(String(object.preemptionPolicy))) notSupported(reporter, 'preemptionPolicy', object.preemptionPolicy, ['Never', 'PreemptLowerPriority']);
}

function runtimeClass(object: KubeObject, reporter: Reporter): void {
  const handler = str(object.handler);
  if (handler === '' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(handler) || handler.length > 63) invalid(reporter, 'handler', handler, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character");
  const overhead = obj(obj(object.overhead).podFixed);
  for (const [name, value] of Object.entries(overhead)) if (typeof value === 'string' && isQuantity(value) && parseQuantity(value) < 0) invalid(reporter, `overhead.podFixed[${name}]`, value, 'must be greater than or equal to 0');
}

function lease(spec: Json, reporter: Reporter): void {
  if (spec.leaseDurationSeconds !== undefined && !(typeof spec.leaseDurationSeconds === 'number' && spec.leaseDurationSeconds > 0)) invalid(reporter, 'spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0');
  nonNegative(reporter, spec.leaseTransitions, 'spec.leaseTransitions');
}

function endpointSlice(object: KubeObject, reporter: Reporter): void {
  const type = str(object.addressType);
  if (!['IPv4', 'IPv6', 'FQDN'].includes(type)) notSupported(reporter, 'addressType', type, ['FQDN', 'IPv4', 'IPv6']);
  list(object.endpoints).forEach((endpoint, index) => {
    const eat = at('endpoints', index);
    const addresses = list(obj(endpoint).addresses);
    if (addresses.length === 0) required(reporter, at(eat, 'addresses'), 'must contain at least 1 address');
    else if (addresses.length > 100) reporter.report('validation', at(eat, 'addresses'), 'Too many: must have at most 100 items');
    addresses.forEach((address, a) => {
      const value = str(address);
      if (type === 'IPv4' && !/^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(value)) invalid(reporter, at(at(eat, 'addresses'), a), value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)');
    });
  });
}

/** The other groups' kinds; false for kinds none of them is. */
export function checkOthers(object: KubeObject, reporter: Reporter): boolean {
  const spec = obj(object.spec);
  switch (object.kind) {
    case 'HorizontalPodAutoscaler':
      hpa(object, reporter);
      return true;
    case 'PodDisruptionBudget':
      pdb(spec, reporter);
      return true;
    case 'StorageClass':
      storageClass(object, reporter);
      return true;
    case 'Ingress':
      ingress(spec, reporter);
      return true;
    case 'IngressClass':
      ingressClass(spec, reporter);
      return true;
    case 'NetworkPolicy':
      networkPolicy(spec, reporter);
      return true;
    case 'ValidatingWebhookConfiguration':
    case 'MutatingWebhookConfiguration':
      webhooks(object, reporter, object.kind === 'MutatingWebhookConfiguration');
      return true;
    case 'Role':
    case 'ClusterRole':
      policyRules(object.rules, reporter);
      return true;
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      roleBinding(object, reporter, object.kind === 'RoleBinding');
      return true;
    case 'PriorityClass':
      priorityClass(object, reporter);
      return true;
    case 'RuntimeClass':
      runtimeClass(object, reporter);
      return true;
    case 'Lease':
      lease(spec, reporter);
      return true;
    case 'EndpointSlice':
      endpointSlice(object, reporter);
      return true;
    default:
      return false;
  }
}
