import { Construct } from 'constructs';
import { enabledPools, NamespacedChart, sizing, WorkloadChartProps } from '../lib/chart-props';
import { execProbe } from '../lib/probes';
import { Workload } from '../lib/workload';

const IDLE = { command: ['sleep'], args: ['infinity'] } as const;
const TOOL_CHECK = { initialDelaySeconds: 10, periodSeconds: 60, timeoutSeconds: 10 } as const;

/** Jenkins agents (seed 003): python, podman and aws-cli containers on the core pool. */
export class JenkinsChart extends NamespacedChart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps) {
    super(scope, id, 'ci');
    const pools = enabledPools(props, 'core-arm-ondemand');
    if (pools.length === 0) return;
    const { minReplicas, maxReplicas } = sizing(props, 'jenkins-agent', { minReplicas: 2, maxReplicas: 6 });
    new Workload(this, 'jenkins-agent', {
      name: 'jenkins-agent',
      pools,
      replicas: minReplicas,
      autoscaling: { maxReplicas, metric: { type: 'cpu', averageUtilization: 70 } },
      // A build in progress would be lost if Karpenter moved the agent; the core pool's
      // terminationGracePeriod still bounds how long a drain waits.
      doNotDisrupt: true,
      containers: [
        {
          name: 'python',
          image: 'python',
          ...IDLE,
          requests: { cpu: '500m', memory: '1Gi' },
          limits: { cpu: '1', memory: '2Gi' },
          livenessProbe: execProbe(['python3', '--version'], TOOL_CHECK),
        },
        {
          name: 'podman',
          image: 'podman',
          ...IDLE,
          requests: { cpu: '200m', memory: '512Mi' },
          limits: { cpu: '500m', memory: '1Gi' },
          livenessProbe: execProbe(['podman', '--version'], TOOL_CHECK),
          privileged: {
            reason: 'podman builds container images: it needs user namespaces, overlay mounts and device access that only a privileged container has',
          },
        },
        {
          name: 'aws-cli',
          image: 'awsCli',
          ...IDLE,
          requests: { cpu: '100m', memory: '256Mi' },
          limits: { cpu: '200m', memory: '512Mi' },
          livenessProbe: execProbe(['aws', '--version'], TOOL_CHECK),
        },
      ],
    });
  }
}
