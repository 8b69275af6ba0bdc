import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { NamespaceName } from '../config/namespaces';
import { EnvironmentConfig, PoolName, WorkloadName, WorkloadOverride } from '../config/types';
import { ResolvedPool } from './pools';

/** What every workload chart receives. */
export interface WorkloadChartProps {
  readonly env: EnvironmentConfig;
  /** The environment's enabled pools, by name. */
  readonly pools: ReadonlyMap<PoolName, ResolvedPool>;
}

/** The enabled pools among `names`; empty when every one of them is turned off. */
export function enabledPools(props: WorkloadChartProps, ...names: PoolName[]): ResolvedPool[] {
  return names.map((name) => props.pools.get(name)).filter((pool): pool is ResolvedPool => pool !== undefined);
}

/** A workload's replica counts: the environment's override, else the workload's defaults. */
export function sizing(props: WorkloadChartProps, name: WorkloadName, defaults: Required<WorkloadOverride>): Required<WorkloadOverride> {
  const override = props.env.workloads?.[name];
  return { minReplicas: override?.minReplicas ?? defaults.minReplicas, maxReplicas: override?.maxReplicas ?? defaults.maxReplicas };
}

/**
 * A chart for one namespace's workloads. Namespaces themselves are cluster-scoped and live in
 * the platform chart: cdk8s would stamp this chart's namespace onto them.
 */
export class NamespacedChart extends Chart {
  constructor(scope: Construct, id: string, namespace: NamespaceName) {
    super(scope, id, { namespace, disableResourceNameHashes: true });
  }
}
