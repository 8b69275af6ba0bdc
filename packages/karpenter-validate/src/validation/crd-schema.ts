import { CustomResourceKind, StructuralSchema } from './structural';

/**
 * A CRD's structural schema as a JSON schema for ajv: the keywords ajv checks the same way the
 * API server does, and none of the Kubernetes extensions it does not know. `metadata` (checked
 * as ObjectMeta by metadata.ts) and `status` (dropped on create) are left out.
 */
export function jsonSchemaOf(kind: CustomResourceKind): object {
  const { metadata: _metadata, status: _status, ...properties } = kind.schema.properties ?? {};
  const required = kind.schema.required?.filter((field) => field !== 'metadata' && field !== 'status');
  return convert({ ...kind.schema, properties, ...(required ? { required } : {}) });
}

function convert(node: StructuralSchema): object {
  const out: Record<string, unknown> = {};
  for (const key of ['type', 'enum', 'pattern', 'minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'required', 'default'] as const) {
    if (node[key] !== undefined) out[key] = node[key];
  }
  // OpenAPI v3.0 spells exclusive bounds as booleans beside minimum/maximum.
  if (node.minimum !== undefined) out[node.exclusiveMinimum ? 'exclusiveMinimum' : 'minimum'] = node.minimum;
  if (node.maximum !== undefined) out[node.exclusiveMaximum ? 'exclusiveMaximum' : 'maximum'] = node.maximum;
  if (node.anyOf) out.anyOf = node.anyOf.map(convert);
  else if (node['x-kubernetes-int-or-string']) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  if (node.properties) out.properties = Object.fromEntries(Object.entries(node.properties).map(([key, value]) => [key, convert(value)]));
  if (typeof node.additionalProperties === 'object') out.additionalProperties = convert(node.additionalProperties);
  if (node.items) out.items = convert(node.items);
  if (node['x-kubernetes-list-type'] === 'set') out.uniqueItems = true;
  return out;
}

/** Every CEL rule of a schema, depth first. */
export function rulesOf(schema: StructuralSchema): string[] {
  return [
    ...(schema['x-kubernetes-validations'] ?? []).map((v) => v.rule),
    ...Object.values(schema.properties ?? {}).flatMap(rulesOf),
    ...(schema.items ? rulesOf(schema.items) : []),
    ...(typeof schema.additionalProperties === 'object' ? rulesOf(schema.additionalProperties) : []),
  ];
}

/** Whether a rule compares against the previous object: those run only on update. */
export function isTransitionRule(rule: string): boolean {
  return /\boldSelf\b/.test(rule);
}
