import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IMAGE_ARCHITECTURES, IMAGES } from '../config/versions';
import { fail } from './errors';
import { placementFor } from './placement';
import { ARCHITECTURES, ResolvedPool } from './pools';
import { isQuantity, parseQuantity } from './quantity';
import { ARCHITECTURES_ANNOTATION, POOLS_ANNOTATION } from './validation/cluster';
import { CREDENTIAL_NAME } from './validation/policy';
import { WAIVER_PREFIX } from './validation/rules';

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
  /** Image, by its key in `config/versions.ts` (always pinned there). */
  readonly image: keyof typeof IMAGES;
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
  readonly volumeMounts?: readonly k8s.VolumeMount[];
  /**
   * Run privileged, with the reason (rendered as the waiver annotation of the `privileged`
   * policy rule, `waivers.karpenter-as-code.io/privileged`). Only namespaces whose Pod
   * Security level is `privileged` admit such a pod. @default not privileged
   */
  readonly privileged?: { readonly reason: string };
}

/** How a workload autoscales. */
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
  /** Replicas, or the HPA's minimum when `autoscaling` is set. Must be >= 1. */
  readonly replicas: number;
  /** @default no HPA */
  readonly autoscaling?: Autoscaling;
  readonly containers: readonly WorkloadContainer[];
  /** Run before the containers, e.g. schema migrations. @default none */
  readonly initContainers?: readonly WorkloadContainer[];
  /** Pod volumes. @default none */
  readonly volumes?: readonly k8s.Volume[];
  /** StatefulSet only: one PVC per replica. @default none */
  readonly volumeClaimTemplates?: readonly VolumeClaimTemplate[];
  /** Services. For a StatefulSet the first must be headless: it names the pods. @default none */
  readonly services?: readonly WorkloadService[];
  /** UID the pod runs as (non-root). Ignored for privileged pods. @default 1000 */
  readonly runAsUser?: number;
  /**
   * Mark pods `karpenter.sh/do-not-disrupt`: Karpenter will not consolidate or expire their node
   * while they run (their pool's terminationGracePeriod still bounds a drain). @default false
   */
  readonly doNotDisrupt?: boolean;
  /** @default Duration.seconds(30) */
  readonly terminationGracePeriod?: Duration;
  /**
   * Zone spread for multi-replica workloads: `hard` refuses to schedule unevenly, `soft` prefers
   * even spread. @default 'soft'
   */
  readonly zoneSpread?: 'hard' | 'soft';
  /** StatefulSet pod management. @default 'OrderedReady' */
  readonly podManagementPolicy?: 'OrderedReady' | 'Parallel';
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

  constructor(scope: Construct, id: string, props: WorkloadProps) {
    super(scope, id);
    const kind = props.kind ?? 'Deployment';
    const runAsUser = props.runAsUser ?? 1000;
    const terminationGracePeriod = props.terminationGracePeriod ?? Duration.seconds(30);
    const zoneSpread = props.zoneSpread ?? 'soft';
    const subject = `workload "${props.name}"`;
    const maxReplicas = props.autoscaling?.maxReplicas ?? props.replicas;

    if (!(Number.isInteger(props.replicas) && props.replicas >= 1)) {
      fail(subject, 'replicas', props.replicas, 'be an integer >= 1 (an HPA minimum of 0 needs the HPAScaleToZero feature gate)');
    }
    if (props.autoscaling && props.autoscaling.maxReplicas < props.replicas) {
      fail(subject, 'maxReplicas', props.autoscaling.maxReplicas, `be >= 'minReplicas' (${props.replicas})`);
    }
    if (kind === 'StatefulSet' && !props.services?.[0]?.headless) fail(subject, 'services[0].headless', props.services?.[0]?.headless, 'be true for a StatefulSet: its headless Service names the pods');
    if (kind === 'Deployment' && props.volumeClaimTemplates) fail(subject, 'volumeClaimTemplates', props.volumeClaimTemplates.map((t) => t.name), 'be used with a StatefulSet only');
    const privileged = [...props.containers, ...(props.initContainers ?? [])].some((c) => c.privileged);

    const placement = placementFor(props.name, props.pools);
    this.selector = { [NAME_LABEL]: props.name };
    const labels = { ...this.selector, 'app.kubernetes.io/managed-by': 'cdk8s' };
    // What the validator checks the synthesized placement against: the pools the pods are meant
    // for, and the architectures every image is published for.
    const images = [...props.containers, ...(props.initContainers ?? [])].map((c) => c.image);
    const architectures = ARCHITECTURES.filter((arch) => images.every((image) => IMAGE_ARCHITECTURES[image].includes(arch)));
    const intent = { [POOLS_ANNOTATION]: props.pools.map((p) => p.name).join(','), [ARCHITECTURES_ANNOTATION]: architectures.join(',') };

    const serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: props.name, labels },
      // No workload here calls the Kubernetes API.
      automountServiceAccountToken: false,
    });

    props.services?.forEach((service, i) => {
      new k8s.KubeService(this, `Service${i}`, {
        metadata: { name: service.name ?? props.name, labels },
        spec: {
          selector: this.selector,
          clusterIp: service.headless ? 'None' : undefined,
          // Brokers must find each other before they are ready (KRaft quorum formation).
          publishNotReadyAddresses: service.headless ? true : undefined,
          ports: service.ports.map((p) => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromNumber(p.targetPort ?? p.port), protocol: 'TCP' })),
        },
      });
    });

    const annotations: Record<string, string> = {};
    if (props.doNotDisrupt) annotations['karpenter.sh/do-not-disrupt'] = 'true';
    // The declared reason is the waiver of the validator's `privileged` policy rule.
    const reasons = props.containers.filter((c) => c.privileged).map((c) => `${c.name}: ${c.privileged!.reason}`);
    if (reasons.length > 0) annotations[`${WAIVER_PREFIX}privileged`] = reasons.join('; ');

    const spread: k8s.TopologySpreadConstraint[] | undefined =
      maxReplicas > 1 && placement.zones.length >= 2
        ? [
            {
              maxSkew: 1,
              topologyKey: 'topology.kubernetes.io/zone',
              whenUnsatisfiable: zoneSpread === 'hard' ? 'DoNotSchedule' : 'ScheduleAnyway',
              labelSelector: { matchLabels: this.selector },
            },
          ]
        : undefined;
    if (zoneSpread === 'hard' && maxReplicas > 1 && placement.zones.length < 2) {
      fail(subject, 'zoneSpread', zoneSpread, `run on pools spanning at least two zones (they span [${placement.zones.join(', ')}])`);
    }

    const podSpec: k8s.PodSpec = {
      serviceAccountName: serviceAccount.name,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      nodeSelector: placement.nodeSelector,
      tolerations: placement.tolerations.length > 0 ? placement.tolerations : undefined,
      topologySpreadConstraints: spread,
      terminationGracePeriodSeconds: terminationGracePeriod.toSeconds(),
      securityContext: privileged
        ? { seccompProfile: { type: 'RuntimeDefault' } }
        : { runAsNonRoot: true, runAsUser, runAsGroup: runAsUser, fsGroup: runAsUser, seccompProfile: { type: 'RuntimeDefault' } },
      initContainers: props.initContainers?.map((c) => container(subject, c, runAsUser, true)),
      containers: props.containers.map((c) => container(subject, c, runAsUser, false)),
      volumes: props.volumes && [...props.volumes],
    };
    const template: k8s.PodTemplateSpec = {
      metadata: { labels, annotations: Object.keys(annotations).length > 0 ? annotations : undefined },
      spec: podSpec,
    };
    // With an HPA, replicas stay out of the manifest: ArgoCD would otherwise reset the HPA's count on every sync.
    const replicas = props.autoscaling ? undefined : props.replicas;
    let target: ApiObject;
    if (kind === 'StatefulSet') {
      target = new k8s.KubeStatefulSet(this, 'Controller', {
        metadata: { name: props.name, labels, annotations: intent },
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
              resources: { requests: { storage: k8s.Quantity.fromString(t.storage) } },
            },
          })),
        },
      });
    } else {
      target = new k8s.KubeDeployment(this, 'Controller', {
        metadata: { name: props.name, labels, annotations: intent },
        spec: {
          replicas,
          selector: { matchLabels: this.selector },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) } },
          template,
        },
      });
    }

    // A PDB only where there can be more than one pod; maxUnavailable 1 always leaves a drain
    // one pod to evict, unlike minAvailable equal to the replica count.
    if (maxReplicas > 1) {
      new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: { name: props.name, labels },
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: this.selector } },
      });
    }

    if (props.autoscaling) {
      const metric = props.autoscaling.metric;
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
        metadata: { name: props.name, labels },
        spec: {
          scaleTargetRef: { apiVersion: target.apiVersion, kind: target.kind, name: target.name },
          minReplicas: props.replicas,
          maxReplicas: props.autoscaling.maxReplicas,
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
          behavior: props.autoscaling.behavior,
        },
      });
    }
  }
}

/** A container spec with its security context and resources checked and made explicit. */
function container(subject: string, c: WorkloadContainer, runAsUser: number, init: boolean): k8s.Container {
  const field = `${init ? 'initContainers' : 'containers'}.${c.name}`;
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
  // The API server refuses probes on init containers (they run to completion).
  if (init && probes > 0) fail(subject, `${field}.probes`, probes, 'be left out of an init container');
  if (!init && probes === 0) fail(subject, `${field}.probes`, 'none', 'include at least a readiness or liveness probe');
  for (const variable of c.env ?? []) {
    if (variable.value !== undefined && CREDENTIAL_NAME.test(variable.name)) {
      fail(subject, `${field}.env.${variable.name}`, '<literal value>', 'come from a Secret (valueFrom.secretKeyRef), never a literal');
    }
  }
  const quantities = (amounts: ResourceAmounts) =>
    Object.fromEntries(Object.entries(amounts).filter(([, v]) => v !== undefined).map(([k, v]) => [k, k8s.Quantity.fromString(v as string)]));
  return {
    name: c.name,
    image: IMAGES[c.image],
    imagePullPolicy: 'IfNotPresent',
    command: c.command && [...c.command],
    args: c.args && [...c.args],
    env: c.env && [...c.env],
    ports: c.ports?.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: 'TCP' })),
    resources: { requests: quantities(c.requests), limits: quantities(c.limits) },
    readinessProbe: c.readinessProbe,
    livenessProbe: c.livenessProbe,
    startupProbe: c.startupProbe,
    volumeMounts: c.volumeMounts && [...c.volumeMounts],
    securityContext: c.privileged
      ? // Declared with a reason above; the namespace's PSA level must be `privileged`.
        { privileged: true, allowPrivilegeEscalation: true, runAsUser: 0, runAsNonRoot: false }
      : // The UID is repeated here so that containers beside a privileged one still run as non-root.
        { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, runAsUser, runAsGroup: runAsUser, seccompProfile: { type: 'RuntimeDefault' } },
  };
}
