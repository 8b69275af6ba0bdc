#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --tests] [-- --verify]`: times the commands users type, as whole processes
// started the way users start them, beside floors measured in the same run, and prints the ratios
// the targets are stated in (README, Performance). Nothing is loaded into a timed process: peak
// memory comes from the operating system (/usr/bin/time -f %M) in separate, untimed runs.
// Absolute times vary between machines; the ratios are what to compare. No assertions.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundle, ENTRY_POINTS } from '../scripts/bundle.mjs';

const root = resolve(import.meta.dirname, '..');
const quick = process.argv.includes('--quick');
const withTests = process.argv.includes('--tests');
// The Go tier: each oracle's first build (a build cache of its own, the module cache kept: the
// downloads are the network's time, not the build's) and `npm run verify` of both environments.
const withVerify = process.argv.includes('--verify');
await bundle({ ...ENTRY_POINTS, scale: join(root, 'bench', 'scale.ts') });

const scratch = mkdtempSync(join(tmpdir(), 'bench-'));
const node = process.execPath;
const runs = quick ? 3 : 7;
const CACHE = join(root, '.build', 'cache');
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/**
 * What runs `command` once and returns its wall time in seconds; `env` may be a function of the
 * run's number (-1 for a warm-up). A run must exit with one of `ok` (0 unless a command's findings
 * are expected): anything else stops the bench, so that a command that fails fast (a path that no
 * longer exists, a module not built) is never timed as if it worked.
 */
function runner(label, command, args, { env = {}, input, ok = [0] } = {}) {
  return (i) => {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', input, stdio: ['pipe', 'ignore', 'pipe'], maxBuffer: 1 << 26, env: environment({ CDK8S_CHECK_UPGRADE: 'false', ...(typeof env === 'function' ? env(i) : env) }) });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (!ok.includes(result.status)) throw new Error(`${label} exited ${result.status}, not ${ok.join(' or ')}:\n${result.stderr}`);
    return seconds;
  };
}

/** Prints and returns a row: min and median in seconds. */
function report(label, times) {
  const sorted = [...times].sort((a, b) => a - b);
  const row = { label, min: sorted[0], median: sorted[Math.floor(sorted.length / 2)] };
  console.log(`${label.padEnd(66)} ${String(times.length).padStart(4)} ${row.min.toFixed(3).padStart(8)} ${row.median.toFixed(3).padStart(9)}`);
  return row;
}

/** Wall times of `runs` runs of one command (after one untimed warm-up unless told otherwise). */
function time(label, command, args, { count = runs, env, before, warmup = true, input, ok } = {}) {
  const run = runner(label, command, args, { env, input, ok });
  if (warmup) {
    before?.();
    run(-1);
  }
  const times = [];
  for (let i = 0; i < count; i++) {
    before?.();
    times.push(run(i));
  }
  return report(label, times);
}

/**
 * Wall times of several commands run in turn (a, b, c, a, b, c...), after a warm-up of each:
 * the commands a ratio compares, and its floor, are timed under the same conditions, whatever
 * the machine does meanwhile (one after the other, a ratio moved by a tenth between runs here).
 * `specs`: name -> [label, command, args, options]; returns name -> row.
 */
function timeInTurn(specs, count = quick ? 3 : 11) {
  const entries = Object.entries(specs).map(([name, [label, command, args, options]]) => ({ name, label, run: runner(label, command, args, options) }));
  for (const { run } of entries) run(-1);
  const times = entries.map(() => []);
  for (let i = 0; i < count; i++) entries.forEach(({ run }, k) => times[k].push(run(i)));
  return Object.fromEntries(entries.map(({ name, label }, k) => [name, report(label, times[k])]));
}

/** This process's environment with `changes` applied; a change to undefined removes the variable. */
function environment(changes) {
  const result = { ...process.env, ...changes };
  for (const [name, value] of Object.entries(changes)) if (value === undefined) delete result[name];
  return result;
}

/** Peak RSS in MiB of one separate, untimed run, from the operating system. */
function peakRss(command, args, env = {}) {
  if (!timeBin) return undefined;
  const result = spawnSync(timeBin, ['-f', '%M', command, ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26, env: { ...process.env, ...env } });
  const kib = Number(result.stderr.trim().split('\n').pop());
  return Number.isFinite(kib) ? kib / 1024 : undefined;
}

const ratio = (a, b) => `${(a.median / b.median).toFixed(2)}x`;
// The ratio without NODE_EXTRA_CA_CERTS, where it is set.
const withoutCerts = (a, b) => (a && b ? `; ${ratio(a, b)} without NODE_EXTRA_CA_CERTS` : '');
const mib = (n) => (n === undefined ? 'n/a' : `${n.toFixed(0)} MiB`);
const dist = join(scratch, 'dist');
const noCache = { KARPENTER_AS_CODE_NO_CACHE: '1' };
const clearCache = () => rmSync(CACHE, { recursive: true, force: true });

// NODE_EXTRA_CA_CERTS makes every node process read and parse the file at start-up, the floors'
// included: a constant added to both sides of a ratio pulls it toward 1. Where it is set, the
// floors and the ratios that have targets are measured without it too.
const extraCerts = process.env.NODE_EXTRA_CA_CERTS;
const noCerts = { NODE_EXTRA_CA_CERTS: undefined };
console.log(`node ${process.version}, ${process.platform}/${process.arch}; NODE_EXTRA_CA_CERTS is ${extraCerts ? `set (${extraCerts}): every node process reads it at start-up; the floors and the ratios with targets are also measured without it` : 'not set'}`);
console.log(`${'command'.padEnd(66)} ${'runs'.padStart(4)} ${'min s'.padStart(8)} ${'median s'.padStart(9)}`);
// The floors, and the commands with targets that do not depend on the result cache, in turn.
const prodDir = join(root, 'dist', 'prod');
const mainJs = join(root, '.build', 'main.js');
// The package's CLI as built for npm pack (packages/karpenter-validate/build.mjs, run by npm ci's prepare).
const validateBin = join(root, 'packages', 'karpenter-validate', 'dist', 'cli.js');
const inTurn = timeInTurn({
  empty: ['floor: node -e ""', node, ['-e', '']],
  floor: [`floor: node -e "require('cdk8s-plus-28')"`, node, ['-e', "require('cdk8s-plus-28')"]],
  // Synth of the example environments, validated, with no cached result.
  synthCold: ['node .build/main.js, validation results not cached', node, [mainJs], { env: { DIST_DIR: dist, ...noCache } }],
  // The validator on the committed prod output, as a user's CI runs it.
  validateCold: ['validate dist/prod (package CLI), results not cached', node, [validateBin, prodDir], { env: noCache }],
  ...(extraCerts
    ? {
        emptyNoCerts: ['floor: node -e "", NODE_EXTRA_CA_CERTS unset', node, ['-e', ''], { env: noCerts }],
        floorNoCerts: [`floor: node -e "require('cdk8s-plus-28')", NODE_EXTRA_CA_CERTS unset`, node, ['-e', "require('cdk8s-plus-28')"], { env: noCerts }],
        synthColdNoCerts: ['node .build/main.js, not cached, NODE_EXTRA_CA_CERTS unset', node, [mainJs], { env: { DIST_DIR: dist, ...noCache, ...noCerts } }],
        validateColdNoCerts: ['validate dist/prod (package CLI), not cached, NODE_EXTRA_CA_CERTS unset', node, [validateBin, prodDir], { env: { ...noCache, ...noCerts } }],
      }
    : {}),
});
const { empty, floor, synthCold, validateCold, emptyNoCerts, floorNoCerts, synthColdNoCerts, validateColdNoCerts } = inTurn;
const npmFloor = time('floor: npm run --silent bench:floor (npm start-up + node -e "")', 'npm', ['run', '--silent', 'bench:floor']);

// Synth with every result cached.
clearCache();
time('  (prime the cache)', node, [mainJs], { env: { DIST_DIR: dist }, count: 1, warmup: false });
const synthWarm = time('node .build/main.js, sources unchanged: results from the cache', node, [mainJs], { env: { DIST_DIR: dist } });
const freshness = time('node scripts/build.mjs, nothing changed (the freshness check)', node, [join(root, 'scripts', 'build.mjs')]);
const check = spawnSync(node, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(join(root, 'scripts', 'bundle.mjs'))}); const t = performance.now(); await m.bundle(); console.log((performance.now() - t).toFixed(1));`], { cwd: root, encoding: 'utf8' }).stdout.trim();
const npmSynth = time('npm run --silent synth, nothing changed', 'npm', ['run', '--silent', 'synth'], { env: { DIST_DIR: dist } });

// The validator with every result cached, alone and through npm.
clearCache();
// The package's CLI keeps no result cache (it has no build folder); the project's validate command does.
const validateJs = join(root, '.build', 'validate.js');
time('  (prime the cache)', node, [validateJs, prodDir], { count: 1, warmup: false });
const validateWarm = time('validate dist/prod (.build/validate.js), files unchanged: results from the cache', node, [validateJs, prodDir]);
const npmValidate = time('npm run --silent validate -- dist/prod, files unchanged', 'npm', ['run', '--silent', 'validate', '--', prodDir]);

// Throughput: 16,000 objects, 2,000 renamed copies of the workloads fixture, validated from nothing.
const many = join(scratch, 'many');
mkdirSync(many);
const fixture = readFileSync(join(root, 'test', 'fixtures', 'valid', 'workloads.yaml'), 'utf8');
const perCopy = fixture.split(/^---$/m).filter((d) => d.trim()).length;
for (let i = 0; i < 2000; i++) writeFileSync(join(many, `w${String(i).padStart(4, '0')}.yaml`), fixture.replace(/\bweb\b/g, `web${i}`).replace(/name: api\b/g, `name: api${i}`));
const objects = perCopy * 2000;
const throughput = time(`validate ${objects.toLocaleString('en')} objects (2,000 files), not cached`, node, [join(root, '.build', 'validate.js'), many], { ok: [0, 1], env: noCache, count: quick ? 1 : 3, warmup: false });
const manyRss = peakRss(node, [join(root, '.build', 'validate.js'), many], noCache);
// A 50 MB manifest: copies of dist/prod's documents in one file.
const prodText = readFileSync(join(root, 'dist', 'prod', '07-workloads.yaml'), 'utf8');
const big = join(scratch, 'big.yaml');
const copies = Math.ceil((50 * 1024 * 1024) / prodText.length);
writeFileSync(big, Array.from({ length: copies }, (_, i) => prodText.replace(/^(  name: )(.+)$/gm, `$1$2-${i}`)).join('---\n'));
const bigSize = readFileSync(big).length / 1024 / 1024;
const bigTime = time(`validate one ${bigSize.toFixed(0)} MB file, not cached`, node, [join(root, '.build', 'validate.js'), big], { ok: [0, 1], env: noCache, count: 1, warmup: false });
const bigRss = peakRss(node, [join(root, '.build', 'validate.js'), big], noCache);

// Many environments: generated copies of dev and prod, validated, nothing cached.
const scale = [1, 10, 100, 1000].map((n) => ({
  n,
  // Medians of three at 100 and 1000 (one with --quick): single runs varied by half here. Each
  // into a folder of its own: every file created, none replaced, nothing freed before the next.
  row: time(`synth of ${n} generated environments, not cached`, node, [join(root, '.build', 'scale.js'), String(n)], { env: (i) => ({ DIST_DIR: join(scratch, `scale-${n}-${i}`), ...noCache }), count: n >= 100 ? (quick ? 1 : 3) : runs, warmup: n < 100 }),
}));
const scaleRss = peakRss(node, [join(root, '.build', 'scale.js'), '1000'], { DIST_DIR: join(scratch, 'scale-rss'), ...noCache });
const synthRss = peakRss(node, [mainJs], { DIST_DIR: dist, ...noCache });

const perEnv = (a, b) => (((b.row.median - a.row.median) / (b.n - a.n)) * 1000).toFixed(1);
console.log('\ntargets (medians of this run)');
if (extraCerts) console.log(`  NODE_EXTRA_CA_CERTS costs each node process ${((empty.median - emptyNoCerts.median) * 1000).toFixed(0)} ms here, the floor included (${floorNoCerts.median.toFixed(3)} s without it)`);
console.log(`  synth, not cached / require('cdk8s-plus-28') floor:       ${ratio(synthCold, floor)} (target <= 2x)${withoutCerts(synthColdNoCerts, floorNoCerts)}`);
console.log(`  synth, sources unchanged / floor:                         ${ratio(synthWarm, floor)} (target <= 2x)`);
console.log(`  freshness check: ${check} ms in the process, ${(freshness.median * 1000).toFixed(0)} ms as a node process (target < 50 ms); npm run synth = npm start-up ${(npmFloor.median - empty.median).toFixed(3)} s + ${(npmSynth.median - (npmFloor.median - empty.median)).toFixed(3)} s`);
console.log(`  validate dist/prod, not cached / floor:                   ${ratio(validateCold, floor)} (target <= 1.5x)${withoutCerts(validateColdNoCerts, floorNoCerts)}`);
console.log(`  validate dist/prod, files unchanged / floor:              ${ratio(validateWarm, floor)} (target <= 1.5x); through npm: ${ratio(npmValidate, floor)}`);
console.log(`  throughput: ${(objects / throughput.median).toFixed(0)} objects/s end to end, parse included (target >= 2000); peak RSS ${mib(manyRss)}`);
console.log(`  ${bigSize.toFixed(0)} MB manifest: ${bigTime.median.toFixed(1)} s, peak RSS ${mib(bigRss)} (target < 600 MiB)`);
console.log(`  cost per added environment, 10 -> 100:  ${perEnv(scale[1], scale[2])} ms; 100 -> 1000: ${perEnv(scale[2], scale[3])} ms (target <= 15 ms)`);
console.log(`  peak RSS at 1000 environments: ${mib(scaleRss)} (target < 250 MiB); synth of the examples: ${mib(synthRss)}`);

if (withTests) {
  // The runs above leave hundreds of megabytes for the disk to write back: the tests are timed on
  // a quiet machine, not behind that. The scratch folder (some 28,000 files) is removed only
  // after them: for minutes after thousands of files are deleted, ext4 passes over their inodes
  // each time it creates a file (fs/ext4/ialloc.c, recently_deleted), and the tests create
  // thousands (copies of the project): 31.1 s right after deleting 28,000 files, 29.7 s before.
  spawnSync('sync');
  const start = process.hrtime.bigint();
  const tests = spawnSync('npm', ['test'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, CI: '1', NO_COLOR: '1' } });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const plain = tests.stdout.replace(/\u001b\[[0-9;]*m/g, '');
  const files = [...plain.matchAll(/[✓❯] (test\/\S+) \((\d+) tests?[^)]*\) (\d+)ms/g)].map((m) => [m[1], Number(m[3])]).sort((a, b) => b[1] - a[1]).slice(0, 6);
  console.log(`  npm test, type checking included: ${seconds.toFixed(1)} s (target < 30 s); slowest files: ${files.map(([f, ms]) => `${f} ${(ms / 1000).toFixed(1)} s`).join(', ')}`);
}
if (withVerify) {
  const { oracleNames } = await import('../scripts/oracles.mjs');
  const gocache = join(scratch, 'gocache');
  console.log('\nGo tier (single runs: minutes each)');
  for (const name of oracleNames()) {
    // A build cache of its own, empty: the first build on a fresh machine, less the downloads.
    rmSync(join(root, '.build', 'go', `${name}.stamp`), { force: true });
    const start = process.hrtime.bigint();
    const built = spawnSync(node, [join(root, 'scripts', 'oracles.mjs'), name], { cwd: root, encoding: 'utf8', env: environment({ GOCACHE: gocache }) });
    if (built.status !== 0) throw new Error(`building oracle ${name} failed:\n${built.stderr}`);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const size = Number(spawnSync('du', ['-sm', gocache], { encoding: 'utf8' }).stdout.split('\t')[0]);
    console.log(`  first build of oracle ${name}: ${seconds.toFixed(0)} s (build cache now ${size} MiB in all)`);
  }
  // Built again with the user's cache, so that the stamps match what npm test and verify find.
  spawnSync(node, [join(root, 'scripts', 'oracles.mjs')], { cwd: root, stdio: 'ignore' });
  const verify = time('npm run verify (dev, prod and argocd, after the build)', 'npm', ['run', '--silent', 'verify'], { count: 1, warmup: false });
  console.log(`  npm run verify: ${verify.median.toFixed(1)} s`);
}
rmSync(scratch, { recursive: true, force: true });
