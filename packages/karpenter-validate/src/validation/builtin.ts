import { goQuantity } from '../quantity';
import { child, KubeObject, Reporter } from './findings';
import { BuiltinKind, kindSchema, OpenApiSchema, resolve } from './openapi';
import { isObject, own } from './pods';

/**
 * A built-in kind checked as the API server checks a server-side apply of it (what kubectl
 * `apply --server-side` and Argo CD's server-side sync send), in its order, against the schema
 * its own kube-apiserver publishes (src/validation/openapi.ts):
 *
 * 1. The typed patch (sigs.k8s.io/structured-merge-diff, through which every apply passes before
 *    anything else): each field must have its schema's shape, scalar, list or map (integers and
 *    numbers alike are "numeric"; int-or-string and quantities any scalar); a field the schema does
 *    not declare is refused (field validation Strict); an associative list (x-kubernetes-list-type
 *    map) may not hold null items nor two items with the same keys, a set no value twice. A null
 *    field is no field. Every such error is reported at once; nothing later runs.
 * 2. The conversion into the kind's Go types (runtime.DefaultUnstructuredConverter): an integer
 *    field refuses a fraction (and an int32 keeps only its low 32 bits: 2147483648 is stored as
 *    -2147483648, which validation then judges), an int-or-string refuses a fraction and a
 *    boolean, a quantity must parse, bytes must be base64, a time RFC 3339. The first error stops.
 * 3. Validation (pkg/apis/<group>/validation): here, the schema's enums; the rest of what the
 *    validation functions check is in src/validation/apiserver/, run after this.
 *
 * Returns the object as stored (nulls dropped, int32 fields as Go keeps them), or undefined when
 * step 1 or 2 refused it.
 */

type Shape = 'struct' | 'map' | 'list' | 'string' | 'numeric' | 'boolean' | 'scalar' | 'any';

interface Node {
  readonly document: string;
  readonly schema: OpenApiSchema;
}

function node(document: string, schema: OpenApiSchema): Node {
  return { document, schema: resolve({ document, schema }) };
}

/** The shape structured-merge-diff gives a schema (k8s.io/kube-openapi pkg/schemaconv). */
function shapeOf(s: OpenApiSchema): Shape {
  if (s.format === 'int-or-string' || s['x-kubernetes-int-or-string'] || (s.oneOf && !s.type)) return 'scalar';
  if (s['x-kubernetes-preserve-unknown-fields'] && !s.properties) return 'any';
  switch (s.type) {
    case 'object':
      if (s.properties) return 'struct';
      return 'map';
    case 'array':
      return 'list';
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'numeric';
    case 'boolean':
      return 'boolean';
    default:
      return s.properties ? 'struct' : 'any';
  }
}

/** Kubernetes' quantity schema: a oneOf of a string and a number, without an int-or-string format. */
function isQuantitySchema(s: OpenApiSchema): boolean {
  return s.format !== 'int-or-string' && !s.type && (s.oneOf ?? []).some((o) => o.type === 'number');
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'map';
  return typeof value === 'number' ? 'number' : typeof value;
}

/** Step 1: the typed patch. */
function typed(n: Node, value: unknown, path: string, reporter: Reporter): number {
  if (value === null || value === undefined) return 0;
  const s = n.schema;
  const shape = shapeOf(s);
  const wrong = (expected: string) => {
    reporter.report('schema', path, `expected ${expected}, got ${jsonType(value)}: the API server refuses the apply`, value);
    return 1;
  };
  switch (shape) {
    case 'any':
      return 0;
    case 'scalar':
      return value !== null && typeof value === 'object' ? wrong('a scalar (a string or a number)') : 0;
    case 'string':
      return typeof value === 'string' ? 0 : wrong('string');
    case 'numeric':
      return typeof value === 'number' ? 0 : wrong('numeric (int or float)');
    case 'boolean':
      return typeof value === 'boolean' ? 0 : wrong('boolean');
    case 'list': {
      if (!Array.isArray(value)) return wrong('list');
      return list(n, value, path, reporter);
    }
    case 'map': {
      if (!isObject(value)) return wrong('map');
      const item = typeof s.additionalProperties === 'object' ? node(n.document, s.additionalProperties) : undefined;
      if (!item) return 0;
      let errors = 0;
      for (const [key, v] of Object.entries(value)) errors += typed(item, v, child(path, key), reporter);
      return errors;
    }
    case 'struct': {
      if (!isObject(value)) return wrong('map');
      let errors = 0;
      const additional = typeof s.additionalProperties === 'object' ? node(n.document, s.additionalProperties) : undefined;
      for (const [key, v] of Object.entries(value)) {
        // An object's metadata is checked by metadata.ts, for every kind alike.
        if (path === '' && key === 'metadata') continue;
        const field = own(s.properties, key);
        if (field) errors += typed(node(n.document, field), v, child(path, key), reporter);
        else if (additional) errors += typed(additional, v, child(path, key), reporter);
        else if (!s['x-kubernetes-preserve-unknown-fields']) {
          reporter.report('unknown-field', child(path, key), `unknown field "${child(path, key)}": not declared in the schema of ${path === '' ? 'the object' : `"${path}"`} (field validation Strict refuses it; without it the field would be dropped)`);
          errors++;
        }
      }
      return errors;
    }
  }
}

function list(n: Node, value: unknown[], path: string, reporter: Reporter): number {
  const s = n.schema;
  const item = s.items ? node(n.document, s.items) : undefined;
  let errors = 0;
  const type = s['x-kubernetes-list-type'];
  if (type === 'map') {
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Map<string, number>();
    value.forEach((entry, i) => {
      if (entry === null) {
        reporter.report('schema', child(path, i), 'an associative list (keyed by ' + keys.join(', ') + ') may not hold a null item', null);
        errors++;
        return;
      }
      if (!isObject(entry)) return;
      // A key field left unset takes its schema default (ports' protocol is TCP).
      const props = item?.schema.properties ?? {};
      const key = JSON.stringify(keys.map((k) => own(entry, k) ?? resolve({ document: n.document, schema: own(props, k) ?? {} }).default ?? null));
      const first = seen.get(key);
      if (first !== undefined) {
        reporter.report('schema', child(path, i), `Duplicate value: items ${first} and ${i} have the same ${keys.join(', ')} (${keys.map((k) => JSON.stringify(own(entry, k))).join(', ')}): an associative list keyed by ${keys.join(', ')} holds each once`, undefined);
        errors++;
      } else seen.set(key, i);
    });
  } else if (type === 'set') {
    const seen = new Map<string, number>();
    value.forEach((entry, i) => {
      const key = JSON.stringify(entry);
      const first = seen.get(key);
      if (first !== undefined) {
        reporter.report('schema', child(path, i), `Duplicate value: ${key} is item ${first} already: a set holds each value once`, entry);
        errors++;
      } else seen.set(key, i);
    });
  }
  if (item) value.forEach((entry, i) => (errors += typed(item, entry, child(path, i), reporter)));
  return errors;
}

const INT32 = 2 ** 31;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Step 2: the conversion into Go types, on a copy (int32 fields as Go keeps them). Reports the first error. */
function convert(n: Node, value: unknown, path: string, reporter: Reporter): unknown {
  if (value === null || value === undefined) return undefined;
  const s = n.schema;
  const fail = (message: string, rule = 'schema') => {
    reporter.report(rule, path, `${message}: the API server cannot convert the object to its type`, value);
    throw STOP;
  };
  if (s.format === 'int-or-string' || s['x-kubernetes-int-or-string']) {
    if (typeof value === 'boolean') fail('must be an integer or a string, not a boolean');
    if (typeof value === 'number' && (!Number.isInteger(value) || value < -INT32 || value >= INT32)) fail('must be an integer (an int32) or a string');
    return value;
  }
  if (isQuantitySchema(s)) {
    if (typeof value === 'string' && goQuantity(value.trim()) === undefined) fail(`${JSON.stringify(value)} is not a quantity: quantities must match '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`, 'quantity');
    if (typeof value === 'boolean') fail('must be a quantity, not a boolean');
    return value;
  }
  if (s.type === 'integer' && typeof value === 'number') {
    if (!Number.isInteger(value)) fail(`${value} is not an integer`);
    // Go converts the float64 JSON number to the field's type, keeping the low bits.
    return s.format === 'int32' ? wrapInt32(value) : value;
  }
  if (s.type === 'string' && s.format === 'byte' && typeof value === 'string') {
    const text = value.replace(/[\r\n]/g, '');
    if (text.length % 4 !== 0 || !BASE64.test(text)) fail('is not base64 (standard encoding, padded)');
    return value;
  }
  if (s.type === 'string' && s.format === 'date-time' && typeof value === 'string') {
    if (value !== '' && !RFC3339.test(value)) fail(`${JSON.stringify(value)} is not an RFC 3339 time`);
    return value;
  }
  const shape = shapeOf(s);
  if (Array.isArray(value)) {
    const item = s.items ? node(n.document, s.items) : undefined;
    // A null item becomes its type's zero value ("" for a string, {} for a struct), as Go decodes it.
    return value.map((v, i) => (v === null && item ? zeroOf(item.schema) : item ? convert(item, v, child(path, i), reporter) : v));
  }
  if (isObject(value) && (shape === 'struct' || shape === 'map')) {
    const out: Record<string, unknown> = {};
    const additional = typeof s.additionalProperties === 'object' ? node(n.document, s.additionalProperties) : undefined;
    for (const [key, v] of Object.entries(value)) {
      const field = own(s.properties, key);
      const next = field ? node(n.document, field) : additional;
      // A null map value is its type's zero value (a limit of null is a limit of 0); a null field is no field.
      if (v === null && !field && additional) {
        Object.defineProperty(out, key, { value: zeroOf(additional.schema) ?? '0', enumerable: true, writable: true, configurable: true });
        continue;
      }
      const converted = next ? convert(next, v, child(path, key), reporter) : v;
      if (converted !== undefined) Object.defineProperty(out, key, { value: converted, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

const STOP = Symbol('stop');

function zeroOf(s: OpenApiSchema): unknown {
  switch (shapeOf(s)) {
    case 'string':
      return '';
    case 'numeric':
      return 0;
    case 'boolean':
      return false;
    case 'struct':
    case 'map':
      return {};
    case 'list':
      return [];
    default:
      return null;
  }
}

/** An integer as Go's int32 conversion keeps it: its low 32 bits, two's complement. */
function wrapInt32(value: number): number {
  const low = ((value % 2 ** 32) + 2 ** 32) % 2 ** 32;
  return low >= INT32 ? low - 2 ** 32 : low;
}

/**
 * Step 3, the part the schema states: enums. (Its `required` lists are not what validation
 * requires: a field a Go struct holds by value is "required" there, yet unset it is its zero
 * value, which validation may accept, as PriorityClass.value 0; validation's own Required
 * errors are in src/validation/apiserver.)
 */
function enums(n: Node, value: unknown, path: string, reporter: Reporter): void {
  if (value === undefined || value === null) return;
  const s = n.schema;
  if (Array.isArray(value)) {
    const item = s.items ? node(n.document, s.items) : undefined;
    if (item) value.forEach((v, i) => enums(item, v, child(path, i), reporter));
    return;
  }
  if (s.enum && typeof value === 'string' && !s.enum.includes(value)) {
    reporter.report('schema', path, `Unsupported value: ${JSON.stringify(value)}: supported values: ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`, value);
  }
  if (!isObject(value)) return;
  const additional = typeof s.additionalProperties === 'object' ? node(n.document, s.additionalProperties) : undefined;
  for (const [key, v] of Object.entries(value)) {
    const field = own(s.properties, key);
    const next = field ? node(n.document, field) : additional;
    if (next) enums(next, v, child(path, key), reporter);
  }
}

/** Checks a built-in object as the API server does (see above); the stored object, or undefined when refused before validation. */
export function validateBuiltin(kind: BuiltinKind, object: KubeObject, reporter: Reporter): KubeObject | undefined {
  const { document, schema } = kindSchema(kind);
  const root = node(document, schema);
  if (typed(root, object, '', reporter) > 0) return undefined;
  let stored: KubeObject;
  try {
    stored = convert(root, object, '', reporter) as KubeObject;
  } catch (error) {
    if (error === STOP) return undefined;
    throw error;
  }
  // metadata's own rules are metadata.ts's; status is not the client's on create.
  const { metadata: _metadata, status: _status, ...rest } = stored as Record<string, unknown>;
  enums(root, rest, '', reporter);
  return stored;
}
