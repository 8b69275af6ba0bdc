import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { enabledPools, NamespacedChart, WorkloadChartProps } from '../lib/chart-props';
import { tcpProbe } from '../lib/probes';
import { ENCRYPTED_GP3 } from '../lib/storage';
import { Workload } from '../lib/workload';

const BROKERS = 3;
const HEADLESS = 'kafka-headless';
const DOMAIN = `${HEADLESS}.kafka.svc.cluster.local`;
// KRaft cluster ID (a base64 UUID): fixed, since every broker's storage is formatted with it.
const CLUSTER_ID = 'q1Sh-9_ISia_zwGINzRvyQ';

/**
 * Kafka (seed 003) as three KRaft brokers, each also a controller. A StatefulSet, not the
 * documents' Deployment: each broker keeps its identity and its encrypted gp3 volume when its
 * pod moves, which the kafka pool's daily node expiry makes a daily event. No HPA: adding a
 * broker moves no partitions, so CPU-driven scaling would only add idle brokers.
 */
export class KafkaChart extends NamespacedChart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps) {
    super(scope, id, 'kafka');
    const pools = enabledPools(props, 'kafka-arm-ondemand');
    if (pools.length === 0) return;
    const voters = Array.from({ length: BROKERS }, (_, i) => `${i}@kafka-${i}.${DOMAIN}:9093`).join(',');
    new Workload(this, 'kafka', {
      name: 'kafka',
      kind: 'StatefulSet',
      pools,
      replicas: BROKERS,
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
      volumeClaimTemplates: [{ name: 'data', storage: '100Gi', storageClassName: ENCRYPTED_GP3 }],
      containers: [
        {
          name: 'kafka',
          image: 'kafka',
          // The node ID and advertised name come from the pod's ordinal and DNS name.
          command: [
            '/bin/bash',
            '-c',
            `export KAFKA_NODE_ID="\${HOSTNAME##*-}" KAFKA_ADVERTISED_LISTENERS="PLAINTEXT://\${HOSTNAME}.${DOMAIN}:9092" && exec /etc/kafka/docker/run`,
          ],
          env: [
            { name: 'CLUSTER_ID', value: CLUSTER_ID },
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
            { name: 'KAFKA_HEAP_OPTS', value: '-Xms1g -Xmx1g' },
          ],
          ports: [
            { name: 'broker', containerPort: 9092 },
            { name: 'controller', containerPort: 9093 },
          ],
          requests: { cpu: '1', memory: '2Gi' },
          limits: { cpu: '2', memory: '4Gi' },
          volumeMounts: [{ name: 'data', mountPath: '/var/lib/kafka/data' }],
          startupProbe: tcpProbe(9092, { periodSeconds: 10, failureThreshold: 30 }),
          readinessProbe: tcpProbe(9092, { periodSeconds: 10 }),
          livenessProbe: tcpProbe(9092, { periodSeconds: 20, failureThreshold: 3 }),
        },
      ],
    });
  }
}
