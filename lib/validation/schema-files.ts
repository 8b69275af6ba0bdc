import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The generated schemas the validator reads at run time, from the project's schemas/ folder:
 * read from disk rather than bundled, so that a kind's schema and validator load only when an
 * object of that kind is validated. The folder sits beside .build/ (the bundles) and two levels
 * above lib/validation (the sources, under tests).
 */
export const SCHEMAS_DIR: string = [join(__dirname, '..', 'schemas'), join(__dirname, '..', '..', 'schemas')].find((dir) => existsSync(join(dir, 'crds', 'index.json'))) ?? join(__dirname, '..', 'schemas');

/** A generated JSON file of schemas/, parsed. */
export function readSchemaJson<T>(...path: string[]): T {
  return JSON.parse(readFileSync(join(SCHEMAS_DIR, ...path), 'utf8')) as T;
}

/** A generated module of schemas/ (a compiled validator). */
export function requireSchemaModule<T>(...path: string[]): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(SCHEMAS_DIR, ...path)) as T;
}
