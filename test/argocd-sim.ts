// A model of a first sync from nothing: `kubectl apply` of the bootstrap, then Argo CD syncing the
// root Application and, through it, every Application of every cluster. It follows how Argo CD
// orders and gates a sync (gitops-engine pkg/sync/sync_tasks.go: phase, wave, kind, name, with
// namespaces and CRDs moved ahead of what uses them; pkg/sync/sync_context.go: a wave starts once
// the previous one is healthy, Degraded fails the sync) and what each controller needs before the
// objects it acts on turn healthy. It answers one question: does the first sync finish, and if not,
// which object stops it and why.
import { KnownObject } from '../lib/validation/references';
import { referencesOf } from '../lib/validation/references';
import { Manifest } from '../lib/layout';
import schemaIndex from '../schemas/crds/index.json';

const WAVE = 'argocd.argoproj.io/sync-wave';
// gitops-engine pkg/sync/sync_tasks.go kindOrder; kinds not listed sort after all of these.
const KIND_ORDER = [
  'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget', 'ServiceAccount', 'Secret', 'SecretList', 'ConfigMap',
  'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleList', 'ClusterRoleBinding', 'ClusterRoleBindingList',
  'Role', 'RoleList', 'RoleBinding', 'RoleBindingList', 'Service', 'DaemonSet', 'Pod', 'ReplicationController', 'ReplicaSet', 'Deployment', 'HorizontalPodAutoscaler',
  'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress', 'APIService',
];
const kindRank = (kind: string) => (KIND_ORDER.includes(kind) ? KIND_ORDER.indexOf(kind) - KIND_ORDER.length : 0);
/** API groups every cluster serves without a CRD. */
const BUILT_IN = new Set(['', 'apps', 'batch', 'policy', 'autoscaling', 'rbac.authorization.k8s.io', 'storage.k8s.io', 'networking.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io']);
const POD_OWNERS = new Set(['Deployment', 'StatefulSet', 'Job', 'DaemonSet', 'CronJob']);

const groupOf = (o: Manifest) => (o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '');
const gk = (o: Manifest) => `${groupOf(o)}/${o.kind}`;
const key = (kind: string, namespace: string | undefined, name: string) => `${kind}/${namespace ?? ''}/${name}`;
const keyOf = (o: Manifest) => key(o.kind, o.metadata.namespace, o.metadata.name);
export const waveOf = (o: Manifest) => Number(o.metadata.annotations?.[WAVE] ?? 0);

/** The CRDs (group/Kind) each upstream chart establishes, from the imported schemas of their groups. */
const kindsOfGroups = (...groups: string[]) => schemaIndex.kinds.filter((k) => groups.includes(k.apiVersion.split('/')[0]!)).map((k) => `${k.apiVersion.split('/')[0]}/${k.kind}`);

/** One cluster as the sync sees it. */
export interface Cluster {
  readonly namespaces: Set<string>;
  /** group/Kind the API server serves. */
  readonly kinds: Set<string>;
  readonly objects: Map<string, Manifest>;
  /** Controllers running: 'keda', 'karpenter'. */
  readonly running: Set<string>;
}

export function cluster(prerequisites: readonly KnownObject[] = []): Cluster {
  const c: Cluster = { namespaces: new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']), kinds: new Set(), objects: new Map(), running: new Set() };
  for (const p of prerequisites) {
    if (p.kind === 'Namespace') c.namespaces.add(p.name);
    else if (p.kind === 'CustomResourceDefinition') {
      // <plural>.<group>: the kind whose lowercased plural it is, in the imported schemas.
      const [plural, ...group] = p.name.split('.');
      const kind = schemaIndex.kinds.find((k) => k.apiVersion.split('/')[0] === group.join('.') && `${k.kind.toLowerCase()}s` === plural);
      if (kind) c.kinds.add(`${group.join('.')}/${kind.kind}`);
    }
    else c.objects.set(key(p.kind, p.namespace, p.name), { apiVersion: 'v1', kind: p.kind, metadata: { name: p.name, ...(p.namespace ? { namespace: p.namespace } : {}) } } as Manifest);
  }
  return c;
}

/** A step that stopped the sync. */
export class SyncStopped extends Error {}

/** What the model knows of an upstream chart: what it needs, and what it leaves behind once healthy. */
interface ChartModel {
  readonly needs: (target: Cluster) => string | undefined;
  readonly apply: (target: Cluster) => void;
}

const CHARTS: Record<string, ChartModel> = {
  'karpenter-crd': { needs: () => undefined, apply: (c) => kindsOfGroups('karpenter.sh', 'karpenter.k8s.aws').forEach((k) => c.kinds.add(k)) },
  keda: {
    needs: () => undefined,
    apply: (c) => {
      kindsOfGroups('keda.sh').forEach((k) => c.kinds.add(k));
      c.running.add('keda');
    },
  },
  // The controller watches NodePools, NodeClaims and EC2NodeClasses: without their CRDs it crash-loops and its Deployment never turns healthy.
  karpenter: {
    needs: (c) => (c.kinds.has('karpenter.sh/NodePool') && c.kinds.has('karpenter.k8s.aws/EC2NodeClass') ? undefined : 'the Karpenter controller crash-loops: its CRDs are not established'),
    apply: (c) => c.running.add('karpenter'),
  },
};

/** Why an object applied to `c` would not (yet) be healthy, or undefined when it is. */
function unhealthy(o: Manifest, c: Cluster, sameWave: readonly Manifest[]): string | undefined {
  const spec = (o as any).spec ?? {};
  const namespace = o.metadata.namespace ?? 'default';
  switch (o.kind) {
    case 'EC2NodeClass':
      return c.running.has('karpenter') ? undefined : 'no Karpenter controller sets its Ready condition';
    case 'NodePool':
      if (!c.running.has('karpenter')) return 'no Karpenter controller sets its Ready condition';
      return c.objects.has(key('EC2NodeClass', undefined, spec.template?.spec?.nodeClassRef?.name)) ? undefined : `its EC2NodeClass ${spec.template?.spec?.nodeClassRef?.name} does not exist`;
    case 'HorizontalPodAutoscaler':
      return c.objects.has(key(spec.scaleTargetRef?.kind, namespace, spec.scaleTargetRef?.name)) ? undefined : 'FailedGetScale: its target does not exist';
    case 'ScaledObject': {
      if (!c.running.has('keda')) return 'no KEDA operator';
      if (!c.objects.has(key(spec.scaleTargetRef?.kind ?? 'Deployment', namespace, spec.scaleTargetRef?.name))) return 'its target does not exist';
      break;
    }
    case 'PersistentVolumeClaim': {
      const storageClass = c.objects.get(key('StorageClass', undefined, spec.storageClassName)) as any;
      if (spec.volumeName || storageClass?.volumeBindingMode !== 'WaitForFirstConsumer') break;
      const consumed = sameWave.some((p) => POD_OWNERS.has(p.kind) && referencesOf(p, p.metadata.namespace ?? 'default').some((r) => r.kind === 'PersistentVolumeClaim' && r.name === o.metadata.name && r.namespace === namespace));
      return consumed ? undefined : 'Pending: its StorageClass waits for a first consumer, and none is in this wave';
    }
  }
  for (const ref of referencesOf(o, namespace)) {
    if (!['Secret', 'ConfigMap', 'PersistentVolumeClaim', 'ServiceAccount', 'TriggerAuthentication'].includes(ref.kind)) continue;
    // A StatefulSet's claim templates make the claims its pods mount.
    if (ref.kind === 'PersistentVolumeClaim' && o.kind === 'StatefulSet' && (spec.volumeClaimTemplates ?? []).some((t: any) => ref.name.startsWith(`${t.metadata?.name}-`))) continue;
    if (!c.objects.has(key(ref.kind, ref.namespace, ref.name))) return `it needs ${ref.kind} ${ref.namespace}/${ref.name}, which does not exist yet`;
  }
  if (POD_OWNERS.has(o.kind)) {
    const pool = (o as any).spec?.template?.spec?.nodeSelector?.['karpenter.sh/nodepool'] ?? (o as any).spec?.jobTemplate?.spec?.template?.spec?.nodeSelector?.['karpenter.sh/nodepool'];
    if (pool && (!c.running.has('karpenter') || !c.objects.has(key('NodePool', undefined, pool)))) return `its pods wait for NodePool ${pool}, which ${c.running.has('karpenter') ? 'does not exist' : 'no Karpenter controller provisions'}`;
  }
  return undefined;
}

/** Why the API server or an admission webhook would refuse `o`, or undefined. */
function refused(o: Manifest, c: Cluster): string | undefined {
  const namespaced = o.metadata.namespace !== undefined;
  if (namespaced && !c.namespaces.has(o.metadata.namespace!)) return `namespace ${o.metadata.namespace} does not exist`;
  if (!BUILT_IN.has(groupOf(o)) && !c.kinds.has(gk(o))) return `the API server does not serve ${gk(o)} (its CRD is not established)`;
  // KEDA's admission webhook validates ScaledObjects; with the operator absent the call fails.
  if (groupOf(o) === 'keda.sh' && !c.running.has('keda')) return 'KEDA\'s admission webhook is not running';
  return undefined;
}

/** Argo CD's order: wave, then kind, then name; namespaces and CRDs before what uses them. */
export function waves(objects: readonly Manifest[]): Manifest[][] {
  const sorted = [...objects].sort((a, b) => waveOf(a) - waveOf(b) || kindRank(a.kind) - kindRank(b.kind) || a.metadata.name.localeCompare(b.metadata.name));
  const out = new Map<number, Manifest[]>();
  for (const o of sorted) out.set(waveOf(o), [...(out.get(waveOf(o)) ?? []), o]);
  return [...out.values()];
}

/** Syncs one folder's objects into `c`, wave by wave; throws SyncStopped with the object and reason when it cannot finish. */
export function syncObjects(app: string, objects: readonly Manifest[], c: Cluster): void {
  // adjustDeps: a namespace or CRD of the set is created ahead of the first object that needs it.
  for (const o of objects) if (o.kind === 'Namespace') c.namespaces.add(o.metadata.name);
  for (const wave of waves(objects.filter((o) => o.kind !== 'Namespace'))) {
    for (const o of wave) {
      const why = refused(o, c);
      if (why) throw new SyncStopped(`${app}: ${o.kind} ${o.metadata.name} (wave ${waveOf(o)}) is refused: ${why}`);
      c.objects.set(keyOf(o), o);
    }
    for (const o of wave) {
      const why = unhealthy(o, c, wave);
      if (why) throw new SyncStopped(`${app}: wave ${waveOf(o)} never completes: ${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name} is not healthy: ${why}`);
    }
  }
}

/** An Argo CD installation: the in-cluster state, the repository it reads, and whether it assesses Applications' health. */
export interface ArgoCd {
  readonly home: Cluster;
  readonly clusters: Map<string, Cluster>;
  /** The repository at the synced revision: path → objects. */
  readonly repo: Map<string, Manifest[]>;
  /** Whether argocd-cm holds a health check for Applications (else a child counts as healthy at once). */
  readonly applicationHealth: boolean;
}

/** Files of the repository under `path`, recursively or not, leaving out `exclude` (a `dir/*` glob). */
function source(repo: Map<string, Manifest[]>, path: string, recurse: boolean, exclude?: string): Manifest[] {
  const prefix = `${path}/`;
  const excluded = exclude?.endsWith('/*') ? `${prefix}${exclude.slice(0, -1)}` : undefined;
  return [...repo.keys()]
    .filter((p) => p.startsWith(prefix) && (recurse || !p.slice(prefix.length).includes('/')) && !(excluded && p.startsWith(excluded)))
    .sort()
    .flatMap((p) => repo.get(p)!);
}

/** Syncs an Application: a chart by its model, a folder object by object (Applications in it recursively). */
export function syncApplication(argo: ArgoCd, app: Manifest): void {
  const spec = (app as any).spec;
  const name = app.metadata.name;
  const server = spec.destination.server;
  const target = server === 'https://kubernetes.default.svc' ? argo.home : argo.clusters.get(server);
  if (!target) throw new SyncStopped(`${name}: destination ${server} is not a cluster Argo CD knows`);
  const project = argo.home.objects.get(key('AppProject', 'argocd', spec.project));
  if (!project) throw new SyncStopped(`${name}: project ${spec.project} does not exist`);
  if (spec.source.chart) {
    const model = CHARTS[spec.source.chart];
    if (!model) throw new SyncStopped(`${name}: no model of chart ${spec.source.chart}`);
    const namespace = spec.destination.namespace;
    if (!target.namespaces.has(namespace)) {
      if (!(spec.syncPolicy?.syncOptions ?? []).includes('CreateNamespace=true')) throw new SyncStopped(`${name}: namespace ${namespace} does not exist and the Application does not create it`);
      target.namespaces.add(namespace);
    }
    const why = model.needs(target);
    if (why) throw new SyncStopped(`${name}: never healthy: ${why}`);
    model.apply(target);
    return;
  }
  const objects = source(argo.repo, spec.source.path, spec.source.directory?.recurse === true, spec.source.directory?.exclude);
  if (objects.length === 0) throw new SyncStopped(`${name}: path ${spec.source.path} holds no objects`);
  const children = objects.filter((o) => o.kind === 'Application');
  syncObjects(name, objects.filter((o) => o.kind !== 'Application'), target);
  if (children.length === 0) return;
  // An Application child is healthy when its own sync is, if argocd-cm says so; otherwise at once,
  // and every child then syncs without waiting for the waves before it: model the worst order.
  const ordered = waves(children.filter((a) => a.metadata.name !== name));
  for (const wave of argo.applicationHealth ? ordered : [...ordered].reverse()) {
    for (const child of wave) syncApplication(argo, child);
  }
}

/** `kubectl apply -f` of one file, in document order. */
export function kubectlApply(objects: readonly Manifest[], c: Cluster): void {
  for (const o of objects) {
    const why = refused(o, c);
    if (why) throw new SyncStopped(`kubectl apply: ${o.kind} ${o.metadata.name} is refused: ${why}`);
    c.objects.set(keyOf(o), o);
  }
}
