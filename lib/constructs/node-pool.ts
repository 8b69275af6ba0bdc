import { Construct } from 'constructs';
import {
  NodePool,
  NodePoolSpecDisruptionBudgetsReasons,
  NodePoolSpecDisruptionConsolidationPolicy,
  NodePoolSpecLimits,
  NodePoolSpecTemplateSpecRequirements,
  NodePoolSpecTemplateSpecRequirementsOperator,
  NodePoolSpecTemplateSpecTaintsEffect,
} from '../../imports/karpenter.sh';
import { KarpenterNodeClass } from './node-class';
import { poolRequirements, ResolvedPool } from '../config/pools';

/** Props of {@link KarpenterNodePool}. */
export interface KarpenterNodePoolProps {
  /** The pool, resolved for the environment (see `resolvePools`). */
  readonly pool: ResolvedPool;
  /** The node class construct the pool launches with; passing the construct, not a name, keeps the reference real. */
  readonly nodeClass: KarpenterNodeClass;
}

/** API group and kind of the AWS node class, for `nodeClassRef`. */
export const EC2_NODE_CLASS_REF = { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass' } as const;

/**
 * A Karpenter v1 NodePool built from a pool definition: its labels, taints and requirements,
 * disruption settings (expireAfter and terminationGracePeriod live on the template in v1),
 * limits and weight.
 * @see https://karpenter.sh/docs/concepts/nodepools/
 */
export class KarpenterNodePool extends Construct {
  constructor(scope: Construct, id: string, props: KarpenterNodePoolProps) {
    super(scope, id);
    const { pool, nodeClass } = props;
    if (nodeClass.name !== pool.nodeClass) {
      throw new Error(`NodePool "${pool.name}": 'nodeClass' ("${pool.nodeClass}") was given the construct of EC2NodeClass "${nodeClass.name}"`);
    }

    new NodePool(this, 'Resource', {
      metadata: {
        name: pool.name,
        annotations: { 'kubernetes.io/description': pool.description },
      },
      spec: {
        template: {
          metadata: { labels: { ...pool.labels } },
          spec: {
            nodeClassRef: { ...EC2_NODE_CLASS_REF, name: nodeClass.name },
            requirements: requirements(pool),
            taints: pool.taints.length > 0 ? pool.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect as NodePoolSpecTemplateSpecTaintsEffect })) : undefined,
            expireAfter: pool.expireAfter,
            terminationGracePeriod: pool.terminationGracePeriod,
          },
        },
        disruption: {
          consolidationPolicy: pool.consolidationPolicy as NodePoolSpecDisruptionConsolidationPolicy,
          consolidateAfter: pool.consolidateAfter,
          budgets: pool.budgets.map((b) => ({
            nodes: b.nodes,
            reasons: b.reasons?.map((r) => r as NodePoolSpecDisruptionBudgetsReasons),
            schedule: b.schedule,
            duration: b.duration,
          })),
        },
        limits: Object.fromEntries(
          Object.entries(pool.limits)
            .filter((entry): entry is [string, string] => entry[1] !== undefined)
            .map(([resource, value]) => [resource, NodePoolSpecLimits.fromString(value)]),
        ),
        weight: pool.weight,
      },
    });
  }
}

/** The pool's typed fields as NodePool requirements, then its extra ones (lib/config/pools.ts keeps the order). */
function requirements(pool: ResolvedPool): NodePoolSpecTemplateSpecRequirements[] {
  const minValues = new Map((pool.requirements ?? []).map((r) => [r.key, r.minValues]));
  return poolRequirements(pool, pool.zones).map((r) => ({
    key: r.key,
    operator: r.operator as NodePoolSpecTemplateSpecRequirementsOperator,
    values: r.values.length > 0 ? [...r.values] : undefined,
    minValues: minValues.get(r.key),
  }));
}
