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
 * The V8 flags every process of ours runs under, for a V8 version (scripts/bundle.mjs v8Flags, for
 * the build's code-cache loader, is the same: test/code-cache.test.ts holds them equal). A code
 * cache is only accepted under the flags it was made with (V8 stores a hash of them), so each
 * cache is always made and used under the same ones: the validate, plan and diff commands set
 * them before compiling anything (the loader); synth's main thread compiles its bundle under V8's
 * defaults and its validator thread sets them, once node has started the thread and the bundle
 * is compiled (lib/synth/validator-thread.ts), before compiling its own. Why not on the main thread
 * first: V8 then also rejects node's embedded code cache for the built-in modules a thread
 * loads as it starts, and node took 45-60 ms to start the validator thread instead of 30.
 * Flags are process-wide; they are set once per process.
 */
export function v8Flags(v8Version: string = process.versions.v8): readonly string[] {
  return [HEAP_GROWTH, ...(v8Version.split('.')[0] === '11' ? [TIER_UP_BUDGET] : [])];
}

// On the main thread: whether the flags are set (true), or left to the validator thread
// ('thread'), for this file, lib/synth/validator-thread.ts and the build's loader alike (its FLAGS_SET).
const FLAGS_SET = Symbol.for('karpenter-as-code/v8-flags');

/** Who sets the flags in this process: nobody yet, this (main) thread, or the validator thread. */
export function v8FlagsOwner(): 'none' | 'main' | 'thread' {
  const mark = (globalThis as Record<symbol, unknown>)[FLAGS_SET];
  return mark === 'thread' ? 'thread' : mark ? 'main' : 'none';
}

/** Leaves the flags to the validator thread (lib/synth/validator-thread.ts) and marks it so. */
export function leaveV8FlagsToThread(): void {
  if (v8FlagsOwner() === 'none') (globalThis as Record<symbol, unknown>)[FLAGS_SET] = 'thread';
}

/**
 * Sets v8Flags() on this thread, unless they are set or left to the validator thread: V8 reads
 * them as it goes, so they apply from here on, to every thread.
 */
export function applyV8Flags(): void {
  if (v8FlagsOwner() !== 'none') return;
  for (const flag of v8Flags()) setFlagsFromString(flag);
  (globalThis as Record<symbol, unknown>)[FLAGS_SET] = true;
}
