// The corpora the validator is held to the API server on (test/oracle-controlplane.test.ts):
// cases of one or more files, each read by kubectl and applied (dry run) by the real
// kube-apiserver in the Go tier, and read and validated (--admission-only) by ours.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../oracle';

export interface CaseFile {
  readonly name: string;
  readonly content: string;
}

export interface Case {
  /** Stable across runs: `<corpus>/<name>`. */
  readonly id: string;
  readonly corpus: 'fixtures' | 'examples' | 'mutants' | 'yaml';
  readonly files: readonly CaseFile[];
  /** The objects as stored before: each object of `files` is then judged as an update. */
  readonly previous?: readonly CaseFile[];
  /** What the case is about (the mutation made), for a reader of a disagreement. */
  readonly note: string;
}

/** What decides a case's verdict: its files. A recorded verdict of another hash is stale. */
export function caseHash(c: Case): string {
  const hash = createHash('sha256');
  for (const f of [...c.files, ...(c.previous ?? []).map((p) => ({ ...p, name: `previous/${p.name}` }))]) hash.update(f.name).update('\0').update(f.content).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** The fixed inputs the mutants derive from: a snapshot of dist/prod and dist/argocd, and objects of the kinds dist/ does not emit. */
export const BASE_DIR = join(ROOT, 'test', 'oracle', 'controlplane', 'base');

export type Json = Record<string, unknown>;

/** The base objects, each with the file it comes from. */
export function baseObjects(): { file: string; object: Json }[] {
  return readdirSync(BASE_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(BASE_DIR, file), 'utf8'))
        .map((doc) => doc.toJS() as Json | null)
        .filter((o): o is Json => o !== null)
        .map((object) => ({ file, object })),
    );
}

/** The service accounts the base's pod templates run as, by namespace. */
function serviceAccountsUsed(object: Json): [string, string][] {
  const namespace = String((object.metadata as Json | undefined)?.namespace ?? 'default');
  const found: [string, string][] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === 'serviceAccountName' && typeof v === 'string') found.push([namespace, v]);
        else walk(v);
      }
    }
  };
  walk(object.spec);
  return found;
}

/**
 * What the cluster holds before any case, as the environments' prerequisites provide it: the
 * base's namespaces (with their Pod Security labels) and every other namespace its objects live
 * in, and the service accounts its pods run as (pods need them to pass admission).
 */
export function setupObjects(): Json[] {
  const objects = baseObjects().map((b) => b.object);
  // "default" is there already; listed, its default ServiceAccount is made (no controller runs to make it).
  const namespaces = new Map<string, Json>([['default', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }]]);
  const accounts = new Map<string, Json>();
  for (const o of objects) {
    const metadata = (o.metadata ?? {}) as Json;
    if (o.kind === 'Namespace') namespaces.set(String(metadata.name), o);
    if (o.kind === 'ServiceAccount') accounts.set(`${String(metadata.namespace)}/${String(metadata.name)}`, o);
  }
  for (const o of objects) {
    const namespace = (o.metadata as Json | undefined)?.namespace;
    if (typeof namespace === 'string' && !namespaces.has(namespace)) namespaces.set(namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    for (const [ns, name] of serviceAccountsUsed(o)) {
      if (!accounts.has(`${ns}/${name}`)) accounts.set(`${ns}/${name}`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } });
    }
  }
  return [...[...namespaces.values()].sort((a, b) => String((a.metadata as Json).name).localeCompare(String((b.metadata as Json).name))), ...accounts.values()];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : /\.(ya?ml|json)$/.test(name) ? [path] : [];
    });
}

/** Every file of test/fixtures/ (validation fixtures, valid and not), one case each. */
export function fixtureCases(): Case[] {
  const dir = join(ROOT, 'test', 'fixtures');
  return filesUnder(dir).map((path) => {
    const name = relative(dir, path);
    return { id: `fixtures/${name}`, corpus: 'fixtures', files: [{ name: name.replace(/[/\\]/g, '__'), content: readFileSync(path, 'utf8') }], note: `test/fixtures/${name}` };
  });
}

/**
 * Karpenter's own example manifests, from the pinned provider release's Go module
 * (github.com/aws/karpenter-provider-aws@v1.14.1 examples/v1/), read in place from the Go module
 * cache: not copied into the project. Empty without the module cache (no Go).
 */
export function exampleCases(moduleDir: string | undefined): Case[] {
  if (!moduleDir || !existsSync(join(moduleDir, 'examples'))) return [];
  const dir = join(moduleDir, 'examples');
  return filesUnder(dir)
    .filter((path) => /\.ya?ml$/.test(path))
    .map((path) => {
      const name = relative(dir, path);
      return { id: `examples/${name}`, corpus: 'examples', files: [{ name: name.replace(/[/\\]/g, '__'), content: readFileSync(path, 'utf8') }], note: `karpenter-provider-aws v1.14.1 examples/${name}` };
    });
}
