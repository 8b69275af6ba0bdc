import type { Arch, ComponentNetwork, PoolName, Prerequisite } from './types';

/**
 * Every workload this project deploys, one entry each: its namespace, the pools each of its
 * components runs on and their replica counts, its images (pinned, with the architectures
 * they are published for), its settings and what it needs from outside the set. The chart
 * that renders it is registered under the same key in `charts/index.ts`. Environments change
 * only what `WorkloadOverrides` allows (see `config/environments/`).
 *
 * A workload is one chart file plus its entry here: see README "Add a workload".
 */

/** A container image, pinned, and the architectures it is published for. */
export interface Image {
  /** Repository (`apache/kafka`, `quay.io/podman/stable`). */
  readonly repository: string;
  /** A version tag (never `latest`) or a `sha256:` digest. */
  readonly tag: string;
  /** Architectures the tag is published for; the validator matches them against the pools' nodes. */
  readonly architectures: readonly Arch[];
}

/** Replicas of one component, or its autoscaler's bounds. */
export interface ComponentSizing {
  /** Replicas, or the autoscaler's minimum. */
  readonly minReplicas?: number;
  /** Autoscaler maximum. @default minReplicas (no autoscaler) */
  readonly maxReplicas?: number;
}

/** One component (controller) of a workload. */
export interface ComponentConfig {
  /** Pools its pods run on; their node selector and tolerations are derived from them. */
  readonly pools: readonly PoolName[];
  /** Replicas, or the autoscaler's minimum. */
  readonly minReplicas: number;
  /** Autoscaler maximum. @default minReplicas (no autoscaler) */
  readonly maxReplicas?: number;
  /**
   * The least `minReplicas` a production environment may set: a promise, checked at synth
   * (e.g. two LLM servers so that a node can always drain). @default no promise
   */
  readonly productionMinReplicas?: number;
}

/** The Pod Security Admission level a workload's namespace enforces, when not `restricted`, and why. */
export interface PodSecurity {
  readonly level: 'baseline' | 'privileged';
  /** Why the workload cannot run under `restricted` (at least 10 characters). */
  readonly reason: string;
}

/**
 * A workload's entry: C names its components, I its images, S is the shape of its settings, N
 * the groups of its pods its network entry declares (its components, and pods that are not one,
 * such as Airflow's Jobs).
 */
export interface WorkloadConfig<C extends string, I extends string, S, N extends string = C> {
  /** Namespace of its objects; the platform chart creates it. */
  readonly namespace: string;
  /** @default `restricted` */
  readonly podSecurity?: PodSecurity;
  readonly components: Readonly<Record<C, ComponentConfig>>;
  readonly images: Readonly<Record<I, Image>>;
  readonly settings: S;
  /** Objects outside the set its pods reference, and AWS resources it uses. @default none */
  readonly prerequisites?: readonly Prerequisite[];
  /**
   * Who may reach each group of its pods, on which ports, and what they reach outside the set:
   * its namespace's NetworkPolicies are derived from it (lib/network/), and REPORT.md shows what
   * they allow. A flow between two workloads of the set is declared once, by the one reached.
   */
  readonly network: Readonly<Record<N, ComponentNetwork>>;
}

/** What an environment may change about a workload entry `W`. */
export interface WorkloadOverride<W extends { readonly components: object; readonly settings: unknown }> {
  /** Set to false to leave the workload out. @default true (left out anyway when a component has no enabled pool) */
  readonly enabled?: boolean;
  readonly components?: { readonly [C in keyof W['components']]?: ComponentSizing };
  readonly settings?: DeepPartial<W['settings']>;
}

/** A Redis endpoint: one server, or the Sentinels that name the current master. */
export type RedisEndpoint =
  | {
      /** `host:port` of the Redis server. */
      readonly address: string;
      /** Database number. @default 0 */
      readonly db?: number;
    }
  | {
      /** `host:port` of each Sentinel. */
      readonly sentinels: readonly string[];
      /** The master name the Sentinels monitor. */
      readonly masterName: string;
      /** Database number. @default 0 */
      readonly db?: number;
    };

/** A key of a Secret. */
export interface SecretKey {
  readonly name: string;
  readonly key: string;
}

/** Jenkins agents: pod templates for the controller's Kubernetes cloud. */
export interface JenkinsSettings {
  /** The Jenkins controller (official chart, with the kubernetes and configuration-as-code plugins). */
  readonly controller: {
    /** URL agents connect back to (WebSocket over the controller's HTTP port). */
    readonly url: string;
    /** Namespace the controller runs in; its JCasC ConfigMaps go there. */
    readonly namespace: string;
    /** The controller's ServiceAccount, which creates the agent pods. */
    readonly serviceAccount: string;
    /** Label the chart's config-reload sidecar watches (`<release>-jenkins-config`). */
    readonly configLabel: string;
  };
  /**
   * Label pipelines select an agent with: `<label>-<arch>` for an architecture
   * (`agent { label 'podman-amd64' }`), `<label>` alone for the first of `architectures`.
   */
  readonly label: string;
  /**
   * Architectures images are built for, natively: one pod template each, pinned to nodes of that
   * architecture. A multi-architecture image is a build per architecture, then a manifest list
   * (`podman manifest create`, `podman manifest add`, `podman manifest push`).
   */
  readonly architectures: readonly Arch[];
  /** Minutes an idle agent pod is kept for the next queued build. */
  readonly idleMinutes: number;
}

/** Kafka in KRaft mode. */
export interface KafkaSettings {
  /** KRaft cluster ID (a base64 UUID): fixed, since every broker's storage is formatted with it. */
  readonly clusterId: string;
  /** Size of each broker's gp3 volume. */
  readonly storage: string;
  /** Broker JVM heap (`-Xmx`), well under the container's memory limit (page cache does the rest). */
  readonly heap: string;
}

/** Spark standalone. */
export interface SparkSettings {
  /** What each worker offers executors, and what the worker daemon itself takes. */
  readonly worker: {
    readonly cores: number;
    /** Memory offered to executors (`--memory`, e.g. `2g`): the executors' heap. */
    readonly executorMemory: string;
    /** Heap of the worker daemon itself (SPARK_DAEMON_MEMORY, e.g. `512m`). */
    readonly daemonMemory: string;
    /**
     * How long a worker that is drained (its node expiring or drifting, the HPA scaling it down)
     * lets its running executors finish: its terminationGracePeriodSeconds, spent decommissioning
     * (no new executor, running tasks finish). Long enough for the tasks it runs; the spark-exec
     * pool's terminationGracePeriod must be at least as long. Not karpenter.sh/do-not-disrupt: its
     * duration counts from the worker's start, which says nothing of the age of the job it runs.
     */
    readonly protectFor: string;
  };
  /**
   * The shared secret of Spark's RPC authentication (`spark.authenticate`): the master refuses a
   * worker or an application that does not prove it holds the same one. Standalone mode has one
   * secret for every daemon and application (Spark 3.5.6 security.html, "Authentication").
   */
  readonly authSecret: SecretKey;
}

/** Airflow with LocalExecutor. */
export interface AirflowSettings {
  /** DAGs, delivered by git-sync. */
  readonly dags: {
    readonly repo: string;
    /** Branch, tag or commit. */
    readonly ref: string;
    /** Folder of the repository holding the DAGs. @default the repository root */
    readonly subPath?: string;
    /** Seconds between syncs. */
    readonly periodSeconds: number;
    /** Secret with `username` and `password` (a token) for a private repository. @default none (public repository) */
    readonly credentialsSecret?: string;
  };
  /** Task logs, written to S3 so the webserver can read a task's log whichever scheduler ran it. */
  readonly logs: {
    /** `s3://bucket/prefix`. Set per environment. */
    readonly remoteBaseFolder?: string;
    /** IAM role (IRSA) of the Airflow service account, allowed to write and read that prefix. Set per environment. */
    readonly roleArn?: string;
  };
  /**
   * The tasks each scheduler runs: with LocalExecutor every running task is a process of the
   * scheduler's container (Airflow 2.10 LocalExecutor: `parallelism` worker processes, each
   * running a task as `airflow tasks run` and the task's own process), so the container's memory
   * limit is sized from them: the scheduler's own 1Gi plus `parallelism` times `memory`.
   */
  readonly tasks: {
    /** Tasks one scheduler runs at once (`[core] parallelism`, whose default, 32, is sized for no container). */
    readonly parallelism: number;
    /** Memory one running task takes at most: its two Python processes with Airflow and the DAG's imports. */
    readonly memory: string;
  };
  /** Secret holding `sql-alchemy-conn`, `fernet-key`, `webserver-secret-key` and `admin-password`. */
  readonly secret: string;
  /** The admin user the user-creation Job creates; its password comes from the Secret. */
  readonly admin: { readonly username: string; readonly email: string; readonly firstName: string; readonly lastName: string };
}

/** The LLM server (ollama). */
export interface LlmSettings {
  /** The model served, from the ollama library, and the memory it needs resident. */
  readonly model: {
    /** `name:tag` (e.g. `qwen2.5:1.5b`). */
    readonly name: string;
    /** Resident memory of the loaded model with its context (weights, KV cache, runtime). */
    readonly memory: string;
    /** Size of the downloaded model on disk. */
    readonly disk: string;
  };
  /** Size of each server's model volume (gp3), which keeps pulled models across restarts. */
  readonly volumeSize: string;
}

/** The Celery GPU workers of seed 001, scaled by KEDA on the queue length. */
export interface AiWorkerSettings {
  /** The Celery broker (seed 001: Redis behind Sentinel). */
  readonly broker: RedisEndpoint;
  /** The Celery result backend. @default the broker */
  readonly backend?: RedisEndpoint;
  /** The Redis password (also the Sentinels'), for the workers and for KEDA. */
  readonly passwordSecret: SecretKey;
  /** Queues the workers consume, in priority order. */
  readonly queues: readonly string[];
  /** How KEDA scales the workers. */
  readonly scaling: {
    /**
     * The queues whose Redis lists drive scaling: their lengths are summed. Each must be one the
     * workers consume; when the workers scale to zero, every queue they consume must be here, or
     * jobs on the others wait with no worker to take them.
     * @default every queue of `queues`
     */
    readonly queues?: readonly string[];
    /** Jobs per worker: the target of the summed list lengths per replica. */
    readonly jobsPerWorker: number;
    /** KEDA activates (scales from zero, buying a GPU node) when more jobs than this wait, all queues together. */
    readonly activateAbove: number;
    /** Seconds without jobs before scaling to zero; longer than the GPU pool's consolidateAfter. */
    readonly cooldownSeconds: number;
  };
  /** Where jobs checkpoint on SIGTERM (seed 001). Set per environment. */
  readonly checkpoints: {
    /** `s3://bucket/prefix`. */
    readonly location?: string;
    /** IAM role (IRSA) of the worker's service account, allowed to write there. */
    readonly roleArn?: string;
  };
}

/** The workload entries, by name. Each chart in `charts/index.ts` is registered under one of these names. */
export interface WorkloadCatalog {
  readonly jenkins: WorkloadConfig<'agent', 'jnlp' | 'python' | 'podman' | 'awsCli', JenkinsSettings>;
  readonly kafka: WorkloadConfig<'brokers', 'kafka', KafkaSettings>;
  readonly spark: WorkloadConfig<'master' | 'worker', 'spark', SparkSettings>;
  readonly airflow: WorkloadConfig<'webserver' | 'scheduler', 'airflow' | 'gitSync', AirflowSettings, 'webserver' | 'scheduler' | 'jobs'>;
  readonly llm: WorkloadConfig<'server', 'ollama', LlmSettings>;
  readonly 'ai-worker': WorkloadConfig<'worker', 'worker', AiWorkerSettings>;
}

/** Names of the workloads. */
export type WorkloadName = keyof WorkloadCatalog;

/** A workload entry's component names. */
export type ComponentsOf<W> = W extends { readonly components: infer C } ? keyof C & string : never;
/** A workload entry's settings. */
export type SettingsOf<W> = W extends { readonly settings: infer S } ? S : never;

/** What environments may change, by workload. */
export type WorkloadOverrides = { readonly [W in WorkloadName]?: WorkloadOverride<WorkloadCatalog[W]> };

/** Every field optional, recursively (arrays are replaced whole). */
export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { readonly [K in keyof T]?: DeepPartial<T[K]> } : T;

const MULTI_ARCH: readonly Arch[] = ['amd64', 'arm64'];

/**
 * Where the Airflow metadata database (Postgres, RDS in the VPC's database subnets) answers: the
 * VPC's private ranges. Narrow it to the database subnets' CIDRs once an environment names them.
 */
const VPC_PRIVATE: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
/**
 * The ports Spark applications bind, random unless the application sets them (Spark 3.5.6
 * security.html, "Configuring Ports for Network Security"): DAG tasks set spark.driver.port and
 * spark.blockManager.port to the first port of each range, and Spark tries the next port while
 * one is taken, up to spark.port.maxRetries (16) times (several drivers and executors share a pod).
 */
export const SPARK_APPLICATION_PORTS = { driver: { port: 7100, endPort: 7116 }, blockManager: { port: 7200, endPort: 7216 } } as const;

/** Amazon S3 and AWS STS, for a service account's IAM role (IRSA): public endpoints, HTTPS. */
const AWS_APIS = { to: { external: 'Amazon S3 and AWS STS (the service account\'s IAM role, IRSA)' }, ports: [{ port: 443 }] } as const;

export const WORKLOADS: WorkloadCatalog = {
  jenkins: {
    namespace: 'ci',
    podSecurity: {
      level: 'privileged',
      reason: 'podman builds container images inside the agent: it needs user namespaces, overlay mounts and device access that only a privileged container has',
    },
    // Agents are created by the controller's Kubernetes cloud, one pod per queued build, up to
    // maxReplicas at once, and removed after idleMinutes: the queue scales them, to zero.
    // A pool of their own, tainted: a privileged pod never shares a node with another workload.
    components: { agent: { pools: ['ci-build-ondemand'], minReplicas: 0, maxReplicas: 6 } },
    images: {
      // The agent container the Kubernetes plugin connects through (as the official chart pins it).
      jnlp: { repository: 'jenkins/inbound-agent', tag: '3385.vf1123fb_515da_-1', architectures: MULTI_ARCH },
      python: { repository: 'python', tag: '3.12.11-slim-bookworm', architectures: MULTI_ARCH },
      podman: { repository: 'quay.io/podman/stable', tag: 'v5.5.2', architectures: MULTI_ARCH },
      awsCli: { repository: 'amazon/aws-cli', tag: '2.27.50', architectures: MULTI_ARCH },
    },
    settings: {
      controller: { url: 'http://jenkins.jenkins.svc.cluster.local:8080/', namespace: 'jenkins', serviceAccount: 'jenkins', configLabel: 'jenkins-jenkins-config' },
      label: 'podman',
      // The fleet runs both: Graviton pools, and amd64 for the default and GPU pools.
      architectures: ['arm64', 'amd64'],
      idleMinutes: 10,
    },
    prerequisites: [
      { kind: 'Namespace', name: 'jenkins', purpose: 'the Jenkins controller (official jenkinsci/helm-charts chart, release "jenkins"), with the kubernetes and configuration-as-code plugins and its config-reload sidecar' },
      { kind: 'ServiceAccount', name: 'jenkins', namespace: 'jenkins', purpose: "the controller's service account; the Role in ci lets it create agent pods" },
    ],
    network: {
      agent: {
        // No client: the controller reaches an agent only through the API server (pods/exec,
        // pods/log), and its commands travel over the connection the agent opens.
        egress: [
          {
            to: { namespace: 'jenkins', podLabels: { 'app.kubernetes.io/component': 'jenkins-controller', 'app.kubernetes.io/instance': 'jenkins' } },
            ports: [{ port: 8080 }],
            why: "the agent connects to the controller over WebSocket on its HTTP port (webSocket: true): no inbound agent port (50000) is used",
          },
          { to: { external: 'container registries, package indexes, Git hosts and the AWS APIs pipelines use' }, ports: [{ port: 443 }], why: 'builds pull and push images and fetch sources and packages over HTTPS' },
        ],
      },
    },
  },
  kafka: {
    namespace: 'kafka',
    // Three combined broker/controllers: the KRaft quorum is fixed at three voters.
    components: { brokers: { pools: ['kafka-arm-ondemand'], minReplicas: 3 } },
    images: { kafka: { repository: 'apache/kafka', tag: '3.9.1', architectures: MULTI_ARCH } },
    settings: { clusterId: 'q1Sh-9_ISia_zwGINzRvyQ', storage: '100Gi', heap: '1g' },
    network: {
      brokers: {
        // The PLAINTEXT listener authenticates no one: these are the only pods that reach it.
        ingress: [
          { from: { workload: 'kafka', component: 'brokers' }, ports: [{ port: 'broker' }, { port: 'controller' }], why: 'replication between brokers (PLAINTEXT, 9092) and the KRaft quorum of the combined broker/controllers (CONTROLLER, 9093)' },
          { from: { workload: 'spark', component: 'worker' }, ports: [{ port: 'broker' }], why: 'Spark applications (drivers and executors run in the workers) read and write topics' },
          { from: { workload: 'airflow', component: 'scheduler' }, ports: [{ port: 'broker' }], why: 'DAG tasks (LocalExecutor runs them in the schedulers) produce and consume' },
        ],
      },
    },
  },
  spark: {
    namespace: 'spark',
    components: {
      // The master lives on the core pool: a master restart fails every running application.
      master: { pools: ['core-arm-ondemand'], minReplicas: 1 },
      worker: { pools: ['spark-exec-arm-ondemand'], minReplicas: 5, maxReplicas: 20 },
    },
    images: { spark: { repository: 'apache/spark', tag: '3.5.6', architectures: MULTI_ARCH } },
    settings: {
      worker: { cores: 2, executorMemory: '2g', daemonMemory: '512m', protectFor: '1h' },
      authSecret: { name: 'spark-auth', key: 'secret' },
    },
    prerequisites: [
      { kind: 'Secret', name: 'spark-auth', purpose: 'key secret: the shared secret of Spark RPC authentication (spark.authenticate), held by the master, the workers and every application submitted; create it with External Secrets (e.g. 32 random bytes, hex)' },
    ],
    // Applications run in client deploy mode, their drivers in the Airflow schedulers: standalone
    // cluster mode does not work with spark.authenticate (SPARK-25078, open for 3.5.6: the driver a
    // worker launches fails with "A secret key must be specified").
    network: {
      master: {
        ingress: [
          { from: { workload: 'spark', component: 'worker' }, ports: [{ port: 'cluster' }], why: 'workers register and heartbeat' },
          { from: { workload: 'airflow', component: 'scheduler' }, ports: [{ port: 'cluster' }], why: 'drivers (DAG tasks, client deploy mode) register their applications' },
        ],
      },
      worker: {
        ingress: [
          { from: { workload: 'spark', component: 'master' }, ports: [{ port: 'worker' }], why: 'the master launches executors on a worker' },
          { from: { workload: 'spark', component: 'worker' }, ports: [SPARK_APPLICATION_PORTS.blockManager], why: 'executors fetch shuffle and cached blocks from each other' },
          { from: { workload: 'airflow', component: 'scheduler' }, ports: [SPARK_APPLICATION_PORTS.blockManager], why: 'drivers fetch results and blocks from the executors' },
        ],
      },
    },
  },
  airflow: {
    namespace: 'airflow',
    components: {
      webserver: { pools: ['airflow-arm-ondemand'], minReplicas: 2, maxReplicas: 4 },
      // No autoscaler: with LocalExecutor the schedulers run the tasks.
      scheduler: { pools: ['airflow-arm-ondemand'], minReplicas: 2 },
    },
    images: {
      airflow: { repository: 'apache/airflow', tag: '2.10.5', architectures: MULTI_ARCH },
      gitSync: { repository: 'registry.k8s.io/git-sync/git-sync', tag: 'v4.4.0', architectures: MULTI_ARCH },
    },
    settings: {
      dags: { repo: 'https://github.com/hihypipe/airflow-dags.git', ref: 'main', subPath: 'dags', periodSeconds: 60 },
      logs: {},
      // 12 tasks of 256Mi and the scheduler's 1Gi: the 4Gi the scheduler had, now sized, where
      // Airflow's default of 32 tasks would need 9Gi and got the scheduler OOM-killed with them.
      tasks: { parallelism: 12, memory: '256Mi' },
      secret: 'airflow',
      admin: { username: 'admin', email: 'platform@hihypipe.example', firstName: 'Platform', lastName: 'Admin' },
    },
    prerequisites: [
      { kind: 'Secret', name: 'airflow', purpose: 'sql-alchemy-conn (the Postgres metadata database), fernet-key, webserver-secret-key and admin-password; create it with External Secrets' },
    ],
    network: {
      // No client: users reach it with kubectl port-forward, which does not cross the pod network.
      webserver: {
        egress: [
          { to: { external: 'the Airflow metadata database (Postgres)', cidrs: VPC_PRIVATE }, ports: [{ port: 5432 }], why: 'sql-alchemy-conn' },
          { ...AWS_APIS, why: 'task logs, read from S3' },
        ],
      },
      scheduler: {
        // DAG tasks run Spark drivers (client deploy mode): the master and the executors connect back.
        ingress: [
          { from: { workload: 'spark', component: 'master' }, ports: [SPARK_APPLICATION_PORTS.driver], why: 'the master tells a driver of its executors' },
          { from: { workload: 'spark', component: 'worker' }, ports: [SPARK_APPLICATION_PORTS.driver, SPARK_APPLICATION_PORTS.blockManager], why: 'executors connect to their driver, and fetch broadcast blocks from it' },
        ],
        egress: [
          { to: { external: 'the Airflow metadata database (Postgres)', cidrs: VPC_PRIVATE }, ports: [{ port: 5432 }], why: 'sql-alchemy-conn' },
          { ...AWS_APIS, why: 'task logs, written to S3' },
          { to: { external: 'the DAG repository (settings.dags.repo)' }, ports: [{ port: 443 }], why: 'git-sync clones and fetches the DAGs over HTTPS' },
        ],
      },
      // The migration and admin-user Jobs.
      jobs: {
        egress: [{ to: { external: 'the Airflow metadata database (Postgres)', cidrs: VPC_PRIVATE }, ports: [{ port: 5432 }], why: 'schema migrations and the admin user' }],
      },
    },
  },
  llm: {
    namespace: 'llm',
    components: {
      server: { pools: ['llm-arm-ondemand', 'llm-arm-spot'], minReplicas: 2, maxReplicas: 6, productionMinReplicas: 2 },
    },
    images: { ollama: { repository: 'ollama/ollama', tag: '0.12.11', architectures: MULTI_ARCH } },
    settings: {
      // Seeds 000/003 name microsoft/DialoGPT-medium (a 345M-parameter chat model that ollama
      // does not serve). qwen2.5:1.5b is the small chat model of the ollama library closest to
      // it: about 1 GB on disk (Q4_K_M) and under 2.5 GiB resident with a 4k context, which
      // leaves room on the pool's 16 GiB xlarge nodes.
      model: { name: 'qwen2.5:1.5b', memory: '2560Mi', disk: '1Gi' },
      volumeSize: '20Gi',
    },
    network: {
      server: {
        // The ollama API authenticates no one: these are the only pods that reach it.
        ingress: [{ from: { workload: 'airflow', component: 'scheduler' }, ports: [{ port: 'http' }], why: 'DAG tasks send prompts to the model' }],
        egress: [{ to: { external: 'the ollama model registry (registry.ollama.ai and the CDN it redirects to)' }, ports: [{ port: 443 }], why: 'ollama pull, on a volume that lacks the model' }],
      },
    },
  },
  'ai-worker': {
    namespace: 'ai',
    // KEDA scales the workers to zero when the queue is empty (seed 001's cost table).
    components: { worker: { pools: ['gpu-spot'], minReplicas: 0, maxReplicas: 20 } },
    images: { worker: { repository: 'ghcr.io/pinksea-ai/ai-worker', tag: '1.0.0', architectures: ['amd64'] } },
    settings: {
      broker: { sentinels: ['redis-sentinel.redis.svc.cluster.local:26379'], masterName: 'mymaster', db: 0 },
      passwordSecret: { name: 'redis', key: 'password' },
      queues: ['queue:pro', 'queue:starter', 'queue:free'],
      scaling: { jobsPerWorker: 3, activateAbove: 0, cooldownSeconds: 600 },
      checkpoints: {},
    },
    prerequisites: [
      { kind: 'Secret', name: 'redis', purpose: 'key password: the Redis (and Sentinel) password the workers and KEDA use' },
      { kind: 'Service', name: 'redis-sentinel', namespace: 'redis', purpose: 'the Redis Sentinels of the Celery broker (seed 001); if namespace redis isolates its pods, it admits namespace ai (the workers) and namespace keda (the scaler) on 26379 and 6379' },
    ],
    network: {
      worker: {
        egress: [
          { to: { namespace: 'redis' }, ports: [{ port: 26379 }, { port: 6379 }], why: 'the Celery broker: the Sentinels (26379) name the master, then the workers connect to it (6379)' },
          { ...AWS_APIS, why: 'checkpoints, written to S3' },
        ],
      },
    },
  },
};
