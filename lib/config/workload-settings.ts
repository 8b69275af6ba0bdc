import type { EnvironmentConfig } from '../../config/environment-config';
import { IAM_ROLE, parseArn } from './aws';
import { durationSeconds, isKarpenterDuration } from 'karpenter-validate/model';
import { isJvmSize as isJvmText, isQuantity } from 'karpenter-validate/model';
import { failSetting } from './config-field';
import type { ResolvedPool } from './pools';
import type { AiWorkerSettings, AirflowSettings, KafkaSettings, SparkSettings } from '../../config/workloads';

// The settings' strings as their types promise them: a value cast past the types is no string.
const isJvmSize = (value: unknown): boolean => typeof value === 'string' && isJvmText(value);
const isDuration = (value: unknown): boolean => typeof value === 'string' && isKarpenterDuration(value, false);

/** What the checks read of a resolved workload (lib/config/workload-config.ts ResolvedWorkload). */
interface Resolved {
  readonly name: string;
  readonly settings: unknown;
  readonly components: Readonly<Record<string, { readonly pools: readonly ResolvedPool[] }>>;
}

/**
 * Checks of workloads' settings that need no chart to tell: values the charts pass on as they
 * are (a count of cores, a JVM size, a repository URL) and settings that must agree with the
 * pools the workload runs on. Each names the line the user wrote (lib/config/workload-config.ts
 * settingField): the environment's override, or config/workloads.ts.
 */
export function checkWorkloadSettings(env: EnvironmentConfig, workload: Resolved): void {
  const name = workload.name as 'spark' | 'kafka' | 'airflow' | 'ai-worker';
  const bad = (path: string, value: unknown, rule: string) => failSetting(env, name, path, value, rule);
  const count = (path: string, value: number, least: number, why: string) => {
    if (!(Number.isInteger(value) && value >= least)) bad(path, value, `be a whole number of at least ${least}: ${why}`);
  };
  switch (name) {
    case 'spark': {
      const { worker } = workload.settings as SparkSettings;
      count('worker.cores', worker.cores, 1, 'the worker offers executors that many cores (--cores) and requests them; with none it takes no executor');
      for (const field of ['executorMemory', 'daemonMemory'] as const) {
        if (!isJvmSize(worker[field])) bad(`worker.${field}`, worker[field], 'be a JVM memory size: a number and k, m, g or t ("2g", "512m"; not "2gb" or "2Gi")');
      }
      if (!isDuration(worker.protectFor)) bad('worker.protectFor', worker.protectFor, 'be a duration in whole s, m or h units ("1h"): it becomes karpenter.sh/do-not-disrupt');
      break;
    }
    case 'kafka': {
      const { heap, storage, clusterId } = workload.settings as KafkaSettings;
      if (!isJvmSize(heap)) bad('heap', heap, 'be a JVM memory size: a number and k, m, g or t ("1g", "768m"; not "1gb" or "1Gi"), as -Xmx takes it');
      if (typeof storage !== 'string' || !isQuantity(storage)) bad('storage', storage, 'be a Kubernetes quantity as a string ("100Gi"): each broker\'s volume claim asks for it');
      // kafka-storage format: a UUID in URL-safe base64, 22 characters (kafka-storage.sh random-uuid).
      if (typeof clusterId !== 'string' || !/^[A-Za-z0-9_-]{22}$/.test(clusterId)) bad('clusterId', clusterId, 'be a KRaft cluster ID: 22 characters of URL-safe base64, as `kafka-storage.sh random-uuid` prints it; every broker\'s storage is formatted with it');
      break;
    }
    case 'airflow': {
      const { dags, logs } = workload.settings as AirflowSettings;
      checkDagRepository(bad, dags.repo, dags.credentialsSecret);
      count('dags.periodSeconds', dags.periodSeconds, 1, 'git-sync waits that long between syncs');
      checkS3AndRole(bad, 'logs.remoteBaseFolder', logs.remoteBaseFolder, 'logs.roleArn', logs.roleArn);
      break;
    }
    case 'ai-worker': {
      const settings = workload.settings as AiWorkerSettings;
      checkScaling(env, settings, workload.components.worker?.pools ?? [], bad);
      checkS3AndRole(bad, 'checkpoints.location', settings.checkpoints.location, 'checkpoints.roleArn', settings.checkpoints.roleArn);
      break;
    }
    default:
      break;
  }
}

/**
 * An S3 location (`s3://bucket/prefix`) and the IAM role (IRSA) that reaches it, when set: a
 * malformed ARN is accepted by every Kubernetes schema (an annotation value) and fails only when
 * the pod first calls AWS (STS refuses to assume it).
 */
function checkS3AndRole(bad: (path: string, value: unknown, rule: string) => never, locationPath: string, location: string | undefined, rolePath: string, role: string | undefined): void {
  // S3 bucket names: 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit.
  if (location !== undefined && (typeof location !== 'string' || !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(location))) bad(locationPath, location, 'be an S3 location: "s3://<bucket>/<prefix>" with a valid bucket name (3 to 63 lower-case letters, digits, "." or "-")');
  if (role === undefined) return;
  if (typeof role !== 'string') bad(rolePath, role, 'be the ARN of an IAM role, as a string');
  const arn = parseArn(role, 'iam', IAM_ROLE);
  if ('problem' in arn) bad(rolePath, role, arn.problem);
}

/**
 * git-sync, as the Airflow chart runs it, authenticates over HTTPS with the username and token of
 * `credentialsSecret` (GITSYNC_USERNAME, GITSYNC_PASSWORD): an SSH URL (`git@host:org/repo`,
 * `ssh://`) needs a private key and known hosts (GITSYNC_SSH_KEY_FILE, GITSYNC_SSH_KNOWN_HOSTS)
 * that nothing mounts, so every sync would fail and the schedulers never start (their first sync
 * is an init container).
 */
function checkDagRepository(bad: (path: string, value: unknown, rule: string) => never, repo: string, credentials: string | undefined): void {
  if (typeof repo !== 'string') bad('dags.repo', repo, 'be the https:// URL of the DAG repository, as a string');
  if (/^(ssh:\/\/|[\w.-]+@[\w.-]+:)/.test(repo)) {
    bad('dags.repo', repo, `be an https:// URL: git-sync here authenticates over HTTPS with ${credentials ? `the username and token of Secret "${credentials}"` : 'the username and token of dags.credentialsSecret (set it for a private repository)'}; an SSH repository needs a deploy key and known hosts that nothing mounts, so every sync would fail and the schedulers never start`);
  }
  if (!/^https?:\/\/[^/\s]+\/\S+$/.test(repo)) bad('dags.repo', repo, 'be the https:// URL of the DAG repository (e.g. "https://github.com/org/dags.git")');
}

/**
 * KEDA's scaling of the GPU workers: a target per worker of at least one job (zero divides by
 * zero in the HPA KEDA makes), and a cooldown no shorter than the pools' consolidateAfter
 * (config/workloads.ts AiWorkerSettings: workers scaled to zero sooner leave their GPU node empty
 * and billed until Karpenter removes it, and the next burst buys a new node anyway).
 */
function checkScaling(env: EnvironmentConfig, settings: AiWorkerSettings, pools: readonly ResolvedPool[], bad: (path: string, value: unknown, rule: string) => never): void {
  const { scaling } = settings;
  const whole = (path: string, value: number, least: number, why: string) => {
    if (!(Number.isInteger(value) && value >= least)) bad(path, value, `be a whole number of at least ${least}: ${why}`);
  };
  whole('scaling.jobsPerWorker', scaling.jobsPerWorker, 1, 'it is the target number of waiting jobs per worker (the redis trigger\'s listLength); KEDA divides the queue length by it');
  whole('scaling.activateAbove', scaling.activateAbove, 0, 'KEDA activates the workers when more jobs than this wait');
  whole('scaling.cooldownSeconds', scaling.cooldownSeconds, 0, 'seconds without jobs before KEDA scales the workers to zero');
  for (const pool of pools) {
    if (!isKarpenterDuration(pool.consolidateAfter, true)) continue;
    const seconds = durationSeconds(pool.consolidateAfter);
    if (seconds !== Infinity && scaling.cooldownSeconds < seconds) {
      bad(
        'scaling.cooldownSeconds',
        scaling.cooldownSeconds,
        `be at least the consolidateAfter of NodePool "${pool.name}" (${pool.consolidateAfter}, ${seconds} s) in environment "${env.name}": the workers would scale to zero while Karpenter keeps their empty GPU node that long, billed and unused, and a burst in between starts workers from zero. Raise it to ${seconds} or more (README: twice consolidateAfter)`,
      );
    }
  }
}
