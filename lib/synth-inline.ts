import { EnvironmentConfig } from '../config/types';
import { validateEnvironment } from './validate-environment';
import type { ValidationResult } from './validation';
import { Manifest } from './layout';
import { buildAll, buildEnvironment, BuiltEnvironment, renderBuilt, validateOptions } from './synth';

/**
 * Synth that validates on the calling thread, for tests and for use as a library.
 * `npm run synth` validates on a worker thread instead (see lib/validator-thread.ts); both give
 * the same files, which the dist/ staleness test checks.
 */

function validateHere(built: BuiltEnvironment): ValidationResult {
  return validateEnvironment(built.manifests, validateOptions(built.env));
}

/** Builds and validates one environment; throws a ValidationError when its objects fail. */
export function synthEnvironment(env: EnvironmentConfig): Manifest[] {
  const built = buildEnvironment(env);
  renderBuilt([built], [validateHere(built)]);
  return built.manifests;
}

/** Every environment's files, keyed by path relative to `dist/`, validated and rendered here. */
export function renderAll(envs: readonly EnvironmentConfig[]): Map<string, string> {
  const built = [...buildAll(envs)];
  return renderBuilt(built, built.map(validateHere));
}
