// Run by the build's main.js before the synth bundle loads (scripts/bundle.mjs EARLY): starts the
// validator thread, which main.ts then takes (lib/validator-thread.ts startValidatorThreadEarly).
import { boundHeapGrowth } from '../lib/memory';
import { startValidatorThreadEarly } from '../lib/validator-thread';

// The first code synth runs: the heap bound applies before either thread's heap grows.
boundHeapGrowth();

export = startValidatorThreadEarly;
