import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the build, without types
import { checkConfig } from '../scripts/check-config.mjs';
import { dev } from '../config/environments/dev';
import { prod } from '../config/environments/prod';
import { NODE_CLASSES } from '../config/node-classes';
import { POOLS } from '../config/pools';
import type { EnvironmentConfig } from '../config/environment-config';
import { WORKLOADS } from '../config/workloads';
import { amiReleaseProblem, AMI_RELEASES, compareReleases } from '../packages/karpenter-validate/src/ami-releases';
import { environmentFile } from '../lib/config/environment';
import { SYNTH_USAGE, synthArgs } from '../lib/synth/synth-args';
import { validate } from '../packages/karpenter-validate/src/validation';
import { cronError } from '../packages/karpenter-validate/src/validation/robfig-cron';
import { synth } from './helpers';

const ROOT = resolve(__dirname, '..');

/**
 * The mistakes a new user made that passed synth or crashed it. Typos are caught by the type
 * check of config/ that `npm run synth` runs before it bundles (scripts/check-config.mjs): it runs
 * here on a copy of config/ with every typo at once, since each run costs half a second.
 */
describe('typos in config stop the build, naming the file, the path, the key and the closest key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'config-typos-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(ROOT, 'config'), join(dir, 'config'), { recursive: true });
  const edit = (file: string, from: string, to: string) => {
    const path = join(dir, 'config', file);
    const text = readFileSync(path, 'utf8');
    if (!text.includes(from)) throw new Error(`${file} has no ${JSON.stringify(from)}`);
    writeFileSync(path, text.replace(from, to));
  };
  edit('environments/prod.ts', "      consolidateAfter: '2m',", "      consolidateAfter: '2m',\n      weigth: 10,");
  edit('environments/prod.ts', 'spark: { components: { worker: { minReplicas: 5,', 'spark: { components: { worker: { minReplica: 5,');
  edit('environments/dev.ts', '    jenkins: {', '    jenkinz: {');
  edit('pools.ts', "  'core-arm-ondemand': {", "  'gpu-spot': { ...LLM_ON_DEMAND, name: 'gpu-spot' },\n  'core-arm-ondemand': {");
  edit('environments/prod.ts', "  subnets: { ids: ['subnet-0457482d8fd4633d2', 'subnet-0f8d75c0597802e40', 'subnet-0a20dabe898695929'] },", '  subnets: {},');
  edit('workloads.ts', "kafka: { repository: 'apache/kafka', tag: '3.9.1', architectures: MULTI_ARCH }", "kafka: { repository: 'apache/kafka', tag: '3.9.1' }");
  const problems: string[] = checkConfig(dir);
  const expectProblem = (text: string) => expect(problems.some((p) => p.includes(text)), `${text}\nin:\n${problems.join('\n')}`).toBe(true);

  it('names an unknown pool field and the field meant', () => {
    // The line is the edited one, wherever prod.ts has it: found, not hard-coded.
    const line = readFileSync(join(dir, 'config', 'environments', 'prod.ts'), 'utf8').split('\n').findIndex((l) => l.includes('weigth')) + 1;
    expectProblem(`config/environments/prod.ts:${line}:7: 'prod.pools.default.weigth' ("weigth") must be a key of PoolOverride: did you mean 'weight'?`);
  });

  it('names an unknown sizing field and the field meant', () => {
    expectProblem(`'prod.workloads.spark.components.worker.minReplica' ("minReplica") must be a key of ComponentSizing: did you mean 'minReplicas'?`);
  });

  it('names a workloads key that names no workload, and the workload meant', () => {
    expectProblem(`'dev.workloads.jenkinz' ("jenkinz") must be a key of WorkloadOverrides: did you mean 'jenkins'?`);
  });

  it('refuses a key given twice in POOLS', () => {
    expectProblem('config/pools.ts:');
    expectProblem('An object literal cannot have multiple properties with the same name');
  });

  it('refuses subnets that are neither tags nor IDs, and an image without its architectures', () => {
    expectProblem("'prod.subnets'");
    expectProblem("'WORKLOADS.kafka.images.kafka'");
    expectProblem("Property 'architectures' is missing");
  });

  it('passes the config as committed', () => {
    expect(checkConfig()).toEqual([]);
  });
});

describe('mistakes the type check cannot see stop synth with a message', () => {
  it('reports a mistake in a base pool even when every environment overrides the field', () => {
    const original = POOLS['kafka-arm-ondemand'].expireAfter;
    (POOLS['kafka-arm-ondemand'] as { expireAfter: string }).expireAfter = '30d';
    try {
      expect(() => synth({ ...dev, pools: { ...dev.pools, 'kafka-arm-ondemand': { ...dev.pools?.['kafka-arm-ondemand'], expireAfter: '720h' } } })).toThrow(
        `config/pools.ts: NodePool "kafka-arm-ondemand": 'expireAfter' ("30d") must be a duration in whole s, m or h units`,
      );
    } finally {
      (POOLS['kafka-arm-ondemand'] as { expireAfter: string }).expireAfter = original;
    }
  });

  it('refuses a pool named like another (one NodePool for two definitions)', () => {
    const original = POOLS['gpu-premium'].name;
    (POOLS['gpu-premium'] as { name: string }).name = 'gpu-spot';
    try {
      expect(() => synth(dev)).toThrow(`config/pools.ts: NodePool "gpu-spot": 'name' ("gpu-spot") must equal its key in POOLS ("gpu-premium")`);
    } finally {
      (POOLS['gpu-premium'] as { name: string }).name = original;
    }
  });

  it('keeps the production promise of two LLM servers', () => {
    expect(() => synth({ ...prod, workloads: { ...prod.workloads, llm: { components: { server: { minReplicas: 1 } } } } })).toThrow(
      `environment "prod" (config/environments/prod.ts): 'workloads.llm.components.server.minReplicas' (1) must be >= 2 in production: config/workloads.ts promises it (productionMinReplicas)`,
    );
    expect(() => synth({ ...dev, workloads: { ...dev.workloads, llm: { components: { server: { minReplicas: 1 } } } } })).not.toThrow();
  });

  it('needs an interruption queue in production', () => {
    expect(() => synth({ ...prod, karpenter: { ...prod.karpenter, interruptionQueue: undefined } })).toThrow(
      `environment "prod" (config/environments/prod.ts): 'karpenter.interruptionQueue' (undefined) must name the SQS queue of the EventBridge interruption rules in production`,
    );
  });

  it('accepts a hop limit of 2 only with a waiver that says why', () => {
    const original = NODE_CLASSES.llm;
    const set = (value: typeof original) => ((NODE_CLASSES as Record<string, typeof original>).llm = value);
    try {
      set({ ...original, httpPutResponseHopLimit: 2 });
      expect(() => synth(dev)).toThrow(`EC2NodeClass "llm": 'httpPutResponseHopLimit' (2) must be 1 (pods then cannot reach the node's instance credentials), or come with a waiver saying why: waivers: { imdsv2: '...' }`);
      set({ ...original, httpPutResponseHopLimit: 2, waivers: { imdsv2: 'the inference sidecar reads instance metadata through the node' } });
      const classes = synth(dev).filter((m) => m.kind === 'EC2NodeClass' && m.metadata.name === 'llm');
      expect(classes[0]!.metadata.annotations?.['waivers.karpenter-as-code.io/imdsv2']).toBe('the inference sidecar reads instance metadata through the node');
    } finally {
      set(original);
    }
  });

  it('gives a pinned example, never "latest", when an AMI version is malformed', () => {
    expect(() => synth({ ...dev, amiVersions: { al2023: '2025-07-15' } })).toThrow(`'amiVersions.al2023' ("2025-07-15") must be a release tag like "v20260714"`);
  });

  it('accepts node-restriction.kubernetes.io labels, which Kubernetes reserves for exactly this', () => {
    const original = POOLS['kafka-arm-ondemand'].labels;
    (POOLS['kafka-arm-ondemand'] as { labels: Record<string, string> }).labels = { ...original, 'node-restriction.kubernetes.io/workload': 'kafka' };
    try {
      const pool = synth(dev).find((m) => m.kind === 'NodePool' && m.metadata.name === 'kafka-arm-ondemand')!;
      expect((pool.spec as any).template.metadata.labels['node-restriction.kubernetes.io/workload']).toBe('kafka');
    } finally {
      (POOLS['kafka-arm-ondemand'] as { labels: Record<string, string> }).labels = original;
    }
  });
});

describe('credentials in env values', () => {
  const pod = (env: { name: string; value: string }[], annotations: Record<string, string> = {}) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'x', annotations },
    spec: { securityContext: { runAsNonRoot: true, runAsUser: 1000 }, containers: [{ name: 'c', image: 'c:1', env, resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '1Gi' } } }] },
  });
  const rules = (object: Record<string, unknown>) => validate([{ object }]).findings.map((f) => f.rule);

  it.each(['DB_PASS', 'GITHUB_TOKEN', 'BASIC_AUTH', 'APP_SECRET', 'SIGNING_KEY', 'apiKey', 'AWS_ACCESS_KEY_ID', 'SENTRY_DSN', 'OAUTH_CREDENTIALS'])('catches %s with a literal value', (name) => {
    expect(rules(pod([{ name, value: 'x' }]))).toContain('no-inline-credentials');
  });

  it.each(['CUDA_VISIBLE_DEVICES', 'KAFKA_HEAP_OPTS', 'OLLAMA_KEEP_ALIVE', 'PASSTHROUGH_MODE', 'MONKEY'])('leaves %s alone', (name) => {
    expect(rules(pod([{ name, value: 'x' }]))).not.toContain('no-inline-credentials');
  });

  it('takes a waiver for a false positive', () => {
    expect(rules(pod([{ name: 'PARTITION_KEY', value: 'tenant' }], { 'waivers.karpenter-as-code.io/no-inline-credentials': 'PARTITION_KEY names a column, not a secret' }))).not.toContain('no-inline-credentials');
  });
});

/** `env` with one pool's fields replaced (the fields as an environment overrides them). */
function withPool(env: EnvironmentConfig, name: string, override: Record<string, unknown>): EnvironmentConfig {
  return { ...env, pools: { ...env.pools, [name]: { ...(env.pools as Record<string, object> | undefined)?.[name], ...override } } } as EnvironmentConfig;
}

/** `env` with one workload's override replaced. */
function withWorkload(env: EnvironmentConfig, name: string, override: Record<string, unknown>): EnvironmentConfig {
  return { ...env, workloads: { ...env.workloads, [name]: override } } as EnvironmentConfig;
}

/** Runs `check` with a shared config object changed, and restores it whatever happens. */
function changed<T extends object>(target: T, change: Partial<T>, check: () => void): void {
  const original = { ...target };
  Object.assign(target, change);
  try {
    check();
  } finally {
    for (const key of Object.keys(change)) delete (target as Record<string, unknown>)[key];
    Object.assign(target, original);
  }
}

describe('AMI pins are published for the cluster\'s Kubernetes version (issue 23, item 7)', () => {
  it('refuses an AL2023 release published before AL2023 AMIs for 1.35, naming the first that has them', () => {
    expect(() => synth({ ...prod, amiVersions: { al2023: 'v20250715' } })).toThrow(
      `environment "prod" (config/environments/prod.ts): 'amiVersions.al2023' ("v20250715") must be v20260114 or later: al2023 publishes AMIs for Kubernetes 1.35 (kubernetesVersion) from v20260114 on (awslabs/amazon-eks-ami CHANGELOG.md (v20240213 to v20260714)); al2023@v20250715 resolves through an SSM parameter named for the cluster's Kubernetes minor, which that release does not publish`,
    );
  });

  it('refuses a Bottlerocket release without the aws-k8s-1.35 variants', () => {
    expect(() => synth({ ...dev, amiVersions: { bottlerocket: 'v1.43.0' } })).toThrow(`'amiVersions.bottlerocket' ("v1.43.0") must be v1.53.0 or later: bottlerocket publishes AMIs for Kubernetes 1.35 (kubernetesVersion) from v1.53.0 on`);
  });

  it('names the pin of config/versions.ts when the environment sets none, and refuses a tag that is no release', () => {
    expect(() => synth({ ...dev, amiVersions: { al2023: 'v20251001' } })).toThrow(
      `'amiVersions.al2023' ("v20251001") must be a release of al2023 (awslabs/amazon-eks-ami CHANGELOG.md (v20240213 to v20260714)); there is none named v20251001 (the nearest are v20250920 and v20251002)`,
    );
  });

  it('accepts the first release of each minor and any release newer than the facts know', () => {
    expect(amiReleaseProblem('al2023', 'v20260114', '1.35')).toBeUndefined();
    expect(amiReleaseProblem('al2023', 'v20260107', '1.35')).toMatch(/^be v20260114 or later/);
    expect(amiReleaseProblem('bottlerocket', 'v1.53.0', '1.35')).toBeUndefined();
    expect(amiReleaseProblem('bottlerocket', 'v1.52.9', '1.35')).toMatch(/^be v1.53.0 or later/);
    expect(amiReleaseProblem('al2023', 'v20270101', '1.35')).toBeUndefined();
    expect(() => synth({ ...dev, amiVersions: { al2023: 'v20260625', bottlerocket: 'v1.53.0' } })).not.toThrow();
  });

  it('refuses a release no longer published for the minor', () => {
    expect(amiReleaseProblem('al2023', 'v20260403', '1.29')).toMatch(/^be older than v20260403: al2023 stopped publishing AMIs for Kubernetes 1.29/);
    expect(amiReleaseProblem('bottlerocket', 'v1.64.0', '1.30')).toMatch(/^be older than v1.64.0/);
  });

  it('records the first release of every minor from 1.29 to 1.35 for both families, in release order', () => {
    for (const family of ['al2023', 'bottlerocket'] as const) {
      for (let minor = 29; minor <= 35; minor++) expect(AMI_RELEASES[family].minors[`1.${minor}`]?.first, `${family} 1.${minor}`).toBeDefined();
      const firsts = Object.entries(AMI_RELEASES[family].minors).map(([, r]) => r.first);
      expect([...firsts].sort(compareReleases), family).toEqual(firsts);
    }
    const releases = AMI_RELEASES.al2023.releases!;
    expect([...releases].sort(compareReleases)).toEqual(releases);
    for (const [minor, range] of Object.entries(AMI_RELEASES.al2023.minors)) {
      expect(releases, minor).toContain(range.first);
      if (range.removedIn) expect(releases, minor).toContain(range.removedIn);
    }
  });
});

describe('mistakes that passed synth stop it, naming the value and the fix (issue 23, item 14)', () => {
  it('refuses pool limits below one node of the smallest instance type the pool allows', () => {
    expect(() => synth(withPool(dev, 'default', { limits: { cpu: '1', memory: '40Gi' } }))).toThrow(
      `environment "dev" (config/environments/dev.ts): NodePool "default": 'limits.cpu' ("1") must allow one node of the smallest instance type the pool allows, t3.medium (2 vCPU): be at least "2". Karpenter launches no node that would exceed the limits`,
    );
    expect(() => synth(withPool(dev, 'default', { limits: { cpu: '20', memory: '2Gi' } }))).toThrow(`'limits.memory' ("2Gi") must allow one node of the smallest instance type the pool allows, t3.medium (3.7Gi of memory as Karpenter counts it, after the VM overhead): be at least "4Gi"`);
    expect(() => synth(withPool(dev, 'default', { limits: { cpu: '20', memory: '40Gi', nodes: '0' } }))).toThrow(`'limits.nodes' ("0") must be at least 1`);
    // Limits prod leaves as config/pools.ts has them are named there, with what prod changed.
    expect(() => synth(withPool(prod, 'kafka-arm-ondemand', { instanceTypes: ['r7g.8xlarge'] }))).toThrow(
      `config/pools.ts: NodePool "kafka-arm-ondemand" (with the instance types environment "prod" allows): 'limits.cpu' ("24") must allow one node of the smallest instance type the pool allows, r7g.8xlarge (32 vCPU): be at least "32"`,
    );
  });

  it('refuses a Kafka heap that is not a JVM size, or that the broker\'s memory limit cannot hold', () => {
    expect(() => synth(withWorkload(dev, 'kafka', { settings: { heap: '1gb' } }))).toThrow(`environment "dev" (config/environments/dev.ts): 'workloads.kafka.settings.heap' ("1gb") must be a JVM memory size`);
    expect(() => synth(withWorkload(dev, 'kafka', { settings: { heap: '4g' } }))).toThrow(
      `environment "dev" (config/environments/dev.ts): 'workloads.kafka.settings.heap' ("4g") must leave room for the JVM's non-heap memory (about 512Mi) under the broker's memory limit (4Gi): at most 3584m`,
    );
  });

  it('refuses Spark workers with no cores and KEDA with no jobs per worker', () => {
    expect(() => synth(withWorkload(dev, 'spark', { ...dev.workloads?.spark, settings: { worker: { cores: 0 } } }))).toThrow(`'workloads.spark.settings.worker.cores' (0) must be a whole number of at least 1`);
    const aiWorker = dev.workloads?.['ai-worker'];
    expect(() => synth(withWorkload(dev, 'ai-worker', { ...aiWorker, settings: { ...aiWorker?.settings, scaling: { jobsPerWorker: 0 } } }))).toThrow(`'workloads.ai-worker.settings.scaling.jobsPerWorker' (0) must be a whole number of at least 1`);
  });

  it('refuses a KEDA cooldown shorter than the consolidateAfter of the workers\' pool', () => {
    const aiWorker = dev.workloads?.['ai-worker'];
    expect(() => synth(withWorkload(dev, 'ai-worker', { ...aiWorker, settings: { ...aiWorker?.settings, scaling: { cooldownSeconds: 60 } } }))).toThrow(
      `'workloads.ai-worker.settings.scaling.cooldownSeconds' (60) must be at least the consolidateAfter of NodePool "gpu-spot" (5m, 300 s) in environment "dev"`,
    );
  });

  it.each([
    ['0 25 * * mon-fri', 'end of range (25) above maximum (23): 25'],
    ['0 0 * * mon-fry', 'failed to parse int from fry'],
    ['TZ=Asia/Seoul 0 9 * * mon-fri', 'expected exactly 5 fields, found 6. Karpenter reads every schedule in UTC and takes no time zone: convert the times to UTC.'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
  ])('refuses the budget schedule %j, as robfig/cron parses it for Karpenter', (schedule, why) => {
    expect(() => synth(withPool(dev, 'default', { budgets: [{ nodes: '0', schedule, duration: '8h' }] }))).toThrow(
      `NodePool "default": 'budgets[0].schedule' (${JSON.stringify(schedule)}) must be a cron schedule Karpenter can parse: five fields (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or jan-dec, day of week 0-6 or sun-sat), or @daily, @hourly, @weekly, @monthly, @yearly; robfig/cron says: ${why}`,
    );
  });

  it('accepts the schedules Karpenter parses: named days, descriptors, @every', () => {
    for (const schedule of ['0 0 * * mon-fri', '@daily', '@every 1h30m', '*/15 9-17 * * 1-5']) expect(cronError(`TZ=UTC ${schedule}`, { descriptors: true }), schedule).toBeUndefined();
  });

  it('refuses malformed ARNs: a missing colon, an 11-digit account, and a KMS key of another region', () => {
    expect(() => synth({ ...dev, karpenter: { ...dev.karpenter, controllerRoleArn: 'arn:aws:iam:111122223333:role/karpenter' } })).toThrow(
      `environment "dev" (config/environments/dev.ts): 'karpenter.controllerRoleArn' ("arn:aws:iam:111122223333:role/karpenter") must be an ARN, arn:<partition>:iam:<region>:<account>:<resource> (e.g. "arn:aws:iam::111122223333:role/karpenter-controller"); it has 4 colons where an ARN has at least 5`,
    );
    expect(() => synth({ ...dev, karpenter: { ...dev.karpenter, controllerRoleArn: 'arn:aws:iam::11112222333:role/karpenter' } })).toThrow(`'karpenter.controllerRoleArn' ("arn:aws:iam::11112222333:role/karpenter") must name a 12-digit account in its fifth field, not "11112222333" (11 characters`);
    expect(() => synth({ ...prod, ebsKmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/6f1c2a4e-8b3d-4c5e-9a7f-0d2e4b6c8a10' })).toThrow(
      `'ebsKmsKeyId' ("arn:aws:kms:us-east-1:111122223333:key/6f1c2a4e-8b3d-4c5e-9a7f-0d2e4b6c8a10") must be a key of the cluster's region ap-northeast-2, not us-east-1: EBS encrypts a volume only with a key of its own region`,
    );
    const airflow = dev.workloads?.airflow;
    expect(() => synth(withWorkload(dev, 'airflow', { ...airflow, settings: { logs: { ...airflow?.settings?.logs, roleArn: 'arn:aws:iam::1111222233334:role/airflow' } } }))).toThrow(`'workloads.airflow.settings.logs.roleArn' ("arn:aws:iam::1111222233334:role/airflow") must name a 12-digit account`);
  });

  it('refuses EFS and security group IDs AWS would not issue', () => {
    expect(() => synth({ ...dev, modelsFileSystemId: 'fs0a1b2c3d' })).toThrow(`'modelsFileSystemId' ("fs0a1b2c3d") must be an EFS file system ID: "fs-" and 8 to 40 hexadecimal digits`);
    expect(() => synth({ ...dev, securityGroups: { ids: ['sg-12'] } })).toThrow(`'securityGroups.ids' ("sg-12") must be an EC2 ID: "sg-" and 8 or 17 hexadecimal digits (e.g. "sg-0457482d8fd4633d2")`);
  });

  it('refuses an Argo CD destination without its scheme', () => {
    expect(() => synth({ ...dev, argocdDestination: 'kubernetes.default.svc' })).toThrow(`'argocdDestination' ("kubernetes.default.svc") must be the https:// URL of the API server`);
  });

  it('refuses gp3 throughput above 0.25 MiB/s per provisioned IOPS, and more pods than EKS runs on a node', () => {
    changed(NODE_CLASSES.data, { volumes: [{ deviceName: '/dev/xvda', size: '100Gi', iops: 3000, throughput: 1000, rootVolume: true }] }, () => {
      expect(() => synth(dev)).toThrow(
        `config/node-classes.ts: EC2NodeClass "data": 'volumes[0].throughput' (1000) must be at most 0.25 MiB/s per provisioned IOPS (750 MiB/s at 3000 IOPS): EC2 refuses more, and no node of the class would launch. Raise iops to at least 4000 or lower the throughput`,
      );
    });
    changed(NODE_CLASSES.default, { kubelet: { ...NODE_CLASSES.default.kubelet, maxPods: 1000 } }, () => {
      expect(() => synth(dev)).toThrow(`config/node-classes.ts: EC2NodeClass "default": 'kubelet.maxPods' (1000) must be from 1 to 250`);
    });
  });

  it('refuses a taint on the pool meant for pods that select none', () => {
    changed(POOLS.default, { taints: [{ key: 'workload', value: 'general', effect: 'NoSchedule' }] }, () => {
      expect(() => synth(dev)).toThrow(`config/pools.ts: NodePool "default": 'taints[0]' ({"key":"workload","value":"general","effect":"NoSchedule"}) must be left out of the "default" pool: it is the pool for pods that select none`);
    });
  });

  it('refuses an SSH DAG repository, which git-sync here has no key for', () => {
    const airflow = dev.workloads?.airflow;
    expect(() => synth(withWorkload(dev, 'airflow', { ...airflow, settings: { ...airflow?.settings, dags: { repo: 'git@github.com:hihypipe/airflow-dags.git' } } }))).toThrow(
      `environment "dev" (config/environments/dev.ts): 'workloads.airflow.settings.dags.repo' ("git@github.com:hihypipe/airflow-dags.git") must be an https:// URL: git-sync here authenticates over HTTPS`,
    );
  });

  it('refuses values of the wrong type that a cast smuggled past the types', () => {
    expect(() => synth(withPool(dev, 'kafka-arm-ondemand', { limits: { cpu: 12 as any, memory: '48Gi' } }))).toThrow(
      `environment "dev" (config/environments/dev.ts): 'pools.kafka-arm-ondemand.limits.cpu' (12) must be a string (a Kubernetes quantity like "40" or "160Gi", as a string): config/types.ts promises it`,
    );
    expect(() => synth({ ...dev, production: 'no' as any })).toThrow(`'production' ("no") must be a boolean`);
    expect(() => synth(withWorkload(dev, 'kafka', { settings: { storage: 100 } }))).toThrow(`'workloads.kafka.settings.storage' (100) must be a string like the value it overrides in config/workloads.ts ("100Gi")`);
    changed(WORKLOADS.kafka.settings, { heap: 1 as any }, () => {
      expect(() => synth(dev)).toThrow(`config/workloads.ts: workload "kafka": 'settings.heap' (1) must be a JVM memory size`);
    });
    changed(NODE_CLASSES.llm, { volumes: [{ deviceName: '/dev/xvda', size: 100 as any, rootVolume: true }] }, () => {
      expect(() => synth(dev)).toThrow(`config/node-classes.ts: EC2NodeClass "llm": 'volumes[0].size' (100) must be a string`);
    });
  });
});

describe('messages name what the user wrote (issue 23, item 16)', () => {
  it('names the config path of a replica count, not the construct prop it becomes', () => {
    expect(() => synth(withWorkload(dev, 'airflow', { ...dev.workloads?.airflow, components: { webserver: { minReplicas: 0, maxReplicas: 2 } } }))).toThrow(
      `environment "dev" (config/environments/dev.ts): 'workloads.airflow.components.webserver.minReplicas' (0) must be at least 1: the webserver autoscales with an HPA`,
    );
    changed(WORKLOADS.airflow.components.scheduler, { maxReplicas: 4 }, () => {
      expect(() => synth(prod)).toThrow(`config/workloads.ts: workload "airflow": 'components.scheduler.maxReplicas' (4) must equal minReplicas (2) or be left out: the schedulers do not autoscale`);
    });
  });

  it('says a mistyped region is not a region, once, instead of blaming every zone', () => {
    expect(() => synth({ ...dev, cluster: { ...dev.cluster, region: 'ap-northeast-22' } })).toThrow(`environment "dev" (config/environments/dev.ts): 'cluster.region' ("ap-northeast-22") must be an AWS region (did you mean "ap-northeast-2"?)`);
  });

  it('names the file that declares an environment, not one its name would have', () => {
    const dir = mkdtempSync(join(tmpdir(), 'environments-'));
    try {
      writeFileSync(join(dir, 'dev.ts'), readFileSync(join(ROOT, 'config', 'environments', 'dev.ts'), 'utf8').replace("name: 'dev'", "name: 'Dev'"));
      expect(environmentFile('Dev', dir)).toBe('config/environments/dev.ts');
      expect(environmentFile('dev', dir)).toBe('config/environments/dev.ts');
      expect(environmentFile('qa', dir)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Declared nowhere (built in code): the folder, never a file that does not exist.
    expect(() => synth({ ...dev, name: 'Dev' })).toThrow(`environment "Dev" (config/environments/): 'name' ("Dev") must be a DNS-1123 label`);
  });

  it('says a requirement key is unknown, and the key meant, rather than that no type satisfies the requirements', () => {
    expect(() => synth(withPool(prod, 'llm-arm-spot', { requirements: [{ key: 'karpenter.k8s.aws/instance-familly', operator: 'In', values: ['m7g'] }] }))).toThrow(
      `NodePool "llm-arm-spot": 'requirements[0].key' ("karpenter.k8s.aws/instance-familly") must be a label Karpenter knows (did you mean "karpenter.k8s.aws/instance-family"?)`,
    );
    expect(() => synth(withPool(prod, 'llm-arm-spot', { requirements: [{ key: 'instance-family', operator: 'In', values: ['m7g'] }] }))).toThrow(`(did you mean "karpenter.k8s.aws/instance-family"?)`);
  });
});

describe('npm run synth takes no arguments but --help', () => {
  const names = ['dev', 'prod'];
  it('prints its usage for --help, and runs with none', () => {
    expect(synthArgs([], names)).toEqual({ run: true });
    expect(synthArgs(['--help'], names)).toEqual({ help: SYNTH_USAGE });
    expect(SYNTH_USAGE).toContain('usage: npm run synth [-- --help]');
  });

  it('refuses an environment name, saying why it renders every environment, and anything else', () => {
    expect((synthArgs(['prod'], names) as { error: string }).error).toMatch(/^'prod' is an environment, and synth renders every environment at once \(dev, prod\)/);
    expect((synthArgs(['--prod'], names) as { error: string }).error).toMatch(/^unknown option '--prod': synth takes no options; dist\/ was not touched/);
  });

  describe('the built command', () => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-args-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const run = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, '.build', 'main.js'), ...args], { encoding: 'utf8', env: { ...process.env, DIST_DIR: join(dir, 'dist') } });

    it('exits 0 on --help and 2 on an environment name, writing nothing', () => {
      const help = run('--help');
      expect(help.status).toBe(0);
      expect(help.stdout).toBe(`${SYNTH_USAGE}\n`);
      const prod = run('prod');
      expect(prod.status).toBe(2);
      expect(prod.stderr).toContain(`'prod' is an environment`);
      expect(existsSync(join(dir, 'dist'))).toBe(false);
    });
  });
});

describe('npm run synth before npm ci', () => {
  it('says in one line to run npm ci, exit 2, without a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'no-install-'));
    try {
      cpSync(join(ROOT, 'scripts'), join(dir, 'scripts'), { recursive: true });
      cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
      const result = spawnSync(process.execPath, [join(dir, 'scripts', 'run.mjs'), 'main'], { encoding: 'utf8', cwd: dir });
      expect(result.status).toBe(2);
      expect(result.stderr).toBe('npm run synth: the dependencies are not installed (there is no node_modules/): run npm ci first, which installs the versions package-lock.json pins (dist/ left unchanged)\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
