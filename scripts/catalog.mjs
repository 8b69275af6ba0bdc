#!/usr/bin/env node
// Generates packages/karpenter-validate/src/catalog/instance-types.json: every EC2 instance type Karpenter v1.14.1 knows, with
// its well-known labels, the resources Karpenter computes for it (AL2023, no blockDeviceMappings,
// default kubelet) and its on-demand price, from Karpenter's own reference data:
//   website/content/en/docs/reference/instance-types.md   (labels and resources)
//   pkg/providers/pricing/zz_generated.pricing_aws.go      (on-demand $/hour, us-east-1)
//
//   npm run catalog -- ../shared/data/karpenter-v1.14.1 [--output <file>]
//
// One type per line, sorted by name, so that a new Karpenter release reads as a reviewable diff.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatorArgs } from './generator-args.mjs';
import { INSTANCE_LABEL_PREFIX, parseInstanceTypes } from './instance-types-md.mjs';

const { input: dataDir, output } = generatorArgs(['packages', 'karpenter-validate', 'src', 'catalog', 'instance-types.json'], 'npm run catalog -- <folder with instance-types.md and zz_generated.pricing_aws.go>');

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
const pricing = parsePrices(readFileSync(join(dataDir, 'zz_generated.pricing_aws.go'), 'utf8'));
if (types.size === 0) throw new Error(`no instance type found in ${join(dataDir, 'instance-types.md')}`);

const lines = [...types.keys()].sort().map((name) => {
  const { labels, resources } = types.get(name);
  // Labels are kept whole (key → value) so requirements match them as Karpenter does; the
  // instance-type, os and arch labels are implied by the entry.
  const kept = Object.fromEntries(Object.entries(labels).filter(([key]) => key.startsWith(PREFIX)).map(([key, value]) => [key.slice(PREFIX.length), value]));
  const entry = { name, arch: labels['kubernetes.io/arch'], labels: kept, allocatable: resources, ...(pricing.prices[name] !== undefined ? { price: pricing.prices[name] } : {}) };
  return JSON.stringify(entry);
});
const header = {
  generatedBy: 'npm run catalog (scripts/catalog.mjs)',
  source: 'aws/karpenter-provider-aws v1.14.1: website/content/en/docs/reference/instance-types.md, pkg/providers/pricing/zz_generated.pricing_aws.go',
  allocatableAssumes: 'AL2023, no blockDeviceMappings (20Gi root), default kubelet, VM_MEMORY_OVERHEAD_PERCENT 7.5%',
  priceRegion: pricing.region,
  pricesGeneratedAt: pricing.generatedAt,
  labelPrefix: PREFIX,
};
mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, `{"about":${JSON.stringify(header)},\n"types":[\n${lines.join(',\n')}\n]}\n`);
console.log(`${lines.length} instance types (${Object.keys(pricing.prices).length} priced, ${pricing.region}) written to ${output}`);
