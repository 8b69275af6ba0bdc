// Synthesizes every environment of config/environments into dist/<env>/, or nothing at all:
// on any error, dist/ is left exactly as it was and the process exits non-zero.
import { ENVIRONMENTS } from './config/environments';
import { ConfigError } from './lib/errors';
import { renderAll, writeOutput } from './lib/synth';

try {
  const files = renderAll(ENVIRONMENTS);
  writeOutput(files, 'dist');
  console.log(`synthesized ${ENVIRONMENTS.length} environments, ${files.size} files into dist/`);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`synth failed, dist/ left unchanged:\n${error.message}`);
  process.exitCode = 1;
}
