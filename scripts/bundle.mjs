// One esbuild configuration for every bundle the project runs with plain node: the synth, the
// validate, diff, plan and review CLIs, the validator thread, the schema generators and the benchmark's
// generator. esbuild strips types without checking them: config/ is type-checked here first
// (scripts/check-config.mjs), the whole project in `npm test`.
//
// A build is skipped when nothing it read has changed: `.build/stamp.json` records the size and
// modification time of every input of every bundle (esbuild's metafile), so checking it costs a
// few milliseconds of `stat` calls, and `npm run synth` with no change is the synth alone.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..');
const out = resolve(root, '.build');
const STAMP = join(out, 'stamp.json');
const BUILDER = 'scripts/bundle.mjs';

/** What `npm run build` bundles into .build/, by bundle name. */
export const ENTRY_POINTS = {
  main: resolve(root, 'main.ts'),
  diff: resolve(root, 'scripts/diff.ts'),
  plan: resolve(root, 'scripts/plan.ts'),
  review: resolve(root, 'scripts/review.ts'),
  validate: resolve(root, 'packages/karpenter-validate/src/cli.ts'),
  verify: resolve(root, 'scripts/verify.ts'),
  // Started by lib/synth/validator-thread.ts from beside main.js.
  'validator-worker': resolve(root, 'scripts/validator-worker.ts'),
  // Run by main.js before main.bundle.js loads: starts the validator thread (see EARLY).
  'validator-start': resolve(root, 'scripts/validator-start.ts'),
};

// Commands whose loader first runs a small bundle of this folder with the given argument: synth
// starts the validator thread before its own 3 MB bundle is read and compiled.
const EARLY = { main: ['validator-start.js', 'validator-worker.js'] };

// Bundles that inline their libraries (cdk8s, cdk8s-plus-28, yaml, ajv's runtime, CEL,
// ajv's runtime...): one file loads in a fraction of the time of their hundreds of modules,
// most of which is node resolving and V8 compiling them. The commands users type (synth,
// validate, plan, diff, review) then run through a V8 code cache (CODE_CACHE_LOADER below), and so
// does the validator thread (lib/synth/validator-thread.ts loads its bundle with the same file).
const INLINED = new Set(['main', 'diff', 'plan', 'review', 'validate', 'verify', 'validator-worker', 'validator-start']);
// Inlined commands: esbuild writes <name>.bundle.js; <name>.js loads it through the code cache.
const COMMANDS = new Set(['main', 'diff', 'plan', 'review', 'validate', 'verify']);
const outputName = (name) => (COMMANDS.has(name) ? `${name}.bundle` : name);

/** lib/synth/v8-flags.ts v8Flags (which says why each), set by the loader for every command: the same. */
export function v8Flags(v8Version) {
  return ['--heap-growing-percent=30', ...(v8Version.split('.')[0] === '11' ? ['--interrupt-budget=1081344'] : [])];
}

/** The same flags at V8's defaults (`node --v8-options`; test/code-cache.test.ts checks them). */
export function v8DefaultFlags(v8Version) {
  return ['--heap-growing-percent=0', ...(v8Version.split('.')[0] === '11' ? ['--interrupt-budget=67584'] : [])];
}

/**
 * Runs CommonJS files through V8 code caches: the functions a run compiled are stored when the
 * process (or thread) exits and loaded compiled by every later run. V8 checks a cache against its
 * own version and flags and the source's length only. So a bundle's cache sits beside it
 * (<bundle>.cache) and a build removes the caches of the bundles it writes; a module from outside
 * the build (the validator's generated schemas/ modules, `load`) has its cache in cache/code/,
 * named by a hash of its content, which replaces the caches of its earlier contents. A cache V8
 * rejects is written anew, to a temporary file renamed into place (concurrent runs never read half
 * a cache). A run that finds no cache, or cannot write one, behaves the same, only slower.
 */
export const CODE_CACHE_LOADER = `'use strict';
// Written by scripts/bundle.mjs: runs CommonJS files through V8 code caches.
const { isAscii } = require('node:buffer');
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { createRequire, wrap } = require('node:module');
const { basename, dirname, join } = require('node:path');
const { setFlagsFromString } = require('node:v8');
const { Script } = require('node:vm');
const { isMainThread } = require('node:worker_threads');

// V8 accepts a code cache only under the flags it was made with (it stores a hash of them), so
// each cache is made and used under the same ones (lib/synth/v8-flags.ts says which and why). The
// commands set them here, before any bundle is compiled and after the node modules this file
// needs (V8 then also rejects node's own embedded cache for those loaded later: they took twice
// as long). Synth's main thread leaves them to its validator thread (FLAGS_SET 'thread'): its
// bundle is compiled under V8's defaults, then the thread is let go (\`afterCompile\`) and sets
// them; so a cache of that bundle is made under the defaults too.
const FLAGS_SET = Symbol.for('karpenter-as-code/v8-flags');
const FLAGS = (${v8Flags.toString()})(process.versions.v8);
const DEFAULT_FLAGS = (${v8DefaultFlags.toString()})(process.versions.v8);
if (isMainThread && !globalThis[FLAGS_SET]) {
  for (const flag of FLAGS) setFlagsFromString(flag);
  globalThis[FLAGS_SET] = true;
}
// Whether this thread compiles under V8's defaults: until synth's validator thread is let go.
let underDefaults = isMainThread && globalThis[FLAGS_SET] === 'thread';

// Caches to write when this thread exits: cache file -> [script, name prefix of earlier contents'
// caches, whether compiled under V8's defaults].
const toWrite = new Map();

function writeCaches() {
  // Those compiled under the defaults last, once the flags are back at the defaults.
  const entries = [...toWrite].sort(([, a], [, b]) => Number(a[2]) - Number(b[2]));
  let reset = false;
  for (const [cacheFile, [script, prefix, defaults]] of entries) {
    if (defaults && !reset) {
      for (const flag of DEFAULT_FLAGS) setFlagsFromString(flag);
      reset = true;
    }
    try {
      mkdirSync(dirname(cacheFile), { recursive: true });
      const partial = cacheFile + '.' + process.pid + '.tmp';
      writeFileSync(partial, script.createCachedData());
      renameSync(partial, cacheFile);
      if (prefix) {
        for (const name of readdirSync(dirname(cacheFile))) {
          if (name.startsWith(prefix) && /^[0-9a-f]{16}\\.cache$/.test(name.slice(prefix.length)) && name !== basename(cacheFile)) rmSync(join(dirname(cacheFile), name), { force: true });
        }
      }
    } catch {
      // A read-only build folder: no cache, the same result.
    }
  }
}

function execute(file, source, cacheFile, prefix, afterCompile) {
  let cachedData;
  try {
    cachedData = existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
  } catch {
    cachedData = undefined;
  }
  const script = new Script(wrap(source), { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    if (toWrite.size === 0) process.once('exit', writeCaches);
    toWrite.set(cacheFile, [script, prefix, underDefaults]);
  }
  if (afterCompile) {
    underDefaults = false;
    afterCompile();
  }
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}

// A file's text. ASCII (every bundle: the build escapes the rest) is decoded as Latin-1, which
// is the same text: node decodes 4 MB of UTF-8 in about 7 ms here, of Latin-1 in under 1.
function readSource(bytes) {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/** Runs a bundle of this folder; \`afterCompile\`, if given, is called once it is compiled, before it runs. */
module.exports = function run(file, afterCompile) {
  execute(file, readSource(readFileSync(file)), file + '.cache', undefined, afterCompile);
};

/** A module from outside the build: its exports. */
module.exports.load = function load(file) {
  const bytes = readFileSync(file);
  const prefix = basename(file) + '.';
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  return execute(file, readSource(bytes), join(__dirname, 'cache', 'code', prefix + hash + '.cache'), prefix);
};
`;

/**
 * Keeps the validator out of the synth bundle: main.ts validates on its own thread only where no
 * validator thread bundle sits beside it (under ts-node, which resolves the module itself), and
 * the bundle always has one. Left in, it was half of main.bundle.js (3 of 6 MB) to read on every
 * synth, for code that never runs there.
 */
const VALIDATOR_STAYS_OUT = {
  name: 'validator-stays-out-of-main',
  setup(build) {
    build.onResolve({ filter: /\/validate-environment$/ }, (args) => (args.importer === resolve(root, 'main.ts') ? { path: args.path, external: true } : undefined));
  },
};

const OPTIONS = {
  outdir: out,
  plugins: [VALIDATOR_STAYS_OUT],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  metafile: true,
  absWorkingDir: root,
  // An object literal with a key given twice keeps the last value silently: a mistake, never intended.
  logOverride: { 'duplicate-object-key': 'error' },
};

/**
 * What synth's output depends on (lib/synth/source-hash.ts lists the same): their content hash is
 * computed here, once per change, and written to .build/source-hash, which synth records in
 * dist/.synthesized-from without reading every source again.
 */
const SOURCES = ['main.ts', 'compose.ts', 'config', 'charts', 'lib', 'imports', 'packages/karpenter-validate/src', 'packages/karpenter-validate/schemas', 'package-lock.json'];

function filesUnder(path) {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).sort().flatMap((name) => filesUnder(join(path, name)));
}

/** Size and modification time of every source: cheap to compare, to tell whether the hashes need computing again. */
function sourcesFingerprint() {
  return SOURCES.flatMap(filesUnder).map((file) => `${file}:${fingerprint(file)}`).join('\n');
}

function contentHash(files, extra = []) {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(relative(root, join(root, file)).split('\\').join('/'));
    hash.update('\0');
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  for (const item of extra) hash.update(item);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * The bundles whose code decides a cached validation result: the validator thread's (synth's
 * results) and the validate command's, whose reader (packages/karpenter-validate/src/validation/load.ts, kubectl-yaml.ts)
 * decides which objects a file holds and reports YAML 1.1 read differences. The reader is not in
 * the thread's bundle: keyed by that alone, a fix to it kept serving the command results it
 * cached before the fix.
 */
const VALIDATING_BUNDLES = ['validator-worker.js', 'validate.bundle.js'];

/**
 * Writes .build/source-hash (what lib/synth/source-hash.ts computes: dist/.synthesized-from) and
 * .build/validator-hash (the validating bundles and the schemas they read: the key of cached
 * validation results, packages/karpenter-validate/src/validation-cache.ts).
 */
function writeHashes() {
  writeFileSync(join(out, 'source-hash'), `${contentHash(SOURCES.flatMap(filesUnder))}\n`);
  const validating = VALIDATING_BUNDLES.map((name) => join(out, name)).filter((file) => existsSync(file));
  if (validating.length > 0) writeFileSync(join(out, 'validator-hash'), `${contentHash(filesUnder('packages/karpenter-validate/schemas'), validating.map((file) => readFileSync(file)))}\n`);
}

/**
 * Escapes what esbuild leaves outside ASCII (with its default charset it escapes strings,
 * templates, regular expressions and names; comments it copies as they are) as \u escapes, which
 * mean the same in every place JavaScript allows them: the code cache loader then reads the
 * bundle as Latin-1, a fraction of the cost of decoding UTF-8.
 */
function asciiOnly(file) {
  const text = readFileSync(file, 'utf8');
  if (/^[\x00-\x7f]*$/.test(text)) return;
  writeFileSync(file, text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** A build that failed for a reason the user can fix (config does not type-check, a bundle does not build). */
export class BuildError extends Error {}

/** The dependencies are not installed (before `npm ci`, or a partial install): the one thing to say is so. */
export class MissingDependencyError extends BuildError {}

/** Loads a dependency of the build; a package node cannot find is a MissingDependencyError, not a stack trace. */
async function dependency(load) {
  try {
    return await load();
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' && error?.code !== 'MODULE_NOT_FOUND') throw error;
    const name = /Cannot find (?:module|package) '([^']+)'/.exec(error.message)?.[1] ?? 'a dependency';
    const where = existsSync(join(root, 'node_modules')) ? `node_modules/ has no ${name}` : 'there is no node_modules/';
    throw new MissingDependencyError(`the dependencies are not installed (${where}): run npm ci first, which installs the versions package-lock.json pins`);
  }
}

/** The inputs of the last build with their sizes and times, when every output still exists. */
function readStamp() {
  if (!existsSync(STAMP)) return undefined;
  try {
    return JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return undefined;
  }
}

// Size and modification time to the nearest millisecond: what a copy keeps (cpSync's
// preserveTimestamps sets times through a double of seconds), so that a copied build is fresh
// where its sources are.
function fingerprint(path) {
  try {
    const stat = statSync(resolve(root, path));
    return `${stat.size}:${Math.round(stat.mtimeMs)}`;
  } catch {
    return 'missing';
  }
}

/**
 * The entry points of `entryPoints` not built from exactly the files as they are now: a change
 * to config/ rebuilds synth's bundle, not the validator's (whose V8 code cache then stays).
 */
function staleOf(entryPoints, stamp) {
  if (!stamp) return entryPoints;
  const fresh = (name) => {
    const bundle = stamp.bundles?.[name];
    if (!bundle || bundle.entry !== relative(root, entryPoints[name]) || !existsSync(join(out, `${outputName(name)}.js`)) || !existsSync(join(out, `${name}.js`))) return false;
    return Object.entries(bundle.inputs).every(([path, print]) => fingerprint(path) === print);
  };
  return Object.fromEntries(Object.entries(entryPoints).filter(([name]) => !fresh(name)));
}

/**
 * The last build's record, when this node and this builder made it: otherwise every bundle is
 * stale (a change to this file, its options, plugins or loaders, rebuilds everything too).
 */
function usableStamp() {
  const stamp = readStamp();
  return stamp && stamp.node === process.version && stamp.builder === fingerprint(BUILDER) ? stamp : undefined;
}

/** Whether a bundle to build reads config/ (or was never built, so may): only then is config/ type-checked. */
function readsConfig(names, stamp) {
  const bundles = stamp?.bundles ?? {};
  return names.some((name) => !bundles[name] || Object.keys(bundles[name].inputs).some((path) => path.startsWith('config/')));
}

/**
 * The entry points a build of `names` needs: synth's main.js also runs the validator thread and
 * the bundle that starts it early.
 */
export function entryPointsFor(names) {
  const needed = new Set(names.flatMap((name) => (name === 'main' ? ['main', 'validator-worker', 'validator-start'] : [name])));
  return Object.fromEntries(Object.entries(ENTRY_POINTS).filter(([name]) => needed.has(name)));
}

/**
 * Bundles those of `requested` (default: the project's) that are not fresh into .build/;
 * type-checks config/ first when one of them reads it, unless told the bundles do not
 * (`checkConfig: false`, the generators).
 */
export async function bundle(requested = ENTRY_POINTS, { force = false, checkConfig: typecheck = true } = {}) {
  const sources = sourcesFingerprint();
  // Read once: the record of every bundle's inputs is a few hundred kilobytes of JSON.
  const stamp = usableStamp();
  const entryPoints = force ? requested : staleOf(requested, stamp);
  if (Object.keys(entryPoints).length === 0) {
    if (stamp?.sources === sources && existsSync(join(out, 'source-hash'))) return false;
    // Bundles are fresh but a source they do not import changed (a schema, the lock file).
    writeHashes();
    writeFileSync(STAMP, JSON.stringify({ ...stamp, sources }));
    return false;
  }
  if (typecheck && readsConfig(Object.keys(entryPoints), stamp)) {
    const { checkConfig } = await dependency(() => import('./check-config.mjs'));
    const problems = checkConfig();
    if (problems.length > 0) throw new BuildError(`config does not type-check:\n${problems.join('\n')}`);
  }
  const { build } = await dependency(() => import('esbuild'));
  const pick = (inlined) => Object.fromEntries(Object.entries(entryPoints).filter(([name]) => INLINED.has(name) === inlined));
  // What other bundles were built from stays known, unless they were built by another node or builder.
  const bundles = { ...stamp?.bundles };
  for (const inlined of [false, true]) {
    const entries = pick(inlined);
    if (Object.keys(entries).length === 0) continue;
    let result;
    try {
      // Everything but the validator keeps node_modules external: node loads cdk8s and the
      // libraries from the install, as it would for any app.
      const named = Object.fromEntries(Object.entries(entries).map(([name, entry]) => [outputName(name), entry]));
      result = await build({ ...OPTIONS, entryPoints: named, ...(inlined ? {} : { packages: 'external' }) });
    } catch (error) {
      throw new BuildError(`the bundle does not build (see esbuild's messages above): ${error.message.split('\n')[0]}`);
    }
    for (const [output, meta] of Object.entries(result.metafile.outputs)) {
      const name = Object.keys(entries).find((n) => output === `.build/${outputName(n)}.js` || output.endsWith(`/.build/${outputName(n)}.js`));
      if (!name) continue;
      asciiOnly(join(root, output));
      const inputs = Object.fromEntries(Object.keys(meta.inputs).map((path) => [path, fingerprint(path)]));
      // Relative, as the inputs are: a copy of the project with its build is as fresh as they are.
      bundles[name] = { entry: relative(root, entries[name]), inputs };
    }
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'code-cache.cjs'), CODE_CACHE_LOADER);
  // V8 accepts a code cache for any source of the same length: a rebuilt bundle's cache goes.
  for (const name of Object.keys(entryPoints)) rmSync(join(out, `${outputName(name)}.js.cache`), { force: true });
  for (const name of Object.keys(entryPoints).filter((n) => COMMANDS.has(n))) {
    // The early bundle returns what to call once the command's bundle is compiled (synth's: lets its validator thread set the V8 flags).
    const early = EARLY[name] ? `const afterCompile = require('./${EARLY[name][0]}')(join(__dirname, '${EARLY[name][1]}'));\n` : '';
    writeFileSync(join(out, `${name}.js`), `'use strict';\n// Written by scripts/bundle.mjs: runs ${name}.bundle.js through a V8 code cache.\nconst { join } = require('node:path');\n${early}require('./code-cache.cjs')(join(__dirname, '${name}.bundle.js')${early ? ', afterCompile' : ''});\n`);
  }
  writeHashes();
  writeFileSync(STAMP, JSON.stringify({ node: process.version, builder: fingerprint(BUILDER), bundles, sources }));
  return true;
}
