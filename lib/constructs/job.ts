import { createHash } from 'node:crypto';
import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { placementFor } from './placement';
import { ResolvedPool } from '../config/pools';
import { POOLS_ANNOTATION, ARCHITECTURES_ANNOTATION } from 'karpenter-validate/model';
import { ARCHITECTURES } from '../config/pools';
import { container, NAME_LABEL, WorkloadContainer } from './workload';

/** Props of {@link RunOnceJob}. */
export interface RunOnceJobProps {
  /** Name prefix; the Job is named `<name>-<hash of its spec>`. */
  readonly name: string;
  readonly pools: readonly ResolvedPool[];
  /** The ServiceAccount its pod runs as (created by the chart). */
  readonly serviceAccountName: string;
  readonly containers: readonly WorkloadContainer[];
  /** @default none */
  readonly initContainers?: readonly WorkloadContainer[];
  /** @default none */
  readonly volumes?: readonly k8s.Volume[];
  /** UID of the pod (non-root). */
  readonly runAsUser: number;
  /**
   * How long it keeps retrying before it fails for good: its pod restarts (restartPolicy OnFailure)
   * until then, so an outage of what it needs (a database) shorter than this needs no one.
   * @default 24 hours
   */
  readonly retryFor?: Duration;
}

/**
 * The shortest time between two restarts of a failing container: the kubelet's crash-loop back-off
 * starts at 10 s and doubles up to 300 s (kubernetes v1.35 pkg/kubelet/kubelet.go backOffPeriod,
 * MaxContainerBackOff), or up to 60 s with the ReduceDefaultCrashLoopBackOffDecay gate (KEP-4603).
 * backoffLimit counts those restarts with restartPolicy OnFailure (pkg/controller/job/
 * job_controller.go pastBackoffLimitOnFailure), so it is sized on the shortest, and the deadline
 * (activeDeadlineSeconds) is what ends the retries.
 */
const FASTEST_RESTART_SECONDS = 60;

/**
 * A Job that prepares a workload (a schema migration), as a plain Job in the last sync wave, which
 * Argo CD applies and does not wait for (gitops-engine at argo-cd v3.1.16, pkg/sync/sync_context.go
 * Sync: the operation succeeds once the last wave is applied, unless a hook is in it). It retries
 * by itself: its pod restarts until {@link RunOnceJobProps.retryFor} is spent, so a database that
 * answers again within that time gets the migration run with no one deleting anything, and the
 * outage holds back no sync of anything else. Not an Argo CD hook: a hook in the last wave makes
 * Argo CD wait for the whole wave's health (sync_context.go Sync: runningTasks), so an Airflow
 * database outage would fail every sync of the environment. Its name ends in a hash of its spec: a
 * changed command or image is a new Job (the old one pruned) rather than an update of a Job's pod
 * template, which the API server refuses as immutable. No ttlSecondsAfterFinished: a Job the TTL
 * controller deleted is missing from the cluster, and Argo CD's self-heal would create it again and
 * rerun it. What it runs must be idempotent (`airflow db migrate`). Placed on its pools like any
 * workload.
 */
export class RunOnceJob extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: RunOnceJobProps) {
    super(scope, id);
    const subject = `job "${props.name}"`;
    const placement = placementFor(props.name, props.pools);
    const labels = { [NAME_LABEL]: props.name, 'app.kubernetes.io/managed-by': 'cdk8s' };
    const images = [...props.containers, ...(props.initContainers ?? [])].map((c) => c.image);
    const architectures = ARCHITECTURES.filter((arch) => images.every((image) => image.architectures.includes(arch)));
    const retryFor = (props.retryFor ?? Duration.hours(24)).toSeconds();
    const spec: k8s.JobSpec = {
      backoffLimit: Math.ceil(retryFor / FASTEST_RESTART_SECONDS),
      activeDeadlineSeconds: retryFor,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'OnFailure',
          serviceAccountName: props.serviceAccountName,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          nodeSelector: placement.nodeSelector,
          tolerations: placement.tolerations.length > 0 ? placement.tolerations : undefined,
          securityContext: { runAsNonRoot: true, runAsUser: props.runAsUser, runAsGroup: props.runAsUser, fsGroup: props.runAsUser, seccompProfile: { type: 'RuntimeDefault' } },
          initContainers: props.initContainers?.map((c) => container(subject, c, props.runAsUser, 'init')),
          containers: props.containers.map((c) => container(subject, c, props.runAsUser, 'job')),
          volumes: props.volumes && [...props.volumes],
        },
      },
    };
    const hash = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 8);
    this.name = `${props.name}-${hash}`;
    new k8s.KubeJob(this, 'Resource', {
      metadata: {
        name: this.name,
        labels,
        annotations: {
          [POOLS_ANNOTATION]: props.pools.map((p) => p.name).join(','),
          [ARCHITECTURES_ANNOTATION]: architectures.join(','),
        },
      },
      spec,
    });
  }
}
