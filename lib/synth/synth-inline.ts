import type { EnvironmentConfig } from '../../config/environment-config';
import type { ValidateOptions, ValidationResult } from 'karpenter-validate';
import { Manifest } from './layout';
import { buildAll, renderBuilt, SynthOutput, validateOptions } from './synth';
import type { BuiltEnvironment, Composition } from './composition';
import { validateEnvironment } from './validate-environment';

/**
 * Synth that validates on the calling thread, for tests and for use as a library.
 * `npm run synth` validates on a worker thread instead (see lib/synth/validator-thread.ts); both give
 * the same files, which the dist/ staleness test checks.
 */

function validateHere(built: BuiltEnvironment): ValidationResult {
  return validateEnvironment(built.manifests, validateOptions(built));
}

const validateShared = (manifests: readonly Manifest[], options: ValidateOptions) => validateEnvironment(manifests, options);

/** Builds and validates one environment; throws a ValidationError when its objects fail. */
export function synthEnvironment(composition: Composition, env: EnvironmentConfig): Manifest[] {
  const [built] = [...buildAll(composition, [env])];
  renderBuilt(composition, [built!], [validateHere(built!)], validateShared);
  return built!.manifests;
}

/** Every environment's files and warnings, validated and rendered here. */
export function renderAll(composition: Composition, envs: readonly EnvironmentConfig[]): SynthOutput {
  const built = [...buildAll(composition, envs)];
  return renderBuilt(composition, built, built.map(validateHere), validateShared);
}
