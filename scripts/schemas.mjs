#!/usr/bin/env node
// Regenerates what the validator reads, under schemas/: karpenter.json, the structural schemas of
// the Karpenter kinds from the same CRDs as imports/, with the ajv validators and parsed CEL rules
// compiled from them (scripts/compile-validators.ts); and core-fields.json, the core kinds' fields
// from kubernetes-models (scripts/core-fields.ts).
//
//   npm run schemas                     from the upstream URLs pinned in cdk8s.yaml (needs internet)
//   npm run schemas -- <crd-dir>        from a local folder holding the same CRD files
//   npm run schemas -- <crd-dir> --output <file>   somewhere else (the drift test uses this)
//
// Only what validation needs is kept: group, version, kind, scope, whether status is a
// subresource (the API server then drops status on create), and each served version's
// openAPIV3Schema with its CEL rules. Descriptions go: they are a third of the bytes.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { execFileSync } from 'node:child_process';
import { bundle } from './bundle.mjs';
import { crdSources, outputArg, root } from './crd-sources.mjs';

const args = process.argv.slice(2);
const output = outputArg(args, join(root, 'schemas', 'karpenter.json'));
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
  const crd = parse(await read(source));
  for (const version of crd.spec.versions.filter((v) => v.served)) {
    kinds.push({
      apiVersion: `${crd.spec.group}/${version.name}`,
      kind: crd.spec.names.kind,
      scope: crd.spec.scope,
      statusSubresource: version.subresources?.status !== undefined,
      source: urls[i],
      schema: strip(version.schema.openAPIV3Schema),
    });
  }
}
mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, `${JSON.stringify({ generatedFrom: 'cdk8s.yaml imports (Karpenter v1.14.1 CRDs)', kinds }, null, 2)}\n`);
console.log(`schemas of ${kinds.map((k) => k.kind).join(', ')} written to ${output}`);

// Then the validators compiled from them, beside the JSON, and the core kinds' field table.
await bundle({ 'compile-validators': join(root, 'scripts', 'compile-validators.ts'), 'core-fields': join(root, 'scripts', 'core-fields.ts') });
execFileSync(process.execPath, [join(root, '.build', 'compile-validators.js'), output, output.replace(/\.json$/, '-validators.js')], { stdio: 'inherit' });
execFileSync(process.execPath, [join(root, '.build', 'core-fields.js'), join(dirname(output), 'core-fields.json')], { stdio: 'inherit' });
