// The output thread (see lib/output-thread.ts): loads the validator while the main thread loads
// cdk8s and builds the first environment, then validates and renders each environment it is sent.
import { parentPort } from 'node:worker_threads';
import { checkAndRender } from '../lib/check-render';
import { preload } from '../lib/validation';

preload();
parentPort!.on('message', ({ id, manifests, options }) => {
  try {
    parentPort!.postMessage({ id, checked: checkAndRender(manifests, options) });
  } catch (error) {
    parentPort!.postMessage({ id, error: (error as Error).stack ?? String(error) });
  }
});
