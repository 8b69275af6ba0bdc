// Synthesizes every environment of config/environments into dist/<env>/, or nothing at all:
// on any error, dist/ is left exactly as it was and the process exits non-zero.
import { join } from 'node:path';
import { ENVIRONMENTS } from './config/environments';
import { ConfigError } from './lib/errors';
import { startValidatorThread } from './lib/validator-thread';

// DIST_DIR lets the benchmark synthesize elsewhere; everyone else gets dist/.
const outdir = process.env.DIST_DIR ?? 'dist';

async function main(): Promise<void> {
  // The validator thread starts before cdk8s is loaded (lib/synth is imported here, not above),
  // so the validator loads on the second core while this one loads cdk8s.
  const thread = startValidatorThread(join(__dirname, 'validator-worker.js'));
  try {
    const { renderAllWith, writeOutput } = await import('./lib/synth');
    const files = await renderAllWith(ENVIRONMENTS, thread);
    writeOutput(files, outdir);
    // Under `cdk8s synth`, the CLI lists (or with --stdout prints) what lands in CDK8S_OUTDIR.
    const cliOutdir = process.env.CDK8S_OUTDIR;
    if (cliOutdir) writeOutput(new Map([...files].map(([path, content]) => [path.replace('/', '-'), content])), cliOutdir);
    console.log(`synthesized ${ENVIRONMENTS.length} environments, ${files.size} files into ${outdir}/`);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`synth failed, dist/ left unchanged:\n${error.message}`);
    process.exitCode = 1;
  } finally {
    await thread.close();
  }
}

void main();
