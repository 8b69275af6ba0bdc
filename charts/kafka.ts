import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment-config';
import { NamespacedChart, WorkloadChartProps } from '../lib/constructs/chart-props';
import { jvmBytes, parseQuantity } from 'karpenter-validate/model';
import { execProbe, tcpProbe } from '../lib/constructs/probes';
import { ENCRYPTED_GP3 } from '../lib/constructs/storage';
import { WorkloadNetwork } from '../lib/constructs/workload-network';
import { Workload } from '../lib/constructs/workload';
import { fail } from '../lib/config/errors';
import { failSetting, failSizing, poolField, ResolvedComponent } from '../lib/config/workload-config';

const HEADLESS = 'kafka-headless';
const KAFKA_BIN = '/opt/kafka/bin';

/**
 * Ready means in sync: this broker is in the ISR of every partition it replicates. A broker
 * that just restarted answers on its port long before it has caught up; if it counted as ready,
 * the rolling update (and the PDB, which counts unready pods as disrupted) would move on to the
 * next broker while partitions still had a single in-sync copy. The tool JVM gets a small heap:
 * the container's KAFKA_HEAP_OPTS is the broker's.
 */
const IN_SYNC = [
  'set -o pipefail',
  'id="${HOSTNAME##*-}"',
  `KAFKA_HEAP_OPTS=-Xmx128m KAFKA_JMX_OPTS= ${KAFKA_BIN}/kafka-topics.sh --bootstrap-server localhost:9092 --describe --under-replicated-partitions |`,
  `awk -v id="$id" '{ r = ""; s = ""; for (i = 1; i < NF; i++) { if ($i == "Replicas:") r = "," $(i + 1) ","; if ($i == "Isr:") s = "," $(i + 1) "," } if (index(r, "," id ",") && !index(s, "," id ",")) behind = 1 } END { exit behind }'`,
].join('\n');

/** The broker container's memory limit: the heap and the JVM's own memory must fit under it. */
const BROKER_MEMORY_LIMIT = '4Gi';
// Metaspace, thread stacks, direct buffers and the JIT: what a broker JVM takes beyond its heap.
const JVM_NON_HEAP = 512 * 2 ** 20;

/**
 * What the brokers' config must hold before anything is built, named where it was written: a
 * fixed quorum (every broker is a KRaft voter, listed by ordinal: no autoscaler can add one),
 * and a heap the container's limit holds with the JVM's non-heap memory (past it the kernel
 * OOM-kills the broker, and page cache, which Kafka reads through, gets nothing).
 */
function checkKafkaConfig(env: EnvironmentConfig, brokers: ResolvedComponent, heap: string): void {
  if (brokers.minReplicas < 1) failSizing(env, 'kafka', 'brokers', 'minReplicas', brokers.minReplicas, 'be at least 1 (3 is the quorum this chart is built for): each broker is a KRaft voter');
  if (brokers.maxReplicas !== brokers.minReplicas) {
    failSizing(env, 'kafka', 'brokers', 'maxReplicas', brokers.maxReplicas, `equal minReplicas (${brokers.minReplicas}) or be left out: the brokers are a fixed quorum of voters, no autoscaler adds one (and a new broker would take no partitions)`);
  }
  // Brokers spread over zones with DoNotSchedule: one zone would hold every replica of a partition.
  const zones = [...new Set(brokers.pools.flatMap((pool) => pool.zones))];
  if (brokers.minReplicas > 1 && zones.length < 2) {
    const { subject, field } = poolField(env, brokers.pools[0]!.name, 'zones');
    fail(subject, field, zones, 'name at least two zones: the brokers spread over zones (hard), so that a zone outage leaves a quorum and an in-sync replica of every partition');
  }
  const limit = parseQuantity(BROKER_MEMORY_LIMIT);
  if (jvmBytes(heap) + JVM_NON_HEAP > limit) {
    failSetting(env, 'kafka', 'heap', heap, `leave room for the JVM's non-heap memory (about 512Mi) under the broker's memory limit (${BROKER_MEMORY_LIMIT}): at most ${Math.floor((limit - JVM_NON_HEAP) / 2 ** 20)}m, and less leaves page cache for the logs (e.g. "1g")`);
  }
}

/**
 * Kafka (seed 003) as KRaft brokers, each also a controller. A StatefulSet, not the documents'
 * Deployment: each broker keeps its identity and its encrypted gp3 volume when its pod moves.
 * No HPA: adding a broker moves no partitions, so CPU-driven scaling would only add idle brokers.
 */
export class KafkaChart extends NamespacedChart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps<'kafka'>) {
    const { workload, env } = props;
    super(scope, id, workload.namespace);
    const { brokers } = workload.components;
    checkKafkaConfig(env, brokers, workload.settings.heap);
    const domain = `${HEADLESS}.${workload.namespace}.svc.cluster.local`;
    const voters = Array.from({ length: brokers.minReplicas }, (_, i) => `${i}@kafka-${i}.${domain}:9093`).join(',');
    const { settings } = workload;
    const network = new WorkloadNetwork(this, 'network', { workload: workload.name, namespace: workload.namespace });
    const kafka = new Workload(this, 'kafka', {
      name: 'kafka',
      kind: 'StatefulSet',
      pools: brokers.pools,
      replicas: brokers.minReplicas,
      zoneSpread: 'hard',
      // Voters must all start to elect a controller; ordered start would wait on readiness forever.
      podManagementPolicy: 'Parallel',
      // Time for a controlled shutdown: leadership moves before the broker stops.
      terminationGracePeriod: Duration.seconds(120),
      runAsUser: 1000,
      services: [
        { name: HEADLESS, headless: true, ports: [{ name: 'broker', port: 9092 }, { name: 'controller', port: 9093 }] },
        { name: 'kafka', ports: [{ name: 'broker', port: 9092 }] },
      ],
      volumeClaimTemplates: [{ name: 'data', storage: settings.storage, storageClassName: ENCRYPTED_GP3 }],
      containers: [
        {
          name: 'kafka',
          image: workload.images.kafka,
          // The node ID and advertised name come from the pod's ordinal and DNS name.
          command: ['/bin/bash', '-c', `export KAFKA_NODE_ID="\${HOSTNAME##*-}" KAFKA_ADVERTISED_LISTENERS="PLAINTEXT://\${HOSTNAME}.${domain}:9092" && exec /etc/kafka/docker/run`],
          env: [
            { name: 'CLUSTER_ID', value: settings.clusterId },
            { name: 'KAFKA_PROCESS_ROLES', value: 'broker,controller' },
            { name: 'KAFKA_CONTROLLER_QUORUM_VOTERS', value: voters },
            { name: 'KAFKA_LISTENERS', value: 'PLAINTEXT://:9092,CONTROLLER://:9093' },
            { name: 'KAFKA_LISTENER_SECURITY_PROTOCOL_MAP', value: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT' },
            { name: 'KAFKA_CONTROLLER_LISTENER_NAMES', value: 'CONTROLLER' },
            { name: 'KAFKA_INTER_BROKER_LISTENER_NAME', value: 'PLAINTEXT' },
            // A subdirectory: the volume's root holds lost+found, which Kafka takes for a bad log dir.
            { name: 'KAFKA_LOG_DIRS', value: '/var/lib/kafka/data/logs' },
            { name: 'KAFKA_DEFAULT_REPLICATION_FACTOR', value: '3' },
            { name: 'KAFKA_MIN_INSYNC_REPLICAS', value: '2' },
            { name: 'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR', value: '3' },
            { name: 'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR', value: '3' },
            { name: 'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR', value: '2' },
            { name: 'KAFKA_HEAP_OPTS', value: `-Xms${settings.heap} -Xmx${settings.heap}` },
          ],
          ports: [
            { name: 'broker', containerPort: 9092 },
            { name: 'controller', containerPort: 9093 },
          ],
          requests: { cpu: '1', memory: '2Gi' },
          limits: { cpu: '2', memory: BROKER_MEMORY_LIMIT },
          volumeMounts: [{ name: 'data', mountPath: '/var/lib/kafka/data' }],
          // Log recovery after an unclean stop can take minutes: liveness waits for the port first.
          startupProbe: tcpProbe(9092, { periodSeconds: 10, failureThreshold: 30 }),
          // A JVM per check: every 30 s, with time to answer.
          readinessProbe: execProbe(['/bin/bash', '-c', IN_SYNC], { periodSeconds: 30, timeoutSeconds: 25, failureThreshold: 2 }),
          livenessProbe: tcpProbe(9092, { periodSeconds: 20, failureThreshold: 3 }),
        },
      ],
    });
    network.addComponent('brokers', { name: 'kafka', workload: kafka });
  }
}
