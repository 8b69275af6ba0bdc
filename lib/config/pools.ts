import { NODE_CLASSES } from '../../config/node-classes';
import { POOLS } from '../../config/pools';
import { Arch, CapacityType, PoolDefinition, PoolName, TaintEffect } from '../../config/types';
import type { EnvironmentConfig } from '../../config/environment-config';
import { candidateTypes, closestTypes, InstanceType, instanceType } from 'karpenter-validate/model';
import { checkShape } from './config-shape';
import { isBudgetDuration, isKarpenterDuration } from 'karpenter-validate/model';
import { editDistance } from 'karpenter-validate/model';
import { environmentSubject } from './environment';
import { fail, suggest } from './errors';
import { checkLabelKey, checkLabelValue } from './label-checks';
import { checkNodeClasses } from '../constructs/node-class';
import { POOL_SHAPE } from './pool-shape';
import { formatGiB, isQuantity, parseQuantity } from 'karpenter-validate/model';
import { allowedInstances, misspeltLabel, NodeRequirement } from 'karpenter-validate/model';
import { allocatable } from 'karpenter-validate/model';
import { cronError } from 'karpenter-validate/model';

/** A pool with an environment's overrides applied and its defaults resolved. */
export interface ResolvedPool extends PoolDefinition {
  /** Zones the pool launches in (the environment's when the pool names none). */
  readonly zones: readonly string[];
  /** Catalog entries of every instance type the pool's requirements allow. */
  readonly instances: readonly InstanceType[];
}

const CAPACITY_TYPES: readonly CapacityType[] = ['spot', 'on-demand', 'reserved'];
/** The CPU architectures EKS nodes come in. */
export const ARCHITECTURES: readonly Arch[] = ['amd64', 'arm64'];
const TAINT_EFFECTS: readonly TaintEffect[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const CONSOLIDATION_POLICIES = ['WhenEmpty', 'WhenEmptyOrUnderutilized'];
const BUDGET_REASONS = ['Empty', 'Drifted', 'Underutilized'];
const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt', 'Gte', 'Lte'];
// Disruption budget `nodes`: a count or a percentage (CRD pattern).
const BUDGET_NODES = /^((100|[0-9]{1,2})%|[0-9]+)$/;
// Keys the pool's typed fields render; a requirement may not set them again.
const TYPED_KEYS: Readonly<Record<string, string>> = {
  'karpenter.sh/capacity-type': 'capacityTypes',
  'kubernetes.io/arch': 'architectures',
  'node.kubernetes.io/instance-type': 'instanceTypes',
  'topology.kubernetes.io/zone': 'zones',
};

/**
 * Checks the shared pool definitions of config/pools.ts on their own, once, so that a mistake
 * in a base pool is reported even when every environment overrides the field.
 */
export function checkBasePools(): void {
  checkNodeClasses();
  for (const [key, pool] of Object.entries(POOLS)) {
    const subject = `config/pools.ts: NodePool "${typeof pool?.name === 'string' ? pool.name : key}"`;
    checkShape(subject, '', pool, POOL_SHAPE);
    if (pool.name !== key) fail(subject, 'name', pool.name, `equal its key in POOLS ("${key}"): two pools named alike would be one NodePool`);
    if (!(pool.nodeClass in NODE_CLASSES)) fail(subject, 'nodeClass', pool.nodeClass, `name a node class of config/node-classes.ts: [${Object.keys(NODE_CLASSES).join(', ')}]`);
    checkPoolFields(pool, subject);
  }
}

/**
 * The pools of an environment: every pool of `config/pools.ts` not turned off, with the
 * environment's overrides applied, checked. Throws a `ConfigError` on the first mistake,
 * naming the environment and its file.
 */
export function resolvePools(env: EnvironmentConfig): ResolvedPool[] {
  // The build's type check catches these; synth as a library (tests, other tools) gets the same message.
  for (const name of Object.keys(env.pools ?? {})) {
    if (!(name in POOLS)) fail(environmentSubject(env), `pools.${name}`, name, `name a pool of config/pools.ts${suggest(name, Object.keys(POOLS))}`);
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

/** Checks one pool in an environment; returns it resolved. */
export function checkPool(pool: PoolDefinition, env: EnvironmentConfig): ResolvedPool {
  const subject = `${environmentSubject(env)}: NodePool "${pool.name}"`;
  // Limits the environment leaves as config/pools.ts has them are named there: the file to change.
  const limitsSubject = env.pools?.[pool.name]?.limits !== undefined ? subject : `config/pools.ts: NodePool "${pool.name}" (with the instance types environment "${env.name}" allows)`;
  const instances = checkPoolFields(pool, subject, limitsSubject);
  const zones = pool.zones ?? env.cluster.zones;
  if (zones.length === 0) fail(subject, 'zones', zones, 'name at least one zone');
  for (const zone of zones) {
    if (!env.cluster.zones.includes(zone)) fail(subject, 'zones', zone, `be one of the cluster's zones [${env.cluster.zones.join(', ')}]`);
  }
  return { ...pool, zones, instances };
}

/**
 * Why Karpenter cannot parse a disruption budget's schedule, or undefined: it parses it with
 * robfig/cron's standard parser (five fields or a descriptor), in UTC (sigs.k8s.io/karpenter
 * v1.14.1 pkg/apis/v1/nodepool.go Budget.IsActive: cron.ParseStandard("TZ=UTC " + schedule)). A
 * schedule it cannot parse passes the CRD's pattern and fails every disruption decision of the
 * pool ("invariant violated, invalid cron"). Held to Karpenter's own code by
 * test/oracle-karpenter-budget.test.ts.
 */
export function karpenterScheduleError(schedule: string): string | undefined {
  return cronError(`TZ=UTC ${schedule}`, { descriptors: true });
}

/**
 * The pool pods without a node selector land on (README, Pools): the highest-weight untainted
 * pool, by design `default`. Such pods tolerate no taint: a NoSchedule or NoExecute taint there
 * leaves them Pending (or on whatever other untainted pool remains, which is meant for others).
 */
export const UNSELECTED_POOL = 'default';

/**
 * Karpenter launches no node that would take a pool past its limits: it filters out every
 * instance type whose capacity exceeds what the limits leave (sigs.k8s.io/karpenter v1.14.1
 * pkg/controllers/provisioning/scheduling/scheduler.go filterByRemainingResources, "all
 * available instance types exceed limits for nodepool"). Limits below the smallest allowed type
 * leave the pool unable to launch a single node. Capacity is Karpenter's: memory less the VM
 * overhead (packages/karpenter-validate/src/validation/overhead.ts).
 */
function checkLimitsAllowANode(pool: PoolDefinition, instances: readonly InstanceType[], subject: string): void {
  const limit = (resource: keyof PoolDefinition['limits']) => (pool.limits[resource] !== undefined ? parseQuantity(pool.limits[resource]!) : Infinity);
  const [cpu, memory, gpus, nodes] = [limit('cpu'), limit('memory'), limit('nvidia.com/gpu'), limit('nodes')];
  if (nodes < 1) fail(subject, 'limits.nodes', pool.limits.nodes, 'be at least 1: with no node allowed the pool never launches one');
  // EC2's memory is above Karpenter's capacity: a type that fits by it fits (the common case, without the arithmetic below).
  if (instances.some((type) => type.vcpu <= cpu && type.memoryMiB * 2 ** 20 <= memory && type.gpus <= gpus)) return;
  const sized = instances.map((type) => ({ type, memory: allocatable(type).capacity.memory }));
  const smallest = (by: (t: (typeof sized)[number]) => number) => [...sized].sort((a, b) => by(a) - by(b) || a.type.name.localeCompare(b.type.name))[0]!;
  const why = 'Karpenter launches no node that would exceed the limits, so the pool could never launch one';
  if (!sized.some((t) => t.type.vcpu <= cpu)) {
    const t = smallest((x) => x.type.vcpu);
    fail(subject, 'limits.cpu', pool.limits.cpu, `allow one node of the smallest instance type the pool allows, ${t.type.name} (${t.type.vcpu} vCPU): be at least "${t.type.vcpu}". ${why}`);
  }
  if (!sized.some((t) => t.memory <= memory)) {
    const t = smallest((x) => x.memory);
    fail(subject, 'limits.memory', pool.limits.memory, `allow one node of the smallest instance type the pool allows, ${t.type.name} (${formatGiB(t.memory)} of memory as Karpenter counts it, after the VM overhead): be at least "${Math.ceil(t.memory / 2 ** 30)}Gi". ${why}`);
  }
  if (!sized.some((t) => t.type.vcpu <= cpu && t.memory <= memory && t.type.gpus <= gpus)) {
    fail(subject, 'limits', pool.limits, `allow one node of some instance type the pool allows (${sized.map((t) => `${t.type.name}: ${t.type.vcpu} vCPU, ${formatGiB(t.memory)}${t.type.gpus > 0 ? `, ${t.type.gpus} GPU` : ''}`).slice(0, 5).join('; ')}). ${why}`);
  }
}

/** The requirements a pool renders, typed fields first (the same order as the NodePool). */
export function poolRequirements(pool: PoolDefinition, zones?: readonly string[]): NodeRequirement[] {
  return [
    { key: 'karpenter.sh/capacity-type', operator: 'In', values: pool.capacityTypes },
    { key: 'kubernetes.io/arch', operator: 'In', values: pool.architectures },
    { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
    ...(pool.instanceTypes ? [{ key: 'node.kubernetes.io/instance-type', operator: 'In' as const, values: pool.instanceTypes }] : []),
    ...((zones ?? pool.zones) ? [{ key: 'topology.kubernetes.io/zone', operator: 'In' as const, values: (zones ?? pool.zones)! }] : []),
    ...(pool.requirements ?? []).map((r) => ({ key: r.key, operator: r.operator, values: r.values ?? [] })),
  ];
}

/** Checks the fields of a pool that do not depend on an environment; returns the instance types it allows. */
function checkPoolFields(pool: PoolDefinition, subject: string, limitsSubject = subject): InstanceType[] {
  if (pool.capacityTypes.length === 0) fail(subject, 'capacityTypes', pool.capacityTypes, 'name at least one capacity type');
  for (const type of pool.capacityTypes) {
    if (!CAPACITY_TYPES.includes(type)) fail(subject, 'capacityTypes', type, `be one of [${CAPACITY_TYPES.join(', ')}]`);
  }
  if (pool.architectures.length === 0) fail(subject, 'architectures', pool.architectures, 'name at least one architecture');
  for (const arch of pool.architectures) {
    if (!ARCHITECTURES.includes(arch)) fail(subject, 'architectures', arch, `be one of [${ARCHITECTURES.join(', ')}]`);
  }
  if (pool.instanceTypes !== undefined) {
    if (pool.instanceTypes.length === 0) fail(subject, 'instanceTypes', pool.instanceTypes, 'name at least one instance type, or be left out to let the requirements choose');
    for (const name of pool.instanceTypes) {
      const type = instanceType(name);
      if (!type) fail(subject, 'instanceTypes', name, `be an instance type Karpenter knows (did you mean ${closestTypes(name).map((t) => `"${t}"`).join(', ')}?)`);
      if (!pool.architectures.includes(type.arch)) {
        fail(subject, 'instanceTypes', name, `match the pool's architectures [${pool.architectures.join(', ')}] (it is ${type.arch})`);
      }
    }
  }
  (pool.requirements ?? []).forEach((r, i) => {
    const field = `requirements[${i}]`;
    if (TYPED_KEYS[r.key]) fail(subject, `${field}.key`, r.key, `be set through the pool's '${TYPED_KEYS[r.key]}' field, not a requirement`);
    checkLabelKey(subject, `${field}.key`, r.key, false);
    const meant = misspeltLabel(r.key, editDistance);
    if (meant !== undefined) {
      fail(subject, `${field}.key`, r.key, `be a label Karpenter knows (did you mean "${meant}"?): no node carries ${JSON.stringify(r.key)}, so ${r.operator === 'In' || r.operator === 'Exists' ? 'no instance type can satisfy the requirement' : 'the requirement constrains nothing'}`);
    }
    if (!OPERATORS.includes(r.operator)) fail(subject, `${field}.operator`, r.operator, `be one of [${OPERATORS.join(', ')}]`);
    const values = r.values ?? [];
    if ((r.operator === 'In' || r.operator === 'NotIn') && values.length === 0) fail(subject, `${field}.values`, values, `hold at least one value with operator ${r.operator}`);
    if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && values.length > 0) fail(subject, `${field}.values`, values, `be empty with operator ${r.operator}`);
    if (['Gt', 'Lt', 'Gte', 'Lte'].includes(r.operator) && !(values.length === 1 && /^[0-9]+$/.test(values[0]!))) fail(subject, `${field}.values`, values, `be one non-negative integer with operator ${r.operator}`);
    if (r.minValues !== undefined && !(Number.isInteger(r.minValues) && r.minValues >= 1 && r.minValues <= 50)) fail(subject, `${field}.minValues`, r.minValues, 'be an integer from 1 to 50');
  });
  const instances = allowedInstances(poolRequirements(pool), candidateTypes(poolRequirements(pool)));
  if (instances.length === 0) fail(subject, 'requirements', pool.requirements ?? pool.instanceTypes, 'allow at least one instance type of Karpenter\'s catalog: no type satisfies every requirement');
  for (const r of pool.requirements ?? []) {
    if (r.minValues !== undefined) {
      const distinct = new Set(instances.map((t) => t.labels[r.key]).filter((v) => v !== undefined));
      if (distinct.size < r.minValues) fail(subject, `requirements[${(pool.requirements ?? []).indexOf(r)}].minValues`, r.minValues, `be at most the ${distinct.size} distinct values of ${r.key} the pool's instance types offer`);
    }
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
    if (budget.schedule !== undefined) {
      const error = karpenterScheduleError(budget.schedule);
      if (error !== undefined) {
        const zone = /^(CRON_)?TZ=/.test(budget.schedule) ? ' Karpenter reads every schedule in UTC and takes no time zone: convert the times to UTC.' : '';
        fail(subject, `${field}.schedule`, budget.schedule, `be a cron schedule Karpenter can parse: five fields (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or jan-dec, day of week 0-6 or sun-sat), or @daily, @hourly, @weekly, @monthly, @yearly; robfig/cron says: ${error}.${zone}`);
      }
    }
    for (const reason of budget.reasons ?? []) {
      if (!BUDGET_REASONS.includes(reason)) fail(subject, `${field}.reasons`, reason, `be one of [${BUDGET_REASONS.join(', ')}]`);
    }
  });

  for (const [resource, value] of Object.entries(pool.limits)) {
    if (value !== undefined && !isQuantity(value)) fail(subject, `limits.${resource}`, value, 'be a Kubernetes quantity ("40", "160Gi")');
    if (value !== undefined && parseQuantity(value) < 0) fail(subject, `limits.${resource}`, value, 'not be negative');
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
    if (pool.name === UNSELECTED_POOL && taint.effect !== 'PreferNoSchedule') {
      fail(subject, `taints[${i}]`, taint, `be left out of the "${UNSELECTED_POOL}" pool: it is the pool for pods that select none, and they tolerate no taint, so they would stay Pending (or land on a pool meant for others). Taint another pool, or use effect PreferNoSchedule`);
    }
  });
  checkLimitsAllowANode(pool, instances, limitsSubject);
  return instances;
}
