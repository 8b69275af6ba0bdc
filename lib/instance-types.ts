import { Arch } from '../config/types';

/** What the validator needs to know about an EC2 instance type. */
export interface InstanceType {
  readonly name: string;
  readonly vcpu: number;
  /** Memory in GiB, as EC2 advertises it. */
  readonly memoryGiB: number;
  /** NVIDIA GPUs. */
  readonly gpus: number;
  readonly arch: Arch;
  /**
   * Pods the VPC CNI can give an IP without prefix delegation:
   * ENIs x (IPv4 addresses per ENI - 1) + 2.
   */
  readonly maxPods: number;
}

// Facts from the EC2 instance type documentation (vCPU, memory, GPUs, architecture, ENIs and
// IPv4 addresses per ENI) and the max-pods table of awslabs/amazon-eks-ami (eni-max-pods.txt),
// which applies the formula above. Only the types our pools may use are listed; a pool that
// names another type fails synth until its facts are added here.
const TYPES: readonly InstanceType[] = [
  { name: 't3.medium', vcpu: 2, memoryGiB: 4, gpus: 0, arch: 'amd64', maxPods: 17 },
  { name: 't3.large', vcpu: 2, memoryGiB: 8, gpus: 0, arch: 'amd64', maxPods: 35 },
  { name: 't3.xlarge', vcpu: 4, memoryGiB: 16, gpus: 0, arch: 'amd64', maxPods: 58 },
  { name: 't3a.medium', vcpu: 2, memoryGiB: 4, gpus: 0, arch: 'amd64', maxPods: 17 },
  { name: 't3a.large', vcpu: 2, memoryGiB: 8, gpus: 0, arch: 'amd64', maxPods: 35 },
  { name: 't3a.xlarge', vcpu: 4, memoryGiB: 16, gpus: 0, arch: 'amd64', maxPods: 58 },
  { name: 't4g.small', vcpu: 2, memoryGiB: 2, gpus: 0, arch: 'arm64', maxPods: 11 },
  { name: 't4g.medium', vcpu: 2, memoryGiB: 4, gpus: 0, arch: 'arm64', maxPods: 17 },
  { name: 't4g.large', vcpu: 2, memoryGiB: 8, gpus: 0, arch: 'arm64', maxPods: 35 },
  { name: 't4g.xlarge', vcpu: 4, memoryGiB: 16, gpus: 0, arch: 'arm64', maxPods: 58 },
  { name: 'm6g.xlarge', vcpu: 4, memoryGiB: 16, gpus: 0, arch: 'arm64', maxPods: 58 },
  { name: 'm7g.large', vcpu: 2, memoryGiB: 8, gpus: 0, arch: 'arm64', maxPods: 29 },
  { name: 'm7g.xlarge', vcpu: 4, memoryGiB: 16, gpus: 0, arch: 'arm64', maxPods: 58 },
  { name: 'm7g.2xlarge', vcpu: 8, memoryGiB: 32, gpus: 0, arch: 'arm64', maxPods: 58 },
  { name: 'c7g.large', vcpu: 2, memoryGiB: 4, gpus: 0, arch: 'arm64', maxPods: 29 },
  { name: 'c7g.xlarge', vcpu: 4, memoryGiB: 8, gpus: 0, arch: 'arm64', maxPods: 58 },
  { name: 'c7g.2xlarge', vcpu: 8, memoryGiB: 16, gpus: 0, arch: 'arm64', maxPods: 58 },
  { name: 'r7g.large', vcpu: 2, memoryGiB: 16, gpus: 0, arch: 'arm64', maxPods: 29 },
  { name: 'r7g.xlarge', vcpu: 4, memoryGiB: 32, gpus: 0, arch: 'arm64', maxPods: 58 },
  { name: 'g4dn.xlarge', vcpu: 4, memoryGiB: 16, gpus: 1, arch: 'amd64', maxPods: 29 },
  { name: 'g4dn.2xlarge', vcpu: 8, memoryGiB: 32, gpus: 1, arch: 'amd64', maxPods: 29 },
  { name: 'g5.xlarge', vcpu: 4, memoryGiB: 16, gpus: 1, arch: 'amd64', maxPods: 58 },
  { name: 'g5.2xlarge', vcpu: 8, memoryGiB: 32, gpus: 1, arch: 'amd64', maxPods: 58 },
  { name: 'g5.4xlarge', vcpu: 16, memoryGiB: 64, gpus: 1, arch: 'amd64', maxPods: 234 },
];

/** The catalog, by instance type name. */
export const INSTANCE_TYPES: ReadonlyMap<string, InstanceType> = new Map(TYPES.map((t) => [t.name, t]));
