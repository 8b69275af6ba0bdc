import { capacityPlan, CapacityPlan } from './capacity';
import { objectsByFolder } from '../synth/dist-files';
import { validate } from 'karpenter-validate';
import { KubeObject } from 'karpenter-validate';
import { driftOf, PoolDrift, zonesOf } from './drift';
import { rollout, Rollout } from './rollout';
import { DEFAULT_KARPENTER_RELEASE } from 'karpenter-validate/model';
import type { KarpenterRelease } from 'karpenter-validate/model';
import { karpenterReleaseOf, planUpgrade, UpgradePlan } from './upgrade';

/**
 * What a change does to the fleet, before it merges: the previous render (dist/ at a git ref)
 * against this one, per environment. Drift and the rollout it starts (drift.ts, rollout.ts),
 * the updates the API server would refuse (the validator's immutable-field rule: core immutable
 * fields and CRD transition rules), and cost per pool at rest, at peak and at its limits
 * (lib/plan/capacity.ts), each judged by the Karpenter release the environment runs (its
 * `karpenter-<env>` Application in dist/argocd); and where that release changes, what the upgrade
 * does (upgrade.ts). Offline: no cluster is read.
 */

export interface PoolCost {
  readonly pool: string;
  readonly before?: { readonly idle: number; readonly peak: number; readonly atLimits: number };
  readonly after?: { readonly idle: number; readonly peak: number; readonly atLimits: number };
}

export interface RejectedUpdate {
  readonly kind: string;
  readonly name: string;
  readonly path: string;
  readonly message: string;
}

export interface EnvironmentPlan {
  readonly env: string;
  readonly status: 'changed' | 'added' | 'removed' | 'unchanged';
  readonly drift: readonly (PoolDrift & { readonly rollout?: Rollout })[];
  readonly rejected: readonly RejectedUpdate[];
  readonly cost: readonly PoolCost[];
  readonly totals: { readonly before?: { idle: number; peak: number }; readonly after?: { idle: number; peak: number } };
  readonly assumptions: readonly string[];
  /** The Karpenter release the environment runs in each render. */
  readonly karpenterVersion: { readonly before?: KarpenterRelease; readonly after?: KarpenterRelease };
  /** What moving to another Karpenter release does, when the release changes. */
  readonly upgrade?: UpgradePlan;
}

export interface Plan {
  readonly environments: readonly EnvironmentPlan[];
  /** Updates the cluster would refuse: the plan fails with them. */
  readonly rejectedCount: number;
}


const round = (n: number) => Math.round(n * 100) / 100;
const costs = (plan: CapacityPlan) => new Map(plan.pools.map((p) => [p.pool, { idle: round(p.idle.hourly), peak: round(p.peak.hourly), atLimits: round(p.atLimits.hourly) }]));

/** The Karpenter releases of an environment in the two renders (each render's default where it names none). */
interface Releases {
  readonly before: KarpenterRelease;
  readonly after: KarpenterRelease;
  /** The working tree's Argo CD objects: the environment's Applications and their waves. */
  readonly argocd: readonly KubeObject[];
}

/** The plan of one environment folder. */
function planEnvironment(env: string, before: readonly KubeObject[] | undefined, after: readonly KubeObject[] | undefined, releases: Releases): EnvironmentPlan {
  const oldPlan = before ? capacityPlan(before, releases.before) : undefined;
  const newPlan = after ? capacityPlan(after, releases.after) : undefined;
  const status = !before ? 'added' : !after ? 'removed' : 'changed';
  const rejected =
    before && after
      ? validate(after.map((object) => ({ object })), { previous: before, karpenterVersion: releases.after })
          .findings.filter((f) => f.rule === 'immutable-field')
          .map((f) => ({ kind: f.object.kind, name: f.object.namespace ? `${f.object.namespace}/${f.object.name}` : f.object.name, path: f.path, message: f.message }))
      : [];
  const drift =
    before && after && oldPlan
      ? driftOf(before, after, oldPlan, releases.after).map((d) => {
          const pool = after.find((o) => o.kind === 'NodePool' && o.metadata?.name === d.pool) ?? before.find((o) => o.kind === 'NodePool' && o.metadata?.name === d.pool)!;
          const planned = oldPlan.pools.find((p) => p.pool === d.pool);
          const drifted = d.nodesAtRest;
          return d.scope === 'none' || d.removed ? d : { ...d, rollout: rollout(pool, drifted, planned?.idle.nodes ?? drifted, (planned?.workloads ?? []).map((w) => ({ terminationGracePeriodSeconds: w.gracePeriodSeconds }))) };
        })
      : [];
  const [oldCosts, newCosts] = [oldPlan ? costs(oldPlan) : new Map(), newPlan ? costs(newPlan) : new Map()];
  const cost = [...new Set([...oldCosts.keys(), ...newCosts.keys()])].map((pool) => ({ pool, ...(oldCosts.has(pool) ? { before: oldCosts.get(pool) } : {}), ...(newCosts.has(pool) ? { after: newCosts.get(pool) } : {}) }));
  const totals = {
    ...(oldPlan ? { before: { idle: round(oldPlan.idleHourly), peak: round(oldPlan.peakHourly) } } : {}),
    ...(newPlan ? { after: { idle: round(newPlan.idleHourly), peak: round(newPlan.peakHourly) } } : {}),
  };
  const upgrade =
    before && after && oldPlan && releases.before !== releases.after
      ? planUpgrade({ env, from: releases.before, to: releases.after, before, after, argocd: releases.argocd, previousPlan: oldPlan, zones: zonesOf(before) })
      : undefined;
  const changed = upgrade !== undefined || rejected.length > 0 || drift.length > 0 || cost.some((c) => JSON.stringify(c.before) !== JSON.stringify(c.after));
  const karpenterVersion = { ...(before ? { before: releases.before } : {}), ...(after ? { after: releases.after } : {}) };
  return { env, status: status === 'changed' && !changed ? 'unchanged' : status, drift, rejected, cost, totals, assumptions: (newPlan ?? oldPlan)?.assumptions ?? [], karpenterVersion, ...(upgrade ? { upgrade } : {}) };
}

/** The plan of every environment of two renderings of dist/. */
export function plan(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): Plan {
  // argocd/patches holds a merge patch, not an object ArgoCD or kubectl applies.
  const patch = (path: string) => path.startsWith('argocd/patches/');
  const [old, now] = [objectsByFolder(before, patch), objectsByFolder(after, patch)];
  const releasesOf = (env: string): Releases => ({
    before: karpenterReleaseOf(old.get('argocd') ?? [], env) ?? DEFAULT_KARPENTER_RELEASE,
    after: karpenterReleaseOf(now.get('argocd') ?? [], env) ?? DEFAULT_KARPENTER_RELEASE,
    argocd: now.get('argocd') ?? [],
  });
  const environments = [...new Set([...old.keys(), ...now.keys()])].sort().map((env) => planEnvironment(env, old.get(env), now.get(env), releasesOf(env)));
  return { environments, rejectedCount: environments.reduce((n, e) => n + e.rejected.length, 0) };
}
