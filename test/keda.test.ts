import { describe, expect, it } from 'vitest';
import { COMPOSITION } from '../compose';
import { POOLS } from '../config/pools';
import { WORKLOADS } from '../config/workloads';
import { durationSeconds } from '../lib/durations';
import { validate } from '../lib/validation';
import { at, EXAMPLES, manifests, ofKind } from './helpers';
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
    expect(kedaLines({ ...onApi, spec: { ...onApi.spec, advanced: { horizontalPodAutoscalerConfig: { name: 'api' } } } })).toEqual([]);
  });
});

describe('trigger metadata against the scaler schema (keda-trigger)', () => {
  it('names an unknown scaler with the closest one', () => {
    expect(kedaLines(scaledObject({ triggers: [{ type: 'redis-sentinels', metadata: {} }] })).join('\n')).toContain('is not a scaler of KEDA 2.20.2 (did you mean "redis-sentinel"?)');
  });

  it('reports a missing required parameter, a value outside the allowed ones, and a malformed number or boolean', () => {
    expect(kedaLines(scaledObject({ triggers: [{ type: 'redis', metadata: { address: 'queue.web.svc:6379' } }] })).join('\n')).toContain('has no listName, which the redis scaler requires');
    expect(kedaLines(scaledObject(redis({ listLength: 'five' }))).join('\n')).toContain('metadata.listLength ("five"): must be a number for the redis scaler (its default is 5)');
    expect(kedaLines(scaledObject(redis({ unsafeSsl: 'yes' }))).join('\n')).toContain('metadata.unsafeSsl ("yes"): must be true or false');
    const kafka = { triggers: [{ type: 'kafka', metadata: { bootstrapServers: 'kafka.kafka.svc:9092', consumerGroup: 'g', topic: 't', offsetResetPolicy: 'newest' } }] };
    expect(kedaLines(scaledObject(kafka)).join('\n')).toMatch(/offsetResetPolicy \("newest"\): must be one of "(latest", "earliest|earliest", "latest)" for the kafka scaler/);
  });

  it('accepts <name>FromEnv only for parameters KEDA reads from the environment, and auth-only parameters only from an authentication', () => {
    expect(kedaLines(scaledObject({ triggers: [{ type: 'redis', metadata: { addressFromEnv: 'REDIS_ADDRESS', listName: 'jobs' } }] }))).toEqual([]);
    expect(kedaLines(scaledObject(redis({ listNameFromEnv: 'LIST' }))).join('\n')).toContain('listNameFromEnv ("listNameFromEnv"): is not a parameter of the redis scaler');
    expect(kedaLines(scaledObject(redis({ tls: 'enable' }))).join('\n')).toContain('metadata.tls ("tls"): is read by the redis scaler only from a TriggerAuthentication, not from metadata');
  });

  it('warns of deprecated parameters and of authentication parameters the scaler does not read', () => {
    const found = lines(findings(changed((s) => s.push(scaledObject({ minReplicaCount: 1, triggers: [{ type: 'cpu', metadata: { type: 'Utilization', value: '60' } }] }))), { complete: false }), 'keda-trigger');
    expect(found.join('\n')).toContain("metadata.type (\"type\"): is deprecated: The 'type' setting is DEPRECATED");
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

  it("scale on the Celery queue's Redis list through the Sentinels, with credentials from a Secret", () => {
    const [trigger] = at(scaled, 'spec.triggers');
    expect(trigger.type).toBe('redis-sentinel');
    expect(trigger.metadata).toMatchObject({ listName: worker.settings.scaling.queue, listLength: String(worker.settings.scaling.jobsPerWorker), activationListLength: String(worker.settings.scaling.activateAbove), sentinelMaster: (worker.settings.broker as { masterName: string }).masterName });
    const auth = objects.find((o) => o.kind === 'TriggerAuthentication' && o.metadata.name === trigger.authenticationRef.name)!;
    expect(at(auth, 'spec.secretTargetRef').map((r: any) => `${r.parameter}<-${r.name}/${r.key}`).sort()).toEqual(['password<-redis/password', 'sentinelPassword<-redis/password']);
    expect(JSON.stringify(trigger.metadata)).not.toMatch(/password/i);
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
    const broken = objects.map((o) => (o === scaled ? { ...o, spec: { ...(o as any).spec, triggers: [{ ...(o as any).spec.triggers[0], metadata: { ...(o as any).spec.triggers[0].metadata, listLenght: '3' } }] } } : o));
    const errors = validate(broken.map((object) => ({ object })), { complete: true, prerequisites: COMPOSITION.build(env).prerequisites }).findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => `${f.rule} ${f.object.kind}/${f.object.name} ${f.path}: ${f.message}`)).toEqual([
      'keda-trigger ScaledObject/ai-worker spec.triggers[0].metadata.listLenght: is not a parameter of the redis-sentinel scaler (did you mean "listLength"?): KEDA ignores it, so what it meant to set keeps its default',
    ]);
  });
});
