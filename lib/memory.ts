import { setFlagsFromString } from 'node:v8';

/**
 * The flag, which the build's code-cache loader also sets for every bundle it runs (the validate,
 * plan and diff commands too): a V8 code cache is only accepted under the flags it was made with.
 */
export const HEAP_GROWTH_FLAG = '--heap-growing-percent=30';

/**
 * Bounds how far V8 grows a heap past its live data, in synth's threads. While collection is
 * cheap, V8 lets an old generation grow to several times its live data: over a thousand
 * environments the main thread's heap reached 90-120 MB for 27-37 MB live, the validator
 * thread's 100 MB for 24 MB (node --trace-gc). Growing by 30% at most keeps synth of 1,000
 * environments near 250 MB instead of 370, for about 2% more time collecting (bench/run.mjs).
 * V8 reads the flag whenever it sets a new limit, so it applies from here on, to every thread.
 */
export function boundHeapGrowth(): void {
  setFlagsFromString(HEAP_GROWTH_FLAG);
}
