#!/usr/bin/env node
// Generates lib/monitoring/karpenter-metrics.json: every metric Karpenter v1.14.1 exports, with
// its section, stability level and description, from Karpenter's own reference page
// (aws/karpenter-provider-aws v1.14.1 website/content/en/docs/reference/metrics.md):
//
//   npm run metrics -- ../shared/data/karpenter-v1.14.1 [--output <file>]
//
// The alert and dashboard queries are checked against it: a metric name that is not here is a
// synth error. One metric per line, sorted, so that a Karpenter upgrade reads as a reviewable diff.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { generatorArgs } from './generator-args.mjs';

const { input: dataDir, output } = generatorArgs(['lib', 'monitoring', 'karpenter-metrics.json'], 'npm run metrics -- <folder with metrics.md>');
const version = /karpenter-v([\d.]+)/.exec(resolve(dataDir))?.[1];
if (!version) throw new Error(`${dataDir}: the folder name must carry the Karpenter release (karpenter-v<version>)`);

const metrics = new Map();
let section = 'General';
let current;
for (const line of readFileSync(join(dataDir, 'metrics.md'), 'utf8').split('\n')) {
  const heading = /^## (.+)$/.exec(line);
  if (heading) {
    section = heading[1].replace(/ Metrics$/, '');
    current = undefined;
    continue;
  }
  const metric = /^### `([a-zA-Z_:][a-zA-Z0-9_:]*)`$/.exec(line);
  if (metric) {
    current = { section, stability: undefined, description: '' };
    metrics.set(metric[1], current);
    continue;
  }
  if (!current) continue;
  const stability = /^- Stability Level: (\w+)/.exec(line);
  if (stability) current.stability = stability[1];
  else if (line.trim() !== '' && !line.startsWith('-')) current.description = `${current.description} ${line.trim()}`.trim();
}
if (metrics.size === 0) throw new Error('metrics.md: no metric headings found');

const lines = [...metrics].sort(([a], [b]) => a.localeCompare(b)).map(([name, m]) => `    ${JSON.stringify(name)}: ${JSON.stringify(m)}`);
const text = `{\n  "source": "aws/karpenter-provider-aws v${version} website/content/en/docs/reference/metrics.md (npm run metrics)",\n  "karpenterVersion": ${JSON.stringify(version)},\n  "metrics": {\n${lines.join(',\n')}\n  }\n}\n`;
mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, text);
console.log(`${metrics.size} metrics written to ${output}`);
