// Run by the build's main.js before the synth bundle loads (scripts/bundle.mjs EARLY): starts the
// validator thread, which main.ts then takes (lib/validator-thread.ts startValidatorThreadEarly).
import { startValidatorThreadEarly } from '../lib/validator-thread';

export = startValidatorThreadEarly;
