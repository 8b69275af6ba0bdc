import { Construct } from 'constructs';
import { NODE_CLASSES } from '../../config/node-classes';
import { NodeClassDefinition, NodeVolume, SelectorTerms } from '../../config/types';
import type { EnvironmentConfig } from '../../config/environment-config';
import { WAIVER_PREFIX } from 'karpenter-validate';
import { KUBELET_VOLUME } from 'karpenter-validate/model';
import {
  Ec2NodeClass,
  Ec2NodeClassSpecBlockDeviceMappingsEbsVolumeType,
  Ec2NodeClassSpecMetadataOptionsHttpEndpoint,
  Ec2NodeClassSpecMetadataOptionsHttpProtocolIPv6,
  Ec2NodeClassSpecMetadataOptionsHttpTokens,
} from '../../imports/karpenter.k8s.aws';
import { boolean, checkShape, integer, list, map, object, Shape, string } from '../config/config-shape';
import { amiAlias } from '../config/environment';
import { fail } from '../config/errors';
import { isQuantity, parseQuantity } from 'karpenter-validate/model';

/** Props of {@link KarpenterNodeClass}. */
export interface KarpenterNodeClassProps {
  /** The node class, as declared in `config/node-classes.ts`. */
  readonly definition: NodeClassDefinition;
  /** The environment supplying subnets, security groups, role, AMI version and KMS key. */
  readonly env: EnvironmentConfig;
}

// Tag keys Karpenter sets itself and refuses in spec.tags.
// @see https://karpenter.sh/docs/concepts/nodeclasses/#spectags
const RESERVED_TAG_KEYS = [/^karpenter\.sh\/nodepool$/, /^karpenter\.sh\/nodeclaim$/, /^karpenter\.k8s\.aws\/ec2nodeclass$/, /^kubernetes\.io\/cluster\//, /^eks:eks-cluster-name$/, /^karpenter\.sh\/managed-by$/];

/** The runtime shape of a node class (config/types.ts NodeClassDefinition); lib/config/config-shape.ts says why. */
const NODE_CLASS_SHAPE: Shape = object(
  {
    name: string(),
    description: string(),
    amiFamily: string(),
    volumes: list(object({ deviceName: string(), size: string('a quantity like "100Gi", as a string'), iops: integer(), throughput: integer('MiB/s'), rootVolume: boolean }, ['deviceName', 'size'])),
    httpPutResponseHopLimit: integer(),
    kubelet: object({
      maxPods: integer(),
      systemReserved: map(string()),
      kubeReserved: map(string()),
      imageGCHighThresholdPercent: integer(),
      imageGCLowThresholdPercent: integer(),
      evictionHard: map(string()),
      evictionSoft: map(string()),
      evictionSoftGracePeriod: map(string()),
      evictionMaxPodGracePeriod: integer(),
    }),
    bottlerocketSettings: string(),
    waivers: map(string()),
  },
  ['name', 'description', 'amiFamily', 'volumes'],
);

/**
 * gp3's limits, as EC2's API states them (github.com/aws/aws-sdk-go-v2/service/ec2 v1.336.1
 * types.EbsBlockDevice Iops "gp3 : 3,000 - 80,000 IOPS", Throughput "a maximum of 2,000 MiB/s",
 * api_op_CreateVolume.go Size "gp3: 1 - 65,536 GiB"), with the ratios of the Amazon EBS User
 * Guide's gp3 section (IOPS above the 3,000 baseline at most 500 per GiB, throughput above the
 * 125 MiB/s baseline at most 0.25 MiB/s per provisioned IOPS). EC2 refuses a launch whose block
 * device mapping breaks them: every node of the class would fail to launch. (Karpenter v1.14.1's
 * CRD describes the limits before their 2025 raise, 16,000 IOPS and 1,000 MiB/s, without
 * enforcing them.)
 */
const GP3 = { minGiB: 1, maxGiB: 64 * 1024, minIops: 3000, maxIops: 80_000, iopsPerGiB: 500, minThroughput: 125, maxThroughput: 2000, throughputPerIops: 0.25 } as const;

/**
 * The most pods EKS sets on a node: the EKS AMIs' max-pods calculator caps its recommendation at
 * 110 for instances with fewer than 30 vCPUs and 250 above (awslabs/amazon-eks-ami
 * templates/al2/runtime/max-pods-calculator.sh, MAX_POD_CEILING_FOR_LOW_CPU/HIGH_CPU, removed
 * with AL2 in b2289030), as the EKS user guide's prefix delegation limits state. Beyond it the
 * kubelet accepts pods the VPC CNI has no address for, and Karpenter packs nodes by the count.
 */
const EKS_MAX_PODS = 250;

function checkVolume(subject: string, field: string, volume: NodeVolume): void {
  if (!isQuantity(volume.size)) fail(subject, `${field}.size`, volume.size, 'be a quantity like "100Gi"');
  const gib = parseQuantity(volume.size) / 2 ** 30;
  const iops = volume.iops ?? GP3.minIops;
  const throughput = volume.throughput ?? GP3.minThroughput;
  if (gib < GP3.minGiB || gib > GP3.maxGiB) fail(subject, `${field}.size`, volume.size, `be from 1Gi to 64Ti, the sizes of a gp3 volume`);
  if (iops < GP3.minIops || iops > GP3.maxIops) fail(subject, `${field}.iops`, volume.iops, `be from ${GP3.minIops} to ${GP3.maxIops}, the IOPS a gp3 volume can have`);
  // The 3,000 IOPS baseline comes with every gp3 volume, whatever its size; only IOPS above it need 1 GiB per 500.
  if (iops > Math.max(GP3.minIops, GP3.iopsPerGiB * gib)) fail(subject, `${field}.iops`, volume.iops, `be at most ${GP3.iopsPerGiB} per GiB of the volume (${Math.floor(GP3.iopsPerGiB * gib)} for ${volume.size}): EC2 refuses more, and no node of the class would launch`);
  if (throughput < GP3.minThroughput || throughput > GP3.maxThroughput) fail(subject, `${field}.throughput`, volume.throughput, `be from ${GP3.minThroughput} to ${GP3.maxThroughput} MiB/s, the throughput a gp3 volume can have`);
  if (throughput > GP3.throughputPerIops * iops) {
    fail(subject, `${field}.throughput`, volume.throughput, `be at most ${GP3.throughputPerIops} MiB/s per provisioned IOPS (${GP3.throughputPerIops * iops} MiB/s at ${iops} IOPS): EC2 refuses more, and no node of the class would launch. Raise iops to at least ${Math.ceil(throughput / GP3.throughputPerIops)} or lower the throughput`);
  }
}

/**
 * Checks the node classes of config/node-classes.ts once, before any environment builds them:
 * their shape, their volumes against gp3's limits, the kubelet's pod count.
 */
export function checkNodeClasses(): void {
  for (const [key, definition] of Object.entries(NODE_CLASSES)) {
    const subject = `config/node-classes.ts: EC2NodeClass "${typeof definition?.name === 'string' ? definition.name : key}"`;
    checkShape(subject, '', definition, NODE_CLASS_SHAPE);
    if (definition.name !== key) fail(subject, 'name', definition.name, `equal its key in NODE_CLASSES ("${key}")`);
    definition.volumes.forEach((volume, i) => checkVolume(subject, `volumes[${i}]`, volume));
    const maxPods = definition.kubelet?.maxPods;
    if (maxPods !== undefined && !(maxPods >= 1 && maxPods <= EKS_MAX_PODS)) {
      fail(subject, 'kubelet.maxPods', maxPods, `be from 1 to ${EKS_MAX_PODS}: EKS sets at most 110 pods on instances with fewer than 30 vCPUs and ${EKS_MAX_PODS} on larger ones (with VPC CNI prefix delegation; without it, the instance type's ENI limit), and pods beyond the VPC CNI's addresses never start`);
    }
    for (const field of ['imageGCHighThresholdPercent', 'imageGCLowThresholdPercent'] as const) {
      const value = definition.kubelet?.[field];
      if (value !== undefined && !(value >= 0 && value <= 100)) fail(subject, `kubelet.${field}`, value, 'be a percentage from 0 to 100');
    }
  }
}

/**
 * A Karpenter v1 EC2NodeClass: pinned AMI alias, IMDSv2 only, encrypted gp3 volumes, the
 * node role (Karpenter manages the instance profile) and the cost allocation tags of seed 001.
 * @see https://karpenter.sh/docs/concepts/nodeclasses/
 */
export class KarpenterNodeClass extends Construct {
  /** The EC2NodeClass name NodePools reference. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: KarpenterNodeClassProps) {
    super(scope, id);
    const { definition, env } = props;
    const hopLimit = definition.httpPutResponseHopLimit ?? 1;
    this.name = definition.name;
    const subject = `config/node-classes.ts: EC2NodeClass "${definition.name}"`;

    const rootVolumes = definition.volumes.filter((v) => v.rootVolume === true);
    if (rootVolumes.length !== 1) fail(subject, 'volumes', definition.volumes.map((v) => v.deviceName), 'mark exactly one volume as rootVolume');
    const kubeletVolume = KUBELET_VOLUME[definition.amiFamily]!;
    if (rootVolumes[0]!.deviceName !== kubeletVolume) {
      fail(subject, 'volumes', rootVolumes[0]!.deviceName, `mark ${kubeletVolume} as rootVolume on ${definition.amiFamily}: it holds the kubelet's data and containers, and Karpenter sizes a node's ephemeral storage from the rootVolume`);
    }
    if (hopLimit !== 1 && definition.waivers?.imdsv2 === undefined) {
      fail(subject, 'httpPutResponseHopLimit', hopLimit, `be 1 (pods then cannot reach the node's instance credentials), or come with a waiver saying why: waivers: { imdsv2: '...' }`);
    }
    const tags: Record<string, string> = {
      Name: `${env.cluster.name}-${definition.name}`,
      Environment: env.name,
      ManagedBy: 'karpenter',
    };
    for (const key of Object.keys(tags)) {
      if (RESERVED_TAG_KEYS.some((re) => re.test(key))) fail(subject, 'tags', key, 'not be a tag key Karpenter reserves');
    }

    new Ec2NodeClass(this, 'Resource', {
      metadata: {
        name: definition.name,
        annotations: {
          'kubernetes.io/description': definition.description,
          ...Object.fromEntries(Object.entries(definition.waivers ?? {}).map(([rule, reason]) => [`${WAIVER_PREFIX}${rule}`, reason])),
        },
      },
      spec: {
        amiSelectorTerms: [{ alias: amiAlias(env, definition.amiFamily) }],
        role: env.nodeRole,
        subnetSelectorTerms: selectorTerms(env.subnets),
        securityGroupSelectorTerms: selectorTerms(env.securityGroups),
        metadataOptions: {
          httpEndpoint: Ec2NodeClassSpecMetadataOptionsHttpEndpoint.ENABLED,
          httpProtocolIPv6: Ec2NodeClassSpecMetadataOptionsHttpProtocolIPv6.DISABLED,
          httpPutResponseHopLimit: hopLimit,
          httpTokens: Ec2NodeClassSpecMetadataOptionsHttpTokens.REQUIRED,
        },
        blockDeviceMappings: definition.volumes.map((volume) => ({
          deviceName: volume.deviceName,
          rootVolume: volume.rootVolume,
          ebs: {
            volumeSize: volume.size,
            volumeType: Ec2NodeClassSpecBlockDeviceMappingsEbsVolumeType.GP3,
            iops: volume.iops ?? 3000,
            throughput: volume.throughput ?? 125,
            encrypted: true,
            kmsKeyId: env.ebsKmsKeyId,
            deleteOnTermination: true,
          },
        })),
        kubelet: definition.kubelet && {
          maxPods: definition.kubelet.maxPods,
          systemReserved: definition.kubelet.systemReserved,
          kubeReserved: definition.kubelet.kubeReserved,
          imageGcHighThresholdPercent: definition.kubelet.imageGCHighThresholdPercent,
          imageGcLowThresholdPercent: definition.kubelet.imageGCLowThresholdPercent,
          evictionHard: definition.kubelet.evictionHard,
          evictionSoft: definition.kubelet.evictionSoft,
          evictionSoftGracePeriod: definition.kubelet.evictionSoftGracePeriod,
          evictionMaxPodGracePeriod: definition.kubelet.evictionMaxPodGracePeriod,
        },
        // Bottlerocket merges this TOML with the settings Karpenter generates (cluster, labels, taints).
        userData: definition.bottlerocketSettings,
        tags,
      },
    });
  }
}

function selectorTerms(terms: SelectorTerms): { id?: string; tags?: Record<string, string> }[] {
  return 'ids' in terms ? terms.ids.map((id) => ({ id })) : [{ tags: { ...terms.tags } }];
}
