import { formatDollars } from '../plan/capacity';
import { formatDiff, ObjectChange } from '../plan/diff';
import { escapeTags, formatPlan } from '../plan/format';
import type { EnvironmentValidation, Review } from './review';
import { EnvironmentSummary, summaryOf } from './summary';

/** The first line of the Markdown review: a workflow finds the comment it posted by it, and updates that one. */
export const REVIEW_MARKER = '<!-- karpenter-as-code review -->';

/** GitHub refuses a pull request comment longer than this ("Body is too long (maximum is 65536 characters)"). */
export const GITHUB_COMMENT_LIMIT = 65_536;

/**
 * How much of each part a rendering holds. Markdown cuts the least important parts first, each
 * level one step further, until the document fits: the object diff's fields, then the diff, then
 * the warnings and waivers the base already recorded, then long lists, then the plan's nodes and
 * cost (the summary keeps their totals). Refused updates and the summary are never cut.
 */
interface Detail {
  readonly diff: 'fields' | 'objects' | 'none';
  /** Whether the warnings and waivers the base already recorded are listed. */
  readonly unchanged: boolean;
  /** At most this many entries of a list of new warnings, new waivers or those no longer recorded. */
  readonly listCap?: number;
  readonly plan: 'full' | 'refused';
}

const FULL: Detail = { diff: 'fields', unchanged: true, plan: 'full' };
const LEVELS: readonly Detail[] = [
  FULL,
  { ...FULL, diff: 'objects' },
  { ...FULL, diff: 'none' },
  { ...FULL, diff: 'none', unchanged: false },
  { ...FULL, diff: 'none', unchanged: false, listCap: 10 },
  { diff: 'none', unchanged: false, listCap: 10, plan: 'refused' },
];

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A change of $/h: `+$0.12`, `-$1.00`, `±0`. */
function delta(before: number | undefined, after: number | undefined): string {
  const d = (after ?? 0) - (before ?? 0);
  return Math.abs(d) < 0.005 ? '±0' : `${d > 0 ? '+' : '-'}$${Math.abs(d).toFixed(2)}`;
}

const command = (name: string, base: string) => `npm run --silent ${name} -- ${base} --markdown`;

const HEADLINE_NAMES = 5;

function headline(review: Review, md: boolean): string {
  if (review.refused === 0) return md ? 'No update the cluster refuses.' : 'no update the cluster refuses';
  const refusing = review.plan.environments.filter((e) => e.rejected.length > 0);
  // Named while a few; counted when many, so that the headline stays a line.
  const which = refusing.map((e) => `${e.env}: ${review.refused <= HEADLINE_NAMES ? e.rejected.map((r) => `${r.kind} ${r.name}`).join(', ') : e.rejected.length}`);
  const text = `${plural(review.refused, 'update')} the cluster refuses (${which.join('; ')}): Argo CD's sync would fail on ${review.refused === 1 ? 'it' : 'them'}; the plan says the way out`;
  return md ? `**✗ ${text}.**` : `✗ ${text}`;
}

function nodesCell(s: EnvironmentSummary): string {
  if (s.replaced.length === 0) return 'none';
  return `${s.nodesAtRest} / ${s.nodesAtPeak} (${s.replaced.map((r) => `${r.pool}${r.removed ? ', removed' : ''}`).join('; ')})`;
}

function costCell(s: EnvironmentSummary, at: 'idle' | 'peak'): string {
  if (!s.cost) return '-';
  const [before, after] = [s.cost.before?.[at], s.cost.after?.[at]];
  return `${after === undefined ? 'removed' : `${formatDollars(after)}/h`} (${delta(before, after)})`;
}

/** One line on the documentation placeholders config/ still holds (synth says the same per environment, REPORT.md lists each). */
function placeholderReminder(review: Review, md: boolean): string | undefined {
  const left = review.placeholders.filter((p) => p.placeholders.length > 0);
  if (left.length === 0) return undefined;
  const counts = left.map((p) => `${p.env} ${p.placeholders.length}`).join(', ');
  const files = [...new Set(left.flatMap((p) => p.placeholders.map((x) => x.where.split(':')[0]!)))].sort().join(', ');
  return md
    ? `Reminder: config/ still holds documentation placeholders (${counts}) to replace before a first sync, in ${files}: each listed under *Placeholders to replace* in \`dist/<env>/REPORT.md\`.`
    : `reminder: config/ still holds documentation placeholders (${counts}) to replace before a first sync, in ${files}: each listed under "Placeholders to replace" in dist/<env>/REPORT.md`;
}

function summaryLines(review: Review, md: boolean): string[] {
  const rows = summaryOf(review);
  const reminder = placeholderReminder(review, md);
  if (md) {
    return [
      '| environment | refused updates | nodes replaced, at rest / at peak | fleet at rest | fleet at peak | new warnings | new waivers | objects changed |',
      '|---|---|---|---|---|---|---|---|',
      ...rows.map((s) => `| ${s.env} | ${s.refused} | ${nodesCell(s)} | ${costCell(s, 'idle')} | ${costCell(s, 'peak')} | ${s.newWarnings} | ${s.newWaivers} | ${s.objectsChanged} |`),
      ...(reminder ? ['', reminder] : []),
    ];
  }
  return [
    ...rows.map((s) => {
      const nodes = s.replaced.length === 0 ? 'none' : `${s.nodesAtRest} at rest, ${s.nodesAtPeak} at peak (${s.replaced.map((r) => r.pool).join(', ')})`;
      const cost = s.cost ? `fleet ${costCell(s, 'idle')} at rest, ${costCell(s, 'peak')} at peak` : 'no pools';
      return `  ${s.env}: ${plural(s.refused, 'refused update')}; nodes replaced: ${nodes}; ${cost}; new warnings ${s.newWarnings}, new waivers ${s.newWaivers}; ${plural(s.objectsChanged, 'object')} changed`;
    }),
    ...(reminder ? [`  ${reminder}`] : []),
  ];
}

function planLines(review: Review, md: boolean, detail: Detail): string[] {
  if (detail.plan === 'full') return formatPlan(review.plan, md).trimEnd().split('\n').map(md ? escapeTags : (l) => l);
  const refused = review.plan.environments.flatMap((e) => e.rejected.map((r) => escapeTags(`- **${e.env}: ${r.kind} ${r.name}** \`${r.path}\`: ${r.message}`)));
  return [...(refused.length > 0 ? ['Updates the cluster refuses:', '', ...refused, ''] : []), `Nodes and cost per pool: cut (the summary keeps their totals); \`${command('plan', review.base)}\` prints them.`];
}

function entryLines(label: string, entries: readonly { readonly text: string }[], cap: number | undefined, v: EnvironmentValidation, md: boolean): string[] {
  const shown = cap === undefined ? entries : entries.slice(0, cap);
  const more = entries.length - shown.length;
  return [
    ...shown.map((e) => (md ? escapeTags(`- ${label}: ${e.text}`) : `    ${label}: ${e.text}`)),
    ...(more > 0 ? [md ? `- … and ${more} more, in \`${v.report}\`` : `    ... and ${more} more, in ${v.report}`] : []),
  ];
}

function validationLines(review: Review, md: boolean, detail: Detail): string[] {
  const out = [
    md
      ? `No errors: synth stops on any, and \`dist/\` is synthesized from this code. Warnings and waivers as synth recorded them in each \`dist/<env>/REPORT.md\`; **new**: not recorded at \`${review.base}\`.`
      : `  no errors: synth stops on any. Warnings and waivers as synth recorded them in dist/<env>/REPORT.md; new: not recorded at ${review.base}`,
  ];
  for (const v of review.validation) {
    const [newWarnings, newWaivers] = [v.warnings.filter((w) => w.new), v.waivers.filter((w) => w.new)];
    const unchanged = [...v.warnings.filter((w) => !w.new).map((w) => ({ kind: 'warning', text: w.text })), ...v.waivers.filter((w) => !w.new).map((w) => ({ kind: 'waiver', text: w.text }))];
    const gone = [...v.gone.warnings.map((w) => ({ text: `warning ${w.text}` })), ...v.gone.waivers.map((w) => ({ text: `waiver ${w.text}` }))];
    const counts = `${v.warnings.length === 0 ? 'no warning' : `${plural(v.warnings.length, 'warning')}, ${newWarnings.length} new`}; ${v.waivers.length === 0 ? 'no waiver' : `${plural(v.waivers.length, 'waiver')}, ${newWaivers.length} new`}${gone.length > 0 ? `; ${gone.length} no longer recorded` : ''}`;
    out.push('', md ? `**${v.env}**: ${counts}.` : `  ${v.env}: ${counts}`);
    out.push(...entryLines(md ? '**new** warning' : 'new warning', newWarnings, detail.listCap, v, md));
    out.push(...entryLines(md ? '**new** waiver' : 'new waiver', newWaivers, detail.listCap, v, md));
    out.push(...entryLines('no longer', gone, detail.listCap, v, md));
    if (unchanged.length === 0) continue;
    const [warnings, waivers] = [unchanged.filter((u) => u.kind === 'warning').length, unchanged.filter((u) => u.kind === 'waiver').length];
    const what = `${[...(warnings > 0 ? [plural(warnings, 'warning')] : []), ...(waivers > 0 ? [plural(waivers, 'waiver')] : [])].join(' and ')} as at`;
    if (!detail.unchanged) out.push(`- ${what} \`${review.base}\`: cut, listed in \`${v.report}\``);
    else if (md) out.push('', `<details><summary>${v.env}: ${what} <code>${review.base}</code></summary>`, '', ...unchanged.map((u) => escapeTags(`- ${u.kind}: ${u.text}`)), '', '</details>');
    else out.push(`    ${what} ${review.base}:`, ...unchanged.map((u) => `      ${u.kind}: ${u.text}`));
  }
  for (const folder of review.unrecorded) {
    const text = 'validated by synth as one set with every environment; its warnings are printed by synth, not recorded in dist/';
    out.push('', md ? `\`${folder}\`: ${text}.` : `  ${folder}: ${text}`);
  }
  return out;
}

function diffSummary(changes: readonly ObjectChange[]): string {
  const count = (change: ObjectChange['change']) => changes.filter((c) => c.change === change).length;
  const parts = (['added', 'removed', 'changed'] as const).filter((c) => count(c) > 0).map((c) => `${count(c)} ${c}`);
  const replacing = changes.filter((c) => c.replacesNodes).length;
  return `${plural(changes.length, 'object')} (${parts.join(', ')})${replacing > 0 ? `; Karpenter replaces nodes for ${replacing === 1 ? 'one of them' : `${replacing} of them`}` : ''}`;
}

function diffLines(review: Review, md: boolean, detail: Detail): string[] {
  if (review.diff.length === 0) return [md ? 'No changes to the synthesized output.' : '  no changes'];
  if (detail.diff === 'none') return [`Cut (the summary keeps the number of objects each environment changes): \`${command('diff', review.base)}\` prints it.`];
  const changes = detail.diff === 'objects' ? review.diff.map((c) => ({ ...c, fields: [] })) : review.diff;
  if (!md) return formatDiff(changes, false).trimEnd().split('\n');
  const out: string[] = [];
  for (const env of [...new Set(changes.map((c) => c.env))]) {
    const ofEnv = changes.filter((c) => c.env === env);
    // formatDiff heads an environment's changes with its name, which the summary line already says.
    const text = formatDiff(ofEnv, true);
    const body = text.startsWith(`### ${env}\n`) ? text.slice(`### ${env}\n`.length) : text;
    out.push(`<details><summary><b>${env}</b>: ${diffSummary(ofEnv)}</summary>`, '', ...body.trimEnd().split('\n').map(escapeTags), '', '</details>', '');
  }
  if (detail.diff === 'objects') out.push(`Fields cut: \`${command('diff', review.base)}\` prints them.`);
  return out;
}

/** What a level cut that the review holds, each with how to see it in full. */
function cutsOf(review: Review, detail: Detail): string[] {
  const cuts: string[] = [];
  if (detail.diff === 'objects' && review.diff.some((c) => c.fields.length > 0)) cuts.push(`the object diff's fields (\`${command('diff', review.base)}\`)`);
  if (detail.diff === 'none' && review.diff.length > 0) cuts.push(`the object diff (\`${command('diff', review.base)}\`)`);
  if (!detail.unchanged && review.validation.some((v) => [...v.warnings, ...v.waivers].some((e) => !e.new))) cuts.push(`the warnings and waivers \`${review.base}\` already recorded (each \`dist/<env>/REPORT.md\`)`);
  const long = (n: number) => detail.listCap !== undefined && n > detail.listCap;
  if (review.validation.some((v) => long(v.warnings.filter((w) => w.new).length) || long(v.waivers.filter((w) => w.new).length) || long(v.gone.warnings.length + v.gone.waivers.length))) {
    cuts.push(`new warnings and waivers past the first ${detail.listCap} of each list (each \`dist/<env>/REPORT.md\`)`);
  }
  if (detail.plan === 'refused' && review.plan.environments.some((e) => e.status !== 'unchanged')) cuts.push(`the plan's nodes and cost per pool (\`${command('plan', review.base)}\`)`);
  return cuts;
}

function limitName(maxChars: number): string {
  return maxChars === GITHUB_COMMENT_LIMIT ? "GitHub's 65,536-character comment limit" : `a limit of ${maxChars.toLocaleString('en-US')} characters (--max-chars)`;
}

function cutNote(review: Review, cuts: readonly string[], maxChars: number): string[] {
  if (cuts.length === 0) return [];
  return ['', `> **Cut to fit ${limitName(maxChars)}**: ${cuts.join('; ')}. All of it: \`${command('review', review.base)}\`.`];
}

function markdownAt(review: Review, detail: Detail, cuts: readonly string[], maxChars: number): { head: string[]; body: string[] } {
  return {
    head: [REVIEW_MARKER, `## Review against \`${review.base}\``, '', headline(review, true), ...cutNote(review, cuts, maxChars), '', ...summaryLines(review, true)],
    body: ['', '## Plan', '', ...planLines(review, true, detail), '', '## Validation', '', ...validationLines(review, true, detail), '', '## Object diff', '', ...diffLines(review, true, detail)],
  };
}

const joined = (lines: readonly string[]) => `${lines.join('\n').trimEnd()}\n`;

/**
 * The review as Markdown for a pull request comment, the marker first, at most `maxChars` long,
 * counted in UTF-16 code units (a JavaScript string's length), never fewer than the characters
 * GitHub counts. Parts are cut least important first (LEVELS), and a note right under the
 * headline says what was cut and which command prints it; past the last level the body is cut at
 * a line.
 */
export function formatReviewMarkdown(review: Review, maxChars: number = GITHUB_COMMENT_LIMIT): string {
  for (const detail of LEVELS) {
    const cuts = cutsOf(review, detail);
    const { head, body } = markdownAt(review, detail, cuts, maxChars);
    const text = joined([...head, ...body]);
    if (text.length <= maxChars) return text;
  }
  const last = LEVELS[LEVELS.length - 1]!;
  const cuts = [...cutsOf(review, last), `everything past the first ${maxChars.toLocaleString('en-US')} characters`];
  const { head, body } = markdownAt(review, last, cuts, maxChars);
  const tail = `… cut here: \`${command('review', review.base)}\` prints the rest.`;
  const kept = [...head];
  // kept.join('\n'), then '\n\n', the tail and '\n': counted as lines are added, not joined again for each.
  let length = kept.join('\n').length;
  for (const line of body) {
    if (length + 1 + line.length + 2 + tail.length + 1 > maxChars) break;
    kept.push(line);
    length += 1 + line.length;
  }
  while (kept[kept.length - 1] === '') kept.pop();
  const text = joined([...kept, '', tail]);
  // A limit too small for even the head: cut at the character, the marker first.
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}\n`;
}

/** The review as text for a terminal: every part, nothing cut. */
export function formatReviewText(review: Review): string {
  return joined([
    `review against ${review.base}`,
    headline(review, false),
    '',
    'SUMMARY',
    ...summaryLines(review, false),
    '',
    'PLAN (npm run plan)',
    ...planLines(review, false, FULL),
    '',
    'VALIDATION',
    ...validationLines(review, false, FULL),
    '',
    'OBJECT DIFF (npm run diff)',
    ...diffLines(review, false, FULL),
  ]);
}

/** The review as one JSON object with the same parts: the summary, the plan, the validation, the placeholders and the object diff. Nothing is cut. */
export function formatReviewJson(review: Review): string {
  const { base, refused, plan, validation, unrecorded, placeholders, diff } = review;
  return `${JSON.stringify({ base, refused, summary: summaryOf(review), plan, validation, unrecorded, placeholders, diff }, null, 2)}\n`;
}
