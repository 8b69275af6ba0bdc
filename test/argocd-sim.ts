// A model of Argo CD running our output from nothing: `kubectl apply` of the bootstrap, then Argo
// CD syncing every Application it holds, each root the Applications of its cluster, each of those
// its objects. It answers one question: does every sync finish with everything healthy, and if
// not, which object stops it and why.
//
// Three parts, the first two held to Argo CD's own code by test/oracle-argocd.test.ts:
// - health: what Argo CD makes of a live object (gitops-engine pkg/health, argo-cd's built-in Lua
//   checks, and argocd-cm's, our patch included, run in a Lua VM);
// - a sync operation: the tasks in Argo CD's order (packages/karpenter-validate/src/validation/sync-order.ts syncTasks), applied
//   wave by wave, each wave waited for until healthy, Degraded failing it, the last wave not waited
//   for (gitops-engine pkg/sync/sync_context.go Sync), as the application controller calls it once
//   per reconciliation;
// - the clusters: what each controller does with what is applied (the status it writes), which the
//   API server refuses, and which controllers run; what the world outside the output does: a
//   declared prerequisite that does not answer (Redis, the DAG repository, the database behind a
//   Secret), a pool without capacity, node classes AWS cannot resolve; and what a later operation
//   finds (a failed Job stays Failed under its name; a hook is deleted before it is created
//   again). This part is a model of Kubernetes, Karpenter and KEDA, not of Argo CD.
import { lauxlib, lua, lualib, to_luastring } from 'fengari';
import { Manifest } from '../lib/synth/layout';
import { destinationCluster, isDestinationPermitted, isGroupKindPermitted, RegisteredCluster, validatePermissions } from '../packages/karpenter-validate/src/validation/argocd';
import { globMatch } from '../packages/karpenter-validate/src/validation/argocd-match';
import { KnownObject, referencesOf } from '../packages/karpenter-validate/src/validation/references';
import { kindRank, SyncPhase, syncTasks, SyncTask, taskKey } from '../packages/karpenter-validate/src/validation/sync-order';
import { poolViews } from '../packages/karpenter-validate/src/validation/cluster';
import { poolsFor } from '../packages/karpenter-validate/src/validation/placement';
import { podOf } from '../packages/karpenter-validate/src/validation/pods';
import schemaIndex from '../packages/karpenter-validate/schemas/crds/index.json';

/* ----------------------------------------------------------------------------------------------
 * Health
 * ------------------------------------------------------------------------------------------- */

/** A health status as Argo CD reports it; '' where a Lua check returned an empty table. */
export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown' | '';

export interface Health {
  readonly status: HealthStatus;
  readonly message: string;
}

const HEALTH_PREFIX = 'resource.customizations.health.';

/**
 * The health checks argocd-cm adds, by `group/Kind` (argo-cd v3.1.16 util/settings/settings.go
 * appendResourceOverridesFromSplitKeys and convertToOverrideKey: `<group>_<kind>` after the prefix).
 */
export function healthChecksOf(argocdCm: Readonly<Record<string, string>>): Map<string, string> {
  const checks = new Map<string, string>();
  for (const [key, script] of Object.entries(argocdCm)) {
    if (!key.startsWith(HEALTH_PREFIX)) continue;
    const parts = key.slice(HEALTH_PREFIX.length).split('_');
    const groupKind = parts.length === 2 ? `${parts[0]}/${parts[1]}` : parts.length === 1 && parts[0] !== '' ? parts[0]! : undefined;
    if (groupKind === undefined) throw new Error(`argocd-cm key ${key}: Argo CD refuses the group kind (settings.go convertToOverrideKey)`);
    checks.set(groupKind === 'all' ? '*/*' : groupKind, script);
  }
  return checks;
}

/** A Lua table constructor for a JSON value (argo-cd util/lua decodeValue: objects and arrays become tables). */
function luaLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `{${value.map(luaLiteral).join(', ')}}`;
  return `{${Object.entries(value as object).map(([k, v]) => `[${JSON.stringify(k)}] = ${luaLiteral(v)}`).join(', ')}}`;
}

const VALID_STATUSES = new Set(['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown']);

/**
 * Runs a health check of argocd-cm as argo-cd v3.1.16 util/lua/lua.go ExecuteHealthLua does:
 * `obj` the live object; without useOpenLibs only the base, table, package and os libraries
 * (the others are removed here after fengari opens them all); a status Argo CD does not know
 * is Unknown, an empty table an empty status.
 */
export function runHealthLua(script: string, obj: unknown): Health {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const code = `string, math, io, utf8, coroutine, debug = nil, nil, nil, nil, nil, nil\nobj = ${luaLiteral(obj)}\nlocal function check()\n${script}\nend\nlocal hs = check()\nif hs == nil then return "", "" end\nreturn hs.status, hs.message`;
  if (lauxlib.luaL_dostring(L, to_luastring(code)) !== lua.LUA_OK) throw new Error(`health check failed: ${lua.lua_tojsstring(L, -1)}`);
  const status = lua.lua_tojsstring(L, -2) ?? '';
  const message = lua.lua_tojsstring(L, -1) ?? '';
  if (status === '' && message === '') return { status: '', message: '' };
  return VALID_STATUSES.has(status) ? { status: status as HealthStatus, message } : { status: 'Unknown', message: 'Lua returned an invalid health status' };
}

type Json = Record<string, any>;
const conditionsOf = (o: Json): Json[] => (Array.isArray(o.status?.conditions) ? o.status.conditions : []);

/** argo-cd v3.1.16 resource_customizations/karpenter.sh/NodePool and karpenter.k8s.aws/EC2NodeClass health.lua: the Ready condition. */
function readyCondition(o: Json, kind: string, readyMessage?: string): Health {
  for (const c of conditionsOf(o)) {
    if (c?.type !== 'Ready') continue;
    if (c.status === 'False') return { status: 'Degraded', message: c.message ?? '' };
    if (c.status === 'True') return { status: 'Healthy', message: readyMessage ?? c.message ?? '' };
  }
  return { status: 'Progressing', message: `Waiting for ${kind} to be ready` };
}

/** argo-cd v3.1.16 resource_customizations/keda.sh/ScaledObject/health.lua. */
function scaledObjectHealth(o: Json): Health {
  let message: string | undefined;
  let healthy = false;
  let degraded = false;
  let suspended = false;
  for (const c of conditionsOf(o)) {
    if (c?.status === 'False' && c.type === 'Ready') [message, degraded] = [c.message, true];
    if (c?.status === 'True' && c.type === 'Ready') [message, healthy] = [c.message, true];
    if (c?.status === 'True' && c.type === 'Paused') [message, suspended] = [c.message, true];
    if (c?.status === 'True' && c.type === 'Fallback') [message, degraded] = [c.message, true];
  }
  if (degraded) return { status: 'Degraded', message: message ?? '' };
  if (healthy) return { status: suspended ? 'Suspended' : 'Healthy', message: message ?? '' };
  return { status: 'Progressing', message: 'Creating HorizontalPodAutoscaler Object' };
}

/** argo-cd v3.1.16 resource_customizations/policy/PodDisruptionBudget/health.lua: a False condition is Degraded unless it is InsufficientPods. */
function pdbHealth(o: Json): Health {
  let health: Health = { status: 'Progressing', message: 'Waiting for status' };
  for (const c of conditionsOf(o)) {
    if (typeof c?.reason !== 'string') throw new Error('the PodDisruptionBudget health check concatenates a condition without a reason (a Lua error, Unknown): not modelled');
    if (c.status === 'False' && c.reason !== 'InsufficientPods') return { status: 'Degraded', message: `PodDisruptionBudget has ${c.reason}` };
    health = { status: 'Healthy', message: `PodDisruptionBudget has ${c.reason}` };
  }
  return health;
}

const int = (value: unknown): number => (typeof value === 'number' ? value : 0);

/** gitops-engine pkg/health/health_deployment.go getAppsv1DeploymentHealth. */
function deploymentHealth(o: Json): Health {
  if (o.spec?.paused === true) return { status: 'Suspended', message: 'Deployment is paused' };
  const status = o.status ?? {};
  if (int(o.metadata?.generation) > int(status.observedGeneration)) return { status: 'Progressing', message: 'Waiting for rollout to finish: observed deployment generation less than desired generation' };
  const progressing = conditionsOf(o).find((c) => c?.type === 'Progressing');
  const [replicas, updated, current, available] = [o.spec?.replicas, int(status.updatedReplicas), int(status.replicas), int(status.availableReplicas)];
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { status: 'Degraded', message: `Deployment ${JSON.stringify(o.metadata?.name ?? '')} exceeded its progress deadline` };
  if (typeof replicas === 'number' && updated < replicas) return { status: 'Progressing', message: `Waiting for rollout to finish: ${updated} out of ${replicas} new replicas have been updated...` };
  if (current > updated) return { status: 'Progressing', message: `Waiting for rollout to finish: ${current - updated} old replicas are pending termination...` };
  if (available < updated) return { status: 'Progressing', message: `Waiting for rollout to finish: ${available} of ${updated} updated replicas are available...` };
  return { status: 'Healthy', message: '' };
}

/** gitops-engine pkg/health/health_statefulset.go getAppsv1StatefulSetHealth. */
function statefulSetHealth(o: Json): Health {
  const status = o.status ?? {};
  const observed = int(status.observedGeneration);
  if (observed === 0 || int(o.metadata?.generation) > observed) return { status: 'Progressing', message: 'Waiting for statefulset spec update to be observed...' };
  const replicas = o.spec?.replicas;
  const ready = int(status.readyReplicas);
  if (typeof replicas === 'number' && ready < replicas) return { status: 'Progressing', message: `Waiting for ${replicas - ready} pods to be ready...` };
  const strategy = o.spec?.updateStrategy ?? {};
  const updated = int(status.updatedReplicas);
  if (strategy.type === 'RollingUpdate' && strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) {
    const partition = strategy.rollingUpdate.partition;
    if (typeof replicas === 'number' && typeof partition === 'number' && updated < replicas - partition) {
      return { status: 'Progressing', message: `Waiting for partitioned roll out to finish: ${updated} out of ${replicas - partition} new pods have been updated...` };
    }
    return { status: 'Healthy', message: `partitioned roll out complete: ${updated} new pods have been updated...` };
  }
  if (strategy.type === 'OnDelete') return { status: 'Healthy', message: `statefulset has ${ready} ready pods` };
  const [updateRevision, currentRevision] = [status.updateRevision ?? '', status.currentRevision ?? ''];
  if (updateRevision !== currentRevision) return { status: 'Progressing', message: `waiting for statefulset rolling update to complete ${updated} pods at revision ${updateRevision}...` };
  return { status: 'Healthy', message: `statefulset rolling update complete ${int(status.currentReplicas)} pods at revision ${currentRevision}...` };
}

/** gitops-engine pkg/health/health_job.go getBatchv1JobHealth. */
function jobHealth(o: Json): Health {
  let [failed, complete, suspended] = [false, false, false];
  let [failMessage, message] = ['', ''];
  for (const c of conditionsOf(o)) {
    if (c?.type === 'Failed') [failed, complete, failMessage] = [true, true, c.message ?? ''];
    else if (c?.type === 'Complete') [complete, message] = [true, c.message ?? ''];
    else if (c?.type === 'Suspended') {
      [complete, message] = [true, c.message ?? ''];
      if (c.status === 'True') suspended = true;
    }
  }
  if (!complete) return { status: 'Progressing', message };
  if (failed) return { status: 'Degraded', message: failMessage };
  if (suspended) return { status: 'Suspended', message: failMessage };
  return { status: 'Healthy', message };
}

/** gitops-engine pkg/health/health_hpa.go checkConditions (autoscaling/v2). */
function hpaHealth(o: Json): Health {
  const degraded = new Set(['AbleToScale/FailedGetScale', 'AbleToScale/FailedUpdateScale', 'ScalingActive/FailedGetResourceMetric', 'ScalingActive/InvalidSelector']);
  for (const c of conditionsOf(o)) {
    if (degraded.has(`${c?.type}/${c?.reason}`)) return { status: 'Degraded', message: c.message ?? '' };
    if ((c?.type === 'AbleToScale' || c?.type === 'ScalingLimited') && c.status === 'True') return { status: 'Healthy', message: c.message ?? '' };
  }
  return { status: 'Progressing', message: 'Waiting to Autoscale' };
}

/** gitops-engine pkg/health/health_pvc.go getCorev1PVCHealth. */
function pvcHealth(o: Json): Health {
  const phase = o.status?.phase;
  return { status: phase === 'Lost' ? 'Degraded' : phase === 'Pending' ? 'Progressing' : phase === 'Bound' ? 'Healthy' : 'Unknown', message: '' };
}

/** gitops-engine pkg/health/health_service.go getCorev1ServiceHealth: a load balancer waits for its address. */
function serviceHealth(o: Json): Health {
  if (o.spec?.type !== 'LoadBalancer') return { status: 'Healthy', message: '' };
  return { status: Array.isArray(o.status?.loadBalancer?.ingress) && o.status.loadBalancer.ingress.length > 0 ? 'Healthy' : 'Progressing', message: '' };
}

/** argo-cd v3.1.16 resource_customizations/apiextensions.k8s.io/CustomResourceDefinition/health.lua. */
function crdHealth(o: Json): Health {
  if (o.status === undefined || o.status === null) throw new Error('the CustomResourceDefinition health check indexes a missing status (a Lua error, Unknown): not modelled');
  const conditions = conditionsOf(o);
  if (conditions.length === 0) return { status: 'Progressing', message: 'Status conditions not found' };
  let established = false;
  for (const c of conditions) {
    const concat = (prefix: string) => {
      if (typeof c.message !== 'string') throw new Error('the CustomResourceDefinition health check concatenates a condition without a message (a Lua error): not modelled');
      return `${prefix}${c.message}`;
    };
    if (c?.type === 'Terminating' && c.status === 'True') return { status: 'Progressing', message: concat('CRD is terminating: ') };
    if (c?.type === 'NamesAccepted' && c.status === 'False') return { status: 'Degraded', message: concat('CRD names have not been accepted: ') };
    if (c?.type === 'NonStructuralSchema' && c.status === 'True') return { status: 'Degraded', message: concat('Schema violations found: ') };
    if (c?.type === 'Established' && c.status === 'True') established = true;
  }
  return established ? { status: 'Healthy', message: 'CRD is healthy' } : { status: 'Degraded', message: 'CRD is not established' };
}

/** Built-in checks by `group/Kind` (core kinds without a group), the API version where it matters. */
const BUILT_IN: Record<string, (o: Json) => Health> = {
  'apiextensions.k8s.io/CustomResourceDefinition': crdHealth,
  'karpenter.sh/NodePool': (o) => readyCondition(o, 'NodePool'),
  'karpenter.k8s.aws/EC2NodeClass': (o) => readyCondition(o, 'EC2NodeClass', 'EC2NodeClass is ready'),
  'keda.sh/ScaledObject': scaledObjectHealth,
  'policy/PodDisruptionBudget': pdbHealth,
  'apps/Deployment': deploymentHealth,
  'apps/StatefulSet': statefulSetHealth,
  'batch/Job': jobHealth,
  'autoscaling/HorizontalPodAutoscaler': hpaHealth,
  PersistentVolumeClaim: pvcHealth,
  Service: serviceHealth,
};
/** The API versions the Go checks above read (gitops-engine converts to the typed object of that version). */
const BUILT_IN_VERSIONS: Record<string, string> = { 'apps/Deployment': 'apps/v1', 'apps/StatefulSet': 'apps/v1', 'batch/Job': 'batch/v1', 'autoscaling/HorizontalPodAutoscaler': 'autoscaling/v2', PersistentVolumeClaim: 'v1', Service: 'v1' };

/**
 * Kinds we emit or depend on for which Argo CD 3.1 assesses no health: applied is done. (Argo CD
 * stopped assessing Applications in 1.8: our argocd-cm patch adds that check.)
 */
export const WITHOUT_HEALTH = new Set([
  'Namespace', 'ConfigMap', 'Secret', 'ServiceAccount', 'PersistentVolume', 'storage.k8s.io/StorageClass', 'rbac.authorization.k8s.io/Role',
  'rbac.authorization.k8s.io/RoleBinding', 'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'keda.sh/TriggerAuthentication', 'monitoring.coreos.com/ServiceMonitor', 'monitoring.coreos.com/PrometheusRule', 'argoproj.io/AppProject', 'argoproj.io/Application',
  'networking.k8s.io/NetworkPolicy',
]);

const HOOK_FINALIZER = 'argocd.argoproj.io/hook-finalizer';
const groupKindOf = (o: Json) => {
  const apiVersion = String(o.apiVersion ?? '');
  return apiVersion.includes('/') ? `${apiVersion.split('/')[0]}/${String(o.kind)}` : String(o.kind);
};

/**
 * Argo CD's health of a live object (gitops-engine pkg/health/health.go GetResourceHealth with
 * argo-cd's Lua overrides, util/lua/lua.go GetHealthScript): undefined where it assesses none.
 * Kinds outside what this model knows throw.
 */
export function argoHealth(o: Json, checks: ReadonlyMap<string, string> = new Map()): Health | undefined {
  if (o.metadata?.deletionTimestamp && !(o.metadata.finalizers ?? []).includes(HOOK_FINALIZER)) return { status: 'Progressing', message: 'Pending deletion' };
  const groupKind = groupKindOf(o);
  const script = checks.get(groupKind) ?? [...checks].find(([pattern]) => pattern.includes('*') && globMatch(pattern, groupKind))?.[1];
  if (script !== undefined) return runHealthLua(script, o);
  const builtIn = BUILT_IN[groupKind];
  if (builtIn) {
    const version = BUILT_IN_VERSIONS[groupKind];
    if (version !== undefined && o.apiVersion !== version) throw new Error(`${groupKind} in ${String(o.apiVersion)}: not modelled`);
    return builtIn(o);
  }
  if (WITHOUT_HEALTH.has(groupKind)) return undefined;
  throw new Error(`no model of Argo CD's health for ${groupKind}`);
}

/* ----------------------------------------------------------------------------------------------
 * A sync operation
 * ------------------------------------------------------------------------------------------- */

/** A resource's line in the operation's result (gitops-engine common.ResourceSyncResult). */
export interface SyncResult {
  readonly key: string;
  readonly syncPhase: SyncPhase;
  status: '' | 'Synced' | 'SyncFailed';
  hookPhase: '' | 'Running' | 'Succeeded' | 'Failed' | 'Error';
  message: string;
}

/** How a sync operation ended, in the shape of the oracle's verdict (oracle/argocd/sync.go syncVerdict). */
export interface SyncOutcome {
  readonly phase: 'Succeeded' | 'Failed' | 'Running';
  readonly message: string;
  /** Per reconciliation, the objects applied, in groups applied at once. */
  readonly steps: string[][][];
  readonly results: SyncResult[];
}

/** What the cluster does with the operation's objects. */
export interface SyncWorld {
  /** The live object once applied (with the status its controller gives it), read when Argo CD assesses it. */
  readonly live: (task: SyncTask) => Json;
  /** The API server's refusal of an object, if any, when it is applied. */
  readonly refusal?: (task: SyncTask) => string | undefined;
  /** Called once an object is applied. */
  readonly applied?: (task: SyncTask) => void;
  /** Why a task is not valid before the sync starts (the controller's permission validator). */
  readonly invalid?: (task: SyncTask) => string | undefined;
  /** Argo CD's health of a live object. */
  readonly health: (live: Json) => Health | undefined;
  /** The Application's destination namespace: a Namespace of that name in the set is created before anything else. */
  readonly namespace?: string;
  /** Whether the object is live before the operation starts (applied by an earlier one). @default none is */
  readonly liveBefore?: (task: SyncTask) => boolean;
  /** Called once a live object is deleted (a hook deleted before it is created again). */
  readonly deleted?: (task: SyncTask) => void;
}

/**
 * The steps of an operation with the objects that tie in gitops-engine's order put in one order:
 * tasks of one phase and wave whose kinds rank alike (two custom kinds) and whose names are equal
 * run in whatever order Go's sort leaves them (sync_tasks.go Less compares the kinds' ranks, not
 * the kinds), so which of them is applied first, and how they group, is not Argo CD's to say.
 */
export function canonicalSteps(steps: readonly (readonly (readonly string[])[])[]): string[][][] {
  const tie = (key: string) => {
    const [, kind, , name] = key.split('/');
    return `${kindRank(kind!)}/${name}`;
  };
  return steps.map((groups) => {
    const keys = groups.flatMap((g) => [...g]);
    const ordered: string[] = [];
    for (let i = 0; i < keys.length; ) {
      let j = i;
      while (j < keys.length && tie(keys[j]!) === tie(keys[i]!)) j++;
      ordered.push(...keys.slice(i, j).sort());
      i = j;
    }
    const regrouped: string[][] = [];
    let kind: string | undefined;
    for (const key of ordered) {
      const k = key.split('/')[1];
      if (k !== kind) regrouped.push([]);
      kind = k;
      regrouped[regrouped.length - 1]!.push(key);
    }
    return regrouped.map((g) => g.sort());
  });
}

const MAX_CALLS = 200;
const resultKey = (t: SyncTask) => `${taskKey(t)}:${t.phase}`;

/**
 * A sync operation to its end, as the application controller runs it: one call of gitops-engine's
 * Sync per reconciliation (pkg/sync/sync_context.go at the release argo-cd v3.1.16 requires), each
 * assessing the wave applied before, then applying the next. Ends when the operation does, or when
 * a call changes nothing (it waits for good).
 */
export function runSync(tasks: readonly SyncTask[], world: SyncWorld): SyncOutcome {
  const results = new Map<string, SyncResult>();
  const state = (t: SyncTask) => results.get(resultKey(t));
  const operation = (t: SyncTask) => state(t)?.hookPhase ?? '';
  const running = (t: SyncTask) => operation(t) === 'Running';
  const completed = (t: SyncTask) => ['Succeeded', 'Failed', 'Error'].includes(operation(t));
  const successful = (t: SyncTask) => operation(t) === 'Succeeded';
  // What is live: objects of an earlier operation, then each object once applied.
  const live = new Map<string, Json>(tasks.filter((t) => world.liveBefore?.(t) === true).map((t) => [taskKey(t), {}]));
  const set = (t: SyncTask, status: SyncResult['status'], hookPhase: SyncResult['hookPhase'], message: string) => {
    const existing = results.get(resultKey(t));
    results.set(resultKey(t), { key: taskKey(t), syncPhase: t.phase, status, hookPhase, message: message !== '' ? message : (existing?.message ?? '') });
  };
  const deletePolicies = (t: SyncTask) => {
    const annotations = (t.object.metadata?.annotations ?? {}) as Record<string, string>;
    const policies = [
      ...(annotations['argocd.argoproj.io/hook-delete-policy'] ?? '').split(',').map((p) => p.trim()).filter((p) => ['HookSucceeded', 'HookFailed', 'BeforeHookCreation'].includes(p)),
      ...(annotations['helm.sh/hook-delete-policy'] ?? '').split(',').map((p) => p.trim()).flatMap((p) => ({ 'hook-succeeded': 'HookSucceeded', 'hook-failed': 'HookFailed', 'before-hook-creation': 'BeforeHookCreation' })[p] ?? []),
    ];
    return policies.length > 0 ? policies : ['BeforeHookCreation'];
  };
  let phase: SyncOutcome['phase'] | '' = '';
  // The kind of the last object applied in the current call.
  let stepKind: string | undefined;
  let message = '';
  const steps: string[][][] = [];
  const setRunning = (waiting: readonly SyncTask[]) => {
    if (waiting.length === 0) return;
    const first = waiting[0]!;
    const [what, more] = first.hook ? ['completion of hook', 'hooks'] : ['healthy state of', 'resources'];
    phase = 'Running';
    message = `waiting for ${what} ${first.group}/${first.kind}/${first.name}${waiting.length > 1 ? ` and ${waiting.length - 1} more ${more}` : ''}`;
  };
  const failed = (syncFail: readonly SyncTask[], syncFailed: readonly SyncTask[], why: string, step: string[][]) => {
    const reasons = [...new Set(syncFailed.map((t) => state(t)?.message ?? ''))];
    const text = reasons.length > 0 ? `${why}, reason: ${reasons.join(',')}` : why;
    if (syncFail.length > 0 && !syncFail.every(completed)) {
      // The SyncFail hooks run, and the operation fails once they are done.
      if (apply(syncFail, step) === 'failed') {
        const hookReasons = [...new Set(syncFail.filter((t) => state(t)?.status === 'SyncFailed').map((t) => state(t)?.message ?? ''))];
        [phase, message] = ['Failed', `${text}\none or more SyncFail hooks failed${hookReasons.length > 0 ? `, reason: ${hookReasons.join(',')}` : ''}`];
      }
      return;
    }
    [phase, message] = ['Failed', text];
  };
  // Deleted in the current call: hooks of an earlier operation, deleted before they are created again.
  let deletions = 0;
  // sync_context.go runTasks: hooks of an earlier operation with BeforeHookCreation are deleted
  // first, and nothing else is applied in that call (pending); then kind by kind, each group at once.
  const apply = (wave: readonly SyncTask[], step: string[][]): 'successful' | 'failed' | 'pending' => {
    const toDelete = wave.filter((t) => t.hook && live.has(taskKey(t)) && operation(t) === '' && deletePolicies(t).includes('BeforeHookCreation'));
    if (toDelete.length > 0) {
      for (const t of toDelete) {
        live.delete(taskKey(t));
        world.deleted?.(t);
        deletions++;
      }
      return 'pending';
    }
    let outcome: 'successful' | 'failed' = 'successful';
    // As the oracle observes applies: a run of one kind is one group, even across two runTasks of one call.
    let group: string[] = step[step.length - 1] ?? [];
    for (const t of wave) {
      if (stepKind === undefined || t.kind !== stepKind) step.push((group = []));
      stepKind = t.kind;
      group.push(taskKey(t));
      const refusal = world.refusal?.(t);
      if (refusal !== undefined) {
        set(t, 'SyncFailed', 'Failed', refusal);
        outcome = 'failed';
        continue;
      }
      set(t, 'Synced', 'Running', '');
      live.set(taskKey(t), {});
      world.applied?.(t);
    }
    for (const g of step) g.sort();
    return outcome;
  };

  for (let call = 0; call < MAX_CALLS; call++) {
    const before = JSON.stringify([phase, message, [...results]]);
    const step: string[][] = [];
    stepKind = undefined;
    deletions = 0;
    // What each task sees as live is read when the call starts (getSyncTasks), not as it applies.
    const liveAtStart = new Set(live.keys());
    const invalid = tasks.flatMap((t) => {
      const why = world.invalid?.(t);
      return why === undefined ? [] : [[t, why] as const];
    });
    if (invalid.length > 0) {
      for (const [t, why] of invalid) set(t, 'SyncFailed', '', why);
      [phase, message] = ['Failed', 'one or more synchronization tasks are not valid'];
      steps.push(step);
      break;
    }
    if (results.size === 0) {
      // Not started: the Application's own namespace, if the set holds it, is created first, alone (getNamespaceCreationTask).
      const namespace = tasks.find((t) => !live.has(taskKey(t)) && t.group === '' && t.kind === 'Namespace' && t.name === (world.namespace ?? ''));
      if (namespace && apply([namespace], step) === 'failed') {
        failed([], [namespace], 'the namespace failed to apply', step);
        steps.push(step);
        break;
      }
    }
    // Assess what was applied before.
    for (const t of tasks.filter((t) => running(t) && liveAtStart.has(taskKey(t)))) {
      const health = world.health(world.live(t));
      if (t.hook) {
        const [hookPhase, hookMessage] = health === undefined
          ? (['Succeeded', `${t.name} created`] as const)
          : health.status === 'Unknown' || health.status === 'Degraded'
            ? (['Failed', health.message] as const)
            : health.status === 'Progressing' || health.status === 'Suspended'
              ? (['Running', health.message] as const)
              : health.status === 'Healthy'
                ? (['Succeeded', health.message] as const)
                : (['Succeeded', `${t.name} created`] as const);
        set(t, '', hookPhase, hookMessage);
      } else if (health === undefined) set(t, state(t)!.status, 'Succeeded', '');
      else if (health.status === 'Healthy') set(t, state(t)!.status, 'Succeeded', health.message);
      else if (health.status === 'Degraded') set(t, state(t)!.status, 'Failed', health.message);
    }
    const multiStep = tasks.length > 0 && (tasks[0]!.phase !== tasks[tasks.length - 1]!.phase || tasks[0]!.wave !== tasks[tasks.length - 1]!.wave);
    const waiting = tasks.filter((t) => (multiStep || t.hook) && running(t));
    if (waiting.length > 0) setRunning(waiting);
    else {
      const hooksToDelete = (policy: string) => tasks.filter((t) => t.hook && liveAtStart.has(taskKey(t)) && !running(t) && deletePolicies(t).includes(policy));
      const syncFail = tasks.filter((t) => t.phase === 'SyncFail');
      const rest = tasks.filter((t) => t.phase !== 'SyncFail');
      if (rest.some((t) => completed(t) && !successful(t))) {
        for (const t of hooksToDelete('HookFailed')) live.delete(taskKey(t));
        failed(syncFail, rest.filter((t) => state(t)?.status === 'SyncFailed'), 'one or more synchronization tasks completed unsuccessfully', step);
      } else {
        const pending = rest.filter((t) => operation(t) === '');
        if (pending.length === 0) {
          for (const t of hooksToDelete('HookSucceeded')) live.delete(taskKey(t));
          [phase, message] = ['Succeeded', 'successfully synced (no more tasks)'];
        } else {
          const [p, w] = [pending[0]!.phase, pending[0]!.wave];
          const remaining = pending.filter((t) => t.phase !== p || t.wave !== w || t.hook);
          const wave = pending.filter((t) => t.phase === p && t.wave === w);
          [phase, message] = ['Running', 'one or more tasks are running'];
          // The hooks of the wave whose delete policy applies once they complete, live before this call.
          const deletedOnCompletion = wave.filter((t) => t.hook && liveAtStart.has(taskKey(t)) && (deletePolicies(t).includes('HookSucceeded') || deletePolicies(t).includes('HookFailed')));
          const ran = apply(wave, step);
          if (ran === 'pending') {
            // sync_context.go Sync: runState pending, setRunningPhase(deleteOnPhaseCompletion tasks, isPendingDeletion).
            if (deletedOnCompletion.length > 0) {
              const first = deletedOnCompletion[0]!;
              message = `waiting for deletion of ${first.group}/${first.kind}/${first.name}${deletedOnCompletion.length > 1 ? ` and ${deletedOnCompletion.length - 1} more hooks` : ''}`;
            }
          } else if (ran === 'failed') {
            for (const t of hooksToDelete('HookFailed')) live.delete(taskKey(t));
            failed(syncFail, wave.filter((t) => state(t)?.status === 'SyncFailed'), 'one or more objects failed to apply', step);
          } else if (remaining.length === 0) {
            for (const t of hooksToDelete('HookSucceeded')) live.delete(taskKey(t));
            [phase, message] = ['Succeeded', 'successfully synced (all tasks run)'];
          } else setRunning(remaining);
        }
      }
    }
    steps.push(step);
    if (phase !== 'Running') break;
    if (step.length === 0 && deletions === 0 && JSON.stringify([phase, message, [...results]]) === before) break;
  }
  while (steps.length > 0 && steps[steps.length - 1]!.length === 0 && phase === 'Running') steps.pop();
  return { phase: phase === '' ? 'Running' : phase, message, steps, results: [...results.values()].sort((a, b) => (`${a.key} ${a.syncPhase}` < `${b.key} ${b.syncPhase}` ? -1 : 1)) };
}

/* ----------------------------------------------------------------------------------------------
 * The clusters
 * ------------------------------------------------------------------------------------------- */

/** Kinds the API server serves cluster-scoped (group/Kind, `/Namespace` for the core group), for the kinds the model meets. */
export const CLUSTER_SCOPED = [
  '/Namespace', '/PersistentVolume', 'storage.k8s.io/StorageClass', 'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition', 'karpenter.sh/NodePool', 'karpenter.k8s.aws/EC2NodeClass', 'apiregistration.k8s.io/APIService',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration', 'scheduling.k8s.io/PriorityClass',
];
const groupOf = (o: Manifest) => (o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '');
const gk = (o: Manifest) => `${groupOf(o)}/${o.kind}`;
const clusterScoped = (o: Manifest) => CLUSTER_SCOPED.includes(gk(o));
const key = (kind: string, namespace: string | undefined, name: string) => `${kind}/${namespace ?? ''}/${name}`;
const keyOf = (o: Manifest) => key(o.kind, clusterScoped(o) ? undefined : o.metadata.namespace, o.metadata.name);
/** API groups every cluster serves without a CRD. */
const BUILT_IN_GROUPS = new Set(['', 'apps', 'batch', 'policy', 'autoscaling', 'rbac.authorization.k8s.io', 'storage.k8s.io', 'networking.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io']);
const POD_OWNERS = new Set(['Deployment', 'StatefulSet', 'Job', 'DaemonSet', 'CronJob']);

/** The CRDs (group/Kind) of some API groups, from the imported schemas. */
const kindsOfGroups = (...groups: string[]) => schemaIndex.kinds.filter((k) => groups.includes(k.apiVersion.split('/')[0]!)).map((k) => `${k.apiVersion.split('/')[0]}/${k.kind}`);

/** One cluster as the sync sees it. */
export interface Cluster {
  readonly namespaces: Set<string>;
  /** group/Kind the API server serves. */
  readonly kinds: Set<string>;
  readonly objects: Map<string, Manifest>;
  /** Controllers running: 'keda', 'karpenter'. */
  readonly running: Set<string>;
  /**
   * Prerequisites that exist but do not answer (`kind/namespace/name`, as `cluster` keys them):
   * a Service without endpoints, a Git repository the nodes cannot reach, a Secret whose
   * connection string names a database that is down. Pods that use one start and fail.
   */
  readonly down: Set<string>;
  /** NodePools whose capacity is not to be had (no spot GPU in the zones, say): their pods stay Pending. */
  readonly noCapacity: Set<string>;
  /** Whether Karpenter resolves the EC2NodeClasses in AWS (AMI, subnets, security groups, instance profile). @default true */
  nodeClassesResolve: boolean;
  /** Jobs that failed, and why: a Job past its backoffLimit stays Failed under its name until it is deleted. */
  readonly failedJobs: Map<string, string>;
  /**
   * How long a service in {@link down} stays down, in seconds: a Job whose pod keeps restarting for
   * longer rides it out. @default 4 hours (longer than Argo CD's sync retries, about an hour; shorter than a day)
   */
  outageSeconds: number;
}

/**
 * How long a Job's failing pod keeps restarting: restartPolicy OnFailure restarts it with the
 * kubelet's crash-loop back-off (10 s doubling to 300 s, kubernetes v1.35 pkg/kubelet/kubelet.go)
 * until backoffLimit restarts (default 6; pkg/controller/job/job_controller.go
 * pastBackoffLimitOnFailure) or activeDeadlineSeconds, whichever comes first. With restartPolicy
 * Never each retry is a new pod after the Job controller's back-off (10 s doubling to 6 min), the
 * same within this model's precision.
 */
export function jobRetrySeconds(spec: Json): number {
  const limit = typeof spec.backoffLimit === 'number' ? spec.backoffLimit : 6;
  let total = 0;
  for (let i = 0; i < limit; i++) total += Math.min(10 * 2 ** i, 300);
  return Math.min(total, typeof spec.activeDeadlineSeconds === 'number' ? spec.activeDeadlineSeconds : Infinity);
}

/** The key `cluster` files a declared prerequisite under. */
export const prerequisiteKey = (p: KnownObject) => key(p.kind, p.namespace, p.name);

export function cluster(prerequisites: readonly KnownObject[] = []): Cluster {
  const c: Cluster = { namespaces: new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']), kinds: new Set(), objects: new Map(), running: new Set(), down: new Set(), noCapacity: new Set(), nodeClassesResolve: true, failedJobs: new Map(), outageSeconds: 4 * 3600 };
  for (const p of prerequisites) {
    if (p.kind === 'Namespace') c.namespaces.add(p.name);
    else if (p.kind === 'CustomResourceDefinition') {
      // <plural>.<group>: the kind whose lowercased plural it is, in the imported schemas.
      const [plural, ...group] = p.name.split('.');
      const kind = schemaIndex.kinds.find((k) => k.apiVersion.split('/')[0] === group.join('.') && `${k.kind.toLowerCase()}s` === plural);
      if (kind) c.kinds.add(`${group.join('.')}/${kind.kind}`);
    } else c.objects.set(key(p.kind, p.namespace, p.name), { apiVersion: 'v1', kind: p.kind, metadata: { name: p.name, ...(p.namespace ? { namespace: p.namespace } : {}) } } as Manifest);
  }
  return c;
}

/** Why the API server or an admission webhook refuses `o`, or undefined. */
function refused(o: Manifest, c: Cluster): string | undefined {
  if (!clusterScoped(o) && o.metadata.namespace !== undefined && !c.namespaces.has(o.metadata.namespace)) return `namespaces "${o.metadata.namespace}" not found`;
  if (!BUILT_IN_GROUPS.has(groupOf(o)) && !c.kinds.has(gk(o))) return `the server could not find the requested resource (${gk(o)}: its CRD is not established)`;
  // KEDA's admission webhook validates ScaledObjects; with the operator absent the call fails.
  if (groupOf(o) === 'keda.sh' && !c.running.has('keda')) return 'failed calling webhook "vscaledobject.kb.io": KEDA\'s admission webhook is not running';
  return undefined;
}

/** What an object's controller writes into it, in the cluster as it is now, and why it is not yet healthy (for messages). */
function statusIn(o: Manifest, c: Cluster, applied: ReadonlySet<string>): { status?: Json; why?: string } {
  const spec = (o as Json).spec ?? {};
  const namespace = o.metadata.namespace ?? 'default';
  const ready = (message?: string) => ({ status: { conditions: [{ type: 'Ready', status: 'True', ...(message ? { message } : {}) }] } });
  switch (o.kind) {
    case 'EC2NodeClass':
      if (!c.running.has('karpenter')) return { why: 'no Karpenter controller sets its Ready condition' };
      // karpenter-provider-aws v1.14.1 pkg/controllers/nodeclass: Ready once every selector resolves in AWS.
      return c.nodeClassesResolve ? ready() : { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'AMIsReady', message: 'AMIsReady=False' }] }, why: 'Karpenter resolves no AMI, subnet or security group for it in AWS' };
    case 'NodePool': {
      if (!c.running.has('karpenter')) return { why: 'no Karpenter controller sets its Ready condition' };
      const nodeClass = spec.template?.spec?.nodeClassRef?.name;
      if (c.objects.has(key('EC2NodeClass', undefined, nodeClass))) return ready();
      return { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'NodeClassNotReady', message: `NodeClassReady=False: EC2NodeClass ${nodeClass} not found` }] }, why: `its EC2NodeClass ${nodeClass} does not exist` };
    }
    case 'HorizontalPodAutoscaler':
      if (c.objects.has(key(spec.scaleTargetRef?.kind, namespace, spec.scaleTargetRef?.name))) return { status: { conditions: [{ type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: 'the HPA controller was able to get the target\'s current scale' }] } };
      return { status: { conditions: [{ type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message: `the HPA controller was unable to get the target's current scale: ${String(spec.scaleTargetRef?.kind)} ${String(spec.scaleTargetRef?.name)} not found` }] }, why: 'FailedGetScale: its target does not exist' };
    case 'ScaledObject': {
      if (!c.running.has('keda')) return { why: 'no KEDA operator' };
      if (!c.objects.has(key(spec.scaleTargetRef?.kind ?? 'Deployment', namespace, spec.scaleTargetRef?.name))) {
        return { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'ScaledObjectCheckFailed', message: "ScaledObject doesn't have correct scaleTargetRef specification" }] }, why: 'its target does not exist' };
      }
      // keda v2.20.2 pkg/scaling/executor/scale_scaledobjects.go RequestScale: inactive triggers that answer with an error, no fallback.
      const silent = triggerServicesDown(o, c);
      if (silent) return { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'TriggerError', message: 'Triggers defined in ScaledObject are not working correctly' }] }, why: `its triggers cannot read ${silent}, which does not answer` };
      return ready('ScaledObject is defined correctly and is ready for scaling');
    }
    case 'PodDisruptionBudget':
      // The disruption controller's condition before the pods exist (InsufficientPods, which Argo CD counts as healthy).
      return { status: { conditions: [{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' }] } };
    case 'PersistentVolumeClaim': {
      const storageClass = c.objects.get(key('StorageClass', undefined, spec.storageClassName)) as Json | undefined;
      if (spec.volumeName || storageClass?.volumeBindingMode !== 'WaitForFirstConsumer') return { status: { phase: 'Bound' } };
      const consumers = [...c.objects.values()].filter((p) => POD_OWNERS.has(p.kind) && applied.has(keyOf(p)) && referencesOf(p, p.metadata.namespace ?? 'default').some((r) => r.kind === 'PersistentVolumeClaim' && r.name === o.metadata.name && r.namespace === namespace));
      return consumers.length > 0 ? { status: { phase: 'Bound' } } : { status: { phase: 'Pending' }, why: 'Pending: its StorageClass waits for a first consumer, and none is applied' };
    }
  }
  if (POD_OWNERS.has(o.kind)) {
    const generation = { observedGeneration: 1 };
    // A workload a ScaledObject scales to zero has no pod to wait for (the queue is empty on a first sync).
    const scaler = scaledToZeroBy(o, c, applied);
    const replicas = typeof spec.replicas === 'number' ? spec.replicas : scaler ? 0 : 1;
    const blocked = replicas === 0 ? undefined : podsBlocked(o, c);
    const why = blocked?.why;
    if (o.kind === 'Job') {
      const failed = { status: { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] } };
      const earlier = c.failedJobs.get(keyOf(o));
      if (earlier !== undefined) return { ...failed, why: `it failed (${earlier}), and a failed Job is not run again` };
      if (!blocked) return { status: { conditions: [{ type: 'Complete', status: 'True' }] } };
      if (!blocked.fails) return { status: {}, why };
      // Its pod restarts while the outage lasts, if the Job's retries outlast it: still running.
      if (jobRetrySeconds(spec) > c.outageSeconds) return { status: { active: 1 }, why: `${why!}; its pod restarts until it answers` };
      // A pod that fails is restarted until the Job's backoffLimit, then the Job fails for good (job_controller.go).
      c.failedJobs.set(keyOf(o), why!);
      return { ...failed, why };
    }
    const available = blocked ? 0 : replicas;
    if (o.kind === 'StatefulSet') return { status: { ...generation, replicas, readyReplicas: available, updatedReplicas: replicas, currentReplicas: replicas, currentRevision: 'r1', updateRevision: 'r1' }, ...(why ? { why } : {}) };
    // Pods that fail never become available: the Deployment controller gives up after progressDeadlineSeconds (deployment/progress.go).
    const deadline = blocked?.fails ? { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${o.metadata.name}" has timed out progressing.` }] } : {};
    return { status: { ...generation, replicas, updatedReplicas: replicas, availableReplicas: available, ...deadline }, ...(why ? { why } : {}) };
  }
  return {};
}

const SCALED_OBJECT = 'keda.sh/ScaledObject';

/** The ScaledObject applied in this cluster that scales `o` to zero now, if any (KEDA running, its triggers answering, minReplicaCount 0). */
function scaledToZeroBy(o: Manifest, c: Cluster, applied: ReadonlySet<string>): Manifest | undefined {
  if (!c.running.has('keda')) return undefined;
  return [...c.objects.values()].find((s) => {
    if (gk(s) !== SCALED_OBJECT || s.metadata.namespace !== o.metadata.namespace || !applied.has(keyOf(s))) return false;
    const spec = (s as Json).spec ?? {};
    const ref = spec.scaleTargetRef ?? {};
    // keda v2.20.2 RequestScale: minReplicaCount unset is 0; inactive triggers scale the target to it at once (initialCooldownPeriod 0).
    return (ref.kind ?? 'Deployment') === o.kind && ref.name === o.metadata.name && (spec.minReplicaCount ?? 0) === 0 && !triggerServicesDown(s, c);
  });
}

/** The first Service a ScaledObject's triggers read that does not answer. */
function triggerServicesDown(o: Manifest, c: Cluster): string | undefined {
  const namespace = o.metadata.namespace ?? 'default';
  const ref = referencesOf(o, namespace).find((r) => r.kind === 'Service' && c.down.has(key('Service', r.namespace, r.name)));
  return ref && `Service ${ref.namespace}/${ref.name}`;
}

/** git-sync's repository (GITSYNC_REPO, git-sync v4): a prerequisite like any other, declared as `Git repository`. */
function gitRepositories(o: Manifest): string[] {
  const pod = podOf(o);
  if (!pod) return [];
  const containers = [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])] as Json[];
  return [...new Set(containers.flatMap((container) => (container.env ?? []).filter((e: Json) => e.name === 'GITSYNC_REPO' && typeof e.value === 'string').map((e: Json) => e.value as string)))];
}

/**
 * Why a controller's pods cannot run: something they need that does not exist yet, a node they
 * wait for (they wait: Pending), or a prerequisite that does not answer (they start and fail).
 */
function podsBlocked(o: Manifest, c: Cluster): { why: string; fails: boolean } | undefined {
  const spec = (o as Json).spec ?? {};
  const namespace = o.metadata.namespace ?? 'default';
  const refs = referencesOf(o, namespace);
  for (const ref of refs) {
    if (!['Secret', 'ConfigMap', 'PersistentVolumeClaim', 'ServiceAccount', 'TriggerAuthentication'].includes(ref.kind)) continue;
    // A StatefulSet's claim templates make the claims its pods mount.
    if (ref.kind === 'PersistentVolumeClaim' && o.kind === 'StatefulSet' && (spec.volumeClaimTemplates ?? []).some((t: Json) => ref.name.startsWith(`${t.metadata?.name}-`))) continue;
    if (!c.objects.has(key(ref.kind, ref.namespace, ref.name))) return { why: `it needs ${ref.kind} ${ref.namespace}/${ref.name}, which does not exist yet`, fails: false };
  }
  const pool = spec.template?.spec?.nodeSelector?.['karpenter.sh/nodepool'] ?? spec.jobTemplate?.spec?.template?.spec?.nodeSelector?.['karpenter.sh/nodepool'];
  if (pool && (!c.running.has('karpenter') || !c.objects.has(key('NodePool', undefined, pool)))) return { why: `its pods wait for NodePool ${pool}, which ${c.running.has('karpenter') ? 'does not exist' : 'no Karpenter controller provisions'}`, fails: false };
  const pod = podOf(o);
  if (pod && c.noCapacity.size > 0) {
    const pools = poolViews([...c.objects.values()].filter((p) => p.kind === 'NodePool' || p.kind === 'EC2NodeClass'));
    const on = poolsFor(pod.spec, pools).map((p) => p.name);
    if (on.length > 0 && on.every((p) => c.noCapacity.has(p))) return { why: `its pods wait for a node of NodePool ${on.join(', ')}, where no capacity is to be had`, fails: false };
  }
  for (const repo of gitRepositories(o)) {
    const k = key('Git repository', undefined, repo);
    if (!c.objects.has(k)) return { why: `its git-sync clones Git repository ${repo}, which no declared prerequisite provides`, fails: true };
    if (c.down.has(k)) return { why: `its git-sync clones Git repository ${repo}, which does not answer`, fails: true };
  }
  const silent = refs.find((r) => (r.kind === 'Secret' || r.kind === 'Service') && c.down.has(key(r.kind, r.namespace, r.name)));
  if (silent) return { why: `it uses ${silent.kind} ${silent.namespace}/${silent.name}, ${silent.kind === 'Secret' ? 'whose service' : 'which'} does not answer`, fails: true };
  return undefined;
}

/** What the model knows of an upstream chart: what it needs to turn healthy, and what it leaves behind once healthy. */
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

/* ----------------------------------------------------------------------------------------------
 * Argo CD
 * ------------------------------------------------------------------------------------------- */

/** An Argo CD installation: its own cluster, the clusters registered with it, the repository it reads, and argocd-cm. */
export interface ArgoCd {
  readonly home: Cluster;
  /** The clusters registered with `argocd cluster add` (the in-cluster one needs none). */
  readonly registered: readonly RegisteredCluster[];
  /** The clusters Argo CD reaches, by server (the in-cluster one is `home`). */
  readonly clusters: Map<string, Cluster>;
  /** The repository: revision → path → objects. */
  readonly repo: Map<string, Map<string, Manifest[]>>;
  /** argocd-cm's data (its health checks). */
  readonly argocdCm: Readonly<Record<string, string>>;
}

/** How an Application ended: its sync operation and its health (argo-cd v3.1.16 controller/health.go setApplicationHealth). */
export interface AppOutcome {
  readonly name: string;
  readonly phase: SyncOutcome['phase'] | 'Refused';
  readonly message: string;
  readonly health: HealthStatus;
  /** What keeps it from Succeeded and Healthy: the object and why, in the model's words. */
  readonly stoppedBy?: string;
}

const IN_CLUSTER = 'https://kubernetes.default.svc';
const HEALTH_ORDER: HealthStatus[] = ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded', 'Unknown'];
const worse = (a: HealthStatus, b: HealthStatus) => (HEALTH_ORDER.indexOf(b) > HEALTH_ORDER.indexOf(a) ? b : a);

/** Files of a revision under `path`, recursively or not, as Argo CD's directory source selects them (reposerver getPotentiallyValidManifests: include and exclude globs on the relative path). */
export function directorySource(files: ReadonlyMap<string, Manifest[]>, path: string, directory: Json): Manifest[] {
  const prefix = `${path}/`;
  return [...files.keys()]
    .filter((p) => p.startsWith(prefix))
    .map((p) => p.slice(prefix.length))
    .filter((rel) => (directory.recurse === true || !rel.includes('/')) && !(directory.exclude && globMatch(directory.exclude, rel)) && !(directory.include && !globMatch(directory.include, rel)))
    .sort()
    .flatMap((rel) => files.get(`${prefix}${rel}`)!);
}

/** Every Application of an Argo CD installation synced: results by name. */
export class ArgoCdRun {
  readonly outcomes = new Map<string, AppOutcome>();
  /** Per Application, the live objects it assessed last, by task key: the statuses the model gave them. */
  readonly assessed = new Map<string, Map<string, Json>>();
  private readonly checks: Map<string, string>;
  private readonly deferred: Manifest[] = [];
  /** Per Application, what its operations applied (and left live). */
  private readonly synced = new Map<string, Set<string>>();

  constructor(readonly argo: ArgoCd) {
    this.checks = healthChecksOf(argo.argocdCm);
  }

  /** What Argo CD does once every Application in its namespace exists: it syncs each (automated sync), Applications created by others in turn. */
  syncAll(): Map<string, AppOutcome> {
    for (let round = 0; round < 20; round++) {
      const apps = [...this.argo.home.objects.values()].filter((o) => o.kind === 'Application' && !this.outcomes.has(o.metadata.name)).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      if (apps.length === 0) break;
      for (const app of apps) if (!this.outcomes.has(app.metadata.name)) this.sync(app);
    }
    return this.outcomes;
  }

  private registered(): readonly RegisteredCluster[] {
    return this.argo.registered;
  }

  /**
   * Another sync operation of an Application that has synced: Argo CD's retry of a failed one
   * (syncPolicy.retry), or the sync of the next commit. It starts from what the last one left.
   */
  resync(name: string): AppOutcome {
    const app = this.argo.home.objects.get(key('Application', 'argocd', name));
    if (!app || !this.outcomes.has(name)) throw new Error(`Application ${name} has not synced yet`);
    this.outcomes.delete(name);
    return this.sync(app);
  }

  /** An Application's sync operation, then its health; a child Application is synced when its parent assesses it. */
  sync(app: Manifest): AppOutcome {
    const name = app.metadata.name;
    const known = this.outcomes.get(name);
    if (known) return known;
    // Marked first: an Application that syncs itself (the bootstrap) is not synced again through itself.
    this.outcomes.set(name, { name, phase: 'Running', message: 'syncing', health: 'Progressing' });
    const outcome = this.run(app);
    this.outcomes.set(name, outcome);
    for (const child of this.deferred.splice(0)) this.sync(child);
    return outcome;
  }

  private run(app: Manifest): AppOutcome {
    const spec = (app as Json).spec;
    const name = app.metadata.name;
    const project = this.argo.home.objects.get(key('AppProject', 'argocd', spec.project)) as Json | undefined;
    if (!project) return { name, phase: 'Refused', message: `error getting app project "${spec.project}": appproject.argoproj.io "${spec.project}" not found`, health: 'Unknown', stoppedBy: `project ${spec.project} does not exist` };
    const projectSpec = { ...project.spec, metadata: project.metadata };
    const conditions = validatePermissions(spec, projectSpec, this.registered()) ?? [];
    if (conditions.length > 0) return { name, phase: 'Refused', message: conditions.map((c) => c.message).join('; '), health: 'Unknown', stoppedBy: `InvalidSpecError: ${conditions[0]!.message}` };
    const destination = destinationCluster(spec.destination, this.registered());
    const target = spec.destination.server === IN_CLUSTER ? this.argo.home : this.argo.clusters.get(spec.destination.server);
    if ('error' in destination || !target) return { name, phase: 'Refused', message: `cluster ${spec.destination.server} is unreachable`, health: 'Unknown', stoppedBy: `its cluster ${spec.destination.server} is unreachable` };
    const resolved = destination;
    if (spec.source.chart) return this.chart(app, target);

    const files = this.argo.repo.get(spec.source.targetRevision);
    if (!files) return { name, phase: 'Refused', message: `unable to resolve '${spec.source.targetRevision}' to a commit SHA`, health: 'Unknown', stoppedBy: `revision ${spec.source.targetRevision} does not exist` };
    const objects = directorySource(files, spec.source.path, spec.source.directory ?? {});
    const tasks = syncTasks(objects, spec.destination.namespace ?? '');
    const byTask = new Map(tasks.map((t) => [t, t.object as Manifest]));
    // What an earlier operation of this Application left live counts as applied (a retry, or the next sync).
    const applied = new Set<string>(objects.map(keyOf).filter((k) => this.synced.get(name)?.has(k) === true && target.objects.has(k)));
    const why = new Map<string, string>();
    const patchChecksApplications = this.checks.has('argoproj.io/Application');
    const assessed = new Map<string, Json>();
    this.assessed.set(name, assessed);
    const live = (t: SyncTask): Json => {
      const object = liveOf(t);
      assessed.set(taskKey(t), object);
      return object;
    };
    const liveOf = (t: SyncTask): Json => {
      const o = byTask.get(t)!;
      if (o.kind === 'Application') {
        // A child Application: with argocd-cm's check, its health is its own sync's; without, it has none and its sync runs later.
        if (!patchChecksApplications || o.metadata.name === name) return { ...o, status: {} };
        const child = this.sync(o);
        if (child.stoppedBy) why.set(taskKey(t), `Application ${o.metadata.name}: ${child.stoppedBy}`);
        return { ...o, status: { health: { status: child.health } } };
      }
      const { status, why: reason } = statusIn(o, target, applied);
      if (reason) why.set(taskKey(t), reason);
      return { ...o, ...(status ? { status } : {}) };
    };
    const outcome = runSync(tasks, {
      live,
      refusal: (t) => refused(byTask.get(t)!, target),
      liveBefore: (t) => applied.has(keyOf(byTask.get(t)!)),
      deleted: (t) => {
        target.objects.delete(keyOf(byTask.get(t)!));
        target.failedJobs.delete(keyOf(byTask.get(t)!));
        applied.delete(keyOf(byTask.get(t)!));
      },
      applied: (t) => {
        const o = byTask.get(t)!;
        if (o.kind === 'Namespace') target.namespaces.add(o.metadata.name);
        target.objects.set(keyOf(o), o);
        applied.add(keyOf(o));
        if (o.kind === 'Application' && !patchChecksApplications && o.metadata.name !== name) this.deferred.unshift(o);
      },
      invalid: (t) => {
        const o = byTask.get(t)!;
        const namespaced = !clusterScoped(o);
        if (!isGroupKindPermitted(projectSpec, groupOf(o), o.kind, namespaced)) return `resource ${groupOf(o)}:${o.kind} is not permitted in project ${spec.project}`;
        if (namespaced && !isDestinationPermitted(projectSpec, resolved, t.namespace, this.registered())) return `namespace ${t.namespace} is not permitted in project '${spec.project}'`;
        return undefined;
      },
      health: (o) => argoHealth(o, this.checks),
    });
    this.synced.set(name, new Set([...(this.synced.get(name) ?? []), ...applied]));
    // controller/health.go: the worst health of the resources, hooks and resources without a health left out.
    let health: HealthStatus = 'Healthy';
    let stoppedBy: string | undefined;
    for (const t of tasks) {
      if (t.hook) continue;
      const o = byTask.get(t)!;
      if (o.kind === 'Application' && o.metadata.name === name) continue;
      const h = applied.has(keyOf(o)) ? argoHealth(live(t), this.checks) : { status: 'Missing' as const, message: '' };
      if (h === undefined || (h.status === 'Missing' && argoHealth({ ...o, status: {} }, this.checks) === undefined)) continue;
      if (o.kind === 'Application' && (h.status === 'Missing' || h.status === 'Unknown')) continue;
      if (worse(health, h.status) !== health) {
        health = worse(health, h.status);
        stoppedBy = why.get(taskKey(t)) ?? `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name} is ${h.status}${h.message ? `: ${h.message}` : ''}`;
      }
    }
    const failedResult = outcome.results.find((r) => r.hookPhase === 'Failed' || r.status === 'SyncFailed');
    if (outcome.phase !== 'Succeeded') {
      const running = outcome.results.find((r) => r.hookPhase === 'Running');
      const culprit = failedResult ?? running;
      const detail = culprit ? (why.get(culprit.key) ?? culprit.message) : '';
      stoppedBy = `${outcome.message}${culprit ? ` (${culprit.key}${detail ? `: ${detail}` : ''})` : ''}`;
    }
    return { name, phase: outcome.phase, message: outcome.message, health, ...(stoppedBy && (outcome.phase !== 'Succeeded' || health !== 'Healthy') ? { stoppedBy } : {}) };
  }

  /** A Helm chart Application, by what the model knows of the chart. */
  private chart(app: Manifest, target: Cluster): AppOutcome {
    const spec = (app as Json).spec;
    const name = app.metadata.name;
    const model = CHARTS[spec.source.chart];
    if (!model) throw new Error(`${name}: no model of chart ${spec.source.chart}`);
    const namespace = spec.destination.namespace;
    if (!target.namespaces.has(namespace)) {
      if (!(spec.syncPolicy?.syncOptions ?? []).includes('CreateNamespace=true')) return { name, phase: 'Failed', message: 'one or more objects failed to apply', health: 'Missing', stoppedBy: `namespace ${namespace} does not exist and the Application does not create it` };
      target.namespaces.add(namespace);
    }
    const why = model.needs(target);
    // A chart's objects sync in one wave, which Argo CD does not wait for: the sync succeeds, the health tells.
    if (why) return { name, phase: 'Succeeded', message: 'successfully synced (all tasks run)', health: 'Progressing', stoppedBy: why };
    model.apply(target);
    return { name, phase: 'Succeeded', message: 'successfully synced (all tasks run)', health: 'Healthy' };
  }
}

/** `kubectl apply -f` of one file, in document order; throws on the first refusal. */
export function kubectlApply(objects: readonly Manifest[], c: Cluster): void {
  for (const o of objects) {
    const why = refused(o, c);
    if (why) throw new Error(`kubectl apply: ${o.kind} ${o.metadata.name} is refused: ${why}`);
    c.objects.set(keyOf(o), o);
  }
}

/** Syncs one folder's objects into a cluster as an Application with that destination namespace would, with every check argocd-cm may add. */
export function syncObjects(objects: readonly Manifest[], c: Cluster, argocdCm: Readonly<Record<string, string>> = {}, destinationNamespace = ''): SyncOutcome & { stoppedBy?: string } {
  const checks = healthChecksOf(argocdCm);
  const tasks = syncTasks(objects, destinationNamespace);
  const applied = new Set<string>();
  const why = new Map<string, string>();
  const outcome = runSync(tasks, {
    live: (t) => {
      const o = t.object as Manifest;
      const { status, why: reason } = statusIn(o, c, applied);
      if (reason) why.set(taskKey(t), reason);
      return { ...o, ...(status ? { status } : {}) };
    },
    refusal: (t) => refused(t.object as Manifest, c),
    applied: (t) => {
      const o = t.object as Manifest;
      if (o.kind === 'Namespace') c.namespaces.add(o.metadata.name);
      c.objects.set(keyOf(o), o);
      applied.add(keyOf(o));
    },
    health: (o) => argoHealth(o, checks),
  });
  const culprit = outcome.results.find((r) => r.hookPhase === 'Failed' || r.status === 'SyncFailed') ?? outcome.results.find((r) => r.hookPhase === 'Running');
  return outcome.phase === 'Succeeded' ? outcome : { ...outcome, stoppedBy: `${outcome.message}${culprit ? ` (${culprit.key}: ${why.get(culprit.key) ?? culprit.message})` : ''}` };
}
