#!/usr/bin/env node
// Regenerates what the validator reads, under schemas/: crds/, the structural schemas of the custom
// kinds (Karpenter, KEDA, Prometheus Operator, Argo CD), one file per kind with an index, and the
// ajv validators and parsed CEL rules compiled from them (scripts/compile-validators.ts). (The
// built-in kinds' schemas, schemas/kubernetes/, come from the API server itself: npm run openapi.)
// One file per kind, because the validator loads a kind's schema only when it meets an object of
// that kind: Argo CD's ApplicationSet alone compiles to megabytes that synth of the environments
// never needs.
//
// Karpenter's kinds (NodePool, EC2NodeClass) once per release the project supports, their files
// suffixed with the release (karpenter.sh_v1_NodePool-v1.15.0.*: a file name of its own, since the
// build's code cache keys a module's cache by its file name), each from that release's own CRDs: the provider module's
// pkg/apis/crds/ at the version oracle/karpenter pins for it, through the Go module proxy
// (scripts/karpenter-release.mjs; needs Go). The other kinds from the CRDs cdk8s.yaml pins:
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
import { karpenterCrdFiles, karpenterReleases, PROVIDER, releaseModuleDirs } from './karpenter-release.mjs';

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
function addKinds(text, source, suffix, release) {
  for (const crd of loadAll(text)) {
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      kinds.push({
        apiVersion: `${crd.spec.group}/${version.name}`,
        kind: crd.spec.names.kind,
        scope: crd.spec.scope,
        statusSubresource: version.subresources?.status !== undefined,
        source,
        file: `${crd.spec.group}_${version.name}_${crd.spec.names.kind}${suffix}`,
        ...(release ? { karpenterRelease: release } : {}),
        schema: strip(version.schema.openAPIV3Schema),
      });
    }
  }
}
// Karpenter's CRDs per release, from its module; cdk8s.yaml's pin of them is the default release's (imports/).
const releases = karpenterReleases();
for (const release of releases) {
  for (const file of karpenterCrdFiles(release)) {
    addKinds(readFileSync(file, 'utf8'), `${PROVIDER}@${release.provider} pkg/apis/crds/${file.split('/').pop()}`, `-v${release.release}`, release.release);
  }
}
for (const [i, source] of sources.entries()) {
  if (urls[i].includes('/aws/karpenter-provider-aws/')) continue;
  addKinds(await read(source), urls[i], '');
}
rmSync(crdDir, { recursive: true, force: true });
mkdirSync(crdDir, { recursive: true });
for (const { schema, ...kind } of kinds) writeFileSync(join(crdDir, `${kind.file}.schema.json`), `${JSON.stringify(schema)}\n`);
/**
 * The kubelet configuration a release's controller decodes an EC2NodeClass's kubelet into, once its
 * CRD no longer types it (x-kubernetes-preserve-unknown-fields, from 1.15.0): each field of
 * k8s.io/kubelet config/v1beta1 KubeletConfiguration (the version in the release's build list) by
 * its JSON name, with the JSON it decodes from (aws/karpenter-provider-aws v1.15.0
 * pkg/apis/v1/kubeletconfiguration_validation.go validateAgainstUpstreamType: a strict decode into
 * that struct). The validator's kubelet-config rule reads it.
 */
function kubeletConfiguration(release) {
  const dir = releaseModuleDirs(release, ['k8s.io/kubelet']).get('k8s.io/kubelet');
  const text = readFileSync(join(dir, 'config', 'v1beta1', 'types.go'), 'utf8');
  const named = new Map([...text.matchAll(/^type (\w+) (\w+)/gm)].map((m) => [m[1], m[2]]));
  const body = /^type KubeletConfiguration struct \{\n([\s\S]*?)\n\}/m.exec(text)?.[1];
  if (!body) throw new Error(`${dir}/config/v1beta1/types.go has no KubeletConfiguration struct`);
  // A Go type as encoding/json names it in its errors (reflect's String: the package's name, not its import alias).
  const packageNames = { metav1: 'v1', logsapi: 'v1', tracingapi: 'v1', v1: 'v1' };
  const describe = (type) => {
    const pointer = type.startsWith('*');
    const t = type.replace(/^\*/, '');
    const slice = /^\[\](.+)$/.exec(t);
    if (slice) {
      const elem = describe(slice[1]);
      return { go: `[]${elem.go}`, kind: 'slice', elem, ...(pointer ? { pointer } : {}) };
    }
    const map = /^map\[string\](.+)$/.exec(t);
    if (map) {
      const elem = describe(map[1]);
      return { go: `map[string]${elem.go}`, kind: 'map', elem, ...(pointer ? { pointer } : {}) };
    }
    if (/^(u?int(8|16|32|64)?|float(32|64)|bool|string)$/.test(t)) return { go: t, kind: t, ...(pointer ? { pointer } : {}) };
    if (t === 'metav1.Duration') return { go: 'v1.Duration', kind: 'duration', ...(pointer ? { pointer } : {}) };
    const qualified = /^(\w+)\.(\w+)$/.exec(t);
    if (qualified) return { go: `${packageNames[qualified[1]] ?? qualified[1]}.${qualified[2]}`, kind: 'struct', ...(pointer ? { pointer } : {}) };
    if (!named.has(t)) throw new Error(`k8s.io/kubelet KubeletConfiguration: the type ${type} is not one this generator knows`);
    return { go: `v1beta1.${t}`, kind: named.get(t) === 'string' ? 'string' : named.get(t) === 'struct' ? 'struct' : named.get(t), ...(pointer ? { pointer } : {}) };
  };
  // metav1.TypeMeta is embedded: its kind and apiVersion are fields of the document.
  const fields = { apiVersion: { go: 'string', kind: 'string' }, kind: { go: 'string', kind: 'string' } };
  for (const m of body.matchAll(/^\t(\w+)\s+(\S+)\s+`json:"([^",]*)[^`]*`/gm)) {
    if (m[3] === '' || m[3] === '-') continue;
    fields[m[3]] = describe(m[2]);
  }
  const version = /@(v[^/]+)/.exec(dir)?.[1];
  return { source: `k8s.io/kubelet@${version} config/v1beta1/types.go KubeletConfiguration, decoded strictly by ${PROVIDER}@${release.provider} pkg/apis/v1/kubeletconfiguration_validation.go`, fields: Object.fromEntries(Object.entries(fields).sort(([a], [b]) => a.localeCompare(b))) };
}
for (const release of releases) {
  const nodeClass = kinds.find((k) => k.karpenterRelease === release.release && k.kind === 'EC2NodeClass');
  if (!nodeClass?.schema.properties?.spec?.properties?.kubelet?.['x-kubernetes-preserve-unknown-fields']) continue;
  const config = kubeletConfiguration(release);
  const lines = Object.entries(config.fields).map(([name, type]) => `  ${JSON.stringify(name)}: ${JSON.stringify(type)}`);
  writeFileSync(join(crdDir, `kubelet-configuration-v${release.release}.json`), `{"source": ${JSON.stringify(config.source)},\n"fields": {\n${lines.join(',\n')}\n}}\n`);
}
const index = {
  generatedFrom: "Karpenter's CRDs of each release in its Go module (scripts/karpenter-release.mjs), the others as cdk8s.yaml imports them (npm run schemas)",
  karpenterReleases: releases.map((r) => r.release),
  kinds: kinds.map(({ schema: _schema, ...kind }) => kind),
};
writeFileSync(join(crdDir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
console.log(`schemas of ${kinds.map((k) => k.kind).join(', ')} written to ${crdDir}`);

// Then the validators compiled from them, beside the JSON (the bundle reads no config/, so it is
// not type-checked here).
await bundle({ 'compile-validators': join(root, 'scripts', 'compile-validators.ts') }, { checkConfig: false });
const { stdout } = await promisify(execFile)(process.execPath, [join(root, '.build', 'compile-validators.js'), crdDir]);
process.stdout.write(stdout);
