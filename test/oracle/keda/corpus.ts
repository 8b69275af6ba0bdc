import { random } from '../../random';
import { validSet } from '../../validation-helpers';

/**
 * The seeded corpus KEDA's own code judges (oracle/keda) and our emulation must agree with
 * (packages/karpenter-validate/src/validation/keda.ts, keda-typed.ts): ScaledObjects and TriggerAuthentications around the
 * valid fixture set's workloads (test/fixtures/valid) and the fixed objects below, each case one
 * mistake (or none): triggers of the redis, redis-sentinel, redis-cluster, prometheus, cpu,
 * memory and cron scalers with valid, unknown, missing, malformed and deprecated parameters, the
 * webhook's checks, and every KEDA fixture of test/keda.test.ts and test/validation-rules.test.ts.
 * Fixed inputs and a fixed seed: the corpus never follows the live dist/.
 */
export const KEDA_SEED = 2202;
const GENERATED = 420;

export interface KedaCase {
  readonly name: string;
  /** Objects added to the base (one of the same kind and name replaces the base's). */
  readonly objects: readonly Record<string, any>[];
}

const NS = 'web';
const meta = (name: string, extra: object = {}) => ({ name, namespace: NS, ...extra });

/** A workload with the environment KEDA's scalers can read (addressFromEnv, passwordFromEnv...). */
const WORKER = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: meta('worker'),
  spec: {
    selector: { matchLabels: { app: 'worker' } },
    template: {
      metadata: { labels: { app: 'worker' } },
      spec: {
        securityContext: { runAsNonRoot: true, runAsUser: 1000 },
        containers: [
          {
            name: 'worker',
            image: 'python:3.12.11-slim-bookworm',
            env: [
              { name: 'REDIS_ADDRESS', value: 'redis.web.svc.cluster.local:6379' },
              { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis', key: 'password' } } },
              { name: 'PROMETHEUS_URL', value: 'http://prometheus.monitoring.svc:9090' },
            ],
            resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } },
            livenessProbe: { exec: { command: ['true'] } },
          },
          { name: 'sidecar', image: 'busybox:1.37.0', resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '32Mi' } }, livenessProbe: { exec: { command: ['true'] } } },
        ],
      },
    },
  },
};

/** The same workload without requests: cpu and memory triggers need them. */
const BARE = {
  ...WORKER,
  metadata: meta('bare'),
  spec: { ...WORKER.spec, selector: { matchLabels: { app: 'bare' } }, template: { ...WORKER.spec.template, metadata: { labels: { app: 'bare' } }, spec: { ...WORKER.spec.template.spec, containers: [{ name: 'bare', image: 'python:3.12.11-slim-bookworm', livenessProbe: { exec: { command: ['true'] } } }] } } },
};

const REDIS_SECRET = { apiVersion: 'v1', kind: 'Secret', metadata: meta('redis'), type: 'Opaque', stringData: { password: 'fixture-only', username: 'worker', tls: 'enable', token: 'fixture-token' } };
const AUTH = (name: string, params: Record<string, string>) => ({
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'TriggerAuthentication',
  metadata: meta(name),
  spec: { secretTargetRef: Object.entries(params).map(([parameter, key]) => ({ parameter, name: 'redis', key })) },
});

/** The objects every case starts from: the valid fixture set's namespace web, and the objects above. */
export function kedaBase(): Record<string, any>[] {
  const fixture = validSet().filter((o) => o.metadata?.namespace === NS || (o.kind === 'Namespace' && o.metadata.name === NS));
  return [
    ...fixture,
    structuredClone(WORKER),
    structuredClone(BARE),
    structuredClone(REDIS_SECRET),
    AUTH('redis-auth', { password: 'password' }),
    AUTH('sentinel-auth', { password: 'password', sentinelPassword: 'password' }),
    AUTH('basic-auth', { username: 'username', password: 'password' }),
    AUTH('bearer-auth', { bearerToken: 'token' }),
    AUTH('tls-auth', { tls: 'tls' }),
  ];
}

/** A case's whole cluster: the base, with the case's objects added or replacing the base's of the same kind and name. */
export function caseObjects(c: KedaCase): Record<string, any>[] {
  const key = (o: Record<string, any>) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
  const replaced = new Set(c.objects.map(key));
  return [...kedaBase().filter((o) => !replaced.has(key(o))), ...c.objects.map((o) => structuredClone(o))];
}

const scaledObject = (name: string, spec: Record<string, any>, metadata: object = {}) => ({
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: meta(name, metadata),
  spec: { scaleTargetRef: { name: 'worker' }, minReplicaCount: 0, maxReplicaCount: 10, ...spec },
});

interface Template {
  readonly type: string;
  /** The parameters every trigger of the type needs. */
  readonly required: Record<string, string>;
  /** Optional parameters a valid trigger may add. */
  readonly optional: Record<string, string>;
  readonly auth?: string;
  readonly metricType?: string;
  /** Malformed values per parameter. */
  readonly malformed: Record<string, readonly string[]>;
  /** Parameters read only from an authentication, or not from the environment, put in metadata. */
  readonly misplaced: Record<string, string>;
}

const INTS = ['five', '5.0', '05', '1e3', '+5', '0x10', 'null', '-3', '99999999999999999999', ' 7 ', '3 ', ''];
const FLOATS = ['1,5', 'abc', '.5', '5.', '1e3', '-2.5', 'NaN', 'null', '0x1p3', '2.5e-1'];
const BOOLS = ['yes', 'on', 'TRUE', '1', 'y', 'null', 'False', 'truee'];
const CRONS = ['0 25 * * *', '* * *', '@daily', '0 8 * * mon-fri', '*/0 * * * *', '0 8 * * 7', 'TZ=UTC 0 8 * * *', 'CRON_TZ=Nowhere/City 0 8 * * *', '0 8 ? * *', '0-70 * * * *', '0 8 * jan-dec *', '5-1 * * * *', '0 8 * * 1-5/2', '0 8 * * 1--5', '0 8,,9 * * *', 'TZ=UTC', '0 8 * * * *', '-1 8 * * *', 'CRON_TZ=utc 0 8 * * *', 'TZ=Europe/Berlin 0 8 * * *', 'TZ=europe/berlin 0 8 * * *', 'TZ=US/Pacific 0 8 * * *', '0 8 * * SUN', '+5 8 * * *'];

const TEMPLATES: readonly Template[] = [
  {
    type: 'redis',
    required: { address: 'redis.web.svc.cluster.local:6379', listName: 'jobs' },
    optional: { listLength: '5', activationListLength: '1', databaseIndex: '2', enableTLS: 'false', unsafeSsl: 'false', username: 'worker' },
    auth: 'redis-auth',
    malformed: { listLength: INTS, activationListLength: INTS, databaseIndex: INTS, enableTLS: BOOLS, unsafeSsl: BOOLS, address: [' , x', 'a:1, b:2', ','] },
    misplaced: { tls: 'enable', cert: 'x', key: 'y', ca: 'z', listNameFromEnv: 'REDIS_ADDRESS', listLengthFromEnv: 'REDIS_ADDRESS', addressFromEnv: 'REDIS_ADDRESS', passwordFromEnv: 'REDIS_PASSWORD', Cert: 'x' },
  },
  {
    type: 'redis-sentinel',
    required: { addresses: 'sentinel-0.web.svc:26379,sentinel-1.web.svc:26379', listName: 'queue:pro' },
    optional: { sentinelMaster: 'mymaster', listLength: '3', activationListLength: '0', databaseIndex: '0', sentinelUsername: 'sentinel' },
    auth: 'sentinel-auth',
    malformed: { listLength: INTS, databaseIndex: INTS, unsafeSsl: BOOLS, enableTLS: BOOLS, addresses: [' , x', ','] },
    misplaced: { tls: 'enable', keyPassword: 'x', sentinelMasterFromEnv: 'REDIS_ADDRESS', listNameFromEnv: 'REDIS_ADDRESS' },
  },
  {
    type: 'redis-cluster',
    required: { addresses: 'redis-0.web.svc:6379,redis-1.web.svc:6379', listName: 'jobs' },
    optional: { listLength: '10', activationListLength: '2' },
    malformed: { listLength: INTS, activationListLength: INTS },
    misplaced: { tls: 'disable', listNameFromEnv: 'REDIS_ADDRESS' },
  },
  {
    type: 'prometheus',
    required: { serverAddress: 'http://prometheus.monitoring.svc:9090', query: 'sum(rate(http_requests_total{namespace="web"}[2m]))', threshold: '100' },
    optional: { activationThreshold: '5', namespace: 'web', ignoreNullValues: 'false', unsafeSsl: 'true', timeout: '5s', queryParameters: 'a=b', customHeaders: 'X-Scope-OrgID=web', method: 'query', keyParamName: 'key' },
    malformed: { threshold: FLOATS, activationThreshold: FLOATS, ignoreNullValues: BOOLS, unsafeSsl: BOOLS, timeout: ['5', '5x', '-5s', '1h30m', '1.5s', '-5', '5 s', '0'], queryParameters: ['a', 'a=b=c', 'a=b, c=d', '=x', 'a=b,'], customHeaders: ['a', 'a=b=c', 'k=v,k2=v2'], authModes: ['digest', 'basic,bearer', 'tls', 'basic', 'bearer', 'apiKey', 'oauth', 'custom'], method: ['body', 'header'] },
    misplaced: { bearerToken: 'x', username: 'u', password: 'p', serverAddressFromEnv: 'PROMETHEUS_URL', thresholdFromEnv: 'PROMETHEUS_URL' },
  },
  {
    type: 'cpu',
    required: { value: '60' },
    optional: { containerName: 'worker' },
    metricType: 'Utilization',
    malformed: { value: ['60%', 'sixty', '60.5', '2147483648', '-5', ''], containerName: [''] },
    misplaced: { valueFromEnv: 'PROMETHEUS_URL', metricType: 'Utilization' },
  },
  {
    type: 'memory',
    required: { value: '256Mi' },
    optional: { containerName: 'sidecar' },
    metricType: 'AverageValue',
    malformed: { value: ['256MB', '256 Mi', 'lots', '1.5Gi', '2e3', '0.5'] },
    misplaced: { valueFromEnv: 'PROMETHEUS_URL' },
  },
  {
    type: 'cron',
    required: { timezone: 'Europe/Berlin', start: '0 8 * * 1-5', end: '0 18 * * 1-5', desiredReplicas: '2' },
    optional: {},
    malformed: { start: CRONS, end: CRONS, desiredReplicas: [...INTS, '0'], timezone: ['Mars/Olympus', 'UTC', 'utc'] },
    misplaced: { startFromEnv: 'PROMETHEUS_URL', timezoneFromEnv: 'PROMETHEUS_URL' },
  },
];

const UNKNOWN_KEYS = ['foo', 'listLen', 'threshhold', 'serverAddr', 'desiredReplica', 'scaleToZero', 'queueName', 'pollingInterval', 'activationTarget'];

/** One edit of a name: a letter dropped, doubled, swapped with the next, or replaced. */
function typo(name: string, next: () => number): string {
  const i = Math.floor(next() * name.length);
  switch (Math.floor(next() * 4)) {
    case 0:
      return name.slice(0, i) + name.slice(i + 1) || `${name}x`;
    case 1:
      return name.slice(0, i) + name[i] + name.slice(i);
    case 2:
      return i < name.length - 1 ? name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2) : `${name}s`;
    default:
      return name.slice(0, i) + 'abcdefghijklmnopqrstuvwxyz'[Math.floor(next() * 26)] + name.slice(i + 1);
  }
}

function triggerCases(next: () => number): KedaCase[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const cases: KedaCase[] = [];
  for (let n = 0; n < GENERATED; n++) {
    const template = pick(TEMPLATES);
    const metadata: Record<string, string> = { ...template.required };
    for (const [k, v] of Object.entries(template.optional)) if (next() < 0.35) metadata[k] = v;
    const trigger: Record<string, any> = { type: template.type, metadata };
    if (template.metricType) trigger.metricType = template.metricType;
    if (template.auth && next() < 0.7) trigger.authenticationRef = { name: template.auth };
    let what = 'valid';
    const roll = next();
    if (roll < 0.12) {
      what = 'valid';
    } else if (roll < 0.3) {
      const key = pick(Object.keys(metadata));
      const wrong = typo(key, next);
      metadata[wrong] = metadata[key]!;
      if (next() < 0.7) delete metadata[key];
      what = `unknown ${wrong}`;
    } else if (roll < 0.36) {
      const key = pick(UNKNOWN_KEYS);
      metadata[key] = '1';
      what = `unknown ${key}`;
    } else if (roll < 0.46) {
      const key = pick(Object.keys(template.misplaced));
      metadata[key] = template.misplaced[key]!;
      what = `misplaced ${key}`;
    } else if (roll < 0.56) {
      const key = pick(Object.keys(template.required));
      delete metadata[key];
      what = `missing ${key}`;
    } else if (roll < 0.86) {
      const key = pick(Object.keys(template.malformed));
      metadata[key] = pick(template.malformed[key]!);
      what = `malformed ${key}=${JSON.stringify(metadata[key])}`;
    } else if (roll < 0.9) {
      if (template.type === 'cpu' || template.type === 'memory') {
        metadata.type = pick(['Utilization', 'AverageValue', 'Average']);
        if (next() < 0.5) delete trigger.metricType;
        what = `deprecated type=${metadata.type}`;
      } else {
        trigger.metricType = pick(['Utilization', 'Value', 'AverageValue']);
        what = `metricType ${trigger.metricType}`;
      }
    } else if (roll < 0.94) {
      trigger.metricType = pick(['Utilization', 'Value', 'AverageValue', undefined]);
      if (trigger.metricType === undefined) delete trigger.metricType;
      what = `metricType ${String(trigger.metricType)}`;
    } else {
      trigger.authenticationRef = { name: pick(['tls-auth', 'basic-auth', 'bearer-auth', 'redis-auth', 'missing-auth']) };
      if (template.type === 'prometheus') metadata.authModes = pick(['basic', 'bearer', 'tls', 'basic,tls']);
      if (template.type === 'redis' && next() < 0.5) metadata.enableTLS = 'true';
      what = `auth ${trigger.authenticationRef.name}${metadata.authModes ? ` authModes=${metadata.authModes}` : ''}`;
    }
    const resource = template.type === 'cpu' || template.type === 'memory';
    // A resource trigger alone cannot scale to zero; the webhook is not what these cases test.
    const spec = { minReplicaCount: resource ? 1 : 0, triggers: [trigger] };
    cases.push({ name: `${String(n).padStart(3, '0')} ${template.type}: ${what}`, objects: [scaledObject(`so-${n}`, spec)] });
  }
  return cases;
}

const redis = (extra: object = {}) => ({ type: 'redis', metadata: { address: 'redis.web.svc.cluster.local:6379', listName: 'jobs' }, ...extra });
const cpu = (extra: object = {}) => ({ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' }, ...extra });
const hpa = (name: string, annotations: Record<string, string> = {}) => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: meta(name, { annotations }),
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' }, minReplicas: 1, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] },
});
const limitRange = (defaults: Record<string, string>, type = 'Container') => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: meta('defaults'), spec: { limits: [{ type, defaultRequest: defaults }] } });
const triggerAuth = (spec: object, name = 'identity') => ({ apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: meta(name), spec });
const modifiers = (formula: string | undefined, target: string | undefined, extra: object = {}) => ({
  advanced: { scalingModifiers: { ...(formula !== undefined ? { formula } : {}), ...(target !== undefined ? { target } : {}), ...extra } },
  triggers: [redis({ name: 'a' }), redis({ name: 'b', metadata: { address: 'redis.web.svc.cluster.local:6379', listName: 'other' } }), cpu({ name: 'c' })],
});

/** The webhook's own checks, one mistake (or none) each. */
function admissionCases(): KedaCase[] {
  const so = scaledObject;
  const list: [string, Record<string, any>[]][] = [
    ['admission: accepted', [so('ok', { triggers: [redis()] })]],
    ['admission: name of 63 characters', [so('q'.repeat(63), { triggers: [redis()] }, { name: 'q'.repeat(63) })]],
    ['admission: name of 64 characters', [so('q'.repeat(64), { triggers: [redis()] })]],
    ['admission: HPA name over 63 characters', [so('q'.repeat(55), { triggers: [redis()] })]],
    ['admission: HPA name over 63 characters, HPA named', [so('q'.repeat(55), { triggers: [redis()], advanced: { horizontalPodAutoscalerConfig: { name: 'worker-hpa' } } })]],
    ['admission: long HPA name set', [so('short', { triggers: [redis()], advanced: { horizontalPodAutoscalerConfig: { name: 'h'.repeat(64) } } })]],
    ['admission: min above max', [so('minmax', { minReplicaCount: 5, maxReplicaCount: 2, triggers: [redis()] })]],
    ['admission: min above default max', [so('minmax', { minReplicaCount: 101, maxReplicaCount: undefined, triggers: [redis()] })]],
    ['admission: min 0 max 0', [so('zero', { minReplicaCount: 0, maxReplicaCount: 0, triggers: [redis()] })]],
    ['admission: idle equal to min', [so('idle', { minReplicaCount: 2, idleReplicaCount: 2, triggers: [redis()] })]],
    ['admission: idle 0 with min 0', [so('idle', { minReplicaCount: 0, idleReplicaCount: 0, triggers: [redis()] })]],
    ['admission: idle 0 with min 1', [so('idle', { minReplicaCount: 1, idleReplicaCount: 0, triggers: [redis()] })]],
    ['admission: idle 1 with min unset', [so('idle', { minReplicaCount: undefined, idleReplicaCount: 1, triggers: [redis()] })]],
    ['admission: repeated trigger names', [so('names', { triggers: [redis({ name: 'q' }), redis({ name: 'q' })] })]],
    ['admission: unnamed triggers twice', [so('names', { triggers: [redis(), redis()] })]],
    ['admission: cached metrics on cron', [so('cached', { triggers: [{ type: 'cron', useCachedMetrics: true, metadata: { timezone: 'UTC', start: '0 8 * * *', end: '0 9 * * *', desiredReplicas: '1' } }] })]],
    ['admission: cached metrics on cpu', [so('cached', { minReplicaCount: 1, triggers: [cpu({ useCachedMetrics: true })] })]],
    ['admission: cached metrics on redis', [so('cached', { triggers: [redis({ useCachedMetrics: true })] })]],
    ['admission: cpu trigger without a cpu request', [so('bare', { scaleTargetRef: { name: 'bare' }, minReplicaCount: 1, triggers: [cpu()] })]],
    ['admission: memory trigger without a memory request', [so('bare', { scaleTargetRef: { name: 'bare' }, minReplicaCount: 1, triggers: [{ type: 'memory', metricType: 'AverageValue', metadata: { value: '256Mi' } }] })]],
    ['admission: cpu trigger, request from a LimitRange', [so('bare', { scaleTargetRef: { name: 'bare' }, minReplicaCount: 1, triggers: [cpu()] }), limitRange({ cpu: '100m' })]],
    ['admission: cpu trigger, LimitRange for pods only', [so('bare', { scaleTargetRef: { name: 'bare' }, minReplicaCount: 1, triggers: [cpu()] }), limitRange({ cpu: '100m' }, 'Pod')]],
    ['admission: cpu trigger, LimitRange for memory only', [so('bare', { scaleTargetRef: { name: 'bare' }, minReplicaCount: 1, triggers: [cpu()] }), limitRange({ memory: '100Mi' })]],
    ['admission: cpu trigger, LimitRange of zero', [so('bare', { scaleTargetRef: { name: 'bare' }, minReplicaCount: 1, triggers: [cpu()] }), limitRange({ cpu: '0' })]],
    ['admission: cpu trigger on the container that requests it', [so('bare', { minReplicaCount: 1, triggers: [cpu({ metadata: { value: '60', containerName: 'worker' } })] })]],
    ['admission: cpu trigger naming a container without requests', [so('bare', { scaleTargetRef: { name: 'bare' }, minReplicaCount: 1, triggers: [cpu({ metadata: { value: '60', containerName: 'nothere' } })] })]],
    ['admission: cpu request of 0m', [so('zero-cpu', { scaleTargetRef: { name: 'zero' }, minReplicaCount: 1, triggers: [cpu()] }), { ...structuredClone(BARE), metadata: meta('zero'), spec: { ...BARE.spec, template: { ...BARE.spec.template, spec: { ...BARE.spec.template.spec, containers: [{ name: 'zero', image: 'busybox:1.37.0', resources: { requests: { cpu: '0m' } } }] } } } }]],
    ['admission: cpu only with min 0', [so('cpu-zero', { minReplicaCount: 0, triggers: [cpu()] })]],
    ['admission: cpu only with min unset', [so('cpu-zero', { minReplicaCount: undefined, triggers: [cpu()] })]],
    ['admission: cpu and redis with min 0', [so('cpu-zero', { minReplicaCount: 0, triggers: [cpu(), redis()] })]],
    ['admission: cpu trigger on a StatefulSet', [so('queue', { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'queue' }, minReplicaCount: 1, triggers: [cpu()] })]],
    ['admission: a second ScaledObject on the workload', [so('first', { triggers: [redis()] }), so('second', { triggers: [redis()] })]],
    ['admission: a second ScaledObject on another kind of the same name', [{ ...validSet().find((o) => o.kind === 'StatefulSet')!, metadata: meta('worker') }, so('first', { triggers: [redis()] }), so('second', { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'worker' }, triggers: [redis()] })]],
    ['admission: two ScaledObjects naming the same HPA', [so('first', { triggers: [redis()], advanced: { horizontalPodAutoscalerConfig: { name: 'shared' } } }), so('second', { scaleTargetRef: { name: 'bare' }, triggers: [redis()], advanced: { horizontalPodAutoscalerConfig: { name: 'shared' } } })]],
    ['admission: an HPA on the workload', [hpa('worker'), so('worker', { triggers: [redis()] })]],
    ['admission: an HPA on the workload, named for handover without the annotation', [hpa('worker'), so('worker', { triggers: [redis()], advanced: { horizontalPodAutoscalerConfig: { name: 'worker' } } })]],
    ['admission: an HPA on the workload, handed over', [hpa('worker'), so('worker', { triggers: [redis()], advanced: { horizontalPodAutoscalerConfig: { name: 'worker' } } }, { annotations: { 'scaledobject.keda.sh/transfer-hpa-ownership': 'true' } })]],
    ['admission: an HPA on the workload, transfer annotation without the name', [hpa('worker'), so('worker', { triggers: [redis()] }, { annotations: { 'scaledobject.keda.sh/transfer-hpa-ownership': 'true' } })]],
    ['admission: an HPA on the workload that opts out of the check', [hpa('worker', { 'validations.keda.sh/hpa-ownership': 'false' }), so('worker', { triggers: [redis()] })]],
    ['admission: an HPA on another workload', [hpa('other'), so('bare', { scaleTargetRef: { name: 'bare' }, triggers: [redis()] })]],
    ['admission: fallback with an event trigger', [so('fallback', { fallback: { failureThreshold: 3, replicas: 2 }, triggers: [redis()] })]],
    ['admission: fallback with cpu only', [so('fallback', { minReplicaCount: 1, fallback: { failureThreshold: 3, replicas: 2 }, triggers: [cpu()] })]],
    ['admission: polling interval with min 1', [so('polling', { minReplicaCount: 1, pollingInterval: 15, triggers: [redis()] })]],
    ['admission: cooldown with min 1', [so('cooldown', { minReplicaCount: 1, cooldownPeriod: 300, triggers: [redis()] })]],
    ['admission: polling and cooldown with min 1, idle 0', [so('idle-zero', { minReplicaCount: 1, idleReplicaCount: 0, pollingInterval: 15, cooldownPeriod: 300, triggers: [redis()] })]],
    ['admission: polling interval with cached metrics', [so('polling', { minReplicaCount: 1, pollingInterval: 15, triggers: [redis({ useCachedMetrics: true })] })]],
    ['admission: formula summing two triggers', [so('formula', modifiers('a + b', '3'))]],
    ['admission: formula with a ternary', [so('formula', modifiers('a > b ? a : b', '3'))]],
    ['admission: formula with max()', [so('formula', modifiers('max(a, b)', '3'))]],
    ['admission: formula naming the cpu trigger', [so('formula', modifiers('a + c', '3'))]],
    ['admission: formula naming an unknown trigger', [so('formula', modifiers('a + x', '3'))]],
    ['admission: formula that does not parse', [so('formula', modifiers('a +', '3'))]],
    ['admission: formula with a modulo', [so('formula', modifiers('a % b', '3'))]],
    ['admission: formula without a target', [so('formula', modifiers('a + b', undefined))]],
    ['admission: target without a formula', [so('formula', modifiers(undefined, '3'))]],
    ['admission: formula with target 0', [so('formula', modifiers('a + b', '0'))]],
    ['admission: formula with target abc', [so('formula', modifiers('a + b', 'abc'))]],
    ['admission: formula with Utilization', [so('formula', modifiers('a + b', '3', { metricType: 'Utilization' }))]],
    ['admission: formula with activationTarget', [so('formula', modifiers('a + b', '3', { activationTarget: '1', metricType: 'AverageValue' }))]],
    ['admission: formula with a fallback', [so('formula', { ...modifiers('a + b', '3'), fallback: { failureThreshold: 3, replicas: 2, behavior: 'scalingModifiers' } })]],
    ['admission: fallback behaviour scalingModifiers without a formula', [so('formula', { fallback: { failureThreshold: 3, replicas: 2, behavior: 'scalingModifiers' }, triggers: [redis()] })]],
    ['admission: formula on unnamed triggers', [so('formula', { advanced: { scalingModifiers: { formula: 'a + b', target: '2' } }, triggers: [redis(), redis()] })]],
    ['admission: formula with a numeric literal and parentheses', [so('formula', modifiers('(a + b) / 2 + 1.5', '3'))]],
    ['admission: formula comparing', [so('formula', modifiers('a > b', '3'))]],
    ['admission: formula with ??', [so('formula', modifiers('a ?? b', '3'))]],
    ['admission: trigger authentication, aws role with workload identity', [triggerAuth({ podIdentity: { provider: 'aws', roleArn: 'arn:aws:iam::111122223333:role/keda', identityOwner: 'workload' } })]],
    ['admission: trigger authentication, aws role owned by keda', [triggerAuth({ podIdentity: { provider: 'aws', roleArn: 'arn:aws:iam::111122223333:role/keda', identityOwner: 'keda' } })]],
    ['admission: trigger authentication, aws external ID without a role', [triggerAuth({ podIdentity: { provider: 'aws', externalID: 'x' } })]],
    ['admission: trigger authentication, azure empty identity', [triggerAuth({ podIdentity: { provider: 'azure-workload', identityId: '' } })]],
    ['admission: trigger authentication, azure authority without tenant', [triggerAuth({ podIdentity: { provider: 'azure-workload', identityAuthorityHost: 'https://login.example' } })]],
    ['admission: trigger authentication, azure empty tenant', [triggerAuth({ podIdentity: { provider: 'azure-workload', identityTenantId: '' } })]],
    ['admission: trigger authentication, oauth2 without client', [triggerAuth({ oauth2: { type: 'clientCredentials', tokenUrl: 'https://auth.example/token' } })]],
    ['admission: trigger authentication, oauth2 with a bad URL', [triggerAuth({ oauth2: { type: 'clientCredentials', clientId: 'keda', tokenUrl: 'auth.example/token' } })]],
    ['admission: trigger authentication, oauth2 over ftp', [triggerAuth({ oauth2: { type: 'clientCredentials', clientId: 'keda', tokenUrl: 'ftp://auth.example/token' } })]],
    ['admission: trigger authentication, oauth2 valid', [triggerAuth({ oauth2: { type: 'clientCredentials', clientId: 'keda', tokenUrl: 'https://auth.example/token' } })]],
    ['admission: trigger authentication, env parameter', [triggerAuth({ env: [{ parameter: 'password', name: 'REDIS_PASSWORD' }] }), so('env-auth', { triggers: [redis({ authenticationRef: { name: 'identity' } })] })]],
    ['admission: trigger authentication, missing secret', [triggerAuth({ secretTargetRef: [{ parameter: 'tls', name: 'absent', key: 'tls' }] }), so('absent-secret', { triggers: [redis({ authenticationRef: { name: 'identity' }, metadata: { address: 'redis.web.svc.cluster.local:6379', listName: 'jobs', enableTLS: 'true' } })] })]],
  ];
  return list.map(([name, objects]) => ({ name, objects: objects.map(dropUndefined) }));
}

/** The KEDA objects of the tests' fixtures (test/keda.test.ts, test/validation-rules.test.ts), on their own workloads. */
function fixtureCases(): KedaCase[] {
  const onQueue = (spec: Record<string, any> = {}, name = 'queue') => ({
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name, namespace: NS },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'queue' }, minReplicaCount: 1, maxReplicaCount: 3, triggers: [{ type: 'redis', metadata: { address: 'queue.web.svc:6379', listName: 'jobs' } }], ...spec },
  });
  const redisOn = (metadata: object, extra: object = {}) => ({ triggers: [{ type: 'redis', metadata: { address: 'queue.web.svc:6379', listName: 'jobs', ...metadata }, ...extra }] });
  const noCpu = { ...validSet().find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'queue') };
  delete noCpu.spec.template.spec.containers[0].resources.requests.cpu;
  const list: [string, Record<string, any>[]][] = [
    ['fixture: accepted', [onQueue()]],
    ['fixture: HPA name over 63 characters', [onQueue({}, 'q'.repeat(56))]],
    ['fixture: HPA named', [onQueue({ advanced: { horizontalPodAutoscalerConfig: { name: 'queue' } } }, 'q'.repeat(56))]],
    ['fixture: idle not below min', [onQueue({ minReplicaCount: 1, idleReplicaCount: 1 })]],
    ['fixture: repeated trigger names', [onQueue({ triggers: [{ ...redisOn({}).triggers[0], name: 'jobs' }, { ...redisOn({}).triggers[0], name: 'jobs' }] })]],
    ['fixture: cached metrics on cpu', [onQueue({ triggers: [{ type: 'cpu', metricType: 'Utilization', useCachedMetrics: true, metadata: { value: '60' } }] })]],
    ['fixture: cpu trigger without a cpu request', [noCpu, onQueue({ triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } }] })]],
    ['fixture: memory only with min 0', [onQueue({ minReplicaCount: 0, triggers: [{ type: 'memory', metricType: 'Utilization', metadata: { value: '60' } }] })]],
    ['fixture: cpu and redis with min 0', [onQueue({ minReplicaCount: 0, triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } }, redisOn({}).triggers[0]] })]],
    ['fixture: second ScaledObject', [onQueue(), onQueue({}, 'queue-2')]],
    ['fixture: ScaledObject on the HPA api', [onQueue({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' } }, 'api')]],
    ['fixture: ScaledObject on the HPA api, HPA named', [onQueue({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, advanced: { horizontalPodAutoscalerConfig: { name: 'api' } } }, 'api')]],
    ['fixture: unknown scaler', [onQueue({ triggers: [{ type: 'redis-sentinels', metadata: {} }] })]],
    ['fixture: redis without listName', [onQueue({ triggers: [{ type: 'redis', metadata: { address: 'queue.web.svc:6379' } }] })]],
    ['fixture: listLength five', [onQueue(redisOn({ listLength: 'five' }))]],
    ['fixture: unsafeSsl yes', [onQueue(redisOn({ unsafeSsl: 'yes' }))]],
    ['fixture: kafka offsetResetPolicy newest', [onQueue({ triggers: [{ type: 'kafka', metadata: { bootstrapServers: 'kafka.kafka.svc:9092', consumerGroup: 'g', topic: 't', offsetResetPolicy: 'newest' } }] })]],
    ['fixture: addressFromEnv', [onQueue({ triggers: [{ type: 'redis', metadata: { addressFromEnv: 'REDIS_ADDRESS', listName: 'jobs' } }] })]],
    ['fixture: listNameFromEnv', [onQueue(redisOn({ listNameFromEnv: 'LIST' }))]],
    ['fixture: tls in metadata', [onQueue(redisOn({ tls: 'enable' }))]],
    ['fixture: deprecated type on cpu', [onQueue({ minReplicaCount: 1, triggers: [{ type: 'cpu', metadata: { type: 'Utilization', value: '60' } }] })]],
    ['fixture: authentication supplies passwd', [{ apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: 'redis', namespace: NS }, spec: { secretTargetRef: [{ parameter: 'passwd', name: 'api', key: 'password' }] } }, onQueue(redisOn({}, { authenticationRef: { name: 'redis' } }))]],
    ['fixture: listLenght', [onQueue(redisOn({ listLenght: '5' }))]],
    ['fixture: cpu only with min 0 (rules)', [onQueue({ minReplicaCount: 0, triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '70' } }] })]],
    ['fixture: cpu only with min 1 (rules)', [onQueue({ minReplicaCount: 1, triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '70' } }] })]],
    ['fixture: redis listLength 5 (rules)', [onQueue(redisOn({ listLength: '5' }))]],
  ];
  return list.map(([name, objects]) => ({ name, objects: objects.map(dropUndefined) }));
}

/** JSON's view of an object: fields set to undefined dropped, as the API server would never see them. */
function dropUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Every case, in a fixed order: the fixtures, the webhook's checks, then the seeded triggers. */
export function kedaCorpus(): KedaCase[] {
  return [...fixtureCases(), ...admissionCases(), ...triggerCases(random(KEDA_SEED))];
}
