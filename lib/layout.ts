import { stringify } from 'yaml';

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
 * classes before the pools that reference them, PDBs before the pods they protect, HPAs after
 * their targets.
 */
const PHASES: readonly { readonly file: string; readonly kinds: readonly string[]; readonly wave: number }[] = [
  { file: '00-namespaces.yaml', kinds: ['Namespace'], wave: 0 },
  { file: '01-storage.yaml', kinds: ['StorageClass', 'PersistentVolume'], wave: 0 },
  { file: '02-ec2nodeclasses.yaml', kinds: ['EC2NodeClass'], wave: 1 },
  { file: '03-nodepools.yaml', kinds: ['NodePool'], wave: 2 },
  { file: '04-config.yaml', kinds: ['ServiceAccount', 'ConfigMap', 'PersistentVolumeClaim', 'Service'], wave: 3 },
  { file: '05-disruption-budgets.yaml', kinds: ['PodDisruptionBudget'], wave: 4 },
  { file: '06-workloads.yaml', kinds: ['StatefulSet', 'Deployment'], wave: 5 },
  { file: '07-autoscalers.yaml', kinds: ['HorizontalPodAutoscaler'], wave: 6 },
];

/** Kinds that are cluster-scoped: they must never carry a namespace. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set(['Namespace', 'StorageClass', 'PersistentVolume', 'EC2NodeClass', 'NodePool', 'ClusterRole', 'ClusterRoleBinding']);

/** Karpenter kinds: ArgoCD must not dry-run them before Karpenter's CRDs exist. */
const KARPENTER_KINDS: ReadonlySet<string> = new Set(['EC2NodeClass', 'NodePool']);

/** Position of a kind in the apply order; unknown kinds are refused so none slips out of order. */
export function applyRank(kind: string): number {
  const rank = PHASES.findIndex((phase) => phase.kinds.includes(kind));
  if (rank < 0) throw new Error(`kind "${kind}" has no place in the apply order of lib/layout.ts: add it to PHASES`);
  return rank;
}

/** The ArgoCD sync wave of a kind. */
export function syncWave(kind: string): number {
  return PHASES[applyRank(kind)]!.wave;
}

/** Annotates every object with its sync wave (and ArgoCD's dry-run skip for Karpenter kinds). */
export function withSyncOptions(manifest: Manifest): Manifest {
  const annotations: Record<string, string> = { ...manifest.metadata.annotations, 'argocd.argoproj.io/sync-wave': String(syncWave(manifest.kind)) };
  if (KARPENTER_KINDS.has(manifest.kind)) annotations['argocd.argoproj.io/sync-options'] = 'SkipDryRunOnMissingResource=true';
  return { ...manifest, metadata: { ...manifest.metadata, annotations } };
}

/** The file an object goes to: one per apply phase, so file order is apply order. */
export function fileFor(manifest: Manifest): string {
  return PHASES[applyRank(manifest.kind)]!.file;
}

/** Sort key: apply phase, then namespace, then name; independent of construct order. */
function compare(a: Manifest, b: Manifest): number {
  return (
    applyRank(a.kind) - applyRank(b.kind) ||
    (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
    a.kind.localeCompare(b.kind) ||
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
  return documents.map((doc) => stringify(doc, { lineWidth: 0 })).join('---\n');
}
