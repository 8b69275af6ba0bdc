#!/usr/bin/env node
// Generates the instance catalog of every Karpenter release the project supports, in
// packages/karpenter-validate/src/catalog/: instance-types.json for the oldest (1.14.1), and
// instance-types-v<release>.json for each later one. Each holds every EC2 instance type Karpenter
// knows, with its well-known labels, the resources Karpenter computes for it (AL2023, no
// blockDeviceMappings, default kubelet) and its on-demand price, from:
//
//   instance-types.md (the folder given; aws/karpenter-provider-aws v1.14.1
//       website/content/en/docs/reference/instance-types.md): labels and resources. The page is not
//       in the provider's Go module (website/ is a module of its own, which the proxy does not
//       serve) and its generator (hack/docs/instancetypes_gen) calls the live EC2 and pricing APIs,
//       so no later release's page can be had offline. A later release's catalog takes the types,
//       their labels and their resources from this page, and says so in its `about`: EC2's
//       facts do not change with Karpenter, and the provider's overhead code (pkg/providers/
//       instancetype/types.go: kube-reserved, eviction threshold, VM overhead, ENI-limited pods) is
//       the same at 1.15.0 (a test holds the catalog's allocatable to 1.15.0's own code, Go tier);
//       types added in the later release (e.g. g7, c9g) are missing until the page is refreshed.
//   each release's own Go module, through the Go module proxy (scripts/karpenter-release.mjs):
//       pkg/providers/pricing/zz_generated.pricing_aws.go, the on-demand prices.
//
// The page's vpc.amazonaws.com/pod-eni (security groups for pods) is kept as the page has it at
// every release: the page already lags its own release's VPC limits (m9g.12xlarge: none on the
// page, 50 in zz_generated.vpclimits.go), and nothing here reads it.
//
//   npm run catalog -- ../shared/data/karpenter-v1.14.1 [--output <dir>]
//
// One type per line, sorted by name, so that a new Karpenter release reads as a reviewable diff.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { generatorArgs } from './generator-args.mjs';
import { INSTANCE_LABEL_PREFIX, parseInstanceTypes } from './instance-types-md.mjs';
import { karpenterReleases, PROVIDER, providerDir } from './karpenter-release.mjs';

const { input: dataDir, output } = generatorArgs(['packages', 'karpenter-validate', 'src', 'catalog'], 'npm run catalog -- <folder with instance-types.md, named karpenter-v<release>>');
const tableRelease = /karpenter-v([\d.]+)/.exec(basename(resolve(dataDir)))?.[1];
if (!tableRelease) throw new Error(`${dataDir}: the folder name must carry the Karpenter release of its instance-types.md (karpenter-v<version>)`);

const PREFIX = INSTANCE_LABEL_PREFIX;

/** Parses the generated Go map of on-demand prices: `"m5.large": 0.096000,`. */
function parsePrices(text) {
  const region = /^\s*"([a-z0-9-]+)": \{/m.exec(text)?.[1];
  const generated = /generated at (\S+) for (\S+)/.exec(text);
  const prices = {};
  for (const match of text.matchAll(/"([a-z0-9-]+\.[a-z0-9-]+)": ([0-9.]+)/g)) prices[match[1]] = Number(match[2]);
  return { region, generatedAt: generated?.[1], prices };
}

const types = parseInstanceTypes(readFileSync(join(dataDir, 'instance-types.md'), 'utf8'));
if (types.size === 0) throw new Error(`no instance type found in ${join(dataDir, 'instance-types.md')}`);

/** The file of a release's catalog: the oldest release's keeps the name it always had. */
const fileOf = (release, oldest) => (release === oldest ? 'instance-types.json' : `instance-types-v${release}.json`);

const releases = karpenterReleases();
mkdirSync(output, { recursive: true });
for (const release of releases) {
  const dir = providerDir(release);
  const pricingFile = 'pkg/providers/pricing/zz_generated.pricing_aws.go';
  const pricing = parsePrices(readFileSync(join(dir, pricingFile), 'utf8'));
  const lines = [...types.keys()].sort().map((name) => {
    const { labels, resources } = types.get(name);
    // Labels are kept whole (key → value) so requirements match them as Karpenter does; the
    // instance-type, os and arch labels are implied by the entry.
    const kept = Object.fromEntries(Object.entries(labels).filter(([key]) => key.startsWith(PREFIX)).map(([key, value]) => [key.slice(PREFIX.length), value]));
    const entry = { name, arch: labels['kubernetes.io/arch'], labels: kept, allocatable: resources, ...(pricing.prices[name] !== undefined ? { price: pricing.prices[name] } : {}) };
    return JSON.stringify(entry);
  });
  const fromTable = release.release === tableRelease ? '' : ` (the types, labels and resources of ${tableRelease}'s page: no later page ships in the Go modules, and EC2's facts and the provider's overhead code are unchanged; types added after ${tableRelease} are missing)`;
  const header = {
    generatedBy: 'npm run catalog (scripts/catalog.mjs)',
    karpenterVersion: release.release,
    source: `aws/karpenter-provider-aws v${tableRelease} website/content/en/docs/reference/instance-types.md${fromTable}; ${PROVIDER}@${release.provider} ${pricingFile}`,
    allocatableAssumes: 'AL2023, no blockDeviceMappings (20Gi root), default kubelet, VM_MEMORY_OVERHEAD_PERCENT 7.5%',
    priceRegion: pricing.region,
    pricesGeneratedAt: pricing.generatedAt,
    labelPrefix: PREFIX,
  };
  const file = join(output, fileOf(release.release, releases[0].release));
  writeFileSync(file, `{"about":${JSON.stringify(header)},\n"types":[\n${lines.join(',\n')}\n]}\n`);
  console.log(`Karpenter ${release.release}: ${lines.length} instance types (${Object.keys(pricing.prices).length} priced, ${pricing.region}) written to ${file}`);
}
