import { boolean, list, map, number, object, Shape, string } from './config-shape';

/**
 * The runtime shapes of a pool (config/types.ts PoolDefinition) and of an environment's changes
 * to one (PoolOverride), checked before anything reads them (lib/config/config-shape.ts says why).
 */

const QUANTITY = 'a Kubernetes quantity like "40" or "160Gi", as a string';
const DURATION = 'a duration like "720h", as a string';

const POOL_FIELDS = {
  capacityTypes: list(string()),
  architectures: list(string()),
  instanceTypes: list(string()),
  zones: list(string()),
  requirements: list(object({ key: string(), operator: string(), values: list(string('requirement values are strings, even numbers: "4"')), minValues: number() }, ['key', 'operator'])),
  consolidationPolicy: string(),
  consolidateAfter: string(DURATION),
  expireAfter: string(DURATION),
  terminationGracePeriod: string(DURATION),
  budgets: list(object({ nodes: string('a count "1" or a percentage "10%", as a string'), reasons: list(string()), schedule: string(), duration: string(DURATION) }, ['nodes'])),
  limits: object({ cpu: string(QUANTITY), memory: string(QUANTITY), 'nvidia.com/gpu': string(QUANTITY), nodes: string(QUANTITY) }, ['cpu', 'memory']),
  weight: number(),
} as const;

/** A pool of config/pools.ts. */
export const POOL_SHAPE: Shape = object(
  { ...POOL_FIELDS, name: string(), description: string(), nodeClass: string(), labels: map(string()), taints: list(object({ key: string(), value: string(), effect: string() }, ['key', 'effect'])) },
  ['name', 'description', 'nodeClass', 'labels', 'taints', 'capacityTypes', 'architectures', 'consolidationPolicy', 'consolidateAfter', 'expireAfter', 'budgets', 'limits'],
);

/** An environment's changes to a pool. */
export const POOL_OVERRIDE_SHAPE: Shape = object({ ...POOL_FIELDS, enabled: boolean });
