import { Checked } from './cluster';
import { KubeObject } from './findings';
import { isObject, Json, podOf } from './pods';
import { referencesOf } from './references';

/**
 * The order Argo CD syncs one Application's objects in, and what that order can break.
 *
 * Argo CD sorts a sync by phase (PreSync, Sync, PostSync), then sync wave, then kind, then name,
 * applies one wave, and starts the next only once every object of it is healthy; an object that
 * turns Degraded fails the sync (gitops-engine pkg/sync/sync_tasks.go Less and
 * pkg/sync/sync_context.go Sync). So an object that needs something from a later wave either
 * never becomes healthy or fails: a pod whose Secret, ConfigMap, claim or ServiceAccount comes
 * later; an autoscaler whose target comes later (FailedGetScale is Degraded, pkg/health/health_hpa.go);
 * a claim that waits for its first consumer (Pending is Progressing, pkg/health/health_pvc.go)
 * while the consumer waits for the next wave. The sync stops there, and so does every later wave.
 * Namespaces and CRDs need no care: Argo CD moves them ahead of what uses them (adjustDeps).
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 */

const WAVE = 'argocd.argoproj.io/sync-wave';
const HOOK = 'argocd.argoproj.io/hook';
const PHASES: Record<string, number> = { PreSync: -1, Sync: 0, PostSync: 1 };

/** Where an object sits in a sync: phase, then wave. */
interface Position {
  readonly phase: number;
  readonly wave: number;
}

const annotationsOf = (object: KubeObject): Record<string, unknown> => (isObject(object.metadata?.annotations) ? object.metadata.annotations : {});

function positionOf(object: KubeObject): Position {
  const annotations = annotationsOf(object);
  const raw = annotations[WAVE];
  // Argo CD reads the wave with strconv.Atoi and uses 0 when that fails (pkg/sync/syncwaves).
  const wave = typeof raw === 'string' && /^[-+]?\d+$/.test(raw.trim()) ? Number(raw.trim()) : 0;
  const hook = typeof annotations[HOOK] === 'string' ? (annotations[HOOK] as string).split(',')[0]!.trim() : 'Sync';
  return { phase: PHASES[hook] ?? 0, wave };
}

const later = (a: Position, b: Position) => a.phase > b.phase || (a.phase === b.phase && a.wave > b.wave);
const describe = (p: Position) => (p.phase === 0 ? `wave ${p.wave}` : `${p.phase < 0 ? 'PreSync' : 'PostSync'} wave ${p.wave}`);
const key = (kind: unknown, namespace: unknown, name: unknown) => `${String(kind)}/${String(namespace ?? '')}/${String(name)}`;

// What a pod or an autoscaler cannot do without: the rest (a Service by DNS, a binding's subject) only delays.
const NEEDED = new Set(['Secret', 'ConfigMap', 'PersistentVolumeClaim', 'ServiceAccount', 'TriggerAuthentication']);

/** Checks the wave annotations of one Application's objects, and the order they make. */
export function checkSyncOrder(items: readonly Checked[], complete: boolean): void {
  const positions = new Map<string, Position>();
  const byKey = new Map<string, KubeObject>();
  for (const { object } of items) {
    const k = key(object.kind, object.metadata?.namespace, object.metadata?.name);
    positions.set(k, positionOf(object));
    byKey.set(k, object);
  }
  const consumers = new Map<string, Position[]>();
  for (const { object, reporter, embedded } of items) {
    // A pod template a controller launches later is not part of the sync.
    if (embedded) continue;
    const raw = annotationsOf(object)[WAVE];
    if (raw !== undefined && !(typeof raw === 'string' && /^[-+]?\d+$/.test(raw.trim()))) {
      reporter.report('sync-order', `metadata.annotations[${JSON.stringify(WAVE)}]`, `is not an integer: Argo CD cannot parse it and syncs the object in wave 0. Use a whole number, quoted`, raw);
    }
    const at = positionOf(object);
    const namespace = typeof object.metadata?.namespace === 'string' ? object.metadata.namespace : 'default';
    const isPodOwner = podOf(object) !== undefined;
    for (const ref of referencesOf(object, namespace)) {
      if (!NEEDED.has(ref.kind)) continue;
      const target = key(ref.kind, ref.namespace, ref.name);
      const position = positions.get(target);
      if (ref.kind === 'PersistentVolumeClaim' && isPodOwner) consumers.set(target, [...(consumers.get(target) ?? []), at]);
      if (!position || !later(position, at)) continue;
      if (!isPodOwner && object.kind !== 'ScaledObject') continue;
      reporter.report('sync-order', ref.path, `needs ${ref.kind} ${ref.namespace}/${ref.name}, which syncs in ${describe(position)}, after this object's ${describe(at)}: Argo CD waits for this object to be healthy first, so it never is and the sync stops here. Move ${ref.kind} ${ref.name} to ${describe(at)} or earlier`, ref.name);
    }
    const spec = isObject(object.spec) ? object.spec : {};
    if ((object.kind === 'HorizontalPodAutoscaler' || object.kind === 'ScaledObject') && isObject(spec.scaleTargetRef)) {
      const targetKind = object.kind === 'ScaledObject' ? (spec.scaleTargetRef.kind ?? 'Deployment') : spec.scaleTargetRef.kind;
      const position = positions.get(key(targetKind, object.metadata?.namespace, spec.scaleTargetRef.name));
      if (position && later(position, at)) {
        reporter.report('sync-order', 'spec.scaleTargetRef', `targets ${String(targetKind)} ${String(spec.scaleTargetRef.name)}, which syncs in ${describe(position)}, after this object's ${describe(at)}: the autoscaler cannot read its scale (FailedGetScale), Argo CD counts it Degraded and fails the sync. Sync the autoscaler after its target`, spec.scaleTargetRef.name);
      }
    }
  }
  for (const { object, reporter } of items) {
    if (object.kind !== 'PersistentVolumeClaim') continue;
    const spec = isObject(object.spec) ? object.spec : {};
    if (typeof spec.volumeName === 'string' && spec.volumeName !== '') continue;
    const storageClass = typeof spec.storageClassName === 'string' ? byKey.get(key('StorageClass', undefined, spec.storageClassName)) : undefined;
    if ((storageClass as Json | undefined)?.volumeBindingMode !== 'WaitForFirstConsumer') continue;
    const at = positionOf(object);
    const k = key(object.kind, object.metadata?.namespace, object.metadata?.name);
    const uses = consumers.get(k) ?? [];
    if (uses.some((p) => !later(p, at))) continue;
    if (uses.length === 0 && !complete) continue;
    const why = uses.length === 0 ? 'no pod of the set mounts it' : `its first consumer syncs in ${describe(uses.reduce((a, b) => (later(a, b) ? b : a)))}`;
    reporter.report('sync-order', 'spec.storageClassName', `uses StorageClass ${String(spec.storageClassName)} (WaitForFirstConsumer) and ${why}: the claim stays Pending, which Argo CD counts as Progressing, so ${describe(at)} never completes. Sync the claim in its consumer's wave, or use a claim template`, spec.storageClassName);
  }
}
