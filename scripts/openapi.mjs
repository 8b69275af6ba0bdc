#!/usr/bin/env node
// `npm run openapi`: the OpenAPI v3 documents of the Kubernetes release the environments run, as
// the real kube-apiserver of that release serves them (/openapi/v3): the control plane oracle
// (oracle/controlplane, k8s.io/kubernetes at the version its go.mod pins) is built and started,
// and writes one file per group-version into schemas/kubernetes/v<minor>/, without descriptions
// and operations (scripts' comments in oracle/controlplane/openapi.go). The validator checks
// every built-in kind against these (packages/karpenter-validate/src/validation/builtin.ts); they are committed, and the Go
// tier regenerates and compares them. Needs Go.
//
//   npm run openapi [-- --output <dir>]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOracle, OracleBuildError, root } from './oracles.mjs';

/** The Kubernetes release the control plane oracle is built from: k8s.io/kubernetes in its go.mod. */
export function kubernetesRelease() {
  const goMod = readFileSync(join(root, 'oracle', 'controlplane', 'go.mod'), 'utf8');
  const version = /^\s*k8s\.io\/kubernetes v(\d+)\.(\d+)\.(\d+)\s*$/m.exec(goMod);
  if (!version) throw new Error('oracle/controlplane/go.mod does not require k8s.io/kubernetes');
  return { version: `${version[1]}.${version[2]}.${version[3]}`, minor: `${version[1]}.${version[2]}` };
}

/**
 * Every kind the server lets a client create, by `apiVersion/kind`: the collection path that
 * takes a POST of it (`.../namespaces/{namespace}/<plural>` for a namespaced kind), the document
 * and the schema component that describe it. Subresources (scale, eviction) and the kinds only
 * read (ComponentStatus) are left out: no manifest creates them.
 */
function kindsOf(dir, files) {
  const kinds = {};
  for (const file of files) {
    const doc = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const components = doc.components?.schemas ?? {};
    for (const [path, operations] of Object.entries(doc.paths ?? {})) {
      const post = operations.post;
      if (post?.['x-kubernetes-action'] !== 'post' || !post['x-kubernetes-group-version-kind']) continue;
      // A collection: the path ends with the plural, not with {name} or a subresource after it.
      const segments = path.split('/').filter(Boolean);
      if (segments.slice(0, -1).some((s, i) => s === '{name}' || (i > 0 && segments[i - 1] === '{name}'))) continue;
      const { group, version, kind } = post['x-kubernetes-group-version-kind'];
      const apiVersion = group ? `${group}/${version}` : version;
      const component = Object.keys(components).find((name) => (components[name]['x-kubernetes-group-version-kind'] ?? []).some((g) => g.group === group && g.version === version && g.kind === kind));
      if (!component) throw new Error(`${file}: no schema component for ${apiVersion} ${kind} (POST ${path})`);
      const key = `${apiVersion}/${kind}`;
      const namespaced = path.includes('{namespace}');
      // A kind that is both (none today) would be created either way; namespaced wins.
      if (!kinds[key] || namespaced) kinds[key] = { apiVersion, kind, plural: segments[segments.length - 1], scope: namespaced ? 'Namespaced' : 'Cluster', document: file, component };
    }
  }
  return Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => a.localeCompare(b)));
}

if (process.argv[1] === import.meta.filename) {
  const args = process.argv.slice(2);
  const release = kubernetesRelease();
  const outputAt = args.indexOf('--output');
  const output = outputAt >= 0 ? args[outputAt + 1] : join(root, 'packages', 'karpenter-validate', 'schemas', 'kubernetes', `v${release.minor}`);
  let binary;
  try {
    binary = buildOracle('controlplane', { log: (line) => console.error(line) });
  } catch (error) {
    if (!(error instanceof OracleBuildError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  rmSync(output, { recursive: true, force: true });
  mkdirSync(output, { recursive: true });
  execFileSync(binary, ['openapi', output], { stdio: ['ignore', 'ignore', 'inherit'] });
  const files = readdirSync(output).filter((f) => f.endsWith('.json')).sort();
  writeFileSync(join(output, 'index.json'), `${JSON.stringify({ generatedFrom: `kube-apiserver v${release.version} (k8s.io/kubernetes, oracle/controlplane): GET /openapi/v3, by npm run openapi`, kubernetes: release.version, documents: files, kinds: kindsOf(output, files) }, null, 1)}\n`);
  console.log(`${files.length} OpenAPI v3 documents of Kubernetes ${release.version} written to ${output}`);
}
