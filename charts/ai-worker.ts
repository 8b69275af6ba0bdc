import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { enabledPools, NamespacedChart, sizing, WorkloadChartProps } from '../lib/chart-props';
import { execProbe } from '../lib/probes';
import { MODELS_VOLUME } from '../lib/storage';
import { Workload } from '../lib/workload';

/**
 * The Celery GPU workers of seed 001 on the standard GPU pool (gpu-spot): they select
 * `role=gpu-worker` and tolerate `nvidia.com/gpu`, both derived from the pool. gpu-premium
 * additionally taints `tier=premium` and stays reserved for premium workers.
 */
export class AiWorkerChart extends NamespacedChart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps) {
    super(scope, id, 'ai');
    const pools = enabledPools(props, 'gpu-spot');
    if (pools.length === 0) return;

    new k8s.KubePersistentVolumeClaim(this, 'models', {
      metadata: { name: MODELS_VOLUME.name },
      spec: {
        accessModes: ['ReadOnlyMany'],
        storageClassName: '',
        volumeName: MODELS_VOLUME.name,
        resources: { requests: { storage: k8s.Quantity.fromString(MODELS_VOLUME.size) } },
      },
    });

    const { minReplicas, maxReplicas } = sizing(props, 'ai-worker', { minReplicas: 1, maxReplicas: 20 });
    new Workload(this, 'ai-worker', {
      name: 'ai-worker',
      pools,
      // Seed 001 scales to zero; an HPA minimum of 0 needs the HPAScaleToZero feature gate,
      // which EKS does not enable. One warm worker is the floor.
      replicas: minReplicas,
      autoscaling: {
        maxReplicas,
        metric: {
          type: 'external',
          name: 'celery_queue_length',
          // Seed 001 selects queue_name "queue:pro"; ':' is not allowed in a label value, so the
          // metrics adapter must expose the queue as queue=pro.
          matchLabels: { queue: 'pro' },
          averageValue: '3',
        },
        behavior: {
          scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
          scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] },
        },
      },
      // A worker checkpoints its job on SIGTERM (seed 001); Karpenter must not consolidate it mid-job.
      doNotDisrupt: true,
      terminationGracePeriod: Duration.seconds(120),
      volumes: [{ name: 'models', persistentVolumeClaim: { claimName: MODELS_VOLUME.name, readOnly: true } }],
      containers: [
        {
          name: 'worker',
          image: 'aiWorker',
          env: [
            { name: 'CELERY_BROKER', value: 'redis://redis-sentinel:26379/0' },
            { name: 'CELERY_QUEUES', value: 'queue:pro,queue:starter,queue:free' },
            { name: 'CUDA_VISIBLE_DEVICES', value: '0' },
          ],
          requests: { cpu: '3', memory: '12Gi', 'nvidia.com/gpu': '1' },
          limits: { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': '1' },
          volumeMounts: [{ name: 'models', mountPath: '/models', readOnly: true }],
          livenessProbe: execProbe(['celery', '-A', 'app', 'inspect', 'ping'], { initialDelaySeconds: 60, periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 3 }),
          readinessProbe: execProbe(['celery', '-A', 'app', 'inspect', 'active'], { initialDelaySeconds: 30, periodSeconds: 10, timeoutSeconds: 10 }),
        },
      ],
    });
  }
}
