import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { enabledPools, NamespacedChart, sizing, WorkloadChartProps } from '../lib/chart-props';
import { execProbe, httpProbe } from '../lib/probes';
import { Workload, WorkloadContainer } from '../lib/workload';

const AIRFLOW_USER = 50000; // the `airflow` user of the apache/airflow image
/** Secret (not emitted: created by External Secrets or by hand) holding Airflow's credentials. */
const SECRET = 'airflow';

function fromSecret(name: string, key: string): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: SECRET, key } } };
}

// Seed 003 puts the Postgres password in a literal connection string; here every credential
// comes from the Secret.
const ENV: readonly k8s.EnvVar[] = [
  { name: 'AIRFLOW__CORE__EXECUTOR', value: 'LocalExecutor' },
  { name: 'AIRFLOW__CORE__LOAD_EXAMPLES', value: 'False' },
  fromSecret('AIRFLOW__DATABASE__SQL_ALCHEMY_CONN', 'sql-alchemy-conn'),
  fromSecret('AIRFLOW__CORE__FERNET_KEY', 'fernet-key'),
  fromSecret('AIRFLOW__WEBSERVER__SECRET_KEY', 'webserver-secret-key'),
];

const MIGRATE: WorkloadContainer = {
  name: 'db-migrate',
  image: 'airflow',
  command: ['airflow', 'db', 'migrate'],
  env: ENV,
  requests: { cpu: '250m', memory: '512Mi' },
  limits: { cpu: '1', memory: '1Gi' },
};

/** Airflow (seed 003): a stateless webserver with an HPA, and schedulers running LocalExecutor tasks. */
export class AirflowChart extends NamespacedChart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps) {
    super(scope, id, 'airflow');
    const pools = enabledPools(props, 'airflow-arm-ondemand');
    if (pools.length === 0) return;

    const web = sizing(props, 'airflow-webserver', { minReplicas: 2, maxReplicas: 4 });
    new Workload(this, 'airflow-webserver', {
      name: 'airflow-webserver',
      pools,
      replicas: web.minReplicas,
      autoscaling: { maxReplicas: web.maxReplicas, metric: { type: 'cpu', averageUtilization: 70 } },
      runAsUser: AIRFLOW_USER,
      services: [{ name: 'airflow-webserver', ports: [{ name: 'http', port: 8080 }] }],
      containers: [
        {
          name: 'webserver',
          image: 'airflow',
          command: ['airflow', 'webserver'],
          env: ENV,
          ports: [{ name: 'http', containerPort: 8080 }],
          requests: { cpu: '500m', memory: '1Gi' },
          limits: { cpu: '1', memory: '2Gi' },
          readinessProbe: httpProbe('/health', 8080, { initialDelaySeconds: 20, periodSeconds: 10, timeoutSeconds: 5 }),
          livenessProbe: httpProbe('/health', 8080, { initialDelaySeconds: 60, periodSeconds: 30, timeoutSeconds: 10 }),
        },
      ],
    });

    // No HPA: with LocalExecutor the scheduler runs the tasks, and a CPU-driven scale-down
    // would kill them. Several schedulers run active-active on Postgres.
    const scheduler = sizing(props, 'airflow-scheduler', { minReplicas: 2, maxReplicas: 2 });
    new Workload(this, 'airflow-scheduler', {
      name: 'airflow-scheduler',
      pools,
      replicas: scheduler.minReplicas,
      runAsUser: AIRFLOW_USER,
      // Running tasks get time to finish before the pod stops.
      terminationGracePeriod: Duration.minutes(10),
      initContainers: [MIGRATE],
      containers: [
        {
          name: 'scheduler',
          image: 'airflow',
          command: ['airflow', 'scheduler'],
          env: ENV,
          requests: { cpu: '1', memory: '2Gi' },
          limits: { cpu: '2', memory: '4Gi' },
          livenessProbe: execProbe(['airflow', 'jobs', 'check', '--job-type', 'SchedulerJob', '--local'], {
            initialDelaySeconds: 60,
            periodSeconds: 60,
            timeoutSeconds: 30,
            failureThreshold: 5,
          }),
        },
      ],
    });
  }
}
