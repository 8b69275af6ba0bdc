import { Construct } from 'constructs';
import { enabledPools, NamespacedChart, sizing, WorkloadChartProps } from '../lib/chart-props';
import { httpProbe } from '../lib/probes';
import { Workload } from '../lib/workload';

const SPARK_USER = 185; // the `spark` user of the apache/spark image
const MASTER_URL = 'spark://spark-master.spark.svc.cluster.local:7077';
const SPARK_CLASS = '/opt/spark/bin/spark-class';
const FOREGROUND = { name: 'SPARK_NO_DAEMONIZE', value: 'true' };

/**
 * Spark standalone (seed 003): workers on the spark-exec pool, running the executors of the
 * applications submitted to the master. The documents start `CoarseGrainedExecutorBackend`
 * directly, which exits at once without a driver; a standalone worker registers with the master
 * and launches executors on demand.
 */
export class SparkChart extends NamespacedChart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps) {
    super(scope, id, 'spark');
    const workerPools = enabledPools(props, 'spark-exec-arm-ondemand');
    // The master lives on the core pool: spark-exec nodes expire every 2 hours, and a master
    // restart fails every running application.
    const masterPools = enabledPools(props, 'core-arm-ondemand');
    if (workerPools.length === 0 || masterPools.length === 0) return;

    new Workload(this, 'spark-master', {
      name: 'spark-master',
      pools: masterPools,
      replicas: 1,
      runAsUser: SPARK_USER,
      services: [{ name: 'spark-master', ports: [{ name: 'cluster', port: 7077 }, { name: 'http-ui', port: 8080 }] }],
      containers: [
        {
          name: 'master',
          image: 'spark',
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

    const { minReplicas, maxReplicas } = sizing(props, 'spark-worker', { minReplicas: 5, maxReplicas: 20 });
    new Workload(this, 'spark-worker', {
      name: 'spark-worker',
      pools: workerPools,
      replicas: minReplicas,
      autoscaling: { maxReplicas, metric: { type: 'cpu', averageUtilization: 70 } },
      runAsUser: SPARK_USER,
      containers: [
        {
          name: 'worker',
          image: 'spark',
          // Cores and memory offered to executors match the container's limits, less the worker's own JVM.
          command: [SPARK_CLASS, 'org.apache.spark.deploy.worker.Worker', '--cores', '2', '--memory', '3g', '--webui-port', '8081', MASTER_URL],
          env: [FOREGROUND],
          ports: [{ name: 'http-ui', containerPort: 8081 }],
          requests: { cpu: '1', memory: '2Gi' },
          limits: { cpu: '2', memory: '4Gi' },
          readinessProbe: httpProbe('/', 8081, { initialDelaySeconds: 10, periodSeconds: 10 }),
          livenessProbe: httpProbe('/', 8081, { initialDelaySeconds: 30, periodSeconds: 20 }),
        },
      ],
    });
  }
}
