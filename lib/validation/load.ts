import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Input, KubeObject } from './findings';

/** A file that cannot be read or parsed: the CLI exits 2 on it. */
export class LoadError extends Error {}

const MANIFEST = /\.(ya?ml|json)$/;

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
 * Reads every object from YAML or JSON files and folders (recursively, `.yaml`, `.yml` and
 * `.json`, skipping dotfiles): multi-document files, and `kind: List` expanded into its items.
 * Each input names its source as `file#document`.
 */
export function loadInputs(paths: readonly string[], cwd = process.cwd()): Input[] {
  const inputs: Input[] = [];
  const files = paths.flatMap(filesUnder);
  if (files.length === 0) throw new LoadError(`no .yaml, .yml or .json file under ${paths.join(', ')}`);
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new LoadError(`${file}: cannot be read (${(error as Error).message})`);
    }
    const shown = relative(cwd, file) || file;
    parseAllDocuments(text).forEach((doc, index) => {
      const problem = doc.errors[0];
      if (problem) throw new LoadError(`${shown}#${index + 1}: not valid YAML: ${problem.message.split('\n')[0]}`);
      const value: unknown = doc.toJS({ maxAliasCount: 100 });
      if (value === null || value === undefined) return;
      if (typeof value !== 'object' || Array.isArray(value)) throw new LoadError(`${shown}#${index + 1}: a document must be a Kubernetes object (a mapping), not ${Array.isArray(value) ? 'a list' : typeof value}`);
      const object = value as KubeObject;
      const items = object.kind === 'List' && Array.isArray(object.items) ? (object.items as KubeObject[]) : [object];
      items.forEach((item, i) => inputs.push({ object: item, source: `${shown}#${index + 1}${items.length > 1 || item !== object ? `.items[${i}]` : ''}` }));
    });
  }
  return inputs;
}
