import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidationResult } from './validation';

/**
 * Validation results, kept by the content that determines them, so that what did not change is
 * not validated twice (a synth after a change to one environment validates that one; a synth
 * after none validates nothing).
 *
 * A result is determined by the objects (or, for the CLI, the bytes of the files read), the
 * options (complete, production, prerequisites...) and the validator itself. The key is a SHA-256
 * of the first two, under a folder named by the third: `.build/validator-hash`, which the build
 * computes from the validator thread's bundle, the validate command's (its reader decides what a
 * file holds) and every schema they read (scripts/bundle.mjs VALIDATING_BUNDLES). Any change to
 * the validator's code, reader, schemas, catalog or rules makes a new folder, and the old folders are
 * removed when the first result of the new one is written. A file that cannot be read or parsed
 * is a miss. Writes go through a temporary file and a rename, so a reader never sees half a result;
 * at most MAX_ENTRIES results are kept, the oldest dropped first.
 */
export interface ValidationCache {
  /** The key of a result: content and options. */
  key(content: string | Buffer | readonly (string | Buffer)[], options: unknown): string;
  get(key: string): ValidationResult | undefined;
  set(key: string, result: ValidationResult): void;
}

/** Results kept per validator build: a few synths' worth of every environment. */
const MAX_ENTRIES = 500;

/** No cache: every lookup misses (no build, or caching turned off with KARPENTER_AS_CODE_NO_CACHE). */
const NONE: ValidationCache = { key: () => '', get: () => undefined, set: () => undefined };

/**
 * The cache of the validator built in `buildDir` (where its `validator-hash` is), stored under
 * `buildDir/cache/validation/`. Without a recorded validator hash there is nothing to key on: no cache.
 */
export function validationCache(buildDir: string | undefined): ValidationCache {
  const folder = cacheFolder(buildDir);
  if (!folder) return NONE;
  const { root, validator, dir } = folder;
  let pruned = false;
  return {
    key(content, options) {
      const hash = createHash('sha256');
      for (const part of Array.isArray(content) ? content : [content]) {
        hash.update(part as string | Buffer);
        hash.update('\0');
      }
      hash.update(JSON.stringify(options ?? null));
      return hash.digest('hex');
    },
    get(key) {
      const file = join(dir, `${key}.json`);
      if (!key || !existsSync(file)) return undefined;
      try {
        const result = JSON.parse(readFileSync(file, 'utf8')) as ValidationResult;
        return Array.isArray(result?.findings) && Array.isArray(result.waived) && typeof result.errors === 'number' ? result : undefined;
      } catch {
        return undefined;
      }
    },
    set(key, result) {
      if (!key) return;
      try {
        if (!pruned) {
          pruned = true;
          if (existsSync(root)) for (const other of readdirSync(root)) if (other !== validator) rmSync(join(root, other), { recursive: true, force: true });
        }
        mkdirSync(dir, { recursive: true });
        // Bounded: past MAX_ENTRIES results, the least recently written go.
        const entries = readdirSync(dir);
        if (entries.length >= MAX_ENTRIES) {
          const byAge = entries.map((name) => ({ name, time: statSync(join(dir, name)).mtimeMs })).sort((a, b) => a.time - b.time);
          for (const { name } of byAge.slice(0, entries.length - MAX_ENTRIES + 1)) rmSync(join(dir, name), { force: true });
        }
        const partial = join(dir, `${key}.${process.pid}.tmp`);
        writeFileSync(partial, JSON.stringify(result));
        renameSync(partial, join(dir, `${key}.json`));
      } catch {
        // A cache that cannot be written (read-only checkout) only costs the next run its time.
      }
    },
  };
}

/** Where results of the validator built in `buildDir` are kept; undefined when caching is off or there is no recorded validator hash. */
function cacheFolder(buildDir: string | undefined): { root: string; validator: string; dir: string } | undefined {
  if (!buildDir || process.env.KARPENTER_AS_CODE_NO_CACHE) return undefined;
  const hashFile = join(buildDir, 'validator-hash');
  if (!existsSync(hashFile)) return undefined;
  const validator = readFileSync(hashFile, 'utf8').trim().replace(/^sha256:/, '').slice(0, 32);
  const root = join(buildDir, 'cache', 'validation');
  return { root, validator, dir: join(root, validator) };
}

/** Whether the cache holds results of this validator at all: if so, a run is likely to hit, and starting the validator can wait for the first miss. */
export function cacheIsWarm(buildDir: string | undefined): boolean {
  const dir = cacheFolder(buildDir)?.dir;
  return dir !== undefined && existsSync(dir) && readdirSync(dir).length > 0;
}
