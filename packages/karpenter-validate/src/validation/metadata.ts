import { isDns1123Label, isDns1123Subdomain, isLabelKey, isLabelValue } from '../labels';
import { child, KubeObject, Reporter } from './findings';

/**
 * Name and metadata rules the API server applies to every object, from apimachinery's
 * validation package (IsDNS1123Label, IsDNS1123Subdomain, IsQualifiedName, IsValidLabelValue).
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
 */
// IsValidPortName: at most 15 lowercase alphanumerics or '-', at least one letter, no '--', no '-' at either end.
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export function isIanaServiceName(value: string): boolean {
  return value.length <= 15 && IANA_SVC_NAME.test(value) && /[a-z]/.test(value) && !value.includes('--');
}

// Kinds whose names become DNS labels (a namespace, a Service's DNS name).
const LABEL_NAMED = new Set(['Namespace', 'Service']);
// RBAC names need only be a path segment (`system:aggregate-to-view` is a valid ClusterRole).
// A PodDisruptionBudget's name is checked only as a path segment too (its validation checks no name).
const PATH_SEGMENT_NAMED = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'PodDisruptionBudget']);

function isPathSegmentName(value: string): boolean {
  return value !== '.' && value !== '..' && !/[/%]/.test(value);
}

function nameRule(kind: string): { readonly valid: (name: string) => boolean; readonly rule: string } {
  if (LABEL_NAMED.has(kind)) return { valid: isDns1123Label, rule: "a DNS-1123 label: at most 63 lowercase alphanumerics or '-', starting and ending alphanumeric" };
  if (PATH_SEGMENT_NAMED.has(kind)) return { valid: isPathSegmentName, rule: "a path segment: not '.' or '..', without '/' or '%'" };
  return { valid: isDns1123Subdomain, rule: "a DNS-1123 subdomain: at most 253 lowercase alphanumerics, '-' or '.', each part starting and ending alphanumeric" };
}

const OBJECT_META_FIELDS = new Set(['name', 'generateName', 'namespace', 'labels', 'annotations', 'finalizers', 'ownerReferences', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink']);

/** Checks a label map (object labels, pod template labels, node selectors). */
export function checkLabels(labels: unknown, path: string, reporter: Reporter, what = 'label'): void {
  if (labels === undefined || labels === null) return;
  if (typeof labels !== 'object' || Array.isArray(labels)) {
    reporter.report('schema', path, 'must be of type object', labels);
    return;
  }
  for (const [key, value] of Object.entries(labels)) {
    if (!isLabelKey(key)) reporter.report('labels', child(path, key), `${what} key ${JSON.stringify(key)} must be a qualified name: an optional DNS subdomain prefix and '/', then 1-63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric`, key);
    if (typeof value !== 'string') reporter.report('schema', child(path, key), `${what} value must be of type string`, value);
    else if (!isLabelValue(value)) reporter.report('labels', child(path, key), `${what} value ${JSON.stringify(value)} must be at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric (or empty)`, value);
  }
}

/** Checks ObjectMeta: name, labels, annotation keys, and no unknown fields. */
export function checkMetadata(object: KubeObject, path: string, reporter: Reporter, opts: { readonly nameRequired: boolean; readonly kind: string }): void {
  const metadata = object.metadata;
  if (metadata === undefined || metadata === null || typeof metadata !== 'object') {
    if (opts.nameRequired) reporter.report('name', child(path, 'metadata'), 'Required value: name or generateName is required');
    return;
  }
  const at = child(path, 'metadata');
  for (const key of Object.keys(metadata)) {
    if (!OBJECT_META_FIELDS.has(key)) reporter.report('unknown-field', child(at, key), `unknown field "${child(at, key)}": not a field of ObjectMeta`);
  }
  const { name } = metadata;
  if (name === undefined) {
    // Server-side apply (kubectl --server-side, Argo CD) addresses an object by its name: a
    // generateName works only with kubectl create, an apply without a name is refused.
    if (opts.nameRequired) reporter.report('name', child(at, 'name'), `Required value: ${metadata.generateName !== undefined ? 'an applied object needs a name: generateName works only with kubectl create' : 'every object needs a name'}`);
  } else if (typeof name !== 'string') {
    reporter.report('schema', child(at, 'name'), 'must be of type string', name);
  } else if (!nameRule(opts.kind).valid(name)) {
    reporter.report('name', child(at, 'name'), `${opts.kind} name ${JSON.stringify(name)} must be ${nameRule(opts.kind).rule} (e.g. "my-name")`, name);
  }
  if (typeof metadata.namespace === 'string' && !isDns1123Label(metadata.namespace)) {
    reporter.report('name', child(at, 'namespace'), `namespace ${JSON.stringify(metadata.namespace)} must be a DNS-1123 label`, metadata.namespace);
  }
  checkLabels(metadata.labels, child(at, 'labels'), reporter);
  checkAnnotations(metadata.annotations, child(at, 'annotations'), reporter);
}

/** Annotation keys are qualified names; values are strings and all together at most 256 KiB. */
export function checkAnnotations(annotations: unknown, path: string, reporter: Reporter): void {
  if (annotations === undefined || annotations === null) return;
  if (typeof annotations !== 'object' || Array.isArray(annotations)) {
    reporter.report('schema', path, 'must be of type object', annotations);
    return;
  }
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    if (!isLabelKey(key.toLowerCase())) reporter.report('labels', child(path, key), `annotation key ${JSON.stringify(key)} must be a qualified name: an optional DNS subdomain prefix and '/', then 1-63 alphanumerics, '-', '_' or '.'`, key);
    if (typeof value !== 'string') reporter.report('schema', child(path, key), 'annotation value must be of type string', value);
    size += key.length + String(value).length;
  }
  if (size > 256 * 1024) reporter.report('labels', path, `annotations total ${size} bytes, must be at most 262144`);
}
