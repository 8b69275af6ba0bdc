import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { NODE_CLASSES } from '../config/node-classes';
import { NodeClassName } from '../config/types';
import type { EnvironmentConfig } from '../config/environment-config';
import { KarpenterNodeClass } from '../lib/constructs/node-class';
import { KarpenterNodePool } from '../lib/constructs/node-pool';
import { ResolvedPool } from '../lib/config/pools';

/** Props of {@link KarpenterChart}. */
export interface KarpenterChartProps {
  readonly env: EnvironmentConfig;
  /** The environment's enabled pools (see `resolvePools`). */
  readonly pools: readonly ResolvedPool[];
}

/** The Karpenter layer of one environment: every node class its pools use, then every pool. */
export class KarpenterChart extends Chart {
  constructor(scope: Construct, id: string, props: KarpenterChartProps) {
    // Cluster-scoped objects only: no namespace, or cdk8s would stamp it on them.
    super(scope, id, { disableResourceNameHashes: true });
    const used = new Set<NodeClassName>(props.pools.map((pool) => pool.nodeClass));
    const classes = new Map<NodeClassName, KarpenterNodeClass>();
    for (const definition of Object.values(NODE_CLASSES)) {
      if (!used.has(definition.name)) continue;
      classes.set(definition.name, new KarpenterNodeClass(this, `class-${definition.name}`, { definition, env: props.env }));
    }
    for (const pool of props.pools) {
      new KarpenterNodePool(this, `pool-${pool.name}`, { pool, nodeClass: classes.get(pool.nodeClass)! });
    }
  }
}
