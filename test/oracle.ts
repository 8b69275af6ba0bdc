// The Go tier's side of the tests: the upstream oracles (oracle/<name>/, built by
// scripts/oracles.mjs into .build/go/<name>) run on our output, and our emulation is held to their
// verdicts. `npm test` builds them and sets KARPENTER_AS_CODE_GO_TIER=1 when Go is on PATH (it
// says on one line when it is not); tests that need an oracle run only then (`describe.runIf(GO_TIER)`).
// What the oracles decided is also recorded under test/oracle/ so that the tests without Go
// still hold our emulation to it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..');

/** Whether the Go tier runs: set by scripts/test.mjs once every oracle is built. */
export const GO_TIER = process.env.KARPENTER_AS_CODE_GO_TIER === '1';

/** An oracle's binary; only call it in the Go tier. */
export function oracleBinary(name: string): string {
  const binary = join(ROOT, '.build', 'go', name);
  if (!existsSync(binary)) throw new Error(`oracle ${name} is not built: run node scripts/oracles.mjs ${name}`);
  return binary;
}

/** Runs an oracle with arguments (and optional standard input) and parses the JSON it prints. */
export function runOracle<T = unknown>(name: string, args: readonly string[], input?: string): T {
  const stdout = execFileSync(oracleBinary(name), args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, ...(input !== undefined ? { input } : {}), stdio: [input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  return JSON.parse(stdout) as T;
}
