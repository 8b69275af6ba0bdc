import { EnvironmentConfig } from '../config/types';
import { checkAndRender, CheckedEnvironment } from './check-render';
import { Manifest } from './layout';
import { buildAll, buildEnvironment, BuiltEnvironment, renderBuilt, validateOptions } from './synth';

/**
 * Synth that validates on the calling thread, for tests and for use as a library.
 * `npm run synth` validates on the output thread instead (see lib/output-thread.ts); both give
 * the same files, which the dist/ staleness test checks.
 */

function checkHere(built: BuiltEnvironment): CheckedEnvironment {
  return checkAndRender(built.manifests, validateOptions(built.env));
}

/** Builds and validates one environment; throws a ValidationError when its objects fail. */
export function synthEnvironment(env: EnvironmentConfig): Manifest[] {
  const built = buildEnvironment(env);
  renderBuilt([built], [checkHere(built)]);
  return built.manifests;
}

/** Every environment's files, keyed by path relative to `dist/`, validated and rendered here. */
export function renderAll(envs: readonly EnvironmentConfig[]): Map<string, string> {
  const built = [...buildAll(envs)];
  return renderBuilt(built, built.map(checkHere));
}
