import { setFlagsFromString } from 'node:v8';

/**
 * Bounds how far V8 grows a heap past its live data. While collection is cheap, V8 lets an old
 * generation grow to several times its live data: over a thousand environments the main
 * thread's heap reached 90-120 MB for 27-37 MB live, the validator thread's 100 MB for 24 MB
 * (node --trace-gc). Growing by 30% at most keeps synth of 1,000 environments near 250 MB
 * instead of 370, for about 2% more time collecting (bench/run.mjs).
 */
const HEAP_GROWTH = '--heap-growing-percent=30';

/**
 * Lets a function run 16 times longer (V8's default interrupt budget is 66 KB of bytecode per
 * tick, 67584) before V8 considers optimizing it with TurboFan. Our commands live a few hundred
 * milliseconds: at the default, TurboFan compiles functions that have barely warmed up, on
 * background threads that take the second core from synth's other thread, and much of it is
 * thrown away with the process. Measured here, interleaved with the default: synth of the
 * examples without cached results 2.5x the floor to 1.9x, validate of dist/prod 1.6x to 1.35x;
 * `--no-opt` gained as much in those and cost 45% on 16,000 objects, which this does not (a hot
 * function still reaches TurboFan after a few milliseconds). V8 reads the budget, a plain
 * number, each time it resets a function's (src/execution/tiering-manager.cc), so it applies to
 * what runs after it is set. Only on V8 11 (node 20), where it was measured: V8 has changed its
 * tiering since (Maglev between Sparkplug and TurboFan from V8 12, and budgets counted in
 * invocations later), and a flag V8 does not know is an error printed on every run.
 */
const TIER_UP_BUDGET = '--interrupt-budget=1081344';

/**
 * The V8 flags every process of ours runs under, for a V8 version: set by the build's code-cache
 * loader before anything is compiled (scripts/bundle.mjs v8Flags, the same: test/code-cache.test.ts
 * holds them equal) and by synth's first code before its validator thread starts. They must be
 * the same everywhere: V8 accepts a code cache only under the flags it was made with (it stores
 * their hash), and synth's thread and the validate command share the schema modules' caches.
 * Flags are process-wide, so they are set on the main thread only, before any other thread starts.
 * What they cost: V8 then rejects node's own embedded code cache too, for every built-in module
 * loaded after them, so node's start-up of synth's validator thread takes 45-60 ms instead of 30
 * (measured); far less than the tier-up budget saves.
 */
export function v8Flags(v8Version: string = process.versions.v8): readonly string[] {
  return [HEAP_GROWTH, ...(v8Version.split('.')[0] === '11' ? [TIER_UP_BUDGET] : [])];
}

// Marks the flags set, for this file and the build's loader alike (its FLAGS_SET).
const FLAGS_SET = Symbol.for('karpenter-as-code/v8-flags');

/**
 * Sets v8Flags(), once per process: V8 reads them as it goes, so they apply from here on, to every
 * thread. Call it on the main thread before starting another.
 */
export function applyV8Flags(): void {
  const global = globalThis as Record<symbol, unknown>;
  if (global[FLAGS_SET]) return;
  for (const flag of v8Flags()) setFlagsFromString(flag);
  global[FLAGS_SET] = true;
}
