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
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { crdSources, outputArg, root } from './crd-sources.mjs';

const args = process.argv.slice(2);
const output = outputArg(args, join(root, 'imports'));
const localDir = args[0];
const { sources } = crdSources(localDir);

async function read(source) {
  if (!/^https?:/.test(source)) return readFileSync(source, 'utf8');
  const response = await fetch(source);
  if (!response.ok) throw new Error(`${source}: HTTP ${response.status}`);
  return response.text();
}

// Kinds the charts never emit, whose classes are not imported: Argo CD's ApplicationSet is 59,000
// of the 64,000 lines cdk8s import writes for argoproj.io, and 2 s of every type check. The
// validator still knows it (npm run schemas reads every CRD of cdk8s.yaml).
const NOT_IMPORTED = new Set(['ApplicationSet']);

const byGroup = new Map();
for (const source of sources) {
  const text = await read(source);
  const crd = parseAllDocuments(text)[0].toJS();
  if (NOT_IMPORTED.has(crd.spec.names.kind)) continue;
  byGroup.set(crd.spec.group, [...(byGroup.get(crd.spec.group) ?? []), text.trimEnd()]);
}

const require = createRequire(import.meta.url);
// cdk8s-cli's own import, called in this process for every group: the `cdk8s import` command takes
// one file per run, and each run spends most of its second starting up. This is what the command
// runs (lib/cli/cmds/import.js in cdk8s-cli 2.207.60, pinned in package-lock.json).
// The package exports none of its modules: they are required by path.
const cli = join(root, 'node_modules', 'cdk8s-cli', 'lib');
const { importDispatch } = require(join(cli, 'import', 'dispatch.js'));
const { parseImports } = require(join(cli, 'util.js'));
const scratch = mkdtempSync(join(tmpdir(), 'import-'));
rmSync(output, { recursive: true, force: true });
mkdirSync(output, { recursive: true });
try {
  const files = [...byGroup].map(([group, texts]) => {
    const file = join(scratch, `${group}.yaml`);
    writeFileSync(file, `${texts.map((t) => t.replace(/^---\n/, '')).join('\n---\n')}\n`);
    return file;
  });
  // cdk8s logs each import to stderr; quiet, as the command was run with its output ignored.
  const log = console.error;
  console.error = () => undefined;
  try {
    await importDispatch(files.map(parseImports), {}, { outdir: output, targetLanguage: 'typescript', classNamePrefix: undefined, save: false });
  } finally {
    console.error = log;
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(`imports of ${[...byGroup.keys()].join(', ')} written to ${output} from ${localDir ?? 'the URLs in cdk8s.yaml'}`);
