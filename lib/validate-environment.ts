import { Manifest } from './layout';
import { validate, ValidateOptions, ValidationResult } from './validation';

/** Validates one environment's objects, a complete set. */
export function validateEnvironment(manifests: readonly Manifest[], options: ValidateOptions): ValidationResult {
  return validate(manifests.map((object) => ({ object })), options);
}
