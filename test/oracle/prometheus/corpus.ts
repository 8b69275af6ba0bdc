import { random } from '../../random';

/**
 * The seeded corpus Prometheus' own parsers judge (oracle/prometheus, Prometheus v3.13.1) and the
 * promql rule must agree with (packages/karpenter-validate/src/monitoring/promql.ts): the queries of our alerts and dashboard
 * as they were written (fixed here, not read from the live dist/), each with seeded typos: a
 * character dropped, doubled, swapped with the next, replaced, or inserted, a word misspelt, a
 * bracket lost. Most typos break the query, some leave PromQL that still parses; either way
 * Prometheus and the rule must say the same. Plus rule groups (PrometheusRule specs) with typos in
 * what rulefmt reads: group names, record and alert, labels and annotation templates.
 */
export const PROMETHEUS_SEED = 2205;
const TYPOS = 600;
const RULE_TYPOS = 120;

/** Our alerts' and dashboard's queries (lib/monitoring/alerts.ts, dashboard.ts), with representative thresholds. */
export const BASE_QUERIES: readonly string[] = [
  'up{job="karpenter",namespace="kube-system"} == 0 or absent(up{job="karpenter",namespace="kube-system"})',
  'sum by (nodepool, reason) (increase(karpenter_nodeclaims_disrupted_total{reason=~"insufficient_capacity|nodeclass_not_ready|launch_timeout"}[30m])) > 2',
  'sum by (nodepool) (increase(karpenter_nodeclaims_disrupted_total{reason="registration_timeout"}[1h])) > 0',
  'sum by (method, error) (increase(karpenter_cloudprovider_errors_total{method="Create"}[15m])) > 3',
  'max by (exported_namespace, name) (karpenter_pods_unbound_time_seconds) > 600',
  'max(karpenter_scheduler_unschedulable_pods_count) > 0',
  'max by (name) (operator_nodepool_status_condition_count{type="Ready",status="False"}) > 0',
  'max by (name) (operator_ec2nodeclass_status_condition_count{type="Ready",status="False"}) > 0',
  'sum by (message_type) (increase(karpenter_interruption_received_messages_total{message_type!="no_op"}[30m])) > 5',
  'sum by (nodepool, reason) (increase(karpenter_nodeclaims_disrupted_total{reason=~"drifted|expired|underutilized|empty"}[1h])) > 10',
  'sum by (reason) (increase(karpenter_voluntary_disruption_queue_failures_total[1h])) > 0',
  'max(karpenter_cluster_state_synced) == 0',
  'sum by (node_name, nodepool) (karpenter_nodes_allocatable{resource_type="nvidia.com/gpu"}) > 0\nunless on (node_name)\nsum by (node_name) (karpenter_nodes_total_pod_requests{resource_type="nvidia.com/gpu"}) > 0',
  'karpenter_nodepools_cost_total{nodepool="gpu-spot"} > 12.6\nor\nkarpenter_nodepools_cost_total{nodepool="default"} > 0.5',
  'karpenter_nodepools_usage{nodepool="gpu-spot",resource_type="cpu"} / 64 >= 0.9\nor\nkarpenter_nodepools_usage{nodepool="gpu-spot",resource_type="memory"} / 274877906944 >= 0.9',
  'count by (nodepool) (karpenter_nodes_allocatable{resource_type="cpu",nodepool=~"$nodepool"})',
  'karpenter_nodepools_usage{nodepool=~"$nodepool"} / on (nodepool, resource_type) karpenter_nodepools_limit{nodepool=~"$nodepool"}',
  'sum(karpenter_pods_state{phase="Pending"})',
  'sum by (nodepool) (karpenter_nodes_total_pod_requests{resource_type="cpu",nodepool=~"$nodepool"}) / sum by (nodepool) (karpenter_nodes_allocatable{resource_type="cpu",nodepool=~"$nodepool"})',
  'sum by (nodepool, reason) (increase(karpenter_nodeclaims_disrupted_total{nodepool=~"$nodepool"}[5m]))',
  'sum by (message_type) (increase(karpenter_interruption_received_messages_total{message_type!="no_op"}[5m]))',
  'karpenter_nodepools_allowed_disruptions{nodepool=~"$nodepool"}',
  'sum by (nodepool) (karpenter_nodepools_cost_total{nodepool=~"$nodepool"})',
  'avg by (Hostname, modelName) (DCGM_FI_DEV_GPU_UTIL)',
  'histogram_quantile(0.99, sum by (le) (rate(karpenter_pods_bound_duration_seconds_bucket[5m])))',
  'quantile_over_time(0.9, karpenter_nodepools_usage[1h]) > bool 0.5',
  'topk(3, sum by (nodepool) (karpenter_nodepools_cost_total)) offset 1h',
  'label_replace(karpenter_nodepools_limit, "pool", "$1", "nodepool", "(.*)")',
];

/** Characters a typo inserts or replaces with: PromQL's own, and letters. */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz_0123456789(){}[]"=~!<>+-*/^%.:, @\'`#';
const WORDS: readonly (readonly [string, readonly string[]])[] = [
  ['sum', ['sun', 'summ', 'Sum', 'su']],
  ['max', ['mx', 'maxx', 'mac']],
  ['increase', ['increas', 'incrase', 'increase_']],
  ['rate', ['rte', 'rates']],
  ['by', ['bye', 'b', 'on']],
  ['unless', ['unles', 'except']],
  ['or', ['of', 'OR', 'ore']],
  ['on', ['in', 'by']],
  ['absent', ['absnet', 'absent_']],
  ['histogram_quantile', ['histogram_quantiles', 'histogramquantile']],
  ['offset', ['ofset', '@']],
  ['bool', ['boolean', 'bol']],
];

/** One typo in a query. */
function typo(query: string, next: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const i = Math.floor(next() * query.length);
  switch (Math.floor(next() * 7)) {
    case 0:
      return query.slice(0, i) + query.slice(i + 1);
    case 1:
      return query.slice(0, i) + query[i] + query.slice(i);
    case 2:
      return i < query.length - 1 ? query.slice(0, i) + query[i + 1] + query[i] + query.slice(i + 2) : query.slice(0, -1);
    case 3:
      return query.slice(0, i) + pick([...ALPHABET]) + query.slice(i + 1);
    case 4:
      return query.slice(0, i) + pick([...ALPHABET]) + query.slice(i);
    case 5: {
      const words = WORDS.filter(([w]) => new RegExp(`\\b${w}\\b`).test(query));
      if (words.length === 0) return query.replace(/[()[\]{}]/, '');
      const [word, wrong] = pick(words);
      return query.replace(new RegExp(`\\b${word}\\b`), pick(wrong));
    }
    default: {
      const brackets = [...query.matchAll(/[()[\]{}"]/g)];
      if (brackets.length === 0) return query.slice(0, i);
      const at = pick(brackets).index;
      return query.slice(0, at) + query.slice(at + 1);
    }
  }
}

export interface QueryCase {
  readonly name: string;
  readonly query: string;
}

/** The base queries, then TYPOS seeded typos of them. */
export function queryCorpus(): QueryCase[] {
  const next = random(PROMETHEUS_SEED);
  const cases: QueryCase[] = BASE_QUERIES.map((query, i) => ({ name: `base ${i}`, query }));
  for (let n = 0; n < TYPOS; n++) {
    const base = Math.floor(next() * BASE_QUERIES.length);
    let query = typo(BASE_QUERIES[base]!, next);
    if (next() < 0.15) query = typo(query, next);
    cases.push({ name: `typo ${n} of base ${base}`, query });
  }
  return cases;
}

export interface RuleCase {
  readonly name: string;
  /** A PrometheusRule's spec. */
  readonly spec: Record<string, any>;
}

const ALERT = {
  alert: 'KarpenterPodsWaitingForCapacity',
  expr: 'max by (exported_namespace, name) (karpenter_pods_unbound_time_seconds) > 600',
  for: '5m',
  labels: { severity: 'warning' },
  annotations: {
    summary: 'Pod {{ $labels.exported_namespace }}/{{ $labels.name }} has waited over 10 minutes for a node',
    description: 'Karpenter sees a pod unbound for {{ $value | humanizeDuration }}.',
    runbook: 'kubectl describe pod -n {{ $labels.exported_namespace }} {{ $labels.name }}',
  },
};
const RECORD = { record: 'karpenter:nodepools_usage:ratio', expr: 'karpenter_nodepools_usage / on (nodepool, resource_type) karpenter_nodepools_limit' };

/** Rule groups with one typo each in what rulefmt reads (and some with none). */
export function ruleCorpus(): RuleCase[] {
  const next = random(PROMETHEUS_SEED + 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const templates = [
    'Pod {{ $labels.exported_namespace }/{{ $labels.name }}',
    '{{ $value | humanise }}',
    '{{ $label.name }}',
    '{{ $labels.name }} {{ end }}',
    '{{ if $labels.name }}{{ $labels.name }}',
    '{{ $value | humanizePercentage }}',
    '{{ printf "%.2f" $value }}',
    '{{ $labels.name | title }}',
    '{{ $labels.name | reReplaceAll "-" "_" }}',
    '{{ with $labels.name }}{{ . }}{{ end }}',
    '{{ range $k, $v := $labels }}{{ $k }}={{ $v }} {{ end }}',
    '{{ $value | humanize1024 }}',
    '{{ $externalLabels.cluster }}',
    '{{ .Labels.name }}',
    '{{ $labels.name | toUpper }}',
    '{{ $labels }}{{',
    '{{ humanizeDuration }}',
    '{{ query "up" | first | value }}',
    '{{ "x" | safeHtml }}',
    '{{- $labels.name -}}',
  ];
  const cases: RuleCase[] = [
    { name: 'rules: as emitted', spec: { groups: [{ name: 'karpenter', rules: [ALERT, RECORD] }] } },
    { name: 'rules: two groups', spec: { groups: [{ name: 'a', rules: [ALERT] }, { name: 'b', rules: [RECORD] }] } },
  ];
  for (let n = 0; n < RULE_TYPOS; n++) {
    const alert: Record<string, any> = structuredClone(ALERT);
    const record: Record<string, any> = structuredClone(RECORD);
    const groups: Record<string, any>[] = [{ name: 'karpenter', rules: [alert, record] }];
    let what: string;
    switch (Math.floor(next() * 9)) {
      case 0:
        alert.expr = typo(alert.expr, next);
        what = `expr ${JSON.stringify(alert.expr)}`;
        break;
      case 1:
        groups.push({ name: pick(['karpenter', 'karpenter ', 'Karpenter', '']), rules: [structuredClone(RECORD)] });
        what = `second group ${JSON.stringify(groups[1]!.name)}`;
        break;
      case 2:
        record.record = pick(['karpenter:nodepools usage', 'karpenter_nodepools{x="y"}', '1karpenter', 'karpenter-usage', 'karpenter:usage:ratio']);
        what = `record ${JSON.stringify(record.record)}`;
        break;
      case 3: {
        const key = pick(['severity', 'team-name', 'team name', '__name__', '1team', 'team.name', 'ok_label']);
        alert.labels = { ...alert.labels, [key]: 'x' };
        what = `label ${JSON.stringify(key)}`;
        break;
      }
      case 4: {
        const key = pick(['summary', 'run-book', 'run book', 'dashboard_url', '0x']);
        alert.annotations = { ...alert.annotations, [key]: 'x' };
        what = `annotation ${JSON.stringify(key)}`;
        break;
      }
      case 5:
      case 6: {
        const key = pick(['summary', 'description', 'runbook']);
        alert.annotations = { ...alert.annotations, [key]: pick(templates) };
        what = `template ${key}=${JSON.stringify(alert.annotations[key])}`;
        break;
      }
      case 7:
        if (next() < 0.5) record.alert = 'Both';
        else delete alert.expr;
        what = record.alert ? 'record and alert' : 'no expr';
        break;
      default:
        record.expr = typo(record.expr, next);
        what = `record expr ${JSON.stringify(record.expr)}`;
    }
    cases.push({ name: `rules ${n}: ${what}`, spec: { groups } });
  }
  return cases;
}
