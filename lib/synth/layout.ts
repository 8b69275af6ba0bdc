import { emitYaml } from './yaml-emit';

/** A Kubernetes object as synthesized: plain JSON. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [field: string]: unknown;
}

/**
 * Apply phases, in order. `kubectl apply -f dist/<env>/` reads files in name order and
 * documents in file order, and ArgoCD applies lower sync waves first: both follow this table,
 * so the two can never disagree. Namespaces and storage come before what lives in them, node
 * classes before the pools that reference them, PDBs before the pods they protect, Jobs that
 * prepare a workload (schema migrations) before it, autoscalers after their targets, and
 * monitoring last. Within a phase, kinds keep the order listed (a TriggerAuthentication before
 * the ScaledObject that names it). A construct may put an object in a later wave of its phase
 * (a Job that needs another's result); waves of one phase never reach the next phase's.
 */
const PHASES: readonly { readonly file: string; readonly kinds: readonly string[]; readonly wave: number }[] = [
  { file: '00-namespaces.yaml', kinds: ['Namespace'], wave: 0 },
  { file: '01-storage.yaml', kinds: ['StorageClass', 'PersistentVolume'], wave: 0 },
  { file: '02-ec2nodeclasses.yaml', kinds: ['EC2NodeClass'], wave: 1 },
  { file: '03-nodepools.yaml', kinds: ['NodePool'], wave: 2 },
  // NetworkPolicies before the pods they govern: the policies exist before the sync starts a pod.
  { file: '04-config.yaml', kinds: ['ServiceAccount', 'Role', 'RoleBinding', 'ConfigMap', 'PersistentVolumeClaim', 'Service', 'NetworkPolicy'], wave: 3 },
  { file: '05-disruption-budgets.yaml', kinds: ['PodDisruptionBudget'], wave: 4 },
  { file: '06-jobs.yaml', kinds: ['Job'], wave: 5 },
  { file: '07-workloads.yaml', kinds: ['StatefulSet', 'Deployment'], wave: 7 },
  { file: '08-autoscalers.yaml', kinds: ['HorizontalPodAutoscaler', 'TriggerAuthentication', 'ScaledObject'], wave: 8 },
  { file: '09-monitoring.yaml', kinds: ['ServiceMonitor', 'PrometheusRule'], wave: 9 },
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

/** The ArgoCD sync wave of a kind (the first of its phase). */
export function syncWave(kind: string): number {
  return PHASES[applyRank(kind)]!.wave;
}

/** The sync wave of an object: its kind's, or a later wave of the same phase its construct chose. */
export function waveOf(manifest: Manifest): number {
  const rank = applyRank(manifest.kind);
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
  return PHASES[applyRank(manifest.kind)]!.file;
}

/** Sort key: apply phase, the kind's place in it, wave, then namespace and name; independent of construct order. */
function compare(a: Manifest, b: Manifest): number {
  const rank = (m: Manifest) => applyRank(m.kind);
  const kindIndex = (m: Manifest) => PHASES[rank(m)]!.kinds.indexOf(m.kind);
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
