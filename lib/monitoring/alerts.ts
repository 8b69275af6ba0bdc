import { MONITORING } from '../../config/monitoring';
import { PRICING } from '../../config/pricing';
import type { CapacityPlan } from '../plan/capacity';

/**
 * What an on-call engineer needs to hear from Karpenter, as Prometheus alerting rules, for the
 * environment's Karpenter release (the capacity plan's). Metric names and labels exist at 1.14.1
 * and 1.15.0 alike (each release's metrics, packages/karpenter-validate/src/monitoring/
 * karpenter-metrics*.json, generated from its source; labels from kubernetes-sigs/karpenter
 * pkg/metrics/constants.go and the controllers that record them). 1.15.0 adds labels our queries
 * sum away (consolidation_policy, termination_mode, nodepool on errors, dynamic_resources, to_status)
 * and a budget reason `Unhealthy` (node repair rides the NodePool budgets from 1.15.0). The reason
 * `unhealthy` of disrupted NodeClaims is node repair's at both releases (1.14.1
 * pkg/controllers/node/health/controller.go deleteNodeClaim, 1.15.0 pkg/controllers/disruption/
 * repair.go), which the churn alert counts where node repair runs:
 *   karpenter_nodeclaims_disrupted_total{reason,nodepool,capacity_type}: reasons include
 *     insufficient_capacity and nodeclass_not_ready (nodeclaim/lifecycle/launch.go),
 *     launch_timeout and registration_timeout (nodeclaim/lifecycle/liveness.go, 5 and 15 minutes)
 *   karpenter_cloudprovider_errors_total{controller,method,provider,error}
 *   karpenter_pods_unbound_time_seconds{name,namespace}, karpenter_scheduler_unschedulable_pods_count{controller}
 *     (as scraped: the ServiceMonitor's targets carry namespace=kube-system, and with honorLabels false
 *     the metric's own namespace becomes exported_namespace: prometheus-operator v0.93.0
 *     pkg/prometheus/promcfg.go generateServiceMonitorConfig, prometheus v3.13.1 scrape/scrape.go
 *     mutateSampleLabels; packages/karpenter-validate/src/monitoring/scrape-labels.ts)
 *   karpenter_nodepools_usage / _limit {nodepool,resource_type} (cpu in cores, memory in bytes,
 *     resource names lowercased with '-' as '_'), karpenter_nodepools_cost_total{nodepool} ($/hour on AWS)
 *   karpenter_interruption_received_messages_total{message_type} (aws provider, interruption controller)
 *   karpenter_voluntary_disruption_queue_failures_total{decision,reason,consolidation_type}
 *   operator_{nodepool,ec2nodeclass}_status_condition_count{name,type,status,...} (awslabs/operatorpkg status)
 *   karpenter_nodes_allocatable / _total_pod_requests {node_name,nodepool,resource_type,...}
 *   karpenter_cluster_state_synced
 */

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: 'critical' | 'warning' | 'info' };
  readonly annotations: { readonly summary: string; readonly description: string; readonly runbook: string };
}

/** The job label Prometheus gives the controller's targets: the Service's name (Prometheus Operator's default). */
export const KARPENTER_JOB = 'karpenter';
export const KARPENTER_NAMESPACE = 'kube-system';

// Karpenter's resource_type label: lowercased, '-' as '_'.
const resourceLabel = (resource: string) => resource.toLowerCase().replace(/-/g, '_');
const number = (n: number) => (Number.isInteger(n) ? String(n) : n.toPrecision(6).replace(/0+$/, ''));
const pools = (plan: CapacityPlan) => [...plan.pools].sort((a, b) => a.pool.localeCompare(b.pool));

/** Usage above `ratio` of any limit of any pool (`nodes` included: Karpenter counts them in the pool's usage), one series per pool and resource. */
function limitExpr(plan: CapacityPlan, ratio: number): string | undefined {
  const terms = pools(plan).flatMap((p) =>
    Object.entries(p.limits)
      .filter(([, limit]) => limit > 0)
      .map(([resource, limit]) => `karpenter_nodepools_usage{nodepool="${p.pool}",resource_type="${resourceLabel(resource)}"} / ${number(limit)} >= ${ratio}`),
  );
  return terms.length > 0 ? terms.join('\nor\n') : undefined;
}

/**
 * Cost above the plan's peak for the pool, times the alert factor; only for pools whose taints
 * keep pods from outside this repository off. An untainted pool also takes the cluster's
 * prerequisites and add-ons, which the plan cannot count: a threshold from the plan would fire
 * for good once they land there. Their spend is bounded by the limit alerts instead.
 */
function costExpr(plan: CapacityPlan): string | undefined {
  const terms = pools(plan)
    .filter((p) => !p.takesOutsidePods)
    .map((p) => `karpenter_nodepools_cost_total{nodepool="${p.pool}"} > ${number(Math.round(p.peak.hourly * PRICING.alertFactor * 100) / 100)}`);
  return terms.length > 0 ? terms.join('\nor\n') : undefined;
}

/** The pools the cost alert leaves to the limit alerts, for its description. */
const untaintedPools = (plan: CapacityPlan) => pools(plan).filter((p) => p.takesOutsidePods).map((p) => p.pool);

/**
 * The disruption reasons the churn alert counts: drift, expiry and consolidation, and node repair's
 * `unhealthy` where it runs (the NodeRepair gate): 1.14.1's health controller records it when it
 * deletes an unhealthy node (sigs.k8s.io/karpenter v1.14.1 pkg/controllers/node/health/
 * controller.go deleteNodeClaim, metrics.UnhealthyReason), 1.15.0's repair disruption method too.
 */
export function churnReasons(options: { readonly nodeRepair: boolean }): readonly string[] {
  return ['drifted', 'expired', 'underutilized', 'empty', ...(options.nodeRepair ? ['unhealthy'] : [])];
}

/** The alerting rules for one environment's Karpenter, with thresholds from its pools and plan, for the plan's Karpenter release. */
export function karpenterAlerts(plan: CapacityPlan, environment: string, options: { readonly nodeRepair: boolean }): AlertRule[] {
  const job = `job="${KARPENTER_JOB}",namespace="${KARPENTER_NAMESPACE}"`;
  const churn = churnReasons(options);
  const repairs = churn.includes('unhealthy');
  const rules: AlertRule[] = [
    {
      alert: 'KarpenterMetricsDown',
      expr: `up{${job}} == 0 or absent(up{${job}})`,
      for: '10m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'Prometheus cannot scrape Karpenter',
        description: `No Karpenter controller in ${environment} has answered a scrape for 10 minutes: every other Karpenter alert is blind.`,
        runbook: 'kubectl -n kube-system get pods -l app.kubernetes.io/name=karpenter; check the controller is running and the ServiceMonitor karpenter (namespace monitoring) selects its Service (port http-metrics).',
      },
    },
    {
      alert: 'KarpenterNodesFailingToLaunch',
      expr: 'sum by (nodepool, reason) (increase(karpenter_nodeclaims_disrupted_total{reason=~"insufficient_capacity|nodeclass_not_ready|launch_timeout"}[30m])) > 2',
      for: '0m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'NodePool {{ $labels.nodepool }} cannot launch nodes ({{ $labels.reason }})',
        description: 'Karpenter deleted {{ $value | humanize }} NodeClaims of {{ $labels.nodepool }} in 30 minutes because EC2 had no capacity for any allowed instance type, the EC2NodeClass was not ready, or the launch timed out. Pending pods wait.',
        runbook: 'kubectl get events -A --field-selector involvedObject.kind=NodeClaim; widen the pool (more instance families, sizes, zones or capacity types) or fix the EC2NodeClass (kubectl describe ec2nodeclass).',
      },
    },
    {
      alert: 'KarpenterNodesFailingToRegister',
      expr: 'sum by (nodepool) (increase(karpenter_nodeclaims_disrupted_total{reason="registration_timeout"}[1h])) > 0',
      for: '0m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'Nodes of NodePool {{ $labels.nodepool }} launch but never join the cluster',
        description: 'Instances launched for {{ $labels.nodepool }} did not register within 15 minutes and were terminated: usually the AMI, user data, node role (aws-auth or access entry) or security groups.',
        runbook: 'Read the instance console output in EC2; check the node role has an EKS access entry, the AMI alias of the EC2NodeClass and its security groups allow the control plane.',
      },
    },
    {
      alert: 'KarpenterCloudProviderErrors',
      expr: 'sum by (method, error) (increase(karpenter_cloudprovider_errors_total{method="Create"}[15m])) > 3',
      for: '0m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'EC2 refuses Karpenter\'s launches ({{ $labels.error }})',
        description: '{{ $value | humanize }} instance launches failed in 15 minutes with {{ $labels.error }}.',
        runbook: 'kubectl -n kube-system logs deploy/karpenter | grep -i error; check service quotas (vCPU per family), the controller role\'s permissions and the subnets\' free IPs.',
      },
    },
    {
      alert: 'KarpenterPodsWaitingForCapacity',
      // The pod's namespace is exported_namespace once scraped: namespace is the Karpenter Service's.
      expr: 'max by (exported_namespace, name) (karpenter_pods_unbound_time_seconds) > 600',
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Pod {{ $labels.exported_namespace }}/{{ $labels.name }} has waited over 10 minutes for a node',
        description: 'Karpenter sees a pod unbound for {{ $value | humanizeDuration }}: no pool can take it (selector, taints, requests larger than any instance type), or its pools are at their limits.',
        runbook: 'kubectl describe pod -n {{ $labels.exported_namespace }} {{ $labels.name }}; kubectl -n kube-system logs deploy/karpenter | grep -i "could not schedule"; npm run validate on the manifests reports placement and fit problems.',
      },
    },
    {
      alert: 'KarpenterUnschedulablePods',
      expr: 'max(karpenter_scheduler_unschedulable_pods_count) > 0',
      for: '15m',
      labels: { severity: 'warning' },
      annotations: {
        summary: '{{ $value }} pods no NodePool can schedule',
        description: 'Karpenter\'s scheduler has found no NodePool for {{ $value }} pods for 15 minutes.',
        runbook: 'kubectl -n kube-system logs deploy/karpenter | grep -i "incompatible"; compare the pods\' selectors and tolerations with the pools in REPORT.md.',
      },
    },
    {
      alert: 'KarpenterNodePoolNotReady',
      expr: 'max by (name) (operator_nodepool_status_condition_count{type="Ready",status="False"}) > 0',
      for: '10m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'NodePool {{ $labels.name }} is not Ready',
        description: 'Karpenter does not launch nodes for a NodePool that is not Ready (usually its EC2NodeClass is missing or not Ready).',
        runbook: 'kubectl describe nodepool {{ $labels.name }}; kubectl describe ec2nodeclass (conditions SubnetsReady, SecurityGroupsReady, AMIsReady, InstanceProfileReady).',
      },
    },
    {
      alert: 'KarpenterEC2NodeClassNotReady',
      expr: 'max by (name) (operator_ec2nodeclass_status_condition_count{type="Ready",status="False"}) > 0',
      for: '10m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'EC2NodeClass {{ $labels.name }} is not Ready',
        description: 'Its subnets, security groups, AMIs or instance profile cannot be resolved: no pool using it can launch.',
        runbook: 'kubectl describe ec2nodeclass {{ $labels.name }}; check the selector tags exist in the account and region, and the controller role may read them.',
      },
    },
    {
      alert: 'KarpenterInterruptions',
      expr: 'sum by (message_type) (increase(karpenter_interruption_received_messages_total{message_type!="no_op"}[30m])) > 5',
      for: '0m',
      labels: { severity: 'info' },
      annotations: {
        summary: '{{ $value | humanize }} {{ $labels.message_type }} messages in 30 minutes',
        description: 'Karpenter is draining nodes ahead of spot interruptions, rebalance recommendations, scheduled changes or instance state changes. Frequent spot interruptions mean the pools\' instance types are in short supply.',
        runbook: 'Widen the spot pools (more families and sizes) or let them fall back to on-demand; check the interruption queue is drained (karpenter_interruption_deleted_messages_total).',
      },
    },
    {
      alert: 'KarpenterDisruptionChurn',
      expr: `sum by (nodepool, reason) (increase(karpenter_nodeclaims_disrupted_total{reason=~"${churn.join('|')}"}[1h])) > 10`,
      for: '0m',
      labels: { severity: 'info' },
      annotations: {
        summary: 'NodePool {{ $labels.nodepool }} replaced {{ $value | humanize }} nodes in an hour ({{ $labels.reason }})',
        description: `Heavy disruption: a change to the pool template or node class (drift), expiry of nodes created together, ${repairs ? 'consolidation that keeps finding cheaper nodes, or node repair replacing unhealthy nodes (with the NodeRepair feature gate)' : 'or consolidation that keeps finding cheaper nodes'}.`,
        runbook: 'npm run plan shows which change drifts which nodes; check the pool\'s disruption budgets and consolidateAfter.',
      },
    },
    {
      alert: 'KarpenterDisruptionFailures',
      expr: 'sum by (reason) (increase(karpenter_voluntary_disruption_queue_failures_total[1h])) > 0',
      for: '0m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Karpenter failed to carry out a disruption ({{ $labels.reason }})',
        description: 'A replacement node did not come up or pods could not be evicted: nodes stay on old AMIs or remain underused.',
        runbook: 'kubectl -n kube-system logs deploy/karpenter | grep -i disrupt; look for PDBs that allow no disruption and pods with karpenter.sh/do-not-disrupt.',
      },
    },
    {
      alert: 'KarpenterClusterStateUnsynced',
      expr: 'max(karpenter_cluster_state_synced) == 0',
      for: '15m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Karpenter\'s view of the cluster is out of sync',
        description: 'While unsynced Karpenter neither provisions for pending pods nor disrupts nodes.',
        runbook: 'kubectl -n kube-system logs deploy/karpenter; look for NodeClaims without nodes or nodes without NodeClaims (kubectl get nodeclaims,nodes -o wide).',
      },
    },
    {
      alert: 'KarpenterGpuNodeIdle',
      expr: [
        'sum by (node_name, nodepool) (karpenter_nodes_allocatable{resource_type="nvidia.com/gpu"}) > 0',
        'unless on (node_name)',
        'sum by (node_name) (karpenter_nodes_total_pod_requests{resource_type="nvidia.com/gpu"}) > 0',
      ].join('\n'),
      for: MONITORING.gpuIdleFor,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'GPU node {{ $labels.node_name }} ({{ $labels.nodepool }}) has run no GPU pod for ' + MONITORING.gpuIdleFor,
        description: 'GPU pools consolidate empty nodes within minutes; one that stays means something keeps it (a pod that is not a GPU worker, a do-not-disrupt annotation, a blocking PDB or budget) and it is billed at GPU prices.',
        runbook: 'kubectl get pods -A --field-selector spec.nodeName={{ $labels.node_name }}; kubectl describe node {{ $labels.node_name }} (look for karpenter.sh/do-not-disrupt and disruption events).',
      },
    },
  ];
  const cost = costExpr(plan);
  const untainted = untaintedPools(plan);
  if (cost) {
    rules.push({
      alert: 'KarpenterNodePoolCostAbovePlan',
      expr: cost,
      for: '1h',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'NodePool {{ $labels.nodepool }} costs {{ $value | printf "%.2f" }} $/h, above its plan',
        description: `More than ${PRICING.alertFactor} times the pool's planned peak cost (dist/${environment}/REPORT.md, Capacity and cost) for an hour: pods the plan does not count, larger instance types than planned, or on-demand where spot was expected.${untainted.length > 0 ? ` Not for ${untainted.join(', ')}: without a taint they also take pods from outside this repository, which the plan cannot count; their limit alerts bound them.` : ''}`,
        runbook: `kubectl get nodes -l karpenter.sh/nodepool={{ $labels.nodepool }} -L node.kubernetes.io/instance-type,karpenter.sh/capacity-type; compare with dist/${environment}/REPORT.md and npm run plan.`,
      },
    });
  }
  const near = limitExpr(plan, MONITORING.limitWarningRatio);
  const full = limitExpr(plan, 1);
  if (near && full) {
    rules.push(
      {
        alert: 'KarpenterNodePoolNearLimit',
        expr: near,
        for: '15m',
        labels: { severity: 'warning' },
        annotations: {
          summary: 'NodePool {{ $labels.nodepool }} uses {{ $value | humanizePercentage }} of its {{ $labels.resource_type }} limit',
          description: `Past ${Math.round(MONITORING.limitWarningRatio * 100)}% of the limit in config/pools.ts: at the limit Karpenter launches no more nodes for the pool, and pods that only it can take stay pending.`,
          runbook: 'Raise the limit in config/pools.ts (or the environment override) if the load is expected; npm run synth shows it in REPORT.md in nodes of the largest type.',
        },
      },
      {
        alert: 'KarpenterNodePoolAtLimit',
        expr: full,
        for: '5m',
        labels: { severity: 'critical' },
        annotations: {
          summary: 'NodePool {{ $labels.nodepool }} has reached its {{ $labels.resource_type }} limit',
          description: 'Karpenter launches no more nodes for this pool: pods that only it can take stay pending.',
          runbook: 'Raise the limit in config/pools.ts (or the environment override), or find what grew: kubectl get nodes -l karpenter.sh/nodepool={{ $labels.nodepool }}.',
        },
      },
    );
  }
  return rules;
}
