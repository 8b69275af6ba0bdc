import type { ErrorObject } from 'ajv';
import { child, pointerToPath, Reporter } from './findings';

/** An ajv error in the API server's words (`Required value`, `Unsupported value: ...`). */
function describe(error: ErrorObject, siblings: readonly ErrorObject[]): { rule: string; message: string } {
  const p = error.params as Record<string, unknown>;
  const schema = (message: string) => ({ rule: 'schema', message });
  switch (error.keyword) {
    case 'required':
      return schema('Required value');
    case 'type':
      return schema(`must be of type ${String(p.type)}`);
    case 'enum':
      return schema(`Unsupported value: supported values: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`);
    case 'pattern':
      return schema(`should match '${String(p.pattern)}'`);
    case 'maxLength':
      return schema(`may not be longer than ${String(p.limit)}`);
    case 'minLength':
      return schema(`should be at least ${String(p.limit)} chars long`);
    case 'maxItems':
      return schema(`must have at most ${String(p.limit)} items`);
    case 'minItems':
      return schema(`should have at least ${String(p.limit)} items`);
    case 'maxProperties':
      return schema(`must have at most ${String(p.limit)} properties`);
    case 'minProperties':
      return schema(`should have at least ${String(p.limit)} properties`);
    case 'minimum':
    case 'exclusiveMinimum':
      return schema(`should be greater than ${error.keyword === 'minimum' ? 'or equal to ' : ''}${String(p.limit)}`);
    case 'maximum':
    case 'exclusiveMaximum':
      return schema(`should be less than ${error.keyword === 'maximum' ? 'or equal to ' : ''}${String(p.limit)}`);
    case 'uniqueItems':
      return schema(`Duplicate value: items ${String(p.j)} and ${String(p.i)} are equal`);
    case 'anyOf':
    case 'oneOf':
      // int-or-string fields, and quantities (a number or a quantity string).
      return siblings.some((e) => e.keyword === 'format' && (e.params as { format?: string }).format === 'quantity')
        ? { rule: 'quantity', message: 'must be a quantity: a number with an optional suffix (e.g. 500m, 1.5, 4Gi, 1e3)' }
        : schema('must be an integer or a string');
    default:
      return schema(error.message ?? error.keyword);
  }
}

/**
 * Reports ajv's errors over `root` at their JSON paths. Returns whether any is a type or enum
 * error, after which the API server does not evaluate CEL rules.
 */
export function reportSchemaErrors(errors: readonly ErrorObject[], root: unknown, reporter: Reporter): boolean {
  // An anyOf/oneOf error restates its branches' errors at the same path: report it alone.
  const alternatives = new Set(errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath));
  let blocking = false;
  for (const error of errors) {
    const alternative = error.keyword === 'anyOf' || error.keyword === 'oneOf';
    if (!alternative && alternatives.has(error.instancePath)) continue;
    const at = pointerToPath(error.instancePath, root);
    const { rule, message } = describe(error, errors.filter((e) => e.instancePath === error.instancePath));
    const required = error.keyword === 'required';
    reporter.report(rule, required ? child(at.path, String(error.params.missingProperty)) : at.path, message, required ? undefined : at.value);
    if (error.keyword === 'type' || error.keyword === 'enum' || alternative) blocking = true;
  }
  return blocking;
}
