#!/usr/bin/env node
// Generates packages/karpenter-validate/src/monitoring/karpenter-metrics.json: every metric Karpenter v1.14.1 exports, with
// its section, stability level and description, from Karpenter's own reference page
// (aws/karpenter-provider-aws v1.14.1 website/content/en/docs/reference/metrics.md):
//
//   npm run metrics -- ../shared/data/karpenter-v1.14.1 [--output <file>]
//
// The alert and dashboard queries are checked against it: a metric name that is not here is a
// synth error, and so is a label a query names that the series do not carry once scraped.
// One metric per line, sorted, so that a Karpenter upgrade reads as a reviewable diff.
//
// metrics.md names the metrics but not their labels; the labels (and type: a histogram's series
// add `le`, a summary's `quantile`) of Karpenter's own metrics are in TYPES_AND_LABELS below, as
// each metric's definition in the source of the same releases declares them (its label list,
// constants resolved), grouped by the file that defines it. Upgrading Karpenter means reading
// those files again: a metric listed here that metrics.md no longer names fails the generator.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { generatorArgs } from './generator-args.mjs';

/** The labels Karpenter's node metrics carry: pkg/controllers/metrics/node/controller.go nodeLabelNames. */
const NODE_LABELS = [
  'node_name', 'phase', 'managed',
  // getWellKnownLabels: the name part of every key of v1.WellKnownLabels, lowercased, '-' as '_':
  // karpenter's own (pkg/apis/v1/labels.go) and those the AWS provider adds in its init
  // (aws/karpenter-provider-aws v1.14.1 pkg/apis/v1/labels.go).
  'nodepool', 'zone', 'region', 'instance_type', 'arch', 'os', 'capacity_type', 'windows_build',
  'capacity_reservation_id', 'capacity_reservation_type', 'capacity_reservation_interruptible', 'instance_hypervisor',
  'instance_encryption_in_transit_supported', 'instance_category', 'instance_capability_flex', 'instance_family',
  'instance_generation', 'instance_size', 'instance_local_nvme', 'instance_cpu', 'instance_cpu_manufacturer',
  'instance_cpu_sustained_clock_speed_mhz', 'instance_memory', 'instance_ebs_bandwidth', 'instance_network_bandwidth',
  'instance_gpu_name', 'instance_gpu_manufacturer', 'instance_gpu_count', 'instance_gpu_memory', 'instance_accelerator_name',
  'instance_accelerator_manufacturer', 'instance_accelerator_count', 'zone_id', 'instance_tenancy', 'placement_group_id',
  'placement_group_partition',
];

/** The labels of karpenter_pods_state: pkg/controllers/metrics/pod/controller.go labelNames. */
const POD_LABELS = ['name', 'namespace', 'owner', 'node', 'scheduled', 'nodepool', 'zone', 'arch', 'capacity_type', 'instance_type', 'phase', 'ready', 'managed'];

/**
 * The status metrics of awslabs/operatorpkg (status/metrics.go, the version Karpenter v1.14.1
 * requires: v0.0.0-20260708223819-4da4c353c5fa), per kind whose status controller Karpenter
 * starts (sigs.k8s.io/karpenter v1.14.1 pkg/controllers/controllers.go, aws provider
 * pkg/controllers/controllers.go), with the labels each adds (WithLabels, '/', '.' and '-' as '_').
 */
function statusMetrics(prefix, extra) {
  return {
    [`${prefix}status_condition_count`]: { type: 'gauge', labels: ['namespace', 'name', 'type', 'status', 'reason', ...extra] },
    [`${prefix}status_condition_current_status_seconds`]: { type: 'gauge', labels: ['namespace', 'name', 'type', 'status', 'reason', ...extra] },
    [`${prefix}status_condition_transition_seconds`]: { type: 'histogram', labels: ['type', 'status', ...extra] },
    [`${prefix}status_condition_transitions_total`]: { type: 'counter', labels: ['type', 'status', 'reason', ...extra] },
    [`${prefix}termination_current_time_seconds`]: { type: 'gauge', labels: ['namespace', 'name', ...extra] },
    [`${prefix}termination_duration_seconds`]: { type: 'histogram', labels: [...extra] },
  };
}

const TYPES_AND_LABELS = {
  // aws/karpenter-provider-aws v1.14.1 pkg/batcher/metrics.go
  karpenter_cloudprovider_batcher_batch_size: { type: 'histogram', labels: ['batcher'] },
  karpenter_cloudprovider_batcher_batch_time_seconds: { type: 'histogram', labels: ['batcher'] },
  // aws/karpenter-provider-aws v1.14.1 pkg/controllers/interruption/metrics.go
  karpenter_interruption_deleted_messages_total: { type: 'counter', labels: [] },
  karpenter_interruption_instance_status_unhealthy_total: { type: 'counter', labels: ['category'] },
  karpenter_interruption_message_queue_duration_seconds: { type: 'histogram', labels: [] },
  karpenter_interruption_received_messages_total: { type: 'counter', labels: ['message_type'] },
  // aws/karpenter-provider-aws v1.14.1 pkg/controllers/metrics/metrics.go
  karpenter_cloudprovider_instance_type_offering_available: { type: 'gauge', labels: ['instance_type', 'capacity_type', 'zone'] },
  karpenter_cloudprovider_instance_type_offering_price_estimate: { type: 'gauge', labels: ['instance_type', 'capacity_type', 'zone'] },
  // aws/karpenter-provider-aws v1.14.1 pkg/providers/instancetype/metrics.go
  karpenter_cloudprovider_instance_type_cpu_cores: { type: 'gauge', labels: ['instance_type'] },
  karpenter_cloudprovider_instance_type_memory_bytes: { type: 'gauge', labels: ['instance_type'] },
  // sigs.k8s.io/karpenter v1.14.1 pkg/cloudprovider/metrics/cloudprovider.go
  karpenter_cloudprovider_duration_seconds: { type: 'histogram', labels: ['controller', 'method', 'provider'] },
  karpenter_cloudprovider_errors_total: { type: 'counter', labels: ['controller', 'method', 'provider', 'error'] },
  // sigs.k8s.io/karpenter v1.14.1 pkg/controllers/disruption/metrics.go
  karpenter_nodepools_allowed_disruptions: { type: 'gauge', labels: ['nodepool', 'reason'] },
  karpenter_nodepools_nodes_consuming_budgets: { type: 'gauge', labels: ['nodepool', 'reason'] },
  karpenter_voluntary_disruption_consolidation_timeouts_total: { type: 'counter', labels: ['consolidation_type'] },
  karpenter_voluntary_disruption_decision_evaluation_duration_seconds: { type: 'histogram', labels: ['reason', 'consolidation_type'] },
  karpenter_voluntary_disruption_decisions_by_nodepool_total: { type: 'counter', labels: ['nodepool', 'decision', 'reason', 'consolidation_type'] },
  karpenter_voluntary_disruption_decisions_total: { type: 'counter', labels: ['decision', 'reason', 'consolidation_type'] },
  karpenter_voluntary_disruption_eligible_nodes: { type: 'gauge', labels: ['reason'] },
  karpenter_voluntary_disruption_failed_validations_total: { type: 'counter', labels: ['consolidation_type'] },
  karpenter_voluntary_disruption_queue_failures_total: { type: 'counter', labels: ['decision', 'reason', 'consolidation_type'] },
  // sigs.k8s.io/karpenter v1.14.1 pkg/controllers/metrics/node/controller.go
  karpenter_cluster_utilization_percent: { type: 'gauge', labels: ['resource_type'] },
  karpenter_nodes_allocatable: { type: 'gauge', labels: [...NODE_LABELS, 'resource_type'] },
  karpenter_nodes_current_lifetime_seconds: { type: 'gauge', labels: NODE_LABELS },
  karpenter_nodes_system_overhead: { type: 'gauge', labels: [...NODE_LABELS, 'resource_type'] },
  karpenter_nodes_total_daemon_limits: { type: 'gauge', labels: [...NODE_LABELS, 'resource_type'] },
  karpenter_nodes_total_daemon_requests: { type: 'gauge', labels: [...NODE_LABELS, 'resource_type'] },
  karpenter_nodes_total_pod_limits: { type: 'gauge', labels: [...NODE_LABELS, 'resource_type'] },
  karpenter_nodes_total_pod_requests: { type: 'gauge', labels: [...NODE_LABELS, 'resource_type'] },
  // sigs.k8s.io/karpenter v1.14.1 pkg/controllers/metrics/nodepool/controller.go
  karpenter_nodepools_cost_total: { type: 'gauge', labels: ['nodepool'] },
  karpenter_nodepools_limit: { type: 'gauge', labels: ['resource_type', 'nodepool'] },
  karpenter_nodepools_usage: { type: 'gauge', labels: ['resource_type', 'nodepool'] },
  // sigs.k8s.io/karpenter v1.14.1 pkg/controllers/metrics/pod/controller.go
  karpenter_pods_bound_duration_seconds: { type: 'histogram', labels: [] },
  karpenter_pods_provisioning_bound_duration_seconds: { type: 'histogram', labels: [] },
  karpenter_pods_provisioning_scheduling_undecided_time_seconds: { type: 'gauge', labels: ['name', 'namespace'] },
  karpenter_pods_provisioning_startup_duration_seconds: { type: 'histogram', labels: [] },
  karpenter_pods_provisioning_unbound_time_seconds: { type: 'gauge', labels: ['name', 'namespace'] },
  karpenter_pods_provisioning_unstarted_time_seconds: { type: 'gauge', labels: ['name', 'namespace'] },
  karpenter_pods_startup_duration_seconds: { type: 'summary', labels: [] },
  karpenter_pods_state: { type: 'gauge', labels: POD_LABELS },
  karpenter_pods_unbound_time_seconds: { type: 'gauge', labels: ['name', 'namespace'] },
  karpenter_pods_unstarted_time_seconds: { type: 'gauge', labels: ['name', 'namespace'] },
  // sigs.k8s.io/karpenter v1.14.1 pkg/controllers/node/health/metrics.go
  karpenter_nodeclaims_unhealthy_disrupted_total: { type: 'counter', labels: ['condition', 'nodepool', 'capacity_type', 'image_id'] },
  // sigs.k8s.io/karpenter v1.14.1 pkg/controllers/node/termination/metrics.go
  karpenter_nodes_drained_total: { type: 'counter', labels: ['nodepool'] },
  karpenter_nodes_lifetime_duration_seconds: { type: 'histogram', labels: ['nodepool'] },
  karpenter_nodes_termination_duration_seconds: { type: 'summary', labels: ['nodepool'] },
  // sigs.k8s.io/karpenter v1.14.1 pkg/controllers/node/termination/terminator/metrics.go
  karpenter_pods_drained_total: { type: 'counter', labels: ['reason'] },
  karpenter_pods_eviction_requests_total: { type: 'counter', labels: ['code'] },
  // sigs.k8s.io/karpenter v1.14.1 pkg/controllers/nodeclaim/lifecycle/metrics.go
  karpenter_nodeclaims_instance_termination_duration_seconds: { type: 'histogram', labels: ['nodepool'] },
  karpenter_nodeclaims_termination_duration_seconds: { type: 'histogram', labels: ['nodepool'] },
  // sigs.k8s.io/karpenter v1.14.1 pkg/controllers/provisioning/scheduling/metrics.go
  karpenter_scheduler_ignored_pods_count: { type: 'gauge', labels: [] },
  karpenter_scheduler_pending_pods_by_effective_zone_count: { type: 'gauge', labels: ['controller', 'zone'] },
  karpenter_scheduler_queue_depth: { type: 'gauge', labels: ['controller', 'scheduling_id'] },
  karpenter_scheduler_scheduling_duration_seconds: { type: 'histogram', labels: ['controller'] },
  karpenter_scheduler_unfinished_work_seconds: { type: 'gauge', labels: ['controller', 'scheduling_id'] },
  karpenter_scheduler_unschedulable_pods_count: { type: 'gauge', labels: ['controller'] },
  // sigs.k8s.io/karpenter v1.14.1 pkg/controllers/state/metrics.go
  karpenter_cluster_state_node_count: { type: 'gauge', labels: [] },
  karpenter_cluster_state_synced: { type: 'gauge', labels: [] },
  karpenter_cluster_state_unsynced_time_seconds: { type: 'gauge', labels: [] },
  karpenter_pods_scheduling_decision_duration_seconds: { type: 'histogram', labels: [] },
  // sigs.k8s.io/karpenter v1.14.1 pkg/metrics/metrics.go
  karpenter_nodeclaims_created_total: { type: 'counter', labels: ['reason', 'nodepool', 'min_values_relaxed'] },
  karpenter_nodeclaims_disrupted_total: { type: 'counter', labels: ['reason', 'nodepool', 'capacity_type'] },
  karpenter_nodeclaims_terminated_total: { type: 'counter', labels: ['nodepool', 'capacity_type', 'zone'] },
  karpenter_nodes_created_total: { type: 'counter', labels: ['nodepool', 'zone'] },
  karpenter_nodes_terminated_total: { type: 'counter', labels: ['nodepool', 'zone'] },
  // sigs.k8s.io/karpenter v1.14.1 pkg/operator/operator.go
  karpenter_build_info: { type: 'gauge', labels: ['version', 'goversion', 'goarch', 'commit'] },
  // sigs.k8s.io/karpenter v1.14.1 pkg/state/cost/cost.go
  karpenter_nodepools_cost_tracker_errors_total: { type: 'counter', labels: ['nodepool'] },
  // awslabs/operatorpkg status/metrics.go, for the status controllers Karpenter starts
  ...statusMetrics('operator_', ['group', 'kind']),
  ...statusMetrics('operator_nodepool_', []),
  ...statusMetrics('operator_ec2nodeclass_', []),
  ...statusMetrics('operator_nodeclaim_', ['karpenter_k8s_aws_ec2nodeclass', 'karpenter_sh_nodepool']),
  ...statusMetrics('operator_node_', ['karpenter_k8s_aws_ec2nodeclass', 'karpenter_sh_nodepool', 'karpenter_sh_initialized']),
};

const { input: dataDir, output } = generatorArgs(['packages', 'karpenter-validate', 'src', 'monitoring', 'karpenter-metrics.json'], 'npm run metrics -- <folder with metrics.md>');
const version = /karpenter-v([\d.]+)/.exec(resolve(dataDir))?.[1];
if (!version) throw new Error(`${dataDir}: the folder name must carry the Karpenter release (karpenter-v<version>)`);

const metrics = new Map();
let section = 'General';
let current;
for (const line of readFileSync(join(dataDir, 'metrics.md'), 'utf8').split('\n')) {
  const heading = /^## (.+)$/.exec(line);
  if (heading) {
    section = heading[1].replace(/ Metrics$/, '');
    current = undefined;
    continue;
  }
  const metric = /^### `([a-zA-Z_:][a-zA-Z0-9_:]*)`$/.exec(line);
  if (metric) {
    current = { section, stability: undefined, description: '' };
    metrics.set(metric[1], current);
    continue;
  }
  if (!current) continue;
  const stability = /^- Stability Level: (\w+)/.exec(line);
  if (stability) current.stability = stability[1];
  else if (line.trim() !== '' && !line.startsWith('-')) current.description = `${current.description} ${line.trim()}`.trim();
}
if (metrics.size === 0) throw new Error('metrics.md: no metric headings found');
for (const [name, { type, labels }] of Object.entries(TYPES_AND_LABELS)) {
  const metric = metrics.get(name);
  if (!metric) throw new Error(`TYPES_AND_LABELS names ${name}, which metrics.md does not: read the release's source again`);
  metric.type = type;
  metric.labels = [...new Set(labels)].sort();
}

const lines = [...metrics].sort(([a], [b]) => a.localeCompare(b)).map(([name, m]) => `    ${JSON.stringify(name)}: ${JSON.stringify(m)}`);
const text = `{\n  "source": "aws/karpenter-provider-aws v${version} website/content/en/docs/reference/metrics.md (npm run metrics)",\n  "karpenterVersion": ${JSON.stringify(version)},\n  "metrics": {\n${lines.join(',\n')}\n  }\n}\n`;
mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, text);
console.log(`${metrics.size} metrics written to ${output}`);
