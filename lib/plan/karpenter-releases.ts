import type { KarpenterRelease } from 'karpenter-validate/model';
import { KARPENTER_RELEASES } from '../../config/versions';
import { HASH_VERSIONS } from './karpenter-hash';

/**
 * What each Karpenter release the project supports runs with when nothing is set, for the upgrade
 * plan: its hash versions (karpenter-hash.ts HASH_VERSIONS) and its feature gates at their
 * defaults. Held to each release's own code by the Karpenter oracle's `release` command
 * (oracle/karpenter/release.go: the flags parsed at their defaults, as the controller parses them),
 * recorded in test/oracle/karpenter/release-v1.14.1.json and v1.15.0/release.json.
 */

export interface ReleaseFacts {
  readonly hashVersions: { readonly nodePool: string; readonly ec2NodeClass: string };
  /**
   * Gates by name at their defaults: `core` (--feature-gates, sigs.k8s.io/karpenter
   * pkg/operator/options/options.go; chart settings.featureGates) and `aws` (--aws-feature-gates,
   * aws/karpenter-provider-aws pkg/operator/options/options.go, new in 1.15.0; chart
   * settings.awsFeatureGates).
   */
  readonly featureGates: { readonly core: Readonly<Record<string, boolean>>; readonly aws: Readonly<Record<string, boolean>> };
}

export const RELEASE_FACTS: Readonly<Record<KarpenterRelease, ReleaseFacts>> = {
  '1.14.1': {
    hashVersions: HASH_VERSIONS['1.14.1'],
    featureGates: {
      core: { CapacityBuffer: false, NodeOverlay: false, NodeRepair: false, ReservedCapacity: true, SpotToSpotConsolidation: false, StaticCapacity: false },
      aws: {},
    },
  },
  '1.15.0': {
    hashVersions: HASH_VERSIONS['1.15.0'],
    featureGates: {
      core: {
        CapacityBuffer: false,
        NodeOverlay: false,
        NodeRepair: false,
        PodDeletionCostManagement: false,
        ReservedCapacity: true,
        SpotToSpotConsolidation: false,
        StaticCapacity: false,
        TerminateFirstDrift: false,
        TerminateFirstRepair: false,
      },
      aws: { DRAEFA: false, DRANVIDIAGPU: false, NodeClassCEL: false, RebootForRepair: false },
    },
  },
};

/**
 * What a gate does differently at a release, for the gates an environment turns on (chart value
 * name, as `settings.featureGates` spells it): said in the plan when the upgrade reaches that release.
 */
export const GATE_BEHAVIOUR: Readonly<Record<KarpenterRelease, Readonly<Record<string, string>>>> = {
  '1.14.1': {},
  '1.15.0': {
    nodeRepair:
      'node repair becomes a disruption method (the chart\'s settings.legacyNodeRepair, false): it counts against the NodePool budgets (reason Unhealthy), launches the replacement before it drains, honours karpenter.sh/do-not-repair, and drains a NotReady node for at most 10 minutes, where 1.14.1 deleted the NodeClaim at once (sigs.k8s.io/karpenter v1.15.0 pkg/controllers/disruption/repair.go; karpenter-provider-aws v1.15.0 pkg/cloudprovider/cloudprovider.go RepairPolicies)',
  },
};

/** The chart values that set gates (charts/karpenter values.yaml at both releases). */
export const GATE_VALUES = { core: 'settings.featureGates', aws: 'settings.awsFeatureGates' } as const;

/** What a gate's default does, where an upgrade adds it: the behaviour it would change (from each release's options.go help and the code it guards). */
export const GATE_NOTES: Readonly<Record<string, string>> = {
  TerminateFirstDrift: 'replace a drifted node on a capacity-constrained pool by terminating it first',
  TerminateFirstRepair: 'terminate an unhealthy node before its replacement is up; needs NodeRepair',
  PodDeletionCostManagement: 'write controller.kubernetes.io/pod-deletion-cost on pods, so ReplicaSets scale down pods on nodes Karpenter would consolidate',
  NodeClassCEL: "evaluate CEL expressions in an EC2NodeClass kubelet's maxPods, kubeReserved and systemReserved",
  DRANVIDIAGPU: 'schedule NVIDIA GPUs through Dynamic Resource Allocation',
  DRAEFA: 'schedule EFA devices through Dynamic Resource Allocation',
  RebootForRepair: 'repair an unhealthy node by rebooting it rather than replacing it',
};

/**
 * Label values a release adds to or renames on its metrics, which the metric lists (names and labels)
 * cannot show: the values an alert's matcher selects. 1.15.0's, read in its source.
 */
export const LABEL_VALUE_CHANGES: Readonly<Record<KarpenterRelease, readonly { readonly metric: string; readonly label: string; readonly added?: readonly string[]; readonly renamed?: readonly [string, string]; readonly why: string }[]>> = {
  '1.14.1': [],
  '1.15.0': [
    { metric: 'karpenter_nodepools_allowed_disruptions', label: 'reason', added: ['unhealthy'], why: 'repair rides the NodePool disruption budgets, while the NodeRepair gate is on (v1.15.0 pkg/controllers/disruption/repair.go)' },
    { metric: 'karpenter_nodepools_nodes_consuming_budgets', label: 'reason', added: ['unhealthy'], why: 'repair rides the NodePool disruption budgets, while the NodeRepair gate is on (v1.15.0 pkg/controllers/disruption/repair.go)' },
    { metric: 'karpenter_voluntary_disruption_decisions_total', label: 'decision', added: ['terminate-first', 'reboot'], why: 'TerminateFirstDrift/TerminateFirstRepair and RebootForRepair (v1.15.0 pkg/controllers/disruption/metrics.go)' },
    { metric: 'karpenter_cloudprovider_errors_total', label: 'error', renamed: ['', 'unknown'], why: 'an unclassified error is labelled "unknown" instead of "" (v1.15.0 pkg/cloudprovider/metrics/cloudprovider.go MetricLabelErrorDefaultVal)' },
  ],
};

/** The release a chart version installs (config/versions.ts KARPENTER_RELEASES), or undefined. */
export function releaseOfChart(chart: string): KarpenterRelease | undefined {
  return (Object.keys(KARPENTER_RELEASES) as KarpenterRelease[]).find((release) => KARPENTER_RELEASES[release].chart === chart);
}
