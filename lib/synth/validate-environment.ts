import { Manifest } from './layout';
import { validate, ValidateOptions, ValidationResult } from 'karpenter-validate';
import type { ValidatorThread } from './validator-thread';

/** Validates one environment's objects, a complete set. */
export function validateEnvironment(manifests: readonly Manifest[], options: ValidateOptions): ValidationResult {
  return validate(manifests.map((object) => ({ object })), options);
}

/** Validation on this thread, where there is no worker bundle (`cdk8s synth` runs main.ts through ts-node). */
export function validatorOnThisThread(): ValidatorThread {
  return { validate: async (manifests, options) => validateEnvironment(manifests, options), close: async () => undefined };
}
