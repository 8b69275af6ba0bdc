import { describe, expect, it } from 'vitest';
import { COMPOSITION } from '../compose';
import { ARGOCD } from '../config/argocd';
import { MONITORING } from '../config/monitoring';
import { POOLS } from '../config/pools';
import { PRICING } from '../config/pricing';
import { capacityPlan } from '../lib/plan/capacity';
import { checkPromql, KARPENTER_METRICS, metricNames } from '../packages/karpenter-validate/src/monitoring/promql';
import { checkLabels, Scrape, SERVICE_MONITOR_SCRAPE } from '../packages/karpenter-validate/src/monitoring/scrape-labels';
import { Reporter } from '../packages/karpenter-validate/src/validation/findings';
import { checkMonitoringSet, karpenterScrape } from '../packages/karpenter-validate/src/validation/monitoring';
import { parseQuantity } from '../packages/karpenter-validate/src/quantity';
import { validate } from '../packages/karpenter-validate/src/validation';
import { at, EXAMPLES, manifests, parseYaml, render } from './helpers';
import { ENVIRONMENTS } from '../config/environments';
import { changed, findings, lines } from './validation-helpers';

describe('PromQL checks', () => {
  it('reports what does not parse, with the column', () => {
    expect(checkPromql('sum(karpenter_nodepools_usage')).toEqual([{ message: 'does not parse at column 30 (unexpected end)', at: 29 }]);
    expect(checkPromql('rate(karpenter_nodeclaims_created_total[5x])').map((p) => p.message)[0]).toMatch(/^does not parse at column \d+/);
  });

  it('answers an expression seen before from memory, the same as the first time', () => {
    const expr = 'rate(karpenter_nodeclaims_created_total)';
    const first = checkPromql(expr);
    expect(checkPromql(expr)).toBe(first);
    expect(first.map((p) => p.message)).toEqual(['rate() takes a range vector (e.g. x[5m]), not karpenter_nodeclaims_created_total']);
  });

  it('reports a range vector where an instant vector belongs, and the reverse', () => {
    expect(checkPromql('rate(karpenter_nodeclaims_created_total)').map((p) => p.message)).toEqual(['rate() takes a range vector (e.g. x[5m]), not karpenter_nodeclaims_created_total']);
    expect(checkPromql('sum(karpenter_nodeclaims_created_total[5m])').map((p) => p.message)).toEqual(['a range vector (karpenter_nodeclaims_created_total[5m]) is only valid as the argument of a function that takes one, such as rate()']);
    expect(checkPromql('quantile_over_time(0.9, karpenter_nodepools_usage[1h])')).toEqual([]);
  });

  it("names a Karpenter metric it does not know, with the closest one, and leaves other projects' metrics alone", () => {
    expect(checkPromql('karpenter_nodepool_usage > 0').map((p) => p.message)).toEqual(['metric karpenter_nodepool_usage is not one Karpenter 1.14.1 exports (did you mean karpenter_nodepools_usage?): the query returns nothing']);
    expect(checkPromql('{__name__="karpenter_nodes_alocatable"}').map((p) => p.message)[0]).toContain('did you mean karpenter_nodes_allocatable?');
    expect(checkPromql('histogram_quantile(0.99, sum by (le) (rate(karpenter_pods_bound_duration_seconds_bucket[5m])))')).toEqual([]);
    expect(checkPromql('avg(DCGM_FI_DEV_GPU_UTIL) > 90 and up == 1')).toEqual([]);
  });

  it("knows every metric 1.14.1 exports (127: the reference page's 122 and the 5 it misses, from the release's own metrics_gen)", () => {
    expect(KARPENTER_METRICS.size).toBe(127);
    expect(KARPENTER_METRICS.has('karpenter_cloudprovider_instance_launch_failures_total')).toBe(true);
    expect(KARPENTER_METRICS.get('karpenter_nodepools_cost_total')?.section).toBe('Nodepools');
  });
});

describe('the promql rule on dashboards', () => {
  const dashboard = (expr: string, variable = 'label_values(karpenter_nodepools_limit, nodepool)') => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'dash', namespace: 'web', labels: { grafana_dashboard: '1' } },
    data: { 'd.json': JSON.stringify({ panels: [{ type: 'row', panels: [{ title: 'Nodes', targets: [{ expr }] }] }], templating: { list: [{ name: 'nodepool', query: variable }] } }) },
  });
  const promql = (o: object) => lines(findings(changed((s) => s.push(o)), { complete: false }), 'promql');

  it("reads nested panels' queries with Grafana's interval variables in place", () => {
    expect(promql(dashboard('sum by (reason) (increase(karpenter_nodeclaims_disrupted_total{nodepool=~"$nodepool"}[$__rate_interval]))'))).toEqual([]);
    expect(promql(dashboard('sum(increase(karpenter_nodeclaims_disruptd_total[$__rate_interval]))')).join('\n')).toContain('panel "Nodes" targets[0].expr');
  });

  it('checks the metric of a label_values variable, and reports a model that is not JSON', () => {
    expect(promql(dashboard('up', 'label_values(karpenter_nodepool_limit, nodepool)')).join('\n')).toContain('templating variable "nodepool"');
    expect(promql({ ...dashboard('up'), data: { 'd.json': '{"panels": [' } }).join('\n')).toContain('is not JSON');
  });
});

describe('labels as the scrape leaves them (promql-labels)', () => {
  const rule = (expr: string, annotations: Record<string, string> = {}) => ({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'r', namespace: 'web' },
    spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr, labels: { severity: 'warning' }, annotations: { summary: 's', description: 'd', runbook_url: 'r', ...annotations } }] }] },
  });
  const labelLines = (o: object) => lines(findings(changed((s) => s.push(o)), { complete: false }), 'promql-labels');

  it("reports a Karpenter metric's own label that the scrape renamed, naming the label to use", () => {
    expect(labelLines(rule('max by (namespace, name) (karpenter_pods_unbound_time_seconds) > 600'))).toEqual([
      'promql-labels PrometheusRule/r spec.groups[0].rules[0].expr ("max by (namespace, name) (karpenter_pods_unbound_time_seconds) > 600"): label namespace of karpenter_pods_unbound_time_seconds is the scrape target\'s (the Service\'s namespace), not Karpenter\'s own: with honorLabels false the scrape renames the metric\'s namespace to exported_namespace (prometheus-operator v0.93.0 pkg/prometheus/promcfg.go; prometheus scrape/scrape.go mutateSampleLabels). Use exported_namespace',
    ]);
    expect(labelLines(rule('max by (exported_namespace, name) (karpenter_pods_unbound_time_seconds) > 600', { summary: '{{ $labels.exported_namespace }}/{{ $labels.name }}' }))).toEqual([]);
  });

  it('reports a label the series do not carry in matchers, by(), on() and group_left()', () => {
    expect(labelLines(rule('sum by (pool) (karpenter_nodepools_usage) > 0')).join('\n')).toContain('label pool is not one the series of karpenter_nodepools_usage carry once scraped (container, endpoint, instance, job, namespace, nodepool, pod, resource_type, service): the aggregation groups every series under an empty value');
    expect(labelLines(rule('karpenter_nodepools_cost_total{node_pool="gpu"} > 1')).join('\n')).toContain('label node_pool is not one the series of karpenter_nodepools_cost_total carry once scraped');
    expect(labelLines(rule('karpenter_nodepools_usage / on (nodepool, resource) karpenter_nodepools_limit > 0.9')).join('\n')).toContain('label resource is not one the series of karpenter_nodepools_usage carry');
    expect(labelLines(rule('karpenter_nodepools_usage / on (nodepool, resource_type) karpenter_nodepools_limit > 0.9'))).toEqual([]);
    expect(labelLines(rule('histogram_quantile(0.99, sum by (le) (rate(karpenter_pods_bound_duration_seconds_bucket[5m]))) > 60'))).toEqual([]);
  });

  it("reports an alert template naming a label the expression's series lack, or the renamed one", () => {
    expect(labelLines(rule('max by (exported_namespace, name) (karpenter_pods_unbound_time_seconds) > 600', { summary: 'Pod {{ $labels.namespace }}/{{ $labels.name }}' }))).toEqual([
      'promql-labels PrometheusRule/r spec.groups[0].rules[0].annotations.summary ("$labels.namespace"): names the alert\'s label namespace, which its expression\'s series do not carry (exported_namespace, name): it renders empty',
    ]);
    expect(labelLines(rule('max(karpenter_pods_unbound_time_seconds) > 600', { summary: '{{ $labels.namespace }}' })).join('\n')).toContain('which its expression\'s series do not carry (no labels)');
    expect(labelLines(rule('karpenter_pods_unbound_time_seconds > 600', { summary: '{{ $labels.namespace }}' })).join('\n')).toContain('names the alert\'s label namespace, which is the scrape target\'s (the Service\'s namespace), not Karpenter\'s own: the scrape renamed that to exported_namespace');
  });

  it("leaves metrics whose labels it does not know alone (other exporters' and up)", () => {
    expect(labelLines(rule('avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL) > 90 and on (Hostname) up{job="x", namespace="y"} == 1'))).toEqual([]);
  });

  it("follows the ServiceMonitor's honorLabels and targetLabels when the set has the one that scrapes Karpenter", () => {
    const monitor = (endpoint: object, extra: object = {}) => ({ object: { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'karpenter', namespace: 'monitoring' }, spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'karpenter' } }, endpoints: [{ port: 'http-metrics', ...endpoint }], ...extra } } });
    const scrapeOf = (...items: object[]) => karpenterScrape(items as any);
    expect(scrapeOf()).toEqual(SERVICE_MONITOR_SCRAPE);
    expect(scrapeOf(monitor({ honorLabels: true }))).toEqual({ honorLabels: true, targetLabels: SERVICE_MONITOR_SCRAPE.targetLabels });
    expect(scrapeOf(monitor({}, { targetLabels: ['team.io/owner'] })).targetLabels).toContain('team_io_owner');
    const problems = (expr: string, scrape: Scrape) => checkLabels(expr, scrape).problems.map((p) => p.message);
    expect(problems('max by (namespace, name) (karpenter_pods_unbound_time_seconds)', scrapeOf(monitor({ honorLabels: true })))).toEqual([]);
    expect(problems('max by (exported_namespace) (karpenter_pods_unbound_time_seconds)', scrapeOf(monitor({ honorLabels: true })))[0]).toContain('label exported_namespace is not one the series of karpenter_pods_unbound_time_seconds carry once scraped (container, endpoint, instance, job, name, namespace, pod, service)');
  });

  it("checks a set's rules with the scrape of its ServiceMonitor for Karpenter (checkMonitoringSet)", () => {
    const object = (o: Record<string, any>) => ({ object: o, reporter: new Reporter({ kind: o.kind, name: o.metadata.name }) });
    const monitor = object({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'karpenter', namespace: 'monitoring' }, spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'karpenter' } }, endpoints: [{ port: 'http-metrics', honorLabels: true }] } });
    const rules = object(rule('max by (namespace, name) (karpenter_pods_unbound_time_seconds) > 600'));
    checkMonitoringSet([monitor, rules]);
    expect(rules.reporter.findings).toEqual([]);
    const alone = object(rule('max by (namespace, name) (karpenter_pods_unbound_time_seconds) > 600'));
    checkMonitoringSet([alone]);
    expect(alone.reporter.findings.map((f) => f.rule)).toEqual(['promql-labels']);
  });

  it('checks the label of a label_values variable', () => {
    const dashboard = (variable: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dash', namespace: 'web', labels: { grafana_dashboard: '1' } }, data: { 'd.json': JSON.stringify({ panels: [], templating: { list: [{ name: 'nodepool', query: variable }] } }) } });
    expect(labelLines(dashboard('label_values(karpenter_nodepools_limit, node_pool)')).join('\n')).toContain('templating variable "nodepool"');
    expect(labelLines(dashboard('label_values(karpenter_nodepools_limit, nodepool)'))).toEqual([]);
  });
});

describe.each(EXAMPLES)('monitoring of $name', (env) => {
  const objects = manifests(env);
  const monitor = objects.find((o) => o.kind === 'ServiceMonitor')!;
  const rules = objects.find((o) => o.kind === 'PrometheusRule')!;
  const alerts: any[] = at(rules, 'spec.groups').flatMap((g: any) => g.rules);
  const plan = capacityPlan(objects);

  it("scrapes the Service the Karpenter chart creates for the Application's release", () => {
    const apps = parseYaml(render([env]).get(`argocd/apps/${env.name}.yaml`)!);
    const karpenter = apps.find((a) => a.metadata.name === `karpenter-${env.name}`)!;
    const release = at(karpenter, 'spec.source.helm.releaseName');
    expect(at(monitor, 'spec.selector.matchLabels')).toEqual({ 'app.kubernetes.io/name': 'karpenter', 'app.kubernetes.io/instance': release });
    expect(at(monitor, 'spec.namespaceSelector.matchNames')).toEqual([at(karpenter, 'spec.destination.namespace')]);
    expect(at(monitor, 'spec.endpoints')[0]).toMatchObject({ port: 'http-metrics', path: '/metrics' });
    expect(monitor.metadata.labels).toEqual(MONITORING.selectorLabels);
    expect(rules.metadata.labels).toEqual(MONITORING.selectorLabels);
    expect(ARGOCD.namespace).not.toBe(monitor.metadata.namespace);
  });

  it('alerts on what on-call needs, each parsed, on known metrics, with severity, summary, description and runbook', () => {
    expect(alerts.map((a) => a.alert).sort()).toEqual([
      'KarpenterCloudProviderErrors', 'KarpenterClusterStateUnsynced', 'KarpenterDisruptionChurn', 'KarpenterDisruptionFailures', 'KarpenterEC2NodeClassNotReady',
      'KarpenterGpuNodeIdle', 'KarpenterInterruptions', 'KarpenterMetricsDown', 'KarpenterNodePoolAtLimit', 'KarpenterNodePoolCostAbovePlan', 'KarpenterNodePoolNearLimit',
      'KarpenterNodePoolNotReady', 'KarpenterNodesFailingToLaunch', 'KarpenterNodesFailingToRegister', 'KarpenterPodsWaitingForCapacity', 'KarpenterUnschedulablePods',
    ]);
    for (const alert of alerts) {
      expect(checkPromql(alert.expr), alert.alert).toEqual([]);
      expect(['critical', 'warning', 'info']).toContain(alert.labels.severity);
      expect(alert.labels.environment).toBe(env.name);
      for (const key of ['summary', 'description', 'runbook']) expect(alert.annotations[key], `${alert.alert} ${key}`).toMatch(/\S/);
      for (const name of metricNames(alert.expr).filter((n) => n.startsWith('karpenter_') || n.startsWith('operator_'))) expect(KARPENTER_METRICS.has(name), name).toBe(true);
    }
    expect(lines(validate([{ object: rules }, { object: monitor }]).findings, 'promql-labels')).toEqual([]);
  });

  it("names the waiting pod by its own namespace, which the scrape leaves in exported_namespace", () => {
    const waiting = alerts.find((a) => a.alert === 'KarpenterPodsWaitingForCapacity')!;
    expect(waiting.expr).toBe('max by (exported_namespace, name) (karpenter_pods_unbound_time_seconds) > 600');
    expect(waiting.annotations.summary).toContain('{{ $labels.exported_namespace }}/{{ $labels.name }}');
    expect(waiting.annotations.runbook).toContain('kubectl describe pod -n {{ $labels.exported_namespace }} {{ $labels.name }}');
    expect(JSON.stringify(waiting)).not.toContain('$labels.namespace');
  });

  it("puts every pool's own limits in its limit alerts", () => {
    const near = alerts.find((a) => a.alert === 'KarpenterNodePoolNearLimit')!.expr as string;
    for (const pool of objects.filter((o) => o.kind === 'NodePool')) {
      for (const [resource, value] of Object.entries(at(pool, 'spec.limits') as Record<string, string>)) {
        const label = resource.toLowerCase().replace(/-/g, '_');
        const limit = parseQuantity(value);
        expect(near, `${pool.metadata.name} ${resource}`).toContain(`karpenter_nodepools_usage{nodepool="${pool.metadata.name}",resource_type="${label}"} / ${Number.isInteger(limit) ? limit : limit.toPrecision(6).replace(/0+$/, '')} >= ${MONITORING.limitWarningRatio}`);
      }
    }
  });

  it("alerts on cost above each tainted pool's planned peak times the factor, not on pools that take pods from outside", () => {
    const rule = alerts.find((a) => a.alert === 'KarpenterNodePoolCostAbovePlan')!;
    const cost = rule.expr as string;
    const tainted = plan.pools.filter((p) => !p.takesOutsidePods);
    const untainted = plan.pools.filter((p) => p.takesOutsidePods).map((p) => p.pool).sort();
    // The default pool takes unselected pods, the prerequisites' among them: no threshold from the plan.
    expect(untainted).toContain('default');
    expect(tainted.length).toBeGreaterThan(0);
    for (const p of tainted) expect(cost).toContain(`karpenter_nodepools_cost_total{nodepool="${p.pool}"} > ${Math.round(p.peak.hourly * PRICING.alertFactor * 100) / 100}`);
    for (const pool of untainted) expect(cost).not.toContain(`nodepool="${pool}"`);
    expect(rule.annotations!.description).toContain(`Not for ${untainted.join(', ')}: without a taint`);
  });

  it('ships a dashboard the Grafana sidecar loads, built by the SDK, whose queries all pass', () => {
    const map = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'karpenter-dashboard')!;
    expect(map.metadata.namespace).toBe(MONITORING.namespace);
    expect(map.metadata.labels).toEqual(MONITORING.dashboardLabel);
    const model = JSON.parse((map as any).data['karpenter.json']);
    expect(model.uid).toBe(`karpenter-${env.name}`);
    expect(model.panels.filter((p: any) => p.type === 'timeseries').map((p: any) => p.title)).toEqual([
      'Nodes per pool', 'Usage against limits', 'Pending pods', 'Requested against allocatable', 'Disruptions by reason', 'Interruption messages', 'Allowed disruptions', 'Cost per pool', 'GPU utilisation',
    ]);
    expect(validate([{ object: map }], { prerequisites: [{ kind: 'Namespace', name: MONITORING.namespace }] }).findings).toEqual([]);
  });

  it('declares the monitoring stack and its CRDs as prerequisites', () => {
    const prerequisites = COMPOSITION.build(env).prerequisites.map((p) => `${p.kind} ${p.name}`);
    expect(prerequisites).toEqual(expect.arrayContaining(['Namespace monitoring', 'CustomResourceDefinition servicemonitors.monitoring.coreos.com', 'CustomResourceDefinition prometheusrules.monitoring.coreos.com']));
  });

  it('fails synth with the metric named when an alert misspells one', () => {
    const broken = objects.map((o) => (o === rules ? { ...o, spec: { groups: [{ name: 'karpenter', rules: alerts.map((a) => (a.alert === 'KarpenterUnschedulablePods' ? { ...a, expr: 'max(karpenter_scheduler_unschedulable_pod_count) > 0' } : a)) }] } } : o));
    const errors = validate(broken.map((object) => ({ object })), { complete: true, prerequisites: COMPOSITION.build(env).prerequisites }).findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => `${f.rule} ${f.object.kind}/${f.object.name} ${f.path}: ${f.message}`)).toEqual([
      `promql PrometheusRule/karpenter spec.groups[0].rules[${alerts.findIndex((a) => a.alert === 'KarpenterUnschedulablePods')}].expr: metric karpenter_scheduler_unschedulable_pod_count is not one Karpenter 1.14.1 exports (did you mean karpenter_scheduler_unschedulable_pods_count?): the query returns nothing`,
    ]);
  });
});

describe('capacity plan', () => {
  it('counts a workload that scales to zero at zero when idle, and its nodes only at peak', () => {
    const prod = ENVIRONMENTS.find((e) => e.name === 'prod')!;
    const gpu = capacityPlan(manifests(prod)).pools.find((p) => p.pool === 'gpu-spot')!;
    expect(gpu.workloads.find((w) => w.name === 'ai/ai-worker')).toMatchObject({ idle: 0 });
    expect(gpu.idle).toEqual({ nodes: 0, hourly: 0 });
    expect(gpu.peak.nodes).toBeGreaterThan(0);
    expect(gpu.capacityType).toBe('spot');
  });

  it('puts a hard zone spread on one node per zone at least', () => {
    const prod = ENVIRONMENTS.find((e) => e.name === 'prod')!;
    const kafka = capacityPlan(manifests(prod)).pools.find((p) => p.pool === 'kafka-arm-ondemand')!;
    expect(kafka.idle.nodes).toBeGreaterThanOrEqual(3);
  });

  it('prices on-demand pools at the catalog price and spot pools at the configured ratio', () => {
    const prod = ENVIRONMENTS.find((e) => e.name === 'prod')!;
    const plan = capacityPlan(manifests(prod));
    expect(POOLS['kafka-arm-ondemand']).toBeDefined();
    const kafka = plan.pools.find((p) => p.pool === 'kafka-arm-ondemand')!;
    expect(kafka.capacityType).toBe('on-demand');
    expect(plan.assumptions[0]).toContain(`spot at ${Math.round(PRICING.spotRatio * 100)}% of on-demand`);
    expect(plan.idleHourly).toBeCloseTo(plan.pools.reduce((s, p) => s + p.idle.hourly, 0), 9);
  });
});
