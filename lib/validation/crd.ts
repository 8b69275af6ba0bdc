import type { ErrorObject, ValidateFunction } from 'ajv';
import KARPENTER from '../../schemas/karpenter.json';
import compiled from '../../schemas/karpenter-validators';
import { compileRule, evaluate, toCel } from './cel';
import { isTransitionRule, rulesOf } from './crd-schema';
import { child, KubeObject, pointerToPath, Reporter } from './findings';
import { re2Pattern } from './regex';
import { CustomResourceKind, StructuralSchema } from './structural';

/** The custom resource kinds the validator knows, by `apiVersion/kind`. */
export const CUSTOM_KINDS: ReadonlyMap<string, CustomResourceKind> = new Map(
  (KARPENTER.kinds as unknown as CustomResourceKind[]).map((kind) => [`${kind.apiVersion}/${kind.kind}`, kind]),
);

// Validators compiled ahead of time by `npm run schemas` (ajv standalone code): compiling the
// CRD schemas at start-up would cost more than validating every object of an environment.
const validators = compiled(re2Pattern);

function validatorFor(kind: CustomResourceKind): ValidateFunction {
  const validate = validators[`${kind.apiVersion}/${kind.kind}`];
  if (!validate) throw new Error(`schemas/karpenter-validators.js has no validator for ${kind.apiVersion}/${kind.kind}: run npm run schemas`);
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
    const field = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    if (field) prune(field, record[key], child(path, key), reporter);
    else if (schema.properties && schema.additionalProperties === undefined) {
      reporter.report('unknown-field', child(path, key), `unknown field "${child(path, key)}": not in the ${path === '' ? 'object' : `"${path}"`} schema (allowed: ${Object.keys(schema.properties).join(', ')})`);
      delete record[key];
    }
  }
}


function describe(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'Required value';
    case 'type':
      return `must be of type ${String(p.type)}`;
    case 'enum':
      return `Unsupported value: supported values: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern':
      return `should match '${String(p.pattern)}'`;
    case 'maxLength':
      return `may not be longer than ${String(p.limit)}`;
    case 'minLength':
      return `should be at least ${String(p.limit)} chars long`;
    case 'maxItems':
      return `must have at most ${String(p.limit)} items`;
    case 'minItems':
      return `should have at least ${String(p.limit)} items`;
    case 'maxProperties':
      return `must have at most ${String(p.limit)} properties`;
    case 'minProperties':
      return `should have at least ${String(p.limit)} properties`;
    case 'minimum':
    case 'exclusiveMinimum':
      return `should be greater than ${error.keyword === 'minimum' ? 'or equal to ' : ''}${String(p.limit)}`;
    case 'maximum':
    case 'exclusiveMaximum':
      return `should be less than ${error.keyword === 'maximum' ? 'or equal to ' : ''}${String(p.limit)}`;
    case 'uniqueItems':
      return `Duplicate value: items ${String(p.j)} and ${String(p.i)} are equal`;
    case 'anyOf':
      return 'must be an integer or a string';
    default:
      return error.message ?? error.keyword;
  }
}

// Evaluates every create-time rule where the object has a value, as the API server does.
function runRules(schema: StructuralSchema, value: unknown, path: string, reporter: Reporter): void {
  if (value === undefined || value === null) return;
  const rules = (schema['x-kubernetes-validations'] ?? []).filter((v) => !isTransitionRule(v.rule));
  // One conversion of the value for all the rules on it.
  const self = rules.length > 0 ? toCel(value, schema) : undefined;
  for (const validation of rules) {
    const result = evaluate(validation.rule, self);
    const at = validation.fieldPath ? `${path}${validation.fieldPath}` : path;
    if (result === false) reporter.report('cel', at, validation.message ?? `failed rule: ${validation.rule}`, undefined);
    // The API server rejects the object when a rule errors (a missing field, say), in these words.
    else if (typeof result === 'string') reporter.report('cel', at, `${result} evaluating rule: ${validation.message ?? validation.rule}`);
  }
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, index) => runRules(schema.items!, item, child(path, index), reporter));
  } else if (typeof value === 'object') {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const field = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (field) runRules(field, item, child(path, key), reporter);
    }
  }
}

/**
 * Validates a custom resource as the API server would on create: unknown fields, then the
 * structural schema with defaults applied, then every CEL rule on the defaulted object.
 * Returns the object as stored (pruned and defaulted), which later checks read.
 */
export function validateCustomResource(object: KubeObject, kind: CustomResourceKind, reporter: Reporter): KubeObject {
  const stored = structuredClone(object) as Record<string, unknown>;
  // With a status subresource, the API server ignores status on create.
  if (kind.statusSubresource) delete stored.status;
  const { metadata, ...rest } = stored;
  prune(kind.schema, rest, '', reporter);
  const validate = validatorFor(kind);
  validate(rest);
  let blocking = false;
  for (const error of validate.errors ?? []) {
    // anyOf's branch errors restate the anyOf error itself.
    if (error.schemaPath.includes('/anyOf/')) continue;
    const at = pointerToPath(error.instancePath, rest);
    const path = error.keyword === 'required' ? child(at.path, String(error.params.missingProperty)) : at.path;
    reporter.report('schema', path, describe(error), error.keyword === 'required' ? undefined : at.value);
    if (error.keyword === 'type' || error.keyword === 'enum' || error.keyword === 'anyOf') blocking = true;
  }
  if (blocking) {
    // The API server's own behaviour: rules may assume the schema's types, so it skips them.
    reporter.report('cel', '', 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation');
  } else {
    runRules(kind.schema, rest, '', reporter);
  }
  return { ...rest, metadata } as KubeObject;
}

/** Compiles every create-time CEL rule of a schema ahead of the first object. */
export function precompileRules(schema: StructuralSchema): void {
  for (const rule of rulesOf(schema)) if (!isTransitionRule(rule)) compileRule(rule);
}
