import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { Image } from '../../config/workloads';
import { fail } from '../config/errors';
import { isKarpenterDuration } from 'karpenter-validate/model';
import { Placement, placementFor } from './placement';
import { ARCHITECTURES, ResolvedPool } from '../config/pools';
import { isQuantity, parseQuantity } from 'karpenter-validate/model';
import { ARCHITECTURES_ANNOTATION, POOLS_ANNOTATION } from 'karpenter-validate/model';
import { isCredentialName } from 'karpenter-validate/model';
import { WAIVER_PREFIX } from 'karpenter-validate';
import { imageRef } from '../config/workload-config';

/** Requests or limits of a container. */
export interface ResourceAmounts {
  /** CPU, as a quantity (`"500m"`). */
  readonly cpu: string;
  /** Memory, as a quantity (`"1Gi"`). */
  readonly memory: string;
  /** NVIDIA GPUs; requests and limits must be equal. @default none */
  readonly 'nvidia.com/gpu'?: string;
}

/** A container of a workload. Resources are required: cdk8s-plus's hidden defaults never reach the output. */
export interface WorkloadContainer {
  readonly name: string;
  /** Image, from the workload's entry in `config/workloads.ts` (always pinned there). */
  readonly image: Image;
  /** @default the image's entrypoint */
  readonly command?: readonly string[];
  /** @default the image's arguments */
  readonly args?: readonly string[];
  /** Environment. Credentials come from `valueFrom.secretKeyRef`, never `value`. @default none */
  readonly env?: readonly k8s.EnvVar[];
  /** Named ports. @default none */
  readonly ports?: readonly { readonly name: string; readonly containerPort: number }[];
  readonly requests: ResourceAmounts;
  readonly limits: ResourceAmounts;
  /** @default none: then a liveness probe or startup probe is expected */
  readonly readinessProbe?: k8s.Probe;
  /** @default none */
  readonly livenessProbe?: k8s.Probe;
  /** @default none */
  readonly startupProbe?: k8s.Probe;
  /** @default none */
  readonly lifecycle?: k8s.Lifecycle;
  /** @default none */
  readonly volumeMounts?: readonly k8s.VolumeMount[];
  /** @default /bin working directory of the image */
  readonly workingDir?: string;
  /** UID of this container, when it differs from the pod's (`runAsUser` of the workload). @default the pod's */
  readonly runAsUser?: number;
  /**
   * Run privileged, with the reason (rendered as the waiver annotation of the `privileged`
   * policy rule, `waivers.karpenter-as-code.io/privileged`). Only namespaces whose Pod
   * Security level is `privileged` admit such a pod. @default not privileged
   */
  readonly privileged?: { readonly reason: string };
}

/** How a workload autoscales with an HPA. */
export interface Autoscaling {
  /** HPA maximum; the workload's `replicas` is the minimum. */
  readonly maxReplicas: number;
  /** The metric the HPA follows. */
  readonly metric:
    | { readonly type: 'cpu'; readonly averageUtilization: number }
    | { readonly type: 'external'; readonly name: string; readonly matchLabels?: Readonly<Record<string, string>>; readonly averageValue: string };
  /** Scale-up and scale-down policies. @default Kubernetes' defaults */
  readonly behavior?: k8s.HorizontalPodAutoscalerBehaviorV2;
}

/** A Service in front of a workload. */
export interface WorkloadService {
  /** @default the workload's name */
  readonly name?: string;
  /** Headless (clusterIP None), for stable pod DNS names. @default false */
  readonly headless?: boolean;
  readonly ports: readonly { readonly name: string; readonly port: number; readonly targetPort?: number }[];
}

/** A per-replica volume of a StatefulSet. */
export interface VolumeClaimTemplate {
  readonly name: string;
  readonly storage: string;
  readonly storageClassName: string;
}

/** Props of {@link Workload}. */
export interface WorkloadProps {
  /** Name of the controller and everything around it; its pods carry `app.kubernetes.io/name: <name>`. */
  readonly name: string;
  /** The pools the pods run on; node selector and tolerations are derived from them. */
  readonly pools: readonly ResolvedPool[];
  /** @default 'Deployment' */
  readonly kind?: 'Deployment' | 'StatefulSet';
  /** Replicas, or the autoscaler's minimum. */
  readonly replicas: number;
  /**
   * Who sets the replica count: an HPA this construct adds, or an autoscaler the chart adds
   * (a KEDA ScaledObject, whose HPA this construct must not duplicate). @default fixed `replicas`
   */
  readonly autoscaling?: Autoscaling | { readonly external: 'keda'; readonly maxReplicas: number };
  readonly containers: readonly WorkloadContainer[];
  /** Run before the containers, e.g. waiting for schema migrations. @default none */
  readonly initContainers?: readonly WorkloadContainer[];
  /** Pod volumes. @default none */
  readonly volumes?: readonly k8s.Volume[];
  /** StatefulSet only: one PVC per replica. @default none */
  readonly volumeClaimTemplates?: readonly VolumeClaimTemplate[];
  /** Services. For a StatefulSet the first must be headless: it names the pods. @default none */
  readonly services?: readonly WorkloadService[];
  /** UID the pod runs as (non-root). Ignored for privileged pods. @default 1000 */
  readonly runAsUser?: number;
  /** Annotations of its own ServiceAccount, e.g. the IAM role of IRSA. @default none (and no API token is mounted) */
  readonly serviceAccountAnnotations?: Readonly<Record<string, string>>;
  /** Run as a ServiceAccount the chart creates and shares between workloads. @default one of its own, named like the workload */
  readonly serviceAccount?: string;
  /**
   * Mark pods `karpenter.sh/do-not-disrupt`: Karpenter neither consolidates nor drifts their
   * node while it is active. A duration (`"1h"`) protects each pod for that long after it starts
   * (Karpenter 1.12+), `true` for as long as it runs. Forceful disruption (expiry, spot
   * interruption) ignores it, and the pool's terminationGracePeriod bounds a drain. @default none
   */
  readonly doNotDisrupt?: true | string;
  /** @default Duration.seconds(30) */
  readonly terminationGracePeriod?: Duration;
  /**
   * Zone spread for multi-replica workloads: `hard` refuses to schedule unevenly, `soft` prefers
   * even spread. @default 'soft'
   */
  readonly zoneSpread?: 'hard' | 'soft';
  /** StatefulSet pod management. @default 'OrderedReady' */
  readonly podManagementPolicy?: 'OrderedReady' | 'Parallel';
  /** Policy rules its pods may break, with the reason (pod template annotations). @default none */
  readonly waivers?: Readonly<Record<string, string>>;
  /** Extra pod template annotations. @default none */
  readonly podAnnotations?: Readonly<Record<string, string>>;
}

/**
 * A StatefulSet whose volume claim templates state their apiVersion and kind. The API server
 * fills them in, and ArgoCD's server-side diff then shows a template without them as forever
 * OutOfSync (argo-cd #11143, #16707); cdk8s's typed PersistentVolumeClaim has no such fields
 * and its serializer drops them, so they are added to the synthesized object.
 */
class StatefulSet extends k8s.KubeStatefulSet {
  public override toJson(): any {
    const json = super.toJson();
    for (const claim of json.spec?.volumeClaimTemplates ?? []) {
      const { metadata, spec, ...rest } = claim;
      Object.keys(claim).forEach((key) => delete claim[key]);
      Object.assign(claim, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata, spec, ...rest });
    }
    return json;
  }
}

/**
 * The waivers a declared privilege stands for: the `privileged` policy rule, and the warning of
 * a namespace that warns (or audits) at a stricter Pod Security level than it enforces.
 */
export function privilegeWaivers(containers: readonly WorkloadContainer[]): Record<string, string> {
  const reasons = containers.filter((c) => c.privileged).map((c) => `${c.name}: ${c.privileged!.reason}`);
  if (reasons.length === 0) return {};
  return { [`${WAIVER_PREFIX}privileged`]: reasons.join('; '), [`${WAIVER_PREFIX}pod-security-warn`]: reasons.join('; ') };
}

/** Label that selects a workload's pods. */
export const NAME_LABEL = 'app.kubernetes.io/name';

/**
 * One workload, the way every workload here is built: a Deployment or StatefulSet placed on its
 * pools, its ServiceAccount (no API token mounted), Services, a PodDisruptionBudget that always
 * lets a drain proceed, and an autoscaling/v2 HPA. Every container has explicit requests and
 * limits, a restricted security context unless privilege is declared with a reason, and probes.
 */
export class Workload extends Construct {
  /** The pod labels the controller, Services and PDB select on. */
  public readonly selector: Record<string, string>;
  /** The Deployment or StatefulSet. */
  public readonly controller: ApiObject;
  /** The ServiceAccount its pods run as. */
  public readonly serviceAccountName: string;

  private readonly subject: string;
  private readonly labels: Record<string, string>;
  private readonly placement: Placement;
  private readonly maxReplicas: number;

  constructor(scope: Construct, id: string, private readonly props: WorkloadProps) {
    super(scope, id);
    this.subject = `workload "${props.name}"`;
    this.maxReplicas = props.autoscaling?.maxReplicas ?? props.replicas;
    this.checkProps();
    this.placement = placementFor(props.name, props.pools);
    this.selector = { [NAME_LABEL]: props.name };
    this.labels = { ...this.selector, 'app.kubernetes.io/managed-by': 'cdk8s' };

    this.serviceAccountName = this.addServiceAccount();
    this.addServices();
    this.controller = this.addController(this.podTemplate());
    this.addDisruptionBudget();
    this.addAutoscaler();
  }

  /** Rules of the props themselves, before anything is built. */
  private checkProps(): void {
    const { props, subject } = this;
    const kind = props.kind ?? 'Deployment';
    const autoscaled = props.autoscaling !== undefined;
    const least = autoscaled && 'external' in props.autoscaling! ? 0 : 1;
    if (!(Number.isInteger(props.replicas) && props.replicas >= least)) {
      fail(subject, 'replicas', props.replicas, `be an integer >= ${least}${least === 1 ? ' (an HPA minimum of 0 needs the HPAScaleToZero feature gate; scale to zero with KEDA)' : ''}`);
    }
    if (props.autoscaling && props.autoscaling.maxReplicas < props.replicas) fail(subject, 'maxReplicas', props.autoscaling.maxReplicas, `be >= 'minReplicas' (${props.replicas})`);
    if (kind === 'StatefulSet' && !props.services?.[0]?.headless) fail(subject, 'services[0].headless', props.services?.[0]?.headless, 'be true for a StatefulSet: its headless Service names the pods');
    if (kind === 'Deployment' && props.volumeClaimTemplates) fail(subject, 'volumeClaimTemplates', props.volumeClaimTemplates.map((t) => t.name), 'be used with a StatefulSet only');
    if (typeof props.doNotDisrupt === 'string' && !isKarpenterDuration(props.doNotDisrupt, false)) {
      fail(subject, 'doNotDisrupt', props.doNotDisrupt, 'be true or a Go duration in whole s, m or h units (e.g. "1h")');
    }
    if ((props.zoneSpread ?? 'soft') === 'hard' && this.maxReplicas > 1) {
      const zones = [...new Set(props.pools.flatMap((pool) => pool.zones))];
      if (zones.length < 2) fail(subject, 'zoneSpread', 'hard', `run on pools spanning at least two zones (they span [${zones.join(', ')}])`);
    }
  }

  /** The ServiceAccount; no workload here calls the Kubernetes API, so no token is mounted. */
  private addServiceAccount(): string {
    if (this.props.serviceAccount !== undefined) return this.props.serviceAccount;
    const account = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.props.name, labels: this.labels, annotations: this.props.serviceAccountAnnotations && { ...this.props.serviceAccountAnnotations } },
      automountServiceAccountToken: false,
    });
    return account.name;
  }

  private addServices(): void {
    this.props.services?.forEach((service, i) => {
      new k8s.KubeService(this, `Service${i}`, {
        metadata: { name: service.name ?? this.props.name, labels: this.labels },
        spec: {
          selector: this.selector,
          clusterIp: service.headless ? 'None' : undefined,
          // Peers must find each other before they are ready (KRaft quorum formation).
          publishNotReadyAddresses: service.headless ? true : undefined,
          ports: service.ports.map((p) => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromNumber(p.targetPort ?? p.port), protocol: 'TCP' })),
        },
      });
    });
  }

  /** Pod annotations: do-not-disrupt, the waivers (privilege declared on a container is one), extras. */
  private podAnnotations(): Record<string, string> | undefined {
    const { props } = this;
    const annotations: Record<string, string> = { ...props.podAnnotations };
    if (props.doNotDisrupt !== undefined) annotations['karpenter.sh/do-not-disrupt'] = props.doNotDisrupt === true ? 'true' : props.doNotDisrupt;
    Object.assign(annotations, privilegeWaivers(props.containers));
    for (const [rule, reason] of Object.entries(props.waivers ?? {})) annotations[`${WAIVER_PREFIX}${rule}`] = reason;
    return Object.keys(annotations).length > 0 ? annotations : undefined;
  }

  private zoneSpread(): k8s.TopologySpreadConstraint[] | undefined {
    if (this.maxReplicas <= 1 || this.placement.zones.length < 2) return undefined;
    return [
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: (this.props.zoneSpread ?? 'soft') === 'hard' ? 'DoNotSchedule' : 'ScheduleAnyway',
        labelSelector: { matchLabels: this.selector },
      },
    ];
  }

  private podTemplate(): k8s.PodTemplateSpec {
    const { props } = this;
    const runAsUser = props.runAsUser ?? 1000;
    const privileged = [...props.containers, ...(props.initContainers ?? [])].some((c) => c.privileged);
    const waived = (rule: string) => props.waivers?.[rule] !== undefined;
    const spec: k8s.PodSpec = {
      serviceAccountName: this.serviceAccountName,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      nodeSelector: this.placement.nodeSelector,
      tolerations: this.placement.tolerations.length > 0 ? this.placement.tolerations : undefined,
      topologySpreadConstraints: this.zoneSpread(),
      terminationGracePeriodSeconds: (props.terminationGracePeriod ?? Duration.seconds(30)).toSeconds(),
      securityContext: privileged
        ? { seccompProfile: { type: 'RuntimeDefault' } }
        : { runAsNonRoot: true, runAsUser, runAsGroup: runAsUser, fsGroup: runAsUser, seccompProfile: { type: 'RuntimeDefault' } },
      initContainers: props.initContainers?.map((c) => container(this.subject, c, runAsUser, 'init', waived)),
      containers: props.containers.map((c) => container(this.subject, c, runAsUser, 'main', waived)),
      volumes: props.volumes && [...props.volumes],
    };
    return { metadata: { labels: this.labels, annotations: this.podAnnotations() }, spec };
  }

  /** What the validator checks the synthesized placement against: the intended pools, and the architectures every image is published for. */
  private intent(): Record<string, string> {
    const images = [...this.props.containers, ...(this.props.initContainers ?? [])].map((c) => c.image);
    const architectures = ARCHITECTURES.filter((arch) => images.every((image) => image.architectures.includes(arch)));
    return { [POOLS_ANNOTATION]: this.props.pools.map((p) => p.name).join(','), [ARCHITECTURES_ANNOTATION]: architectures.join(',') };
  }

  private addController(template: k8s.PodTemplateSpec): ApiObject {
    const { props } = this;
    const metadata = { name: props.name, labels: this.labels, annotations: this.intent() };
    // With an autoscaler, replicas stay out of the manifest: ArgoCD would otherwise reset its count on every sync.
    const replicas = props.autoscaling ? undefined : props.replicas;
    if ((props.kind ?? 'Deployment') === 'Deployment') {
      return new k8s.KubeDeployment(this, 'Controller', {
        metadata,
        spec: {
          replicas,
          selector: { matchLabels: this.selector },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) } },
          template,
        },
      });
    }
    return new StatefulSet(this, 'Controller', {
      metadata,
      spec: {
        replicas,
        serviceName: props.services![0]!.name ?? props.name,
        selector: { matchLabels: this.selector },
        podManagementPolicy: props.podManagementPolicy ?? 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template,
        volumeClaimTemplates: props.volumeClaimTemplates?.map((t) => ({
          metadata: { name: t.name, labels: this.selector },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: t.storageClassName,
            // volumeMode too is defaulted by the API server (Filesystem), so it is stated.
            volumeMode: 'Filesystem',
            resources: { requests: { storage: k8s.Quantity.fromString(t.storage) } },
          },
        })),
      },
    });
  }

  /**
   * A PDB only where there can be more than one pod; maxUnavailable 1 always leaves a drain
   * one pod to evict, unlike minAvailable equal to the replica count.
   */
  private addDisruptionBudget(): void {
    if (this.maxReplicas <= 1) return;
    new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: { name: this.props.name, labels: this.labels },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: this.selector } },
    });
  }

  private addAutoscaler(): void {
    const autoscaling = this.props.autoscaling;
    if (!autoscaling || 'external' in autoscaling) return;
    const metric = autoscaling.metric;
    new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
      metadata: { name: this.props.name, labels: this.labels },
      spec: {
        scaleTargetRef: { apiVersion: this.controller.apiVersion, kind: this.controller.kind, name: this.controller.name },
        minReplicas: this.props.replicas,
        maxReplicas: autoscaling.maxReplicas,
        metrics: [
          metric.type === 'cpu'
            ? { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: metric.averageUtilization } } }
            : {
                type: 'External',
                external: {
                  metric: { name: metric.name, selector: metric.matchLabels && { matchLabels: { ...metric.matchLabels } } },
                  target: { type: 'AverageValue', averageValue: k8s.Quantity.fromString(metric.averageValue) },
                },
              },
        ],
        behavior: autoscaling.behavior,
      },
    });
  }
}

/**
 * What a container is in its pod: a long-running `main` container (probes required), an `init`
 * container, or the container of a Job's pod, which runs to completion (neither needs probes).
 */
export type ContainerRole = 'main' | 'init' | 'job';

/** A container spec with its security context and resources checked and made explicit. */
export function container(subject: string, c: WorkloadContainer, podUser: number, role: ContainerRole, waived: (rule: string) => boolean = () => false): k8s.Container {
  const field = `${role === 'init' ? 'initContainers' : 'containers'}.${c.name}`;
  for (const resource of ['cpu', 'memory', 'nvidia.com/gpu'] as const) {
    const request = c.requests[resource];
    const limit = c.limits[resource];
    if (request === undefined && limit === undefined) continue;
    if (request === undefined || limit === undefined) fail(subject, `${field}.resources.${resource}`, { request, limit }, 'set both a request and a limit');
    for (const value of [request, limit]) {
      if (!isQuantity(value)) fail(subject, `${field}.resources.${resource}`, value, 'be a Kubernetes quantity');
    }
    if (parseQuantity(request) > parseQuantity(limit)) fail(subject, `${field}.resources.requests.${resource}`, request, `be <= the limit (${limit})`);
    if (resource === 'nvidia.com/gpu' && request !== limit) fail(subject, `${field}.resources.requests.${resource}`, request, `equal the limit (${limit}): extended resources cannot be overcommitted`);
  }
  const probes = [c.readinessProbe, c.livenessProbe, c.startupProbe].filter((p) => p !== undefined).length;
  // The API server refuses probes on init containers; a Job's container runs to completion.
  if (role === 'init' && probes > 0) fail(subject, `${field}.probes`, probes, 'be left out of an init container');
  if (role === 'main' && probes === 0) fail(subject, `${field}.probes`, 'none', 'include at least a readiness or liveness probe');
  for (const variable of c.env ?? []) {
    if (variable.value !== undefined && isCredentialName(variable.name) && !waived('no-inline-credentials')) {
      fail(subject, `${field}.env.${variable.name}`, '<literal value>', `come from a Secret (valueFrom.secretKeyRef), never a literal; if it is not a credential, waive the rule with the reason (waivers: { 'no-inline-credentials': '...' })`);
    }
  }
  const quantities = (amounts: ResourceAmounts) =>
    Object.fromEntries(Object.entries(amounts).filter(([, v]) => v !== undefined).map(([k, v]) => [k, k8s.Quantity.fromString(v as string)]));
  const runAsUser = c.runAsUser ?? podUser;
  return {
    name: c.name,
    image: imageRef(c.image),
    imagePullPolicy: 'IfNotPresent',
    command: c.command && [...c.command],
    args: c.args && [...c.args],
    workingDir: c.workingDir,
    env: c.env && [...c.env],
    ports: c.ports?.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: 'TCP' })),
    resources: { requests: quantities(c.requests), limits: quantities(c.limits) },
    readinessProbe: c.readinessProbe,
    livenessProbe: c.livenessProbe,
    startupProbe: c.startupProbe,
    lifecycle: c.lifecycle,
    volumeMounts: c.volumeMounts && [...c.volumeMounts],
    securityContext: c.privileged
      ? // Declared with a reason above; the namespace's PSA level must be `privileged`.
        { privileged: true, allowPrivilegeEscalation: true, runAsUser: 0, runAsNonRoot: false }
      : // The UID is repeated here so that containers beside a privileged one still run as non-root.
        { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, runAsUser, runAsGroup: runAsUser, seccompProfile: { type: 'RuntimeDefault' } },
  };
}
