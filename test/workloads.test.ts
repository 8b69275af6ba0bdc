import { describe, expect, it } from 'vitest';
import { NAMESPACES } from '../config/namespaces';
import { IMAGES } from '../config/versions';
import { Manifest } from '../lib/layout';
import { resolvePools, ResolvedPool } from '../lib/pools';
import { at, EXAMPLES, manifests, ofKind, podSpec } from './helpers';

const CONTROLLERS = ['Deployment', 'StatefulSet'];

/** Whether a pod with these tolerations tolerates every taint of the pool. */
function tolerates(tolerations: any[] | undefined, pool: ResolvedPool): boolean {
  return pool.taints.every((taint) =>
    (tolerations ?? []).some(
      (t) => t.key === taint.key && t.effect === taint.effect && (t.operator === 'Exists' || t.value === taint.value),
    ),
  );
}

/** Whether a node of the pool carries every label of the selector. */
function selects(selector: Record<string, string> | undefined, pool: ResolvedPool): boolean {
  return Object.entries(selector ?? {}).every(([key, value]) => pool.labels[key] === value);
}

// Which pools each workload is meant to run on: the spec these tests hold the charts to.
const INTENDED: Readonly<Record<string, readonly string[]>> = {
  'jenkins-agent': ['core-arm-ondemand'],
  kafka: ['kafka-arm-ondemand'],
  'spark-master': ['core-arm-ondemand'],
  'spark-worker': ['spark-exec-arm-ondemand'],
  'airflow-webserver': ['airflow-arm-ondemand'],
  'airflow-scheduler': ['airflow-arm-ondemand'],
  'llm-server': ['llm-arm-ondemand', 'llm-arm-spot'],
  'ai-worker': ['gpu-spot'],
};

describe.each(EXAMPLES)('workloads of $name', (env) => {
  const pools = resolvePools(env);
  const controllers = manifests(env).filter((m) => CONTROLLERS.includes(m.kind));
  const podTemplates = controllers.map((c) => [c.metadata.name, podSpec(c)] as const);

  it('deploys every workload whose pools are enabled', () => {
    const expected = Object.entries(INTENDED)
      .filter(([, names]) => names.some((n) => pools.some((p) => p.name === n)))
      .map(([name]) => name);
    expect(controllers.map((c) => c.metadata.name).sort()).toEqual(expected.sort());
  });

  it.each(Object.keys(INTENDED))('places %s on exactly its pools, by their labels and taints', (name) => {
    const controller = controllers.find((c) => c.metadata.name === name);
    if (!controller) return;
    const spec = podSpec(controller);
    const landsOn = pools.filter((pool) => selects(spec.nodeSelector, pool) && tolerates(spec.tolerations, pool)).map((p) => p.name);
    expect(landsOn.sort()).toEqual(INTENDED[name]!.filter((n) => pools.some((p) => p.name === n)).sort());
  });

  it('tolerates exactly the taints of its pools, no more', () => {
    for (const [name, spec] of podTemplates) {
      const own = pools.filter((p) => INTENDED[name]!.includes(p.name));
      const taints = new Set(own.flatMap((p) => p.taints.map((t) => `${t.key}=${t.value}:${t.effect}`)));
      const tolerated = new Set((spec.tolerations ?? []).map((t: any) => `${t.key}=${t.value}:${t.effect}`));
      expect(tolerated, name).toEqual(taints);
    }
  });

  it('lets a pod without tolerations land only on untainted pools', () => {
    for (const pool of pools) {
      if (pool.taints.length > 0) expect(tolerates(undefined, pool), pool.name).toBe(false);
    }
    expect(pools.filter((p) => tolerates(undefined, p)).map((p) => p.name).sort()).toEqual(['core-arm-ondemand', 'default']);
  });

  it('sets requests and limits for cpu and memory on every container', () => {
    for (const [name, spec] of podTemplates) {
      for (const container of [...spec.containers, ...(spec.initContainers ?? [])]) {
        for (const kind of ['requests', 'limits']) {
          expect(at(container, `resources.${kind}.cpu`), `${name}/${container.name} ${kind}.cpu`).toBeDefined();
          expect(at(container, `resources.${kind}.memory`), `${name}/${container.name} ${kind}.memory`).toBeDefined();
        }
      }
    }
  });

  it('gives every container a probe and no init container one', () => {
    for (const [name, spec] of podTemplates) {
      for (const c of spec.containers) expect(c.readinessProbe ?? c.livenessProbe ?? c.startupProbe, `${name}/${c.name}`).toBeDefined();
      for (const c of spec.initContainers ?? []) expect(c.readinessProbe ?? c.livenessProbe ?? c.startupProbe, `${name}/${c.name}`).toBeUndefined();
    }
  });

  it('carries no credential in an env value', () => {
    for (const [name, spec] of podTemplates) {
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        for (const variable of c.env ?? []) {
          if (variable.value === undefined) continue;
          expect(variable.name, `${name}/${c.name}`).not.toMatch(/PASSWORD|SECRET|TOKEN|CREDENTIAL|_CONN$|API_KEY/i);
          expect(variable.value, `${name}/${c.name} ${variable.name}`).not.toMatch(/:\/\/[^/@\s:]+:[^/@\s]+@/);
        }
      }
    }
  });

  it('takes the Airflow database connection from a Secret', () => {
    const scheduler = controllers.find((c) => c.metadata.name === 'airflow-scheduler')!;
    const conn = podSpec(scheduler).containers[0].env.find((e: any) => e.name === 'AIRFLOW__DATABASE__SQL_ALCHEMY_CONN');
    expect(conn).toEqual({ name: 'AIRFLOW__DATABASE__SQL_ALCHEMY_CONN', valueFrom: { secretKeyRef: { name: 'airflow', key: 'sql-alchemy-conn' } } });
  });

  it('uses only images pinned in config/versions.ts', () => {
    const pinned = new Set(Object.values(IMAGES));
    for (const [name, spec] of podTemplates) {
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        expect(pinned.has(c.image), `${name}/${c.name}: ${c.image}`).toBe(true);
        expect(c.image).toMatch(/:[A-Za-z0-9._-]+$/);
        expect(c.image).not.toMatch(/:latest$/);
      }
    }
  });

  it('runs privileged containers only in a namespace whose Pod Security level is privileged', () => {
    for (const controller of controllers) {
      const privileged = podSpec(controller).containers.filter((c: any) => c.securityContext?.privileged);
      if (privileged.length === 0) continue;
      expect(NAMESPACES[controller.metadata.namespace as keyof typeof NAMESPACES]).toBe('privileged');
      for (const c of privileged) expect(at(controller, 'spec.template.metadata.annotations')?.['waivers.karpenter-as-code.io/privileged']).toMatch(new RegExp(`^${c.name}: .*podman builds container images`));
    }
    const privilegedNamespaces = ofKind(env, 'Namespace').filter((ns) => ns.metadata.labels?.['pod-security.kubernetes.io/enforce'] === 'privileged');
    expect(privilegedNamespaces.map((ns) => ns.metadata.name)).toEqual(['ci']);
  });

  it('gives every PDB a selector that matches its workload and allows a disruption at the HPA minimum', () => {
    const hpas = ofKind(env, 'HorizontalPodAutoscaler');
    for (const pdb of ofKind(env, 'PodDisruptionBudget')) {
      const selector = at(pdb, 'spec.selector.matchLabels');
      const matched = controllers.filter(
        (c) => c.metadata.namespace === pdb.metadata.namespace && Object.entries(selector).every(([k, v]) => at(c, 'spec.template.metadata.labels')[k] === v),
      );
      expect(matched.map((c) => c.metadata.name), pdb.metadata.name).toEqual([pdb.metadata.name]);
      const controller = matched[0]!;
      const hpa = hpas.find((h) => h.metadata.namespace === pdb.metadata.namespace && at(h, 'spec.scaleTargetRef.name') === controller.metadata.name);
      const minimum = hpa ? at(hpa, 'spec.minReplicas') : at(controller, 'spec.replicas');
      expect(at(pdb, 'spec.minAvailable')).toBeUndefined();
      const allowed = minimum - (minimum - at(pdb, 'spec.maxUnavailable'));
      expect(allowed, pdb.metadata.name).toBeGreaterThanOrEqual(1);
    }
  });

  it('points every HPA at a controller that exists, with 1 <= min <= max', () => {
    for (const hpa of ofKind(env, 'HorizontalPodAutoscaler')) {
      const ref = at(hpa, 'spec.scaleTargetRef');
      const target = controllers.find((c: Manifest) => c.kind === ref.kind && c.metadata.name === ref.name && c.metadata.namespace === hpa.metadata.namespace);
      expect(target, hpa.metadata.name).toBeDefined();
      expect(ref.apiVersion).toBe('apps/v1');
      expect(at(hpa, 'spec.minReplicas')).toBeGreaterThanOrEqual(1);
      expect(at(hpa, 'spec.maxReplicas')).toBeGreaterThanOrEqual(at(hpa, 'spec.minReplicas'));
      // An HPA-managed controller leaves replicas to the HPA.
      expect(at(target, 'spec.replicas')).toBeUndefined();
    }
  });

  it('scales CPU HPAs only on containers that request CPU', () => {
    for (const hpa of ofKind(env, 'HorizontalPodAutoscaler')) {
      const metric = at(hpa, 'spec.metrics')[0];
      if (metric.type !== 'Resource') continue;
      const target = controllers.find((c) => c.metadata.name === at(hpa, 'spec.scaleTargetRef.name'))!;
      for (const c of podSpec(target).containers) expect(at(c, `resources.requests.${metric.resource.name}`)).toBeDefined();
    }
  });

  it('keeps Kafka stateful: KRaft, one encrypted gp3 volume per broker, hard zone spread, no HPA', () => {
    const kafka = controllers.find((c) => c.metadata.name === 'kafka')!;
    expect(kafka.kind).toBe('StatefulSet');
    expect(at(kafka, 'spec.replicas')).toBe(3);
    expect(at(kafka, 'spec.volumeClaimTemplates')[0].spec.storageClassName).toBe('gp3-encrypted');
    const env_ = podSpec(kafka).containers[0].env;
    expect(env_.find((e: any) => e.name === 'KAFKA_PROCESS_ROLES').value).toBe('broker,controller');
    expect(env_.some((e: any) => e.name === 'KAFKA_ZOOKEEPER_CONNECT')).toBe(false);
    expect(podSpec(kafka).topologySpreadConstraints[0].whenUnsatisfiable).toBe('DoNotSchedule');
    expect(ofKind(env, 'HorizontalPodAutoscaler').some((h) => at(h, 'spec.scaleTargetRef.name') === 'kafka')).toBe(false);
    const sc = ofKind(env, 'StorageClass').find((s) => s.metadata.name === 'gp3-encrypted')!;
    expect(sc).toMatchObject({ provisioner: 'ebs.csi.aws.com', volumeBindingMode: 'WaitForFirstConsumer', parameters: { encrypted: 'true', type: 'gp3' } });
    const services = ofKind(env, 'Service').filter((s) => s.metadata.namespace === 'kafka');
    expect(services.map((s) => [s.metadata.name, at(s, 'spec.clusterIP') ?? 'ClusterIP']).sort()).toEqual([
      ['kafka', 'ClusterIP'],
      ['kafka-headless', 'None'],
    ]);
  });

  it('runs the GPU workers as seed 001 describes', () => {
    const worker = controllers.find((c) => c.metadata.name === 'ai-worker')!;
    const spec = podSpec(worker);
    expect(spec.terminationGracePeriodSeconds).toBe(120);
    expect(spec.containers[0].resources).toEqual({ requests: { cpu: '3', memory: '12Gi', 'nvidia.com/gpu': '1' }, limits: { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': '1' } });
    expect(spec.containers[0].volumeMounts).toEqual([{ name: 'models', mountPath: '/models', readOnly: true }]);
    expect(spec.containers[0].livenessProbe.exec).toBeDefined();
    const hpa = ofKind(env, 'HorizontalPodAutoscaler').find((h) => h.metadata.name === 'ai-worker')!;
    expect(at(hpa, 'spec.metrics')[0].external.metric.name).toBe('celery_queue_length');
    expect(at(hpa, 'spec.behavior.scaleUp.policies')).toEqual([{ type: 'Percent', value: 100, periodSeconds: 15 }]);
    expect(at(hpa, 'spec.behavior.scaleDown')).toEqual({ stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] });
  });

  it('runs the LLM server on CPU with an HTTP readiness probe', () => {
    const llm = controllers.find((c) => c.metadata.name === 'llm-server')!;
    const container = podSpec(llm).containers[0];
    expect(container.resources.requests['nvidia.com/gpu']).toBeUndefined();
    expect(container.readinessProbe.httpGet).toBeDefined();
    if (env.production) {
      const hpa = ofKind(env, 'HorizontalPodAutoscaler').find((h) => h.metadata.name === 'llm-server')!;
      expect(at(hpa, 'spec.minReplicas')).toBeGreaterThanOrEqual(2);
    }
  });
});
