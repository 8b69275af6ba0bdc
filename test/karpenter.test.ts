import { describe, expect, it } from 'vitest';
import { POOLS } from '../config/pools';
import { PoolName } from '../config/types';
import { CLUSTER_SCOPED_KINDS } from '../lib/synth/layout';
import { at, EXAMPLES, ofKind } from './helpers';
import { dev } from '../config/environments/dev';
import { prod } from '../config/environments/prod';

describe.each(EXAMPLES)('Karpenter layer of $name', (env) => {
  const pools = ofKind(env, 'NodePool');
  const classes = ofKind(env, 'EC2NodeClass');

  it('emits every pool that the environment does not turn off', () => {
    const expected = (Object.keys(POOLS) as PoolName[]).filter((name) => env.pools?.[name]?.enabled !== false);
    expect(pools.map((p) => p.metadata.name).sort()).toEqual([...expected].sort());
  });

  it('points every nodeClassRef at an EC2NodeClass of the same environment, with group and kind', () => {
    const names = new Set(classes.map((c) => c.metadata.name));
    for (const pool of pools) {
      const ref = at(pool, 'spec.template.spec.nodeClassRef');
      expect(ref.group).toBe('karpenter.k8s.aws');
      expect(ref.kind).toBe('EC2NodeClass');
      expect(names.has(ref.name), `NodePool ${pool.metadata.name} -> ${ref.name}`).toBe(true);
    }
  });

  it('sets limits, expireAfter, consolidateAfter and budgets on every pool', () => {
    for (const pool of pools) {
      expect(Object.keys(at(pool, 'spec.limits') ?? {})).toEqual(expect.arrayContaining(['cpu', 'memory']));
      expect(at(pool, 'spec.template.spec.expireAfter')).toMatch(/^([0-9]+[smh])+$|^Never$/);
      expect(at(pool, 'spec.disruption.consolidateAfter')).toBeDefined();
      expect(at(pool, 'spec.disruption.budgets').length).toBeGreaterThan(0);
    }
  });

  it('renders every limit and budget as a string, never a number', () => {
    for (const pool of pools) {
      for (const value of Object.values(at(pool, 'spec.limits'))) expect(typeof value).toBe('string');
      for (const budget of at(pool, 'spec.disruption.budgets')) expect(typeof budget.nodes).toBe('string');
    }
  });

  it('never puts a namespace on a cluster-scoped object', () => {
    for (const kind of CLUSTER_SCOPED_KINDS) {
      for (const object of ofKind(env, kind)) expect(object.metadata.namespace, `${kind} ${object.metadata.name}`).toBeUndefined();
    }
  });

  it('requires IMDSv2 with hop limit 1 and encrypts every volume of every node class', () => {
    for (const nodeClass of classes) {
      expect(at(nodeClass, 'spec.metadataOptions')).toMatchObject({ httpTokens: 'required', httpPutResponseHopLimit: 1 });
      for (const mapping of at(nodeClass, 'spec.blockDeviceMappings')) expect(mapping.ebs).toMatchObject({ encrypted: true, volumeType: 'gp3' });
      expect(at(nodeClass, 'spec.role')).toBe(env.nodeRole);
      expect(at(nodeClass, 'spec.instanceProfile')).toBeUndefined();
    }
  });

  it('pins every AMI alias to a version', () => {
    for (const nodeClass of classes) {
      const [term, ...rest] = at(nodeClass, 'spec.amiSelectorTerms');
      expect(rest).toEqual([]);
      expect(term.alias).toMatch(/^(al2023@v[0-9]{8}|bottlerocket@v[0-9]+\.[0-9]+\.[0-9]+)$/);
    }
  });

  it('labels nodes only outside the domains Karpenter and Kubernetes reserve', () => {
    for (const pool of pools) {
      for (const key of Object.keys(at(pool, 'spec.template.metadata.labels'))) {
        expect(key).not.toMatch(/(^|\.)(karpenter\.sh|karpenter\.k8s\.aws|kubernetes\.io|k8s\.io)\//);
      }
    }
  });
});

describe('dev and prod', () => {
  const pool = (env: typeof dev, name: string) => ofKind(env, 'NodePool').find((p) => p.metadata.name === name)!;
  const requirement = (p: any, key: string) => at(p, 'spec.template.spec.requirements').find((r: any) => r.key === key)?.values;

  it('run the general pool spot-only in dev and spot with on-demand fallback in prod (seed 002)', () => {
    expect(requirement(pool(dev, 'default'), 'karpenter.sh/capacity-type')).toEqual(['spot']);
    expect(requirement(pool(dev, 'default'), 'node.kubernetes.io/instance-type')).toEqual(['t3.medium']);
    expect(at(pool(dev, 'default'), 'spec.limits.nodes')).toBe('10');
    expect(requirement(pool(prod, 'default'), 'karpenter.sh/capacity-type')).toEqual(['spot', 'on-demand']);
    expect(requirement(pool(prod, 'default'), 'node.kubernetes.io/instance-type')).toEqual(['t3.medium', 't3.large', 't3.xlarge', 't3a.medium', 't3a.large', 't3a.xlarge']);
    expect(at(pool(prod, 'default'), 'spec.limits.nodes')).toBe('20');
  });

  it('differ in a pool only where config/environments overrides it', () => {
    const prodPools = new Map(ofKind(prod, 'NodePool').map((p) => [p.metadata.name, p]));
    for (const devPool of ofKind(dev, 'NodePool')) {
      const name = devPool.metadata.name as PoolName;
      if (dev.pools?.[name] || prod.pools?.[name]) continue;
      // Only the zone list could differ, and both clusters use the same three zones.
      expect(devPool.spec, name).toEqual(prodPools.get(name)!.spec);
    }
  });

  it('differ in node classes only in cluster-specific fields', () => {
    const strip = (c: any) => {
      const { role, subnetSelectorTerms, securityGroupSelectorTerms, tags, ...rest } = c.spec;
      return JSON.parse(JSON.stringify(rest, (key, value) => (key === 'kmsKeyID' ? undefined : value)));
    };
    const prodClasses = new Map(ofKind(prod, 'EC2NodeClass').map((c) => [c.metadata.name, c]));
    for (const devClass of ofKind(dev, 'EC2NodeClass')) expect(strip(devClass)).toEqual(strip(prodClasses.get(devClass.metadata.name)));
  });

  it('selects prod subnets by ID (seed 000) and dev subnets by discovery tag', () => {
    const terms = (env: typeof dev) => at(ofKind(env, 'EC2NodeClass')[0], 'spec.subnetSelectorTerms');
    expect(terms(prod)).toEqual([{ id: 'subnet-0457482d8fd4633d2' }, { id: 'subnet-0f8d75c0597802e40' }, { id: 'subnet-0a20dabe898695929' }]);
    expect(terms(dev)).toEqual([{ tags: { 'karpenter.sh/discovery': 'hihypipe-eks-dev' } }]);
  });
});
