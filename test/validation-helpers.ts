import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { validate, ValidateOptions } from '../packages/karpenter-validate/src/validation';
import { Finding } from '../packages/karpenter-validate/src/validation/findings';

const FIXTURES = join(__dirname, 'fixtures', 'valid');

/** A fresh copy of the valid fixture set (test/fixtures/valid): EC2NodeClass, NodePool and core objects. */
export function validSet(): any[] {
  return ['karpenter.yaml', 'workloads.yaml'].flatMap((file) => parseAllDocuments(readFileSync(join(FIXTURES, file), 'utf8')).map((d) => d.toJS()));
}

/** The object of `kind` (and `name`, when given) in a set. */
export function pick(objects: readonly any[], kind: string, name?: string): any {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind} ${name ?? ''} in the fixture set`);
  return found;
}

/** Findings of validating `objects`, as a complete set unless told otherwise. */
export function findings(objects: readonly any[], options: ValidateOptions = { complete: true }): Finding[] {
  return [...validate(objects.map((object) => ({ object })), options).findings];
}

/** `rule Kind/name path (value): message` lines, for readable assertions. */
export function lines(found: readonly Finding[], rule?: string): string[] {
  return found
    .filter((f) => rule === undefined || f.rule === rule)
    .map((f) => `${f.rule} ${f.object.kind}/${f.object.name} ${f.path}${f.value !== undefined ? ` (${JSON.stringify(f.value)})` : ''}: ${f.message}`);
}

/** The valid set with one change applied. */
export function changed(change: (objects: any[]) => void): any[] {
  const objects = validSet();
  change(objects);
  return objects;
}
