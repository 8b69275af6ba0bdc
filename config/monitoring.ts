/**
 * Where Karpenter's metrics, alerts and dashboard go. The project emits the ServiceMonitor, the
 * PrometheusRule and the dashboard ConfigMap; Prometheus (Prometheus Operator) and Grafana with its
 * dashboard sidecar run in `namespace`, installed by kube-prometheus-stack (a prerequisite).
 */
export const MONITORING = {
  namespace: 'monitoring',
  /**
   * Labels Prometheus selects ServiceMonitors and PrometheusRules by: kube-prometheus-stack's
   * serviceMonitorSelector and ruleSelector match `release: <its release name>` unless told otherwise.
   */
  selectorLabels: { release: 'kube-prometheus-stack' },
  /** The label the Grafana sidecar loads dashboards from (kube-prometheus-stack grafana.sidecar.dashboards.label and labelValue). */
  dashboardLabel: { grafana_dashboard: '1' },
  /** A pool alerts when its usage passes this fraction of a limit, and again (critical) at the limit. */
  limitWarningRatio: 0.9,
  /** How long a GPU node may hold no GPU pod before it counts as idle (gpu pools consolidate empty nodes after 5 minutes). */
  gpuIdleFor: '30m',
} as const;
