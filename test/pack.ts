import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const ROOT = join(__dirname, '..');
const PACKAGE = join(ROOT, 'packages', 'karpenter-validate');

/** `npm pack` of the validator package into `dir` (its prepack builds dist/): the tarball's path. */
export function packValidator(dir: string): string {
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: PACKAGE, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n').pop()!;
  return join(dir, name);
}

interface LockEntry {
  readonly version?: string;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly [key: string]: unknown;
}

/**
 * Makes `dir` a project that depends on the tarball (and on `also`, packages of the project's own
 * lock), with a package-lock.json taken from the project's: its entries for the packages' whole
 * dependency closure, so that `npm ci --offline` installs from the tarball and npm's cache alone,
 * as another repository installs the package. (An `npm install <tarball> --offline` would need
 * the registry's metadata of every dependency, which the cache of an `npm ci` does not hold.)
 */
export function consumerOf(dir: string, tarball: string, also: readonly string[] = []): void {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const manifest = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { version: string; license: string; bin: Record<string, string>; engines: Record<string, string>; dependencies: Record<string, string> };
  const needed = new Set<string>();
  // node's resolution, in the lock's terms: <from>/node_modules/<name>, then each enclosing folder.
  const visit = (name: string, from: string): void => {
    for (let at = from; ; ) {
      const key = `${at ? `${at}/` : ''}node_modules/${name}`;
      const entry = lock.packages[key];
      if (entry) {
        if (needed.has(key)) return;
        needed.add(key);
        for (const dependency of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies })) visit(dependency, key);
        return;
      }
      if (!at) throw new Error(`package-lock.json has no ${name} (needed by ${from || 'the consumer'})`);
      const up = at.lastIndexOf('/node_modules/');
      at = up < 0 ? '' : at.slice(0, up);
    }
  };
  for (const name of [...Object.keys(manifest.dependencies), ...also]) visit(name, '');
  const file = `file:${basename(tarball)}`;
  const dependencies = { 'karpenter-validate': file, ...Object.fromEntries(also.map((name) => [name, lock.packages[`node_modules/${name}`]!.version!])) };
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', version: '1.0.0', dependencies },
    'node_modules/karpenter-validate': {
      version: manifest.version,
      resolved: file,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
      license: manifest.license,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  for (const key of [...needed].sort()) {
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = lock.packages[key]!;
    packages[key] = entry;
  }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies }, null, 2)}\n`);
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
  execFileSync('npm', ['ci', '--offline', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
}
