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
  /** How long it may run before it fails. @default 30 minutes */
  readonly deadline?: Duration;
}

/** An Argo CD Sync hook: applied in the Sync phase with the objects of its wave, and waited for. */
export const HOOK_ANNOTATIONS: Readonly<Record<string, string>> = {
  'argocd.argoproj.io/hook': 'Sync',
  // Stated although it is gitops-engine's default (pkg/sync/hook/delete_policy.go DeletePolicies).
  'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
};

/**
 * How long a finished Job stays (the TTL-after-finished controller then deletes it): its pod's
 * log can be read for an hour, Jobs of earlier specs (other names) do not pile up, and `kubectl
 * apply -f`, to which the hook annotations mean nothing, runs a failed Job again once it is gone.
 * Argo CD ignores the deletion: a hook is not part of the Application's sync status, so self-heal
 * never recreates it (argo-cd v3.1.16 controller/state.go CompareAppState skips hooks), and its
 * hook finalizer keeps it until Argo CD has read its result (gitops-engine sync_context.go
 * getSyncTasks adds argocd.argoproj.io/hook-finalizer).
 */
export const FINISHED_JOB_TTL = Duration.hours(1);

/**
 * A Job that prepares a workload (a schema migration), run again by every sync: an Argo CD Sync
 * hook with hook-delete-policy BeforeHookCreation, so each sync operation deletes the Job of the
 * last one and creates it anew (gitops-engine at argo-cd v3.1.16, pkg/sync/sync_context.go
 * runTasks: deleteBeforeCreation), and a failed run is retried by Argo CD's own sync retry or the
 * next sync, with no one deleting it by hand. A plain Job would keep its name and its Failed
 * status: Argo CD would count it Degraded at every later sync and never run it again. What it
 * runs must therefore be idempotent (`airflow db migrate`, `airflow users create` of an existing
 * user). Its name ends in a hash of its spec, for `kubectl apply -f`: a changed command or image
 * is a new Job rather than an update of a Job's pod template, which the API server refuses as
 * immutable; a finished Job is removed after {@link FINISHED_JOB_TTL}. Placed on its pools like
 * any workload.
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
    const spec: k8s.JobSpec = {
      backoffLimit: 6,
      ttlSecondsAfterFinished: FINISHED_JOB_TTL.toSeconds(),
      activeDeadlineSeconds: (props.deadline ?? Duration.minutes(30)).toSeconds(),
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
          ...HOOK_ANNOTATIONS,
        },
      },
      spec,
    });
  }
}
