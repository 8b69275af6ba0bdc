#!/usr/bin/env node
// Regenerates what the validator reads, under schemas/: crds/, the structural schemas of the custom
// kinds (Karpenter, KEDA, Prometheus Operator, Argo CD) from the same CRDs as imports/, one file
// per kind with an index, and the ajv validators and parsed CEL rules compiled from them
// (scripts/compile-validators.ts). (The built-in kinds' schemas, schemas/kubernetes/, come from the
// API server itself: npm run openapi.) One file per kind, because the validator loads a
// kind's schema only when it meets an object of that kind: Argo CD's ApplicationSet alone
// compiles to megabytes that synth of the environments never needs.
//
//   npm run schemas                     from the upstream URLs pinned in cdk8s.yaml (needs internet)
//   npm run schemas -- <crd-dir>        from a local folder holding the same CRD files (e.g. ../shared/crds)
//   npm run schemas -- <crd-dir> --output <dir>   somewhere else (the drift test uses this)
//
// Only what validation needs is kept: group, version, kind, scope, whether status is a
// subresource (the API server then drops status on create), and each served version's
// openAPIV3Schema with its CEL rules. Descriptions go: they are a third of the bytes.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
// js-yaml's core schema reads the CRDs as `yaml` does (the drift test compares), in a fifth of the time.
import { loadAll } from 'js-yaml';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { bundle } from './bundle.mjs';
import { crdSources, outputArg, root } from './crd-sources.mjs';

const args = process.argv.slice(2);
const output = outputArg(args, join(root, 'packages', 'karpenter-validate', 'schemas'));
const crdDir = join(output, 'crds');
const { urls, sources } = crdSources(args[0]);

async function read(source) {
  if (!/^https?:/.test(source)) return readFileSync(source, 'utf8');
  const response = await fetch(source);
  if (!response.ok) throw new Error(`${source}: HTTP ${response.status}`);
  return response.text();
}

function strip(node) {
  if (Array.isArray(node)) return node.map(strip);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).filter(([key]) => key !== 'description').map(([key, value]) => [key, key === 'properties' ? Object.fromEntries(Object.entries(value).map(([name, prop]) => [name, strip(prop)])) : strip(value)]));
}

const kinds = [];
for (const [i, source] of sources.entries()) {
  for (const crd of loadAll(await read(source))) {
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      kinds.push({
        apiVersion: `${crd.spec.group}/${version.name}`,
        kind: crd.spec.names.kind,
        scope: crd.spec.scope,
        statusSubresource: version.subresources?.status !== undefined,
        source: urls[i],
        file: `${crd.spec.group}_${version.name}_${crd.spec.names.kind}`,
        schema: strip(version.schema.openAPIV3Schema),
      });
    }
  }
}
rmSync(crdDir, { recursive: true, force: true });
mkdirSync(crdDir, { recursive: true });
for (const { schema, ...kind } of kinds) writeFileSync(join(crdDir, `${kind.file}.schema.json`), `${JSON.stringify(schema)}\n`);
writeFileSync(join(crdDir, 'index.json'), `${JSON.stringify({ generatedFrom: 'the CRDs cdk8s.yaml imports (npm run schemas)', kinds: kinds.map(({ schema: _schema, ...kind }) => kind) }, null, 2)}\n`);
console.log(`schemas of ${kinds.map((k) => k.kind).join(', ')} written to ${crdDir}`);

// Then the validators compiled from them, beside the JSON (the bundle reads no config/, so it is
// not type-checked here).
await bundle({ 'compile-validators': join(root, 'scripts', 'compile-validators.ts') }, { checkConfig: false });
const { stdout } = await promisify(execFile)(process.execPath, [join(root, '.build', 'compile-validators.js'), crdDir]);
process.stdout.write(stdout);
