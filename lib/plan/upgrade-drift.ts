import type { KarpenterRelease } from 'karpenter-validate/model';
import { KubeObject } from 'karpenter-validate';
import { DriftNode, DriftReason, driftRender, DriftRender, nodeDrift, nodesOf } from './drift';
import { HASH_VERSIONS, nodeClassHashView, nodePoolHashView } from './karpenter-hash';

/**
 * What a Karpenter upgrade does to the nodes the old release launched, as the new release's own
 * code decides it. Both releases' hash controllers (sigs.k8s.io/karpenter
 * pkg/controllers/nodepool/hash/controller.go and aws/karpenter-provider-aws
 * pkg/controllers/nodeclass/hash/controller.go, the same at v1.14.1 and v1.15.0) reconcile a
 * NodePool or EC2NodeClass whose `*-hash-version` annotation is not theirs by first re-stamping
 * every NodeClaim of it whose version differs (updateNodeClaimHash: the new version and, unless
 * the NodeClaim has drifted already, the new hash of the object as it is), then the object. Drift
 * compares hashes only where the NodeClaim's version is the object's (core
 * pkg/controllers/nodeclaim/disruption/drift.go, provider pkg/cloudprovider/drift.go
 * areStaticFieldsDrifted). So across an upgrade:
 *
 * - a kind whose hash version changes (EC2NodeClass, v5 to v6 at 1.15.0): its NodeClaims are
 *   re-stamped, never drifted by the upgrade itself, and a change applied after the controller
 *   started is judged by the new release's hash of the object as it was (what the API server
 *   served once the new CRDs were in);
 * - a kind whose version stays (NodePool, v3 at both): NodeClaims keep the old release's hash,
 *   which the new release compares with its own: the same hash function, by Karpenter's
 *   versioning, so only a change of the render drifts them.
 *
 * The order is the Argo CD waves' (charts/argocd.ts): CRDs (-3), controller (-2), then the render
 * (0). Held to the Karpenter oracle's `launch` (1.14.1) then `drift-existing` (1.15.0) on dev and
 * prod (test/oracle/karpenter/upgrade/), and the new release's drift to its own verdicts on the
 * seeded drift corpus (test/oracle/karpenter/v1.15.0/drift-verdicts.json).
 */

export const HASH_ANNOTATIONS = {
  nodePool: ['karpenter.sh/nodepool-hash', 'karpenter.sh/nodepool-hash-version'],
  ec2NodeClass: ['karpenter.k8s.aws/ec2nodeclass-hash', 'karpenter.k8s.aws/ec2nodeclass-hash-version'],
} as const;

/** A NodePool's or EC2NodeClass's hash annotations across the upgrade: whether the hash changes, and the versions [old, new]. */
export interface HashStamp {
  readonly hashChanged: boolean;
  readonly version: readonly [string, string];
}

export interface UpgradeNode extends DriftNode {
  /** Why the new release drifts it ('' when it does not). */
  readonly reason: DriftReason | '';
  /** The hash annotations the new release rewrites on its NodeClaim (re-stamped, not drifted). */
  readonly restamped: readonly string[];
}

export interface UpgradeDrift {
  readonly from: KarpenterRelease;
  readonly to: KarpenterRelease;
  readonly pools: Readonly<Record<string, HashStamp>>;
  readonly classes: Readonly<Record<string, HashStamp>>;
  /** Every node the old release launched for the `before` render, judged once `after` is applied under the new release. */
  readonly nodes: readonly UpgradeNode[];
}

const specOf = (o: KubeObject) => (o.spec ?? {}) as Record<string, unknown>;

/**
 * The upgrade from `from` to `to` with the render going from `before` to `after` (the same render
 * for an upgrade alone), in an environment of `region` and `zones`.
 */
export function upgradeDrift(before: readonly KubeObject[], after: readonly KubeObject[], from: KarpenterRelease, to: KarpenterRelease, region: string, zones: readonly string[]): UpgradeDrift {
  const [old, served, now] = [driftRender(before, region, zones, from), driftRender(before, region, zones, to), driftRender(after, region, zones, to)];
  const poolsRestamped = HASH_VERSIONS[from].nodePool !== HASH_VERSIONS[to].nodePool;
  const classesRestamped = HASH_VERSIONS[from].ec2NodeClass !== HASH_VERSIONS[to].ec2NodeClass;
  // What each NodeClaim's hash is by the time the render is applied: the old release's where the
  // version stays, the new release's hash of the object as served where it was re-stamped.
  const baseline: DriftRender = { ...old, pools: poolsRestamped ? served.pools : old.pools, classes: classesRestamped ? served.classes : old.classes, release: to };
  const pools = Object.fromEntries(
    [...old.pools].map(([name, p]) => {
      const next = served.pools.get(name)!;
      return [name, { hashChanged: nodePoolHashView(specOf(p.object)) !== nodePoolHashView(specOf(next.object)), version: [HASH_VERSIONS[from].nodePool, HASH_VERSIONS[to].nodePool] as const }];
    }),
  );
  const classes = Object.fromEntries(
    [...old.classes].map(([name, c]) => [name, { hashChanged: nodeClassHashView(specOf(c), from) !== nodeClassHashView(specOf(served.classes.get(name)!), to), version: [HASH_VERSIONS[from].ec2NodeClass, HASH_VERSIONS[to].ec2NodeClass] as const }]),
  );
  const restamped = [...(poolsRestamped ? HASH_ANNOTATIONS.nodePool : []), ...(classesRestamped ? HASH_ANNOTATIONS.ec2NodeClass : [])];
  const nodes = nodesOf(old).map((node) => ({ ...node, reason: nodeDrift(node, baseline, now) ?? ('' as const), restamped }));
  return { from, to, pools, classes, nodes };
}
