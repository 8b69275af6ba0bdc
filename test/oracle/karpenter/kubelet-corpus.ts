import { random } from '../../random';

/**
 * A seeded corpus of EC2NodeClass kubelets for Karpenter 1.15.0's own kubelet validation (the
 * oracle's `kubelet` command, oracle/karpenter/release_v1_15.go): the kubelets our node classes
 * write, then each mutated the ways a person gets a kubelet wrong (a misspelt or mis-cased field,
 * a value of the wrong type, eviction signals, percentages and quantities at their edges, grace
 * periods Go cannot parse, reservations, thresholds, expressions, a field Karpenter owns) and on
 * each AMI family, where families other than AL2023 drop fields.
 */

export const KUBELET_CORPUS_SEED = 20261010;
export const KUBELET_CORPUS_SIZE = 400;

export interface KubeletCase {
  readonly id: string;
  readonly change: string;
  /** An EC2NodeClass spec: the AMI selection (the family) and the kubelet. */
  readonly spec: Readonly<Record<string, unknown>>;
}

/** The kubelets of config/node-classes.ts as rendered (the EC2NodeClasses of dist/dev and dist/prod), and a few a team writes. */
const BASES: readonly Record<string, unknown>[] = [
  {
    evictionSoft: { 'memory.available': '10%' },
    evictionSoftGracePeriod: { 'memory.available': '1m30s' },
    evictionHard: { 'memory.available': '5%', 'nodefs.available': '10%' },
    kubeReserved: { cpu: '100m', memory: '1Gi', 'ephemeral-storage': '1Gi' },
    maxPods: 110,
  },
  { maxPods: 58, systemReserved: { cpu: '100m', memory: '100Mi' } },
  { imageGCHighThresholdPercent: 85, imageGCLowThresholdPercent: 80, cpuCFSQuota: true, clusterDNS: ['10.100.0.10'] },
  { podsPerCore: 2, evictionMaxPodGracePeriod: 60 },
  {},
];

const FAMILIES: readonly [string, Record<string, unknown>][] = [
  ['al2023', { amiSelectorTerms: [{ alias: 'al2023@v20260714' }] }],
  ['bottlerocket', { amiSelectorTerms: [{ alias: 'bottlerocket@v1.64.0' }] }],
  ['AL2', { amiFamily: 'AL2', amiSelectorTerms: [{ id: 'ami-0123456789abcdef0' }] }],
  ['Custom', { amiFamily: 'Custom', amiSelectorTerms: [{ id: 'ami-0123456789abcdef0' }] }],
  ['windows2022', { amiSelectorTerms: [{ alias: 'windows2022@latest' }] }],
];

const SIGNALS = ['memory.available', 'nodefs.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree', 'pid.available'];
const BAD_SIGNALS = ['memory.Available', 'memory', 'nodefs.inodes', 'containerfs.available', ''];
const THRESHOLDS = ['5%', '0%', '100%', '100.0%', '100.5%', '-1%', '%', 'NaN%', 'inf%', '1e2%', '5 %', '500Mi', '1Gi', '-1Gi', '', '1.5.5', '10', '0', '+5Mi', '5Mb', '1e3', '.5Gi', 'Gi'];
const GRACE = ['90s', '1m30s', '0', '-1s', '5x', '', '30', '1.5h', '.5s', '1d', 'abc', '2m0s', '+1m', '1h1h'];
const RESERVED_KEYS = ['cpu', 'memory', 'ephemeral-storage', 'pid', 'gpu', 'Memory', 'storage'];
const RESERVED_VALUES = ['100m', '1Gi', '-100m', '0', 'vcpus * 10', 'memory_mib / 10', '1.5', '', '-'];
const UNKNOWN_FIELDS = ['maxpods', 'MaxPods', 'evictionhard', 'kubeReserve', 'systemReserve', 'fooBar', 'podsperCore', 'clusterDns'];
const UPSTREAM_FIELDS: readonly [string, unknown][] = [
  ['containerLogMaxSize', '10Mi'],
  ['containerLogMaxFiles', 5],
  ['serializeImagePulls', false],
  ['maxParallelImagePulls', 5],
  ['cpuManagerPolicy', 'static'],
  ['topologyManagerPolicy', 'single-numa-node'],
  ['shutdownGracePeriod', '30s'],
  ['shutdownGracePeriodCriticalPods', '10s'],
  ['imageMinimumGCAge', '2m'],
  ['featureGates', { InPlacePodVerticalScaling: true }],
  ['allowedUnsafeSysctls', ['net.core.somaxconn']],
  ['evictionMinimumReclaim', { 'memory.available': '100Mi' }],
  ['kubeAPIQPS', 50],
  ['registryPullQPS', 10],
  ['memorySwap', { swapBehavior: 'LimitedSwap' }],
  ['kind', 'KubeletConfiguration'],
];
/** Values of the wrong JSON type for a field, or values its Go type refuses. */
const WRONG_TYPES: readonly [string, unknown][] = [
  ['maxPods', 1.5],
  ['maxPods', 3000000000],
  ['maxPods', true],
  ['maxPods', '110'],
  ['maxPods', 'default_enis * (ips_per_eni - 1) + 2'],
  ['maxPods', -1],
  ['podsPerCore', '2'],
  ['podsPerCore', -1],
  ['cpuCFSQuota', 'yes'],
  ['cpuCFSQuota', 1],
  ['clusterDNS', '10.100.0.10'],
  ['clusterDNS', [1]],
  ['clusterDNS', ['10.100.0.10', '10.100.0.11']],
  ['evictionHard', { 'memory.available': 5 }],
  ['evictionHard', ['memory.available']],
  ['evictionHard', { 'memory.available': null }],
  ['kubeReserved', 'cpu=100m'],
  ['imageGCHighThresholdPercent', 101],
  ['imageGCHighThresholdPercent', -1],
  ['imageGCLowThresholdPercent', 90],
  ['evictionMaxPodGracePeriod', -30],
  ['evictionMaxPodGracePeriod', '60'],
  ['shutdownGracePeriod', 30],
  ['shutdownGracePeriod', '5x'],
  ['shutdownGracePeriod', null],
  ['shutdownGracePeriod', ''],
  ['authentication', 'webhook'],
  ['authentication', { webhook: { enabled: true } }],
  ['configMapAndSecretChangeDetectionStrategy', 1],
  ['registerWithTaints', [{ key: 'a', effect: 'NoSchedule' }]],
  ['registerWithTaints', [1]],
  ['kubeAPIQPS', 50.5],
  ['kubeAPIBurst', '10'],
  ['containerLogMaxSize', 10],
  ['featureGates', { InPlacePodVerticalScaling: 'true' }],
];

/** The seeded corpus: every base on every family once, then seeded mutations. */
export function kubeletCorpus(): KubeletCase[] {
  const rand = random(KUBELET_CORPUS_SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const cases: KubeletCase[] = [];
  const add = (change: string, family: [string, Record<string, unknown>], kubelet: Record<string, unknown> | undefined) =>
    cases.push({ id: `k${String(cases.length + 1).padStart(3, '0')}`, change: `${family[0]}: ${change}`, spec: { ...family[1], ...(kubelet !== undefined ? { kubelet } : {}) } });
  BASES.forEach((base, i) => FAMILIES.forEach((family) => add(`base ${i}`, [...family], structuredClone(base))));
  add('no kubelet', ['al2023', FAMILIES[0]![1]], undefined);
  const mutations: (readonly [string, (k: Record<string, any>) => void])[] = [
    ['unknown field', (k) => (k[pick(UNKNOWN_FIELDS)] = pick([1, 'x', true, {}]))],
    ['upstream field', (k) => {
      const [f, v] = pick(UPSTREAM_FIELDS);
      k[f] = structuredClone(v);
    }],
    ['wrong type', (k) => {
      const [f, v] = pick(WRONG_TYPES);
      k[f] = structuredClone(v);
    }],
    ['eviction threshold', (k) => {
      const field = pick(['evictionHard', 'evictionSoft', 'evictionMinimumReclaim']);
      k[field] = { ...(k[field] ?? {}), [pick(SIGNALS)]: pick(THRESHOLDS) };
    }],
    ['eviction signal', (k) => {
      const field = pick(['evictionHard', 'evictionSoft', 'evictionSoftGracePeriod', 'evictionMinimumReclaim']);
      k[field] = { ...(k[field] ?? {}), [pick(BAD_SIGNALS)]: field === 'evictionSoftGracePeriod' ? '1m' : '5%' };
    }],
    ['soft eviction pair', (k) => {
      const signal = pick(SIGNALS);
      if (rand() < 0.5) k.evictionSoft = { ...(k.evictionSoft ?? {}), [signal]: '10%' };
      else k.evictionSoftGracePeriod = { ...(k.evictionSoftGracePeriod ?? {}), [signal]: pick(GRACE) };
    }],
    ['grace period', (k) => {
      const signal = pick(SIGNALS);
      k.evictionSoft = { ...(k.evictionSoft ?? {}), [signal]: '10%' };
      k.evictionSoftGracePeriod = { ...(k.evictionSoftGracePeriod ?? {}), [signal]: pick(GRACE) };
    }],
    ['reservation', (k) => {
      const field = pick(['kubeReserved', 'systemReserved']);
      k[field] = { ...(k[field] ?? {}), [pick(RESERVED_KEYS)]: pick(RESERVED_VALUES) };
    }],
    ['image GC', (k) => {
      k.imageGCHighThresholdPercent = pick([0, 50, 80, 85, 100, 101, -5]);
      k.imageGCLowThresholdPercent = pick([0, 50, 80, 85, 100, 101, -5]);
    }],
    ['owned field', (k) => (k.registerWithTaints = [{ key: 'example.com/wait', effect: 'NoSchedule' }])],
    ['field removed', (k) => {
      const keys = Object.keys(k);
      if (keys.length > 0) delete k[pick(keys)];
    }],
  ];
  while (cases.length < KUBELET_CORPUS_SIZE) {
    const family = pick(FAMILIES);
    const kubelet = structuredClone(pick(BASES)) as Record<string, any>;
    const steps = 1 + Math.floor(rand() * 2);
    const applied: string[] = [];
    for (let i = 0; i < steps; i++) {
      const [name, mutate] = pick(mutations);
      mutate(kubelet);
      applied.push(name);
    }
    add(`${applied.join(', ')}: ${JSON.stringify(kubelet)}`, [...family], kubelet);
  }
  return cases;
}
