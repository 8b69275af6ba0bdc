import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the build, without types
import { checkConfig } from '../scripts/check-config.mjs';
import { dev } from '../config/environments/dev';
import { prod } from '../config/environments/prod';
import { NODE_CLASSES } from '../config/node-classes';
import { POOLS } from '../config/pools';
import { validate } from '../lib/validation';
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
    expectProblem(`config/environments/prod.ts:36:7: 'prod.pools.default.weigth' ("weigth") must be a key of PoolOverride: did you mean 'weight'?`);
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
    expect(() => synth({ ...dev, amiVersions: { al2023: '2025-07-15' } })).toThrow(`'amiVersions.al2023' ("2025-07-15") must be a release tag like "v20250715"`);
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
