#!/usr/bin/env node
// `npm run bench`: wall time (min and median of several runs) and peak RSS of the project's
// synth, its floors and the default `cdk8s synth`, then synth of 1/10/100/1000 generated
// environments. Prints ratios, since absolute times vary between machines. No assertions:
// the targets are read off the output (see README "Performance").
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundle, ENTRY_POINTS } from '../scripts/bundle.mjs';

const root = resolve(import.meta.dirname, '..');
const quick = process.argv.includes('--quick');
await bundle({ ...ENTRY_POINTS, scale: join(root, 'bench', 'scale.ts') });

const probe = join(root, 'bench', 'rss-probe.cjs');
const scratch = mkdtempSync(join(tmpdir(), 'bench-'));

/** Runs `command` `runs` times; returns min and median wall time (s) and peak RSS (MiB) over all node processes. */
function measure(label, command, args, runs) {
  const times = [];
  let peak = 0;
  for (let i = 0; i < runs; i++) {
    const rssFile = join(scratch, `rss-${Date.now()}-${i}`);
    const out = join(scratch, 'out');
    rmSync(out, { recursive: true, force: true });
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, DIST_DIR: out, CDK8S_CHECK_UPGRADE: 'false', BENCH_RSS_FILE: rssFile, NODE_OPTIONS: `--require ${probe}` },
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 0) throw new Error(`${label} failed:\n${result.stderr}`);
    times.push(seconds);
    if (existsSync(rssFile)) peak = Math.max(peak, ...readFileSync(rssFile, 'utf8').trim().split('\n').map(Number));
  }
  times.sort((a, b) => a - b);
  const row = { label, runs, min: times[0], median: times[Math.floor(times.length / 2)], rssMiB: peak / 1024 };
  console.log(`${label.padEnd(52)} ${String(runs).padStart(4)} ${row.min.toFixed(3).padStart(8)} ${row.median.toFixed(3).padStart(8)} ${row.rssMiB.toFixed(0).padStart(8)}`);
  return row;
}

const node = process.execPath;
const runs = quick ? 3 : 7;
console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
console.log(`${'command'.padEnd(52)} ${'runs'.padStart(4)} ${'min s'.padStart(8)} ${'median s'.padStart(8)} ${'RSS MiB'.padStart(8)}`);
const empty = measure('node -e ""', node, ['-e', ''], runs);
const plus = measure(`node -e "require('cdk8s-plus-28')"`, node, ['-e', "require('cdk8s-plus-28')"], runs);
const synth = measure('project synth (node .build/main.js, with validation)', node, [join(root, '.build', 'main.js')], runs);
// The validator alone, on the committed prod output, as a user's CI would run it.
const validateProd = measure('npm run validate on dist/prod (node .build/validate.js)', node, [join(root, '.build', 'validate.js'), join(root, 'dist', 'prod')], runs);
const inProcess = spawnSync(node, [join(root, '.build', 'validate.js'), join(root, 'dist', 'prod')], { cwd: root, encoding: 'utf8' }).stdout.match(/\((\d+) ms\)/)?.[1];
const cli = measure('cdk8s synth (default app: npx ts-node main.ts)', node, [join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--no-check-upgrade'], quick ? 1 : 3);
const scale = [1, 10, 100, 1000].map((n) => measure(`project synth of ${n} generated environments`, node, [join(root, '.build', 'scale.js'), String(n)], n >= 1000 ? 1 : n >= 100 ? 3 : runs));
rmSync(scratch, { recursive: true, force: true });

const ratio = (a, b) => (a / b).toFixed(2);
console.log('\nratios (medians)');
console.log(`  project synth / require('cdk8s-plus-28') floor: ${ratio(synth.median, plus.median)}x (target <= 2.5x)`);
console.log(`  cdk8s synth (ts-node) / project synth:          ${ratio(cli.median, synth.median)}x faster (target >= 8x)`);
const perEnv = (a, b) => (((b.median - a.median) / (b.label.match(/of (\d+)/)[1] - a.label.match(/of (\d+)/)[1])) * 1000).toFixed(1);
console.log(`  cost per added environment, 10 -> 100:  ${perEnv(scale[1], scale[2])} ms (target <= 30 ms)`);
console.log(`  cost per added environment, 100 -> 1000: ${perEnv(scale[2], scale[3])} ms (target <= 30 ms, linear when close to the line above)`);
console.log(`  peak RSS at 1000 environments: ${scale[3].rssMiB.toFixed(0)} MiB (target < 400 MiB)`);
console.log(`  node -e "" floor: ${empty.median.toFixed(3)} s`);
console.log(`  validation of dist/prod: ${inProcess} ms in the process, ${validateProd.median.toFixed(3)} s for the whole command`);
