import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MONITORING } from '../config/monitoring';
import type { EnvironmentConfig } from '../config/environment-config';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr, ServiceMonitor } from '../imports/monitoring.coreos.com';
import type { CapacityPlan } from '../lib/plan/capacity';
import { NamespacedChart } from '../lib/constructs/chart-props';
import { KARPENTER_JOB, KARPENTER_NAMESPACE, karpenterAlerts } from '../lib/monitoring/alerts';
import { nodeRepairOf } from '../lib/config/environment';
import { karpenterDashboard } from '../lib/monitoring/dashboard';

/** Props of {@link MonitoringChart}. */
export interface MonitoringChartProps {
  readonly env: EnvironmentConfig;
  /** The environment's capacity plan: the cost alerts' thresholds and the pools' limits. */
  readonly plan: CapacityPlan;
}

/**
 * Karpenter you can see: a ServiceMonitor for the controller's metrics, the alerting rules an
 * on-call engineer needs, and a dashboard for the Grafana sidecar, in the namespace Prometheus and
 * Grafana run in (config/monitoring.ts). The ServiceMonitor selects the Service the official
 * chart creates for release "karpenter" (charts/karpenter/templates/service.yaml at v1.14.1:
 * labels app.kubernetes.io/name and app.kubernetes.io/instance, port http-metrics), the release
 * name the Karpenter Application sets.
 */
export class MonitoringChart extends NamespacedChart {
  constructor(scope: Construct, id: string, props: MonitoringChartProps) {
    super(scope, id, MONITORING.namespace);
    const { env, plan } = props;
    this.requires({ kind: 'Namespace', name: MONITORING.namespace, purpose: `Prometheus Operator, Prometheus and Grafana (kube-prometheus-stack, release "${MONITORING.selectorLabels.release}"), selecting ServiceMonitors and PrometheusRules labelled release=${MONITORING.selectorLabels.release}; its Grafana dashboard sidecar loads ConfigMaps labelled ${Object.entries(MONITORING.dashboardLabel).map(([k, v]) => `${k}=${v}`).join(',')}` });
    for (const plural of ['servicemonitors', 'prometheusrules']) {
      this.requires({ kind: 'CustomResourceDefinition', name: `${plural}.monitoring.coreos.com`, purpose: 'installed with the Prometheus Operator (kube-prometheus-stack), v0.93.0 or a later release serving monitoring.coreos.com/v1' });
    }
    this.requires({ kind: 'DaemonSet', name: 'dcgm-exporter', namespace: MONITORING.namespace, purpose: "NVIDIA's dcgm-exporter on the GPU nodes, scraped by Prometheus: the dashboard's GPU utilisation (optional; the panel is empty without it)" });

    new ServiceMonitor(this, 'karpenter-metrics', {
      metadata: { name: KARPENTER_JOB, labels: { ...MONITORING.selectorLabels } },
      spec: {
        namespaceSelector: { matchNames: [KARPENTER_NAMESPACE] },
        selector: { matchLabels: { 'app.kubernetes.io/name': 'karpenter', 'app.kubernetes.io/instance': 'karpenter' } },
        endpoints: [{ port: 'http-metrics', path: '/metrics', interval: '30s' }],
      },
    });

    new PrometheusRule(this, 'karpenter-alerts', {
      metadata: { name: 'karpenter', labels: { ...MONITORING.selectorLabels } },
      spec: {
        groups: [
          {
            name: 'karpenter',
            rules: karpenterAlerts(plan, env.name, { nodeRepair: nodeRepairOf(env) }).map((rule) => ({
              alert: rule.alert,
              expr: PrometheusRuleSpecGroupsRulesExpr.fromString(rule.expr),
              for: rule.for,
              labels: { ...rule.labels, environment: env.name },
              annotations: { ...rule.annotations },
            })),
          },
        ],
      },
    });

    new k8s.KubeConfigMap(this, 'karpenter-dashboard', {
      metadata: { name: 'karpenter-dashboard', labels: { ...MONITORING.dashboardLabel } },
      data: { 'karpenter.json': `${JSON.stringify(karpenterDashboard(env.name), null, 2)}\n` },
    });
  }
}
