import { durationSeconds } from 'karpenter-validate/model';
import { KubeObject } from 'karpenter-validate';
import { isObject, Json } from 'karpenter-validate/model';

/**
 * How drift rolls through a pool under its disruption budgets (kubernetes-sigs/karpenter
 * pkg/apis/v1/nodepool.go GetAllowedDisruptionsByReason): each budget that names the Drifted
 * reason (or names none) caps the nodes disrupted at once, `nodes` as a count or a percentage of
 * the pool's nodes rounded up; the lowest active cap wins; a pool without budgets has one of 10%.
 * A budget with a schedule caps only inside its window. Drift replaces one node per command and
 * starts the next while the cap allows (pkg/controllers/disruption/drift.go), launching the
 * replacement before draining the old node. consolidateAfter does not gate drift.
 */

/** Assumed time for a replacement node to launch, join and turn ready: EC2 boot plus kubelet registration, typically one to two minutes. */
export const NODE_READY_SECONDS = 120;

export interface Rollout {
  /** Nodes disrupted at once under the budgets outside any scheduled window. */
  readonly parallel: number;
  readonly batches: number;
  /** Rough duration in seconds: batches x (replacement ready + drain). */
  readonly seconds: number;
  /** Drain time per node: the longest pod grace period, capped by the pool's terminationGracePeriod. */
  readonly drainSeconds: number;
  /** Scheduled budgets that pause or slow the rollout inside their windows. */
  readonly windows: readonly string[];
  /** Set when no budget outside a window lets a drifted node go: the rollout never starts. */
  readonly blocked?: string;
}

interface Budget {
  readonly nodes: string;
  readonly reasons?: readonly string[];
  readonly schedule?: string;
  readonly duration?: string;
}

function allowed(budget: Budget, nodes: number): number {
  const percent = /^(\d+)%$/.exec(budget.nodes);
  return percent ? Math.ceil((Number(percent[1]) * nodes) / 100) : Number(budget.nodes);
}

/** The rollout of `drifted` nodes of a pool of `total` nodes, whose pods are `pods`. */
export function rollout(pool: KubeObject, drifted: number, total: number, pods: readonly Json[]): Rollout {
  const spec = isObject(pool.spec) ? pool.spec : {};
  const budgets: Budget[] = Array.isArray(spec.disruption?.budgets) && spec.disruption.budgets.length > 0 ? spec.disruption.budgets : [{ nodes: '10%' }];
  const forDrift = budgets.filter((b) => !b.reasons || b.reasons.includes('Drifted'));
  const always = forDrift.filter((b) => !b.schedule);
  const parallel = Math.min(...always.map((b) => allowed(b, Math.max(total, drifted))), Number.MAX_SAFE_INTEGER);
  const windows = forDrift.filter((b) => b.schedule).map((b) => `${allowed(b, total) === 0 ? 'paused' : `at most ${allowed(b, total)} at a time`} during '${b.schedule}' for ${b.duration ?? '?'}`);
  const grace = spec.template?.spec?.terminationGracePeriod;
  let tgp = Infinity;
  try {
    if (typeof grace === 'string') tgp = durationSeconds(grace);
  } catch {
    // Not a duration: the schema check reports it; no cap is assumed here.
  }
  const longestPod = Math.max(30, ...pods.map((p) => (typeof p.terminationGracePeriodSeconds === 'number' ? p.terminationGracePeriodSeconds : 30)));
  const drainSeconds = Math.min(longestPod, tgp);
  if (parallel === 0 || drifted === 0) {
    return { parallel: parallel === Number.MAX_SAFE_INTEGER ? drifted : parallel, batches: 0, seconds: 0, drainSeconds, windows, ...(parallel === 0 && drifted > 0 ? { blocked: `a budget of 0 nodes for Drifted (${always.filter((b) => allowed(b, total) === 0).map((b) => `nodes: "${b.nodes}"`).join(', ')}) never lets a drifted node go` } : {}) };
  }
  const cap = parallel === Number.MAX_SAFE_INTEGER ? drifted : parallel;
  const batches = Math.ceil(drifted / cap);
  return { parallel: cap, batches, seconds: batches * (NODE_READY_SECONDS + drainSeconds), drainSeconds, windows };
}

/** Seconds as "1h 20m" / "12m" / "45s". */
export function humanDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes}m` : `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}
