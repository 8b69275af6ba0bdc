import { once } from 'node:events';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Manifest } from './layout';
import type { ValidateOptions, ValidationResult } from 'karpenter-validate';
import { cacheIsWarm, validationCache } from 'karpenter-validate';
import { leaveV8FlagsToThread, v8Flags, v8FlagsOwner } from './v8-flags';

// The main thread compiles its bundle in 10-20 ms with its code cache and 100 or so without: a
// gate still shut after this long is a bug elsewhere, and the thread goes on (only slower).
const GATE_TIMEOUT_MS = 1000;

/**
 * Runs the worker bundle through the build's V8 code cache loader (`code-cache.cjs` beside it,
 * written by scripts/bundle.mjs): most of a fresh validator's first environment is V8 compiling
 * the functions it runs for the first time, and the cache, written when the thread exits, holds
 * them compiled for every later run (a bundle without the loader beside it runs without a cache).
 *
 * The process's V8 flags (lib/synth/v8-flags.ts) are set here when the main thread left them to this
 * thread: after node has started it and the loader's node modules are loaded (set before,
 * they made V8 reject node's own code cache for them), after the main thread has compiled its
 * bundle under V8's defaults (it opens the gate; a gate left shut is waited for
 * GATE_TIMEOUT_MS at most), and before this thread compiles its own. The thread exits when told
 * to close.
 */
const LOADER = `
const { existsSync } = require('node:fs');
const { join, dirname } = require('node:path');
const { setFlagsFromString } = require('node:v8');
const { parentPort, workerData: { file, flags, gate } } = require('node:worker_threads');
const loader = join(dirname(file), 'code-cache.cjs');
const run = existsSync(loader) ? require(loader) : require;
if (gate) Atomics.wait(gate, 0, 0, ${GATE_TIMEOUT_MS});
for (const flag of flags) setFlagsFromString(flag);
run(file);
parentPort.on('message', (message) => {
  if (message.close) process.exit(0);
});
`;

// Where the thread started by `startValidatorThreadEarly` waits for the bundle to take it: the
// build's small start bundle and the main bundle are separate module graphs in one process.
const STARTED_EARLY = Symbol.for('karpenter-as-code/validator-thread');

/**
 * Starts the validator thread before the synth bundle loads (the build's main.js calls it
 * through .build/validator-start.js, then loads main.bundle.js): the thread's own start-up then
 * overlaps reading and compiling the synth bundle too. `startValidatorThread` with the same
 * script takes this thread instead of starting another. Returns what opens the thread's gate,
 * to call once the synth bundle is compiled: the thread sets the V8 flags only then.
 */
export function startValidatorThreadEarly(script: string): () => void {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  (globalThis as Record<symbol, unknown>)[STARTED_EARLY] = { script, thread: startValidatorThread(script, gate) };
  return () => {
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
  };
}

/** Validates environments, on a second thread or on this one (lib/synth/validate-environment.ts validatorOnThisThread). */
export interface ValidatorThread {
  validate(manifests: readonly Manifest[], options: ValidateOptions): Promise<ValidationResult>;
  close(): Promise<void>;
}

/**
 * Starts the thread that validates each environment (the bundled scripts/validator-worker.ts).
 * Loading the validator's schemas, CEL programs and Kubernetes models takes about as long as
 * loading cdk8s: on a second core the two overlap, and each environment is validated while
 * this thread lays out its YAML and builds the next. Where the bundle is absent (`cdk8s synth`
 * runs main.ts through ts-node), main.ts validates on its own thread instead.
 */
export function startValidatorThread(script: string, gate?: Int32Array): ValidatorThread {
  const early = (globalThis as Record<symbol, { script: string; thread: ValidatorThread } | undefined>)[STARTED_EARLY];
  if (early?.script === script) {
    delete (globalThis as Record<symbol, unknown>)[STARTED_EARLY];
    return early.thread;
  }
  // Unless this thread set the V8 flags already, the validator thread sets them (LOADER).
  leaveV8FlagsToThread();
  const flags = v8FlagsOwner() === 'thread' ? v8Flags() : [];
  const buildDir = dirname(script);
  const cache = validationCache(buildDir);
  // When earlier results of this validator are cached, most environments are likely unchanged:
  // the thread then starts at the first miss instead of now, and a run that misses nothing never
  // loads the validator. Otherwise it starts now, to load while cdk8s loads here.
  let thread: ReturnType<typeof workerThread> | undefined = cacheIsWarm(buildDir) ? undefined : workerThread(script, flags, gate);
  return {
    validate: async (manifests, options) => {
      const text = JSON.stringify(manifests);
      const key = cache.key(text, options);
      const cached = cache.get(key);
      if (cached) return cached;
      thread ??= workerThread(script, flags, gate);
      const result = await thread.validate(text, options);
      cache.set(key, result);
      return result;
    },
    close: async () => {
      await thread?.close();
    },
  };
}

/** A worker thread running the bundled validator, which sets `flags` first; it takes the objects as JSON text. */
function workerThread(script: string, flags: readonly string[], gate: Int32Array | undefined): { validate(manifests: string, options: ValidateOptions): Promise<ValidationResult>; close(): Promise<void> } {
  // A young generation of 16 MB: the thread's objects live for one environment at most, and a
  // larger nursery only holds more garbage (1,000 environments: 264 MB peak RSS, 240 with this).
  const worker = new Worker(LOADER, { eval: true, workerData: { file: script, flags, gate }, resourceLimits: { maxYoungGenerationSizeMb: 16 } });
  // Awaited by close(); made now so that a thread that already ended is seen as ended. A thread
  // that fails has already rejected every waiting call with its error.
  const exited = once(worker, 'exit').catch(() => undefined);
  const waiting = new Map<number, { resolve: (r: ValidationResult) => void; reject: (e: Error) => void }>();
  let next = 0;
  worker.on('message', ({ id, result, error }: { id: number; result?: ValidationResult; error?: string }) => {
    const call = waiting.get(id)!;
    waiting.delete(id);
    if (error !== undefined) call.reject(new Error(`validator thread: ${error}`));
    else call.resolve(result!);
  });
  let failure: Error | undefined;
  worker.on('error', (error) => {
    failure = error;
    for (const call of waiting.values()) call.reject(error);
    waiting.clear();
  });
  return {
    validate: (manifests, options) =>
      new Promise((resolve, reject) => {
        if (failure) return reject(failure);
        const id = next++;
        waiting.set(id, { resolve, reject });
        // One string crosses threads faster, and leaves less garbage, than a cloned object graph.
        worker.postMessage({ id, manifests, options });
      }),
    close: async () => {
      worker.postMessage({ close: true });
      await exited;
    },
  };
}
