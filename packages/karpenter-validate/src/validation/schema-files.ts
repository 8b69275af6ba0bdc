import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The generated schemas the validator reads at run time, from the package's schemas/ folder: read
 * from disk rather than bundled, so that a kind's schema and validator load only when an object of
 * that kind is validated. The folder sits beside dist/ (the package's bundles), two levels above
 * src/validation (the sources, under tests), and, for the bundles of the project that contains
 * the package (.build/), in packages/karpenter-validate/.
 */
export const SCHEMAS_DIR: string =
  [join(__dirname, '..', 'schemas'), join(__dirname, '..', '..', 'schemas'), join(__dirname, '..', 'packages', 'karpenter-validate', 'schemas')].find((dir) => existsSync(join(dir, 'crds', 'index.json'))) ??
  join(__dirname, '..', 'schemas');

/** A generated JSON file of schemas/, parsed. */
export function readSchemaJson<T>(...path: string[]): T {
  return JSON.parse(readFileSync(join(SCHEMAS_DIR, ...path), 'utf8')) as T;
}

// The build's code-cache loader (scripts/bundle.mjs), beside the bundles this file is part of;
// absent where the sources run themselves (vitest, ts-node).
const LOADER = join(__dirname, 'code-cache.cjs');

/**
 * A generated module of schemas/ (a compiled validator, the compiled CEL rules), as CommonJS. In
 * the bundles it runs through a V8 code cache (the build's loader): the validators are hundreds of
 * kilobytes V8 would otherwise compile on every run, and node's require would first search for a
 * package scope.
 */
export function requireSchemaModule<T>(...path: string[]): T {
  const file = join(SCHEMAS_DIR, ...path);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (existsSync(LOADER) ? (require(LOADER) as { load(file: string): unknown }).load(file) : require(file)) as T;
}
