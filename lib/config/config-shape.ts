import { fail, show } from './errors';

/**
 * The shape of config values, checked when synth runs. config/types.ts promises these types and
 * the build's type check (scripts/check-config.mjs) holds config/ to them, but a value cast
 * (`cpu: 12 as any`), config assembled at run time or synth used as a library bypasses both: a
 * number where a quantity string belongs then renders as-is, and Karpenter or the API server
 * meet it on the cluster. Unknown keys are the type check's to report (fields are added to these
 * types over time; a runtime list of them would fall behind).
 */
export type Shape =
  | { readonly type: 'string' | 'boolean' | 'integer' | 'number'; readonly hint?: string }
  | { readonly type: 'list'; readonly of: Shape }
  | { readonly type: 'map'; readonly of: Shape }
  | { readonly type: 'object'; readonly fields: Readonly<Record<string, Shape>>; readonly required?: readonly string[] }
  /** Checked by its own code (a union the messages explain better than a shape would). */
  | { readonly type: 'any' };

export const string = (hint?: string): Shape => ({ type: 'string', ...(hint ? { hint } : {}) });
export const integer = (hint?: string): Shape => ({ type: 'integer', ...(hint ? { hint } : {}) });
/** A number whose range (and wholeness) the field's own check states better. */
export const number = (hint?: string): Shape => ({ type: 'number', ...(hint ? { hint } : {}) });
export const boolean: Shape = { type: 'boolean' };
export const any: Shape = { type: 'any' };
export const list = (of: Shape): Shape => ({ type: 'list', of });
export const map = (of: Shape): Shape => ({ type: 'map', of });
export const object = (fields: Readonly<Record<string, Shape>>, required: readonly string[] = []): Shape => ({ type: 'object', fields, required });

const describe = (shape: Shape): string =>
  shape.type === 'list' ? 'a list' : shape.type === 'map' || shape.type === 'object' ? 'an object' : shape.type === 'integer' ? 'a whole number' : `a ${shape.type}`;

const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Throws a ConfigError at the first value of `value` that does not have `shape`:
 * `<subject>: '<path>' (<value>) must be a string (...)`.
 */
export function checkShape(subject: string, path: string, value: unknown, shape: Shape): void {
  // The paths config errors use elsewhere: dots, brackets only where a key holds a dot or slash.
  const at = (key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : /[./]/.test(key) ? `${path}['${key}']` : `${path}.${key}`);
  const wrong = (why = '') => fail(subject, path, value, `be ${describe(shape)}${why}${'hint' in shape && shape.hint ? ` (${shape.hint})` : ''}: config/types.ts promises it, and a value cast past the types ('as any') or built at run time reaches here unchecked`);
  switch (shape.type) {
    case 'any':
      return;
    case 'string':
      if (typeof value !== 'string') wrong();
      return;
    case 'boolean':
      if (typeof value !== 'boolean') wrong();
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) wrong();
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) wrong();
      return;
    case 'list':
      if (!Array.isArray(value)) wrong();
      (value as unknown[]).forEach((item, i) => checkShape(subject, at(i), item, shape.of));
      return;
    case 'map':
      if (!isPlainObject(value)) wrong();
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) checkShape(subject, at(key), item, shape.of);
      return;
    case 'object': {
      if (!isPlainObject(value)) wrong();
      const record = value as Record<string, unknown>;
      for (const key of shape.required ?? []) {
        if (record[key] === undefined) fail(subject, at(key), undefined, `be set (${describe(shape.fields[key]!)})`);
      }
      for (const [key, field] of Object.entries(shape.fields)) {
        if (Object.prototype.hasOwnProperty.call(record, key) && record[key] !== undefined) checkShape(subject, at(key), record[key], field);
      }
    }
  }
}

/**
 * Checks an environment's override of a workload's settings against the workload's own settings
 * (config/workloads.ts), which the override deep-merges into: each value the override sets must
 * have the kind of the value it replaces (a string for a string, a whole number for one, an
 * object for an object), since the charts read it as that.
 */
export function checkLike(subject: string, path: string, override: unknown, base: unknown): void {
  if (override === undefined || base === undefined) return;
  const kind = (v: unknown) => (Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v === 'object' ? 'an object' : typeof v === 'number' ? (Number.isInteger(v) ? 'a whole number' : 'a number') : `a ${typeof v}`);
  const [have, want] = [kind(override), kind(base)];
  const compatible = have === want || (want === 'a number' && have === 'a whole number');
  if (!compatible) fail(subject, path, override, `be ${want} like the value it overrides in config/workloads.ts (${show(base)})`);
  if (isPlainObject(override) && isPlainObject(base)) {
    for (const [key, value] of Object.entries(override)) {
      if (Object.prototype.hasOwnProperty.call(base, key)) checkLike(subject, `${path}.${key}`, value, base[key]);
    }
  }
}
