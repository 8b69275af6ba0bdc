import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { App, Testing } from 'cdk8s';
import { ArgoCdChart } from '../charts/argocd';
import { AiWorkerChart } from '../charts/ai-worker';
import { AirflowChart } from '../charts/airflow';
import { JenkinsChart } from '../charts/jenkins';
import { KafkaChart } from '../charts/kafka';
import { KarpenterChart } from '../charts/karpenter';
import { LlmChart } from '../charts/llm';
import { PlatformChart } from '../charts/platform';
import { SparkChart } from '../charts/spark';
import { EnvironmentConfig } from '../config/types';
import { checkEnvironment } from './environment';
import { ConfigError } from './errors';
import { healthPatch } from './argocd-health';
import { layout, Manifest, toYaml } from './layout';
import { report } from './report';
import { resolvePools, ResolvedPool } from './pools';
import type { ValidatorThread } from './validator-thread';
import type { ValidateOptions, ValidationResult } from './validation';
import { formatText } from './validation/format';

/** One environment, synthesized: its objects and the pools they were placed on. */
export interface BuiltEnvironment {
  readonly env: EnvironmentConfig;
  readonly manifests: Manifest[];
  readonly pools: ResolvedPool[];
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

/**
 * Builds one environment's objects, without validating them. Each environment gets an App of
 * its own: cdk8s resolves a whole App once per chart, so one App for every environment costs
 * quadratic time.
 */
export function buildEnvironment(env: EnvironmentConfig): BuiltEnvironment {
  checkEnvironment(env);
  const pools = resolvePools(env);
  const app = new App({ outdir: join('.cdk8s.out', env.name) });
  const byName = new Map(pools.map((pool) => [pool.name, pool]));
  const props = { env, pools: byName };
  new PlatformChart(app, `${env.name}-platform`, { env, models: byName.has('gpu-spot') });
  new KarpenterChart(app, `${env.name}-karpenter`, { env, pools });
  new JenkinsChart(app, `${env.name}-jenkins`, props);
  new KafkaChart(app, `${env.name}-kafka`, props);
  new SparkChart(app, `${env.name}-spark`, props);
  new AirflowChart(app, `${env.name}-airflow`, props);
  new LlmChart(app, `${env.name}-llm`, props);
  new AiWorkerChart(app, `${env.name}-ai-worker`, props);
  const errors = app.node.findAll().flatMap((c) => c.node.validate().map((message) => `${c.node.path}: ${message}`));
  if (errors.length > 0) throw new ConfigError(errors.join('\n'));
  return { env, manifests: app.charts.flatMap((chart) => chart.toJson() as Manifest[]), pools };
}

/** How an environment is validated: as a complete set, with production rules where it is production. */
export function validateOptions(env: EnvironmentConfig): ValidateOptions {
  return { complete: true, production: env.production };
}

/** Every environment, built one at a time; names must be unique. */
export function* buildAll(envs: readonly EnvironmentConfig[]): Generator<BuiltEnvironment> {
  const names = new Set<string>();
  for (const env of envs) {
    if (names.has(env.name)) throw new ConfigError(`environment "${env.name}": 'name' ("${env.name}") must be unique across config/environments`);
    names.add(env.name);
    yield buildEnvironment(env);
  }
}

/** One environment's files (paths relative to `dist/`), or why it fails validation. */
type EnvironmentOutput = { readonly files: readonly (readonly [string, string])[] } | { readonly failure: ValidationFailure };

/** An environment's YAML (`laidOut`, by file name) and REPORT.md, once validation passed. */
function environmentOutput({ env, manifests, pools }: BuiltEnvironment, validation: ValidationResult, laidOut: ReadonlyMap<string, string>): EnvironmentOutput {
  if (validation.errors > 0) return { failure: { env: env.name, result: validation, objects: manifests.length } };
  return { files: [...[...laidOut].map(([file, content]) => [`${env.name}/${file}`, content] as const), [`${env.name}/REPORT.md`, report(env, manifests, pools, validation)]] };
}

/** Every environment's files, then ArgoCD's; a ValidationError naming every environment that fails. */
function assemble(envs: readonly EnvironmentConfig[], outputs: readonly EnvironmentOutput[]): Map<string, string> {
  const failures = outputs.flatMap((o) => ('failure' in o ? [o.failure] : []));
  if (failures.length > 0) throw new ValidationError(failures);
  const files = new Map(outputs.flatMap((o) => ('files' in o ? o.files : [])));
  const argocd = new ArgoCdChart(Testing.app(), 'argocd', { envs }).toJson() as Manifest[];
  const wave = (m: Manifest) => Number(m.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
  files.set('argocd/bootstrap.yaml', toYaml([...argocd].sort((a, b) => wave(a) - wave(b) || a.metadata.name.localeCompare(b.metadata.name))));
  files.set('argocd/optional/argocd-cm-health-patch.yaml', healthPatch());
  return files;
}

/**
 * Every environment's files, keyed by path relative to `dist/` (`prod/03-nodepools.yaml`):
 * each environment's YAML and its REPORT.md, then ArgoCD's bootstrap. `validations` are the
 * environments' validation results, in the same order. Throws a ValidationError naming every
 * environment whose objects fail.
 */
export function renderBuilt(built: readonly BuiltEnvironment[], validations: readonly ValidationResult[]): Map<string, string> {
  return assemble(
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
export async function renderAllWith(envs: readonly EnvironmentConfig[], validator: ValidatorThread): Promise<Map<string, string>> {
  const outputs: Promise<EnvironmentOutput>[] = [];
  try {
    for (const built of buildAll(envs)) {
      const validation = validator.validate(built.manifests, validateOptions(built.env));
      const laidOut = layout(built.manifests);
      outputs.push(validation.then((result) => environmentOutput(built, result, laidOut)));
      // Before building the next, wait for the one before this: the validator always has work.
      if (outputs.length > IN_FLIGHT) await outputs[outputs.length - 1 - IN_FLIGHT];
    }
  } finally {
    // A build error must not leave validations unobserved.
    if (outputs.length < envs.length) await Promise.allSettled(outputs);
  }
  return assemble(envs, await Promise.all(outputs));
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
