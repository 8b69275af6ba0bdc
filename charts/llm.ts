import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { enabledPools, NamespacedChart, sizing, WorkloadChartProps } from '../lib/chart-props';
import { httpProbe } from '../lib/probes';
import { Workload } from '../lib/workload';

const PORT = 11434;

/**
 * The LLM server (seeds 000, 003) on the arm64 LLM pools, on CPU. The documents request a GPU
 * on a t4g pool, which has none, and an amd64-only image on arm64 nodes: that pod could never
 * start. This one serves models over HTTP from a multi-arch CPU image, and runs at least two
 * replicas in production so its PDB always lets a node drain.
 */
export class LlmChart extends NamespacedChart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps) {
    super(scope, id, 'llm');
    // On-demand first (weight 50), spot burst (weight 10) once on-demand is full or short.
    const pools = enabledPools(props, 'llm-arm-ondemand', 'llm-arm-spot');
    if (pools.length === 0) return;
    const { minReplicas, maxReplicas } = sizing(props, 'llm-server', { minReplicas: 2, maxReplicas: 6 });
    new Workload(this, 'llm-server', {
      name: 'llm-server',
      pools,
      replicas: minReplicas,
      autoscaling: { maxReplicas, metric: { type: 'cpu', averageUtilization: 70 } },
      services: [{ name: 'llm-server', ports: [{ name: 'http', port: PORT }] }],
      volumes: [{ name: 'data', emptyDir: { sizeLimit: k8s.Quantity.fromString('40Gi') } }],
      containers: [
        {
          name: 'server',
          image: 'llm',
          env: [
            { name: 'OLLAMA_HOST', value: `0.0.0.0:${PORT}` },
            // Models and keys go to the writable volume; the image's default is root's home.
            { name: 'HOME', value: '/data' },
            { name: 'OLLAMA_MODELS', value: '/data/models' },
          ],
          ports: [{ name: 'http', containerPort: PORT }],
          // Seed 003's CPU and memory, without its GPU.
          requests: { cpu: '2', memory: '4Gi' },
          limits: { cpu: '4', memory: '8Gi' },
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
          readinessProbe: httpProbe('/', PORT, { initialDelaySeconds: 5, periodSeconds: 10 }),
          livenessProbe: httpProbe('/api/version', PORT, { initialDelaySeconds: 30, periodSeconds: 20 }),
        },
      ],
    });
  }
}
