import { templateParseError } from '../monitoring/go-template';
import { checkPromql, unknownKarpenterMetric } from '../monitoring/promql';
import { checkLabels, Scrape, SERVICE_MONITOR_SCRAPE, serviceMonitorScrape, templateLabelProblem, templateLabels } from '../monitoring/scrape-labels';
import { Checked } from './cluster';
import { child, KubeObject, Reporter } from './findings';
import { isObject, Json } from './pods';

/**
 * Alerting rules and dashboards: every PromQL expression of a PrometheusRule (which the Prometheus
 * Operator's admission webhook and Prometheus itself refuse when it does not parse), and of a
 * Grafana dashboard shipped in a ConfigMap for the sidecar, is parsed and its Karpenter metric
 * names checked (src/monitoring/promql.ts), and the labels it names against those the series
 * carry once the Prometheus Operator's ServiceMonitor has scraped them (promql-labels,
 * src/monitoring/scrape-labels.ts). Alerts should carry what the person paged needs.
 * @see https://prometheus-operator.dev/docs/platform/prometheus-rules/
 */

const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);

/** Labels kube-prometheus-stack's Grafana sidecar (and the upstream grafana chart's) loads dashboards by, by default. */
const DASHBOARD_LABELS = ['grafana_dashboard'];

// Grafana replaces these before the query reaches Prometheus; a duration stands in for them here.
const GRAFANA_DURATIONS = /\$\{?__(rate_interval|interval|range)(_ms|_s)?\}?/g;

const shown = (expr: string) => (expr.length > 120 ? `${expr.slice(0, 117)}...` : expr);

/** Reports an expression's problems; returns the labels of its series when they can be told and it parses. */
function reportExpr(reporter: Reporter, path: string, expr: string, scrape: Scrape): ReturnType<typeof checkLabels> | undefined {
  const problems = checkPromql(expr);
  for (const problem of problems) reporter.report('promql', path, `${problem.message}`, shown(expr));
  if (problems.length > 0) return undefined;
  const labels = checkLabels(expr, scrape);
  for (const problem of labels.problems) reporter.report('promql-labels', path, problem.message, shown(expr));
  return labels;
}

/** An alert's label and annotation templates against the labels its expression's series carry. */
function checkTemplates(rule: Json, ruleAt: string, labels: ReturnType<typeof checkLabels> | undefined, reporter: Reporter): void {
  if (!labels?.output) return;
  for (const field of ['labels', 'annotations']) {
    const values = isObject(rule[field]) ? rule[field] : {};
    for (const [key, template] of Object.entries(values)) {
      if (typeof template !== 'string') continue;
      for (const { label } of templateLabels(template)) {
        const problem = templateLabelProblem(label, labels.output, labels.renamed);
        if (problem) reporter.report('promql-labels', `${ruleAt}.${field}.${key}`, problem, `$labels.${label}`);
      }
    }
  }
}

/** A string that is valid UTF-8 once encoded: no lone surrogate. */
const wellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

const REFUSED = 'the Prometheus Operator refuses the PrometheusRule, and Prometheus the rule file';

/**
 * What Prometheus' rule file loader refuses in a rule besides its expression (prometheus v3.13.1
 * model/rulefmt/rulefmt.go Rule.Validate, with UTF-8 names, Prometheus 3's default): record and
 * alert both or neither, no expr, a recording rule with annotations or for, a record name with
 * braces, an empty or reserved label name, and an alert's templates Go cannot parse.
 */
function checkRuleFields(rule: Json, ruleAt: string, reporter: Reporter): void {
  const record = typeof rule.record === 'string' ? rule.record : '';
  const alert = typeof rule.alert === 'string' ? rule.alert : '';
  if (record !== '' && alert !== '') reporter.report('promql', ruleAt, `sets both record and alert: only one may be set (${REFUSED})`, alert);
  if (record === '' && alert === '') reporter.report('promql', ruleAt, `sets neither record nor alert: one must be set (${REFUSED})`);
  if (rule.expr === undefined || rule.expr === '') reporter.report('promql', child(ruleAt, 'expr'), `must be set (${REFUSED})`, rule.expr ?? '');
  if (record !== '') {
    if (isObject(rule.annotations) && Object.keys(rule.annotations).length > 0) reporter.report('promql', child(ruleAt, 'annotations'), `is not allowed on a recording rule (${REFUSED})`);
    if (typeof rule.for === 'string' && rule.for !== '' && !/^0+[smhdwy]?$/.test(rule.for)) reporter.report('promql', child(ruleAt, 'for'), `is not allowed on a recording rule (${REFUSED})`, rule.for);
    if (/[{}]/.test(record)) reporter.report('promql', child(ruleAt, 'record'), `has braces: a recording rule's name is a metric name, not a selector (${REFUSED})`, record);
    if (!wellFormed(record)) reporter.report('promql', child(ruleAt, 'record'), `is not valid UTF-8 (${REFUSED})`, record);
  }
  for (const field of ['labels', 'annotations'] as const) {
    const values = isObject(rule[field]) ? rule[field] : {};
    for (const [key, value] of Object.entries(values)) {
      const at = `${ruleAt}.${field}.${key}`;
      if (key === '' || !wellFormed(key) || (field === 'labels' && key === '__name__')) reporter.report('promql', at, `is not a valid ${field === 'labels' ? 'label' : 'annotation'} name (${REFUSED})`, key);
      if (typeof value !== 'string') continue;
      if (field === 'labels' && !wellFormed(value)) reporter.report('promql', at, `is not valid UTF-8 (${REFUSED})`, value);
      const error = alert !== '' ? templateParseError(value) : undefined;
      if (error) reporter.report('promql', at, `is not a template Prometheus can parse (Go text/template: ${error}): ${REFUSED}`, value);
    }
  }
}

function checkRules(object: KubeObject, reporter: Reporter, scrape: Scrape): void {
  const groups = list((object.spec as Json)?.groups);
  const names = new Set<string>();
  groups.forEach((group, g) => {
    const at = child(child('spec', 'groups'), g);
    if (group.name === '') reporter.report('promql', child(at, 'name'), `must not be empty (${REFUSED})`, '');
    if (typeof group.name === 'string') {
      if (names.has(group.name)) reporter.report('promql', child(at, 'name'), 'is the name of an earlier group too: Prometheus refuses to load a rule file with a repeated group name', group.name);
      names.add(group.name);
    }
    list(group.rules).forEach((rule, r) => {
      const ruleAt = child(child(at, 'rules'), r);
      const expr = typeof rule.expr === 'number' ? String(rule.expr) : rule.expr;
      const labels = typeof expr === 'string' && expr !== '' ? reportExpr(reporter, child(ruleAt, 'expr'), expr, scrape) : undefined;
      checkRuleFields(rule, ruleAt, reporter);
      if (typeof rule.alert !== 'string' || rule.alert === '') return;
      checkTemplates(rule, ruleAt, labels, reporter);
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

function checkDashboards(object: KubeObject, reporter: Reporter, scrape: Scrape): void {
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
        reportExpr(reporter, `${at} panel ${JSON.stringify(panel.title ?? panel.id ?? '?')} targets[${t}].expr`, target.expr.replace(GRAFANA_DURATIONS, '5m'), scrape);
      });
    });
    list(model.templating?.list).forEach((variable) => {
      const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
      const values = typeof query === 'string' ? /^\s*label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)/.exec(query) : undefined;
      const metric = typeof query === 'string' ? /^\s*label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(query)?.[1] : undefined;
      const unknown = metric ? unknownKarpenterMetric(metric) : undefined;
      if (unknown) reporter.report('promql', `${at} templating variable ${JSON.stringify(variable.name)}`, unknown, query);
      else if (values) {
        const problem = checkLabels(`${values[1]}{${values[2]}!=""}`, scrape).problems[0];
        if (problem) reporter.report('promql-labels', `${at} templating variable ${JSON.stringify(variable.name)}`, problem.message, query);
      }
    });
  }
}

/**
 * Checks one object's PromQL: a PrometheusRule's rules, a dashboard ConfigMap's queries. Karpenter's
 * metrics are taken as scraped by `scrape`: by default, a ServiceMonitor endpoint as the
 * Prometheus Operator configures one unless told otherwise (honorLabels false).
 */
export function checkMonitoring(object: KubeObject, reporter: Reporter, scrape: Scrape = SERVICE_MONITOR_SCRAPE): void {
  if (object.kind === 'PrometheusRule' && String(object.apiVersion).startsWith('monitoring.coreos.com/')) checkRules(object, reporter, scrape);
  if (object.kind === 'ConfigMap' && object.apiVersion === 'v1') checkDashboards(object, reporter, scrape);
}

/** The Service labels of the official Karpenter chart (charts/karpenter/templates/service.yaml at v1.14.1) a ServiceMonitor selects it by. */
const KARPENTER_SERVICE_NAME = 'karpenter';

/**
 * How the set's ServiceMonitor for Karpenter (one selecting app.kubernetes.io/name=karpenter, the
 * official chart's Service label) labels its samples: its first endpoint's honorLabels, its
 * targetLabels and podTargetLabels. Without one, the operator's defaults.
 */
export function karpenterScrape(items: readonly Checked[]): Scrape {
  for (const { object } of items) {
    if (object.kind !== 'ServiceMonitor' || !String(object.apiVersion).startsWith('monitoring.coreos.com/')) continue;
    const spec = isObject(object.spec) ? object.spec : {};
    if (spec.selector?.matchLabels?.['app.kubernetes.io/name'] !== KARPENTER_SERVICE_NAME) continue;
    const endpoint = list(spec.endpoints)[0];
    if (endpoint) return serviceMonitorScrape(spec, endpoint);
  }
  return SERVICE_MONITOR_SCRAPE;
}

/**
 * Checks every PrometheusRule and dashboard of a set, Karpenter's metrics taken as the set's
 * ServiceMonitor scrapes them; `guard` keeps a failure on one object from stopping the others.
 */
export function checkMonitoringSet(items: readonly Checked[], guard: (reporter: Reporter, fallback: undefined, check: () => void) => void = (_, __, check) => check()): void {
  const scrape = karpenterScrape(items);
  for (const { object, reporter } of items) guard(reporter, undefined, () => checkMonitoring(object, reporter, scrape));
}

