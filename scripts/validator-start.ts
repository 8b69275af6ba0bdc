// Run by the build's main.js before the synth bundle loads (scripts/bundle.mjs EARLY): starts the
// validator thread, which main.ts then takes (lib/synth/validator-thread.ts startValidatorThreadEarly),
// and returns what opens its gate, which main.js calls once the synth bundle is compiled. The
// thread sets the V8 flags then (lib/synth/v8-flags.ts): the synth bundle is compiled under V8's
// defaults, every time, and its code cache with it.
import { startValidatorThreadEarly } from '../lib/synth/validator-thread';

// main.js calls it before it loads the build's loader, which then finds the flags left to the
// thread (lib/synth/validator-thread.ts startValidatorThread marks them so).
export = startValidatorThreadEarly;
