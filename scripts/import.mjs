#!/usr/bin/env node
// Regenerates imports/ (typed NodePool and EC2NodeClass classes) with `cdk8s import`.
//
//   npm run import                      from the upstream URLs pinned in cdk8s.yaml (needs internet)
//   npm run import -- <crd-dir>         from a local folder holding the same CRD files
//   npm run import -- <crd-dir> --output <dir>   somewhere else (the drift test uses this)
//
// The file list is read from cdk8s.yaml so the URLs and the local files cannot drift apart.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crdSources, outputArg, root } from './crd-sources.mjs';

const args = process.argv.slice(2);
const output = outputArg(args, join(root, 'imports'));
const localDir = args[0];
const { configText, sources } = crdSources(localDir);

const cli = join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
rmSync(output, { recursive: true, force: true });
mkdirSync(output, { recursive: true });
for (const source of sources) {
  // One source per call: cdk8s import stops after the first when given several.
  execFileSync(process.execPath, [cli, 'import', source, '--language', 'typescript', '--output', output, '--no-check-upgrade'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
// cdk8s import appends every source it is given to cdk8s.yaml; the file must keep naming only
// the pinned upstream URLs, whatever folder the CRDs were read from.
writeFileSync(join(root, 'cdk8s.yaml'), configText);
console.log(`imports written to ${output} from ${localDir ?? 'the URLs in cdk8s.yaml'}`);
