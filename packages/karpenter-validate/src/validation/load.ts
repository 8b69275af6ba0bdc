import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { YAMLException } from 'js-yaml';
import { readAsKubectl, ReadDifference } from './kubectl-yaml';
import { Input, KubeObject } from './findings';
import { isObject } from './pods';

/** A file that cannot be read or parsed: the CLI exits 2 on it. */
export class LoadError extends Error {}

/**
 * A document nested deeper than the reader's stack allows on this thread (js-yaml recurses; a
 * thread's default stack holds about 1,500 levels, kubectl reads 10,000): the CLI reads it again
 * on a thread with a larger stack.
 */
export class DeepLoadError extends LoadError {}

const MANIFEST = /\.(ya?ml|json)$/;

/**
 * What a document may hold, as kubectl's reader allows it (sigs.k8s.io/yaml's go-yaml v2,
 * gopkg.in/yaml.v2 2.4.0 decode.go and parserc.go): nesting to 10,000 levels, and aliases as long
 * as they do not make up most of what is decoded (allowedAliasRatio: the "billion laughs").
 * Deeper than this reader's stack allows (about MAX_DEPTH) is refused as unreadable, saying so.
 */
const GO_YAML_MAX_DEPTH = 10_000;
const MAX_DEPTH = 1_000;

/** gopkg.in/yaml.v2 2.4.0 decode.go allowedAliasRatio: the share of decoded nodes that may come from aliases. */
function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= 400_000) return 0.99;
  if (decodeCount >= 4_000_000) return 0.1;
  return 0.99 - 0.89 * ((decodeCount - 400_000) / 3_600_000);
}

/**
 * Whether go-yaml would refuse a parsed document for excessive aliasing: it counts every node it
 * decodes (an alias's nodes each time the alias is used) and those decoded through aliases, and
 * fails once more than 100 come through aliases, more than 1,000 in all, and the share exceeds
 * allowedAliasRatio. Shared references in the parsed value are the aliases.
 */
function excessiveAliasing(value: unknown): boolean {
  let decoded = 0;
  let aliased = 0;
  const seen = new Set<object>();
  // An explicit stack: documents may nest 10,000 levels.
  const stack: [unknown, boolean][] = [[value, false]];
  while (stack.length > 0) {
    const [node, viaAlias] = stack.pop()!;
    decoded++;
    if (viaAlias) aliased++;
    if (aliased > 100 && decoded > 1000 && aliased / decoded > allowedAliasRatio(decoded)) return true;
    if (node === null || typeof node !== 'object') continue;
    // A node met again is an alias: all it holds is decoded again, through the alias.
    const again = seen.has(node);
    seen.add(node);
    for (const item of Array.isArray(node) ? node : Object.values(node)) stack.push([item, viaAlias || again]);
  }
  return false;
}


/** A path's stat, or a LoadError that says why it cannot be read (missing, a symbolic link loop, no permission). */
function statOf(path: string) {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LoadError(code === 'ENOENT' ? `${path}: no such file or folder` : code === 'ELOOP' ? `${path}: cannot be read (a loop of symbolic links)` : `${path}: cannot be read (${(error as Error).message})`);
  }
}

function entriesOf(path: string): string[] {
  try {
    return readdirSync(path);
  } catch (error) {
    throw new LoadError(`${path}: cannot be read (${(error as Error).message})`);
  }
}

function filesUnder(path: string): string[] {
  if (!statOf(path).isDirectory()) return [path];
  return entriesOf(path)
    .filter((name) => !name.startsWith('.'))
    .sort()
    .flatMap((name) => {
      const full = join(path, name);
      return statOf(full).isDirectory() ? filesUnder(full) : MANIFEST.test(name) ? [full] : [];
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
    const stat = statOf(path);
    const entries = stat.isDirectory() ? entriesOf(path).filter((name) => !name.startsWith('.')).sort() : [];
    const own = entries.filter((name) => MANIFEST.test(name) && !statOf(join(path, name)).isDirectory());
    const folders = entries.filter((name) => statOf(join(path, name)).isDirectory());
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

/**
 * The objects of one parsed document: itself, or the items of a list. As kubectl reads it
 * (k8s.io/apimachinery unstructured.go decode): any object with an `items` field is a list
 * (`kind: List`, `ConfigMapList`...), whose items are the objects; an item with neither kind nor
 * apiVersion takes the list's apiVersion and its kind without "List". Each carries the read
 * differences under it.
 */
function objectsOf(value: Record<string, unknown>, source: string, differences: readonly ReadDifference[]): Input[] {
  const withDifferences = (input: Input, under: string): Input => {
    const own = differences.filter((d) => under === '' || d.path === under || d.path.startsWith(`${under}.`) || d.path.startsWith(`${under}[`)).map((d) => ({ ...d, path: under === '' ? d.path : d.path.slice(under.length).replace(/^\./, '') }));
    return own.length > 0 ? { ...input, readDifferences: own } : input;
  };
  if (!Object.prototype.hasOwnProperty.call(value, 'items')) return [withDifferences({ object: value as KubeObject, source }, '')];
  if (value.items === null) return [];
  if (!Array.isArray(value.items)) return [{ object: { kind: '<not a list>', items: value.items } as KubeObject, source }];
  const itemKind = typeof value.kind === 'string' ? value.kind.replace(/List$/, '') : undefined;
  return value.items.map((item, i) => {
    const object = isObject(item) && item.kind === undefined && item.apiVersion === undefined && itemKind ? { ...item, kind: itemKind, apiVersion: value.apiVersion } : item;
    return withDifferences({ object: (isObject(object) ? object : { kind: '<not an object>', value: item }) as KubeObject, source: `${source}.items[${i}]` }, `items[${i}]`);
  });
}

/** Whether a document holds nothing but comments, blank lines and directives: kubectl skips it. */
function isEmptyDocument(text: string): boolean {
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed !== '' && !trimmed.startsWith('#') && !trimmed.startsWith('%')) return false;
  }
  return true;
}

/**
 * Parses one document; throws a LoadError naming the file, the document and the line of the
 * error (the line in the file) when kubectl could not read it either.
 */
function parseDocument(text: string, shown: string, index: number, firstLine: number): { value: unknown; differences: ReadDifference[] } {
  const where = (line = firstLine) => `${shown}#${index} (line ${line})`;
  let read: { value: unknown; differences: ReadDifference[] };
  try {
    // As kubectl and Argo CD read it (YAML 1.1, a key given twice takes its last value): what
    // the API server will receive.
    read = readAsKubectl(text, { maxDepth: GO_YAML_MAX_DEPTH + 1, json: true });
  } catch (error) {
    if (error instanceof YAMLException) {
      const reason = error.reason ?? error.message.split('\n')[0]!;
      const line = error.mark ? firstLine + error.mark.line : firstLine;
      throw new LoadError(`${where(line)}: not valid YAML: ${/maxDepth/.test(reason) ? `exceeded max depth of ${GO_YAML_MAX_DEPTH} (kubectl's limit too)` : reason}`);
    }
    // kubectl reads up to 10,000 levels; js-yaml recurses, and the stack runs out first.
    if (error instanceof RangeError) throw new DeepLoadError(`${where()}: nested too deeply for this reader (it reads about ${MAX_DEPTH.toLocaleString('en')} levels; kubectl reads up to ${GO_YAML_MAX_DEPTH.toLocaleString('en')}): no Kubernetes object nests this deep`);
    throw error;
  }
  // go-yaml refuses a document whose aliases make up most of what it decodes (the "billion laughs").
  if (text.includes('*') && excessiveAliasing(read.value)) throw new LoadError(`${where()}: not valid YAML: document contains excessive aliasing (kubectl's reader refuses it too)`);
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

/**
 * Every object of a stream's text, as from a file named `shown`, as kubectl reads it
 * (k8s.io/apimachinery util/yaml NewYAMLOrJSONDecoder): a stream whose first character (after
 * white space) is `{` is a stream of JSON values, anything else YAML documents; an empty or
 * comment-only document, or one that is null, is skipped; a document that is not a mapping is
 * read, and refused as an object.
 */
export function* objectsOfText(text: string, shown: string): Generator<Input> {
  let rest = text;
  let index = 0;
  if (/^\s*\{/.test(text)) {
    // JSON first; a stream that fails before its second value is read again as YAML from there.
    const json = jsonStream(text, shown);
    for (const read of json.values) yield* read;
    if (json.yamlFrom === undefined) return;
    rest = text.slice(json.yamlFrom);
    index = json.values.length;
  }
  for (const document of documentTexts(rest)) {
    index++;
    if (isEmptyDocument(document.text)) continue;
    const { value, differences } = parseDocument(document.text, shown, index, document.line);
    if (value === null || value === undefined) continue;
    yield* documentObjects(value, `${shown}#${index}`, differences);
  }
}

function documentObjects(value: unknown, source: string, differences: readonly ReadDifference[]): Input[] {
  const problem = notAnObject(value);
  if (problem) return [{ object: { kind: '<not an object>', value } as KubeObject, source }];
  return objectsOf(value as Record<string, unknown>, source, differences);
}

/**
 * Successive JSON values, as encoding/json's Decoder reads a stream; where one fails to parse
 * and at most one was read before it, kubectl reads the rest as YAML (yamlFrom: where).
 */
function jsonStream(text: string, shown: string): { values: Input[][]; yamlFrom?: number } {
  let at = 0;
  const values: Input[][] = [];
  while (at < text.length) {
    while (at < text.length && /\s/.test(text[at]!)) at++;
    if (at >= text.length) break;
    const end = jsonValueEnd(text, at);
    const line = text.slice(0, at).split('\n').length;
    let value: unknown;
    try {
      value = JSON.parse(text.slice(at, end));
    } catch (error) {
      if (values.length <= 1) return { values, yamlFrom: at };
      throw new LoadError(`${shown}#${values.length + 1} (line ${line}): not valid JSON: ${(error as Error).message}`);
    }
    at = end;
    const index = values.length + 1;
    values.push(value === null ? [] : documentObjects(value, `${shown}#${index}`, []));
  }
  return { values };
}

/** Where the JSON value starting at `start` ends: its closing bracket, or the next white space. */
function jsonValueEnd(text: string, start: number): number {
  const open = text[start];
  if (open !== '{' && open !== '[') {
    let end = start;
    if (open === '"') {
      end++;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      return end + 1;
    }
    while (end < text.length && !/[\s{[]/.test(text[end]!)) end++;
    return end;
  }
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

/** Every object of the given files and folders (recursively `.yaml`, `.yml` and `.json`), in order. */
export function* inputsOf(paths: readonly string[], cwd = process.cwd()): Generator<Input> {
  for (const file of manifestFiles(paths)) yield* objectsOfFile(file, cwd);
}

/** Every object of the given files and folders, read into memory. */
export function loadInputs(paths: readonly string[], cwd = process.cwd()): Input[] {
  return [...inputsOf(paths, cwd)];
}
