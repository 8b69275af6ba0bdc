// Synthesizes N environments generated from the example config into DIST_DIR, to show the
// cost of each added environment. Usage: node .build/scale.js <N>
import { join } from 'node:path';
import { COMPOSITION } from '../compose';
import { dev } from '../config/environments/dev';
import { prod } from '../config/environments/prod';
import { EnvironmentConfig } from '../config/types';
import { renderAllWith, writeOutput } from '../lib/synth';
import { startValidatorThread } from '../lib/validator-thread';

const count = Number(process.argv[2] ?? '1');
const envs: EnvironmentConfig[] = Array.from({ length: count }, (_, i) => {
  const base = i % 2 === 0 ? dev : prod;
  const name = `${base.name}-${String(i).padStart(4, '0')}`;
  return { ...base, name, cluster: { ...base.cluster, name: `${base.cluster.name}-${i}` } };
});
const outdir = process.env.DIST_DIR;
if (!outdir) throw new Error('DIST_DIR must name a scratch folder');
// The same path as `npm run synth`: environments are validated on the validator thread.
const thread = startValidatorThread(join(__dirname, 'validator-worker.js'));
void renderAllWith(COMPOSITION, envs, thread)
  .then(({ files }) => {
    writeOutput(files, outdir);
    console.log(`${count} environments, ${files.size} files`);
  })
  .finally(() => thread.close());
