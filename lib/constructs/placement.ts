import { k8s } from 'cdk8s-plus-28';
import { Taint } from '../../config/types';
import { ConfigError } from '../config/errors';
import { ResolvedPool } from '../config/pools';

/** Where a pod template may run, derived from the pools it names. */
export interface Placement {
  /** Labels every one of the pools puts on its nodes. */
  readonly nodeSelector: Record<string, string>;
  /** One toleration per taint of any of the pools, matching it exactly. */
  readonly tolerations: k8s.Toleration[];
  /** Zones at least one of the pools launches in. */
  readonly zones: readonly string[];
}

/**
 * Derives a workload's node selector and tolerations from its pools: the single source of
 * truth for placement. The selector is the labels the pools share (so the pod can land on any
 * of them and on nothing else that lacks them); the tolerations cover every taint of every pool.
 */
export function placementFor(workload: string, pools: readonly ResolvedPool[]): Placement {
  if (pools.length === 0) throw new ConfigError(`workload "${workload}": 'pools' ([]) must name at least one pool`);
  const [first, ...rest] = pools;
  const nodeSelector = Object.fromEntries(
    Object.entries(first!.labels).filter(([key, value]) => rest.every((pool) => pool.labels[key] === value)),
  );
  if (Object.keys(nodeSelector).length === 0) {
    throw new ConfigError(
      `workload "${workload}": 'pools' ([${pools.map((p) => p.name).join(', ')}]) must share at least one node label, or the pod could land on any untainted node`,
    );
  }
  const taints = new Map<string, Taint>();
  for (const taint of pools.flatMap((pool) => pool.taints)) taints.set(`${taint.key}=${taint.value ?? ''}:${taint.effect}`, taint);
  const tolerations = [...taints.values()].map(toleration);
  const zones = [...new Set(pools.flatMap((pool) => pool.zones))].sort();
  return { nodeSelector, tolerations, zones };
}

/** The toleration that matches exactly one taint. */
export function toleration(taint: Taint): k8s.Toleration {
  return taint.value === undefined
    ? { key: taint.key, operator: 'Exists', effect: taint.effect }
    : { key: taint.key, operator: 'Equal', value: taint.value, effect: taint.effect };
}
