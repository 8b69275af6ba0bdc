#!/usr/bin/env node
// Regenerates imports/ (typed classes of the CRDs cdk8s.yaml pins) with `cdk8s import`.
//
//   npm run import                      from the upstream URLs pinned in cdk8s.yaml (needs internet)
//   npm run import -- <crd-dir>         from a local folder holding the same CRD files (e.g. ../shared/crds)
//   npm run import -- <crd-dir> --output <dir>   somewhere else (the drift test uses this)
//
// The file list is read from cdk8s.yaml so the URLs and the local files cannot drift apart.
// cdk8s import writes one module per API group and replaces it on every call, so the CRDs of a
// group are imported together, from one multi-document file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { crdSources, outputArg, root } from './crd-sources.mjs';

const args = process.argv.slice(2);
const output = outputArg(args, join(root, 'imports'));
const localDir = args[0];
const { configText, sources } = crdSources(localDir);

async function read(source) {
  if (!/^https?:/.test(source)) return readFileSync(source, 'utf8');
  const response = await fetch(source);
  if (!response.ok) throw new Error(`${source}: HTTP ${response.status}`);
  return response.text();
}

const byGroup = new Map();
for (const source of sources) {
  const text = await read(source);
  const group = parseAllDocuments(text)[0].toJS().spec.group;
  byGroup.set(group, [...(byGroup.get(group) ?? []), text.trimEnd()]);
}

const cli = join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
const scratch = mkdtempSync(join(tmpdir(), 'import-'));
rmSync(output, { recursive: true, force: true });
mkdirSync(output, { recursive: true });
try {
  for (const [group, texts] of byGroup) {
    const file = join(scratch, `${group}.yaml`);
    writeFileSync(file, `${texts.map((t) => t.replace(/^---\n/, '')).join('\n---\n')}\n`);
    execFileSync(process.execPath, [cli, 'import', file, '--language', 'typescript', '--output', output, '--no-check-upgrade'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
  // cdk8s import appends every source it is given to cdk8s.yaml; the file must keep naming only
  // the pinned upstream URLs, whatever folder the CRDs were read from.
  writeFileSync(join(root, 'cdk8s.yaml'), configText);
}
console.log(`imports of ${[...byGroup.keys()].join(', ')} written to ${output} from ${localDir ?? 'the URLs in cdk8s.yaml'}`);
