import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPLICATION_HEALTH_KEY, APPLICATION_HEALTH_LUA } from '../lib/constructs/argocd-health';
import { argoHealth, Health, healthChecksOf, WITHOUT_HEALTH } from './argocd-sim';
import { GO_TIER, runOracle } from './oracle';
import { random } from './random';

/**
 * Argo CD's health of live objects, as the application controller assesses them (gitops-engine
 * pkg/health with argo-cd v3.1.16's Lua checks, built in and from argocd-cm), against the model in
 * argocd-sim.ts argoHealth: a seeded corpus of status fixtures (healthy, progressing, degraded and
 * between) for every kind whose health gates a wave of our output, with and without our argocd-cm
 * patch. The oracle's verdicts are recorded in test/oracle/argocd/health.json; without Go the model
 * is held to them, with Go (oracle/argocd `health`) they are checked to be the oracle's today.
 * KARPENTER_AS_CODE_RECORD=1 rewrites the record from the oracle.
 */

const SEED = 20260522;
const RECORDED = join(__dirname, 'oracle', 'argocd', 'health.json');
type Json = Record<string, any>;
type Verdict = Health | null;

interface Corpus {
  readonly argocdCm: Record<string, string>;
  readonly objects: Json[];
}

/** The objects of the corpus: every kind the model knows, each with statuses drawn from the field values that decide its health. */
function healthCorpus(seed = SEED): Corpus[] {
  const rnd = random(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rnd() * values.length)]!;
  const chance = (p: number) => rnd() < p;
  const maybe = <T>(value: T, p = 0.5): T | undefined => (chance(p) ? value : undefined);
  const n = (max: number) => Math.floor(rnd() * (max + 1));
  const strip = (o: Json): Json => JSON.parse(JSON.stringify(o));
  const meta = (kind: string, i: number, extra: Json = {}) => ({ name: `${kind.toLowerCase()}-${i}`, namespace: 'apps', ...extra });
  const condition = (types: readonly string[], statuses = ['True', 'False', 'Unknown'], reasons: readonly (string | undefined)[] = [undefined]) => ({ type: pick(types), status: pick(statuses), reason: pick(reasons), message: maybe(pick(['ready', 'not ready: subnets not found', 'scaling'])) });
  const objects: Json[] = [];
  for (let i = 0; i < 24; i++) {
    const replicas = maybe(n(3), 0.8);
    const updated = n(3);
    objects.push({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('Deployment', i, { generation: 1 + n(2) }),
      spec: { replicas, paused: maybe(true, 0.1) },
      status: chance(0.1) ? undefined : { observedGeneration: n(3), replicas: updated + n(1), updatedReplicas: updated, availableReplicas: Math.max(0, updated - n(1)), conditions: maybe([{ type: 'Progressing', status: pick(['True', 'False']), reason: pick(['NewReplicaSetAvailable', 'ProgressDeadlineExceeded', 'ReplicaSetUpdated']) }], 0.6) },
    });
  }
  for (let i = 0; i < 24; i++) {
    const replicas = maybe(n(3), 0.8);
    const strategy = pick([undefined, { type: 'OnDelete' }, { type: 'RollingUpdate' }, { type: 'RollingUpdate', rollingUpdate: { partition: n(2) } }, { type: 'RollingUpdate', rollingUpdate: {} }]);
    objects.push({
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta('StatefulSet', i, { generation: 1 + n(1) }),
      spec: { replicas, updateStrategy: strategy },
      status: { observedGeneration: n(2), readyReplicas: n(3), updatedReplicas: n(3), currentReplicas: n(3), currentRevision: pick(['r1', 'r2']), updateRevision: pick(['r1', 'r2']) },
    });
  }
  for (let i = 0; i < 16; i++) {
    objects.push({ apiVersion: 'batch/v1', kind: 'Job', metadata: meta('Job', i), status: { conditions: Array.from({ length: n(2) }, () => condition(['Complete', 'Failed', 'Suspended', 'FailureTarget'], ['True', 'False'])) } });
  }
  for (const phase of ['Bound', 'Pending', 'Lost', 'Released', undefined]) objects.push({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('PersistentVolumeClaim', objects.length), status: phase ? { phase } : {} });
  for (const type of ['ClusterIP', 'LoadBalancer', 'LoadBalancer', undefined]) {
    objects.push({ apiVersion: 'v1', kind: 'Service', metadata: meta('Service', objects.length), spec: { type }, status: type === 'LoadBalancer' && chance(0.5) ? { loadBalancer: { ingress: [{ hostname: 'lb.example.com' }] } } : {} });
  }
  for (let i = 0; i < 20; i++) {
    const conditions = Array.from({ length: n(3) }, () => condition(['AbleToScale', 'ScalingActive', 'ScalingLimited'], ['True', 'False'], ['FailedGetScale', 'FailedUpdateScale', 'FailedGetResourceMetric', 'InvalidSelector', 'SucceededGetScale', 'ValidMetricFound', 'TooFewReplicas']));
    objects.push({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: meta('HorizontalPodAutoscaler', i), status: { conditions } });
  }
  for (const [group, kind] of [['karpenter.sh', 'NodePool'], ['karpenter.k8s.aws', 'EC2NodeClass']] as const) {
    for (let i = 0; i < 20; i++) {
      const conditions = Array.from({ length: n(3) }, () => condition(['Ready', 'Ready', 'NodeClassReady', 'SubnetsReady']));
      objects.push({ apiVersion: `${group}/v1`, kind, metadata: { name: `${kind.toLowerCase()}-${i}` }, status: chance(0.15) ? undefined : { conditions } });
    }
  }
  for (let i = 0; i < 20; i++) {
    const conditions = Array.from({ length: n(3) }, () => condition(['Ready', 'Active', 'Paused', 'Fallback']));
    objects.push({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: meta('ScaledObject', i), status: { conditions } });
  }
  for (let i = 0; i < 16; i++) {
    const conditions = Array.from({ length: 1 + n(1) }, () => ({ type: 'DisruptionAllowed', status: pick(['True', 'False']), reason: pick(['SufficientPods', 'InsufficientPods', 'SyncFailed']) }));
    objects.push({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta('PodDisruptionBudget', i), status: chance(0.2) ? {} : { conditions } });
  }
  for (let i = 0; i < 20; i++) {
    const health = pick([undefined, { status: 'Healthy' }, { status: 'Progressing' }, { status: 'Degraded', message: 'NodePool default not ready' }, { status: 'Missing' }, { status: 'Unknown' }, { status: 'Suspended' }]);
    objects.push({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: `app-${i}`, namespace: 'argocd' }, status: health || chance(0.5) ? { health, sync: { status: pick(['Synced', 'OutOfSync']) } } : undefined });
  }
  for (const groupKind of WITHOUT_HEALTH) {
    const [group, kind] = groupKind.includes('/') ? groupKind.split('/') : ['', groupKind];
    objects.push({ apiVersion: group ? `${group}/v1` : 'v1', kind, metadata: meta(kind!, objects.length) });
  }
  // The statuses test/argocd-sim.ts gives objects whose controller has not (yet) made them ready.
  objects.push(
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta('PodDisruptionBudget', objects.length), status: { conditions: [{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' }] } },
    { apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: 'waiting-for-its-class' }, status: { conditions: [{ type: 'Ready', status: 'False', reason: 'NodeClassNotReady', message: 'NodeClassReady=False: EC2NodeClass default not found' }] } },
    { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: meta('HorizontalPodAutoscaler', objects.length), status: { conditions: [{ type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message: "the HPA controller was unable to get the target's current scale" }] } },
    { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: meta('ScaledObject', objects.length), status: { conditions: [{ type: 'Ready', status: 'False', reason: 'ScaledObjectCheckFailed', message: "ScaledObject doesn't have correct scaleTargetRef specification" }] } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('Deployment', objects.length, { generation: 1 }), spec: { replicas: 2 }, status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 0 } },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta('StatefulSet', objects.length, { generation: 1 }), spec: { replicas: 3 }, status: { observedGeneration: 1, replicas: 3, readyReplicas: 0, updatedReplicas: 3, currentReplicas: 3, currentRevision: 'r1', updateRevision: 'r1' } },
    { apiVersion: 'batch/v1', kind: 'Job', metadata: meta('Job', objects.length), status: {} },
    { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' }, status: { conditions: [{ type: 'Established', status: 'True', message: 'the initial names have been accepted' }] } },
    { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.example.com' }, status: { conditions: [{ type: 'NamesAccepted', status: 'False', message: 'kind Gadget is already in use' }] } },
  );
  // Objects being deleted are Progressing whatever their kind, unless a hook's finalizer holds them.
  objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('ConfigMap', objects.length, { deletionTimestamp: '2026-01-01T00:00:00Z' }) });
  objects.push({ apiVersion: 'batch/v1', kind: 'Job', metadata: meta('Job', objects.length, { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['argocd.argoproj.io/hook-finalizer'] }), status: { conditions: [{ type: 'Complete', status: 'True' }] } });
  const all = objects.map(strip);
  return [
    { argocdCm: { [APPLICATION_HEALTH_KEY]: APPLICATION_HEALTH_LUA }, objects: all },
    // Without our patch: Argo CD assesses no Application.
    { argocdCm: {}, objects: all.filter((o) => o.kind === 'Application') },
  ];
}

const model = (corpus: Corpus): Verdict[] => {
  const checks = healthChecksOf(corpus.argocdCm);
  return corpus.objects.map((o) => argoHealth(o, checks) ?? null);
};
const oracle = (corpus: Corpus): Verdict[] => runOracle<Verdict[]>('argocd', ['health'], JSON.stringify(corpus));

/** The record: the seed, a digest of each corpus it made (the corpus is code: the seed and the generator above), and Argo CD's verdicts. */
interface Record_ {
  readonly seed: number;
  readonly corpora: { readonly corpus: string; readonly verdicts: Verdict[] }[];
}
const recorded = (): Record_ => JSON.parse(readFileSync(RECORDED, 'utf8'));
const digest = (corpus: Corpus) => createHash('sha256').update(JSON.stringify(corpus)).digest('hex');
/** Objects whose verdicts differ: one line each, the object and both verdicts. */
const disagreements = (corpus: Corpus, ours: Verdict[], theirs: Verdict[]) =>
  corpus.objects.flatMap((o, i) => (JSON.stringify(ours[i]) === JSON.stringify(theirs[i]) ? [] : [`${o.kind} ${JSON.stringify(o.status)}: model ${JSON.stringify(ours[i])}, Argo CD ${JSON.stringify(theirs[i])}`]));

describe('Argo CD health, recorded from Argo CD v3.1.16 (seed 20260522)', () => {
  it('is recorded for the corpus the seed makes', () => {
    expect(recorded().seed).toBe(SEED);
    expect(recorded().corpora.map((c) => c.corpus)).toEqual(healthCorpus().map(digest));
  });

  it('holds the model to every recorded verdict', () => {
    healthCorpus().forEach((corpus, i) => expect(disagreements(corpus, model(corpus), recorded().corpora[i]!.verdicts)).toEqual([]));
  });

  it('covers healthy, progressing and degraded objects of every kind the model assesses (a StatefulSet is never Degraded)', () => {
    const [corpus] = healthCorpus();
    const [{ verdicts }] = recorded().corpora;
    const seen = new Map<string, Set<string>>();
    corpus!.objects.forEach((o, i) => seen.set(o.kind, new Set([...(seen.get(o.kind) ?? []), verdicts![i]?.status ?? 'none'])));
    for (const kind of ['Deployment', 'Job', 'HorizontalPodAutoscaler', 'NodePool', 'EC2NodeClass', 'ScaledObject', 'PodDisruptionBudget', 'Application', 'PersistentVolumeClaim']) {
      expect([...seen.get(kind)!].filter((s) => ['Healthy', 'Progressing', 'Degraded'].includes(s)).sort(), kind).toEqual(['Degraded', 'Healthy', 'Progressing']);
    }
    // gitops-engine's StatefulSet check has no Degraded: a StatefulSet whose pods crash keeps its wave waiting, it never fails the sync.
    expect([...seen.get('StatefulSet')!].sort()).toEqual(['Healthy', 'Progressing']);
  });
});

describe.runIf(GO_TIER)('Argo CD health, from Argo CD v3.1.16 itself (oracle/argocd health)', () => {
  it('agrees with the model on every object of the corpus, and is what is recorded', () => {
    const corpora = healthCorpus().map((corpus) => ({ corpus, verdicts: oracle(corpus) }));
    const record = corpora.map(({ corpus, verdicts }) => ({ corpus: digest(corpus), verdicts }));
    if (process.env.KARPENTER_AS_CODE_RECORD === '1') {
      if (!existsSync(dirname(RECORDED))) mkdirSync(dirname(RECORDED), { recursive: true });
      writeFileSync(RECORDED, `{"seed":${SEED},"corpora":[\n${record.map((r) => `{"corpus":"${r.corpus}","verdicts":[\n${r.verdicts.map((v) => JSON.stringify(v)).join(',\n')}\n]}`).join(',\n')}\n]}\n`);
    }
    for (const { corpus, verdicts } of corpora) expect(disagreements(corpus, model(corpus), verdicts)).toEqual([]);
    expect(record).toEqual(recorded().corpora);
  });
});
