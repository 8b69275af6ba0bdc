#!/usr/bin/env node
// `npm test`: the type check (tsc, the whole project) and the test suite (vitest) side by side,
// since each spends much of its time on one core. The suite's output streams as it runs; the
// type checker's follows it. Fails when either fails. Arguments go to vitest.
//
// The Go tier (the upstream oracles of oracle/: a real kube-apiserver, Karpenter's scheduler,
// Argo CD's, KEDA's and Prometheus' own checks) runs when Go is on PATH: the oracles are built
// first (cached in .build/go/) and the tests that hold our emulation to them run with the rest.
// Without Go, it says so on one line and those tests are skipped; with
// KARPENTER_AS_CODE_REQUIRE_GO_TIER=1 (CI) a missing Go or a failed build fails the run.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const root = join(import.meta.dirname, '..');
const bin = (pkg, path) => join(dirname(require.resolve(`${pkg}/package.json`)), path);

function run(args, { quiet }) {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output })));
}

const { buildOracle, goToolchain, oracleNames, OracleBuildError } = await import('./oracles.mjs');
const go = goToolchain();
const env = { ...process.env };
if (go.ok) {
  try {
    for (const name of oracleNames()) buildOracle(name, { log: (line) => console.log(line) });
    env.KARPENTER_AS_CODE_GO_TIER = '1';
    console.log(`Go tier: on (${go.version}; oracles ${oracleNames().join(', ')})`);
  } catch (error) {
    if (!(error instanceof OracleBuildError)) throw error;
    console.error(`Go tier: ${error.message}`);
    process.exit(1);
  }
} else if (process.env.KARPENTER_AS_CODE_REQUIRE_GO_TIER === '1') {
  console.error(`Go tier: required (KARPENTER_AS_CODE_REQUIRE_GO_TIER=1) but ${go.why}`);
  process.exit(1);
} else {
  console.log(`Go tier skipped: ${go.why}; the upstream oracles need Go 1.26 (CI runs them; the recorded verdicts in test/oracle/ still run)`);
}

const [typecheck, tests] = await Promise.all([
  // Incremental: what the last check learned is kept in .build/ (git ignores it), so a run after
  // a small change checks what it affects (about 2 s instead of 5 here). A fresh clone checks all.
  run([bin('typescript', 'bin/tsc'), '--noEmit', '-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', join('.build', 'tsc.tsbuildinfo')], { quiet: true }),
  run([bin('vitest', 'vitest.mjs'), 'run', ...process.argv.slice(2)], { quiet: false }),
]);
if (typecheck.code !== 0) {
  process.stderr.write(`\ntype check (tsc --noEmit) failed:\n${typecheck.output}`);
} else {
  console.log('type check (tsc --noEmit): no errors');
}
process.exitCode = typecheck.code !== 0 ? 1 : tests.code;
