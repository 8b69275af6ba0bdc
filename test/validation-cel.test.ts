import { describe, expect, it } from 'vitest';
import { CUSTOM_KINDS, schemaOf } from '../packages/karpenter-validate/src/validation/crd';
import { isTransitionRule } from '../packages/karpenter-validate/src/validation/crd-schema';
import { changed, findings, pick, validSet } from './validation-helpers';

/**
 * Every create-time x-kubernetes-validations rule of the v1.14.1 CRDs, broken once on the
 * valid fixture: the validator must report the CRD's own message at the rule's field.
 */
interface CelCase {
  readonly kind: 'NodePool' | 'EC2NodeClass';
  /** The schema path of the rule (`[]` for list items), as listed by `rulesOf` below. */
  readonly at: string;
  readonly message: string;
  /** Breaks the rule on the fixture's spec. */
  readonly breakIt: (spec: any) => void;
}

const labels = (s: any) => s.template.metadata.labels;
const req = (s: any, r: object) => s.template.spec.requirements.push(r);

const CASES: readonly CelCase[] = [
  { kind: 'NodePool', at: 'spec', message: "only 'limits.nodes' is supported on static NodePools", breakIt: (s) => (s.replicas = 2) },
  { kind: 'NodePool', at: 'spec', message: "'weight' is not supported on static NodePools", breakIt: (s) => Object.assign(s, { replicas: 2, limits: { nodes: '2' }, weight: 10 }) },
  { kind: 'NodePool', at: 'spec.disruption.budgets', message: "'schedule' must be set with 'duration'", breakIt: (s) => (s.disruption.budgets = [{ nodes: '1', schedule: '@daily' }]) },
  { kind: 'NodePool', at: 'spec.template.metadata.labels', message: 'label domain "karpenter.sh" is restricted', breakIt: (s) => (labels(s)['karpenter.sh/team'] = 'a') },
  { kind: 'NodePool', at: 'spec.template.metadata.labels', message: 'label "karpenter.sh/nodepool" is restricted', breakIt: (s) => (labels(s)['karpenter.sh/nodepool'] = 'a') },
  { kind: 'NodePool', at: 'spec.template.metadata.labels', message: 'label "kubernetes.io/hostname" is restricted', breakIt: (s) => (labels(s)['kubernetes.io/hostname'] = 'a') },
  { kind: 'NodePool', at: 'spec.template.metadata.labels', message: 'label domain "karpenter.k8s.aws" is restricted', breakIt: (s) => (labels(s)['karpenter.k8s.aws/team'] = 'a') },
  { kind: 'NodePool', at: 'spec.template.spec.nodeClassRef.group', message: 'group may not be empty', breakIt: (s) => (s.template.spec.nodeClassRef.group = '') },
  { kind: 'NodePool', at: 'spec.template.spec.nodeClassRef.kind', message: 'kind may not be empty', breakIt: (s) => (s.template.spec.nodeClassRef.kind = '') },
  { kind: 'NodePool', at: 'spec.template.spec.nodeClassRef.name', message: 'name may not be empty', breakIt: (s) => (s.template.spec.nodeClassRef.name = '') },
  { kind: 'NodePool', at: 'spec.template.spec.requirements', message: "requirements with operator 'In' must have a value defined", breakIt: (s) => req(s, { key: 'team', operator: 'In', values: [] }) },
  { kind: 'NodePool', at: 'spec.template.spec.requirements', message: "requirements operator 'Gt', 'Lt', 'Gte', or 'Lte' must have a single positive integer value", breakIt: (s) => req(s, { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gt', values: ['-1'] }) },
  { kind: 'NodePool', at: 'spec.template.spec.requirements', message: "requirements with 'minValues' must have at least that many values specified in the 'values' field", breakIt: (s) => req(s, { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['m7g', 'c7g'], minValues: 3 }) },
  { kind: 'NodePool', at: 'spec.template.spec.requirements[].key', message: 'label domain "karpenter.sh" is restricted', breakIt: (s) => req(s, { key: 'karpenter.sh/team', operator: 'Exists' }) },
  { kind: 'NodePool', at: 'spec.template.spec.requirements[].key', message: 'label "karpenter.sh/nodepool" is restricted', breakIt: (s) => req(s, { key: 'karpenter.sh/nodepool', operator: 'Exists' }) },
  { kind: 'NodePool', at: 'spec.template.spec.requirements[].key', message: 'label "kubernetes.io/hostname" is restricted', breakIt: (s) => req(s, { key: 'kubernetes.io/hostname', operator: 'Exists' }) },
  { kind: 'NodePool', at: 'spec.template.spec.requirements[].key', message: 'label domain "karpenter.k8s.aws" is restricted', breakIt: (s) => req(s, { key: 'karpenter.k8s.aws/team', operator: 'Exists' }) },
  { kind: 'EC2NodeClass', at: 'spec', message: "must specify exactly one of ['role', 'instanceProfile']", breakIt: (s) => (s.instanceProfile = 'demo') },
  { kind: 'EC2NodeClass', at: 'spec', message: "if set, amiFamily must be 'AL2' or 'Custom' when using an AL2 alias", breakIt: (s) => Object.assign(s, { amiFamily: 'AL2023', amiSelectorTerms: [{ alias: 'al2@v20250715' }] }) },
  { kind: 'EC2NodeClass', at: 'spec', message: "if set, amiFamily must be 'AL2023' or 'Custom' when using an AL2023 alias", breakIt: (s) => (s.amiFamily = 'AL2') },
  { kind: 'EC2NodeClass', at: 'spec', message: "if set, amiFamily must be 'Bottlerocket' or 'Custom' when using a Bottlerocket alias", breakIt: (s) => Object.assign(s, { amiFamily: 'AL2023', amiSelectorTerms: [{ alias: 'bottlerocket@v1.43.0' }] }) },
  { kind: 'EC2NodeClass', at: 'spec', message: "if set, amiFamily must be 'Windows2019' or 'Custom' when using a Windows2019 alias", breakIt: (s) => Object.assign(s, { amiFamily: 'AL2023', amiSelectorTerms: [{ alias: 'windows2019@latest' }] }) },
  { kind: 'EC2NodeClass', at: 'spec', message: "if set, amiFamily must be 'Windows2022' or 'Custom' when using a Windows2022 alias", breakIt: (s) => Object.assign(s, { amiFamily: 'AL2023', amiSelectorTerms: [{ alias: 'windows2022@latest' }] }) },
  { kind: 'EC2NodeClass', at: 'spec', message: "if set, amiFamily must be 'Windows2025' or 'Custom' when using a Windows2025 alias", breakIt: (s) => Object.assign(s, { amiFamily: 'AL2023', amiSelectorTerms: [{ alias: 'windows2025@latest' }] }) },
  { kind: 'EC2NodeClass', at: 'spec', message: 'must specify amiFamily if amiSelectorTerms does not contain an alias', breakIt: (s) => (s.amiSelectorTerms = [{ id: 'ami-0123456789abcdef0' }]) },
  { kind: 'EC2NodeClass', at: 'spec.amiSelectorTerms', message: "expected at least one, got none, ['tags', 'id', 'name', 'alias', 'ssmParameter']", breakIt: (s) => Object.assign(s, { amiFamily: 'AL2023', amiSelectorTerms: [{ owner: 'self' }] }) },
  { kind: 'EC2NodeClass', at: 'spec.amiSelectorTerms', message: "'id' is mutually exclusive, cannot be set with a combination of other fields in amiSelectorTerms", breakIt: (s) => Object.assign(s, { amiFamily: 'AL2023', amiSelectorTerms: [{ id: 'ami-0123456789abcdef0', name: 'my-ami' }] }) },
  { kind: 'EC2NodeClass', at: 'spec.amiSelectorTerms', message: "'alias' is mutually exclusive, cannot be set with a combination of other fields in amiSelectorTerms", breakIt: (s) => (s.amiSelectorTerms = [{ alias: 'al2023@v20250715', name: 'my-ami' }]) },
  { kind: 'EC2NodeClass', at: 'spec.amiSelectorTerms', message: "'alias' is mutually exclusive, cannot be set with a combination of other amiSelectorTerms", breakIt: (s) => s.amiSelectorTerms.push({ name: 'my-ami' }) },
  { kind: 'EC2NodeClass', at: 'spec.amiSelectorTerms[].alias', message: "'alias' is improperly formatted, must match the format 'family@version'", breakIt: (s) => (s.amiSelectorTerms = [{ alias: 'al2023' }]) },
  { kind: 'EC2NodeClass', at: 'spec.amiSelectorTerms[].alias', message: "family is not supported, must be one of the following: 'al2', 'al2023', 'bottlerocket', 'windows2019', 'windows2022', 'windows2025'", breakIt: (s) => (s.amiSelectorTerms = [{ alias: 'ubuntu@latest' }]) },
  { kind: 'EC2NodeClass', at: 'spec.amiSelectorTerms[].alias', message: "windows families may only specify version 'latest'", breakIt: (s) => (s.amiSelectorTerms = [{ alias: 'windows2022@v1' }]) },
  { kind: 'EC2NodeClass', at: 'spec.amiSelectorTerms[].tags', message: "empty tag keys or values aren't supported", breakIt: (s) => Object.assign(s, { amiFamily: 'AL2023', amiSelectorTerms: [{ tags: { team: '' } }] }) },
  { kind: 'EC2NodeClass', at: 'spec.blockDeviceMappings', message: 'must have only one blockDeviceMappings with rootVolume', breakIt: (s) => s.blockDeviceMappings.push({ deviceName: '/dev/xvdb', rootVolume: true, ebs: { volumeSize: '20Gi', encrypted: true } }) },
  { kind: 'EC2NodeClass', at: 'spec.blockDeviceMappings[].ebs', message: 'snapshotID or volumeSize must be defined', breakIt: (s) => delete s.blockDeviceMappings[0].ebs.volumeSize },
  { kind: 'EC2NodeClass', at: 'spec.blockDeviceMappings[].ebs', message: 'snapshotID must be set when volumeInitializationRate is set', breakIt: (s) => (s.blockDeviceMappings[0].ebs.volumeInitializationRate = 200) },
  { kind: 'EC2NodeClass', at: 'spec.capacityReservationSelectorTerms', message: "expected at least one, got none, ['tags', 'id', 'instanceMatchCriteria']", breakIt: (s) => (s.capacityReservationSelectorTerms = [{ ownerID: '123456789012' }]) },
  { kind: 'EC2NodeClass', at: 'spec.capacityReservationSelectorTerms', message: "'id' is mutually exclusive, cannot be set along with other fields in a capacity reservation selector term", breakIt: (s) => (s.capacityReservationSelectorTerms = [{ id: 'cr-0123', ownerID: '123456789012' }]) },
  { kind: 'EC2NodeClass', at: 'spec.capacityReservationSelectorTerms[].tags', message: "empty tag keys or values aren't supported", breakIt: (s) => (s.capacityReservationSelectorTerms = [{ tags: { team: '' } }]) },
  { kind: 'EC2NodeClass', at: 'spec.connectionTracking', message: 'at least one of tcpEstablishedTimeout, udpStreamTimeout, or udpTimeout must be set', breakIt: (s) => (s.connectionTracking = {}) },
  { kind: 'EC2NodeClass', at: 'spec.instanceProfile', message: 'instanceProfile cannot be empty', breakIt: (s) => Object.assign(s, { role: undefined, instanceProfile: '' }) },
  { kind: 'EC2NodeClass', at: 'spec.kubelet', message: 'imageGCHighThresholdPercent must be greater than imageGCLowThresholdPercent', breakIt: (s) => (s.kubelet = { imageGCHighThresholdPercent: 50, imageGCLowThresholdPercent: 60 }) },
  { kind: 'EC2NodeClass', at: 'spec.kubelet', message: 'evictionSoft OwnerKey does not have a matching evictionSoftGracePeriod', breakIt: (s) => (s.kubelet = { evictionSoft: { 'memory.available': '10%' } }) },
  { kind: 'EC2NodeClass', at: 'spec.kubelet', message: 'evictionSoftGracePeriod OwnerKey does not have a matching evictionSoft', breakIt: (s) => (s.kubelet = { evictionSoftGracePeriod: { 'memory.available': '1m' } }) },
  { kind: 'EC2NodeClass', at: 'spec.kubelet.evictionHard', message: "valid keys for evictionHard are ['memory.available','nodefs.available','nodefs.inodesFree','imagefs.available','imagefs.inodesFree','pid.available']", breakIt: (s) => (s.kubelet = { evictionHard: { 'cpu.available': '10%' } }) },
  { kind: 'EC2NodeClass', at: 'spec.kubelet.evictionSoft', message: "valid keys for evictionSoft are ['memory.available','nodefs.available','nodefs.inodesFree','imagefs.available','imagefs.inodesFree','pid.available']", breakIt: (s) => (s.kubelet = { evictionSoft: { 'cpu.available': '10%' }, evictionSoftGracePeriod: { 'cpu.available': '1m' } }) },
  { kind: 'EC2NodeClass', at: 'spec.kubelet.evictionSoftGracePeriod', message: "valid keys for evictionSoftGracePeriod are ['memory.available','nodefs.available','nodefs.inodesFree','imagefs.available','imagefs.inodesFree','pid.available']", breakIt: (s) => (s.kubelet = { evictionSoft: { 'cpu.available': '10%' }, evictionSoftGracePeriod: { 'cpu.available': '1m' } }) },
  { kind: 'EC2NodeClass', at: 'spec.kubelet.kubeReserved', message: "valid keys for kubeReserved are ['cpu','memory','ephemeral-storage','pid']", breakIt: (s) => (s.kubelet = { kubeReserved: { 'nvidia.com/gpu': '1' } }) },
  { kind: 'EC2NodeClass', at: 'spec.kubelet.kubeReserved', message: 'kubeReserved value cannot be a negative resource quantity', breakIt: (s) => (s.kubelet = { kubeReserved: { cpu: '-100m' } }) },
  { kind: 'EC2NodeClass', at: 'spec.kubelet.systemReserved', message: "valid keys for systemReserved are ['cpu','memory','ephemeral-storage','pid']", breakIt: (s) => (s.kubelet = { systemReserved: { 'nvidia.com/gpu': '1' } }) },
  { kind: 'EC2NodeClass', at: 'spec.kubelet.systemReserved', message: 'systemReserved value cannot be a negative resource quantity', breakIt: (s) => (s.kubelet = { systemReserved: { memory: '-1Gi' } }) },
  { kind: 'EC2NodeClass', at: 'spec.networkInterfaces', message: "networkInterfaces must include a primary interface with interfaceType='interface'", breakIt: (s) => (s.networkInterfaces = [{ networkCardIndex: 0, deviceIndex: 1, interfaceType: 'interface' }]) },
  { kind: 'EC2NodeClass', at: 'spec.networkInterfaces', message: 'networkInterfaces must not have duplicate networkCardIndex and deviceIndex pairs, and can have at most one efa device per network card', breakIt: (s) => (s.networkInterfaces = [{ networkCardIndex: 0, deviceIndex: 0, interfaceType: 'interface' }, { networkCardIndex: 0, deviceIndex: 0, interfaceType: 'interface' }]) },
  { kind: 'EC2NodeClass', at: 'spec.placementGroupSelector', message: "expected at least one, got none, ['name', 'id']", breakIt: (s) => (s.placementGroupSelector = {}) },
  { kind: 'EC2NodeClass', at: 'spec.placementGroupSelector', message: "'name' and 'id' are mutually exclusive", breakIt: (s) => (s.placementGroupSelector = { name: 'batch', id: 'pg-0123' }) },
  { kind: 'EC2NodeClass', at: 'spec.role', message: 'role cannot be empty', breakIt: (s) => (s.role = '') },
  { kind: 'EC2NodeClass', at: 'spec.securityGroupSelectorTerms', message: 'securityGroupSelectorTerms cannot be empty', breakIt: (s) => (s.securityGroupSelectorTerms = []) },
  { kind: 'EC2NodeClass', at: 'spec.securityGroupSelectorTerms', message: "expected at least one, got none, ['tags', 'id', 'name']", breakIt: (s) => (s.securityGroupSelectorTerms = [{}]) },
  { kind: 'EC2NodeClass', at: 'spec.securityGroupSelectorTerms', message: "'id' is mutually exclusive, cannot be set with a combination of other fields in a security group selector term", breakIt: (s) => (s.securityGroupSelectorTerms = [{ id: 'sg-0123', name: 'nodes' }]) },
  { kind: 'EC2NodeClass', at: 'spec.securityGroupSelectorTerms', message: "'name' is mutually exclusive, cannot be set with a combination of other fields in a security group selector term", breakIt: (s) => (s.securityGroupSelectorTerms = [{ name: 'nodes', tags: { team: 'web' } }]) },
  { kind: 'EC2NodeClass', at: 'spec.securityGroupSelectorTerms[].tags', message: "empty tag keys or values aren't supported", breakIt: (s) => (s.securityGroupSelectorTerms = [{ tags: { team: '' } }]) },
  { kind: 'EC2NodeClass', at: 'spec.subnetSelectorTerms', message: 'subnetSelectorTerms cannot be empty', breakIt: (s) => (s.subnetSelectorTerms = []) },
  { kind: 'EC2NodeClass', at: 'spec.subnetSelectorTerms', message: "expected at least one, got none, ['tags', 'id']", breakIt: (s) => (s.subnetSelectorTerms = [{}]) },
  { kind: 'EC2NodeClass', at: 'spec.subnetSelectorTerms', message: "'id' is mutually exclusive, cannot be set with a combination of other fields in a subnet selector term", breakIt: (s) => (s.subnetSelectorTerms = [{ id: 'subnet-0123', tags: { team: 'web' } }]) },
  { kind: 'EC2NodeClass', at: 'spec.subnetSelectorTerms[].tags', message: "empty tag keys or values aren't supported", breakIt: (s) => (s.subnetSelectorTerms = [{ tags: { team: '' } }]) },
  { kind: 'EC2NodeClass', at: 'spec.tags', message: "empty tag keys aren't supported", breakIt: (s) => (s.tags = { '': 'x' }) },
  { kind: 'EC2NodeClass', at: 'spec.tags', message: 'tag contains a restricted tag matching eks:eks-cluster-name', breakIt: (s) => (s.tags = { 'eks:eks-cluster-name': 'demo' }) },
  { kind: 'EC2NodeClass', at: 'spec.tags', message: 'tag contains a restricted tag matching kubernetes.io/cluster/', breakIt: (s) => (s.tags = { 'kubernetes.io/cluster/demo': 'owned' }) },
  { kind: 'EC2NodeClass', at: 'spec.tags', message: 'tag contains a restricted tag matching karpenter.sh/nodepool', breakIt: (s) => (s.tags = { 'karpenter.sh/nodepool': 'general' }) },
  { kind: 'EC2NodeClass', at: 'spec.tags', message: 'tag contains a restricted tag matching karpenter.sh/nodeclaim', breakIt: (s) => (s.tags = { 'karpenter.sh/nodeclaim': 'general-abc' }) },
  { kind: 'EC2NodeClass', at: 'spec.tags', message: 'tag contains a restricted tag matching karpenter.k8s.aws/ec2nodeclass', breakIt: (s) => (s.tags = { 'karpenter.k8s.aws/ec2nodeclass': 'default' }) },
];

/** Every create-time rule of the generated schemas, as `kind schema-path: message`. */
function rulesOf(): string[] {
  const found: string[] = [];
  for (const kind of [...CUSTOM_KINDS.values()].filter((k) => k.apiVersion.startsWith('karpenter.'))) {
    const walk = (node: any, path: string) => {
      if (path === 'status') return;
      for (const v of node['x-kubernetes-validations'] ?? []) if (!isTransitionRule(v.rule)) found.push(`${kind.kind} ${path}: ${v.message}`);
      for (const [key, child] of Object.entries(node.properties ?? {})) walk(child, path === '' ? key : `${path}.${key}`);
      if (node.items) walk(node.items, `${path}[]`);
      if (typeof node.additionalProperties === 'object') walk(node.additionalProperties, `${path}{}`);
    };
    walk(schemaOf(kind), '');
  }
  return found.sort();
}

// The concrete path of a finding, with list indices and map keys folded into the schema path's form.
const schemaPath = (path: string) => path.replace(/\[\d+\]/g, '[]').replace(/\["[^"]*"\]/g, '{}');

describe('CEL rules of the Karpenter v1.14.1 CRDs', () => {
  it('has a failing case for every create-time rule, and no case for a rule that does not exist', () => {
    expect(CASES.map((c) => `${c.kind} ${c.at}: ${c.message}`).sort()).toEqual(rulesOf());
  });

  it('skips transition rules (oldSelf) on create', () => {
    const transition = JSON.stringify([...CUSTOM_KINDS.values()].map(schemaOf)).match(/oldSelf/g) ?? [];
    expect(transition.length).toBeGreaterThan(0);
    expect(findings(validSet())).toEqual([]);
  });

  it.each(CASES.map((c) => [`${c.kind} ${c.at}: ${c.message}`, c] as const))('reports %s', (_, c) => {
    const objects = changed((set) => c.breakIt(pick(set, c.kind).spec));
    const cel = findings(objects).filter((f) => f.rule === 'cel' && f.object.kind === c.kind);
    // A rule that errors (a field it reads is absent) rejects the object too, its message then
    // follows the evaluation error: "<error> evaluating rule: <message>".
    const reported = cel.filter((f) => schemaPath(f.path) === c.at && (f.message === c.message || f.message.endsWith(` evaluating rule: ${c.message}`)));
    expect(reported, cel.map((f) => `${f.path}: ${f.message}`).join('\n')).toHaveLength(1);
  });
});
