import { DashboardBuilder, DashboardCursorSync, DatasourceVariableBuilder, QueryVariableBuilder, RowBuilder, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

/**
 * The Karpenter dashboard of one environment, built with Grafana's Foundation SDK (the typed
 * builders Grafana publishes for dashboards as code), for the Grafana sidecar to load from a
 * ConfigMap. Per pool: nodes, usage against limits, pending pods, disruptions by reason,
 * interruptions, cost; on GPU pools, GPU utilisation from NVIDIA's dcgm-exporter
 * (DCGM_FI_DEV_GPU_UTIL, percent per GPU, labelled by Hostname: the node), which Karpenter does not
 * export. Metric names and labels as in lib/monitoring/alerts.ts.
 */

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const POOL = 'nodepool=~"$nodepool"';

/** A time series panel of PromQL queries (expression, legend). */
function panel(title: string, description: string, unit: string, queries: readonly (readonly [string, string])[]): TimeseriesBuilder {
  const builder = new TimeseriesBuilder().title(title).description(description).unit(unit).datasource(DATASOURCE).height(8).span(12);
  queries.forEach(([expr, legend], i) => builder.withTarget(new DataqueryBuilder().expr(expr).legendFormat(legend).refId(String.fromCharCode(65 + i))));
  return builder;
}

/** The dashboard model (Grafana's JSON), with a stable uid per environment. */
export function karpenterDashboard(environment: string): object {
  const builder = new DashboardBuilder(`Karpenter (${environment})`)
    .uid(`karpenter-${environment}`.slice(0, 40))
    .tags(['karpenter', 'karpenter-as-code', environment])
    .editable()
    .refresh('1m')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'))
    .withVariable(
      new QueryVariableBuilder('nodepool')
        .label('NodePool')
        .datasource(DATASOURCE)
        .query('label_values(karpenter_nodepools_limit, nodepool)')
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue('.*'),
    )
    .withRow(new RowBuilder('Nodes and limits'))
    .withPanel(panel('Nodes per pool', 'Nodes Karpenter manages, by NodePool.', 'short', [[`count by (nodepool) (karpenter_nodes_allocatable{resource_type="cpu",${POOL}})`, '{{nodepool}}']]))
    .withPanel(
      panel('Usage against limits', 'Resources the pool has provisioned, as a fraction of its limit (config/pools.ts). At 100% Karpenter launches no more nodes for it.', 'percentunit', [
        [`karpenter_nodepools_usage{${POOL}} / on (nodepool, resource_type) karpenter_nodepools_limit{${POOL}}`, '{{nodepool}} {{resource_type}}'],
      ]),
    )
    .withPanel(
      panel('Pending pods', 'Pods waiting for a node, and pods no NodePool can take.', 'short', [
        ['sum(karpenter_pods_state{phase="Pending"})', 'pending'],
        ['max(karpenter_scheduler_unschedulable_pods_count)', 'unschedulable'],
      ]),
    )
    .withPanel(
      panel('Requested against allocatable', 'CPU the pods on the pool\'s nodes request, as a fraction of what the nodes offer: low values are what consolidation removes.', 'percentunit', [
        [`sum by (nodepool) (karpenter_nodes_total_pod_requests{resource_type="cpu",${POOL}}) / sum by (nodepool) (karpenter_nodes_allocatable{resource_type="cpu",${POOL}})`, '{{nodepool}}'],
      ]),
    )
    .withRow(new RowBuilder('Disruption'))
    .withPanel(panel('Disruptions by reason', 'NodeClaims Karpenter removed, by reason (drifted, expired, underutilized, empty, launch and registration failures).', 'short', [[`sum by (nodepool, reason) (increase(karpenter_nodeclaims_disrupted_total{${POOL}}[$__rate_interval]))`, '{{nodepool}} {{reason}}']]))
    .withPanel(panel('Interruption messages', 'Spot interruptions, rebalance recommendations, scheduled changes and state changes from the interruption queue.', 'short', [['sum by (message_type) (increase(karpenter_interruption_received_messages_total{message_type!="no_op"}[$__rate_interval]))', '{{message_type}}']]))
    .withPanel(panel('Allowed disruptions', 'Nodes each pool\'s disruption budgets allow to be disrupted now, by reason.', 'short', [[`karpenter_nodepools_allowed_disruptions{${POOL}}`, '{{nodepool}} {{reason}}']]))
    .withRow(new RowBuilder('Cost and GPUs'))
    .withPanel(panel('Cost per pool', "Hourly cost of each pool's nodes as Karpenter prices them (not a bill); the plan's estimate is in REPORT.md.", 'currencyUSD', [[`sum by (nodepool) (karpenter_nodepools_cost_total{${POOL}})`, '{{nodepool}}']]))
    .withPanel(
      panel('GPU utilisation', "Per GPU, from NVIDIA's dcgm-exporter on the GPU nodes (a prerequisite; empty without it).", 'percent', [
        ['avg by (Hostname, modelName) (DCGM_FI_DEV_GPU_UTIL)', '{{Hostname}} {{modelName}}'],
      ]).max(100),
    );
  return builder.build();
}
