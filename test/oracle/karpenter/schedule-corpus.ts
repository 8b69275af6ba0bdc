import type { KubeObject } from '../../../packages/karpenter-validate/src/validation/findings';
import { random } from '../../random';
import { readFixture } from './verdicts';

/**
 * The scheduling corpus: seeded variations of prod's scheduling fixture (schedule/prod/objects.yaml),
 * each a whole environment that the Karpenter oracle schedules and lib/plan/capacity.ts plans, at rest
 * and at peak. Replica bounds, requests, spreads (DoNotSchedule, ScheduleAnyway, hostname),
 * required anti-affinity, pool instance types, weights (ties included), limits and zones, Job
 * parallelism and an extra DaemonSet are varied, two or three at a time, so that the scheduler's
 * packing, pool order, relaxation of preferences and limits are all exercised.
 */

export const SCHEDULE_CORPUS_SEED = 23;
export const SCHEDULE_CORPUS_SIZE = 100;

export interface ScheduleCase {
  readonly id: string;
  readonly change: string;
  readonly objects: KubeObject[];
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const of = (o: KubeObject[], kind: string) => o.filter((x) => x.kind === kind) as any[];
const workloads = (o: KubeObject[]) => o.filter((x) => x.kind === 'Deployment' || x.kind === 'StatefulSet') as any[];
const requirement = (pool: any, key: string) => pool.spec.template.spec.requirements.find((r: any) => r.key === key);
const CPU = ['100m', '250m', '500m', '1', '1500m', '2', '3', '3500m'];
const MEMORY = ['256Mi', '1Gi', '2Gi', '3Gi', '6Gi', '12Gi'];
const ARM = ['t4g.medium', 't4g.large', 't4g.xlarge', 'm7g.large', 'm7g.xlarge', 'm7g.2xlarge', 'c7g.large', 'c7g.xlarge', 'c7g.2xlarge', 'c7g.4xlarge', 'r7g.large', 'r7g.xlarge', 'm6g.xlarge'];
const AMD = ['t3.medium', 't3.large', 't3.xlarge', 't3a.medium', 't3a.large', 'm5.large', 'm5.xlarge', 'c5.xlarge', 'g4dn.xlarge', 'g4dn.2xlarge', 'g5.xlarge', 'g5.2xlarge', 'g4dn.12xlarge'];

const MUTATIONS: Record<string, (o: KubeObject[], r: Rng) => string> = {
  'autoscaler bounds': (o, r) => {
    const hpa = pick(r, of(o, 'HorizontalPodAutoscaler'));
    hpa.spec.minReplicas = 1 + Math.floor(r() * 5);
    hpa.spec.maxReplicas = hpa.spec.minReplicas + Math.floor(r() * 8);
    return `HPA ${hpa.metadata.name} ${hpa.spec.minReplicas}-${hpa.spec.maxReplicas}`;
  },
  'KEDA bounds': (o, r) => {
    const so = pick(r, of(o, 'ScaledObject'));
    so.spec.minReplicaCount = Math.floor(r() * 3);
    so.spec.maxReplicaCount = so.spec.minReplicaCount + 1 + Math.floor(r() * 12);
    return `ScaledObject ${so.metadata.name} ${so.spec.minReplicaCount}-${so.spec.maxReplicaCount}`;
  },
  requests: (o, r) => {
    const w = pick(r, workloads(o));
    const c = w.spec.template.spec.containers[0];
    const [cpu, memory] = [pick(r, CPU), pick(r, MEMORY)];
    c.resources = { requests: { ...c.resources?.requests, cpu, memory }, limits: { ...c.resources?.limits, cpu, memory } };
    return `${w.metadata.name}: requests ${cpu}, ${memory}`;
  },
  'statefulset replicas': (o, r) => {
    const s = pick(r, of(o, 'StatefulSet').filter((x) => x.spec.replicas !== undefined));
    s.spec.replicas = 1 + Math.floor(r() * 6);
    return `${s.metadata.name}: ${s.spec.replicas} replicas`;
  },
  'spread toggled': (o, r) => {
    const w = pick(r, workloads(o).filter((x) => x.spec.template.spec.topologySpreadConstraints?.length));
    const tsc = w.spec.template.spec.topologySpreadConstraints[0];
    tsc.whenUnsatisfiable = tsc.whenUnsatisfiable === 'DoNotSchedule' ? 'ScheduleAnyway' : 'DoNotSchedule';
    return `${w.metadata.name}: zone spread ${tsc.whenUnsatisfiable}`;
  },
  'spread loosened': (o, r) => {
    const w = pick(r, workloads(o).filter((x) => x.spec.template.spec.topologySpreadConstraints?.length));
    w.spec.template.spec.topologySpreadConstraints[0].maxSkew = 2;
    return `${w.metadata.name}: zone spread maxSkew 2`;
  },
  'spread removed': (o, r) => {
    const w = pick(r, workloads(o).filter((x) => x.spec.template.spec.topologySpreadConstraints?.length));
    delete w.spec.template.spec.topologySpreadConstraints;
    return `${w.metadata.name}: no spread`;
  },
  'hostname spread': (o, r) => {
    const w = pick(r, workloads(o));
    const labels = w.spec.template.metadata.labels;
    w.spec.template.spec.topologySpreadConstraints = [...(w.spec.template.spec.topologySpreadConstraints ?? []), { topologyKey: 'kubernetes.io/hostname', maxSkew: 1, whenUnsatisfiable: pick(r, ['DoNotSchedule', 'ScheduleAnyway']), labelSelector: { matchLabels: { 'app.kubernetes.io/name': labels['app.kubernetes.io/name'] } } }];
    return `${w.metadata.name}: hostname spread ${w.spec.template.spec.topologySpreadConstraints.at(-1).whenUnsatisfiable}`;
  },
  'anti-affinity': (o, r) => {
    const w = pick(r, workloads(o));
    const labels = w.spec.template.metadata.labels;
    w.spec.template.spec.affinity = { ...(w.spec.template.spec.affinity ?? {}), podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': labels['app.kubernetes.io/name'] } } }] } };
    return `${w.metadata.name}: one per node (anti-affinity)`;
  },
  'pool types': (o, r) => {
    const pool = pick(r, of(o, 'NodePool'));
    const arch = requirement(pool, 'kubernetes.io/arch').values[0];
    const candidates = arch === 'arm64' ? ARM : AMD;
    const types = candidates.filter(() => r() < 0.35);
    requirement(pool, 'node.kubernetes.io/instance-type').values = types.length > 0 ? types : [pick(r, candidates)];
    return `${pool.metadata.name}: types ${requirement(pool, 'node.kubernetes.io/instance-type').values.join(',')}`;
  },
  'pool weight': (o, r) => {
    const pool = pick(r, of(o, 'NodePool'));
    pool.spec.weight = pick(r, [10, 50, 100]);
    return `${pool.metadata.name}: weight ${pool.spec.weight}`;
  },
  'pool limits': (o, r) => {
    const pool = pick(r, of(o, 'NodePool'));
    pool.spec.limits = { ...pool.spec.limits, cpu: pick(r, ['2', '4', '8', '16']) };
    return `${pool.metadata.name}: cpu limit ${pool.spec.limits.cpu}`;
  },
  'pool zones': (o, r) => {
    const pool = pick(r, of(o, 'NodePool'));
    const zone = requirement(pool, 'topology.kubernetes.io/zone');
    zone.values = zone.values.filter(() => r() < 0.6);
    if (zone.values.length === 0) zone.values = ['ap-northeast-2a'];
    return `${pool.metadata.name}: zones ${zone.values.join(',')}`;
  },
  'job parallelism': (o, r) => {
    const job = pick(r, of(o, 'Job'));
    job.spec.parallelism = 1 + Math.floor(r() * 4);
    return `${job.metadata.name}: parallelism ${job.spec.parallelism}`;
  },
  daemonset: (o, r) => {
    const tolerateAll = r() < 0.5;
    o.push({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'node-agent', namespace: 'kube-system' },
      spec: {
        selector: { matchLabels: { app: 'node-agent' } },
        template: {
          metadata: { labels: { app: 'node-agent' } },
          spec: { ...(tolerateAll ? { tolerations: [{ operator: 'Exists' }] } : {}), containers: [{ name: 'agent', image: 'agent:1', resources: { requests: { cpu: pick(r, ['200m', '500m']), memory: pick(r, ['256Mi', '1Gi']) } } }] },
        },
      },
    } as KubeObject);
    return `a DaemonSet${tolerateAll ? ' tolerating every taint' : ''}`;
  },
};

/** The corpus: SCHEDULE_CORPUS_SIZE variations of prod's fixture from SCHEDULE_CORPUS_SEED, every mutation kind in turn. */
export function scheduleCorpus(): ScheduleCase[] {
  const base = readFixture('prod');
  const rng = random(SCHEDULE_CORPUS_SEED);
  const kinds = Object.keys(MUTATIONS);
  const cases: ScheduleCase[] = [];
  for (let i = 0; i < SCHEDULE_CORPUS_SIZE; i++) {
    const objects = structuredClone(base);
    const changes = [MUTATIONS[kinds[i % kinds.length]!]!(objects, rng)];
    while (rng() < 0.6 && changes.length < 3) changes.push(MUTATIONS[pick(rng, kinds)]!(objects, rng));
    cases.push({ id: `s${String(i).padStart(3, '0')}`, change: changes.join('; '), objects });
  }
  return cases;
}
