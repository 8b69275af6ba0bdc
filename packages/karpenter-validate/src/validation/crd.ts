import type { ValidateFunction } from 'ajv';
import { evaluate, loadCompiledRules } from './cel';
import { isTransitionRule } from './crd-schema';
import { child, KubeObject, Reporter } from './findings';
import { cloneJson, own } from './pods';
import { re2Pattern } from './regex';
import { readSchemaJson, requireSchemaModule } from './schema-files';
import { reportSchemaErrors } from './schema-errors';
import { CustomResourceKind, StructuralSchema } from './structural';
import { activeKarpenterRelease, DEFAULT_KARPENTER_RELEASE, KarpenterRelease } from '../karpenter-release';

/** A custom kind as the index of schemas/crds lists it; its schema and validator load on first use. */
export interface CustomKindEntry extends Omit<CustomResourceKind, 'schema'> {
  /** Base name of its files in schemas/crds/ (suffixed `-v<release>` for Karpenter's kinds). */
  readonly file: string;
  /** The Karpenter release whose CRD it is, for Karpenter's kinds (one entry per release); absent for the others. */
  readonly karpenterRelease?: KarpenterRelease;
}

const INDEX = readSchemaJson<{ kinds: CustomKindEntry[] }>('crds', 'index.json');

const byRelease = new Map<KarpenterRelease, ReadonlyMap<string, CustomKindEntry>>();

/**
 * The custom resource kinds the validator knows at a Karpenter release, by `apiVersion/kind`:
 * Karpenter's from that release's CRDs, KEDA's, the Prometheus Operator's and Argo CD's at their
 * single pinned releases. By default the release being validated with.
 */
export function customKinds(release: KarpenterRelease = activeKarpenterRelease()): ReadonlyMap<string, CustomKindEntry> {
  let kinds = byRelease.get(release);
  if (!kinds) {
    kinds = new Map(INDEX.kinds.filter((kind) => kind.karpenterRelease === undefined || kind.karpenterRelease === release).map((kind) => [`${kind.apiVersion}/${kind.kind}`, kind]));
    byRelease.set(release, kinds);
  }
  return kinds;
}

/** The custom resource kinds the validator knows at the default Karpenter release, by `apiVersion/kind` (see {@link customKinds}). */
export const CUSTOM_KINDS: ReadonlyMap<string, CustomKindEntry> = customKinds(DEFAULT_KARPENTER_RELEASE);

const schemas = new Map<string, StructuralSchema>();
const validators = new Map<string, ValidateFunction>();

/** A custom kind's structural schema (loaded once). */
export function schemaOf(kind: CustomKindEntry): StructuralSchema {
  let schema = schemas.get(kind.file);
  if (!schema) {
    schema = readSchemaJson<StructuralSchema>('crds', `${kind.file}.schema.json`);
    schemas.set(kind.file, schema);
  }
  return schema;
}

// Validators compiled ahead of time by `npm run schemas` (ajv standalone code): compiling the
// CRD schemas at start-up would cost more than validating every object of an environment.
function validatorFor(kind: CustomKindEntry): ValidateFunction {
  let validate = validators.get(kind.file);
  if (!validate) {
    validate = requireSchemaModule<(re2: typeof re2Pattern) => ValidateFunction>('crds', `${kind.file}.validator.js`)(re2Pattern);
    validators.set(kind.file, validate);
  }
  return validate;
}

/** Removes fields the schema does not know, reporting each: the API server prunes them, kubectl's strict validation refuses them. */
function prune(schema: StructuralSchema, value: unknown, path: string, reporter: Reporter): void {
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, index) => prune(schema.items!, item, child(path, index), reporter));
    return;
  }
  if (value === null || typeof value !== 'object' || schema['x-kubernetes-preserve-unknown-fields']) return;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const field = own(schema.properties, key) ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    // A null stays: under server-side apply (what kubectl --server-side and Argo CD send) the API
    // server validates it, and refuses it where the schema does not declare the field nullable
    // ("must be of type string: null"), as the control plane oracle shows.
    // A null on a field with a default is the default (structural defaulting replaces it).
    if (record[key] === null) {
      if (field?.default !== undefined && field.nullable !== true) delete record[key];
      continue;
    }
    if (field) prune(field, record[key], child(path, key), reporter);
    else if (schema.properties && schema.additionalProperties === undefined) {
      reporter.report('unknown-field', child(path, key), `unknown field "${child(path, key)}": not in the ${path === '' ? 'object' : `"${path}"`} schema (allowed: ${Object.keys(schema.properties).join(', ')})`);
      delete record[key];
    }
  }
}


// Evaluates every create-time rule where the object has a value, as the API server does.
function runRules(schema: StructuralSchema, value: unknown, path: string, reporter: Reporter): void {
  if (value === undefined || value === null) return;
  const rules = (schema['x-kubernetes-validations'] ?? []).filter((v) => !isTransitionRule(v.rule));
  for (const validation of rules) {
    const result = evaluate(validation.rule, value, schema);
    const at = validation.fieldPath ? `${path}${validation.fieldPath}` : path;
    if (result === false) reporter.report('cel', at, validation.message ?? `failed rule: ${validation.rule}`, undefined);
    // The API server rejects the object when a rule errors (a missing field, say), in these words.
    else if (typeof result === 'string') reporter.report('cel', at, `${result} evaluating rule: ${validation.message ?? validation.rule}`);
  }
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, index) => runRules(schema.items!, item, child(path, index), reporter));
  } else if (typeof value === 'object') {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const field = own(schema.properties, key) ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (field) runRules(field, item, child(path, key), reporter);
    }
  }
}

/**
 * Validates a custom resource as the API server would on create: unknown fields, then the
 * structural schema with defaults applied, then every CEL rule on the defaulted object.
 * Returns the object as stored (pruned and defaulted), which later checks read.
 */
export function validateCustomResource(object: KubeObject, kind: CustomKindEntry, reporter: Reporter): KubeObject {
  const schema = schemaOf(kind);
  const stored = cloneJson(object) as Record<string, unknown>;
  // With a status subresource, the API server ignores status on create.
  if (kind.statusSubresource) delete stored.status;
  const { metadata, ...rest } = stored;
  prune(schema, rest, '', reporter);
  const validate = validatorFor(kind);
  validate(rest);
  if (reportSchemaErrors(validate.errors ?? [], rest, reporter)) {
    // The API server's own behaviour: rules may assume the schema's types, so it skips them.
    reporter.report('cel', '', 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation');
  } else {
    runRules(schema, rest, '', reporter);
  }
  return { ...rest, metadata } as KubeObject;
}

/**
 * Transition rules (those reading `oldSelf`) as the API server evaluates them on update: where
 * the old and the new object both have a value at the rule's place. Values in lists correlate
 * only through list-map keys (x-kubernetes-list-type: map); an atomic list's items do not.
 * @see https://kubernetes.io/docs/reference/using-api/cel/#transition-rules
 */
function runTransitionRules(schema: StructuralSchema, value: unknown, old: unknown, path: string, reporter: Reporter): void {
  if (value === undefined || value === null || old === undefined || old === null) return;
  const rules = (schema['x-kubernetes-validations'] ?? []).filter((v) => isTransitionRule(v.rule));
  if (rules.length > 0) {
    for (const validation of rules) {
      const result = evaluate(validation.rule, value, schema, old);
      const at = validation.fieldPath ? `${path}${validation.fieldPath}` : path;
      if (result === false) reporter.report('immutable-field', at, `${validation.message ?? `failed transition rule: ${validation.rule}`} (the CRD's transition rule refuses this update)`, undefined);
      else if (typeof result === 'string') reporter.report('immutable-field', at, `${result} evaluating transition rule: ${validation.message ?? validation.rule}`);
    }
  }
  if (Array.isArray(value) && Array.isArray(old)) {
    const keys = schema['x-kubernetes-list-type'] === 'map' ? schema['x-kubernetes-list-map-keys'] ?? [] : [];
    if (!schema.items || keys.length === 0) return;
    const keyOf = (item: unknown) => (item !== null && typeof item === 'object' ? JSON.stringify(keys.map((k) => (item as Record<string, unknown>)[k])) : undefined);
    const before = new Map(old.map((item) => [keyOf(item), item]));
    value.forEach((item, index) => runTransitionRules(schema.items!, item, before.get(keyOf(item)), child(path, index), reporter));
  } else if (typeof value === 'object' && typeof old === 'object' && !Array.isArray(value) && !Array.isArray(old)) {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const field = own(schema.properties, key) ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (field) runTransitionRules(field, item, own(old as Record<string, unknown>, key), child(path, key), reporter);
    }
  }
}

/**
 * An update of a custom resource as the API server judges it: `object` (as validateCustomResource
 * stored it) against `old` (the stored previous version, validated the same way), by the CRD's
 * transition rules.
 */
export function validateCustomResourceUpdate(object: KubeObject, old: KubeObject, kind: CustomKindEntry, reporter: Reporter): void {
  const strip = (o: KubeObject) => {
    const { metadata: _metadata, status: _status, ...rest } = o as Record<string, unknown>;
    return rest;
  };
  runTransitionRules(schemaOf(kind), strip(object), strip(old), '', reporter);
}

/** Loads a kind's schema, validator and CEL rules, ahead of its first object. */
export function preloadKind(kind: CustomKindEntry): void {
  validatorFor(kind);
  schemaOf(kind);
  loadCompiledRules();
}
