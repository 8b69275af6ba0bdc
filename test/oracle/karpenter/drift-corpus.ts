import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../../packages/karpenter-validate/src/validation/findings';
import { random } from '../../random';

/**
 * The drift corpus: seeded changes to a fixed set of EC2NodeClasses and NodePools
 * (drift-base.yaml, prod's as rendered when the corpus was made), each a previous and a current
 * render that the Karpenter oracle and lib/plan/drift.ts both judge node by node. Every hashed
 * field of the NodePool template and the EC2NodeClass spec is changed, in ways that change the hash
 * and in ways that only look like a change (`60m` for `1h`, `102400Mi` for `100Gi`, reordered
 * lists); requirements are narrowed and widened (instance types, capacity types, zones, families);
 * AMI, subnet and security group terms are changed; behavioural fields too. A fifth of the cases
 * change two things, a sixth run the change backwards (the mutated render first).
 */

export const DRIFT_CORPUS_SEED = 22;
export const DRIFT_CORPUS_SIZE = 200;
export const REGION = 'ap-northeast-2';
export const ZONES = ['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c'];

export interface DriftCase {
  readonly id: string;
  /** What was changed, for failure messages. */
  readonly change: string;
  readonly before: KubeObject[];
  readonly after: KubeObject[];
}

export function driftBase(): KubeObject[] {
  const text = readFileSync(join(__dirname, 'drift-base.yaml'), 'utf8');
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject)
    .filter((o) => o !== null && typeof o === 'object' && typeof o.kind === 'string');
}

type Rng = () => number;
/** Changes `objects` (the current render); a few also set up the previous render, `before`, to compare two spellings. */
type Mutation = (objects: KubeObject[], rng: Rng, before: KubeObject[]) => string;

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const pools = (o: KubeObject[]) => o.filter((x) => x.kind === 'NodePool') as any[];
const classes = (o: KubeObject[]) => o.filter((x) => x.kind === 'EC2NodeClass') as any[];
const anyPool = (o: KubeObject[], rng: Rng) => pick(rng, pools(o));
const anyClass = (o: KubeObject[], rng: Rng) => pick(rng, classes(o));
const tspec = (pool: any) => pool.spec.template.spec;
const requirement = (pool: any, key: string) => tspec(pool).requirements.find((r: any) => r.key === key);

const ARM = ['m7g.2xlarge', 'c7g.4xlarge', 'r7g.large', 'm6g.large', 'c6g.xlarge'];
const AMD = ['t3.2xlarge', 'm5.large', 'c5.xlarge', 'g5.xlarge', 'g4dn.xlarge'];

const MUTATIONS: Record<string, Mutation> = {
  'template label added': (o, r) => {
    const p = anyPool(o, r);
    p.spec.template.metadata.labels = { ...(p.spec.template.metadata.labels ?? {}), team: pick(r, ['data', 'ml', 'platform']) };
    return `${p.metadata.name}: label team added`;
  },
  'template label value changed': (o, r) => {
    const p = anyPool(o, r);
    const key = Object.keys(p.spec.template.metadata.labels)[0]!;
    p.spec.template.metadata.labels[key] = `${p.spec.template.metadata.labels[key]}-${pick(r, ['v2', 'b'])}`;
    return `${p.metadata.name}: label ${key} changed`;
  },
  'template labels reordered': (o, r) => {
    const p = anyPool(o, r);
    p.spec.template.metadata.labels = Object.fromEntries(Object.entries({ ...p.spec.template.metadata.labels, zz: 'last' }).reverse());
    return `${p.metadata.name}: label zz added, labels reordered`;
  },
  'template annotation added': (o, r) => {
    const p = anyPool(o, r);
    p.spec.template.metadata.annotations = { ...(p.spec.template.metadata.annotations ?? {}), 'example.com/owner': pick(r, ['team-a', 'team-b']) };
    return `${p.metadata.name}: template annotation added`;
  },
  'pool metadata annotation added': (o, r) => {
    const p = anyPool(o, r);
    p.metadata.annotations = { ...p.metadata.annotations, 'kubernetes.io/description': `changed ${Math.floor(r() * 100)}` };
    return `${p.metadata.name}: the NodePool's own annotation changed (not the template's)`;
  },
  'taint added': (o, r) => {
    const p = anyPool(o, r);
    tspec(p).taints = [...(tspec(p).taints ?? []), { key: 'dedicated', value: pick(r, ['a', 'b']), effect: pick(r, ['NoSchedule', 'NoExecute', 'PreferNoSchedule']) }];
    return `${p.metadata.name}: taint added`;
  },
  'taint value changed': (o, r) => {
    const p = pick(r, pools(o).filter((x) => tspec(x).taints?.length));
    tspec(p).taints[0].value = `${tspec(p).taints[0].value}-x`;
    return `${p.metadata.name}: taint value changed`;
  },
  'taint removed': (o, r) => {
    const p = pick(r, pools(o).filter((x) => tspec(x).taints?.length));
    tspec(p).taints = tspec(p).taints.slice(1);
    if (tspec(p).taints.length === 0) delete tspec(p).taints;
    return `${p.metadata.name}: first taint removed`;
  },
  'taints reordered': (o) => {
    const p = pools(o).find((x) => (tspec(x).taints?.length ?? 0) > 1);
    tspec(p).taints = [...tspec(p).taints].reverse();
    return `${p.metadata.name}: taints reordered`;
  },
  'startup taint added': (o, r) => {
    const p = anyPool(o, r);
    tspec(p).startupTaints = [{ key: 'node.example.com/agent-not-ready', effect: 'NoSchedule' }];
    return `${p.metadata.name}: startup taint added`;
  },
  'nodeClassRef changed': (o, r) => {
    const p = anyPool(o, r);
    const other = pick(r, classes(o).filter((c) => c.metadata.name !== tspec(p).nodeClassRef.name));
    tspec(p).nodeClassRef.name = other.metadata.name;
    return `${p.metadata.name}: nodeClassRef -> ${other.metadata.name}`;
  },
  'expireAfter changed': (o, r) => {
    const p = anyPool(o, r);
    tspec(p).expireAfter = pick(r, ['24h', '336h', '1440h', 'Never']);
    return `${p.metadata.name}: expireAfter -> ${tspec(p).expireAfter}`;
  },
  'expireAfter respelled': (o, r) => {
    const p = anyPool(o, r);
    const hours = Number(/^(\d+)h$/.exec(tspec(p).expireAfter)?.[1] ?? 720);
    tspec(p).expireAfter = pick(r, [`${hours * 60}m`, `${hours - 1}h60m`, `${hours * 3600}s`]);
    return `${p.metadata.name}: expireAfter respelled ${tspec(p).expireAfter}`;
  },
  'terminationGracePeriod changed': (o, r) => {
    const p = anyPool(o, r);
    tspec(p).terminationGracePeriod = pick(r, ['5m', '48h', '0s']);
    return `${p.metadata.name}: terminationGracePeriod -> ${tspec(p).terminationGracePeriod}`;
  },
  'terminationGracePeriod respelled': (o, r) => {
    const p = anyPool(o, r);
    const seconds = { '1h': 3600, '2h': 7200, '10m': 600, '30m': 1800 }[tspec(p).terminationGracePeriod as string] ?? 3600;
    tspec(p).terminationGracePeriod = pick(r, [`${seconds}s`, `${seconds / 60}m`]);
    return `${p.metadata.name}: terminationGracePeriod respelled ${tspec(p).terminationGracePeriod}`;
  },
  'terminationGracePeriod removed': (o, r) => {
    const p = anyPool(o, r);
    delete tspec(p).terminationGracePeriod;
    return `${p.metadata.name}: terminationGracePeriod removed`;
  },
  'instance types narrowed': (o, r) => {
    const p = anyPool(o, r);
    const req = requirement(p, 'node.kubernetes.io/instance-type');
    const keep = req.values.filter(() => r() < 0.6);
    req.values = keep.length > 0 ? keep : [req.values[0]];
    return `${p.metadata.name}: instance types narrowed to ${req.values.join(',')}`;
  },
  'instance types widened': (o, r) => {
    const p = anyPool(o, r);
    const req = requirement(p, 'node.kubernetes.io/instance-type');
    const extra = pick(r, requirement(p, 'kubernetes.io/arch').values[0] === 'arm64' ? ARM : AMD);
    req.values = [...new Set([...req.values, extra])];
    return `${p.metadata.name}: instance type ${extra} added`;
  },
  'instance types reordered': (o, r) => {
    const p = anyPool(o, r);
    const req = requirement(p, 'node.kubernetes.io/instance-type');
    req.values = [...req.values].reverse();
    return `${p.metadata.name}: instance types reordered`;
  },
  'capacity type narrowed': (o) => {
    const p = pools(o).find((x) => x.metadata.name === 'default');
    requirement(p, 'karpenter.sh/capacity-type').values = ['on-demand'];
    return 'default: spot no longer allowed';
  },
  'capacity type widened': (o, r) => {
    const p = pick(r, pools(o).filter((x) => requirement(x, 'karpenter.sh/capacity-type').values.length === 1));
    const req = requirement(p, 'karpenter.sh/capacity-type');
    req.values = ['spot', 'on-demand'];
    return `${p.metadata.name}: capacity types widened to spot and on-demand`;
  },
  'capacity type switched': (o, r) => {
    const p = pick(r, pools(o).filter((x) => requirement(x, 'karpenter.sh/capacity-type').values.length === 1));
    const req = requirement(p, 'karpenter.sh/capacity-type');
    req.values = [req.values[0] === 'spot' ? 'on-demand' : 'spot'];
    return `${p.metadata.name}: capacity type switched to ${req.values[0]}`;
  },
  'zone dropped': (o, r) => {
    const p = anyPool(o, r);
    const req = requirement(p, 'topology.kubernetes.io/zone');
    const drop = pick(r, req.values);
    req.values = req.values.length > 1 ? req.values.filter((z: string) => z !== drop) : req.values;
    return `${p.metadata.name}: zone ${drop} dropped`;
  },
  'zone added': (o) => {
    const p = pools(o).find((x) => requirement(x, 'topology.kubernetes.io/zone').values.length < ZONES.length);
    requirement(p, 'topology.kubernetes.io/zone').values = [...ZONES];
    return `${p.metadata.name}: every zone allowed`;
  },
  'family requirement added': (o, r) => {
    const p = anyPool(o, r);
    const families = [...new Set(requirement(p, 'node.kubernetes.io/instance-type').values.map((t: string) => t.split('.')[0]))] as string[];
    tspec(p).requirements.push({ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: [pick(r, families)] });
    return `${p.metadata.name}: family ${tspec(p).requirements.at(-1).values[0]} required`;
  },
  'cpu bound added': (o, r) => {
    const p = anyPool(o, r);
    const bound = pick(r, ['2', '4', '8']);
    tspec(p).requirements.push({ key: 'karpenter.k8s.aws/instance-cpu', operator: pick(r, ['Lt', 'Gt']), values: [bound] });
    return `${p.metadata.name}: instance-cpu ${tspec(p).requirements.at(-1).operator} ${bound}`;
  },
  'generation excluded': (o, r) => {
    const p = anyPool(o, r);
    tspec(p).requirements.push({ key: 'karpenter.k8s.aws/instance-generation', operator: 'NotIn', values: [pick(r, ['3', '4', '6', '7'])] });
    return `${p.metadata.name}: generation ${tspec(p).requirements.at(-1).values[0]} excluded`;
  },
  'minValues added': (o, r) => {
    const p = anyPool(o, r);
    requirement(p, 'node.kubernetes.io/instance-type').minValues = 1;
    return `${p.metadata.name}: minValues 1 on instance types`;
  },
  'weight changed': (o, r) => {
    const p = anyPool(o, r);
    p.spec.weight = pick(r, [1, 20, 90]);
    return `${p.metadata.name}: weight -> ${p.spec.weight}`;
  },
  'limits changed': (o, r) => {
    const p = anyPool(o, r);
    p.spec.limits = { ...p.spec.limits, cpu: pick(r, ['8', '100', '1000']) };
    return `${p.metadata.name}: cpu limit -> ${p.spec.limits.cpu}`;
  },
  'disruption changed': (o, r) => {
    const p = anyPool(o, r);
    p.spec.disruption = { ...p.spec.disruption, consolidateAfter: pick(r, ['1m', '1h']), budgets: [{ nodes: pick(r, ['1', '20%']) }] };
    return `${p.metadata.name}: disruption budgets and consolidateAfter changed`;
  },
  'AMI version bumped': (o, r) => {
    const c = anyClass(o, r);
    const [family] = c.spec.amiSelectorTerms[0].alias.split('@');
    c.spec.amiSelectorTerms = [{ alias: `${family}@${family === 'al2023' ? pick(r, ['v20251001', 'v20250801']) : pick(r, ['v1.44.0', 'v1.45.0'])}` }];
    return `${c.metadata.name}: AMI alias -> ${c.spec.amiSelectorTerms[0].alias}`;
  },
  'AMI alias to latest': (o, r) => {
    const c = anyClass(o, r);
    const [family] = c.spec.amiSelectorTerms[0].alias.split('@');
    c.spec.amiSelectorTerms = [{ alias: `${family}@latest` }];
    return `${c.metadata.name}: AMI alias -> ${family}@latest`;
  },
  'AMI family switched': (o, r) => {
    const c = pick(r, classes(o).filter((x) => x.spec.amiSelectorTerms[0].alias.startsWith('al2023')));
    c.spec.amiSelectorTerms = [{ alias: 'bottlerocket@v1.43.0' }];
    return `${c.metadata.name}: AMI family al2023 -> bottlerocket`;
  },
  'AMI by tags': (o, r) => {
    const c = anyClass(o, r);
    const [family] = c.spec.amiSelectorTerms[0].alias.split('@');
    c.spec.amiFamily = family === 'al2023' ? 'AL2023' : 'Bottlerocket';
    c.spec.amiSelectorTerms = [{ tags: { 'example.com/ami': pick(r, ['golden', 'canary']) } }];
    return `${c.metadata.name}: AMI selected by tags, amiFamily ${c.spec.amiFamily}`;
  },
  'AMI by id': (o, r) => {
    const c = anyClass(o, r);
    c.spec.amiFamily = 'AL2023';
    c.spec.amiSelectorTerms = [{ id: pick(r, ['ami-0123456789abcdef0', 'ami-0fedcba9876543210']) }];
    return `${c.metadata.name}: AMI pinned by id, amiFamily AL2023`;
  },
  'subnet dropped': (o, r) => {
    const c = anyClass(o, r);
    c.spec.subnetSelectorTerms = c.spec.subnetSelectorTerms.filter((_: unknown, i: number) => i !== Math.floor(r() * 3));
    return `${c.metadata.name}: a subnet id dropped`;
  },
  'subnet added': (o, r) => {
    const c = anyClass(o, r);
    c.spec.subnetSelectorTerms = [...c.spec.subnetSelectorTerms, { id: 'subnet-0aaaabbbbccccdddd' }];
    return `${c.metadata.name}: a subnet id added`;
  },
  'subnets reordered': (o, r) => {
    const c = anyClass(o, r);
    c.spec.subnetSelectorTerms = [...c.spec.subnetSelectorTerms].reverse();
    return `${c.metadata.name}: subnet ids reordered`;
  },
  'subnets by tags': (o, r) => {
    const c = anyClass(o, r);
    c.spec.subnetSelectorTerms = [{ tags: { 'karpenter.sh/discovery': 'hihypipe-eks-cluster' } }];
    return `${c.metadata.name}: subnets selected by discovery tag`;
  },
  'security group added': (o, r) => {
    const c = anyClass(o, r);
    c.spec.securityGroupSelectorTerms = [...c.spec.securityGroupSelectorTerms, { id: 'sg-0123456789abcdef0' }];
    return `${c.metadata.name}: a security group added`;
  },
  'security group tag changed': (o, r) => {
    const c = anyClass(o, r);
    c.spec.securityGroupSelectorTerms = [{ tags: { 'karpenter.sh/discovery': pick(r, ['hihypipe-eks-cluster', 'other']) } }];
    return `${c.metadata.name}: security groups selected by another tag`;
  },
  'security groups duplicated': (o, r) => {
    const c = anyClass(o, r);
    c.spec.securityGroupSelectorTerms = [...c.spec.securityGroupSelectorTerms, ...c.spec.securityGroupSelectorTerms];
    return `${c.metadata.name}: the security group term listed twice`;
  },
  'userData changed': (o, r) => {
    const c = anyClass(o, r);
    c.spec.userData = `${c.spec.userData ?? ''}\n# ${pick(r, ['tuned', 'v2'])}`.trimStart();
    return `${c.metadata.name}: userData changed`;
  },
  'tag added': (o, r) => {
    const c = anyClass(o, r);
    c.spec.tags = { ...c.spec.tags, CostCenter: pick(r, ['1234', '5678']) };
    return `${c.metadata.name}: tag CostCenter added`;
  },
  'tag removed': (o, r) => {
    const c = anyClass(o, r);
    const { Environment: _, ...rest } = c.spec.tags;
    c.spec.tags = rest;
    return `${c.metadata.name}: tag Environment removed`;
  },
  'role changed': (o, r) => {
    const c = anyClass(o, r);
    c.spec.role = `${c.spec.role}-${pick(r, ['v2', 'blue'])}`;
    return `${c.metadata.name}: role changed`;
  },
  'metadataOptions changed': (o, r) => {
    const c = anyClass(o, r);
    c.spec.metadataOptions = { ...c.spec.metadataOptions, httpPutResponseHopLimit: pick(r, [2, 3]) };
    return `${c.metadata.name}: hop limit -> ${c.spec.metadataOptions.httpPutResponseHopLimit}`;
  },
  'volume grown': (o, r) => {
    const c = anyClass(o, r);
    const ebs = c.spec.blockDeviceMappings.at(-1).ebs;
    ebs.volumeSize = pick(r, ['200Gi', '80Gi', '1Ti']);
    return `${c.metadata.name}: volume -> ${ebs.volumeSize}`;
  },
  'volume respelled': (o, r, b) => {
    // The CRD admits whole Gi, G, Ti or T: 1024Gi and 1Ti are the one spelling pair of the same size.
    const name = anyClass(o, r).metadata.name;
    const [before, after] = [classes(b).find((c) => c.metadata.name === name), classes(o).find((c) => c.metadata.name === name)];
    before.spec.blockDeviceMappings.at(-1).ebs.volumeSize = '1024Gi';
    after.spec.blockDeviceMappings.at(-1).ebs.volumeSize = '1Ti';
    return `${name}: volume 1024Gi respelled 1Ti`;
  },
  'volume in decimal units': (o, r) => {
    const c = anyClass(o, r);
    const ebs = c.spec.blockDeviceMappings.at(-1).ebs;
    ebs.volumeSize = `${Number(/^(\d+)Gi$/.exec(ebs.volumeSize)?.[1] ?? 50) + 4}G`;
    return `${c.metadata.name}: volume -> ${ebs.volumeSize}`;
  },
  'volume iops changed': (o, r) => {
    const c = anyClass(o, r);
    c.spec.blockDeviceMappings.at(-1).ebs.iops = pick(r, [4000, 6000]);
    return `${c.metadata.name}: iops changed`;
  },
  'block devices reordered': (o) => {
    const c = classes(o).find((x) => x.spec.blockDeviceMappings.length > 1);
    c.spec.blockDeviceMappings = [...c.spec.blockDeviceMappings].reverse();
    return `${c.metadata.name}: block device mappings reordered`;
  },
  'kubelet maxPods set': (o, r) => {
    const c = anyClass(o, r);
    c.spec.kubelet = { ...(c.spec.kubelet ?? {}), maxPods: pick(r, [58, 110]) };
    return `${c.metadata.name}: kubelet maxPods ${c.spec.kubelet.maxPods}`;
  },
  'kubelet eviction changed': (o) => {
    const c = classes(o).find((x) => x.spec.kubelet);
    c.spec.kubelet.evictionSoftGracePeriod = { ...c.spec.kubelet.evictionSoftGracePeriod, 'memory.available': '90s' };
    return `${c.metadata.name}: evictionSoftGracePeriod 1m30s respelled 90s`;
  },
  'kubelet reserve changed': (o, r) => {
    const c = classes(o).find((x) => x.spec.kubelet);
    c.spec.kubelet.kubeReserved = { ...c.spec.kubelet.kubeReserved, memory: pick(r, ['300Mi', '1Gi']) };
    return `${c.metadata.name}: kubeReserved memory changed`;
  },
  'detailedMonitoring explicit false': (o, r) => {
    const c = anyClass(o, r);
    c.spec.detailedMonitoring = false;
    return `${c.metadata.name}: detailedMonitoring: false written out`;
  },
  'detailedMonitoring on': (o, r) => {
    const c = anyClass(o, r);
    c.spec.detailedMonitoring = true;
    return `${c.metadata.name}: detailedMonitoring on`;
  },
  'associatePublicIPAddress false': (o, r) => {
    const c = anyClass(o, r);
    c.spec.associatePublicIPAddress = false;
    return `${c.metadata.name}: associatePublicIPAddress: false written out`;
  },
  'class annotation added': (o, r) => {
    const c = anyClass(o, r);
    c.metadata.annotations = { ...c.metadata.annotations, 'kubernetes.io/description': 'changed' };
    return `${c.metadata.name}: the EC2NodeClass's own annotation changed`;
  },
};

/** The corpus: DRIFT_CORPUS_SIZE cases from the base and DRIFT_CORPUS_SEED, every mutation kind in turn. */
export function driftCorpus(): DriftCase[] {
  const base = driftBase();
  const rng = random(DRIFT_CORPUS_SEED);
  const kinds = Object.keys(MUTATIONS);
  const cases: DriftCase[] = [{ id: 'c000', change: 'nothing', before: base, after: base }];
  for (let i = 1; i < DRIFT_CORPUS_SIZE; i++) {
    const [previous, mutated] = [structuredClone(base), structuredClone(base)];
    const changes = [MUTATIONS[kinds[(i - 1) % kinds.length]!]!(mutated, rng, previous)];
    if (rng() < 0.2) changes.push(MUTATIONS[pick(rng, kinds)]!(mutated, rng, previous));
    const backwards = rng() < 1 / 6;
    cases.push({ id: `c${String(i).padStart(3, '0')}`, change: `${backwards ? 'undo: ' : ''}${changes.join('; ')}`, before: backwards ? mutated : previous, after: backwards ? previous : mutated });
  }
  return cases;
}

/** The corpus as the oracle reads it (`karpenter drift -`). */
export function oracleInput(cases: readonly DriftCase[]): string {
  return JSON.stringify({ region: REGION, zones: ZONES, cases: cases.map(({ id, before, after }) => ({ id, before, after })) });
}
