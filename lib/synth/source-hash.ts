import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * A hash of everything synth's output depends on: the composition, config, charts, library,
 * imports, generated schemas and the locked dependencies. Synth records it in
 * `dist/.synthesized-from` (a file kubectl and ArgoCD do not read: no .yaml or .json), so that
 * diff and plan can tell a dist/ that no longer matches the code ("run npm run synth first")
 * without synthesizing.
 */
export const SOURCES = ['main.ts', 'compose.ts', 'config', 'charts', 'lib', 'imports', 'packages/karpenter-validate/src', 'packages/karpenter-validate/schemas', 'package-lock.json'];

/** The file synth records the hash in, relative to dist/. */
export const STAMP_FILE = '.synthesized-from';

function files(root: string, path: string): string[] {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full)
    .sort()
    .flatMap((name) => files(root, join(path, name)));
}

/** The hash of the sources under `root` (the project folder). */
export function sourceHash(root = process.cwd()): string {
  const hash = createHash('sha256');
  for (const file of SOURCES.flatMap((source) => files(root, source))) {
    hash.update(relative(root, join(root, file)).split('\\').join('/'));
    hash.update('\0');
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return `sha256:${hash.digest('hex')}`;
}

/**
 * The hash as the build recorded it (`.build/source-hash`, written by scripts/bundle.mjs with the
 * same files and order) when `buildDir` holds one, else computed: the bundled CLIs run right after
 * a build, which saw every source.
 */
export function recordedSourceHash(buildDir: string | undefined, root = process.cwd()): string {
  const recorded = buildDir ? join(buildDir, 'source-hash') : undefined;
  if (recorded && existsSync(recorded)) return readFileSync(recorded, 'utf8').trim();
  return sourceHash(root);
}
