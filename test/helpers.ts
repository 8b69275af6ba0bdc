import { cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { dev } from '../config/environments/dev';
import { prod } from '../config/environments/prod';
import type { EnvironmentConfig } from '../config/environment-config';
import { layout, Manifest } from '../lib/synth/layout';
import { COMPOSITION } from '../compose';
import { renderAll, synthEnvironment } from '../lib/synth/synth-inline';

export const EXAMPLES: readonly EnvironmentConfig[] = [dev, prod];

const cache = new Map<EnvironmentConfig, Manifest[]>();

/** An environment's objects, synthesized once per test file. */
export function manifests(env: EnvironmentConfig): Manifest[] {
  if (!cache.has(env)) cache.set(env, synth(env));
  return cache.get(env)!;
}

export function ofKind(env: EnvironmentConfig, kind: string): Manifest[] {
  return manifests(env).filter((m) => m.kind === kind);
}

/** Parses a multi-document YAML file into objects. */
export function parseYaml(text: string): Manifest[] {
  return parseAllDocuments(text).map((doc) => doc.toJS() as Manifest);
}

/** Anything at `path` (dot separated) inside an object. */
export function at(value: unknown, path: string): any {
  return path.split('.').reduce<any>((v, key) => (v === undefined || v === null ? undefined : v[key]), value);
}

/** The pod template of a controller. */
export function podSpec(controller: Manifest): any {
  return at(controller, 'spec.template.spec');
}

/** An environment like `base` with some fields replaced. */
export function variant(base: EnvironmentConfig, change: Partial<EnvironmentConfig>): EnvironmentConfig {
  return { ...base, ...change };
}

/** Builds and validates one environment as synth does; throws on config or validation errors. */
export function synth(env: EnvironmentConfig): Manifest[] {
  return synthEnvironment(COMPOSITION, env);
}

/** Every environment's files (path relative to dist/ → content), validated, as synth writes them. */
export function render(envs: readonly EnvironmentConfig[]): Map<string, string> {
  return renderAll(COMPOSITION, envs).files;
}

/** An environment's objects as they are written: in apply order, with their sync waves. */
export function applied(env: EnvironmentConfig): Manifest[] {
  const files = layout(manifests(env));
  return [...files.keys()].sort().flatMap((file) => parseYaml(files.get(file)!));
}

/** An object's ArgoCD sync wave, as written. */
export function waveOf(object: Manifest): number {
  return Number(object.metadata.annotations?.['argocd.argoproj.io/sync-wave']);
}

const ROOT = resolve(__dirname, '..');

/**
 * A copy of the project in `dir` for a test to change and build: its sources with their
 * modification times, node_modules linked, and the validator thread's bundles from the
 * project's own build with the build's record of their inputs, so that building the copy
 * rebuilds only the bundles whose inputs the test changed (scripts/bundle.mjs compares sizes and
 * times), as `npm run synth` would. Without a build of the project (a fresh clone), the copy's
 * build builds everything.
 */
export function copyProject(dir: string): void {
  for (const entry of ['main.ts', 'compose.ts', 'config', 'lib', 'charts', 'imports', 'packages', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json']) cpSync(join(ROOT, entry), join(dir, entry), { recursive: true, preserveTimestamps: true, filter: (source) => !/[\/]packages[\/][^\/]+[\/](dist|node_modules)([\/]|$)/.test(source) });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const build = join(ROOT, '.build');
  if (!existsSync(join(build, 'stamp.json'))) return;
  mkdirSync(join(dir, '.build'));
  for (const file of ['stamp.json', 'code-cache.cjs', 'validator-worker.js', 'validator-worker.js.cache', 'validator-start.js']) {
    if (existsSync(join(build, file))) cpSync(join(build, file), join(dir, '.build', file), { preserveTimestamps: true });
  }
}
