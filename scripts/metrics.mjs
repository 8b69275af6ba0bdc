#!/usr/bin/env node
// Generates the metric list of every Karpenter release the project supports, in
// packages/karpenter-validate/src/monitoring/: karpenter-metrics.json for the oldest (1.14.1),
// karpenter-metrics-v<release>.json for each later one. Each names every metric the release exports,
// with its section, stability level, description, type and labels.
//
// From the release's own source: Karpenter's reference page (website/.../reference/metrics.md) is
// not in the provider's Go module (website/ is a module of its own, which the proxy does not serve),
// but the program that writes it is: the provider's hack/docs/metrics_gen, which reads the Go source
// of the provider, the core, controller-runtime, aws-sdk-go-prometheus and operatorpkg. This script
// builds each release's generator with that release's pinned build list (oracle/karpenter's modfile,
// scripts/karpenter-release.mjs) and runs it on that release's modules, as the provider's
// hack/docgen.sh does, then reads the page it writes. Needs Go.
//
//   npm run metrics [-- --output <dir>]
//
// The alert and dashboard queries are checked against it: a metric name that is not here is a
// synth error, and so is a label a query names that the series do not carry once scraped.
// One metric per line, sorted, so that a Karpenter upgrade reads as a reviewable diff.
//
// Labels and types: from 1.15.0 the generator writes each metric's type and dimensions, and they
// are taken from it, with the few it cannot see added from the source (GENERATOR_GAPS, each
// cited). 1.14.1's generator writes neither; its labels (and type: a histogram's series add `le`, a
// summary's `quantile`) are in TYPES_AND_LABELS_1_14 below, as each metric's definition in the source
// of that release declares them (its label list, constants resolved), grouped by the file that
// defines it. A metric listed there that the page does not name fails the generator.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { root } from './oracles.mjs';
import { buildReleaseTool, CORE, downloadModule, karpenterReleases, PROVIDER, releaseModuleDirs } from './karpenter-release.mjs';

const args = process.argv.slice(2);
const flag = args.indexOf('--output');
const output = flag >= 0 ? resolve(args[flag + 1] ?? '') : join(root, 'packages', 'karpenter-validate', 'src', 'monitoring');
if (args.some((a, i) => a !== '--output' && i !== flag + 1)) {
  console.error('usage: npm run metrics [-- --output <dir>]');
  process.exit(2);
}

/** The labels Karpenter's node metrics carry: pkg/controllers/metrics/node/controller.go nodeLabelNames (the same at 1.14.1 and 1.15.0). */
const NODE_LABELS = [
  'node_name', 'phase', 'managed',
  // getWellKnownLabels: the name part of every key of v1.WellKnownLabels, lowercased, '-' as '_':
  // karpenter's own (pkg/apis/v1/labels.go) and those the AWS provider adds in its init
  // (aws/karpenter-provider-aws pkg/apis/v1/labels.go; the same set at v1.14.1 and v1.15.0).
  'nodepool', 'zone', 'region', 'instance_type', 'arch', 'os', 'capacity_type', 'windows_build',
  'capacity_reservation_id', 'capacity_reservation_type', 'capacity_reservation_interruptible', 'instance_hypervisor',
  'instance_encryption_in_transit_supported', 'instance_category', 'instance_capability_flex', 'instance_family',
  'instance_generation', 'instance_size', 'instance_local_nvme', 'instance_cpu', 'instance_cpu_manufacturer',
  'instance_cpu_sustained_clock_speed_mhz', 'instance_memory', 'instance_ebs_bandwidth', 'instance_network_bandwidth',
  'instance_gpu_name', 'instance_gpu_manufacturer', 'instance_gpu_count', 'instance_gpu_memory', 'instance_accelerator_name',
  'instance_accelerator_manufacturer', 'instance_accelerator_count', 'zone_id', 'instance_tenancy', 'placement_group_id',
  'placement_group_partition',
];
const NODE_METRICS = ['karpenter_nodes_allocatable', 'karpenter_nodes_current_lifetime_seconds', 'karpenter_nodes_system_overhead', 'karpenter_nodes_total_daemon_limits', 'karpenter_nodes_total_daemon_requests', 'karpenter_nodes_total_pod_limits', 'karpenter_nodes_total_pod_requests'];

/** The labels of karpenter_pods_state: pkg/controllers/metrics/pod/controller.go labelNames. */
const POD_LABELS = ['name', 'namespace', 'owner', 'node', 'scheduled', 'nodepool', 'zone', 'arch', 'capacity_type', 'instance_type', 'phase', 'ready', 'managed'];

/** The labels a status controller's WithLabels adds ('/', '.' and '-' as '_'): core pkg/controllers/controllers.go (v1.14.1 and v1.15.0). */
const NODECLAIM_EXTRA = ['karpenter_k8s_aws_ec2nodeclass', 'karpenter_sh_nodepool'];
const NODE_EXTRA = ['karpenter_k8s_aws_ec2nodeclass', 'karpenter_sh_nodepool', 'karpenter_sh_initialized'];

/**
 * The status metrics of awslabs/operatorpkg (status/metrics.go), per kind whose status controller
 * Karpenter starts (sigs.k8s.io/karpenter pkg/controllers/controllers.go, aws provider
 * pkg/controllers/controllers.go), with the labels each adds. `toStatus`: the operatorpkg 1.15.0
 * requires (v0.0.0-20261002163259-5e8ed3699dea) adds to_status to the transition histogram
 * (MetricLabelToConditionStatus).
 */
function statusMetrics(prefix, extra, toStatus) {
  return {
    [`${prefix}status_condition_count`]: { type: 'gauge', labels: ['namespace', 'name', 'type', 'status', 'reason', ...extra] },
    [`${prefix}status_condition_current_status_seconds`]: { type: 'gauge', labels: ['namespace', 'name', 'type', 'status', 'reason', ...extra] },
    [`${prefix}status_condition_transition_seconds`]: { type: 'histogram', labels: ['type', 'status', ...(toStatus ? ['to_status'] : []), ...extra] },
    [`${prefix}status_condition_transitions_total`]: { type: 'counter', labels: ['type', 'status', 'reason', ...extra] },
    [`${prefix}termination_current_time_seconds`]: { type: 'gauge', labels: ['namespace', 'name', ...extra] },
    [`${prefix}termination_duration_seconds`]: { type: 'histogram', labels: [...extra] },
  };
}

/** Karpenter 1.14.1's metrics' types and labels, from its source (its generator writes neither). */
const TYPES_AND_LABELS_1_14 = {
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
  // awslabs/operatorpkg v0.0.0-20260708223819-4da4c353c5fa status/metrics.go, for the status controllers Karpenter starts
  ...statusMetrics('operator_', ['group', 'kind']),
  ...statusMetrics('operator_nodepool_', []),
  ...statusMetrics('operator_ec2nodeclass_', []),
  ...statusMetrics('operator_nodeclaim_', NODECLAIM_EXTRA),
  ...statusMetrics('operator_node_', NODE_EXTRA),
};

/**
 * What 1.15.0's generator cannot see, from the source: labels computed at run time (the node
 * metrics' well-known labels; a status controller's WithLabels) and the Node status controller,
 * which it does not find (NewGenericObjectController). Each entry adds its labels to the
 * generator's, or adds the metric.
 */
const GENERATOR_GAPS_1_15 = {
  // sigs.k8s.io/karpenter v1.15.0 pkg/controllers/metrics/node/controller.go nodeLabelNames: the well-known labels.
  ...Object.fromEntries(NODE_METRICS.map((name) => [name, { labels: NODE_LABELS }])),
  // sigs.k8s.io/karpenter v1.15.0 pkg/controllers/controllers.go: NodeClaim status controller WithLabels.
  ...Object.fromEntries(Object.entries(statusMetrics('operator_nodeclaim_', NODECLAIM_EXTRA, true)).map(([name, { labels }]) => [name, { labels }])),
  // sigs.k8s.io/karpenter v1.15.0 pkg/controllers/controllers.go: NewGenericObjectController[*corev1.Node] with WithLabels,
  // operatorpkg v0.0.0-20261002163259-5e8ed3699dea status/metrics.go.
  ...Object.fromEntries(Object.entries(statusMetrics('operator_node_', NODE_EXTRA, true)).map(([name, m]) => [name, { ...m, add: { section: 'Node Status Condition', stability: 'BETA' } }])),
};

/** A release's metrics page, as its own generator writes it from its own modules. */
function generatedPage(release) {
  const generator = buildReleaseTool(release, `${PROVIDER}/hack/docs/metrics_gen`, 'metrics-gen');
  const dirs = releaseModuleDirs(release, [PROVIDER, CORE, 'sigs.k8s.io/controller-runtime', 'github.com/awslabs/operatorpkg']);
  // Not in the build list (the oracle does not import it): the version the provider's go.mod requires.
  const providerMod = readFileSync(join(dirs.get(PROVIDER), 'go.mod'), 'utf8');
  const sdkVersion = /github\.com\/jonathan-innis\/aws-sdk-go-prometheus (v\S+)/.exec(providerMod)?.[1];
  if (!sdkVersion) throw new Error(`${PROVIDER}@${release.provider} go.mod requires no github.com/jonathan-innis/aws-sdk-go-prometheus`);
  const sdk = downloadModule('github.com/jonathan-innis/aws-sdk-go-prometheus', sdkVersion, release);
  const scratch = mkdtempSync(join(tmpdir(), 'metrics-'));
  try {
    const page = join(scratch, 'metrics.md');
    // From 1.15.0 the generator replaces what lies between these markers of an existing page.
    writeFileSync(page, '[comment]: <> (the content below is generated from hack/docs/metrics_gen/main.go)\n[comment]: <> (end docs generated content from hack/docs/metrics_gen/main.go)\n');
    const run = spawnSync(generator, [join(dirs.get(PROVIDER), 'pkg'), join(dirs.get(CORE), 'pkg'), join(dirs.get('sigs.k8s.io/controller-runtime'), 'pkg'), sdk, dirs.get('github.com/awslabs/operatorpkg'), page], { cwd: scratch, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`Karpenter ${release.release}'s metrics_gen failed:\n${run.stderr}`);
    return readFileSync(page, 'utf8');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The page's metrics: section, stability, description, and, where it says them, type and labels. */
function parsePage(text) {
  const metrics = new Map();
  let section = 'General';
  let current;
  let inDimensions = false;
  for (const line of text.split('\n')) {
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
      inDimensions = false;
      continue;
    }
    if (!current || line.startsWith('[comment]')) continue;
    const stability = /^- Stability Level: (\w+)/.exec(line);
    const type = /^- Type: \[(\w+)\]/.exec(line);
    const dimension = /^ {2}- `([^`]+)`/.exec(line);
    if (stability) current.stability = stability[1];
    else if (type) current.type = type[1].toLowerCase();
    else if (/^- Dimensions:/.test(line)) {
      current.labels = [];
      inDimensions = true;
    } else if (dimension && inDimensions) current.labels.push(dimension[1]);
    else if (line.trim() !== '' && !/^\s*-/.test(line)) current.description = `${current.description} ${line.trim()}`.trim();
  }
  if (metrics.size === 0) throw new Error('metrics page: no metric headings found');
  return metrics;
}

const releases = karpenterReleases();
mkdirSync(output, { recursive: true });
for (const release of releases) {
  const metrics = parsePage(generatedPage(release));
  if (release.release === '1.14.1') {
    for (const [name, { type, labels }] of Object.entries(TYPES_AND_LABELS_1_14)) {
      const metric = metrics.get(name);
      if (!metric) throw new Error(`TYPES_AND_LABELS_1_14 names ${name}, which 1.14.1's metrics page does not: read the release's source again`);
      Object.assign(metric, { type, labels });
    }
  } else {
    for (const [name, metric] of metrics) if (metric.type && !metric.labels) metric.labels = [];
    if (release.release === '1.15.0') {
      for (const [name, { type, labels, add }] of Object.entries(GENERATOR_GAPS_1_15)) {
        const metric = metrics.get(name) ?? (add ? { ...add, description: '', type } : undefined);
        if (!metric) throw new Error(`GENERATOR_GAPS_1_15 names ${name}, which 1.15.0's metrics page does not: read the release's source again`);
        metrics.set(name, { ...metric, ...(add && !metrics.has(name) ? { description: `The status metric ${name.replace(/^operator_node_/, '')} of Nodes (the Node status controller Karpenter starts; the generator does not list it).` } : {}), labels: [...(metric.labels ?? []), ...labels] });
      }
    }
  }
  const lines = [...metrics]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, m]) => `    ${JSON.stringify(name)}: ${JSON.stringify({ section: m.section, stability: m.stability, description: m.description, ...(m.type ? { type: m.type } : {}), ...(m.labels ? { labels: [...new Set(m.labels)].sort() } : {}) })}`);
  const file = join(output, release === releases[0] ? 'karpenter-metrics.json' : `karpenter-metrics-v${release.release}.json`);
  const source = `${PROVIDER}@${release.provider} hack/docs/metrics_gen run on ${PROVIDER}@${release.provider}, ${CORE}@${release.core} and the modules they require (npm run metrics)`;
  writeFileSync(file, `{\n  "source": ${JSON.stringify(source)},\n  "karpenterVersion": ${JSON.stringify(release.release)},\n  "metrics": {\n${lines.join(',\n')}\n  }\n}\n`);
  console.log(`Karpenter ${release.release}: ${metrics.size} metrics written to ${file}`);
}
