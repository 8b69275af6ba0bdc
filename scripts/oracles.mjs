#!/usr/bin/env node
// The upstream oracles: Go modules under oracle/<name>/, each built into .build/go/<name> from
// the Go module proxy with the versions its go.sum pins (-mod=readonly: a go.sum that lacks an
// entry is an error, never a silent download of something else). A binary is rebuilt only when
// a file of its module or the Go toolchain changed (a stamp beside it); Go's own build cache
// makes a rebuild after a small change take seconds, the first build minutes.
//
// A module may also hold go.<variant>.mod (with go.<variant>.sum): the same code built against
// other pinned versions (another Karpenter release), into .build/go/<name>-<variant>, with
// `go build -modfile`.
//
//   node scripts/oracles.mjs [<name>...]   build the named oracles (default: all), say how long each took
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const root = join(import.meta.dirname, '..');
const ORACLES = join(root, 'oracle');
const OUT = join(root, '.build', 'go');

export class OracleBuildError extends Error {}

/** The Go toolchain on PATH: its version, or why there is none. */
export function goToolchain() {
  const result = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (result.error) return { ok: false, why: result.error.code === 'ENOENT' ? '`go` is not on PATH' : result.error.message };
  if (result.status !== 0) return { ok: false, why: `\`go version\` failed: ${result.stderr.trim()}` };
  return { ok: true, version: result.stdout.trim() };
}

/** Every oracle: a folder of oracle/ with a go.mod, and <folder>-<variant> for each go.<variant>.mod in it. */
export function oracleNames() {
  if (!existsSync(ORACLES)) return [];
  return readdirSync(ORACLES)
    .filter((name) => existsSync(join(ORACLES, name, 'go.mod')))
    .sort()
    .flatMap((name) => [name, ...readdirSync(join(ORACLES, name)).flatMap((file) => /^go\.(.+)\.mod$/.exec(file)?.[1] ?? []).sort().map((variant) => `${name}-${variant}`)]);
}

/** The module folder and modfile of an oracle name. */
function moduleOf(name) {
  if (existsSync(join(ORACLES, name, 'go.mod'))) return { dir: join(ORACLES, name), modfile: 'go.mod' };
  for (const folder of existsSync(ORACLES) ? readdirSync(ORACLES) : []) {
    if (name.startsWith(`${folder}-`) && existsSync(join(ORACLES, folder, `go.${name.slice(folder.length + 1)}.mod`))) return { dir: join(ORACLES, folder), modfile: `go.${name.slice(folder.length + 1)}.mod` };
  }
  return undefined;
}

/** The files of a module that decide its binary, in a stable order. */
function sourcesOf(dir) {
  const files = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'testdata') walk(path);
      } else if (/\.(go|mod|sum|json|yaml)$/.test(entry.name)) files.push(path);
    }
  };
  walk(dir);
  return files;
}

function stampOf(dir, modfile, toolchain) {
  const hash = createHash('sha256').update(toolchain).update(modfile);
  for (const file of sourcesOf(dir)) hash.update(relative(dir, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/**
 * What a modfile asks of its build beyond -modfile, which the go command does not take from it:
 * - the toolchain: the go command chooses its toolchain from go.mod's go and toolchain lines,
 *   never from -modfile's (cmd/go/internal/toolchain/select.go modGoToolchain), so a modfile
 *   whose `toolchain go<v>` (else `go <v>`) is newer than the Go on PATH is built with
 *   GOTOOLCHAIN=go<v>, which fetches golang.org/toolchain through the module proxy;
 * - build tags: a `//oracle:tags <tag>[,<tag>]` line selects the files of that release's API.
 */
export function buildSettings(modfileText, goVersion) {
  const wanted = /^toolchain\s+go(\S+)/m.exec(modfileText)?.[1] ?? /^go\s+(\S+)/m.exec(modfileText)?.[1];
  const local = /\bgo(\d+(?:\.\d+)*)/.exec(goVersion)?.[1];
  const newer = (a, b) => {
    const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
    return false;
  };
  const tags = /^\/\/oracle:tags\s+(\S+)/m.exec(modfileText)?.[1];
  return { env: wanted && local && newer(wanted, local) ? { GOTOOLCHAIN: `go${wanted}` } : {}, args: tags ? [`-tags=${tags}`] : [] };
}

/** The path of an oracle's binary, built first if it is missing or stale. Throws OracleBuildError. */
export function buildOracle(name, { log = () => {} } = {}) {
  const go = goToolchain();
  if (!go.ok) throw new OracleBuildError(`cannot build oracle ${name}: ${go.why}`);
  const module = moduleOf(name);
  if (!module) throw new OracleBuildError(`no oracle named ${name} (no oracle/${name}/go.mod, nor a go.<variant>.mod)`);
  const { dir, modfile } = module;
  const binary = join(OUT, name);
  const stampFile = `${binary}.stamp`;
  const stamp = stampOf(dir, modfile, go.version);
  if (existsSync(binary) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return binary;
  mkdirSync(OUT, { recursive: true });
  const start = Date.now();
  const settings = buildSettings(readFileSync(join(dir, modfile), 'utf8'), go.version);
  const how = [...Object.entries(settings.env).map(([k, v]) => `${k}=${v}`), ...settings.args].join(' ');
  log(`building oracle ${name} (${go.version}${how ? `, ${how}` : ''}; the first build downloads its modules and takes minutes)...`);
  const result = spawnSync('go', ['build', '-mod=readonly', `-modfile=${modfile}`, ...settings.args, '-trimpath', '-o', binary, '.'], { cwd: dir, encoding: 'utf8', env: { ...process.env, GOFLAGS: '-buildvcs=false', ...settings.env }, maxBuffer: 64 * 1024 * 1024 });
  if (result.error || result.status !== 0) {
    throw new OracleBuildError(`building oracle ${name} failed (${how ? `${how} ` : ''}go build -modfile=${modfile} in ${relative(root, dir)}):\n${(result.stderr || result.error?.message || '').trim()}`);
  }
  writeFileSync(stampFile, stamp);
  log(`built oracle ${name} in ${((Date.now() - start) / 1000).toFixed(1)} s (${(statSync(binary).size / 2 ** 20).toFixed(0)} MiB)`);
  return binary;
}

if (process.argv[1] === import.meta.filename) {
  const names = process.argv.slice(2);
  try {
    for (const name of names.length ? names : oracleNames()) console.log(buildOracle(name, { log: (line) => console.error(line) }));
  } catch (error) {
    if (!(error instanceof OracleBuildError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
