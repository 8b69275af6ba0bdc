import type { Prerequisite } from '../../config/types';
import type { EnvironmentConfig } from '../../config/environment-config';

/** The IAM role ARN of a node role given by name or ARN, for the access entry. */
function roleArn(env: EnvironmentConfig): string {
  return env.nodeRole.startsWith('arn:') ? env.nodeRole : `arn:aws:iam::<account>:role/${env.nodeRole}`;
}

/**
 * The AWS side of an environment that nothing here creates, each with what it must allow, so that
 * REPORT.md lists it before a first sync. Sources, per item:
 *   - node role policies and the controller's permissions: Karpenter v1.14 reference,
 *     "CloudFormation" (karpenter.sh/v1.14/reference/cloudformation), the getting-started stack;
 *   - the access entry: EKS user guide, "Create access entries" (type EC2_LINUX for node roles,
 *     Bottlerocket included);
 *   - the KMS key: karpenter-provider-aws v1.14.1 website/content/en/docs/troubleshooting.md, "Node
 *     terminates before ready on failed encrypted EBS volume": the principal that launches the
 *     instance (Karpenter's controller, through EC2) needs the key, not the node role;
 *   - the system node group: seed 004 (a managed node group for the controller, off Karpenter's
 *     own nodes, which it could otherwise consolidate away).
 */
export function awsPrerequisites(env: EnvironmentConfig): Prerequisite[] {
  const region = env.cluster.region;
  const system = Object.entries(env.systemNodeSelector).map(([k, v]) => `${k}=${v}`).join(', ');
  return [
    {
      kind: 'EKS managed node group',
      name: system,
      purpose: `runs Karpenter's controller, KEDA and what must not sit on nodes Karpenter manages (systemNodeSelector of config/environments/${env.name}.ts); seed 004: Bottlerocket, encrypted root volume, node role with AmazonSSMManagedInstanceCore, AmazonEC2ContainerRegistryReadOnly, AmazonEKSVPCResourceController, AmazonEBSCSIDriverPolicy`,
    },
    {
      kind: 'IAM role',
      name: env.nodeRole,
      purpose: 'node role Karpenter builds instance profiles from: trusts ec2.amazonaws.com; AmazonEKSWorkerNodePolicy, AmazonEKS_CNI_Policy, AmazonEC2ContainerRegistryReadOnly, AmazonSSMManagedInstanceCore',
    },
    {
      kind: 'EKS access entry',
      name: roleArn(env),
      purpose: `type EC2_LINUX on cluster ${env.cluster.name}, so that nodes with the node role join (aws eks create-access-entry --type EC2_LINUX)`,
    },
    {
      kind: 'IAM role',
      name: env.karpenter.controllerRoleArn,
      purpose: `Karpenter controller's role (IRSA): trusts the cluster's OIDC provider for system:serviceaccount:kube-system:karpenter; the getting-started controller policy (EC2 fleet, instances and launch templates scoped to the cluster's tag, iam:PassRole on ${env.nodeRole}, instance profiles, ssm:GetParameter for AMIs, pricing:GetProducts, eks:DescribeCluster${env.karpenter.interruptionQueue ? `, sqs on ${env.karpenter.interruptionQueue}` : ''})`,
    },
    ...(env.karpenter.interruptionQueue
      ? [
          { kind: 'SQS queue', name: env.karpenter.interruptionQueue, purpose: 'spot interruptions, rebalance recommendations, scheduled changes and instance state changes, for Karpenter to drain nodes ahead of them' },
          ...['spot interruption warning', 'rebalance recommendation', 'scheduled change (AWS Health)', 'instance state change'].map((rule) => ({ kind: 'EventBridge rule', name: rule, purpose: `targets SQS queue ${env.karpenter.interruptionQueue}` })),
        ]
      : []),
    ...(env.ebsKmsKeyId
      ? [
          {
            kind: 'KMS key',
            name: env.ebsKmsKeyId,
            purpose: `encrypts node and claim volumes. Its key policy lets Karpenter's controller role launch with it (kms:GenerateDataKeyWithoutPlaintext, kms:Decrypt, kms:ReEncrypt*, kms:DescribeKey, and kms:CreateGrant with kms:GrantIsForAWSResource), or any principal of the account through EC2 (kms:ViaService ec2.${region}.amazonaws.com); and the EBS CSI driver's role, for the claims. Not the node role: without it nodes terminate right after launch`,
          },
        ]
      : []),
  ];
}
