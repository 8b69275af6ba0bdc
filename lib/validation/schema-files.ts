import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, wrap } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

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

// V8 code caches of the generated modules, in the build folder beside schemas/ when there is one.
const CODE_CACHE_DIR = existsSync(join(SCHEMAS_DIR, '..', '.build')) ? join(SCHEMAS_DIR, '..', '.build', 'cache', 'code') : undefined;

/**
 * A generated module of schemas/ (a compiled validator, the compiled CEL rules), run as CommonJS
 * through a V8 code cache: the validators are hundreds of kilobytes that V8 would otherwise parse
 * and compile on every run, and node's require would first search for a package scope. The cache
 * is named by the module's content hash (V8 itself checks only the source's length), written
 * once, through a temporary file and a rename; without a build folder there is none.
 */
export function requireSchemaModule<T>(...path: string[]): T {
  const file = join(SCHEMAS_DIR, ...path);
  const source = readFileSync(file, 'utf8');
  const cacheFile = CODE_CACHE_DIR && join(CODE_CACHE_DIR, `${path.join('_')}.${createHash('sha256').update(source).digest('hex').slice(0, 16)}.cache`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = cacheFile && existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
  } catch {
    cachedData = undefined;
  }
  const script = new Script(wrap(source), { filename: file, cachedData });
  const module = { exports: {} as unknown };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) {
    if (toCache.size === 0) process.once('exit', writeCodeCaches);
    toCache.set(cacheFile, script);
  }
  return module.exports as T;
}

// Scripts whose code cache is written at exit: after the first run of their functions (the
// validator's first objects), so that those are in it.
const toCache = new Map<string, Script>();

function writeCodeCaches(): void {
  for (const [cacheFile, script] of toCache) {
    try {
      mkdirSync(dirname(cacheFile), { recursive: true });
      const partial = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(partial, script.createCachedData());
      renameSync(partial, cacheFile);
      // The caches of the module's earlier contents go.
      const prefix = basename(cacheFile).replace(/\.[0-9a-f]{16}\.cache$/, '.');
      for (const name of readdirSync(dirname(cacheFile))) {
        if (name.startsWith(prefix) && /^[0-9a-f]{16}\.cache$/.test(name.slice(prefix.length)) && name !== basename(cacheFile)) rmSync(join(dirname(cacheFile), name), { force: true });
      }
    } catch {
      // A read-only build folder: no cache, the same result.
    }
  }
}
