import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';
import { activeKarpenterRelease, KarpenterRelease } from '../karpenter-release';
import { karpenterMetrics } from './karpenter-metrics';

/**
 * The label names a PromQL query can rely on for Karpenter's metrics, as they are once Prometheus
 * has scraped them through a ServiceMonitor: the metric's own labels at the Karpenter release (src/monitoring/karpenter-metrics*.json,
 * from its source) plus the labels the Prometheus Operator gives every target of a
 * ServiceMonitor endpoint (prometheus-operator v0.93.0 pkg/prometheus/promcfg.go
 * generateServiceMonitorConfig: namespace, service, pod, container from the endpoint's metadata,
 * job from the Service's name, endpoint from the port; Prometheus adds instance). With
 * honorLabels false, the operator's default, the target's labels win: a metric's own label of the
 * same name is renamed exported_<name> (prometheus v3.13.1 scrape/scrape.go mutateSampleLabels,
 * resolveConflictingExposedLabels), so `namespace` on karpenter_pods_unbound_time_seconds is the
 * Karpenter Service's namespace, and the pod's is `exported_namespace`.
 */

/** How a target's samples are labelled: the labels the scrape gives the target, and whose win on a clash. */
export interface Scrape {
  /** The endpoint's honorLabels: true keeps the metric's own label on a clash, false renames it exported_<name>. */
  readonly honorLabels: boolean;
  /** The target's labels after relabelling. */
  readonly targetLabels: readonly string[];
}

/** A ServiceMonitor endpoint's targets as prometheus-operator v0.93.0 labels them, without targetLabels, podTargetLabels or relabelings. */
export const SERVICE_MONITOR_SCRAPE: Scrape = { honorLabels: false, targetLabels: ['container', 'endpoint', 'instance', 'job', 'namespace', 'pod', 'service'] };

/** A ServiceMonitor's scrape, from its spec and the endpoint's: targetLabels and podTargetLabels add target labels (promcfg.go sanitizeLabelName). */
export function serviceMonitorScrape(spec: Record<string, unknown>, endpoint: Record<string, unknown>): Scrape {
  const sanitize = (l: unknown) => String(l).replace(/[^a-zA-Z0-9_]/g, '_');
  const extra = [spec.targetLabels, spec.podTargetLabels].flatMap((l) => (Array.isArray(l) ? l.map(sanitize) : []));
  return { honorLabels: endpoint.honorLabels === true, targetLabels: [...new Set([...SERVICE_MONITOR_SCRAPE.targetLabels, ...extra])].sort() };
}


/** The labels of a set of series, when known: the names, which of them were renamed by the scrape, and where they come from. */
interface Known {
  readonly names: ReadonlySet<string>;
  /** A target label that displaced the metric's own label of the same name → the name the metric's label now has. */
  readonly renamed: ReadonlyMap<string, string>;
  /** What the series are, for messages: a metric name, or "the expression". */
  readonly source: string;
}
type Labels = Known | undefined;

/** The series' labels once scraped, for a Karpenter metric whose labels are known (with its histogram or summary series). */
export function scrapedLabels(metric: string, scrape: Scrape, release: KarpenterRelease = activeKarpenterRelease()): Known | undefined {
  const METRICS = karpenterMetrics(release);
  let entry = METRICS.get(metric);
  const extra: string[] = [];
  if (entry?.type === 'summary') extra.push('quantile');
  if (!entry) {
    const suffix = ['_bucket', '_sum', '_count'].find((s) => metric.endsWith(s));
    const base = suffix ? METRICS.get(metric.slice(0, -suffix.length)) : undefined;
    if (!base || (base.type !== 'histogram' && base.type !== 'summary') || (suffix === '_bucket' && base.type !== 'histogram')) return undefined;
    entry = base;
    if (suffix === '_bucket') extra.push('le');
  }
  if (!entry.labels) return undefined;
  const own = [...entry.labels, ...extra];
  const names = new Set(own);
  const renamed = new Map<string, string>();
  for (const target of scrape.targetLabels) {
    if (names.has(target) && !scrape.honorLabels) {
      // resolveConflictingExposedLabels: exported_<name>, prefixed again while that name is taken.
      let exported = target;
      do exported = `exported_${exported}`;
      while (names.has(exported));
      names.add(exported);
      renamed.set(target, exported);
    }
    names.add(target);
  }
  return { names, renamed, source: metric };
}

/** A label a query names that the series do not carry, or that the scrape gave another meaning. */
export interface LabelProblem {
  readonly message: string;
  /** Offset in the expression. */
  readonly at: number;
}

const CITATION = 'prometheus-operator v0.93.0 pkg/prometheus/promcfg.go; prometheus scrape/scrape.go mutateSampleLabels';

function listOf(names: ReadonlySet<string>): string {
  const sorted = [...names].sort();
  return sorted.length === 0 ? 'no labels' : sorted.length > 12 ? `${sorted.slice(0, 12).join(', ')} and ${sorted.length - 12} more` : sorted.join(', ');
}

/** Problems of naming `label` on series `labels`, with what naming it does (`effect`) if they lack it. */
function labelProblem(label: string, labels: Labels, effect: string): string | undefined {
  if (!labels || label === '__name__') return undefined;
  const exported = labels.renamed.get(label);
  if (exported) {
    return `label ${label} of ${labels.source} is the scrape target's (the Service's ${label}), not Karpenter's own: with honorLabels false the scrape renames the metric's ${label} to ${exported} (${CITATION}). Use ${exported}`;
  }
  if (!labels.names.has(label)) return `label ${label} is not one the series of ${labels.source} carry once scraped (${listOf(labels.names)}): ${effect}`;
  return undefined;
}

const text = (expr: string, node: SyntaxNode) => expr.slice(node.from, node.to);
const children = (node: SyntaxNode | null): SyntaxNode[] => {
  const out: SyntaxNode[] = [];
  for (let c = node?.firstChild ?? null; c; c = c.nextSibling) out.push(c);
  return out;
};
const EXPRESSIONS = new Set(['AggregateExpr', 'BinaryExpr', 'FunctionCall', 'MatrixSelector', 'NumberDurationLiteral', 'OffsetExpr', 'AnchoredExpr', 'SmoothedExpr', 'ParenExpr', 'StringLiteral', 'SubqueryExpr', 'UnaryExpr', 'VectorSelector', 'StepInvariantExpr']);
const exprChildren = (node: SyntaxNode | null) => children(node).filter((c) => EXPRESSIONS.has(c.name));
const unquote = (s: string) => s.replace(/^["'`]|["'`]$/g, '');
const groupingLabels = (expr: string, node: SyntaxNode | null | undefined) => children(node ?? null).filter((c) => c.name === 'LabelName' || c.name === 'QuotedLabelName').map((c) => ({ name: unquote(text(expr, c)), at: c.from }));
const SCALAR: Known = { names: new Set(), renamed: new Map(), source: 'a scalar' };

/** Which labels of a Labels remain among `names`, keeping what the scrape renamed. */
function restrict(labels: Known, names: Iterable<string>, source = labels.source): Known {
  const kept = new Set(names);
  return { names: kept, renamed: new Map([...labels.renamed].filter(([l]) => kept.has(l))), source };
}

/**
 * The label names an expression names (matchers, by/without, on/ignoring, group_left/right,
 * label_replace's and sort_by_label's labels) checked against the labels the series carry once
 * scraped; and the labels of the expression's own series, when they can be told (for alert
 * templates). Only what is known is checked: metrics other than Karpenter's are not.
 */
export function checkLabels(expr: string, scrape: Scrape = SERVICE_MONITOR_SCRAPE, release: KarpenterRelease = activeKarpenterRelease()): { problems: LabelProblem[]; output: ReadonlySet<string> | undefined; renamed: ReadonlyMap<string, string> } {
  const problems: LabelProblem[] = [];
  const tree = parser.parse(expr);
  let broken = false;
  tree.iterate({ enter: (n) => void (n.type.isError && (broken = true)) });
  if (broken) return { problems, output: undefined, renamed: new Map() };
  const report = (label: string, labels: Labels, at: number, effect: string) => {
    const message = labelProblem(label, labels, effect);
    if (message) problems.push({ message, at });
  };

  const infer = (node: SyntaxNode): Labels => {
    switch (node.name) {
      case 'VectorSelector': {
        const identifier = node.getChild('Identifier');
        const matchers = children(node.getChild('LabelMatchers')).filter((m) => m.name === 'UnquotedLabelMatcher' || m.name === 'QuotedLabelMatcher');
        const named = matchers.map((m) => ({ label: unquote(text(expr, m.firstChild!)), value: m.lastChild, at: m.from }));
        const metric = identifier ? text(expr, identifier) : named.find((m) => m.label === '__name__' && m.value)?.value;
        const name = typeof metric === 'string' ? metric : metric ? unquote(text(expr, metric)) : undefined;
        const labels = name ? scrapedLabels(name, scrape, release) : undefined;
        for (const m of named) report(m.label, labels, m.at, 'the matcher compares an empty value');
        return labels;
      }
      case 'NumberDurationLiteral':
      case 'StringLiteral':
        return SCALAR;
      case 'FunctionCall':
        return inferCall(node);
      case 'AggregateExpr':
        return inferAggregate(node);
      case 'BinaryExpr':
        return inferBinary(node);
      default: {
        // Parentheses, offsets, @, ranges, subqueries, unary minus: the inner expression's series.
        const inner = exprChildren(node)[0];
        return inner ? infer(inner) : undefined;
      }
    }
  };

  const inferCall = (node: SyntaxNode): Labels => {
    const fn = text(expr, node.getChild('FunctionIdentifier')!);
    const args = exprChildren(node.getChild('FunctionCallBody'));
    const inferred = args.map(infer);
    const stringArg = (i: number) => (args[i]?.name === 'StringLiteral' ? unquote(text(expr, args[i]!)) : undefined);
    switch (fn) {
      case 'label_replace':
      case 'label_join': {
        const base = inferred[0];
        // label_replace(v, dst, replacement, src, regex); label_join(v, dst, separator, src...).
        const sources = fn === 'label_replace' ? [3] : args.map((_, i) => i).filter((i) => i >= 3);
        for (const i of sources) {
          const src = stringArg(i);
          if (src !== undefined && src !== '') report(src, base, args[i]!.from, `${fn} reads an empty value`);
        }
        const dst = stringArg(1);
        return base && dst ? restrict(base, [...base.names, dst]) : undefined;
      }
      case 'sort_by_label':
      case 'sort_by_label_desc':
        args.slice(1).forEach((a, i) => {
          const label = stringArg(i + 1);
          if (label !== undefined) report(label, inferred[0], a.from, 'it sorts by an empty value');
        });
        return inferred[0];
      case 'histogram_quantile':
      case 'histogram_fraction': {
        const v = inferred[inferred.length - 1];
        return v ? restrict(v, [...v.names].filter((l) => l !== 'le')) : undefined;
      }
      case 'absent':
      case 'absent_over_time':
      case 'info':
        return undefined;
      case 'vector':
        return { names: new Set(), renamed: new Map(), source: 'vector()' };
      case 'scalar':
      case 'time':
      case 'pi':
        return SCALAR;
      default:
        // The other functions keep the labels of their vector argument (less the metric name).
        return inferred.find((l) => l !== SCALAR);
    }
  };

  const inferAggregate = (node: SyntaxNode): Labels => {
    const op = text(expr, node.getChild('AggregateOp')!);
    const args = exprChildren(node.getChild('FunctionCallBody'));
    const inferred = args.map(infer);
    const input = inferred[inferred.length - 1];
    const modifier = node.getChild('AggregateModifier');
    const grouping = groupingLabels(expr, modifier?.getChild('GroupingLabels'));
    const without = modifier?.getChild('Without') !== null && modifier !== null;
    for (const g of grouping) report(g.name, input, g.at, without ? 'without() removes nothing' : 'the aggregation groups every series under an empty value');
    if (['topk', 'bottomk', 'limitk', 'limit_ratio'].includes(op)) return input;
    if (!input) return undefined;
    const names = modifier ? (without ? [...input.names].filter((l) => !grouping.some((g) => g.name === l)) : grouping.map((g) => g.name)) : [];
    const label = op === 'count_values' && args[0]?.name === 'StringLiteral' ? [unquote(text(expr, args[0]))] : [];
    return restrict(input, [...names, ...label], `the aggregation of ${input.source}`);
  };

  const inferBinary = (node: SyntaxNode): Labels => {
    const [lhs, rhs] = exprChildren(node);
    const left = lhs ? infer(lhs) : undefined;
    const right = rhs ? infer(rhs) : undefined;
    if (left === SCALAR) return right;
    if (right === SCALAR) return left;
    const clause = node.getChild('MatchingModifierClause');
    const lists = clause ? children(clause).filter((c) => c.name === 'GroupingLabels') : [];
    const matching = groupingLabels(expr, lists[0]);
    const on = clause?.getChild('On') !== null && clause !== null;
    for (const m of matching) {
      if (on) {
        report(m.name, left, m.at, 'on() matches every series of that side under an empty value');
        report(m.name, right, m.at, 'on() matches every series of that side under an empty value');
      } else if (left && right && !left.names.has(m.name) && !right.names.has(m.name)) {
        report(m.name, left, m.at, 'ignoring() ignores nothing');
      }
    }
    const include = groupingLabels(expr, lists[1]);
    const groupLeft = clause?.getChild('GroupLeft') !== null && clause !== null;
    const groupRight = clause?.getChild('GroupRight') !== null && clause !== null;
    for (const g of include) report(g.name, groupLeft ? right : left, g.at, `${groupLeft ? 'group_left' : 'group_right'}() copies an empty value`);
    const op = children(node).find((c) => !EXPRESSIONS.has(c.name) && c.name !== 'BoolModifier' && c.name !== 'MatchingModifierClause')?.name;
    if (groupRight) return right ? restrict(right, [...right.names, ...include.map((g) => g.name)]) : undefined;
    if (groupLeft) return left ? restrict(left, [...left.names, ...include.map((g) => g.name)]) : undefined;
    if (op === 'Or') return left && right ? { names: new Set([...left.names, ...right.names]), renamed: new Map([...left.renamed, ...right.renamed]), source: left.source } : undefined;
    return left;
  };

  const top = exprChildren(tree.topNode)[0];
  const output = top ? infer(top) : undefined;
  return { problems, output: output?.names, renamed: output?.renamed ?? new Map() };
}

/** `$labels.x`, `.Labels.x` and `index $labels "x"` in an alert's label or annotation template. */
export function templateLabels(template: string): { label: string; at: number }[] {
  const out: { label: string; at: number }[] = [];
  for (const m of template.matchAll(/(?:\$labels|\.Labels)\.([a-zA-Z_][a-zA-Z0-9_]*)|index\s+(?:\$labels|\.Labels)\s+"([^"]+)"/g)) out.push({ label: (m[1] ?? m[2])!, at: m.index });
  return out;
}

/** What is wrong with a template naming `label` of an alert whose series carry `output`. */
export function templateLabelProblem(label: string, output: ReadonlySet<string>, renamed: ReadonlyMap<string, string>): string | undefined {
  const exported = renamed.get(label);
  if (exported) return `names the alert's label ${label}, which is the scrape target's (the Service's ${label}), not Karpenter's own: the scrape renamed that to ${exported} (${CITATION}). Use ${exported}`;
  if (!output.has(label)) return `names the alert's label ${label}, which its expression's series do not carry (${listOf(output)}): it renders empty`;
  return undefined;
}
