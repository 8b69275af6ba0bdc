import { checkPromql, unknownKarpenterMetric } from '../monitoring/promql';
import { child, KubeObject, Reporter } from './findings';
import { isObject, Json } from './pods';

/**
 * Alerting rules and dashboards: every PromQL expression of a PrometheusRule (which the Prometheus
 * Operator's admission webhook and Prometheus itself refuse when it does not parse), and of a
 * Grafana dashboard shipped in a ConfigMap for the sidecar, is parsed and its Karpenter metric
 * names checked (lib/monitoring/promql.ts). Alerts should carry what the person paged needs.
 * @see https://prometheus-operator.dev/docs/platform/prometheus-rules/
 */

const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);

/** Labels kube-prometheus-stack's Grafana sidecar (and the upstream grafana chart's) loads dashboards by, by default. */
const DASHBOARD_LABELS = ['grafana_dashboard'];

// Grafana replaces these before the query reaches Prometheus; a duration stands in for them here.
const GRAFANA_DURATIONS = /\$\{?__(rate_interval|interval|range)(_ms|_s)?\}?/g;

function reportExpr(reporter: Reporter, path: string, expr: string): void {
  for (const problem of checkPromql(expr)) reporter.report('promql', path, `${problem.message}`, expr.length > 120 ? `${expr.slice(0, 117)}...` : expr);
}

function checkRules(object: KubeObject, reporter: Reporter): void {
  const groups = list((object.spec as Json)?.groups);
  const names = new Set<string>();
  groups.forEach((group, g) => {
    const at = child(child('spec', 'groups'), g);
    if (typeof group.name === 'string') {
      if (names.has(group.name)) reporter.report('promql', child(at, 'name'), 'is the name of an earlier group too: Prometheus refuses to load a rule file with a repeated group name', group.name);
      names.add(group.name);
    }
    list(group.rules).forEach((rule, r) => {
      const ruleAt = child(child(at, 'rules'), r);
      const expr = typeof rule.expr === 'number' ? String(rule.expr) : rule.expr;
      if (typeof expr === 'string') reportExpr(reporter, child(ruleAt, 'expr'), expr);
      if (typeof rule.alert !== 'string') return;
      const missing = [
        typeof rule.labels?.severity !== 'string' ? 'labels.severity' : undefined,
        ...['summary', 'description'].map((k) => (typeof rule.annotations?.[k] !== 'string' ? `annotations.${k}` : undefined)),
        typeof rule.annotations?.runbook !== 'string' && typeof rule.annotations?.runbook_url !== 'string' ? 'annotations.runbook_url (or runbook)' : undefined,
      ].filter(Boolean);
      if (missing.length > 0) reporter.report('alert-metadata', ruleAt, `alert ${rule.alert} has no ${missing.join(', ')}: Alertmanager routes by severity, and the person paged needs to know what broke and what to do`, rule.alert);
    });
  });
}

/** Every panel of a dashboard model, rows' nested panels included. */
function panels(model: Json): Json[] {
  return list(model.panels).flatMap((p) => [p, ...panels(p)]);
}

function checkDashboards(object: KubeObject, reporter: Reporter): void {
  const labels = (object.metadata?.labels ?? {}) as Record<string, unknown>;
  if (!DASHBOARD_LABELS.some((l) => typeof labels[l] === 'string')) return;
  for (const [key, text] of Object.entries(isObject(object.data) ? object.data : {})) {
    if (typeof text !== 'string' || !key.endsWith('.json')) continue;
    const at = `data[${JSON.stringify(key)}]`;
    let model: unknown;
    try {
      model = JSON.parse(text);
    } catch (error) {
      reporter.report('promql', at, `is not JSON (${(error as Error).message}): the Grafana sidecar skips the dashboard`);
      continue;
    }
    if (!isObject(model)) continue;
    panels(model).forEach((panel) => {
      list(panel.targets).forEach((target, t) => {
        if (typeof target.expr !== 'string') return;
        reportExpr(reporter, `${at} panel ${JSON.stringify(panel.title ?? panel.id ?? '?')} targets[${t}].expr`, target.expr.replace(GRAFANA_DURATIONS, '5m'));
      });
    });
    list(model.templating?.list).forEach((variable) => {
      const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
      const metric = typeof query === 'string' ? /^\s*label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(query)?.[1] : undefined;
      const unknown = metric ? unknownKarpenterMetric(metric) : undefined;
      if (unknown) reporter.report('promql', `${at} templating variable ${JSON.stringify(variable.name)}`, unknown, query);
    });
  }
}

/** Checks one object's PromQL: a PrometheusRule's rules, a dashboard ConfigMap's queries. */
export function checkMonitoring(object: KubeObject, reporter: Reporter): void {
  if (object.kind === 'PrometheusRule' && String(object.apiVersion).startsWith('monitoring.coreos.com/')) checkRules(object, reporter);
  if (object.kind === 'ConfigMap' && object.apiVersion === 'v1') checkDashboards(object, reporter);
}
