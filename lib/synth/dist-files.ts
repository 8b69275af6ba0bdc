import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from 'karpenter-validate';
import { LoadError, objectsOfText } from 'karpenter-validate';
import { recordedSourceHash, STAMP_FILE } from './source-hash';

/** dist/ or a git ref cannot be read as asked: diff and plan exit 2 with the message. */
export class DistError extends Error {}

// Where a set of dist files was read from (`dist/`, `HEAD:dist/`), for messages about its files.
const ORIGIN = new WeakMap<ReadonlyMap<string, string>, string>();

function from(origin: string, files: Map<string, string>): Map<string, string> {
  ORIGIN.set(files, origin);
  return files;
}

/**
 * The files of dist/ as they are on disk (path relative to dist/ → content), after checking that
 * synth wrote them from the code as it is now (dist/.synthesized-from).
 */
export function currentDist(dir = 'dist', buildDir?: string): Map<string, string> {
  if (!existsSync(dir)) throw new DistError(`there is no ${dir}/: run npm run synth first`);
  const stamp = existsSync(join(dir, STAMP_FILE)) ? readFileSync(join(dir, STAMP_FILE), 'utf8').trim() : undefined;
  if (stamp !== recordedSourceHash(buildDir)) {
    throw new DistError(`${dir}/ is stale: it was not synthesized from the code as it is now (${dir}/${STAMP_FILE} differs). Run npm run synth first`);
  }
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path.slice(dir.length + 1), readFileSync(path, 'utf8'));
  }
  return from(`${dir}/`, files);
}

/** The files of dist/ at a git ref; a ref git does not know is a DistError. */
export function distAt(ref: string): Map<string, string> {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
  } catch {
    throw new DistError(`'${ref}' is not a commit git knows (a branch, tag or commit hash): nothing to compare dist/ with`);
  }
  const files = new Map<string, string>();
  const listed = git('ls-tree', '-r', '--name-only', ref, '--', 'dist/').split('\n').filter(Boolean);
  for (const path of listed) files.set(path.slice('dist/'.length), git('show', `${ref}:${path}`));
  return from(`${ref}:dist/`, files);
}

/**
 * The objects of dist files (path relative to dist/ → YAML), by the folder they are in (an
 * environment, or `argocd`), in path order. Read exactly as `npm run validate` and kubectl read
 * them (packages/karpenter-validate/src/validation/load.ts objectsOfText: go-yaml v2's YAML 1.1, JSON streams, `kind: List`,
 * comment-only documents skipped), and refused where they refuse them: a file kubectl cannot
 * parse, or a document that is not an object with an apiVersion and a kind, is a DistError naming
 * the file, the document and the line. (A YAML 1.2 reader took a stray line for a key, and plan
 * and diff compared objects kubectl would never apply.)
 */
export function objectsByFolder(files: ReadonlyMap<string, string>, skip: (path: string) => boolean = () => false): Map<string, KubeObject[]> {
  const origin = ORIGIN.get(files) ?? 'dist/';
  const out = new Map<string, KubeObject[]>();
  for (const [path, text] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    if (!/\.ya?ml$/.test(path) || !path.includes('/') || skip(path)) continue;
    const folder = path.split('/')[0]!;
    const objects: KubeObject[] = [];
    try {
      for (const { object, source } of objectsOfText(text, `${origin}${path}`)) {
        if (object.kind === '<not an object>') throw new DistError(`${source}: is not an object (a YAML mapping), which kubectl refuses: ${refused}`);
        if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
          throw new DistError(`${source}: has no ${typeof object.apiVersion !== 'string' ? 'apiVersion' : 'kind'}, which kubectl refuses ("Object 'Kind' is missing"): ${refused}`);
        }
        objects.push(object);
      }
    } catch (error) {
      if (error instanceof LoadError) throw new DistError(`${error.message}: kubectl and npm run validate refuse this file too. ${refused}`);
      throw error;
    }
    out.set(folder, [...(out.get(folder) ?? []), ...objects]);
  }
  return out;
}

const refused = 'nothing was compared. Fix the file (npm run --silent validate -- <file> says the same), or synthesize dist/ again with npm run synth';
