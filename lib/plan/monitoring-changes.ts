import { checkLabels, karpenterMetrics, metricNames, SERVICE_MONITOR_SCRAPE } from 'karpenter-validate/monitoring';
import type { KarpenterRelease } from 'karpenter-validate/model';
import { isObject, Json } from 'karpenter-validate/model';
import { KubeObject } from 'karpenter-validate';
import { LABEL_VALUE_CHANGES } from './karpenter-releases';

/**
 * What a Karpenter upgrade does to an environment's alerts and dashboard panels: each PromQL query
 * of its PrometheusRules and of its Grafana dashboards (ConfigMaps the sidecar loads) read against
 * both releases' metric lists (packages/karpenter-validate/src/monitoring/karpenter-metrics*.json,
 * generated from each release's source) with the labels a ServiceMonitor's scrape leaves: metrics
 * and labels that no longer exist, labels added (whether the query sums them away or its series
 * split by them), and label values added or renamed that its matchers do or do not select
 * (karpenter-releases.ts LABEL_VALUE_CHANGES).
 */

export type MonitoringChangeKind = 'metric-gone' | 'label-gone' | 'labels-added' | 'value-added' | 'value-renamed';

export interface MonitoringChange {
  /** `alert KarpenterNodesFailingToLaunch` or `panel "Disruptions by reason"`. */
  readonly where: string;
  readonly metric: string;
  readonly change: MonitoringChangeKind;
  /** Whether what the query returns changes (a metric or label gone, series that split, values it now counts). */
  readonly affects: boolean;
  readonly text: string;
}

/** The PromQL queries of a set: alert rules, and dashboard panels' targets. */
export function queriesOf(objects: readonly KubeObject[]): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  for (const o of objects) {
    if (o.kind === 'PrometheusRule') {
      for (const group of Array.isArray((o.spec as Json)?.groups) ? ((o.spec as Json).groups as Json[]) : []) {
        for (const rule of Array.isArray(group?.rules) ? (group.rules as Json[]) : []) {
          if (typeof rule?.expr === 'string') out.push({ where: rule.alert ? `alert ${rule.alert}` : `rule ${rule.record}`, expr: rule.expr });
        }
      }
    }
    if (o.kind === 'ConfigMap' && isObject(o.metadata?.labels) && 'grafana_dashboard' in o.metadata!.labels!) {
      for (const text of Object.values(isObject(o.data) ? o.data : {})) {
        let model: Json;
        try {
          model = JSON.parse(String(text)) as Json;
        } catch {
          continue;
        }
        const panels = (list: unknown): Json[] => (Array.isArray(list) ? (list as Json[]).flatMap((p) => [p, ...panels(p?.panels)]) : []);
        for (const panel of panels(model.panels)) {
          for (const target of Array.isArray(panel?.targets) ? (panel.targets as Json[]) : []) if (typeof target?.expr === 'string') out.push({ where: `panel "${panel.title}"`, expr: target.expr.replace(/\$__rate_interval|\$\{__rate_interval\}/g, '5m') });
        }
        if (isObject(model.templating)) {
          for (const v of Array.isArray(model.templating.list) ? (model.templating.list as Json[]) : []) {
            const query = typeof v?.query === 'string' ? v.query : isObject(v?.query) ? v.query.query : undefined;
            const inner = typeof query === 'string' ? /^label_values\((.+),\s*\w+\)$/.exec(query)?.[1] : undefined;
            if (inner) out.push({ where: `variable $${v.name}`, expr: inner });
          }
        }
      }
    }
  }
  return out;
}

/** The matchers of `metric`'s selectors in an expression: `label op "value"`. */
function matchersOf(expr: string, metric: string): { label: string; op: string; value: string }[] {
  const out: { label: string; op: string; value: string }[] = [];
  for (const selector of expr.matchAll(new RegExp(`\\b${metric}\\b(?:\\{([^}]*)\\})?`, 'g'))) {
    for (const m of (selector[1] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)) out.push({ label: m[1]!, op: m[2]!, value: m[3]! });
  }
  return out;
}

/** Whether a label value passes a selector's matchers on that label (Prometheus anchors regular expressions). */
function selects(matchers: readonly { label: string; op: string; value: string }[], label: string, value: string): boolean {
  return matchers
    .filter((m) => m.label === label)
    .every((m) => (m.op === '=' ? value === m.value : m.op === '!=' ? value !== m.value : new RegExp(`^(?:${m.value})$`).test(value) === (m.op === '=~')));
}

/** Every change the upgrade from `from` to `to` makes to the queries of a set. */
export function monitoringChanges(objects: readonly KubeObject[], from: KarpenterRelease, to: KarpenterRelease): MonitoringChange[] {
  const [old, now] = [karpenterMetrics(from), karpenterMetrics(to)];
  const out: MonitoringChange[] = [];
  for (const { where, expr } of queriesOf(objects)) {
    let names: string[];
    try {
      names = [...new Set(metricNames(expr))].filter((n) => n.startsWith('karpenter_') || n.startsWith('operator_'));
    } catch {
      continue;
    }
    const base = (n: string) => (now.has(n) || old.has(n) ? n : n.replace(/_(bucket|sum|count)$/, ''));
    const [labelsBefore, labelsAfter] = [checkLabels(expr, SERVICE_MONITOR_SCRAPE, from), checkLabels(expr, SERVICE_MONITOR_SCRAPE, to)];
    for (const problem of labelsAfter.problems.filter((p) => !labelsBefore.problems.some((q) => q.message === p.message))) {
      out.push({ where, metric: names.join(', '), change: 'label-gone', affects: true, text: `a label it names no longer exists: ${problem.message}` });
    }
    for (const name of names) {
      const metric = base(name);
      if (old.has(metric) && !now.has(metric)) {
        out.push({ where, metric, change: 'metric-gone', affects: true, text: `${metric} is no longer exported by Karpenter ${to}: the query returns nothing${where.startsWith('alert') ? ' and the alert never fires' : ''}` });
        continue;
      }
      const added = (now.get(metric)?.labels ?? []).filter((l) => !(old.get(metric)?.labels ?? []).includes(l));
      if (added.length > 0) {
        const split = labelsAfter.output !== undefined && labelsBefore.output !== undefined && added.some((l) => labelsAfter.output!.has(l) && !labelsBefore.output!.has(l));
        out.push({
          where,
          metric,
          change: 'labels-added',
          affects: split,
          text: split
            ? `${metric} gains labels ${added.join(', ')}, which the query keeps: its series split by them${where.startsWith('alert') ? ', and the alert fires once per value' : ''}`
            : `${metric} gains labels ${added.join(', ')}; the query sums them away: what it returns is unchanged`,
        });
      }
      for (const change of LABEL_VALUE_CHANGES[to].filter((c) => c.metric === metric)) {
        const matchers = matchersOf(expr, name);
        if (change.added) {
          const counted = change.added.filter((v) => selects(matchers, change.label, v));
          out.push({
            where,
            metric,
            change: 'value-added',
            affects: counted.length > 0,
            text:
              counted.length > 0
                ? `now also counts ${change.label}=${counted.map((v) => JSON.stringify(v)).join(', ')}: ${change.why}`
                : `new ${change.label} values ${change.added.map((v) => JSON.stringify(v)).join(', ')} are not selected by its matchers (${change.why})`,
          });
        }
        if (change.renamed) {
          const [was, is] = change.renamed;
          const shows = labelsAfter.output?.has(change.label) ?? false;
          const selectedBefore = selects(matchers, change.label, was);
          const selectedAfter = selects(matchers, change.label, is);
          const affects = shows || selectedBefore !== selectedAfter;
          out.push({
            where,
            metric,
            change: 'value-renamed',
            affects,
            text: `${change.label} ${JSON.stringify(was)} becomes ${JSON.stringify(is)}${shows ? `, which the ${where.startsWith('alert') ? "alert's labels and text" : 'legend'} show` : ''}${selectedBefore !== selectedAfter ? `; its matchers ${selectedAfter ? 'now select' : 'no longer select'} those series` : ''}: ${change.why}`,
          });
        }
      }
    }
  }
  return out;
}
