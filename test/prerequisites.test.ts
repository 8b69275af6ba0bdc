import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../config/environments';
import { awsPrerequisites } from '../lib/synth/aws-prerequisites';

describe('the AWS prerequisites REPORT.md lists', () => {
  for (const env of ENVIRONMENTS) {
    const all = awsPrerequisites(env);
    const find = (kind: string, name?: string) => all.filter((p) => p.kind === kind && (name === undefined || p.name === name));

    it.runIf(env.ebsKmsKeyId === undefined)(`${env.name}: no KMS key to grant (volumes use the account's default EBS key)`, () => {
      expect(find('KMS key')).toEqual([]);
    });

    it.runIf(env.ebsKmsKeyId !== undefined)(`${env.name}: the KMS key is granted to the principal that launches instances, not to the node role`, () => {
      const [key] = find('KMS key', env.ebsKmsKeyId);
      expect(key!.purpose).toContain("lets Karpenter's controller role launch with it");
      expect(key!.purpose).toContain('kms:CreateGrant with kms:GrantIsForAWSResource');
      expect(key!.purpose).toContain(`kms:ViaService ec2.${env.cluster.region}.amazonaws.com`);
      expect(key!.purpose).toContain("EBS CSI driver's role");
      expect(key!.purpose).toContain('Not the node role');
    });

    it(`${env.name}: the node role joins through an EC2_LINUX access entry, with the node policies`, () => {
      const [entry] = find('EKS access entry');
      expect(entry!.name).toContain(env.nodeRole);
      expect(entry!.purpose).toContain(`type EC2_LINUX on cluster ${env.cluster.name}`);
      const [role] = find('IAM role', env.nodeRole);
      for (const policy of ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonSSMManagedInstanceCore']) expect(role!.purpose).toContain(policy);
    });

    it(`${env.name}: the controller role's trust and the system node group its controller runs on`, () => {
      const [controller] = find('IAM role', env.karpenter.controllerRoleArn);
      expect(controller!.purpose).toContain('system:serviceaccount:kube-system:karpenter');
      expect(controller!.purpose).toContain(`iam:PassRole on ${env.nodeRole}`);
      const [group] = find('EKS managed node group');
      for (const [k, v] of Object.entries(env.systemNodeSelector)) expect(group!.name).toContain(`${k}=${v}`);
    });
  }
});
