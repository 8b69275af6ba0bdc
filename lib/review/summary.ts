import type { Review } from './review';

/** An environment's part of the review in a few numbers: the first thing a reviewer reads. */
export interface EnvironmentSummary {
  readonly env: string;
  /** Updates the cluster refuses. */
  readonly refused: number;
  /** Pools whose nodes Karpenter replaces, with how many at rest and at peak (the plan's drift). */
  readonly replaced: readonly { readonly pool: string; readonly atRest: number; readonly atPeak: number; readonly removed: boolean }[];
  readonly nodesAtRest: number;
  readonly nodesAtPeak: number;
  /** Fleet cost in $/h at rest and at peak, before and after; absent for a folder without pools (`argocd`). */
  readonly cost?: Review['plan']['environments'][number]['totals'];
  readonly newWarnings: number;
  readonly newWaivers: number;
  /** Objects added, removed or changed. */
  readonly objectsChanged: number;
}

/** Every environment's summary, by name: those the plan, the validation or the diff know. */
export function summaryOf(review: Review): EnvironmentSummary[] {
  const envs = [...new Set([...review.plan.environments.map((e) => e.env), ...review.validation.map((v) => v.env), ...review.diff.map((c) => c.env)])].sort();
  return envs.map((env) => {
    const planned = review.plan.environments.find((e) => e.env === env);
    const validation = review.validation.find((v) => v.env === env);
    const replaced = (planned?.drift ?? []).filter((d) => d.scope !== 'none' && (d.nodesAtRest > 0 || d.nodesAtPeak > 0)).map((d) => ({ pool: d.pool, atRest: d.nodesAtRest, atPeak: d.nodesAtPeak, removed: d.removed ?? false }));
    const totals = planned?.totals;
    return {
      env,
      refused: planned?.rejected.length ?? 0,
      replaced,
      nodesAtRest: replaced.reduce((n, r) => n + r.atRest, 0),
      nodesAtPeak: replaced.reduce((n, r) => n + r.atPeak, 0),
      // A folder without pools (argocd) has no fleet to price, as the plan says none.
      ...(totals && (planned?.cost.length ?? 0) > 0 ? { cost: totals } : {}),
      newWarnings: validation?.warnings.filter((w) => w.new).length ?? 0,
      newWaivers: validation?.waivers.filter((w) => w.new).length ?? 0,
      objectsChanged: review.diff.filter((c) => c.env === env).length,
    };
  });
}
