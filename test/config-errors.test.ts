import { describe, expect, it } from 'vitest';
import { dev } from '../config/environments/dev';
import { prod } from '../config/environments/prod';
import { PoolOverride } from '../config/types';
import type { EnvironmentConfig } from '../config/environment-config';
import { synth as synthEnvironment } from './helpers';

function withPool(env: EnvironmentConfig, name: string, override: PoolOverride | Record<string, unknown>): EnvironmentConfig {
  return { ...env, pools: { ...env.pools, [name]: { ...(env.pools as any)?.[name], ...override } } };
}

describe('bad config fails synth with the pool, field, value and what is allowed', () => {
  it('rejects an unknown capacity type', () => {
    expect(() => synthEnvironment(withPool(prod, 'gpu-spot', { capacityTypes: ['spots' as any] }))).toThrow(
      `NodePool "gpu-spot": 'capacityTypes' ("spots") must be one of [spot, on-demand, reserved]`,
    );
  });

  it('rejects a duration in days', () => {
    expect(() => synthEnvironment(withPool(prod, 'llm-arm-ondemand', { expireAfter: '30d' }))).toThrow(
      `NodePool "llm-arm-ondemand": 'expireAfter' ("30d") must be a duration in whole s, m or h units (e.g. "720h" for 30 days; there is no "d") or "Never"`,
    );
  });

  it('rejects a terminationGracePeriod of Never', () => {
    expect(() => synthEnvironment(withPool(dev, 'kafka-arm-ondemand', { terminationGracePeriod: 'Never' }))).toThrow(
      `NodePool "kafka-arm-ondemand": 'terminationGracePeriod' ("Never") must be a duration in whole s, m or h units`,
    );
  });

  it.each([0, 101, 2.5])('rejects a weight of %s', (weight) => {
    expect(() => synthEnvironment(withPool(prod, 'gpu-premium', { weight }))).toThrow(
      `NodePool "gpu-premium": 'weight' (${weight}) must be an integer from 1 to 100 (leave it out for no weight)`,
    );
  });

  it('rejects a Kubernetes version the validator does not hold the output to, and one that is not a minor', () => {
    expect(() => synthEnvironment({ ...prod, kubernetesVersion: '1.34' })).toThrow(
      `environment "prod" (config/environments/prod.ts): 'kubernetesVersion' ("1.34") must be 1.35, the release the validator and npm run verify hold the output to`,
    );
    expect(() => synthEnvironment({ ...dev, kubernetesVersion: '1.35.4' })).toThrow(`'kubernetesVersion' ("1.35.4") must be a Kubernetes minor version like "1.35" (no patch: EKS picks it)`);
  });

  it('rejects a missing subnet selector', () => {
    expect(() => synthEnvironment({ ...dev, subnets: undefined as any })).toThrow(
      `environment "dev" (config/environments/dev.ts): 'subnets' (undefined) must be discovery tags`,
    );
  });

  it('rejects an empty subnet ID list and malformed IDs', () => {
    expect(() => synthEnvironment({ ...prod, subnets: { ids: [] } })).toThrow(`environment "prod" (config/environments/prod.ts): 'subnets.ids' ([]) must name at least one ID`);
    expect(() => synthEnvironment({ ...prod, subnets: { ids: ['sn-123'] } })).toThrow(`environment "prod" (config/environments/prod.ts): 'subnets.ids' ("sn-123") must be an EC2 ID: "subnet-" and 8 or 17 hexadecimal digits`);
  });

  it('refuses @latest AMIs in prod and allows them in dev', () => {
    expect(() => synthEnvironment({ ...prod, amiVersions: { al2023: 'latest' } })).toThrow(
      `environment "prod" (config/environments/prod.ts): 'amiVersions.al2023' ("latest") must be pinned in production (e.g. "v20260714")`,
    );
    expect(() => synthEnvironment({ ...dev, amiVersions: { bottlerocket: 'latest' } })).not.toThrow();
  });

  it('rejects a malformed AMI version', () => {
    expect(() => synthEnvironment({ ...dev, amiVersions: { bottlerocket: '1.43' } })).toThrow(
      `environment "dev" (config/environments/dev.ts): 'amiVersions.bottlerocket' ("1.43") must be a release tag like "v1.64.0"`,
    );
  });

  it('rejects the v1beta1 consolidation policy name', () => {
    expect(() => synthEnvironment(withPool(dev, 'default', { consolidationPolicy: 'WhenUnderutilized' as any }))).toThrow(
      `NodePool "default": 'consolidationPolicy' ("WhenUnderutilized") must be one of [WhenEmpty, WhenEmptyOrUnderutilized]`,
    );
  });

  it('rejects an instance type with no catalog entry, and one of the wrong architecture', () => {
    expect(() => synthEnvironment(withPool(dev, 'default', { instanceTypes: ['t3.mediun'] }))).toThrow(
      `environment "dev" (config/environments/dev.ts): NodePool "default": 'instanceTypes' ("t3.mediun") must be an instance type Karpenter knows (did you mean "t3.medium"`,
    );
    expect(() => synthEnvironment(withPool(dev, 'default', { instanceTypes: ['t4g.medium'] }))).toThrow(
      `NodePool "default": 'instanceTypes' ("t4g.medium") must match the pool's architectures [amd64] (it is arm64)`,
    );
  });

  it('rejects a zone outside the cluster', () => {
    expect(() => synthEnvironment(withPool(dev, 'gpu-spot', { zones: ['us-east-1a'] }))).toThrow(
      `NodePool "gpu-spot": 'zones' ("us-east-1a") must be one of the cluster's zones`,
    );
  });

  it('rejects a GPU pool without a GPU limit', () => {
    expect(() => synthEnvironment(withPool(dev, 'gpu-spot', { limits: { cpu: '10', memory: '40Gi' } }))).toThrow(
      `NodePool "gpu-spot": 'limits['nvidia.com/gpu']' (undefined) must be set on a pool of GPU instance types`,
    );
  });

  it('rejects a budget schedule without a duration, and a budget in seconds', () => {
    expect(() => synthEnvironment(withPool(dev, 'default', { budgets: [{ nodes: '0', schedule: '@daily' }] }))).toThrow(
      `NodePool "default": 'budgets[0]' ({"nodes":"0","schedule":"@daily"}) must set 'schedule' and 'duration' together`,
    );
    expect(() => synthEnvironment(withPool(dev, 'default', { budgets: [{ nodes: '0', schedule: '@daily', duration: '30s' }] }))).toThrow(
      `NodePool "default": 'budgets[0].duration' ("30s") must be in minutes or hours`,
    );
  });

  it('rejects a pool name that does not exist', () => {
    expect(() => synthEnvironment(withPool(dev, 'gpu', { enabled: false }))).toThrow(`environment "dev" (config/environments/dev.ts): 'pools.gpu' ("gpu") must name a pool of config/pools.ts (did you mean "gpu-spot"?)`);
  });

  it('rejects an HPA minimum of 0 and a maximum below the minimum', () => {
    expect(() => synthEnvironment({ ...dev, workloads: { ...dev.workloads, llm: { components: { server: { minReplicas: 0 } } } } })).toThrow(
      `workload "llm-server": 'replicas' (0) must be an integer >= 1`,
    );
    expect(() => synthEnvironment({ ...dev, workloads: { ...dev.workloads, llm: { components: { server: { minReplicas: 3, maxReplicas: 2 } } } } })).toThrow(
      `environment "dev" (config/environments/dev.ts): 'workloads.llm.components.server.maxReplicas' (2) must be >= 'minReplicas' (3)`,
    );
  });
});
