import { execFileSync, spawnSync } from 'node:child_process';
import { isAscii } from 'node:buffer';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script, without types
import { CODE_CACHE_LOADER, ENTRY_POINTS, v8DefaultFlags, v8Flags as loaderFlags } from '../scripts/bundle.mjs';
import { v8Flags } from '../lib/synth/v8-flags';

/** Runs `test` in a fresh folder holding the build's loader (code-cache.cjs), removed afterwards. */
function inLoaderDir(test: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'code-cache-'));
  try {
    writeFileSync(join(dir, 'code-cache.cjs'), CODE_CACHE_LOADER as string);
    test(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `code` in a fresh node process, in `dir`; its stdout. */
const node = (dir: string, code: string) => execFileSync(process.execPath, ['-e', code], { cwd: dir, encoding: 'utf8' }).trim();

describe("the build's V8 code-cache loader", () => {
  it('runs a bundle with its cache beside it, written when the process exits', () => {
    inLoaderDir((dir) => {
      writeFileSync(join(dir, 'b.bundle.js'), "console.log('ran ' + typeof require);\n");
      expect(node(dir, "require('./code-cache.cjs')(require('path').resolve('b.bundle.js'))")).toBe('ran function');
      expect(existsSync(join(dir, 'b.bundle.js.cache'))).toBe(true);
      expect(node(dir, "require('./code-cache.cjs')(require('path').resolve('b.bundle.js'))")).toBe('ran function');
    });
  });

  it('reads text outside ASCII as UTF-8, and ASCII the fast way, to the same effect', () => {
    inLoaderDir((dir) => {
      writeFileSync(join(dir, 'u.bundle.js'), "// a comment \u2014 and a string:\nconsole.log(JSON.stringify('caf\u00e9 \u2014 \u{1F680}'));\n");
      writeFileSync(join(dir, 'a.bundle.js'), "console.log(JSON.stringify('caf\\u00e9'));\n");
      expect(node(dir, "require('./code-cache.cjs')(require('path').resolve('u.bundle.js'))")).toBe('"caf\u00e9 \u2014 \u{1F680}"');
      expect(node(dir, "require('./code-cache.cjs')(require('path').resolve('a.bundle.js'))")).toBe('"caf\u00e9"');
    });
  });

  it("leaves nothing outside ASCII in the build's bundles (esbuild copies comments as they are)", () => {
    execFileSync(process.execPath, [join(__dirname, '..', 'scripts', 'build.mjs')]);
    const build = join(__dirname, '..', '.build');
    const bundles = Object.keys(ENTRY_POINTS as Record<string, string>).map((name) => (existsSync(join(build, `${name}.bundle.js`)) ? `${name}.bundle.js` : `${name}.js`));
    expect(bundles).toContain('main.bundle.js');
    for (const file of bundles) expect(isAscii(readFileSync(join(build, file))), file).toBe(true);
  });

  it("never serves a module's old code: its cache is named by its content, and the old content's goes", () => {
    inLoaderDir((dir) => {
      const load = "console.log(require('./code-cache.cjs').load(require('path').resolve('m.js')).v())";
      writeFileSync(join(dir, 'm.js'), 'module.exports = { v: () => 1 };\n');
      expect(node(dir, load)).toBe('1');
      const first = readdirSync(join(dir, 'cache', 'code'));
      expect(first).toEqual([expect.stringMatching(/^m\.js\.[0-9a-f]{16}\.cache$/)]);
      // The same length: V8 alone would accept the old cache for it.
      writeFileSync(join(dir, 'm.js'), 'module.exports = { v: () => 2 };\n');
      expect(node(dir, load)).toBe('2');
      const second = readdirSync(join(dir, 'cache', 'code'));
      expect(second).toHaveLength(1);
      expect(second[0]).not.toBe(first[0]);
      expect(node(dir, load)).toBe('2');
    });
  });

  it("sets the project's V8 flags, whose defaults it knows (node --v8-options)", () => {
    for (const version of [process.versions.v8, '11.3.244.8-node.36', '12.4.254.21-node.33', '13.6.233.17-node.36']) expect(loaderFlags(version)).toEqual(v8Flags(version));
    expect(v8Flags('11.3.244.8-node.36')).toContain('--interrupt-budget=1081344');
    expect(v8Flags('12.4.254.21-node.33')).toEqual(['--heap-growing-percent=30']);
    const name = (flag: string) => flag.split('=')[0];
    expect((v8DefaultFlags(process.versions.v8) as string[]).map(name)).toEqual(v8Flags().map(name));
    const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    for (const flag of v8DefaultFlags(process.versions.v8) as string[]) expect(options).toContain(`default: ${flag}\n`);
  });

  it("keeps a cache whichever command made it: V8 rejects a cache made under other flags, and synth's thread sets the commands' flags", () => {
    inLoaderDir((dir) => {
      writeFileSync(join(dir, 'm.js'), 'module.exports = { v: () => 1 };\n');
      const load = "console.log(require('./code-cache.cjs').load(require('path').resolve('m.js')).v())";
      // Like the validate command: nothing but the loader.
      expect(node(dir, load)).toBe('1');
      const [cache] = readdirSync(join(dir, 'cache', 'code')).map((name) => join(dir, 'cache', 'code', name));
      const written = statSync(cache);
      // Like synth's validator thread (lib/synth/validator-thread.ts: its flags, then its modules), then the validate command again.
      expect(node(dir, `for (const flag of ${JSON.stringify(v8Flags())}) require('v8').setFlagsFromString(flag); globalThis[Symbol.for('karpenter-as-code/v8-flags')] = true; ${load}`)).toBe('1');
      expect(node(dir, load)).toBe('1');
      // A cache V8 rejected would have been written anew (a new file renamed into place).
      expect(statSync(cache).ino).toBe(written.ino);
      expect(statSync(cache).mtimeMs).toBe(written.mtimeMs);
    });
  });

  it("makes the cache of a bundle compiled under V8's defaults under the defaults, though the flags were set before the process ended", () => {
    inLoaderDir((dir) => {
      writeFileSync(join(dir, 'b.bundle.js'), "console.log('ran');\n");
      // Like synth's main.js: the flags left to the validator thread, which sets them once the bundle is compiled.
      const synth = `globalThis[Symbol.for('karpenter-as-code/v8-flags')] = 'thread'; require('./code-cache.cjs')(require('path').resolve('b.bundle.js'), () => { for (const flag of ${JSON.stringify(v8Flags())}) require('v8').setFlagsFromString(flag); })`;
      expect(node(dir, synth)).toBe('ran');
      const written = statSync(join(dir, 'b.bundle.js.cache'));
      expect(node(dir, synth)).toBe('ran');
      expect(statSync(join(dir, 'b.bundle.js.cache')).mtimeMs).toBe(written.mtimeMs);
    });
  });

  it("keeps every cache of the build when synth and validate take turns (each made and used under the same flags)", () => {
    const root = resolve(__dirname, '..');
    const build = join(root, '.build');
    const out = mkdtempSync(join(tmpdir(), 'turns-'));
    try {
      const synth = () => expect(spawnSync(process.execPath, [join(build, 'main.js')], { cwd: root, encoding: 'utf8', env: { ...process.env, DIST_DIR: out } }).status).toBe(0);
      const validate = () => expect(spawnSync(process.execPath, [join(build, 'validate.js'), join(root, 'dist', 'prod')], { cwd: root, encoding: 'utf8' }).status).toBe(0);
      const caches = () => new Map([...readdirSync(build).filter((n) => n.endsWith('.cache')).map((n) => join(build, n)), ...readdirSync(join(build, 'cache', 'code')).map((n) => join(build, 'cache', 'code', n))].map((file) => [file, statSync(file).mtimeMs]));
      synth();
      validate();
      const before = caches();
      expect([...before.keys()].some((file) => file.endsWith('main.bundle.js.cache'))).toBe(true);
      expect([...before.keys()].some((file) => file.endsWith('validator-worker.js.cache'))).toBe(true);
      expect([...before.keys()].some((file) => file.endsWith('validate.bundle.js.cache'))).toBe(true);
      synth();
      validate();
      synth();
      for (const [file, mtime] of before) expect(caches().get(file), file).toBe(mtime);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
