import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { NamespacedChart, WorkloadChartProps } from '../lib/constructs/chart-props';
import { RunOnceJob } from '../lib/constructs/job';
import { execProbe, httpProbe } from '../lib/constructs/probes';
import { WorkloadNetwork } from '../lib/constructs/workload-network';
import { NAME_LABEL, Workload, WorkloadContainer } from '../lib/constructs/workload';
import { failSizing, required } from '../lib/config/workload-config';

const AIRFLOW_USER = 50000; // the `airflow` user of the apache/airflow image
const GIT_SYNC_USER = 65533; // the git-sync image's user
const DAGS_ROOT = '/opt/airflow/dags';
const SERVICE_ACCOUNT = 'airflow';
// Jobs run in the Jobs phase of lib/synth/layout.ts: migrations first, then the admin user.
const MIGRATE_WAVE = 5;
const USER_WAVE = 6;
const MIGRATE_JOB = 'airflow-db-migrate';
const USER_JOB = 'airflow-create-user';

/**
 * Airflow with LocalExecutor (seed 003), the way the official chart (apache/airflow chart/)
 * runs it, without Helm: a migration Job and a user-creation Job before the components, which
 * also wait for the migrations in an init container (`airflow db check-migrations`) so that the
 * order holds under `kubectl apply` too; DAGs from Git through git-sync (an init container for
 * the first sync, a sidecar after); task logs in S3 through the service account's IAM role, so
 * the webserver reads a task's log whichever scheduler ran it.
 */
export class AirflowChart extends NamespacedChart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps<'airflow'>) {
    const { workload, env } = props;
    super(scope, id, workload.namespace);
    const { settings, images } = workload;
    const { webserver, scheduler } = workload.components;
    if (webserver.minReplicas < 1) {
      failSizing(env, 'airflow', 'webserver', 'minReplicas', webserver.minReplicas, 'be at least 1: the webserver autoscales with an HPA, whose minimum cannot be 0 (that needs the HPAScaleToZero feature gate, which EKS does not enable)');
    }
    if (scheduler.minReplicas < 1) failSizing(env, 'airflow', 'scheduler', 'minReplicas', scheduler.minReplicas, 'be at least 1: with LocalExecutor the schedulers run every task');
    if (scheduler.maxReplicas !== scheduler.minReplicas) {
      failSizing(env, 'airflow', 'scheduler', 'maxReplicas', scheduler.maxReplicas, `equal minReplicas (${scheduler.minReplicas}) or be left out: the schedulers do not autoscale (a scale-down would kill the tasks they run)`);
    }
    const logs = required(env, 'airflow', 'logs.remoteBaseFolder', settings.logs.remoteBaseFolder);
    const roleArn = required(env, 'airflow', 'logs.roleArn', settings.logs.roleArn);
    this.requires({ kind: 'S3 bucket', name: logs.replace(/^s3:\/\//, '').split('/')[0]!, purpose: `Airflow task logs, under ${logs}` });
    this.requires({ kind: 'IAM role', name: roleArn, purpose: `service account airflow/${SERVICE_ACCOUNT} (IRSA): s3:GetObject, s3:PutObject and s3:ListBucket on ${logs}` });

    const network = new WorkloadNetwork(this, 'network', { workload: workload.name, namespace: workload.namespace });
    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: SERVICE_ACCOUNT, annotations: { 'eks.amazonaws.com/role-arn': roleArn } },
      // No Airflow component calls the Kubernetes API with LocalExecutor.
      automountServiceAccountToken: false,
    });

    const fromSecret = (name: string, key: string): k8s.EnvVar => ({ name, valueFrom: { secretKeyRef: { name: settings.secret, key } } });
    const dagsFolder = [DAGS_ROOT, 'repo', settings.dags.subPath].filter(Boolean).join('/');
    // Seed 003 puts the Postgres password in a literal connection string; here every credential comes from the Secret.
    const env_: readonly k8s.EnvVar[] = [
      { name: 'AIRFLOW__CORE__EXECUTOR', value: 'LocalExecutor' },
      { name: 'AIRFLOW__CORE__LOAD_EXAMPLES', value: 'False' },
      { name: 'AIRFLOW__CORE__DAGS_FOLDER', value: dagsFolder },
      fromSecret('AIRFLOW__DATABASE__SQL_ALCHEMY_CONN', 'sql-alchemy-conn'),
      fromSecret('AIRFLOW__CORE__FERNET_KEY', 'fernet-key'),
      fromSecret('AIRFLOW__WEBSERVER__SECRET_KEY', 'webserver-secret-key'),
      { name: 'AIRFLOW__LOGGING__REMOTE_LOGGING', value: 'True' },
      { name: 'AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER', value: logs },
      { name: 'AIRFLOW__LOGGING__REMOTE_LOG_CONN_ID', value: 'aws_logs' },
      // No keys: boto3 takes the service account's IAM role (IRSA) from the environment.
      { name: 'AIRFLOW_CONN_AWS_LOGS', value: `aws://?region_name=${env.cluster.region}` },
    ];
    const small = { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } } as const;
    const waitForMigrations: WorkloadContainer = {
      name: 'wait-for-migrations',
      image: images.airflow,
      command: ['airflow', 'db', 'check-migrations', '--migration-wait-timeout=600'],
      env: env_,
      ...small,
    };
    const pools = scheduler.pools;

    const migrate = new RunOnceJob(this, 'migrate', {
      name: MIGRATE_JOB,
      pools,
      serviceAccountName: SERVICE_ACCOUNT,
      runAsUser: AIRFLOW_USER,
      wave: MIGRATE_WAVE,
      containers: [{ name: 'migrate', image: images.airflow, command: ['airflow', 'db', 'migrate'], env: env_, ...small }],
    });
    const createUser = new RunOnceJob(this, 'create-user', {
      name: USER_JOB,
      pools,
      serviceAccountName: SERVICE_ACCOUNT,
      runAsUser: AIRFLOW_USER,
      wave: USER_WAVE,
      initContainers: [waitForMigrations],
      containers: [
        {
          name: 'create-user',
          image: images.airflow,
          command: ['airflow', 'users', 'create'],
          // The kubelet expands $(ADMIN_PASSWORD) from the env below; the manifest holds no password.
          args: ['--role', 'Admin', '--username', settings.admin.username, '--email', settings.admin.email, '--firstname', settings.admin.firstName, '--lastname', settings.admin.lastName, '--password', '$(ADMIN_PASSWORD)'],
          env: [...env_, fromSecret('ADMIN_PASSWORD', 'admin-password')],
          ...small,
        },
      ],
    });

    const jobs = [migrate, createUser];
    network.addComponent('jobs', {
      name: 'airflow-jobs',
      selector: { matchExpressions: [{ key: NAME_LABEL, operator: 'In', values: [MIGRATE_JOB, USER_JOB] }] },
      carriers: jobs.map((job) => job.node.findChild('Resource') as ApiObject),
    });

    const webserverPods = new Workload(this, 'airflow-webserver', {
      name: 'airflow-webserver',
      pools: webserver.pools,
      replicas: webserver.minReplicas,
      autoscaling: { maxReplicas: webserver.maxReplicas, metric: { type: 'cpu', averageUtilization: 70 } },
      runAsUser: AIRFLOW_USER,
      serviceAccount: SERVICE_ACCOUNT,
      services: [{ name: 'airflow-webserver', ports: [{ name: 'http', port: 8080 }] }],
      podAnnotations: { 'karpenter-as-code.io/after': migrate.name },
      initContainers: [waitForMigrations],
      containers: [
        {
          name: 'webserver',
          image: images.airflow,
          command: ['airflow', 'webserver'],
          env: env_,
          ports: [{ name: 'http', containerPort: 8080 }],
          requests: { cpu: '500m', memory: '1Gi' },
          limits: { cpu: '1', memory: '2Gi' },
          readinessProbe: httpProbe('/health', 8080, { initialDelaySeconds: 20, periodSeconds: 10, timeoutSeconds: 5 }),
          livenessProbe: httpProbe('/health', 8080, { initialDelaySeconds: 60, periodSeconds: 30, timeoutSeconds: 10 }),
        },
      ],
    });

    const gitSync = (oneTime: boolean): WorkloadContainer => ({
      name: oneTime ? 'git-sync-init' : 'git-sync',
      image: images.gitSync,
      runAsUser: GIT_SYNC_USER,
      env: [
        { name: 'GITSYNC_REPO', value: settings.dags.repo },
        { name: 'GITSYNC_REF', value: settings.dags.ref },
        { name: 'GITSYNC_ROOT', value: DAGS_ROOT },
        { name: 'GITSYNC_LINK', value: 'repo' },
        { name: 'GITSYNC_DEPTH', value: '1' },
        { name: 'GITSYNC_PERIOD', value: `${settings.dags.periodSeconds}s` },
        { name: 'GITSYNC_MAX_FAILURES', value: '3' },
        ...(oneTime ? [{ name: 'GITSYNC_ONE_TIME', value: 'true' }] : [{ name: 'GITSYNC_HTTP_BIND', value: ':8000' }]),
        ...(settings.dags.credentialsSecret
          ? [
              { name: 'GITSYNC_USERNAME', valueFrom: { secretKeyRef: { name: settings.dags.credentialsSecret, key: 'username' } } },
              { name: 'GITSYNC_PASSWORD', valueFrom: { secretKeyRef: { name: settings.dags.credentialsSecret, key: 'password' } } },
            ]
          : []),
      ],
      requests: { cpu: '50m', memory: '64Mi' },
      limits: { cpu: '200m', memory: '256Mi' },
      volumeMounts: [{ name: 'dags', mountPath: DAGS_ROOT }],
      ...(oneTime ? {} : { ports: [{ name: 'git-sync', containerPort: 8000 }], livenessProbe: httpProbe('/', 8000, { initialDelaySeconds: 30, periodSeconds: 30, failureThreshold: 5 }) }),
    });

    network.addComponent('webserver', { name: 'airflow-webserver', workload: webserverPods });

    const schedulerPods = new Workload(this, 'airflow-scheduler', {
      name: 'airflow-scheduler',
      pools: scheduler.pools,
      // No HPA: with LocalExecutor the scheduler runs the tasks, and a CPU-driven scale-down
      // would kill them. Several schedulers run active-active on Postgres.
      replicas: scheduler.minReplicas,
      runAsUser: AIRFLOW_USER,
      serviceAccount: SERVICE_ACCOUNT,
      // Running tasks get time to finish before the pod stops.
      terminationGracePeriod: Duration.minutes(10),
      podAnnotations: { 'karpenter-as-code.io/after': migrate.name },
      volumes: [{ name: 'dags', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } }],
      initContainers: [waitForMigrations, gitSync(true)],
      containers: [
        {
          name: 'scheduler',
          image: images.airflow,
          command: ['airflow', 'scheduler'],
          env: env_,
          requests: { cpu: '1', memory: '2Gi' },
          limits: { cpu: '2', memory: '4Gi' },
          volumeMounts: [{ name: 'dags', mountPath: DAGS_ROOT, readOnly: true }],
          livenessProbe: execProbe(['airflow', 'jobs', 'check', '--job-type', 'SchedulerJob', '--local'], { initialDelaySeconds: 60, periodSeconds: 60, timeoutSeconds: 30, failureThreshold: 5 }),
        },
        gitSync(false),
      ],
    });
    network.addComponent('scheduler', { name: 'airflow-scheduler', workload: schedulerPods });
  }
}
