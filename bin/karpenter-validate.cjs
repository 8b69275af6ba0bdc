#!/usr/bin/env node
// The `karpenter-validate` command: the bundled validate CLI, built on first use.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const bundle = join(__dirname, '..', '.build', 'validate.js');
if (!existsSync(bundle)) {
  const built = spawnSync(process.execPath, [join(__dirname, '..', 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(2);
}
require(bundle);
