import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { GO_TIER } from './oracle';
import { KARPENTER_RELEASES, KARPENTER_VERSION } from '../config/versions';
import { KARPENTER_RELEASES as VALIDATOR_RELEASES } from '../packages/karpenter-validate/src/karpenter-release';

/**
 * Everything generated from the pinned upstream files is committed; each test here regenerates one
 * part with the project's own script and compares it byte for byte. Files of ../shared: a clone
 * without it (a user's) skips those tests, saying so. Each Karpenter release's own files (its CRDs,
 * prices, metric generator) come from its Go modules through the Go module proxy: those tests run in
 * the Go tier.
 */
const ROOT = resolve(__dirname, '..');
const CRDS = resolve(ROOT, '..', 'shared', 'crds');
const DATA = resolve(ROOT, '..', 'shared', 'data', 'karpenter-v1.14.1');
const HAVE_CRDS = existsSync(CRDS);
const KEDA_DATA = resolve(ROOT, '..', 'shared', 'data', 'keda-v2.20.2');
const HAVE_DATA = existsSync(DATA);
const HAVE_KEDA_DATA = existsSync(KEDA_DATA);
if (!HAVE_CRDS) console.warn(`imports and schemas drift tests skipped: ${CRDS} (the pinned CRDs) is not present in this checkout`);
if (!HAVE_DATA) console.warn(`instance catalog drift test skipped: ${DATA} (Karpenter's reference data) is not present in this checkout`);
if (!HAVE_KEDA_DATA) console.warn(`KEDA scaler drift test skipped: ${KEDA_DATA} (KEDA's scaler schema) is not present in this checkout`);

/** Every file under `dir`, by path relative to it. */
function tree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.set(join(entry.parentPath, entry.name).slice(dir.length + 1), readFileSync(join(entry.parentPath, entry.name), 'utf8'));
  }
  return files;
}

function expectSameTree(generated: string, committed: string): void {
  const [a, b] = [tree(generated), tree(committed)];
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [path, content] of b) expect(a.get(path), path).toBe(content);
}

function inScratch(prefix: string, run: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('generated files', () => {
  it.skipIf(!HAVE_CRDS)('imports/ is exactly what cdk8s import generates from the pinned CRDs', () => {
    inScratch('imports-', (out) => {
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'import.mjs'), CRDS, '--output', out], { stdio: 'pipe' });
      expectSameTree(out, join(ROOT, 'imports'));
    });
  });

  // Karpenter's CRDs of each release come from its Go module (scripts/karpenter-release.mjs): Go tier.
  it.runIf(GO_TIER && HAVE_CRDS)("schemas/crds/ is exactly what npm run schemas generates from the same CRDs, Karpenter's per release from its Go module (Go tier)", { timeout: 120_000 }, () => {
    inScratch('schemas-', (out) => {
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'schemas.mjs'), CRDS, '--output', out], { stdio: 'pipe' });
      expectSameTree(join(out, 'crds'), join(ROOT, 'packages', 'karpenter-validate', 'schemas', 'crds'));
    });
  });

  it.runIf(GO_TIER)('schemas/kubernetes/ is exactly the OpenAPI v3 the control plane serves (npm run openapi, Go tier)', { timeout: 600_000 }, () => {
    inScratch('openapi-', (out) => {
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'openapi.mjs'), '--output', join(out, 'v1.35')], { stdio: 'pipe' });
      expectSameTree(join(out, 'v1.35'), join(ROOT, 'packages', 'karpenter-validate', 'schemas', 'kubernetes', 'v1.35'));
    });
  });

  it.runIf(GO_TIER && HAVE_DATA)("each release's instance catalog is exactly what npm run catalog generates from Karpenter's reference data and the release's prices (Go tier)", { timeout: 120_000 }, () => {
    inScratch('catalog-', (out) => {
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'catalog.mjs'), DATA, '--output', out], { stdio: 'pipe' });
      expect(readdirSync(out).sort()).toEqual(['instance-types-v1.15.0.json', 'instance-types.json']);
      for (const file of readdirSync(out)) expect(readFileSync(join(out, file), 'utf8'), file).toBe(readFileSync(join(ROOT, 'packages', 'karpenter-validate', 'src', 'catalog', file), 'utf8'));
    });
  });

  it.runIf(GO_TIER)("each release's metric list is exactly what npm run metrics generates with the release's own metrics_gen from its Go modules (Go tier)", { timeout: 300_000 }, () => {
    inScratch('metrics-', (out) => {
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'metrics.mjs'), '--output', out], { stdio: 'pipe' });
      expect(readdirSync(out).sort()).toEqual(['karpenter-metrics-v1.15.0.json', 'karpenter-metrics.json']);
      for (const file of readdirSync(out)) expect(readFileSync(join(out, file), 'utf8'), file).toBe(readFileSync(join(ROOT, 'packages', 'karpenter-validate', 'src', 'monitoring', file), 'utf8'));
    });
  });

  it.skipIf(!HAVE_KEDA_DATA)("packages/karpenter-validate/src/validation/keda-scalers.json is exactly what npm run keda-scalers generates from KEDA's scaler schema", () => {
    inScratch('keda-', (out) => {
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'keda-scalers.mjs'), KEDA_DATA, '--output', join(out, 'keda.json')], { stdio: 'pipe' });
      expect(readFileSync(join(out, 'keda.json'), 'utf8')).toBe(readFileSync(join(ROOT, 'packages', 'karpenter-validate', 'src', 'validation', 'keda-scalers.json'), 'utf8'));
    });
  });

  it("pins Karpenter's CRDs in cdk8s.yaml at the default release, and generates data for exactly the releases config/versions.ts supports and oracle/karpenter pins", async () => {
    const { karpenterReleases } = await import('../scripts/karpenter-release.mjs');
    const pinned = karpenterReleases().map((r) => [r.release, r.provider, r.core]);
    expect(pinned).toEqual([
      ['1.14.1', 'v1.14.1', 'v1.14.1'],
      ['1.15.0', 'v1.15.0', 'v1.15.0'],
    ]);
    const releases = pinned.map(([release]) => release!);
    expect(Object.keys(KARPENTER_RELEASES)).toEqual(releases);
    expect([...VALIDATOR_RELEASES]).toEqual(releases);
    const index = JSON.parse(readFileSync(join(ROOT, 'packages', 'karpenter-validate', 'schemas', 'crds', 'index.json'), 'utf8'));
    expect(index.karpenterReleases).toEqual(releases);
    for (const release of releases) {
      expect(index.kinds.filter((k: { karpenterRelease?: string }) => k.karpenterRelease === release).map((k: { kind: string }) => k.kind), release).toEqual(['NodePool', 'EC2NodeClass']);
      expect(JSON.parse(readFileSync(join(ROOT, 'packages', 'karpenter-validate', 'src', 'catalog', release === releases[0] ? 'instance-types.json' : `instance-types-v${release}.json`), 'utf8')).about.karpenterVersion, release).toBe(release);
      expect(JSON.parse(readFileSync(join(ROOT, 'packages', 'karpenter-validate', 'src', 'monitoring', release === releases[0] ? 'karpenter-metrics.json' : `karpenter-metrics-v${release}.json`), 'utf8')).karpenterVersion, release).toBe(release);
    }
    const config = parse(readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8'));
    expect(config.imports.filter((u: string) => u.includes('/aws/karpenter-provider-aws/')).every((u: string) => u.includes(`/v${KARPENTER_VERSION}/`))).toBe(true);
  });

  it('names the pinned CRDs in cdk8s.yaml, each at its release tag', () => {
    const config = parse(readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8'));
    expect(config.imports).toEqual([
      'https://raw.githubusercontent.com/aws/karpenter-provider-aws/v1.14.1/pkg/apis/crds/karpenter.sh_nodepools.yaml',
      'https://raw.githubusercontent.com/aws/karpenter-provider-aws/v1.14.1/pkg/apis/crds/karpenter.k8s.aws_ec2nodeclasses.yaml',
      'https://raw.githubusercontent.com/kedacore/keda/v2.20.2/config/crd/bases/keda.sh_scaledobjects.yaml',
      'https://raw.githubusercontent.com/kedacore/keda/v2.20.2/config/crd/bases/keda.sh_triggerauthentications.yaml',
      'https://raw.githubusercontent.com/prometheus-operator/prometheus-operator/v0.93.0/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml',
      'https://raw.githubusercontent.com/prometheus-operator/prometheus-operator/v0.93.0/example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml',
      'https://raw.githubusercontent.com/argoproj/argo-cd/v3.1.16/manifests/crds/application-crd.yaml',
      'https://raw.githubusercontent.com/argoproj/argo-cd/v3.1.16/manifests/crds/applicationset-crd.yaml',
      'https://raw.githubusercontent.com/argoproj/argo-cd/v3.1.16/manifests/crds/appproject-crd.yaml',
    ]);
  });
});
