import type { ErrorObject } from 'ajv';
import FIELDS from '../../schemas/core-fields.json';
import { MODELS, Model } from './core-models';
import { child, KubeObject, Reporter } from './findings';
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
  return key in MODELS;
}


/** The model of `apiVersion/kind`, loaded once; undefined when none is bundled. */
export function loadCoreModel(key: string): Model | undefined {
  const load = MODELS[key];
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
  const fields = TYPES[ref]!;
  for (const [key, item] of Object.entries(value)) {
    const field = fields[key];
    if (field === undefined) reporter.report('unknown-field', child(path, key), `unknown field "${child(path, key)}"${path === '' ? '' : ` (not a field of ${ref.split('#')[1]!.replace(/^I/, '')})`}`);
    else checkFields(field, item, child(path, key), reporter);
  }
}

/** Validates a core object against its kind's OpenAPI schema; false when no schema is bundled. */
export function validateCoreSchema(key: string, object: KubeObject, reporter: Reporter): boolean {
  const model = loadCoreModel(key);
  if (!model) return false;
  // metadata is checked by metadata.ts; status is ignored on create.
  const { metadata: _metadata, status: _status, ...rest } = object;
  checkFields(ROOTS[key]!, rest, '', reporter);
  try {
    new model(object).validate();
  } catch (error) {
    const errors = (error as { errors?: ErrorObject[] }).errors;
    if (!errors) throw error;
    reportSchemaErrors(errors, object, reporter);
  }
  return true;
}
