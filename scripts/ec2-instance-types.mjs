#!/usr/bin/env node
// Generates oracle/karpenter/ec2/instance-types.json: every EC2 instance type Karpenter v1.14.1
// knows, as EC2's DescribeInstanceTypes would describe it (ec2types.InstanceTypeInfo, field for
// field), for the Karpenter oracle to hand to the AWS provider's own instance-type code
// (aws/karpenter-provider-aws v1.14.1 pkg/providers/instancetype/types.go NewInstanceType), which
// computes capacity, overhead, ENI-limited max pods, GPUs and labels from it. Read from Karpenter's
// own reference data:
//   website/content/en/docs/reference/instance-types.md   (the labels Karpenter derives from each type's info)
//   pkg/providers/instancetype/zz_generated.vpclimits.go  (network cards, ENIs, IPv4 addresses per ENI, bare metal)
//
//   node scripts/ec2-instance-types.mjs ../shared/data/karpenter-v1.14.1 [--output <file>]
//
// Each label of instance-types.md is inverted into the field types.go reads it from (instance-cpu ->
// VCpuInfo.DefaultVCpus, instance-gpu-* -> GpuInfo.Gpus[0], instance-local-nvme -> InstanceStorageInfo,
// ...); the ENI data comes from the VPC limits. What the reference data does not say is assumed and
// stated in `about`: every type is offered on-demand and spot. The script checks that the max pods
// the provider will compute from the VPC limits (ENIs x (IPv4 per ENI - 1) + 2) are the pods
// instance-types.md lists, and fails otherwise. One type per line, sorted by name.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatorArgs } from './generator-args.mjs';
import { INSTANCE_LABEL_PREFIX, parseInstanceTypes } from './instance-types-md.mjs';

const { input: dataDir, output } = generatorArgs(['oracle', 'karpenter', 'ec2', 'instance-types.json'], 'node scripts/ec2-instance-types.mjs <folder with instance-types.md and zz_generated.vpclimits.go>');

const PREFIX = INSTANCE_LABEL_PREFIX;

/** The Go map of VPC limits: `"a1.2xlarge": { Interface: 4, IPv4PerInterface: 15, ..., NetworkCards: []NetworkCard{{...}}, ... }`. */
function parseVpcLimits(text) {
  const limits = new Map();
  for (const match of text.matchAll(/^\t"([a-z0-9.-]+)": \{\n([\s\S]*?)\n\t\},$/gm)) {
    const body = match[2];
    const field = (name) => new RegExp(`\\b${name}:\\s*([^,\\n]+),`).exec(body)?.[1]?.trim();
    const cards = [...body.matchAll(/MaximumNetworkInterfaces:\s*(\d+),\s*NetworkCardIndex:\s*(\d+),/g)].map((m) => ({ MaximumNetworkInterfaces: Number(m[1]), NetworkCardIndex: Number(m[2]) }));
    limits.set(match[1], {
      interfaces: Number(field('Interface')),
      ipv4PerInterface: Number(field('IPv4PerInterface')),
      defaultNetworkCardIndex: Number(field('DefaultNetworkCardIndex') ?? 0),
      networkCards: cards,
      hypervisor: JSON.parse(field('Hypervisor') ?? '""'),
      bareMetal: field('IsBareMetal') === 'true',
    });
  }
  return limits;
}

// types.go lowercases the manufacturer for the label; the GPU resources compare it exactly (nvidiaGPUs: "NVIDIA").
const GPU_MANUFACTURERS = { nvidia: 'NVIDIA', amd: 'AMD', habana: 'Habana' };
const CPU_MANUFACTURERS = { aws: 'AWS', intel: 'Intel', amd: 'AMD' };
const ARCHITECTURES = { amd64: 'x86_64', arm64: 'arm64' };

/** One ec2types.InstanceTypeInfo, with only the fields the provider reads. */
function describe(name, { labels, resources }, vpc) {
  const label = (key) => labels[`${PREFIX}${key}`];
  const number = (key) => Number(label(key));
  const info = {
    InstanceType: name,
    BareMetal: vpc.bareMetal,
    CurrentGeneration: true,
    Hypervisor: label('hypervisor') ?? '',
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedVirtualizationTypes: ['hvm'],
    VCpuInfo: { DefaultVCpus: number('cpu') },
    MemoryInfo: { SizeInMiB: number('memory') },
    ProcessorInfo: {
      SupportedArchitectures: [ARCHITECTURES[labels['kubernetes.io/arch']]],
      Manufacturer: CPU_MANUFACTURERS[label('cpu-manufacturer')] ?? label('cpu-manufacturer'),
      SustainedClockSpeedInGhz: number('cpu-sustained-clock-speed-mhz') / 1000,
    },
    NetworkInfo: {
      EncryptionInTransitSupported: label('encryption-in-transit-supported') === 'true',
      MaximumNetworkInterfaces: vpc.interfaces,
      Ipv4AddressesPerInterface: vpc.ipv4PerInterface,
      DefaultNetworkCardIndex: vpc.defaultNetworkCardIndex,
      NetworkCards: vpc.networkCards,
      ...(resources['vpc.amazonaws.com/efa'] !== undefined ? { EfaSupported: true, EfaInfo: { MaximumEfaInterfaces: Number(resources['vpc.amazonaws.com/efa']) } } : {}),
    },
    EbsInfo: label('ebs-bandwidth') !== undefined ? { EbsOptimizedSupport: 'default', EbsOptimizedInfo: { MaximumBandwidthInMbps: number('ebs-bandwidth') } } : { EbsOptimizedSupport: 'unsupported' },
  };
  if (label('gpu-name') !== undefined) {
    info.GpuInfo = { Gpus: [{ Name: label('gpu-name'), Manufacturer: GPU_MANUFACTURERS[label('gpu-manufacturer')] ?? label('gpu-manufacturer'), Count: number('gpu-count'), MemoryInfo: { SizeInMiB: number('gpu-memory') } }] };
  }
  if (label('local-nvme') !== undefined) info.InstanceStorageInfo = { NvmeSupport: 'required', TotalSizeInGB: number('local-nvme') };
  if (label('accelerator-name') !== undefined) {
    // types.go reads Neuron devices (Inferentia, Trainium) from NeuronInfo, the manufacturer being "aws"; other accelerators from InferenceAcceleratorInfo.
    if (resources['aws.amazon.com/neuron'] !== undefined) {
      const devices = Number(resources['aws.amazon.com/neuron']);
      info.NeuronInfo = { NeuronDevices: [{ Name: label('accelerator-name'), Count: devices, CoreInfo: { Count: Number(resources['aws.amazon.com/neuroncore']) / devices } }] };
    } else {
      info.InferenceAcceleratorInfo = { Accelerators: [{ Name: label('accelerator-name'), Manufacturer: label('accelerator-manufacturer'), Count: number('accelerator-count') }] };
    }
  }
  return info;
}

const types = parseInstanceTypes(readFileSync(join(dataDir, 'instance-types.md'), 'utf8'));
const vpcLimits = parseVpcLimits(readFileSync(join(dataDir, 'zz_generated.vpclimits.go'), 'utf8'));
if (types.size === 0) throw new Error(`no instance type found in ${join(dataDir, 'instance-types.md')}`);
if (vpcLimits.size === 0) throw new Error(`no VPC limits found in ${join(dataDir, 'zz_generated.vpclimits.go')}`);

// The VPC limits were generated before the reference page: a few types (hpc*, the newest metal
// sizes, trn2.48xlarge) are missing there. For them one ENI with (pods - 1) addresses gives the
// provider exactly the max pods instance-types.md lists (ENILimitedPods: 1 x (pods - 2 + 1 - 1) + 2).
const derived = [];
function withoutVpcLimits(name, { labels, resources }) {
  derived.push(name);
  const pods = Number(resources.pods);
  return { interfaces: 1, ipv4PerInterface: pods - 1, defaultNetworkCardIndex: 0, networkCards: [{ MaximumNetworkInterfaces: 1, NetworkCardIndex: 0 }], hypervisor: labels[`${PREFIX}hypervisor`] ?? '', bareMetal: name.includes('metal') };
}

const problems = [];
const lines = [...types.keys()].sort().flatMap((name) => {
  const vpc = vpcLimits.get(name) ?? withoutVpcLimits(name, types.get(name));
  const card = vpc.networkCards.find((c) => c.NetworkCardIndex === vpc.defaultNetworkCardIndex);
  // pkg/providers/instancetype/types.go ENILimitedPods: the default card's ENIs x (IPv4 per ENI - 1) + 2.
  const pods = card ? card.MaximumNetworkInterfaces * (vpc.ipv4PerInterface - 1) + 2 : undefined;
  if (String(pods) !== types.get(name).resources.pods) problems.push(`${name}: the VPC limits give ${pods} pods, instance-types.md lists ${types.get(name).resources.pods}`);
  return [JSON.stringify(describe(name, types.get(name), vpc))];
});
if (problems.length > 0) throw new Error(`the reference data disagree:\n${problems.join('\n')}`);

const about = {
  generatedBy: 'node scripts/ec2-instance-types.mjs',
  source: 'aws/karpenter-provider-aws v1.14.1: website/content/en/docs/reference/instance-types.md, pkg/providers/instancetype/zz_generated.vpclimits.go',
  shape: 'ec2types.InstanceTypeInfo (aws-sdk-go-v2 service/ec2/types), only the fields pkg/providers/instancetype reads',
  assumes: 'every type is offered on-demand and spot (SupportedUsageClasses); the reference data does not say which are not',
  withoutVpcLimits: `${derived.length} types missing from zz_generated.vpclimits.go get one ENI with (pods - 1) addresses, the max pods instance-types.md lists: ${derived.join(', ')}`,
};
mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, `{"about":${JSON.stringify(about)},\n"instanceTypes":[\n${lines.join(',\n')}\n]}\n`);
console.log(`${lines.length} instance types written to ${output}`);
