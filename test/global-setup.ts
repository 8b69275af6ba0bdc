// Runs once, before any test file (vitest.config.mts globalSetup): builds the project's bundles,
// so that the tests that run them, or copy them (copyProject), find them fresh, and no two test
// workers build .build/ at the same time. A build that is fresh already costs a few milliseconds.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function setup(): void {
  execFileSync(process.execPath, [join(__dirname, '..', 'scripts', 'build.mjs')], { stdio: 'inherit' });
}
