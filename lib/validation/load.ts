import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { YAMLException } from 'js-yaml';
import { readAsKubectl, ReadDifference } from './kubectl-yaml';
import { Input, KubeObject } from './findings';
import { isObject } from './pods';

/** A file that cannot be read or parsed: the CLI exits 2 on it. */
export class LoadError extends Error {}

const MANIFEST = /\.(ya?ml|json)$/;

/**
 * What a document may hold before it is refused as input rather than validated: YAML's aliases
 * let a few bytes expand into billions of nodes (the "billion laughs"), and every check walks the
 * expanded object. The API server, through sigs.k8s.io/yaml, refuses excessive aliasing too.
 */
const MAX_ALIASES = 100;
const MAX_DEPTH = 100;
/** Nodes a document may expand to through its aliases (a manifest of 10,000 objects has far fewer per document). */
const MAX_EXPANDED_NODES = 1_000_000;

/** How many nodes a parsed document has once its aliases (shared references) are expanded; stops counting past `limit`. */
function expandedSize(value: unknown, limit: number, memo = new Map<object, number>()): number {
  if (value === null || typeof value !== 'object') return 1;
  const known = memo.get(value);
  if (known !== undefined) return known;
  memo.set(value, limit + 1); // a cycle counts as too large
  let size = 1;
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    size += expandedSize(item, limit, memo);
    if (size > limit) break;
  }
  memo.set(value, size);
  return size;
}

function filesUnder(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new LoadError(`${path}: no such file or folder`);
  }
  if (!stat.isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => !name.startsWith('.'))
    .sort()
    .flatMap((name) => {
      const full = join(path, name);
      return statSync(full).isDirectory() ? filesUnder(full) : MANIFEST.test(name) ? [full] : [];
    });
}

/**
 * The sets a list of paths makes: one per path, except that a folder with no manifest of its own
 * but subfolders that have some (a synthesized dist/) makes one set per subfolder, each a cluster.
 */
export function clusterSets(paths: readonly string[]): string[][] {
  const sets: string[][] = [];
  const loose: string[] = [];
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      throw new LoadError(`${path}: no such file or folder`);
    }
    const entries = stat.isDirectory() ? readdirSync(path).filter((name) => !name.startsWith('.')).sort() : [];
    const own = entries.filter((name) => MANIFEST.test(name) && !statSync(join(path, name)).isDirectory());
    const folders = entries.filter((name) => statSync(join(path, name)).isDirectory());
    if (stat.isDirectory() && own.length === 0 && folders.length > 1) sets.push(...folders.map((folder) => [join(path, folder)]));
    else loose.push(path);
  }
  return loose.length > 0 ? [loose, ...sets] : sets;
}

/** The files a list of paths names: files as given, folders searched for .yaml, .yml and .json (dotfiles skipped). */
export function manifestFiles(paths: readonly string[]): string[] {
  const files = paths.flatMap(filesUnder);
  if (files.length === 0) throw new LoadError(`no .yaml, .yml or .json file under ${paths.join(', ')}`);
  return files;
}

/**
 * The documents of a YAML stream, as source texts with the number of their first line. A line
 * that starts with `---` begins a document (its rest may hold content), one that starts with
 * `...` ends one. YAML forbids these markers at the start of a line inside any content
 * (c-forbidden), so splitting on them never cuts a document.
 */
function* documentTexts(text: string): Generator<{ text: string; line: number }> {
  let start = 0;
  let firstLine = 1;
  let line = 1;
  const isMarker = (at: number, marker: string) => text.startsWith(marker, at) && (at + 3 === text.length || ' \t\r\n'.includes(text[at + 3]!));
  for (let at = 0; at <= text.length; line++) {
    const eol = text.indexOf('\n', at);
    const next = eol < 0 ? text.length + 1 : eol + 1;
    const begins = isMarker(at, '---');
    if (begins || isMarker(at, '...')) {
      const chunk = text.slice(start, at);
      if (chunk.trim() !== '') yield { text: chunk, line: firstLine };
      start = begins ? at + 3 : next;
      firstLine = begins ? line : line + 1;
    }
    at = next;
  }
  const rest = text.slice(start);
  if (rest.trim() !== '') yield { text: rest, line: firstLine };
}

/** Why a value cannot be a Kubernetes object, or undefined when it is a mapping. */
function notAnObject(value: unknown): string | undefined {
  if (isObject(value)) return undefined;
  return `a document must be a Kubernetes object (a mapping), not ${Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value}`;
}

/** The objects of one parsed document: itself, or the items of a `kind: List`, each with the read differences under it. */
function objectsOf(value: Record<string, unknown>, source: string, differences: readonly ReadDifference[]): Input[] {
  const withDifferences = (input: Input, under: string): Input => {
    const own = differences.filter((d) => under === '' || d.path === under || d.path.startsWith(`${under}.`) || d.path.startsWith(`${under}[`)).map((d) => ({ ...d, path: under === '' ? d.path : d.path.slice(under.length).replace(/^\./, '') }));
    return own.length > 0 ? { ...input, readDifferences: own } : input;
  };
  if (value.kind !== 'List' || !Array.isArray(value.items)) return [withDifferences({ object: value as KubeObject, source }, '')];
  return value.items.map((item, i) => withDifferences({ object: (isObject(item) ? item : { kind: '<not an object>', value: item }) as KubeObject, source: `${source}.items[${i}]` }, `items[${i}]`));
}

/** Parses one document; throws a LoadError naming the file, document and line when it is not YAML we accept. */
function parseDocument(text: string, where: string): { value: unknown; differences: ReadDifference[] } {
  let read: { value: unknown; differences: ReadDifference[] };
  try {
    // As kubectl and Argo CD read it (YAML 1.1): what the API server will receive.
    read = readAsKubectl(text, { maxAliases: MAX_ALIASES, maxDepth: MAX_DEPTH });
  } catch (error) {
    if (error instanceof YAMLException) {
      const reason = error.reason ?? error.message.split('\n')[0];
      throw new LoadError(`${where}: not valid YAML: ${/alias/i.test(reason) && /limit|too many|exceed/i.test(reason) ? `too many aliases (more than ${MAX_ALIASES}): ${reason}` : reason}`);
    }
    if (error instanceof RangeError) throw new LoadError(`${where}: nested too deeply to read`);
    throw error;
  }
  // Aliases share one object in memory, but every check walks them as copies.
  if (text.includes('*') && expandedSize(read.value, MAX_EXPANDED_NODES) > MAX_EXPANDED_NODES) {
    throw new LoadError(`${where}: too many aliases: the document expands to more than ${MAX_EXPANDED_NODES.toLocaleString('en')} nodes (an alias bomb?)`);
  }
  return read;
}

/**
 * Every object of a file, one document at a time: a document's text is parsed, its objects are
 * handed on, and nothing of the YAML is kept. JSON files are one document. Each object names its
 * source as `file#document`.
 */
export function* objectsOfFile(file: string, cwd = process.cwd()): Generator<Input> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new LoadError(`${file}: cannot be read (${(error as Error).message})`);
  }
  yield* objectsOfText(text, relative(cwd, file) || file);
}

/** Every object of a YAML stream's text, as from a file named `shown`. */
export function* objectsOfText(text: string, shown: string): Generator<Input> {
  let index = 0;
  for (const document of documentTexts(text)) {
    index++;
    const where = `${shown}#${index} (line ${document.line})`;
    const { value, differences } = parseDocument(document.text, where);
    if (value === null || value === undefined) continue;
    const problem = notAnObject(value);
    if (problem) throw new LoadError(`${where}: ${problem}`);
    yield* objectsOf(value as Record<string, unknown>, `${shown}#${index}`, differences);
  }
}

/** Every object of the given files and folders (recursively `.yaml`, `.yml` and `.json`), in order. */
export function* inputsOf(paths: readonly string[], cwd = process.cwd()): Generator<Input> {
  for (const file of manifestFiles(paths)) yield* objectsOfFile(file, cwd);
}

/** Every object of the given files and folders, read into memory. */
export function loadInputs(paths: readonly string[], cwd = process.cwd()): Input[] {
  return [...inputsOf(paths, cwd)];
}
