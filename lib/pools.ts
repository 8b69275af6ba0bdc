import { POOLS } from '../config/pools';
import { Arch, CapacityType, EnvironmentConfig, PoolDefinition, PoolName, TaintEffect } from '../config/types';
import { isBudgetDuration, isKarpenterDuration } from './durations';
import { fail } from './errors';
import { INSTANCE_TYPES, InstanceType } from './instance-types';
import { checkLabelKey, checkLabelValue } from './labels';
import { isQuantity } from './quantity';

/** A pool with an environment's overrides applied and its defaults resolved. */
export interface ResolvedPool extends PoolDefinition {
  /** Zones the pool launches in (the environment's when the pool names none). */
  readonly zones: readonly string[];
  /** Catalog entries of the pool's instance types. */
  readonly instances: readonly InstanceType[];
}

const CAPACITY_TYPES: readonly CapacityType[] = ['spot', 'on-demand', 'reserved'];
/** The CPU architectures EKS nodes come in. */
export const ARCHITECTURES: readonly Arch[] = ['amd64', 'arm64'];
const TAINT_EFFECTS: readonly TaintEffect[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const CONSOLIDATION_POLICIES = ['WhenEmpty', 'WhenEmptyOrUnderutilized'];
const BUDGET_REASONS = ['Empty', 'Drifted', 'Underutilized'];
// Disruption budget `nodes`: a count or a percentage (CRD pattern).
const BUDGET_NODES = /^((100|[0-9]{1,2})%|[0-9]+)$/;

/**
 * The pools of an environment: every pool of `config/pools.ts` not turned off, with the
 * environment's overrides applied, checked. Throws a `ConfigError` on the first mistake.
 */
export function resolvePools(env: EnvironmentConfig): ResolvedPool[] {
  const unknown = Object.keys(env.pools ?? {}).filter((name) => !(name in POOLS));
  if (unknown.length > 0) {
    fail(`environment "${env.name}"`, 'pools', unknown[0], `name a pool of config/pools.ts: [${Object.keys(POOLS).join(', ')}]`);
  }
  const pools: ResolvedPool[] = [];
  for (const base of Object.values(POOLS)) {
    const { enabled, ...override } = env.pools?.[base.name as PoolName] ?? {};
    if (enabled === false) continue;
    const merged: PoolDefinition = { ...base, ...override };
    pools.push(checkPool(merged, env));
  }
  return pools;
}

/** Checks one pool against what the NodePool CRD and Karpenter accept; returns it resolved. */
export function checkPool(pool: PoolDefinition, env: EnvironmentConfig): ResolvedPool {
  const subject = `NodePool "${pool.name}"`;
  if (pool.capacityTypes.length === 0) fail(subject, 'capacityTypes', pool.capacityTypes, 'name at least one capacity type');
  for (const type of pool.capacityTypes) {
    if (!CAPACITY_TYPES.includes(type)) fail(subject, 'capacityTypes', type, `be one of [${CAPACITY_TYPES.join(', ')}]`);
  }
  if (pool.architectures.length === 0) fail(subject, 'architectures', pool.architectures, 'name at least one architecture');
  for (const arch of pool.architectures) {
    if (!ARCHITECTURES.includes(arch)) fail(subject, 'architectures', arch, `be one of [${ARCHITECTURES.join(', ')}]`);
  }
  if (pool.instanceTypes.length === 0) fail(subject, 'instanceTypes', pool.instanceTypes, 'name at least one instance type');
  const instances = pool.instanceTypes.map((name) => {
    const type = INSTANCE_TYPES.get(name);
    if (!type) fail(subject, 'instanceTypes', name, `be a type of lib/instance-types.ts: [${[...INSTANCE_TYPES.keys()].join(', ')}] (add its facts there to use it)`);
    if (!pool.architectures.includes(type.arch)) {
      fail(subject, 'instanceTypes', name, `match the pool's architectures [${pool.architectures.join(', ')}] (it is ${type.arch})`);
    }
    return type;
  });

  const zones = pool.zones ?? env.cluster.zones;
  if (zones.length === 0) fail(subject, 'zones', zones, 'name at least one zone');
  for (const zone of zones) {
    if (!env.cluster.zones.includes(zone)) fail(subject, 'zones', zone, `be one of the cluster's zones [${env.cluster.zones.join(', ')}]`);
  }

  if (!CONSOLIDATION_POLICIES.includes(pool.consolidationPolicy)) {
    fail(subject, 'consolidationPolicy', pool.consolidationPolicy, `be one of [${CONSOLIDATION_POLICIES.join(', ')}] (WhenUnderutilized is the v1beta1 name of WhenEmptyOrUnderutilized)`);
  }
  for (const field of ['consolidateAfter', 'expireAfter'] as const) {
    if (!isKarpenterDuration(pool[field], true)) {
      fail(subject, field, pool[field], 'be a duration in whole s, m or h units (e.g. "720h" for 30 days; there is no "d") or "Never"');
    }
  }
  if (pool.terminationGracePeriod !== undefined && !isKarpenterDuration(pool.terminationGracePeriod, false)) {
    fail(subject, 'terminationGracePeriod', pool.terminationGracePeriod, 'be a duration in whole s, m or h units (e.g. "1h")');
  }

  if (pool.budgets.length === 0) fail(subject, 'budgets', pool.budgets, 'hold at least one budget (Karpenter would default to 10%)');
  pool.budgets.forEach((budget, i) => {
    const field = `budgets[${i}]`;
    if (!BUDGET_NODES.test(budget.nodes)) fail(subject, `${field}.nodes`, budget.nodes, 'be a count ("1") or a percentage up to 100 ("10%")');
    if ((budget.schedule === undefined) !== (budget.duration === undefined)) {
      fail(subject, field, budget, "set 'schedule' and 'duration' together");
    }
    if (budget.duration !== undefined && !isBudgetDuration(budget.duration)) {
      fail(subject, `${field}.duration`, budget.duration, 'be in minutes or hours ("30m", "8h", "1h30m")');
    }
    for (const reason of budget.reasons ?? []) {
      if (!BUDGET_REASONS.includes(reason)) fail(subject, `${field}.reasons`, reason, `be one of [${BUDGET_REASONS.join(', ')}]`);
    }
  });

  for (const [resource, value] of Object.entries(pool.limits)) {
    if (value !== undefined && !isQuantity(value)) fail(subject, `limits.${resource}`, value, 'be a Kubernetes quantity ("40", "160Gi")');
  }
  const offersGpus = instances.some((type) => type.gpus > 0);
  if (offersGpus && pool.limits['nvidia.com/gpu'] === undefined) {
    fail(subject, "limits['nvidia.com/gpu']", undefined, 'be set on a pool of GPU instance types (there is no cluster-wide limit)');
  }
  if (!offersGpus && pool.limits['nvidia.com/gpu'] !== undefined) {
    fail(subject, "limits['nvidia.com/gpu']", pool.limits['nvidia.com/gpu'], 'be left out: no instance type of the pool has a GPU');
  }

  if (pool.weight !== undefined && !(Number.isInteger(pool.weight) && pool.weight >= 1 && pool.weight <= 100)) {
    fail(subject, 'weight', pool.weight, 'be an integer from 1 to 100 (leave it out for no weight)');
  }

  for (const [key, value] of Object.entries(pool.labels)) {
    checkLabelKey(subject, `labels.${key}`, key, true);
    checkLabelValue(subject, `labels.${key}`, value);
  }
  pool.taints.forEach((taint, i) => {
    checkLabelKey(subject, `taints[${i}].key`, taint.key, false);
    if (taint.value !== undefined) checkLabelValue(subject, `taints[${i}].value`, taint.value);
    if (!TAINT_EFFECTS.includes(taint.effect)) fail(subject, `taints[${i}].effect`, taint.effect, `be one of [${TAINT_EFFECTS.join(', ')}]`);
  });
  return { ...pool, zones, instances };
}
