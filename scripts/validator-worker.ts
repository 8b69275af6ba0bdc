// The validator thread (see lib/synth/validator-thread.ts): loads the validator while the main thread
// loads cdk8s and builds the first environment, then validates each environment it is sent.
import { parentPort } from 'node:worker_threads';
import { preload } from 'karpenter-validate';
import { validateEnvironment } from '../lib/synth/validate-environment';

preload();
parentPort!.on('message', ({ id, manifests, options }) => {
  // Also sent: the loader's `close` (lib/synth/validator-thread.ts), which is not for us.
  if (manifests === undefined) return;
  try {
    parentPort!.postMessage({ id, result: validateEnvironment(JSON.parse(manifests), options) });
  } catch (error) {
    parentPort!.postMessage({ id, error: (error as Error).stack ?? String(error) });
  }
});
