import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { NamespacedChart, WorkloadChartProps } from '../lib/constructs/chart-props';
import { RunOnceJob } from '../lib/constructs/job';
import { execProbe, httpProbe } from '../lib/constructs/probes';
import { WorkloadNetwork } from '../lib/constructs/workload-network';
import { NAME_LABEL, Workload, WorkloadContainer } from '../lib/constructs/workload';
import { failSizing, required } from '../lib/config/workload-config';
import { failSetting } from '../lib/config/config-field';
import { isQuantity, parseQuantity, toMi } from 'karpenter-validate/model';
import type { AirflowSettings } from '../config/workloads';

const AIRFLOW_USER = 50000; // the `airflow` user of the apache/airflow image
const GIT_SYNC_USER = 65533; // the git-sync image's user
const DAGS_ROOT = '/opt/airflow/dags';
const SERVICE_ACCOUNT = 'airflow';
/**
 * Memory a scheduler takes besides the tasks it runs: the scheduler loop, the DAG processor
 * manager and its parsing processes (`[scheduler] parsing_processes`, 2 by default).
 */
const SCHEDULER_MEMORY = 2 ** 30;
/** Pod annotation stating the memory of one task, which the airflow-parallelism rule reads. */
const TASK_MEMORY_ANNOTATION = 'karpenter-as-code.io/airflow-task-memory';
const MIGRATE_JOB = 'airflow-db-migrate';
const USER_JOB = 'airflow-create-user';

/**
 * Airflow with LocalExecutor (seed 003), the way the official chart (apache/airflow chart/)
 * runs it, without Helm: a migration Job and a user-creation Job in the components' wave, each
 * retrying by itself while the database does not answer (lib/constructs/job.ts), and components
 * that wait for the migrations in an init container (`airflow db check-migrations`), as the
 * user-creation Job does: the order holds within one wave and under `kubectl apply`, and an
 * unreachable database keeps Airflow waiting without holding back any other workload or sync. DAGs
 * from Git through git-sync (an init container for the first sync, a sidecar after); task logs in
 * S3 through the service account's IAM role, so the webserver reads a task's log whichever
 * scheduler ran it.
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
    this.requireDagRepository(settings.dags);

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
      containers: [{ name: 'migrate', image: images.airflow, command: ['airflow', 'db', 'migrate'], env: env_, ...small }],
    });
    const createUser = new RunOnceJob(this, 'create-user', {
      name: USER_JOB,
      pools,
      serviceAccountName: SERVICE_ACCOUNT,
      runAsUser: AIRFLOW_USER,
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

    const tasks = this.taskSizing(env, settings.tasks);
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
      podAnnotations: { 'karpenter-as-code.io/after': migrate.name, [TASK_MEMORY_ANNOTATION]: settings.tasks.memory },
      volumes: [{ name: 'dags', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } }],
      initContainers: [waitForMigrations, gitSync(true)],
      containers: [
        {
          name: 'scheduler',
          image: images.airflow,
          command: ['airflow', 'scheduler'],
          env: [...env_, { name: 'AIRFLOW__CORE__PARALLELISM', value: String(settings.tasks.parallelism) }],
          requests: { cpu: '1', memory: '2Gi' },
          limits: { cpu: '2', memory: tasks.limit },
          volumeMounts: [{ name: 'dags', mountPath: DAGS_ROOT, readOnly: true }],
          livenessProbe: execProbe(['airflow', 'jobs', 'check', '--job-type', 'SchedulerJob', '--local'], { initialDelaySeconds: 60, periodSeconds: 60, timeoutSeconds: 30, failureThreshold: 5 }),
        },
        gitSync(false),
      ],
    });
    network.addComponent('scheduler', { name: 'airflow-scheduler', workload: schedulerPods });
  }

  /**
   * The scheduler's memory limit, from the tasks it runs at once: LocalExecutor starts
   * `parallelism` worker processes in the scheduler's container (apache/airflow 2.10
   * airflow/executors/local_executor.py LocalExecutor.start), each running one task at a time.
   */
  private taskSizing(env: WorkloadChartProps['env'], tasks: AirflowSettings['tasks']): { limit: string } {
    if (!Number.isInteger(tasks.parallelism) || tasks.parallelism < 1) failSetting(env, 'airflow', 'tasks.parallelism', tasks.parallelism, 'be a whole number of at least 1: the tasks one scheduler runs at once ([core] parallelism), each a process of its container');
    if (typeof tasks.memory !== 'string' || !isQuantity(tasks.memory) || parseQuantity(tasks.memory) <= 0) {
      failSetting(env, 'airflow', 'tasks.memory', tasks.memory, 'be a positive Kubernetes quantity as a string ("256Mi"): the memory one running task takes, which sizes the scheduler\'s memory limit');
    }
    const bytes = SCHEDULER_MEMORY + tasks.parallelism * parseQuantity(tasks.memory);
    return { limit: bytes % 2 ** 30 === 0 ? `${bytes / 2 ** 30}Gi` : toMi(bytes) };
  }

  /**
   * The DAG repository, from the settings an environment may override: the schedulers' git-sync
   * clones it before they start (an init container that exits after GITSYNC_MAX_FAILURES), so
   * without it no scheduler runs and no task either. Its credentials, when private, are a Secret.
   */
  private requireDagRepository(dags: AirflowSettings['dags']): void {
    const where = [`ref ${dags.ref}`, dags.subPath ? `folder ${dags.subPath}` : 'the repository root'].join(', ');
    const access = dags.credentialsSecret
      ? `private: git-sync authenticates with Secret airflow/${dags.credentialsSecret}`
      : 'public: git-sync clones it without credentials (for a private one set settings.dags.credentialsSecret in config/workloads.ts and create that Secret)';
    this.requires({ kind: 'Git repository', name: dags.repo, purpose: `the Airflow DAGs (${where}), cloned over HTTPS by git-sync every ${dags.periodSeconds}s from the schedulers' nodes; ${access}. The schedulers do not start until the first clone succeeds` });
    if (dags.credentialsSecret) {
      this.requires({ kind: 'Secret', name: dags.credentialsSecret, namespace: this.namespace, purpose: `username and password (a token that can read ${dags.repo}) for git-sync; create it with External Secrets` });
    }
  }
}
