import { KubeObject } from './findings';

/** A JSON object of an arbitrary manifest, read defensively. */
export type Json = Record<string, any>;

/**
 * A property a JSON object has of its own: never one it inherits (`constructor`, `toString`,
 * `__proto__` are field names a manifest may carry, and must not find Object's members).
 */
export function own<T>(object: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return object !== undefined && Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

/**
 * A deep copy of JSON data, as the API server would receive it: a field set to undefined is no
 * field at all. A `__proto__` field stays a field. (Three times faster than a JSON round trip.)
 */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) continue;
    if (key === '__proto__') Object.defineProperty(out, key, { value: cloneJson(item), enumerable: true, writable: true, configurable: true });
    else out[key] = cloneJson(item);
  }
  return out as T;
}

/** Whether a value is a JSON object (not an array, not null). */
export const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Rules read fields of objects the schema layer may not have checked (a kind in a group no
 * schema is known for, an object the API server would refuse, a field a CRD leaves open): these
 * read a field as the shape a rule expects, or as nothing, whatever JSON value it holds.
 */

/** The JSON objects of a list; nothing when the value is not a list. */
export const objectsOf = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);

/** A JSON object, or an empty one when the value is not an object. */
export const objectOr = (value: unknown): Json => (isObject(value) ? value : {});

/** A string's value, or undefined when the value is not a string. */
export const stringOr = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The entries of a JSON object whose values are strings (labels, annotations, selectors). */
export const stringMap = (value: unknown): Record<string, string> => {
  if (!isObject(value)) return {};
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') continue;
    if (key === '__proto__') Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    else out[key] = item;
  }
  return out;
};

/** Kinds whose pod template is at `spec.template`. */
const TEMPLATED = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job']);

/** The pod template of anything that runs pods, and its path (a Pod is its own template, at the root). */
export function podTemplateOf(object: KubeObject): { template: Json; path: string } | undefined {
  const spec = object.spec;
  if (!isObject(spec)) return undefined;
  if (object.kind === 'Pod') return { template: { metadata: objectOr(object.metadata), spec }, path: '' };
  if (object.kind === 'CronJob') {
    const template = objectOr(objectOr(spec.jobTemplate).spec).template;
    return isObject(template) ? { template, path: 'spec.jobTemplate.spec.template' } : undefined;
  }
  return TEMPLATED.has(String(object.kind)) && isObject(spec.template) ? { template: spec.template, path: 'spec.template' } : undefined;
}

/** A pod template's labels, annotations and spec, and the path of the spec. */
export function podOf(object: KubeObject): { labels: Record<string, string>; annotations: Record<string, string>; spec: Json; path: string } | undefined {
  const found = podTemplateOf(object);
  if (!found || !isObject(found.template.spec)) return undefined;
  const { template, path } = found;
  const metadata = objectOr(template.metadata);
  // Labels and annotations are string maps: a value of another type matches no selector and waives nothing.
  return { labels: stringMap(metadata.labels), annotations: stringMap(metadata.annotations), spec: template.spec, path: path === '' ? 'spec' : `${path}.spec` };
}
