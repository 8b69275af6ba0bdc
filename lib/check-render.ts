import { layout, Manifest } from './layout';
import { validate, ValidateOptions, ValidationResult } from './validation';

/** What the second thread makes of one environment's objects. */
export interface CheckedEnvironment {
  readonly validation: ValidationResult;
  /** The environment's files, by name (`03-nodepools.yaml`), in apply order. */
  readonly files: readonly (readonly [string, string])[];
}

/** Validates one environment's objects (a complete set) and renders its YAML files. */
export function checkAndRender(manifests: readonly Manifest[], options: ValidateOptions): CheckedEnvironment {
  return { validation: validate(manifests.map((object) => ({ object })), options), files: [...layout(manifests)] };
}
