import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { App } from 'cdk8s';
import type { EnvironmentConfig, Prerequisite } from '../config/types';
import { ConfigError } from './errors';
import { layout, Manifest } from './layout';
import { report } from './report';
import { sourceHash, STAMP_FILE } from './source-hash';
import type { ResolvedPool } from './pools';
import type { ValidatorThread } from './validator-thread';
import type { ValidateOptions, ValidationResult } from './validation';
import { formatText } from './validation/format';
import type { LeftOut, ResolvedWorkload } from './workload-config';

/** One environment, synthesized: its objects, and what they were made from. */
export interface BuiltEnvironment {
  readonly env: EnvironmentConfig;
  readonly manifests: Manifest[];
  readonly pools: readonly ResolvedPool[];
  readonly workloads: readonly ResolvedWorkload[];
  /** Workloads of config/workloads.ts this environment does not run, and why. */
  readonly leftOut: readonly LeftOut[];
  /** What the set needs from outside it. */
  readonly prerequisites: readonly Prerequisite[];
}

/**
 * How environments are made: the composition at the top of the project (compose.ts) says which
 * charts make an environment; this module only runs it, validates and writes.
 */
export interface Composition {
  /** Checks the config every environment shares, once, before the first is built. */
  checkShared(): void;
  /** Builds one environment's objects, without validating them. */
  build(env: EnvironmentConfig): BuiltEnvironment;
  /** Files every environment shares (`argocd/bootstrap.yaml`), by path relative to dist/. */
  shared(envs: readonly EnvironmentConfig[]): Map<string, string>;
}

/** An environment whose objects fail validation, with what the validator found. */
export interface ValidationFailure {
  readonly env: string;
  readonly result: ValidationResult;
  readonly objects: number;
}

/** The environments whose objects fail validation; the message is the grouped report of their errors. */
export class ValidationError extends ConfigError {
  constructor(readonly failures: readonly ValidationFailure[]) {
    super(
      failures
        .map(({ env, result, objects }) => `environment "${env}" fails validation:\n${formatText({ ...result, findings: result.findings.filter((f) => f.severity === 'error'), waived: [] }, objects)}`)
        .join('\n\n'),
    );
    this.name = 'ValidationError';
  }
}

/** An App's objects, after its constructs' own validations; throws a ConfigError naming each failure. */
export function synthesizeApp(app: App): Manifest[] {
  const errors = app.node.findAll().flatMap((c) => c.node.validate().map((message) => `${c.node.path}: ${message}`));
  if (errors.length > 0) throw new ConfigError(errors.join('\n'));
  return app.charts.flatMap((chart) => chart.toJson() as Manifest[]);
}

/** How an environment is validated: as a complete set, with production rules where it is production, knowing its declared prerequisites. */
export function validateOptions(built: BuiltEnvironment): ValidateOptions {
  return { complete: true, production: built.env.production, prerequisites: built.prerequisites };
}

/** Every environment, built one at a time after the shared config is checked; names must be unique. */
export function* buildAll(composition: Composition, envs: readonly EnvironmentConfig[]): Generator<BuiltEnvironment> {
  composition.checkShared();
  const names = new Set<string>();
  for (const env of envs) {
    if (names.has(env.name)) throw new ConfigError(`environment "${env.name}": 'name' ("${env.name}") must be unique across config/environments`);
    names.add(env.name);
    yield composition.build(env);
  }
}

/** One environment's files (paths relative to `dist/`), or why it fails validation. */
type EnvironmentOutput = { readonly files: readonly (readonly [string, string])[]; readonly warnings: ValidationResult['findings'] } | { readonly failure: ValidationFailure };

/** An environment's YAML (`laidOut`, by file name) and REPORT.md, once validation passed. */
function environmentOutput(built: BuiltEnvironment, validation: ValidationResult, laidOut: ReadonlyMap<string, string>): EnvironmentOutput {
  const { env, manifests } = built;
  if (validation.errors > 0) return { failure: { env: env.name, result: validation, objects: manifests.length } };
  return {
    files: [...[...laidOut].map(([file, content]) => [`${env.name}/${file}`, content] as const), [`${env.name}/REPORT.md`, report(built, validation)]],
    warnings: validation.findings.filter((f) => f.severity === 'warning'),
  };
}

/** What a synth produced: the files, and the validator's warnings by environment (printed, not failing). */
export interface SynthOutput {
  readonly files: Map<string, string>;
  readonly warnings: ReadonlyMap<string, ValidationResult['findings']>;
}

/** Every environment's files, then the shared ones; a ValidationError naming every environment that fails. */
function assemble(composition: Composition, envs: readonly EnvironmentConfig[], outputs: readonly EnvironmentOutput[]): SynthOutput {
  const failures = outputs.flatMap((o) => ('failure' in o ? [o.failure] : []));
  if (failures.length > 0) throw new ValidationError(failures);
  const files = new Map(outputs.flatMap((o) => ('files' in o ? o.files : [])));
  for (const [path, content] of composition.shared(envs)) files.set(path, content);
  files.set(STAMP_FILE, `${sourceHash()}\n`);
  const warnings = new Map(envs.map((env, i) => [env.name, 'warnings' in outputs[i]! ? (outputs[i] as { warnings: ValidationResult['findings'] }).warnings : []]));
  return { files, warnings };
}

/**
 * Every environment's files, keyed by path relative to `dist/` (`prod/03-nodepools.yaml`):
 * each environment's YAML and its REPORT.md, then the shared files. `validations` are the
 * environments' validation results, in the same order. Throws a ValidationError naming every
 * environment whose objects fail.
 */
export function renderBuilt(composition: Composition, built: readonly BuiltEnvironment[], validations: readonly ValidationResult[]): SynthOutput {
  return assemble(
    composition,
    built.map((b) => b.env),
    built.map((b, i) => environmentOutput(b, validations[i]!, layout(b.manifests))),
  );
}

// Environments that may wait for the validator while the next one is built.
const IN_FLIGHT = 1;

/**
 * Every environment's files, validated by `validator` (a worker thread in `npm run synth`):
 * each environment goes to it as soon as it is built, and this thread lays out its YAML while
 * the validator works, then builds the next once the one before is validated. So at most
 * two environments' objects are held, and each is let go as soon as its files are made:
 * memory holds files, not every environment's objects.
 */
export async function renderAllWith(composition: Composition, envs: readonly EnvironmentConfig[], validator: ValidatorThread): Promise<SynthOutput> {
  const outputs: Promise<EnvironmentOutput>[] = [];
  try {
    for (const built of buildAll(composition, envs)) {
      const validation = validator.validate(built.manifests, validateOptions(built));
      const laidOut = layout(built.manifests);
      outputs.push(validation.then((result) => environmentOutput(built, result, laidOut)));
      // Before building the next, wait for the one before this: the validator always has work.
      if (outputs.length > IN_FLIGHT) await outputs[outputs.length - 1 - IN_FLIGHT];
    }
  } finally {
    // A build error must not leave validations unobserved.
    if (outputs.length < envs.length) await Promise.allSettled(outputs);
  }
  return assemble(composition, envs, await Promise.all(outputs));
}

/**
 * Replaces `outdir` with `files`. Everything is written to a sibling staging folder first and
 * swapped in with renames, so a failure while writing leaves the previous output untouched.
 */
export function writeOutput(files: ReadonlyMap<string, string>, outdir: string): void {
  const target = resolve(outdir);
  const staging = join(dirname(target), `.dist-staging-${process.pid}`);
  const previous = join(dirname(target), `.dist-previous-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    for (const [path, content] of files) {
      const file = join(staging, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
    mkdirSync(staging, { recursive: true });
    if (existsSync(target)) renameSync(target, previous);
    renameSync(staging, target);
  } catch (error) {
    if (!existsSync(target) && existsSync(previous)) renameSync(previous, target);
    throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(previous, { recursive: true, force: true });
  }
}
