import { PRICING } from '../../config/pricing';
import { formatDollars } from './capacity';
import type { EnvironmentPlan, Plan } from './index';
import type { UpgradePlan } from './upgrade';
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
  if (env.drift.some((d) => d.nodesAtRest > 0 || d.nodesAtPeak > 0)) out.push(md ? `\n${nodesNote(env)}` : `  (${nodesNote(env)})`);
  return out;
}

/** Where the drift's node counts come from: the previous render's plan, at the release it ran. */
const nodesNote = (env: EnvironmentPlan) =>
  `node counts at rest and at peak: the previous render's capacity plan, its pods placed as Karpenter ${env.karpenterVersion.before ?? env.karpenterVersion.after ?? '1.14.1'}'s scheduler places them (lib/plan/scheduler.ts, held to Karpenter's own scheduler by test/oracle-karpenter.test.ts)`;

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

const count = (n: { atRest: number; atPeak: number }) => `${n.atRest} at rest, ${n.atPeak} at peak`;

/** The section of an environment whose Karpenter release changes: what the upgrade does, in the order it happens. */
function upgradeLines(u: UpgradePlan, md: boolean): string[] {
  const out: string[] = [];
  const head = (text: string) => out.push(md ? `##### ${text}` : `  ${text}:`);
  const item = (text: string) => out.push(md ? `- ${text}` : `    ${text}`);
  const sub = (text: string) => out.push(md ? `  - ${text}` : `      ${text}`);
  out.push(md ? `#### Karpenter ${u.from} → ${u.to}` : ` Karpenter ${u.from} -> ${u.to}:`);
  for (const w of u.warnings) out.push(md ? `> ⚠ ${w}` : `  ⚠ ${w}`);
  head('Steps (Argo CD waves)');
  u.steps.forEach((step, i) => out.push(md ? `${i + 1}. ${step}` : `    ${i + 1}. ${step}`));
  head(`CRDs (${u.to}'s against ${u.from}'s)`);
  if (u.crds.length === 0) item('no schema change');
  for (const c of u.crds) {
    const who =
      c.change === 'default' || c.change === 'optional'
        ? c.objects.length > 0 ? `: ${c.objects.join(', ')} omit it and ${c.change === 'default' ? `are stored with ${JSON.stringify(c.default)}` : 'were refused before'}` : `: none of our ${c.kind}s relies on it (each sets ${c.path.split('.').pop()})`
        : c.objects.length > 0 ? ` (set by ${c.objects.join(', ')})` : '';
    item(`${c.kind} ${c.path || '(object)'}: ${c.text}${who}`);
  }
  if (u.objects.length === 0) item(`every NodePool and EC2NodeClass of both renders is admitted and stored alike by ${u.from} and ${u.to}`);
  for (const o of u.objects) {
    item(`${o.kind} ${o.name}:`);
    for (const e of o.refusedBy.to) sub(`refused by ${u.to}: ${e}`);
    for (const e of o.refusedBy.from) sub(`refused by ${u.from} (a rollback would fail): ${e}`);
    for (const d of o.storedDifferently) sub(`${d.path} stored as ${JSON.stringify(d.from) ?? '(absent)'} by ${u.from}, ${JSON.stringify(d.to) ?? '(absent)'} by ${u.to}`);
  }
  if (u.movedChecks.length > 0) {
    head('Checks that leave admission');
    const byPlace = new Map<string, typeof u.movedChecks>();
    for (const m of u.movedChecks) byPlace.set(`${m.kind} ${m.path}`, [...(byPlace.get(`${m.kind} ${m.path}`) ?? []), m]);
    for (const [place, checks] of byPlace) {
      const kept = [...new Set(checks.map((c) => c.keptBy))];
      item(
        `${place}: the API server no longer checks it; Karpenter ${u.to}'s controller does after apply (ValidationSucceeded=False: the class is not Ready, its pools launch nothing). ${kept.includes('none') ? 'Not all are kept by the validator' : `The validator keeps them (rule ${kept.join(', ')}), so synth still refuses them`}${checks[0]!.objects.length > 0 ? `; set by ${checks[0]!.objects.join(', ')}` : ''}:`,
      );
      for (const c of checks) sub(c.check);
    }
  }
  head(`Nodes (Karpenter ${u.to}'s hash and drift; NodePool hash ${u.hashVersions.nodePool.join(' -> ')}, EC2NodeClass hash ${u.hashVersions.ec2NodeClass.join(' -> ')})`);
  if (u.nodes.length === 0) item('no NodeClaim is re-stamped or drifts');
  for (const p of u.nodes) {
    const parts = [p.restamped.atRest + p.restamped.atPeak > 0 ? `${count(p.restamped)} re-stamped (${p.annotations.join(', ')}), not drifted` : '', p.drifted.atRest + p.drifted.atPeak > 0 ? `${count(p.drifted)} drift (${p.reasons.join(', ')})` : 'none drifts'].filter(Boolean);
    item(`${p.pool}: ${parts.join('; ')}`);
  }
  head('Alerts and dashboards');
  const affecting = u.monitoring.filter((m) => m.affects);
  const quiet = u.monitoring.filter((m) => !m.affects);
  if (affecting.length === 0) item(`no query reads a metric or label ${u.to} drops, and none counts differently`);
  for (const m of affecting) item(`${m.where} (${m.metric}): ${m.text}`);
  if (quiet.length > 0) item(`unchanged: ${[...new Set(quiet.map((m) => m.where))].length} more queries read metrics that gain labels or values they sum away or do not select (${[...new Set(quiet.map((m) => m.metric))].join(', ')})`);
  head('Feature gates');
  const changedDefaults = u.featureGates.filter((g) => g.from !== undefined && g.to !== undefined);
  item(changedDefaults.length === 0 ? 'no gate changes its default' : changedDefaults.map((g) => g.text).join('; '));
  for (const g of u.featureGates.filter((x) => x.from === undefined || x.to === undefined)) item(g.text);
  item(u.gatesSet.length === 0 ? 'the Karpenter Application sets no gate: every gate runs at its default' : `the Karpenter Application sets ${u.gatesSet.join(', ')}`);
  for (const b of u.gateBehaviour) item(`at ${u.to}, ${b}`);
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
    if (env.upgrade) lines.push(...upgradeLines(env.upgrade, markdown));
    if (env.env !== 'argocd') {
      lines.push(markdown ? '#### Nodes' : ' nodes:');
      lines.push(...driftLines(env, markdown));
      lines.push(markdown ? '#### Cost (estimate)' : ' cost (estimate):');
      lines.push(...costLines(env, markdown));
    }
    lines.push('');
  }
  const text = `${lines.join('\n').trimEnd()}\n`;
  return markdown ? escapeTags(text) : text;
}

/**
 * Markdown with `<` outside code spans written `&lt;`: GitHub reads `<ordinal>` in a way out
 * (`data-kafka-<ordinal>`) as an HTML tag and drops it. Idempotent, so Markdown made of the plan's
 * (npm run review) may pass through it again.
 */
export function escapeTags(markdown: string): string {
  return markdown
    .split(/(`[^`\n]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, '&lt;')))
    .join('');
}

/** The plan as JSON for CI. */
export function formatPlanJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
