import { describe, expect, it } from 'vitest';
import { COMPOSITION } from '../compose';
import { POOLS } from '../config/pools';
import { WORKLOADS } from '../config/workloads';
import { durationSeconds } from '../packages/karpenter-validate/src/durations';
import { validate } from '../packages/karpenter-validate/src/validation';
import { at, EXAMPLES, manifests, ofKind, synth } from './helpers';
import { changed, findings, lines, pick } from './validation-helpers';

/** A ScaledObject on the fixture set's StatefulSet `queue`, with `spec` merged in. */
const scaledObject = (spec: object = {}, name = 'queue') => ({
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name, namespace: 'web' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'queue' }, minReplicaCount: 1, maxReplicaCount: 3, triggers: [{ type: 'redis', metadata: { address: 'queue.web.svc:6379', listName: 'jobs' } }], ...spec },
});
const redis = (metadata: object, extra: object = {}) => ({ triggers: [{ type: 'redis', metadata: { address: 'queue.web.svc:6379', listName: 'jobs', ...metadata }, ...extra }] });
const kedaLines = (...objects: object[]) => lines(findings(changed((s) => s.push(...objects)), { complete: false })).filter((l) => /^(keda-|autoscaler-conflict)/.test(l));
/** Findings of the API server's own checks (the CRD's schema and CEL rules) and KEDA's. */
const admissionLines = (...objects: object[]) => lines(findings(changed((s) => s.push(...objects)), { complete: false })).filter((l) => /^(keda-[a-z]+|schema|cel) ScaledObject/.test(l));

describe("KEDA's admission webhook (keda-admission)", () => {
  it('accepts a ScaledObject it would accept', () => {
    expect(kedaLines(scaledObject())).toEqual([]);
  });

  it('refuses names whose HPA name would pass 63 characters, unless the HPA is named', () => {
    const long = 'q'.repeat(56);
    expect(kedaLines(scaledObject({}, long)).join('\n')).toContain(`makes the HPA name "keda-hpa-${long}" (65 characters), over 63`);
    expect(kedaLines(scaledObject({ advanced: { horizontalPodAutoscalerConfig: { name: 'queue' } } }, long))).toEqual([]);
  });

  it("refuses replica bounds that cross (the CRD's CEL rule, with the default maximum of 100), and an idle count not below the minimum (the webhook)", () => {
    expect(admissionLines(scaledObject({ minReplicaCount: 5, maxReplicaCount: 2 }))).toEqual(['cel ScaledObject/queue spec: minReplicaCount must be less than or equal to maxReplicaCount']);
    expect(admissionLines(scaledObject({ minReplicaCount: 101, maxReplicaCount: undefined }))).toEqual(['cel ScaledObject/queue spec: minReplicaCount must be less than or equal to maxReplicaCount']);
    expect(admissionLines(scaledObject({ minReplicaCount: 1, idleReplicaCount: 1 })).join('\n')).toContain('spec.idleReplicaCount (1): must be below minReplicaCount (1)');
  });

  it('refuses no triggers (the CRD), repeated trigger names, and cached metrics on cpu', () => {
    expect(admissionLines(scaledObject({ triggers: [] }))).toEqual(['schema ScaledObject/queue spec.triggers ([]): should have at least 1 items']);
    const twice = { triggers: [{ ...redis({}).triggers[0], name: 'jobs' }, { ...redis({}).triggers[0], name: 'jobs' }] };
    expect(kedaLines(scaledObject(twice)).join('\n')).toContain('spec.triggers[1].name ("jobs"): names an earlier trigger too');
    expect(kedaLines(scaledObject({ triggers: [{ type: 'cpu', metricType: 'Utilization', useCachedMetrics: true, metadata: { value: '60' } }] })).join('\n')).toContain('useCachedMetrics (true): is not supported for the cpu scaler');
  });

  it('refuses a cpu trigger on a container without a cpu request, and scaling to zero on cpu alone', () => {
    const noCpu = (s: any[]) => {
      const c = pick(s, 'StatefulSet', 'queue').spec.template.spec.containers[0];
      delete c.resources.requests.cpu;
      s.push(scaledObject({ triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } }] }));
    };
    expect(lines(findings(changed(noCpu), { complete: false }), 'keda-admission').join('\n')).toContain('has a cpu trigger, but container queue of StatefulSet queue requests no cpu');
    expect(kedaLines(scaledObject({ minReplicaCount: 0, triggers: [{ type: 'memory', metricType: 'Utilization', metadata: { value: '60' } }] })).join('\n')).toContain('is 0 with only cpu/memory triggers');
    // With an event trigger beside it, zero is allowed.
    expect(kedaLines(scaledObject({ minReplicaCount: 0, triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } }, redis({}).triggers[0]] }))).toEqual([]);
  });

  it('refuses a second autoscaler on one workload: another ScaledObject, or an HPA not handed over', () => {
    expect(kedaLines(scaledObject(), scaledObject({}, 'queue-2')).join('\n')).toContain('ScaledObject/queue-2 spec.scaleTargetRef ("queue"): names StatefulSet queue, which ScaledObject queue already scales');
    const onApi = scaledObject({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' } }, 'api');
    expect(kedaLines(onApi).join('\n')).toContain('which HorizontalPodAutoscaler api already scales: KEDA refuses it');
    // Naming the HPA is not enough: KEDA hands it over only with the transfer annotation (scaledobject_webhook.go verifyHpas).
    const named = { ...onApi, spec: { ...onApi.spec, advanced: { horizontalPodAutoscalerConfig: { name: 'api' } } } };
    expect(kedaLines(named).join('\n')).toContain('which HorizontalPodAutoscaler api already scales: KEDA refuses it');
    const annotated = { ...named, metadata: { ...named.metadata, annotations: { 'scaledobject.keda.sh/transfer-hpa-ownership': 'true' } } };
    expect(kedaLines(annotated)).toEqual([]);
    expect(kedaLines({ ...annotated, spec: onApi.spec }).join('\n')).toContain('spec.advanced.horizontalPodAutoscalerConfig.name (""): must name HorizontalPodAutoscaler api to take it over');
  });
});

describe("KEDA's webhook beyond names and bounds (keda-admission, held to KEDA in test/oracle-keda.test.ts)", () => {
  const two = (formula: string, target = '3', extra: object = {}) => ({ advanced: { scalingModifiers: { formula, target, ...extra } }, triggers: [{ ...redis({}).triggers[0], name: 'a' }, { ...redis({ listName: 'b' }).triggers[0], name: 'b' }] });

  it("compiles the scaling formula against the named triggers, as expr-lang does, and refuses a bad target", () => {
    expect(kedaLines(scaledObject(two('a + b')))).toEqual([]);
    expect(kedaLines(scaledObject(two('max(a, b) * 2')))).toEqual([]);
    expect(kedaLines(scaledObject(two('a + x'))).join('\n')).toContain('spec.advanced.scalingModifiers.formula ("a + x"): does not compile against the named triggers other than cpu and memory [a, b] (expr-lang): unknown name x (1:11). KEDA refuses it');
    expect(kedaLines(scaledObject(two('a % b'))).join('\n')).toContain('invalid operation: % (mismatched types float and float)');
    expect(kedaLines(scaledObject(two('a + b', '0'))).join('\n')).toContain('spec.advanced.scalingModifiers.target ("0"): must be a number above 0');
  });

  it('refuses a fallback with only resource triggers, and an idle count not below the HPA minimum', () => {
    const cpu = { type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } };
    expect(kedaLines(scaledObject({ fallback: { failureThreshold: 3, replicas: 2 }, triggers: [cpu] })).join('\n')).toContain('spec.fallback: needs a trigger other than cpu or memory');
    expect(kedaLines(scaledObject({ fallback: { failureThreshold: 3, replicas: 2 } }))).toEqual([]);
    // A minimum of 0 is the HPA's 1: idle 0 is below it (CheckReplicaCountBoundsAreValid).
    expect(kedaLines(scaledObject({ minReplicaCount: 0, idleReplicaCount: 0 }))).toEqual([]);
  });

  it("warns that pollingInterval and cooldownPeriod do nothing when the workload never scales to zero", () => {
    const found = lines(findings(changed((s) => s.push(scaledObject({ minReplicaCount: 1, pollingInterval: 15, cooldownPeriod: 300 }))), { complete: false }), 'keda-admission');
    expect(found).toEqual([
      'keda-admission ScaledObject/queue spec.pollingInterval (15): is not used: KEDA polls at this interval only to scale from zero (minReplicaCount or idleReplicaCount 0) or with useCachedMetrics; the HPA polls otherwise',
      'keda-admission ScaledObject/queue spec.cooldownPeriod (300): is not used: KEDA waits it only before scaling to zero (minReplicaCount or idleReplicaCount 0)',
    ]);
    expect(lines(findings(changed((s) => s.push(scaledObject({ minReplicaCount: 0, pollingInterval: 15, cooldownPeriod: 300 }))), { complete: false }), 'keda-admission')).toEqual([]);
  });

  it('counts a LimitRange only when it gives containers a default for the resource', () => {
    const noCpu = (s: any[]) => delete pick(s, 'StatefulSet', 'queue').spec.template.spec.containers[0].resources.requests.cpu;
    const trigger = scaledObject({ triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } }] });
    const range = (limits: object[]) => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'defaults', namespace: 'web' }, spec: { limits } });
    const admission = (extra: object) => lines(findings(changed((s) => (noCpu(s), s.push(trigger, extra))), { complete: false }), 'keda-admission');
    expect(admission(range([{ type: 'Container', defaultRequest: { cpu: '100m' } }]))).toEqual([]);
    expect(admission(range([{ type: 'Container', defaultRequest: { memory: '100Mi' } }])).join('\n')).toContain('has a cpu trigger, but container queue of StatefulSet queue requests no cpu');
    expect(admission(range([{ type: 'Pod', defaultRequest: { cpu: '100m' } }])).join('\n')).toContain('requests no cpu');
  });

  it("refuses a TriggerAuthentication KEDA's webhook refuses", () => {
    const auth = (spec: object) => ({ apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: 'a', namespace: 'web' }, spec });
    const admission = (spec: object) => lines(findings(changed((s) => s.push(auth(spec))), { complete: false }), 'keda-admission');
    expect(admission({ podIdentity: { provider: 'aws', roleArn: 'arn:aws:iam::111122223333:role/keda', identityOwner: 'workload' } })).toEqual([
      'keda-admission TriggerAuthentication/a spec.podIdentity.roleArn ("arn:aws:iam::111122223333:role/keda"): can\'t be set when the workload owns the identity (identityOwner workload): KEDA refuses it',
    ]);
    expect(admission({ oauth2: { type: 'clientCredentials', clientId: 'keda', tokenUrl: 'auth.example/token' } }).join('\n')).toContain('spec.oauth2.tokenUrl ("auth.example/token"): must be an http or https URL');
    expect(admission({ podIdentity: { provider: 'aws', roleArn: 'arn:aws:iam::111122223333:role/keda', identityOwner: 'keda' } })).toEqual([]);
  });
});

describe('trigger metadata against the scaler schema (keda-trigger)', () => {
  it('names an unknown scaler with the closest one', () => {
    expect(kedaLines(scaledObject({ triggers: [{ type: 'redis-sentinels', metadata: {} }] })).join('\n')).toContain('is not a scaler of KEDA 2.20.2 (did you mean "redis-sentinel"?)');
  });

  it('reports a missing required parameter, a value outside the allowed ones, and a malformed number or boolean', () => {
    expect(kedaLines(scaledObject({ triggers: [{ type: 'redis', metadata: { address: 'queue.web.svc:6379' } }] })).join('\n')).toContain('spec.triggers[0].metadata ("redis"): has no listName, which the redis scaler requires (from metadata): the scaler fails to build');
    expect(kedaLines(scaledObject(redis({ listLength: 'five' }))).join('\n')).toContain('metadata.listLength ("five"): must be a whole number (read as JSON into a Go int64) for the redis scaler: the scaler fails to build');
    // KEDA reads numbers as JSON: 5.0 and 05 fail where a plain number check would pass them.
    expect(kedaLines(scaledObject(redis({ listLength: '5.0' }))).join('\n')).toContain('metadata.listLength ("5.0"): must be a whole number');
    expect(kedaLines(scaledObject(redis({ listLength: '05' }))).join('\n')).toContain('metadata.listLength ("05"): must be a whole number');
    expect(kedaLines(scaledObject(redis({ unsafeSsl: 'yes' }))).join('\n')).toContain('metadata.unsafeSsl ("yes"): must be true or false');
    const cron = (start: string) => ({ triggers: [{ type: 'cron', metadata: { timezone: 'UTC', start, end: '0 18 * * *', desiredReplicas: '1' } }] });
    expect(kedaLines(scaledObject(cron('0 25 * * *'))).join('\n')).toContain('spec.triggers[0].metadata ("cron"): has start "0 25 * * *", which KEDA\'s cron parser refuses: end of range (25) above maximum (23): 25');
    expect(kedaLines(scaledObject(cron('0 8 * * mon-fri')))).toEqual([]);
    const kafka = { triggers: [{ type: 'kafka', metadata: { bootstrapServers: 'kafka.kafka.svc:9092', consumerGroup: 'g', topic: 't', offsetResetPolicy: 'newest' } }] };
    expect(kedaLines(scaledObject(kafka)).join('\n')).toMatch(/offsetResetPolicy \("newest"\): must be one of "(latest", "earliest|earliest", "latest)" for the kafka scaler/);
  });

  it("reads <name>FromEnv from the target's container as KEDA does, and auth-only parameters only from an authentication", () => {
    const withEnv = (s: any[]) => (pick(s, 'StatefulSet', 'queue').spec.template.spec.containers[0].env = [{ name: 'REDIS_ADDRESS', value: 'queue.web.svc:6379' }]);
    const fromEnv = scaledObject({ triggers: [{ type: 'redis', metadata: { addressFromEnv: 'REDIS_ADDRESS', listName: 'jobs' } }] });
    expect(lines(findings(changed((s) => (withEnv(s), s.push(fromEnv))), { complete: false }), 'keda-trigger')).toEqual([]);
    // Without the variable in the container, KEDA has no address and the scaler never builds.
    expect(kedaLines(fromEnv).join('\n')).toContain('spec.triggers[0].metadata ("redis"): has no address, addresses, or host and port: set address (host:port, comma-separated for several), or host and port: the scaler fails to build');
    const listFromEnv = lines(findings(changed((s) => s.push(scaledObject(redis({ listNameFromEnv: 'LIST' })))), { complete: false }), 'keda-trigger');
    expect(listFromEnv).toEqual(['keda-trigger ScaledObject/queue spec.triggers[0].metadata.listNameFromEnv ("listNameFromEnv"): is not read: the redis scaler reads listName only from metadata, never from the environment, so KEDA ignores the variable']);
    expect(kedaLines(scaledObject(redis({ tls: 'enable' }))).join('\n')).toContain('metadata.tls ("tls"): is read by the redis scaler only from a TriggerAuthentication, not from metadata');
  });

  it('warns of deprecated parameters and of authentication parameters the scaler does not read', () => {
    // KEDA 2.18 removed cpu's metadata.type: its tag makes the parameter's presence an error (typed_config.go setValue).
    const found = lines(findings(changed((s) => s.push(scaledObject({ minReplicaCount: 1, triggers: [{ type: 'cpu', metadata: { type: 'Utilization', value: '60' } }] }))), { complete: false }), 'keda-trigger');
    expect(found.join('\n')).toContain("metadata.type (\"Utilization\"): is refused by the cpu scaler, which no longer reads it (The 'type' setting is DEPRECATED and is removed in v2.18 - Use 'metricType' instead): the scaler fails to build");
    // The same for scalers read against KEDA's schema: `deprecated` refuses, `deprecatedAnnounce` warns.
    const pubsub = (metadata: object) => lines(findings(changed((s) => s.push(scaledObject({ triggers: [{ type: 'gcp-pubsub', metadata: { subscriptionName: 's', ...metadata } }] }))), { complete: false }), 'keda-trigger');
    expect(pubsub({ subscriptionSize: '5' }).join('\n')).toContain("metadata.subscriptionSize (\"subscriptionSize\"): is refused by the gcp-pubsub scaler, which no longer reads it (The 'subscriptionSize' setting is DEPRECATED and is removed in v2.20 - Use 'mode' and 'value' instead): the scaler fails to build");
    expect(pubsub({ value: '5' })).toEqual(["keda-trigger ScaledObject/queue spec.triggers[0].metadata.value (\"value\"): is deprecated: This scaler is deprecated. More info -> 'https://keda.sh/blog/2025-09-15-gcp-deprecations'"]);
    const auth = { apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: 'redis', namespace: 'web' }, spec: { secretTargetRef: [{ parameter: 'passwd', name: 'api', key: 'password' }] } };
    const result = validate([...changed((s) => s.push(auth, scaledObject(redis({}, { authenticationRef: { name: 'redis' } }))))].map((object) => ({ object })));
    expect(result.findings.filter((f) => f.rule === 'keda-trigger').map((f) => `${f.severity} ${f.message}`)).toEqual([
      'warning TriggerAuthentication redis supplies "passwd", which the redis scaler does not read from an authentication (did you mean "password"?): it is ignored',
    ]);
  });

  it('reports two HPAs on one workload (autoscaler-conflict)', () => {
    const second = (s: any[]) => ({ ...structuredClone(pick(s, 'HorizontalPodAutoscaler', 'api')), metadata: { name: 'api-2', namespace: 'web' } });
    expect(lines(findings(changed((s) => s.push(second(s)))), 'autoscaler-conflict')).toEqual([
      'autoscaler-conflict HorizontalPodAutoscaler/api-2 spec.scaleTargetRef ("api"): names Deployment api, which HorizontalPodAutoscaler api already scales: the HPA controller then scales neither (AmbiguousSelector). Keep one',
    ]);
  });
});

describe.each(EXAMPLES)('the GPU workers of $name (seed 001)', (env) => {
  const objects = manifests(env);
  const scaled = ofKind(env, 'ScaledObject').find((o) => o.metadata.name === 'ai-worker')!;
  const worker = WORKLOADS['ai-worker'];
  const gpuSpot = POOLS['gpu-spot'];

  it('scale to zero through KEDA, not an HPA', () => {
    expect(ofKind(env, 'HorizontalPodAutoscaler').filter((h) => at(h, 'spec.scaleTargetRef.name') === 'ai-worker')).toEqual([]);
    expect(at(scaled, 'spec.minReplicaCount')).toBe(0);
    expect(at(scaled, 'spec.maxReplicaCount')).toBe(env.workloads?.['ai-worker']?.components?.worker?.maxReplicas ?? worker.components.worker.maxReplicas);
    expect(at(scaled, 'spec.scaleTargetRef')).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'ai-worker' });
  });

  it("scale on the Redis list of every queue the workers consume, through the Sentinels, with credentials from a Secret", () => {
    const triggers = at(scaled, 'spec.triggers');
    expect(triggers.map((t: any) => t.metadata.listName)).toEqual(['queue:pro', 'queue:starter', 'queue:free']);
    expect(triggers.map((t: any) => t.metadata.listName)).toEqual(worker.settings.queues);
    for (const trigger of triggers) {
      expect(trigger.type).toBe('redis-sentinel');
      expect(trigger.metadata).toMatchObject({ sentinelMaster: (worker.settings.broker as { masterName: string }).masterName, addresses: (worker.settings.broker as { sentinels: readonly string[] }).sentinels.join(',') });
      const auth = objects.find((o) => o.kind === 'TriggerAuthentication' && o.metadata.name === trigger.authenticationRef.name)!;
      expect(at(auth, 'spec.secretTargetRef').map((r: any) => `${r.parameter}<-${r.name}/${r.key}`).sort()).toEqual(['password<-redis/password', 'sentinelPassword<-redis/password']);
      expect(JSON.stringify(trigger.metadata)).not.toMatch(/password/i);
    }
  });

  it('size the workers on the sum of the queues, jobsPerWorker jobs each, and wake on any job in any queue', () => {
    const triggers = at(scaled, 'spec.triggers');
    expect(triggers.map((t: any) => t.name)).toEqual(['queue_pro', 'queue_starter', 'queue_free']);
    expect(at(scaled, 'spec.advanced.scalingModifiers')).toEqual({
      formula: 'queue_pro + queue_starter + queue_free',
      target: String(worker.settings.scaling.jobsPerWorker),
      activationTarget: String(worker.settings.scaling.activateAbove),
      metricType: 'AverageValue',
    });
  });

  it("keep a node for longer than the GPU pool's consolidateAfter before scaling in, so a node is not bought and dropped within minutes", () => {
    const consolidateAfter = durationSeconds(String(gpuSpot.consolidateAfter))!;
    expect(at(scaled, 'spec.cooldownPeriod')).toBeGreaterThanOrEqual(2 * consolidateAfter);
  });

  it("pass seed 001's HPA behaviour to KEDA: up 100% per 15 s, down 50% per minute after 5 minutes", () => {
    expect(at(scaled, 'spec.advanced.horizontalPodAutoscalerConfig.behavior')).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] },
    });
  });

  it('pass every KEDA rule', () => {
    const result = validate(objects.map((object) => ({ object })), { complete: true });
    expect(result.findings.filter((f) => /^(keda-|autoscaler-conflict)/.test(f.rule))).toEqual([]);
  });

  it('fail synth with the parameter named when a trigger parameter is misspelt', () => {
    const broken = objects.map((o) => (o === scaled ? { ...o, spec: { ...(o as any).spec, triggers: [{ ...(o as any).spec.triggers[0], metadata: { ...(o as any).spec.triggers[0].metadata, listLenght: '3' } }, ...(o as any).spec.triggers.slice(1)] } } : o));
    const errors = validate(broken.map((object) => ({ object })), { complete: true, prerequisites: COMPOSITION.build(env).prerequisites }).findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => `${f.rule} ${f.object.kind}/${f.object.name} ${f.path}: ${f.message}`)).toEqual([
      'keda-trigger ScaledObject/ai-worker spec.triggers[0].metadata.listLenght: is not a parameter of the redis-sentinel scaler (did you mean "listLength"?): KEDA ignores it, so what it meant to set keeps its default',
    ]);
  });
});

describe('the queues KEDA scales the GPU workers on (settings.scaling.queues)', () => {
  const dev = EXAMPLES.find((e) => e.name === 'dev')!;
  const withScaling = (queues: readonly string[], minReplicas?: number) =>
    ({ ...dev, workloads: { ...dev.workloads, 'ai-worker': { ...dev.workloads?.['ai-worker'], components: { worker: { ...dev.workloads?.['ai-worker']?.components?.worker, ...(minReplicas !== undefined ? { minReplicas } : {}) } }, settings: { ...dev.workloads?.['ai-worker']?.settings, scaling: { queues } } } } }) as typeof dev;
  const triggerLists = (env: typeof dev) => at(synth(env).find((o) => o.kind === 'ScaledObject')!, 'spec.triggers').map((t: any) => t.metadata.listName);

  it('fails when a queue the workers consume is not scaled on and they scale to zero: its jobs would wait for ever', () => {
    expect(() => synth(withScaling(['queue:pro']))).toThrow(
      `workload "ai-worker": 'settings.scaling.queues' (["queue:pro"]) must name every queue the workers consume when they scale to zero (components.worker.minReplicas is 0): jobs on queue:starter, queue:free would wait for ever, since no worker runs to take them and KEDA does not watch their lists. Add them, or leave settings.scaling.queues unset to scale on every queue`,
    );
  });

  it('accepts a subset when a worker always runs to take the other queues', () => {
    expect(triggerLists(withScaling(['queue:pro'], 1))).toEqual(['queue:pro']);
  });

  it('fails when a scaling queue is not one the workers consume', () => {
    expect(() => synth(withScaling(['queue:pro', 'queue:starter', 'queue:free', 'queue:batch']))).toThrow(
      `workload "ai-worker": 'settings.scaling.queues' (["queue:pro","queue:starter","queue:free","queue:batch"]) must name only queues the workers consume [queue:pro, queue:starter, queue:free]: queue:batch is not one, so jobs there would buy GPU nodes no worker uses`,
    );
  });

  it('accepts every consumed queue, in any order', () => {
    expect(triggerLists(withScaling(['queue:free', 'queue:pro', 'queue:starter']))).toEqual(['queue:free', 'queue:pro', 'queue:starter']);
  });
});
