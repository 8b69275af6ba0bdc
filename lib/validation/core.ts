import type { ErrorObject } from 'ajv';
import FIELDS from '../../schemas/core-fields.json';
import { MODELS, Model } from './core-models';
import { child, KubeObject, Reporter } from './findings';
import { own } from './pods';
import { reportSchemaErrors } from './schema-errors';

/**
 * Core kinds are checked against the Kubernetes OpenAPI schema compiled by kubernetes-models
 * (generated from the upstream swagger of Kubernetes 1.33), and for unknown fields against the
 * field table generated from the same package's declarations (schemas/core-fields.json).
 */
/** Cluster-scoped core kinds (the rest of MODELS is namespaced). */
export const CLUSTER_SCOPED_CORE = new Set(['Namespace', 'PersistentVolume', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass']);

const loaded = new Map<string, Model>();

/** Whether a schema is bundled for `apiVersion/kind`. */
export function hasCoreSchema(key: string): boolean {
  return own(MODELS, key) !== undefined;
}


/** The model of `apiVersion/kind`, loaded once; undefined when none is bundled. */
export function loadCoreModel(key: string): Model | undefined {
  const load = own(MODELS, key);
  if (!load) return undefined;
  let model = loaded.get(key);
  if (!model) {
    model = load();
    loaded.set(key, model);
  }
  return model;
}

const TYPES: Readonly<Record<string, Readonly<Record<string, string>>>> = FIELDS.types;
const ROOTS: Readonly<Record<string, string>> = FIELDS.roots;

// Walks a value against its type (`Name`, `[]Name`, `{}Name`, or '' for a leaf), reporting fields
// the type does not have: kubectl's strict field validation refuses them.
function checkFields(ref: string, value: unknown, path: string, reporter: Reporter): void {
  if (ref === '' || value === null || typeof value !== 'object') return;
  if (ref.startsWith('[]')) {
    if (Array.isArray(value)) value.forEach((item, index) => checkFields(ref.slice(2), item, child(path, index), reporter));
    return;
  }
  if (Array.isArray(value)) return;
  if (ref.startsWith('{}')) {
    for (const [key, item] of Object.entries(value)) checkFields(ref.slice(2), item, child(path, key), reporter);
    return;
  }
  const fields = own(TYPES, ref) ?? {};
  for (const [key, item] of Object.entries(value)) {
    const field = own(fields, key);
    if (field === undefined) reporter.report('unknown-field', child(path, key), `unknown field "${child(path, key)}"${path === '' ? '' : ` (not a field of ${ref.split('#')[1]!.replace(/^I/, '')})`}`);
    else checkFields(field, item, child(path, key), reporter);
  }
}

// Field names that are Object's own members: a model copies fields onto itself, so one of these
// would replace its prototype or constructor. No Kubernetes field has such a name (checkFields
// reports them as unknown), so the schema check runs without them.
const OBJECT_MEMBERS = new Set(['__proto__', 'constructor', 'prototype']);

// Also drops null fields: the API server decodes a null into the field's zero value, as if unset.
function withoutObjectMembers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutObjectMembers);
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (!OBJECT_MEMBERS.has(key) && item !== null) copy[key] = withoutObjectMembers(item);
  return copy;
}

/** Validates a core object against its kind's OpenAPI schema; false when no schema is bundled. */
export function validateCoreSchema(key: string, object: KubeObject, reporter: Reporter): boolean {
  const model = loadCoreModel(key);
  if (!model) return false;
  // metadata is checked by metadata.ts; status is ignored on create.
  const { metadata: _metadata, status: _status, ...rest } = object;
  checkFields(own(ROOTS, key) ?? '', rest, '', reporter);
  try {
    // Through a model, as kubernetes-models means it to be used: running its schema on the plain
    // object (Model.prototype.validate.call) skips a copy, yet measured slower on a first run,
    // against this in the same runs (`validate dist/prod`: 10% with the copy kept, 30% on the
    // objects as parsed).
    new model(withoutObjectMembers(object)).validate();
  } catch (error) {
    const errors = (error as { errors?: ErrorObject[] }).errors;
    if (!errors) throw error;
    reportSchemaErrors(errors, object, reporter);
  }
  return true;
}
