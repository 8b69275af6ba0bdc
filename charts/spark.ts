import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SparkSettings } from '../config/workloads';
import { NamespacedChart, WorkloadChartProps } from '../lib/constructs/chart-props';
import { httpProbe } from '../lib/constructs/probes';
import { durationSeconds, jvmBytes, toMi } from 'karpenter-validate/model';
import { WorkloadNetwork } from '../lib/constructs/workload-network';
import { Workload } from '../lib/constructs/workload';
import { failSizing } from '../lib/config/workload-config';

const SPARK_USER = 185; // the `spark` user of the apache/spark image
const SPARK_CLASS = '/opt/spark/bin/spark-class';
const FOREGROUND = { name: 'SPARK_NO_DAEMONIZE', value: 'true' };
const MiB = 2 ** 20;
const MASTER_PORT = 7077;
/** The worker's RPC port (SPARK_WORKER_PORT, random by default): fixed, so that a policy can name it. */
const WORKER_PORT = 7078;
const AUTH_SECRET_VAR = 'SPARK_AUTH_SECRET';

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
    // Settings are checked where they are resolved (lib/config/workload-settings.ts); the replica counts here, where their use is.
    const { env } = props;
    if (master.minReplicas !== 1 || master.maxReplicas !== 1) {
      const field = master.minReplicas !== 1 ? 'minReplicas' : 'maxReplicas';
      failSizing(env, 'spark', 'master', field, master[field], 'be 1: a standalone master without ZooKeeper recovery is one process; a second would split the workers between two masters');
    }
    if (worker.minReplicas < 1) {
      failSizing(env, 'spark', 'worker', 'minReplicas', worker.minReplicas, 'be at least 1: the workers autoscale with an HPA, whose minimum cannot be 0 (that needs the HPAScaleToZero feature gate, which EKS does not enable)');
    }
    const masterUrl = `spark://spark-master.${workload.namespace}.svc.cluster.local:${MASTER_PORT}`;
    const network = new WorkloadNetwork(this, 'network', { workload: workload.name, namespace: workload.namespace });
    // Shared-secret RPC authentication (Spark 3.5.6 security.html, "Authentication"): the master
    // refuses a worker or an application that does not hold the secret, so reaching port 7077 no
    // longer lets a pod run code on the workers. In standalone mode the secret is set with
    // spark.authenticate.secret on every daemon (SPARK_DAEMON_JAVA_OPTS, spark-standalone.html),
    // from the Secret; the kubelet expands $(SPARK_AUTH_SECRET), so the manifest holds no secret.
    // A worker hands the secret to the executors it launches. Applications (drivers, in client
    // mode) set spark.authenticate and spark.authenticate.secret themselves. The Secret is a
    // prerequisite (config/workloads.ts).
    const authentication: k8s.EnvVar[] = [
      { name: AUTH_SECRET_VAR, valueFrom: { secretKeyRef: { name: settings.authSecret.name, key: settings.authSecret.key } } },
      { name: 'SPARK_DAEMON_JAVA_OPTS', value: `-Dspark.authenticate=true -Dspark.authenticate.secret=$(${AUTH_SECRET_VAR})` },
    ];

    const masterPods = new Workload(this, 'spark-master', {
      name: 'spark-master',
      pools: master.pools,
      replicas: master.minReplicas,
      runAsUser: SPARK_USER,
      services: [{ name: 'spark-master', ports: [{ name: 'cluster', port: MASTER_PORT }, { name: 'http-ui', port: 8080 }] }],
      containers: [
        {
          name: 'master',
          image: workload.images.spark,
          command: [SPARK_CLASS, 'org.apache.spark.deploy.master.Master', '--host', '0.0.0.0', '--port', String(MASTER_PORT), '--webui-port', '8080'],
          env: [FOREGROUND, ...authentication],
          ports: [
            { name: 'cluster', containerPort: MASTER_PORT },
            { name: 'http-ui', containerPort: 8080 },
          ],
          requests: { cpu: '500m', memory: '1Gi' },
          limits: { cpu: '1', memory: '2Gi' },
          readinessProbe: httpProbe('/', 8080, { initialDelaySeconds: 10, periodSeconds: 10 }),
          livenessProbe: httpProbe('/', 8080, { initialDelaySeconds: 30, periodSeconds: 20 }),
        },
      ],
    });

    network.addComponent('master', { name: 'spark-master', workload: masterPods });

    const memory = toMi(workerMemory(settings.worker).total);
    const cores = String(settings.worker.cores);
    const workerPods = new Workload(this, 'spark-worker', {
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
      // No karpenter.sh/do-not-disrupt: its duration counts from the worker's start, and a worker
      // runs jobs all its life, so a worker older than the duration (one hour into a two-hour
      // node) was evicted at once by the node's expiry while its executors ran. What a running
      // job gets instead is the decommissioning below, whatever disrupts the node: the worker
      // takes no new executor and its executors finish their tasks, within this grace period,
      // which the pool's terminationGracePeriod covers (config/pools.ts).
      terminationGracePeriod: Duration.seconds(durationSeconds(settings.worker.protectFor)),
      containers: [
        {
          name: 'worker',
          image: workload.images.spark,
          command: [SPARK_CLASS, 'org.apache.spark.deploy.worker.Worker', '--cores', cores, '--memory', settings.worker.executorMemory, '--port', String(WORKER_PORT), '--webui-port', '8081', masterUrl],
          env: [
            FOREGROUND,
            ...authentication,
            { name: 'SPARK_DAEMON_MEMORY', value: settings.worker.daemonMemory },
            // Graceful decommissioning (Spark 3.1+): on SIGPWR the worker stops taking executors
            // and its executors stop taking tasks, finish the running ones and exit.
            { name: 'SPARK_WORKER_OPTS', value: '-Dspark.decommission.enabled=true -Dspark.worker.cleanup.enabled=true' },
          ],
          ports: [
            { name: 'worker', containerPort: WORKER_PORT },
            { name: 'http-ui', containerPort: 8081 },
          ],
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
    network.addComponent('worker', { name: 'spark-worker', workload: workerPods });
  }
}
