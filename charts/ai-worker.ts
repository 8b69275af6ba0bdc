import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { RedisEndpoint } from '../config/workloads';
import { ScaledObject, ScaledObjectSpecAdvancedScalingModifiersMetricType, TriggerAuthentication } from '../imports/keda.sh';
import { NamespacedChart, WorkloadChartProps } from '../lib/constructs/chart-props';
import { fail } from '../lib/config/errors';
import { execProbe } from '../lib/constructs/probes';
import { clusterScoped } from '../lib/constructs/storage';
import { WorkloadNetwork } from '../lib/constructs/workload-network';
import { Workload } from '../lib/constructs/workload';
import { required } from '../lib/config/workload-config';

/** The static EFS volume holding the models (seed 001), and the claim the workers mount. */
const MODELS = { name: 'ai-models', path: '/models', size: '100Gi' } as const;
// Only claims that name this class can bind the volume: no other namespace can take the models.
const MODELS_CLASS = 'static-ai-models';
// Karpenter drains a spot node as soon as the interruption notice arrives, two minutes before
// EC2 reclaims it; the worker's checkpoint (seed 001) must finish well inside that.
const SPOT_GRACE = Duration.seconds(90);

/** The Celery URL of a Redis endpoint; the password comes from the environment (REDIS_PASSWORD). */
export function celeryUrl(endpoint: RedisEndpoint): string {
  const db = endpoint.db ?? 0;
  // Celery's Sentinel transport takes every Sentinel as its own URL, `;`-separated, and the master name in transport options.
  if ('sentinels' in endpoint) return endpoint.sentinels.map((address) => `sentinel://:\${REDIS_PASSWORD}@${address}/${db}`).join(';');
  return `redis://:\${REDIS_PASSWORD}@${endpoint.address}/${db}`;
}

/**
 * The queues KEDA scales the workers on, checked against the queues they consume: a queue no
 * worker consumes would buy GPU nodes for jobs nobody takes; at a minimum of zero replicas, a
 * consumed queue KEDA does not watch keeps its jobs waiting for ever (no worker runs to take them).
 */
function checkScalingQueues(subject: string, consumed: readonly string[], scaled: readonly string[], minReplicas: number): readonly string[] {
  const field = 'settings.scaling.queues';
  if (scaled.length === 0) fail(subject, field, scaled, `name at least one of the queues the workers consume [${consumed.join(', ')}]`);
  const notConsumed = scaled.filter((q) => !consumed.includes(q));
  if (notConsumed.length > 0) fail(subject, field, scaled, `name only queues the workers consume [${consumed.join(', ')}]: ${notConsumed.join(', ')} is not one, so jobs there would buy GPU nodes no worker uses`);
  const notScaled = consumed.filter((q) => !scaled.includes(q));
  if (minReplicas === 0 && notScaled.length > 0) {
    fail(subject, field, scaled, `name every queue the workers consume when they scale to zero (components.worker.minReplicas is 0): jobs on ${notScaled.join(', ')} would wait for ever, since no worker runs to take them and KEDA does not watch their lists. Add them, or leave settings.scaling.queues unset to scale on every queue`);
  }
  const names = scaled.map(triggerName);
  const clash = scaled.find((_, i) => names.indexOf(names[i]!) !== i);
  if (clash !== undefined) fail(subject, field, scaled, `name queues whose trigger names differ: ${clash} becomes "${triggerName(clash)}", as another queue does`);
  return scaled;
}

/** The trigger name of a queue: an identifier, which KEDA's scaling formula (expr-lang) can name. */
function triggerName(queue: string): string {
  const name = queue.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `q_${name}` : name;
}

/**
 * The Celery GPU workers of seed 001 on the standard GPU pool (gpu-spot): they select
 * `role=gpu-worker` and tolerate `nvidia.com/gpu`, both derived from the pool. KEDA scales them
 * on the length of the Celery queue, to zero when it is empty, so that no GPU node runs idle.
 */
export class AiWorkerChart extends NamespacedChart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps<'ai-worker'>) {
    const { workload, env } = props;
    super(scope, id, workload.namespace);
    const { worker } = workload.components;
    const { settings } = workload;
    const subject = 'workload "ai-worker"';
    const roleArn = required(env, 'ai-worker', 'checkpoints.roleArn', settings.checkpoints.roleArn);
    const checkpoints = required(env, 'ai-worker', 'checkpoints.location', settings.checkpoints.location);
    this.requires({ kind: 'S3 bucket', name: checkpoints.replace(/^s3:\/\//, '').split('/')[0]!, purpose: `the workers' checkpoints, under ${checkpoints}` });
    this.requires({ kind: 'IAM role', name: roleArn, purpose: `service account ${workload.namespace}/ai-worker (IRSA): read and write ${checkpoints}` });
    const scalingQueues = checkScalingQueues(subject, settings.queues, settings.scaling.queues ?? settings.queues, worker.minReplicas);

    this.addModelsVolume(env.modelsFileSystemId);
    this.requires({ kind: 'EFS file system', name: env.modelsFileSystemId, purpose: 'the AI models (seed 001), mounted read-only by the GPU workers (EFS CSI driver)' });

    const brokerUrl = celeryUrl(settings.broker);
    const backend = settings.backend ?? settings.broker;
    const password: k8s.EnvVar = { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: settings.passwordSecret.name, key: settings.passwordSecret.key } } };
    const network = new WorkloadNetwork(this, 'network', { workload: workload.name, namespace: workload.namespace });
    const app = new Workload(this, 'ai-worker', {
      name: 'ai-worker',
      pools: worker.pools,
      replicas: worker.minReplicas,
      autoscaling: { external: 'keda', maxReplicas: worker.maxReplicas },
      serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': roleArn },
      // No karpenter.sh/do-not-disrupt: on a spot interruption the termination controller does not
      // evict such pods, so EC2 would kill the worker without SIGTERM and the checkpoint would
      // never run. The gpu-spot pool consolidates only empty nodes instead.
      terminationGracePeriod: SPOT_GRACE,
      volumes: [{ name: 'models', persistentVolumeClaim: { claimName: MODELS.name, readOnly: true } }],
      containers: [
        {
          name: 'worker',
          image: workload.images.worker,
          env: [
            password,
            // The kubelet expands $(REDIS_PASSWORD) from the variable above.
            { name: 'CELERY_BROKER', value: brokerUrl.replace(/\$\{REDIS_PASSWORD\}/g, '$(REDIS_PASSWORD)') },
            { name: 'CELERY_RESULT_BACKEND', value: celeryUrl(backend).replace(/\$\{REDIS_PASSWORD\}/g, '$(REDIS_PASSWORD)') },
            ...('sentinels' in settings.broker ? [{ name: 'CELERY_BROKER_TRANSPORT_OPTIONS', value: JSON.stringify({ master_name: settings.broker.masterName }) }] : []),
            { name: 'CELERY_QUEUES', value: settings.queues.join(',') },
            { name: 'CHECKPOINT_LOCATION', value: checkpoints },
            { name: 'CUDA_VISIBLE_DEVICES', value: '0' },
          ],
          requests: { cpu: '3', memory: '12Gi', 'nvidia.com/gpu': '1' },
          limits: { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': '1' },
          volumeMounts: [{ name: 'models', mountPath: MODELS.path, readOnly: true }],
          // Ready once this worker answers a ping sent through the broker: `inspect ping` is a
          // remote-control command broadcast over Redis (Celery 5 workers guide, "Remote control"),
          // and -d asks only this worker, by its node name (celery@<hostname>, the default).
          readinessProbe: execProbe(['/bin/sh', '-c', 'celery -A app inspect ping --timeout 5 -d "celery@$HOSTNAME"'], { initialDelaySeconds: 30, periodSeconds: 15, timeoutSeconds: 10 }),
          // No liveness probe: the same ping goes through Redis, so during a Sentinel failover
          // (30 s of down-after-milliseconds, then the election) it fails on every worker at once
          // and the kubelet would kill them all with their jobs. A worker whose process dies ends
          // its container anyway, and Celery reconnects to the new master by itself.
        },
      ],
    });

    network.addComponent('worker', { name: 'ai-worker', workload: app });
    this.dropDisruptionBudget(app);

    const auth = new TriggerAuthentication(this, 'redis-auth', {
      metadata: { name: 'ai-worker-redis' },
      spec: {
        secretTargetRef: [
          { parameter: 'password', name: settings.passwordSecret.name, key: settings.passwordSecret.key },
          ...('sentinels' in settings.broker ? [{ parameter: 'sentinelPassword', name: settings.passwordSecret.name, key: settings.passwordSecret.key }] : []),
        ],
      },
    });

    const { scaling } = settings;
    const broker = settings.broker;
    // A trigger per queue, named so that the formula can sum them (KEDA reads one list per redis
    // trigger, kedacore/keda v2.20.2 pkg/scalers/redis_scaler.go redisMetadata.ListName).
    const triggers = scalingQueues.map((queue) => ({ queue, name: triggerName(queue) }));
    new ScaledObject(this, 'scaler', {
      metadata: { name: 'ai-worker' },
      spec: {
        scaleTargetRef: { apiVersion: app.controller.apiVersion, kind: app.controller.kind, name: app.controller.name },
        minReplicaCount: worker.minReplicas,
        maxReplicaCount: worker.maxReplicas,
        pollingInterval: 15,
        // After the queue empties, workers stay this long before scaling to zero, and the GPU pool
        // then waits consolidateAfter before removing the empty node: a node bought for a burst
        // serves the next one instead of being dropped within minutes.
        cooldownPeriod: scaling.cooldownSeconds,
        advanced: {
          horizontalPodAutoscalerConfig: {
            // Seed 001's behaviour: double every 15 s; halve at most every minute after 5 quiet minutes.
            behavior: {
              scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
              scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] },
            },
          },
          // Every worker takes jobs from every queue, so the backlog is the sum of the lists: the
          // HPA alone would take the largest of the triggers' replica counts (one per queue), and
          // three queues of three jobs would get one worker. With a formula the triggers are only
          // its inputs; its target and activation decide (pkg/scaling/scale_handler.go).
          scalingModifiers: {
            formula: triggers.map((t) => t.name).join(' + '),
            target: String(scaling.jobsPerWorker),
            activationTarget: String(scaling.activateAbove),
            metricType: ScaledObjectSpecAdvancedScalingModifiersMetricType.AVERAGE_VALUE,
          },
        },
        // The Redis lists of the queues, read straight from the broker: no exporter or Prometheus
        // between the queue and the scaler to fail or lag.
        triggers: triggers.map(({ queue, name }) => ({
          type: 'sentinels' in broker ? 'redis-sentinel' : 'redis',
          name,
          metadata: {
            ...('sentinels' in broker ? { addresses: broker.sentinels.join(','), sentinelMaster: broker.masterName } : { address: broker.address }),
            listName: queue,
            databaseIndex: String(broker.db ?? 0),
          },
          authenticationRef: { name: auth.name },
        })),
      },
    });
  }

  /**
   * No PodDisruptionBudget on workers that run on spot capacity only. A spot reclaim deletes the
   * NodeClaims of the reclaimed nodes (karpenter-provider-aws v1.14.1 pkg/controllers/interruption
   * utils.go InterruptionHandler.handleNodeClaim, actionForMessage: CordonAndDrain), and the termination controller evicts their
   * pods through the Eviction API, which a PDB holds (sigs.k8s.io/karpenter v1.14.1
   * pkg/controllers/node/termination/terminator/eviction.go: 429, requeue). EC2 takes the
   * instances two minutes after the notice whatever the pool's terminationGracePeriod: with
   * maxUnavailable 1, a reclaim of several nodes lets one worker checkpoint and kills the others
   * without SIGTERM. Nothing else needs the budget: the pool consolidates empty nodes only and
   * drifts one node at a time.
   */
  private dropDisruptionBudget(app: Workload): void {
    if (!app.node.tryRemoveChild('DisruptionBudget')) throw new Error(`workload "ai-worker": the Workload construct no longer adds its PodDisruptionBudget as child "DisruptionBudget" (lib/constructs/workload.ts): drop it another way`);
  }

  /** The models volume: a static EFS PersistentVolume only this namespace's claim can bind. */
  private addModelsVolume(fileSystemId: string): void {
    clusterScoped(
      new k8s.KubePersistentVolume(this, 'models-volume', {
        metadata: { name: MODELS.name },
        spec: {
          capacity: { storage: k8s.Quantity.fromString(MODELS.size) },
          accessModes: ['ReadOnlyMany'],
          persistentVolumeReclaimPolicy: 'Retain',
          // No claimRef: the binder writes its uid into it, which ArgoCD's server-side diff shows
          // as forever OutOfSync (argo-cd #16058). The class, which only our claim names, binds it.
          storageClassName: MODELS_CLASS,
          csi: { driver: 'efs.csi.aws.com', volumeHandle: `${fileSystemId}:${MODELS.path}`, readOnly: true },
        },
      }),
    );
    new k8s.KubePersistentVolumeClaim(this, 'models-claim', {
      metadata: { name: MODELS.name },
      spec: {
        accessModes: ['ReadOnlyMany'],
        storageClassName: MODELS_CLASS,
        volumeName: MODELS.name,
        volumeMode: 'Filesystem',
        resources: { requests: { storage: k8s.Quantity.fromString(MODELS.size) } },
      },
    });
  }
}
