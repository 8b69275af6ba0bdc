// Synthesizes N environments generated from the example config into DIST_DIR, to show the
// cost of each added environment. Usage: node .build/scale.js <N>
import { join } from 'node:path';
import { COMPOSITION } from '../compose';
import { dev } from '../config/environments/dev';
import { prod } from '../config/environments/prod';
import type { EnvironmentConfig } from '../config/environment-config';
import { renderAllWith, StagedOutput } from '../lib/synth/synth';
import { recordedSourceHash } from '../lib/synth/source-hash';
import { startValidatorThread } from '../lib/synth/validator-thread';

const count = Number(process.argv[2] ?? '1');
const envs: EnvironmentConfig[] = Array.from({ length: count }, (_, i) => {
  const base = i % 2 === 0 ? dev : prod;
  const name = `${base.name}-${String(i).padStart(4, '0')}`;
  return { ...base, name, cluster: { ...base.cluster, name: `${base.cluster.name}-${i}` } };
});
const outdir = process.env.DIST_DIR;
if (!outdir) throw new Error('DIST_DIR must name a scratch folder');
// The same path as `npm run synth`: environments are validated on the validator thread and
// written to a staging folder as each is done.
const thread = startValidatorThread(join(__dirname, 'validator-worker.js'));
const staged = new StagedOutput(outdir);
let written = 0;
const sink = { write: (path: string, content: string) => (staged.write(path, content), written++), settle: () => staged.settle() };
void renderAllWith(COMPOSITION, envs, thread, recordedSourceHash(__dirname), sink)
  .then(async ({ files }) => {
    for (const [path, content] of files) sink.write(path, content);
    await staged.commit();
    console.log(`${count} environments, ${written} files`);
  }, async (error) => {
    await staged.abort();
    throw error;
  })
  .finally(() => thread.close());
