import { PRICING } from '../../config/pricing';
import { formatDollars } from './capacity';
import type { EnvironmentPlan, Plan } from './index';
import { humanDuration } from './rollout';

const delta = (a: number | undefined, b: number | undefined) => {
  const d = (b ?? 0) - (a ?? 0);
  return Math.abs(d) < 0.005 ? '0' : `${d > 0 ? '+' : '-'}$${Math.abs(d).toFixed(2)}`;
};

function driftLines(env: EnvironmentPlan, md: boolean): string[] {
  if (env.drift.length === 0) return [md ? 'No node is replaced.' : '  no node is replaced'];
  const out: string[] = [];
  for (const d of env.drift) {
    const what =
      d.scope === 'none'
        ? 'no node drifts'
        : `${d.scope === 'all' ? 'every node drifts' : 'some nodes drift'}: ${d.nodesAtRest} at rest, ${d.nodesAtPeak} at peak`;
    out.push(md ? `- **${d.pool}**: ${what}${d.removed ? ' (pool removed)' : ''}` : `  ${d.pool}: ${what}${d.removed ? ' (pool removed)' : ''}`);
    for (const r of d.reasons) out.push(md ? `  - ${r}` : `      - ${r}`);
    const r = d.rollout;
    if (r && d.nodesAtRest > 0) {
      const text = r.blocked ? `rollout blocked: ${r.blocked}` : `rollout: ${r.parallel} at a time, ${r.batches} batch(es), about ${humanDuration(r.seconds)} (each: replacement ready ~${humanDuration(120)}, drain up to ${humanDuration(r.drainSeconds)})`;
      out.push(md ? `  - ${text}` : `      ${text}`);
      for (const w of r.windows) out.push(md ? `  - scheduled budget: ${w}` : `      scheduled budget: ${w}`);
    }
  }
  if (env.drift.some((d) => d.nodesAtRest > 0 || d.nodesAtPeak > 0)) out.push(md ? `\n${NODES_NOTE}` : `  (${NODES_NOTE})`);
  return out;
}

/** Where the drift's node counts come from. */
const NODES_NOTE = "node counts at rest and at peak: the previous render's capacity plan, its pods placed as Karpenter 1.14.1's scheduler places them (lib/plan/scheduler.ts, held to Karpenter's own scheduler by test/oracle-karpenter.test.ts)";

function costLines(env: EnvironmentPlan, md: boolean): string[] {
  const rows = env.cost.filter((c) => JSON.stringify(c.before) !== JSON.stringify(c.after) || (c.after?.peak ?? 0) > 0);
  const out: string[] = [];
  if (md) {
    out.push('| pool | at rest $/h | at peak $/h | at limits $/h | change at rest | change at peak |', '|---|---|---|---|---|---|');
    for (const c of rows) out.push(`| ${c.pool} | ${formatDollars(c.after?.idle)} | ${formatDollars(c.after?.peak)} | ${formatDollars(c.after?.atLimits)} | ${delta(c.before?.idle, c.after?.idle)} | ${delta(c.before?.peak, c.after?.peak)} |`);
  } else {
    out.push(`  ${'pool'.padEnd(26)} ${'rest $/h'.padStart(9)} ${'peak $/h'.padStart(9)} ${'limits $/h'.padStart(11)} ${'Δ rest'.padStart(8)} ${'Δ peak'.padStart(8)}`);
    for (const c of rows) out.push(`  ${c.pool.padEnd(26)} ${formatDollars(c.after?.idle).padStart(9)} ${formatDollars(c.after?.peak).padStart(9)} ${formatDollars(c.after?.atLimits).padStart(11)} ${delta(c.before?.idle, c.after?.idle).padStart(8)} ${delta(c.before?.peak, c.after?.peak).padStart(8)}`);
  }
  const { before, after } = env.totals;
  const month = (n: number | undefined) => (n === undefined ? '-' : `$${(n * PRICING.hoursPerMonth).toFixed(0)}/month`);
  const total = `total: ${formatDollars(after?.idle)}/h at rest (${month(after?.idle)}, ${delta(before?.idle, after?.idle)}/h), ${formatDollars(after?.peak)}/h at peak (${delta(before?.peak, after?.peak)}/h)`;
  out.push(md ? `\n${total}` : `  ${total}`);
  for (const a of env.assumptions) out.push(md ? `- ${a}` : `  (${a})`);
  return out;
}

/** The plan as text for a terminal, or Markdown for a pull request comment. */
export function formatPlan(plan: Plan, markdown: boolean): string {
  const lines: string[] = [];
  const changed = plan.environments.filter((e) => e.status !== 'unchanged');
  if (changed.length === 0) return markdown ? 'No change to the fleet: no node drifts, no update is refused, cost is unchanged.\n' : 'no change to the fleet\n';
  for (const env of changed) {
    if (env.env === 'argocd' && env.drift.length === 0 && env.rejected.length === 0) continue;
    lines.push(markdown ? `### ${env.env}${env.status !== 'changed' ? ` (${env.status})` : ''}` : `== ${env.env}${env.status !== 'changed' ? ` (${env.status})` : ''}`);
    if (env.rejected.length > 0) {
      lines.push(markdown ? '#### Updates the cluster refuses' : ' updates the cluster refuses:');
      for (const r of env.rejected) lines.push(markdown ? `- **${r.kind} ${r.name}** \`${r.path}\`: ${r.message}` : `  ✗ ${r.kind} ${r.name} ${r.path}: ${r.message}`);
    }
    if (env.env !== 'argocd') {
      lines.push(markdown ? '#### Nodes' : ' nodes:');
      lines.push(...driftLines(env, markdown));
      lines.push(markdown ? '#### Cost (estimate)' : ' cost (estimate):');
      lines.push(...costLines(env, markdown));
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The plan as JSON for CI. */
export function formatPlanJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
