import { Construct } from 'constructs';
import { EnvironmentConfig, NodeClassDefinition, SelectorTerms } from '../config/types';
import { WAIVER_PREFIX } from './validation/rules';
import { KUBELET_VOLUME } from './ami-families';
import {
  Ec2NodeClass,
  Ec2NodeClassSpecBlockDeviceMappingsEbsVolumeType,
  Ec2NodeClassSpecMetadataOptionsHttpEndpoint,
  Ec2NodeClassSpecMetadataOptionsHttpProtocolIPv6,
  Ec2NodeClassSpecMetadataOptionsHttpTokens,
} from '../imports/karpenter.k8s.aws';
import { amiAlias } from './environment';
import { fail } from './errors';

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
    const subject = `EC2NodeClass "${definition.name}"`;

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
