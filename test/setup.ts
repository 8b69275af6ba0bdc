// Runs before each test file (vitest.config.mts setupFiles).
import * as interpreter from '../packages/karpenter-validate/src/validation/cel-interpreter';
import { useInterpreter } from '../packages/karpenter-validate/src/validation/cel';

// The validator loads the CEL interpreter with `require` when it meets a rule that is not
// compiled ahead of time; Node's require cannot read TypeScript, so it is handed over here.
useInterpreter(interpreter);
