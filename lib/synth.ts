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
import { validate, ValidationResult } from './validation';
import { formatText } from './validation/format';

/**
 * Builds one environment's objects. Each environment gets an App of its own: cdk8s resolves
 * a whole App once per chart, so one App for every environment costs quadratic time.
 */
export function synthEnvironment(env: EnvironmentConfig): Manifest[] {
  return buildEnvironment(env).manifests;
}

/** A synthesized environment that fails validation; the message is the grouped report of its errors. */
export class ValidationError extends ConfigError {
  constructor(
    env: string,
    readonly result: ValidationResult,
    objects: number,
  ) {
    super(`environment "${env}" fails validation:\n${formatText({ ...result, findings: result.findings.filter((f) => f.severity === 'error'), waived: [] }, objects)}`);
    this.name = 'ValidationError';
  }
}

/** An environment's objects, the pools they were placed on, and what the validator found. */
export function buildEnvironment(env: EnvironmentConfig): { manifests: Manifest[]; pools: ResolvedPool[]; validation: ValidationResult } {
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
  const manifests = app.charts.flatMap((chart) => chart.toJson() as Manifest[]);
  // The set is complete: every reference must resolve inside it.
  const validation = validate(manifests.map((object) => ({ object })), { complete: true, production: env.production });
  if (validation.errors > 0) throw new ValidationError(env.name, validation, manifests.length);
  return { manifests, pools, validation };
}

/** Every environment's files, keyed by path relative to `dist/` (`prod/03-nodepools.yaml`). */
export function renderAll(envs: readonly EnvironmentConfig[]): Map<string, string> {
  const names = new Set<string>();
  const files = new Map<string, string>();
  for (const env of envs) {
    if (names.has(env.name)) throw new ConfigError(`environment "${env.name}": 'name' ("${env.name}") must be unique across config/environments`);
    names.add(env.name);
    const { manifests, pools, validation } = buildEnvironment(env);
    for (const [file, content] of layout(manifests)) files.set(`${env.name}/${file}`, content);
    files.set(`${env.name}/REPORT.md`, report(env, manifests, pools, validation));
  }
  const argocd = new ArgoCdChart(Testing.app(), 'argocd', { envs }).toJson() as Manifest[];
  const wave = (m: Manifest) => Number(m.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
  files.set('argocd/bootstrap.yaml', toYaml([...argocd].sort((a, b) => wave(a) - wave(b) || a.metadata.name.localeCompare(b.metadata.name))));
  files.set('argocd/optional/argocd-cm-health-patch.yaml', healthPatch());
  return files;
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
