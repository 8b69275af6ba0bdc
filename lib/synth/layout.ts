import { MONITORING } from '../../config/monitoring';
import { emitYaml } from './yaml-emit';

/** A Kubernetes object as synthesized: plain JSON. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [field: string]: unknown;
}

/** One apply phase: a file of dist/<env>/, the kinds it holds, and the sync wave of its objects. */
interface Phase {
  readonly file: string;
  readonly kinds: readonly string[];
  readonly wave: number;
  /** Objects of other kinds that belong here, e.g. the Grafana dashboard ConfigMap with the monitoring. @default none */
  readonly alsoHolds?: (manifest: Manifest) => boolean;
}

/** The Grafana dashboard ConfigMaps (kube-prometheus-stack's sidecar label): Karpenter's monitoring, not a workload's configuration. */
const isDashboard = (manifest: Manifest) => manifest.kind === 'ConfigMap' && Object.entries(MONITORING.dashboardLabel).every(([key, value]) => manifest.metadata.labels?.[key] === value);

/**
 * Apply phases, in order. `kubectl apply -f dist/<env>/` reads files in name order and
 * documents in file order, and Argo CD applies lower sync waves first: both follow this table,
 * so the two can never disagree. Argo CD applies a wave, waits until every object of it is
 * healthy, then starts the next; it does not wait for the last wave, unless a hook is in it
 * (gitops-engine at argo-cd v3.1.16, pkg/sync/sync_context.go Sync: runningTasks, finalWave).
 *
 * - Namespaces and storage first, then Karpenter's monitoring: it needs only its namespace and
 *   the Prometheus Operator's CRDs (prerequisites), and it is what says why a node class, a pool
 *   or a workload does not come up, so nothing that waits on AWS or on a pod may gate it.
 * - Node classes before the pools that reference them (a node class is healthy only once
 *   Karpenter resolved its AMI, subnets and security groups in AWS), configuration and claims
 *   before the pods that mount them, PDBs before the pods they protect.
 * - The last wave holds everything that runs pods, with the autoscalers of the same wave as their
 *   targets: a ScaledObject that scales its target to zero must exist when the target does, or
 *   Argo CD first waits for the replica the API server defaults (1), which needs a node, an image
 *   and the services the pod talks to (a GPU worker: a spot GPU node and Redis). Within a wave
 *   Argo CD applies built-in kinds before custom ones (sync_tasks.go kindOrder) in one
 *   reconciliation, so the target exists before its ScaledObject is read. No hook is in that wave
 *   (a hook would make Argo CD wait for the whole wave's health, and so for Redis, the Airflow
 *   database, the model pull): the operation ends once the wave is applied, and what a pod waits for
 *   shows in the Application's health, not in a failed sync. Airflow's migration and admin-user Jobs
 *   are plain Jobs there that retry by themselves (lib/constructs/job.ts), and the components wait
 *   for the migration themselves.
 *
 * Within a phase, kinds keep the order listed (a TriggerAuthentication before the ScaledObject
 * that names it). A construct may put an object in a later wave of its phase; waves of one phase
 * never reach the next phase's.
 */
const PHASES: readonly Phase[] = [
  { file: '00-namespaces.yaml', kinds: ['Namespace'], wave: 0 },
  { file: '01-storage.yaml', kinds: ['StorageClass', 'PersistentVolume'], wave: 0 },
  { file: '02-monitoring.yaml', kinds: ['ServiceMonitor', 'PrometheusRule'], wave: 1, alsoHolds: isDashboard },
  { file: '03-ec2nodeclasses.yaml', kinds: ['EC2NodeClass'], wave: 2 },
  { file: '04-nodepools.yaml', kinds: ['NodePool'], wave: 3 },
  // NetworkPolicies before the pods they govern: the policies exist before the sync starts a pod.
  { file: '05-config.yaml', kinds: ['ServiceAccount', 'Role', 'RoleBinding', 'ConfigMap', 'PersistentVolumeClaim', 'Service', 'NetworkPolicy'], wave: 4 },
  { file: '06-disruption-budgets.yaml', kinds: ['PodDisruptionBudget'], wave: 5 },
  { file: '07-workloads.yaml', kinds: ['Job', 'StatefulSet', 'Deployment'], wave: 6 },
  // The last wave too: the autoscalers come up with their targets (kubectl applies them after).
  { file: '08-autoscalers.yaml', kinds: ['HorizontalPodAutoscaler', 'TriggerAuthentication', 'ScaledObject'], wave: 6 },
];

/** Kinds that are cluster-scoped: they must never carry a namespace. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set(['Namespace', 'StorageClass', 'PersistentVolume', 'EC2NodeClass', 'NodePool', 'ClusterRole', 'ClusterRoleBinding']);

/** Kinds of CRDs other Applications install (Karpenter, KEDA, the Prometheus Operator): ArgoCD must not dry-run them before their CRDs exist. */
const CUSTOM_KINDS: ReadonlySet<string> = new Set(['EC2NodeClass', 'NodePool', 'TriggerAuthentication', 'ScaledObject', 'ServiceMonitor', 'PrometheusRule']);

const WAVE = 'argocd.argoproj.io/sync-wave';

/** Position of a kind in the apply order; unknown kinds are refused so none slips out of order. */
export function applyRank(kind: string): number {
  const rank = PHASES.findIndex((phase) => phase.kinds.includes(kind));
  if (rank < 0) throw new Error(`kind "${kind}" has no place in the apply order of lib/synth/layout.ts: add it to PHASES`);
  return rank;
}

/**
 * Position of an object in the apply order: the phase that holds it by name (the Grafana
 * dashboard ConfigMap, with the monitoring), else its kind's ({@link applyRank}).
 */
export function phaseRank(manifest: Manifest): number {
  const holder = PHASES.findIndex((phase) => phase.alsoHolds?.(manifest) === true);
  return holder >= 0 ? holder : applyRank(manifest.kind);
}

/** The ArgoCD sync wave of a kind (the first of its phase). */
export function syncWave(kind: string): number {
  return PHASES[applyRank(kind)]!.wave;
}

/** The sync wave of an object: its phase's, or a later wave of the same phase its construct chose. */
export function waveOf(manifest: Manifest): number {
  const rank = phaseRank(manifest);
  const chosen = manifest.metadata.annotations?.[WAVE];
  if (chosen === undefined) return PHASES[rank]!.wave;
  const wave = Number(chosen);
  const next = PHASES[rank + 1]?.wave ?? Infinity;
  if (!Number.isInteger(wave) || wave < PHASES[rank]!.wave || (wave !== PHASES[rank]!.wave && wave >= next)) {
    throw new Error(`${manifest.kind} "${manifest.metadata.name}": sync wave ${chosen} is outside its phase's waves [${PHASES[rank]!.wave}, ${next}) in lib/synth/layout.ts`);
  }
  return wave;
}

/** Annotates every object with its sync wave (and ArgoCD's dry-run skip for kinds of other Applications' CRDs). */
export function withSyncOptions(manifest: Manifest): Manifest {
  const annotations: Record<string, string> = { ...manifest.metadata.annotations, [WAVE]: String(waveOf(manifest)) };
  if (CUSTOM_KINDS.has(manifest.kind)) annotations['argocd.argoproj.io/sync-options'] = 'SkipDryRunOnMissingResource=true';
  return { ...manifest, metadata: { ...manifest.metadata, annotations } };
}

/** The file an object goes to: one per apply phase, so file order is apply order. */
export function fileFor(manifest: Manifest): string {
  return PHASES[phaseRank(manifest)]!.file;
}

/** Sort key: apply phase, the kind's place in it, wave, then namespace and name; independent of construct order. */
function compare(a: Manifest, b: Manifest): number {
  const rank = phaseRank;
  // An object a phase holds by name, not by kind, comes after that phase's kinds.
  const kindIndex = (m: Manifest) => {
    const index = PHASES[rank(m)]!.kinds.indexOf(m.kind);
    return index < 0 ? PHASES[rank(m)]!.kinds.length : index;
  };
  return (
    rank(a) - rank(b) ||
    kindIndex(a) - kindIndex(b) ||
    waveOf(a) - waveOf(b) ||
    (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
    a.metadata.name.localeCompare(b.metadata.name)
  );
}

/** Lays an environment's objects out as files (name → YAML), in apply order. */
export function layout(manifests: readonly Manifest[]): Map<string, string> {
  const byFile = new Map<string, Manifest[]>();
  for (const manifest of [...manifests].sort(compare)) {
    const file = fileFor(manifest);
    byFile.set(file, [...(byFile.get(file) ?? []), withSyncOptions(manifest)]);
  }
  const files = new Map<string, string>();
  for (const name of [...byFile.keys()].sort()) {
    files.set(name, toYaml(byFile.get(name)!));
  }
  return files;
}

/** Multi-document YAML, as kubectl and ArgoCD read it. */
export function toYaml(documents: readonly unknown[]): string {
  return documents.map((doc) => emitYaml(doc)).join('---\n');
}
