import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { CheckedEnvironment } from './check-render';
import type { Manifest } from './layout';
import type { ValidateOptions } from './validation';

/** Validates and renders environments, on a second thread or on this one. */
export interface OutputThread {
  check(manifests: readonly Manifest[], options: ValidateOptions): Promise<CheckedEnvironment>;
  close(): Promise<void>;
}

/**
 * Starts the thread that validates and renders each environment (the bundled
 * scripts/output-worker.ts). Loading the validator's schemas, CEL programs and Kubernetes
 * models takes about as long as loading cdk8s: on a second core the two overlap, and each
 * environment is checked while the next one is built. Where the bundle is absent
 * (`cdk8s synth` runs main.ts through ts-node), the work is done on this thread.
 */
export function startOutputThread(script: string): OutputThread {
  if (!existsSync(script)) return sameThread();
  const worker = new Worker(script);
  const waiting = new Map<number, { resolve: (r: CheckedEnvironment) => void; reject: (e: Error) => void }>();
  let next = 0;
  worker.on('message', ({ id, checked, error }: { id: number; checked?: CheckedEnvironment; error?: string }) => {
    const call = waiting.get(id)!;
    waiting.delete(id);
    if (error !== undefined) call.reject(new Error(`output thread: ${error}`));
    else call.resolve(checked!);
  });
  worker.on('error', (error) => {
    for (const call of waiting.values()) call.reject(error);
    waiting.clear();
  });
  return {
    check: (manifests, options) =>
      new Promise((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, manifests, options });
      }),
    close: async () => {
      await worker.terminate();
    },
  };
}

function sameThread(): OutputThread {
  // Loaded on first use: starting the worker above must never pay for the validator here too.
  const { checkAndRender } = require('./check-render') as typeof import('./check-render');
  return { check: async (manifests, options) => checkAndRender(manifests, options), close: async () => undefined };
}
