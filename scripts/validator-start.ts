// Run by the build's main.js before the synth bundle loads (scripts/bundle.mjs EARLY): starts the
// validator thread, which main.ts then takes (lib/validator-thread.ts startValidatorThreadEarly).
import { applyV8Flags } from '../lib/v8-flags';
import { startValidatorThreadEarly } from '../lib/validator-thread';

// The first code synth runs: its V8 flags apply before either thread's heap grows or code runs.
applyV8Flags();

export = startValidatorThreadEarly;
