import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Manifest } from './layout';
import type { ValidateOptions, ValidationResult } from './validation';

/** Validates environments, on a second thread or on this one. */
export interface ValidatorThread {
  validate(manifests: readonly Manifest[], options: ValidateOptions): Promise<ValidationResult>;
  close(): Promise<void>;
}

/**
 * Starts the thread that validates each environment (the bundled scripts/validator-worker.ts).
 * Loading the validator's schemas, CEL programs and Kubernetes models takes about as long as
 * loading cdk8s: on a second core the two overlap, and each environment is validated while
 * this thread lays out its YAML and builds the next. Where the bundle is absent (`cdk8s synth`
 * runs main.ts through ts-node), validation runs on this thread.
 */
export function startValidatorThread(script: string): ValidatorThread {
  if (!existsSync(script)) return sameThread();
  const worker = new Worker(script);
  const waiting = new Map<number, { resolve: (r: ValidationResult) => void; reject: (e: Error) => void }>();
  let next = 0;
  worker.on('message', ({ id, result, error }: { id: number; result?: ValidationResult; error?: string }) => {
    const call = waiting.get(id)!;
    waiting.delete(id);
    if (error !== undefined) call.reject(new Error(`validator thread: ${error}`));
    else call.resolve(result!);
  });
  worker.on('error', (error) => {
    for (const call of waiting.values()) call.reject(error);
    waiting.clear();
  });
  return {
    validate: (manifests, options) =>
      new Promise((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve, reject });
        // One string crosses threads faster, and leaves less garbage, than a cloned object graph.
        worker.postMessage({ id, manifests: JSON.stringify(manifests), options });
      }),
    close: async () => {
      await worker.terminate();
    },
  };
}

function sameThread(): ValidatorThread {
  // Loaded on first use: starting the worker above must never pay for the validator here too.
  const { validateEnvironment } = require('./validate-environment') as typeof import('./validate-environment');
  return { validate: async (manifests, options) => validateEnvironment(manifests, options), close: async () => undefined };
}
