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
   * Its ArgoCD sync wave, within the Jobs' phase (lib/synth/layout.ts): a Job that needs another's
   * result runs in a later wave. @default the phase's first wave
   */
  readonly wave?: number;
  /** How long it may run before it fails. @default 30 minutes */
  readonly deadline?: Duration;
}

/**
 * A Job that runs once per version of its spec: its name ends in a hash of the spec, so a
 * changed command or image is a new Job (a Job's pod template is immutable: updating it in
 * place is refused), and an unchanged one is left alone by every later sync. Placed on its
 * pools like any workload.
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
          ...(props.wave !== undefined ? { 'argocd.argoproj.io/sync-wave': String(props.wave) } : {}),
        },
      },
      spec,
    });
  }
}
