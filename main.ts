// Synthesizes every environment of config/environments into dist/<env>/, or nothing at all:
// on any error, dist/ is left exactly as it was and the process exits non-zero.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENTS } from './config/environments';
import { ConfigError } from './lib/config/errors';
import { synthArgs } from './lib/synth/synth-args';
import { applyV8Flags } from './lib/synth/v8-flags';
import { startValidatorThread } from './lib/synth/validator-thread';

// DIST_DIR lets the benchmark synthesize elsewhere; everyone else gets dist/.
const outdir = process.env.DIST_DIR ?? 'dist';

async function main(): Promise<void> {
  // For `cdk8s synth` (ts-node), which runs no loader and no validator thread; in the build,
  // main.js has left the flags to the validator thread, and this does nothing.
  applyV8Flags();
  // The validator thread starts before cdk8s is loaded (the composition is imported here, not
  // above), so the validator loads on the second core while this one loads cdk8s.
  const script = join(__dirname, 'validator-worker.js');
  // Arguments first: a command not understood touches nothing (lib/synth/synth-args.ts says why it takes none).
  const args = synthArgs(process.argv.slice(2), ENVIRONMENTS.map((e) => e.name));
  if (!('run' in args)) {
    if ('help' in args) console.log(args.help);
    else console.error(args.error);
    process.exitCode = 'help' in args ? 0 : 2;
    // The build's loader started the validator thread before this bundle ran: let it go.
    if (existsSync(script)) await startValidatorThread(script).close();
    return;
  }
  const thread = existsSync(script) ? startValidatorThread(script) : (await import('./lib/synth/validate-environment')).validatorOnThisThread();
  let closing: Promise<void> | undefined;
  try {
    const [{ COMPOSITION }, { constructMetadata, renderAllWith, StagedOutput, writeOutput }, { formatWarnings }, { recordedSourceHash }] = await Promise.all([import('./compose'), import('./lib/synth/synth'), import('karpenter-validate'), import('./lib/synth/source-hash')]);
    const { formatPlaceholders } = await import('./lib/config/config-placeholders');
    // Each environment is written to the staging folder when it is done; dist/ is replaced only
    // once all are (a failure leaves it as it was).
    const staged = new StagedOutput(outdir);
    // Under `cdk8s synth`, the CLI lists (or with --stdout prints) what lands in CDK8S_OUTDIR.
    const cliOutdir = process.env.CDK8S_OUTDIR;
    const forCli = new Map<string, string>();
    let written = 0;
    const sink = {
      write(path: string, content: string) {
        staged.write(path, content);
        written++;
        // Each cluster in a folder of its own, as in dist/: the validation plugin validates each folder as one cluster.
        if (cliOutdir) forCli.set(path, content);
      },
      settle: () => staged.settle(),
    };
    let output;
    try {
      // Bundled, main.js sits in .build/ beside the hash the build recorded; under ts-node, it is computed.
      output = await renderAllWith(COMPOSITION, ENVIRONMENTS, thread, recordedSourceHash(__dirname), sink);
      // Every environment is validated: the thread ends (10 to 40 ms here) while the files go in.
      closing = thread.close();
      for (const [path, content] of output.files) sink.write(path, content);
    } catch (error) {
      await staged.abort();
      throw error;
    }
    await staged.commit();
    if (cliOutdir) {
      // cdk8s-cli asks for the constructs of the objects when it runs validation plugins, to name them in its report.
      if (process.env.CDK8S_RECORD_CONSTRUCT_METADATA === 'true') forCli.set('construct-metadata.json', constructMetadata(output.constructPaths));
      await writeOutput(forCli, cliOutdir);
    }
    const text = formatWarnings(output.warnings);
    if (text) console.warn(text);
    const placeholders = formatPlaceholders(output.placeholders);
    if (placeholders) console.warn(placeholders);
    console.log(`synthesized ${ENVIRONMENTS.length} environments, ${written} files into ${outdir}/`);
  } catch (error) {
    process.exitCode = 1;
    if (error instanceof ConfigError) {
      console.error(`synth failed, dist/ left unchanged:\n${error.message}`);
    } else {
      // A bug, not a mistake in config: say so, without a stack trace unless asked for one.
      process.exitCode = 2;
      console.error(`synth failed, dist/ left unchanged: internal error (please report it): ${(error as Error).message ?? String(error)}`);
      if (process.env.KARPENTER_AS_CODE_DEBUG) console.error((error as Error).stack);
    }
  } finally {
    await (closing ?? thread.close());
  }
}

void main();
