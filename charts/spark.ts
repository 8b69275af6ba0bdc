import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { SparkSettings } from '../config/workloads';
import { NamespacedChart, WorkloadChartProps } from '../lib/chart-props';
import { fail } from '../lib/errors';
import { httpProbe } from '../lib/probes';
import { isJvmSize, jvmBytes, toMi } from '../lib/quantity';
import { Workload } from '../lib/workload';

const SPARK_USER = 185; // the `spark` user of the apache/spark image
const SPARK_CLASS = '/opt/spark/bin/spark-class';
const FOREGROUND = { name: 'SPARK_NO_DAEMONIZE', value: 'true' };
const MiB = 2 ** 20;

/**
 * Memory a worker container needs, so that neither the daemon nor an executor sized to what the
 * worker offers is OOM-killed: the daemon's heap and its JVM's non-heap (metaspace, threads,
 * about 256Mi), plus the executors' heap and their non-heap overhead, which Spark sizes as
 * max(10% of the heap, 384Mi) (spark.executor.memoryOverhead's default).
 */
export function workerMemory(worker: SparkSettings['worker']): { daemon: number; executors: number; total: number } {
  const daemon = jvmBytes(worker.daemonMemory) + 256 * MiB;
  const heap = jvmBytes(worker.executorMemory);
  const executors = heap + Math.max(0.1 * heap, 384 * MiB);
  return { daemon, executors, total: daemon + executors };
}

/**
 * Spark standalone (seed 003): workers on the spark-exec pool, running the executors of the
 * applications submitted to the master. The documents start `CoarseGrainedExecutorBackend`
 * directly, which exits at once without a driver; a standalone worker registers with the master
 * and launches executors on demand.
 */
export class SparkChart extends NamespacedChart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps<'spark'>) {
    const { workload } = props;
    super(scope, id, workload.namespace);
    const { master, worker } = workload.components;
    const { settings } = workload;
    const subject = `workload "spark"`;
    for (const field of ['executorMemory', 'daemonMemory'] as const) {
      if (!isJvmSize(settings.worker[field])) fail(subject, `settings.worker.${field}`, settings.worker[field], 'be a JVM memory size (e.g. "2g", "512m")');
    }
    const masterUrl = `spark://spark-master.${workload.namespace}.svc.cluster.local:7077`;

    new Workload(this, 'spark-master', {
      name: 'spark-master',
      pools: master.pools,
      replicas: master.minReplicas,
      runAsUser: SPARK_USER,
      services: [{ name: 'spark-master', ports: [{ name: 'cluster', port: 7077 }, { name: 'http-ui', port: 8080 }] }],
      containers: [
        {
          name: 'master',
          image: workload.images.spark,
          command: [SPARK_CLASS, 'org.apache.spark.deploy.master.Master', '--host', '0.0.0.0', '--port', '7077', '--webui-port', '8080'],
          env: [FOREGROUND],
          ports: [
            { name: 'cluster', containerPort: 7077 },
            { name: 'http-ui', containerPort: 8080 },
          ],
          requests: { cpu: '500m', memory: '1Gi' },
          limits: { cpu: '1', memory: '2Gi' },
          readinessProbe: httpProbe('/', 8080, { initialDelaySeconds: 10, periodSeconds: 10 }),
          livenessProbe: httpProbe('/', 8080, { initialDelaySeconds: 30, periodSeconds: 20 }),
        },
      ],
    });

    const memory = toMi(workerMemory(settings.worker).total);
    const cores = String(settings.worker.cores);
    new Workload(this, 'spark-worker', {
      name: 'spark-worker',
      pools: worker.pools,
      replicas: worker.minReplicas,
      autoscaling: {
        maxReplicas: worker.maxReplicas,
        metric: { type: 'cpu', averageUtilization: 70 },
        // Scale up at once; scale down slowly, one worker at a time, after ten quiet minutes:
        // each removal decommissions a worker's executors (see preStop below).
        behavior: {
          scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 100, periodSeconds: 30 }] },
          scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] },
        },
      },
      runAsUser: SPARK_USER,
      // Karpenter neither consolidates nor drifts a node while a worker started there is this
      // young: a job gets that long before a voluntary disruption can reach its executors.
      doNotDisrupt: settings.worker.protectFor,
      // A drain decommissions the worker: its executors finish their running tasks first.
      terminationGracePeriod: Duration.minutes(15),
      containers: [
        {
          name: 'worker',
          image: workload.images.spark,
          command: [SPARK_CLASS, 'org.apache.spark.deploy.worker.Worker', '--cores', cores, '--memory', settings.worker.executorMemory, '--webui-port', '8081', masterUrl],
          env: [
            FOREGROUND,
            { name: 'SPARK_DAEMON_MEMORY', value: settings.worker.daemonMemory },
            // Graceful decommissioning (Spark 3.1+): on SIGPWR the worker stops taking executors
            // and its executors stop taking tasks, finish the running ones and exit.
            { name: 'SPARK_WORKER_OPTS', value: '-Dspark.decommission.enabled=true -Dspark.worker.cleanup.enabled=true' },
          ],
          ports: [{ name: 'http-ui', containerPort: 8081 }],
          // Requests equal limits: the JVMs are sized to them, and a worker is never throttled or evicted first.
          requests: { cpu: cores, memory },
          limits: { cpu: cores, memory },
          lifecycle: {
            preStop: {
              exec: {
                command: [
                  '/bin/bash',
                  '-c',
                  // spark-class execs the worker JVM, so it is PID 1. Wait for the executors it launched to
                  // exit; the bracket keeps grep (and this shell) from matching their own command lines.
                  'kill -PWR 1; while grep -qs "[C]oarseGrainedExecutorBackend" /proc/[0-9]*/cmdline; do sleep 5; done',
                ],
              },
            },
          },
          readinessProbe: httpProbe('/', 8081, { initialDelaySeconds: 10, periodSeconds: 10 }),
          livenessProbe: httpProbe('/', 8081, { initialDelaySeconds: 30, periodSeconds: 20 }),
        },
      ],
    });
  }
}
