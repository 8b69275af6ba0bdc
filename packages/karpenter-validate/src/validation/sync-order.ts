import { Checked } from './cluster';
import { KubeObject } from './findings';
import { isObject, Json, podOf } from './pods';
import { referencesOf } from './references';

/**
 * The order Argo CD syncs one Application's objects in, and what that order can break.
 *
 * Argo CD sorts a sync by phase (PreSync, Sync, PostSync), then sync wave, then kind, then name,
 * applies one wave, and starts the next only once every object of it is healthy; an object that
 * turns Degraded fails the sync; the last wave is not waited for (gitops-engine, at the release
 * argo-cd v3.1.16 requires, pkg/sync/sync_tasks.go Less and Sort, pkg/sync/sync_context.go Sync).
 * So an object that needs something from a later wave either never becomes healthy or fails: a
 * pod whose Secret, ConfigMap, claim or ServiceAccount comes later; an autoscaler whose target
 * comes later (FailedGetScale is Degraded, pkg/health/health_hpa.go); a claim that waits for its
 * first consumer (Pending is Progressing, pkg/health/health_pvc.go) while the consumer waits for
 * the next wave; an autoscaler that scales its target to zero in a later wave than the target,
 * which must first come up with the replica the API server defaults; a plain Job Argo CD waits
 * for, which, once failed, stays Failed under its name and stops every later sync. The sync stops
 * there, and so does every later wave. Namespaces and CRDs need no care: Argo CD moves them ahead
 * of what uses them (adjustDeps). syncTasks is held to gitops-engine's own sync by
 * test/oracle-argocd-sync.test.ts.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 */

const WAVE = 'argocd.argoproj.io/sync-wave';
const HOOK = 'argocd.argoproj.io/hook';
const HELM_HOOK = 'helm.sh/hook';
const HELM_WEIGHT = 'helm.sh/hook-weight';

/** A phase of a sync operation. */
export type SyncPhase = 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail';
// gitops-engine pkg/sync/sync_tasks.go syncPhaseOrder.
const PHASE_ORDER: Record<SyncPhase, number> = { PreSync: -1, Sync: 0, PostSync: 1, SyncFail: 2 };
const HOOK_TYPES = new Set(['PreSync', 'Sync', 'PostSync', 'SyncFail', 'Skip']);
// gitops-engine pkg/sync/hook/helm/type.go: the Helm hooks Argo CD runs, and as what.
const HELM_HOOK_TYPES: Record<string, SyncPhase> = { 'pre-install': 'PreSync', 'pre-upgrade': 'PreSync', 'post-upgrade': 'PostSync', 'post-install': 'PostSync' };

/**
 * An object's annotations as gitops-engine reads them (unstructured GetAnnotations): none at all
 * when one value is not a string.
 */
function annotationsOf(object: KubeObject): Record<string, string> {
  const annotations = isObject(object.metadata?.annotations) ? object.metadata.annotations : {};
  return Object.values(annotations).every((v) => typeof v === 'string') ? (annotations as Record<string, string>) : {};
}

/** gitops-engine pkg/sync/resource/annotations.go GetAnnotationCSVs: trimmed, non-empty, distinct values. */
function annotationCSVs(object: KubeObject, key: string): string[] {
  return [...new Set((annotationsOf(object)[key] ?? '').split(',').map((v) => v.trim()).filter(Boolean))];
}

const INT64_MAX = 2n ** 63n - 1n;
/** Go strconv.Atoi on a 64-bit platform: an optional sign and digits, within int64; undefined otherwise. */
export function goAtoi(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = BigInt(text);
  if (value > INT64_MAX || value < -INT64_MAX - 1n) return undefined;
  return Number(value);
}

/** gitops-engine pkg/sync/syncwaves/waves.go Wave: the sync-wave annotation, else Helm's hook weight, else 0. */
export function syncWave(object: KubeObject): number {
  const annotations = annotationsOf(object);
  const wave = annotations[WAVE] !== undefined ? goAtoi(annotations[WAVE]) : undefined;
  if (wave !== undefined) return wave;
  const weight = annotations[HELM_WEIGHT] !== undefined ? goAtoi(annotations[HELM_WEIGHT]) : undefined;
  return weight ?? 0;
}

/** gitops-engine pkg/sync/hook/hook.go Types: Argo CD's hook types, else Helm's (as Argo CD's). */
function hookTypes(object: KubeObject): string[] {
  const types = annotationCSVs(object, HOOK).filter((t) => HOOK_TYPES.has(t));
  if (types.length > 0) return types;
  return annotationCSVs(object, HELM_HOOK).flatMap((t) => HELM_HOOK_TYPES[t] ?? []);
}

/** gitops-engine hook.go Skip: `hook: Skip` alone (the object is never synced). */
function skipped(object: KubeObject): boolean {
  const types = hookTypes(object);
  return types.includes('Skip') && types.length === 1;
}

/** gitops-engine hook.go IsHook: an Argo CD hook annotation (other than Skip alone), or a Helm hook other than crd-install. */
export function isHook(object: KubeObject): boolean {
  const annotations = annotationsOf(object);
  if (annotations[HOOK] !== undefined) return !skipped(object);
  return annotations[HELM_HOOK] !== undefined && annotations[HELM_HOOK] !== 'crd-install';
}

/**
 * gitops-engine pkg/sync/sync_phase.go syncPhases: the phases an object is synced in; none for
 * `Skip`, and none for a hook of no known type (pkg/sync/ignore: Argo CD ignores it).
 */
export function syncPhases(object: KubeObject): SyncPhase[] {
  if (skipped(object)) return [];
  if (isHook(object)) return [...new Set(hookTypes(object).filter((t): t is SyncPhase => t !== 'Skip'))];
  return ['Sync'];
}

// gitops-engine pkg/sync/sync_tasks.go kindOrder (Helm's install order); other kinds come after these.
const KIND_ORDER = [
  'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget', 'ServiceAccount', 'Secret', 'SecretList', 'ConfigMap',
  'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleList', 'ClusterRoleBinding', 'ClusterRoleBindingList',
  'Role', 'RoleList', 'RoleBinding', 'RoleBindingList', 'Service', 'DaemonSet', 'Pod', 'ReplicationController', 'ReplicaSet', 'Deployment', 'HorizontalPodAutoscaler',
  'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress', 'APIService',
];
const KIND_RANK = new Map(KIND_ORDER.map((kind, i) => [kind, i - KIND_ORDER.length]));
/** gitops-engine sync_tasks.go kindOrder: a kind's place among Helm's, 0 (after all of them) for any other kind. */
export const kindRank = (kind: string): number => KIND_RANK.get(kind) ?? 0;
const groupOf = (object: KubeObject) => (typeof object.apiVersion === 'string' && object.apiVersion.includes('/') ? object.apiVersion.split('/')[0]! : '');

/** One step of a sync operation: an object (as gitops-engine sets its namespace) in a phase and wave. */
export interface SyncTask {
  readonly object: KubeObject;
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  /** The object's namespace, or the Application's destination namespace where it has none (cluster-scoped objects too). */
  readonly namespace: string;
  readonly hook: boolean;
  phase: SyncPhase;
  wave: number;
}

/** `group/Kind/namespace/name`, as gitops-engine prints a resource key. */
export const taskKey = (t: SyncTask) => `${t.group}/${t.kind}/${t.namespace}/${t.name}`;

/**
 * The tasks of a sync operation in the order Argo CD runs them (gitops-engine at argo-cd v3.1.16,
 * pkg/sync/sync_context.go getSyncTasks and sync_tasks.go Sort): phase, wave, kind in Helm's
 * order, name; then each Namespace moved to just before the first object in it, and each CRD
 * before the first object of its kind, taking that object's phase and wave (adjustDeps). Tasks
 * that tie on all four run in no fixed order. Objects without a namespace get the destination's.
 */
export function syncTasks(objects: readonly KubeObject[], destinationNamespace = ''): SyncTask[] {
  const tasks: SyncTask[] = [];
  for (const object of objects) {
    const namespace = typeof object.metadata?.namespace === 'string' && object.metadata.namespace !== '' ? object.metadata.namespace : destinationNamespace;
    for (const phase of syncPhases(object)) {
      tasks.push({ object, group: groupOf(object), kind: String(object.kind ?? ''), name: String(object.metadata?.name ?? ''), namespace, hook: isHook(object), phase, wave: syncWave(object) });
    }
  }
  const rank = new Map(tasks.map((t) => [t, kindRank(t.kind)]));
  tasks.sort((a, b) => PHASE_ORDER[a.phase] - PHASE_ORDER[b.phase] || a.wave - b.wave || rank.get(a)! - rank.get(b)! || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  adjustDeps(tasks, (t) => (t.kind === 'Namespace' && t.group === '' ? t.name : undefined), (t) => (t.namespace !== '' ? t.namespace : undefined));
  adjustDeps(
    tasks,
    (t) => {
      if (t.group !== 'apiextensions.k8s.io' || t.kind !== 'CustomResourceDefinition') return undefined;
      const spec = isObject(t.object.spec) ? t.object.spec : {};
      const names = isObject(spec.names) ? spec.names : {};
      return typeof spec.group === 'string' && typeof names.kind === 'string' ? `${spec.group}/${names.kind}` : undefined;
    },
    (t) => `${t.group}/${t.kind}`,
  );
  return tasks;
}

/** gitops-engine sync_tasks.go adjustDeps: each dependency moved before the first task that refers to it. */
function adjustDeps(tasks: SyncTask[], isDep: (t: SyncTask) => string | undefined, refersTo: (t: SyncTask) => string | undefined): void {
  const first = new Map<string, number>();
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i]!;
    const dep = isDep(task);
    if (dep !== undefined) {
      const index = first.get(dep);
      if (index === undefined) continue;
      task.wave = tasks[index]!.wave;
      task.phase = tasks[index]!.phase;
      tasks.splice(i, 1);
      tasks.splice(index, 0, task);
      for (const [key, at] of first) if (at >= index) first.set(key, at + 1);
    } else {
      const ref = refersTo(task);
      if (ref !== undefined && !first.has(ref)) first.set(ref, i);
    }
  }
}

/**
 * An autoscaler that takes its target to zero pods when idle: a KEDA ScaledObject whose
 * minReplicaCount is 0 or unset (keda v2.20.2 scale_scaledobjects.go RequestScale: unset is 0,
 * and inactive triggers scale the target to it at once, initialCooldownPeriod defaulting to 0),
 * or an HPA with minReplicas 0 (the HPAScaleToZero feature gate).
 */
function scalesToZero(object: KubeObject): boolean {
  const spec = isObject(object.spec) ? object.spec : {};
  if (object.kind === 'ScaledObject') return spec.minReplicaCount === undefined || spec.minReplicaCount === 0;
  return spec.minReplicas === 0;
}

/** Where an object sits in a sync: phase, then wave (its first task, for a hook of several phases). */
interface Position {
  readonly phase: number;
  readonly wave: number;
}

const later = (a: Position, b: Position) => a.phase > b.phase || (a.phase === b.phase && a.wave > b.wave);
const describe = (p: Position) => (p.phase === 0 ? `wave ${p.wave}` : `${Object.entries(PHASE_ORDER).find(([, n]) => n === p.phase)![0]} wave ${p.wave}`);
const key = (kind: unknown, namespace: unknown, name: unknown) => `${String(kind)}/${String(namespace ?? '')}/${String(name)}`;

// What a pod or an autoscaler cannot do without: the rest (a Service by DNS, a binding's subject) only delays.
const NEEDED = new Set(['Secret', 'ConfigMap', 'PersistentVolumeClaim', 'ServiceAccount', 'TriggerAuthentication']);

/** Checks the wave annotations of one Application's objects, and the order they make. */
export function checkSyncOrder(items: readonly Checked[], complete: boolean): void {
  // A pod template a controller launches later is not part of the sync.
  const synced = items.filter((i) => !i.embedded);
  const tasks = syncTasks(synced.map((i) => i.object));
  const positions = new Map<KubeObject, Position>();
  for (const t of tasks) if (!positions.has(t.object)) positions.set(t.object, { phase: PHASE_ORDER[t.phase], wave: t.wave });
  // The sync operation ends once its last phase and wave is applied, without waiting for them (sync_context.go Sync: finalWave).
  const last = tasks.filter((t) => t.phase !== 'SyncFail').reduce<Position | undefined>((a, t) => {
    const p = { phase: PHASE_ORDER[t.phase], wave: t.wave };
    return a === undefined || later(p, a) ? p : a;
  }, undefined);
  // A hook in the last wave makes Argo CD wait for that wave too (sync_context.go Sync: remainingTasks keeps hooks).
  const lastWaited = last !== undefined && tasks.some((t) => t.hook && t.phase !== 'SyncFail' && !later(last, { phase: PHASE_ORDER[t.phase], wave: t.wave }) && !later({ phase: PHASE_ORDER[t.phase], wave: t.wave }, last));
  const waited = (p: Position) => last !== undefined && (later(last, p) || lastWaited);
  const byKey = new Map<string, KubeObject>();
  for (const { object } of synced) byKey.set(key(object.kind, object.metadata?.namespace, object.metadata?.name), object);
  const positionAt = (k: string) => {
    const object = byKey.get(k);
    return object ? positions.get(object) : undefined;
  };
  const consumers = new Map<string, Position[]>();
  for (const { object, reporter } of synced) {
    const raw = isObject(object.metadata?.annotations) ? object.metadata.annotations[WAVE] : undefined;
    if (raw !== undefined && (typeof raw !== 'string' || goAtoi(raw) === undefined)) {
      reporter.report('sync-order', `metadata.annotations[${JSON.stringify(WAVE)}]`, `is not an integer: Argo CD cannot parse it and syncs the object in wave ${syncWave(object)} (it reads a wave with Go's strconv.Atoi: digits with an optional sign, nothing around them). Use a whole number, quoted`, raw);
    }
    const at = positions.get(object);
    if (!at) continue;
    const namespace = typeof object.metadata?.namespace === 'string' ? object.metadata.namespace : 'default';
    const isPodOwner = podOf(object) !== undefined;
    for (const ref of referencesOf(object, namespace)) {
      if (!NEEDED.has(ref.kind)) continue;
      const target = key(ref.kind, ref.namespace, ref.name);
      const position = positionAt(target);
      if (ref.kind === 'PersistentVolumeClaim' && isPodOwner) consumers.set(target, [...(consumers.get(target) ?? []), at]);
      if (!position || !later(position, at)) continue;
      if (!isPodOwner && object.kind !== 'ScaledObject') continue;
      reporter.report('sync-order', ref.path, `needs ${ref.kind} ${ref.namespace}/${ref.name}, which syncs in ${describe(position)}, after this object's ${describe(at)}: Argo CD waits for this object to be healthy first, so it never is and the sync stops here. Move ${ref.kind} ${ref.name} to ${describe(at)} or earlier`, ref.name);
    }
    const spec = isObject(object.spec) ? object.spec : {};
    if ((object.kind === 'HorizontalPodAutoscaler' || object.kind === 'ScaledObject') && isObject(spec.scaleTargetRef)) {
      const targetKind = object.kind === 'ScaledObject' ? (spec.scaleTargetRef.kind ?? 'Deployment') : spec.scaleTargetRef.kind;
      const targetKey = key(targetKind, object.metadata?.namespace, spec.scaleTargetRef.name);
      const position = positionAt(targetKey);
      if (position && later(position, at)) {
        reporter.report('sync-order', 'spec.scaleTargetRef', `targets ${String(targetKind)} ${String(spec.scaleTargetRef.name)}, which syncs in ${describe(position)}, after this object's ${describe(at)}: the autoscaler cannot read its scale (FailedGetScale), Argo CD counts it Degraded and fails the sync. Sync the autoscaler in its target's wave or after it`, spec.scaleTargetRef.name);
      }
      const target = byKey.get(targetKey);
      if (position && target && later(at, position) && scalesToZero(object)) {
        const replicas = isObject(target.spec) ? target.spec.replicas : undefined;
        if (replicas !== 0) {
          const pods = replicas === undefined ? 'the replica the API server gives it (spec.replicas unset: 1)' : `its ${String(replicas)} replica(s)`;
          reporter.report(
            'sync-order',
            object.kind === 'ScaledObject' ? 'spec.minReplicaCount' : 'spec.minReplicas',
            `scales ${String(targetKind)} ${String(spec.scaleTargetRef.name)} to zero, but syncs in ${describe(at)}, after its target's ${describe(position)}: Argo CD first waits for the target to be healthy with ${pods}, whose pod needs a node of its pool, its image and the services it talks to, before the autoscaler that would remove it even exists; with one of them missing the sync stops there. Sync the autoscaler in its target's wave (Argo CD applies the target first within a wave)`,
            object.kind === 'ScaledObject' ? (spec.minReplicaCount ?? 0) : spec.minReplicas,
          );
        }
      }
    }
    if (object.kind === 'Job' && !isHook(object) && waited(at)) {
      reporter.report(
        'argocd-job-retry',
        'metadata.annotations',
        `is a plain Job in ${describe(at)}, which Argo CD waits for: a Job that fails keeps its name and its Failed status, so this and every later sync stop on it (Degraded) until someone deletes it. Make it a Sync hook (argocd.argoproj.io/hook: Sync, hook-delete-policy: BeforeHookCreation): each sync deletes it and creates it anew, and Argo CD's retry runs it again`,
      );
    }
  }
  for (const { object, reporter } of synced) {
    if (object.kind !== 'PersistentVolumeClaim') continue;
    const spec = isObject(object.spec) ? object.spec : {};
    if (typeof spec.volumeName === 'string' && spec.volumeName !== '') continue;
    const storageClass = typeof spec.storageClassName === 'string' ? byKey.get(key('StorageClass', undefined, spec.storageClassName)) : undefined;
    if ((storageClass as Json | undefined)?.volumeBindingMode !== 'WaitForFirstConsumer') continue;
    const at = positions.get(object);
    if (!at) continue;
    const k = key(object.kind, object.metadata?.namespace, object.metadata?.name);
    const uses = consumers.get(k) ?? [];
    if (uses.some((p) => !later(p, at))) continue;
    if (uses.length === 0 && !complete) continue;
    const why = uses.length === 0 ? 'no pod of the set mounts it' : `its first consumer syncs in ${describe(uses.reduce((a, b) => (later(a, b) ? b : a)))}`;
    // Argo CD does not wait for the last wave: the sync ends, but the claim keeps the Application Progressing.
    const stops = last !== undefined && !later(last, at) ? 'the sync ends without waiting for its last wave, but the Application stays Progressing, and whatever waits for its health waits for good' : `${describe(at)} never completes`;
    reporter.report('sync-order', 'spec.storageClassName', `uses StorageClass ${String(spec.storageClassName)} (WaitForFirstConsumer) and ${why}: the claim stays Pending, which Argo CD counts as Progressing, so ${stops}. Sync the claim in its consumer's wave, or use a claim template`, spec.storageClassName);
  }
}
