import { editDistance, nearest } from '../edit-distance';
import SCALERS_JSON from './keda-scalers.json';
import { Checked } from './cluster';
import { child, KubeObject, Reporter } from './findings';
import { isObject, Json, podOf } from './pods';

/**
 * KEDA's ScaledObjects and ScaledJobs as KEDA would treat them.
 *
 * `keda-admission`: what KEDA's admission webhook refuses (apis/keda/v1alpha1/scaledobject_webhook.go
 * at v2.20.2): a name or derived HPA name (`keda-hpa-<name>`) over 63 characters; minReplicaCount
 * above maxReplicaCount (default 100) or idleReplicaCount not below the minimum; no triggers, or a
 * trigger name used twice; useCachedMetrics on cpu, memory or cron; a cpu or memory trigger while
 * a container of the target has no request (nor limit) for it; only cpu/memory triggers with a
 * minimum of 0 (the HPA cannot scale to zero on resource metrics); a workload another ScaledObject
 * or an HPA already scales.
 *
 * `keda-trigger`: trigger metadata against the scaler's parameters (lib/validation/keda-scalers.json,
 * from KEDA's generated schema): an unknown type, an unknown parameter (KEDA ignores it, so a typo
 * silently becomes the default), a required one missing (the scaler fails to build and the
 * ScaledObject never turns Ready), a value outside the allowed ones or not a number or boolean
 * where the default says it must be one, a deprecated parameter (warning).
 */

interface Parameter {
  readonly optional?: boolean;
  readonly default?: string;
  readonly allowed?: readonly string[];
  readonly from: readonly string[];
  readonly deprecated?: string;
}

const SCALERS: ReadonlyMap<string, Readonly<Record<string, Parameter>>> = new Map(Object.entries(SCALERS_JSON.scalers as Record<string, Record<string, Parameter>>));
export const KEDA_VERSION: string = SCALERS_JSON.kedaVersion;

const MAX_LABEL_VALUE = 63;
const RESOURCE_TRIGGERS = new Set(['cpu', 'memory']);
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);
const nameOf = (o: KubeObject) => String(o.metadata?.name ?? '');
const namespaceOf = (o: KubeObject) => String(o.metadata?.namespace ?? 'default');
const INTEGER = /^-?\d+$/;
const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
// Go's strconv.ParseBool, which KEDA's typed config uses.
const BOOLEAN = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);

function closest(name: string, candidates: readonly string[]): string {
  const best = nearest(name, [...candidates].sort((a, b) => a.localeCompare(b)), (a, b) => editDistance(a.toLowerCase(), b.toLowerCase()));
  return best && best.distance <= Math.max(2, Math.floor(name.length / 4)) ? ` (did you mean "${best.candidate}"?)` : '';
}

/** The parameters a TriggerAuthentication of the set supplies, by its name. */
function authParameters(items: readonly Checked[], namespace: string, name: string): Set<string> | undefined {
  const auth = items.find((i) => i.object.kind === 'TriggerAuthentication' && namespaceOf(i.object) === namespace && nameOf(i.object) === name)?.object;
  if (!auth) return undefined;
  const spec = isObject(auth.spec) ? auth.spec : {};
  const params = new Set<string>();
  for (const field of ['secretTargetRef', 'env', 'configMapTargetRef']) for (const r of list(spec[field])) if (typeof r.parameter === 'string') params.add(r.parameter);
  return params;
}

function checkTrigger(trigger: Json, at: string, reporter: Reporter, auth: Set<string> | undefined): void {
  const type = trigger.type;
  if (typeof type !== 'string') return;
  const parameters = SCALERS.get(type);
  if (!parameters) {
    reporter.report('keda-trigger', child(at, 'type'), `is not a scaler of KEDA ${KEDA_VERSION}${closest(type, [...SCALERS.keys()])}: the ScaledObject never turns Ready`, type);
    return;
  }
  const metadata: Record<string, unknown> = isObject(trigger.metadata) ? trigger.metadata : {};
  const names = Object.keys(parameters);
  for (const [key, value] of Object.entries(metadata)) {
    const fromEnv = key.endsWith('FromEnv') ? key.slice(0, -'FromEnv'.length) : undefined;
    const parameter = parameters[key] ?? (fromEnv !== undefined ? parameters[fromEnv] : undefined);
    const path = `${child(at, 'metadata')}.${key}`;
    if (!parameter || (fromEnv !== undefined && !parameters[key] && !parameter.from.includes('env'))) {
      reporter.report('keda-trigger', path, `is not a parameter of the ${type} scaler${closest(key, names)}: KEDA ignores it, so what it meant to set keeps its default`, key);
      continue;
    }
    if (fromEnv === undefined && !parameter.from.includes('metadata')) {
      reporter.report('keda-trigger', path, `is read by the ${type} scaler only from ${parameter.from.map((f) => (f === 'auth' ? 'a TriggerAuthentication' : `${key}FromEnv`)).join(' or ')}, not from metadata: KEDA ignores it here`, key);
      continue;
    }
    if (parameter.deprecated) reporter.report('keda-trigger', path, `is deprecated: ${parameter.deprecated}`, key, 'warning');
    if (typeof value !== 'string' || fromEnv !== undefined) continue;
    if (parameter.allowed && !parameter.allowed.includes(value)) {
      reporter.report('keda-trigger', path, `must be one of ${parameter.allowed.map((a) => JSON.stringify(a)).join(', ')} for the ${type} scaler`, value);
    } else if (parameter.default !== undefined && value.trim() !== '') {
      if (NUMBER.test(parameter.default) && !NUMBER.test(value.trim())) reporter.report('keda-trigger', path, `must be a number for the ${type} scaler (its default is ${parameter.default}): the scaler fails to build`, value);
      else if (BOOLEAN.has(parameter.default) && !INTEGER.test(parameter.default) && !BOOLEAN.has(value.trim())) reporter.report('keda-trigger', path, `must be true or false for the ${type} scaler: the scaler fails to build`, value);
    }
  }
  // Required: neither optional nor defaulted, and only metadata can give it (one a TriggerAuthentication or
  // environment variable may give is checked only when the authentication is in the set and names it).
  for (const [name, parameter] of Object.entries(parameters)) {
    if (parameter.optional || name in metadata || `${name}FromEnv` in metadata) continue;
    const onlyMetadata = parameter.from.length === 1 && parameter.from[0] === 'metadata';
    if (onlyMetadata) reporter.report('keda-trigger', child(at, 'metadata'), `has no ${name}, which the ${type} scaler requires: the scaler fails to build and the ScaledObject never turns Ready`, type);
  }
  if (auth) {
    for (const parameter of auth) {
      const known = parameters[parameter];
      if (!known || !known.from.includes('auth')) reporter.report('keda-trigger', child(at, 'authenticationRef'), `TriggerAuthentication ${String(trigger.authenticationRef?.name)} supplies "${parameter}", which the ${type} scaler does not read from an authentication${closest(parameter, names.filter((n) => parameters[n]!.from.includes('auth')))}: it is ignored`, parameter, 'warning');
    }
  }
}

/** Two HPAs on one workload: the HPA controller refuses to act on either (AmbiguousSelector). */
function checkHpaConflicts(items: readonly Checked[]): void {
  const seen = new Map<string, string>();
  for (const { object, reporter } of items) {
    if (object.kind !== 'HorizontalPodAutoscaler') continue;
    const ref = (object.spec as Json)?.scaleTargetRef;
    if (!isObject(ref)) continue;
    const key = `${namespaceOf(object)}/${String(ref.kind)}/${String(ref.name)}`;
    const first = seen.get(key);
    if (first) reporter.report('autoscaler-conflict', 'spec.scaleTargetRef', `names ${String(ref.kind)} ${String(ref.name)}, which HorizontalPodAutoscaler ${first} already scales: the HPA controller then scales neither (AmbiguousSelector). Keep one`, ref.name);
    else seen.set(key, nameOf(object));
  }
}

/** Checks the ScaledObjects and ScaledJobs of the set, with the workloads and autoscalers around them. */
export function checkKeda(items: readonly Checked[]): void {
  checkHpaConflicts(items);
  const scaled = items.filter((i) => (i.object.kind === 'ScaledObject' || i.object.kind === 'ScaledJob') && String(i.object.apiVersion).startsWith('keda.sh/'));
  for (const { object, reporter } of scaled) {
    const spec = isObject(object.spec) ? object.spec : {};
    const namespace = namespaceOf(object);
    const triggers = list(spec.triggers);
    triggers.forEach((trigger, t) => {
      const at = child(child('spec', 'triggers'), t);
      const authName = isObject(trigger.authenticationRef) && trigger.authenticationRef.kind !== 'ClusterTriggerAuthentication' ? trigger.authenticationRef.name : undefined;
      checkTrigger(trigger, at, reporter, typeof authName === 'string' ? authParameters(items, namespace, authName) : undefined);
    });
    if (triggers.length === 0) reporter.report('keda-admission', 'spec.triggers', 'is empty: KEDA refuses a ScaledObject or ScaledJob without triggers');
    const names = new Set<string>();
    triggers.forEach((trigger, t) => {
      if (typeof trigger.name === 'string' && trigger.name !== '') {
        if (names.has(trigger.name)) reporter.report('keda-admission', `${child(child('spec', 'triggers'), t)}.name`, 'names an earlier trigger too: KEDA refuses trigger names that repeat', trigger.name);
        names.add(trigger.name);
      }
      if (trigger.useCachedMetrics === true && ['cpu', 'memory', 'cron'].includes(trigger.type)) reporter.report('keda-admission', `${child(child('spec', 'triggers'), t)}.useCachedMetrics`, `is not supported for the ${trigger.type} scaler: KEDA refuses it`, true);
    });
    if (object.kind !== 'ScaledObject') continue;
    if (nameOf(object).length > MAX_LABEL_VALUE) reporter.report('keda-admission', 'metadata.name', `is ${nameOf(object).length} characters: KEDA labels the HPA with it, so it must be at most ${MAX_LABEL_VALUE}`, nameOf(object));
    const hpaName = typeof spec.advanced?.horizontalPodAutoscalerConfig?.name === 'string' && spec.advanced.horizontalPodAutoscalerConfig.name !== '' ? spec.advanced.horizontalPodAutoscalerConfig.name : `keda-hpa-${nameOf(object)}`;
    if (hpaName.length > MAX_LABEL_VALUE) reporter.report('keda-admission', 'metadata.name', `makes the HPA name "${hpaName}" (${hpaName.length} characters), over ${MAX_LABEL_VALUE}: KEDA refuses it. Shorten the name or set spec.advanced.horizontalPodAutoscalerConfig.name`, nameOf(object));
    const min = typeof spec.minReplicaCount === 'number' ? spec.minReplicaCount : 0;
    const max = typeof spec.maxReplicaCount === 'number' ? spec.maxReplicaCount : 100;
    if (min > max) reporter.report('keda-admission', 'spec.minReplicaCount', `(${min}) must not exceed maxReplicaCount (${max}${spec.maxReplicaCount === undefined ? ', the default' : ''}): KEDA refuses it`, min);
    if (typeof spec.idleReplicaCount === 'number' && spec.idleReplicaCount >= min) reporter.report('keda-admission', 'spec.idleReplicaCount', `must be below minReplicaCount (${min}): KEDA refuses it`, spec.idleReplicaCount);
    const resourceTriggers = triggers.filter((t) => RESOURCE_TRIGGERS.has(t.type));
    if (resourceTriggers.length > 0 && resourceTriggers.length === triggers.length && min === 0) {
      reporter.report('keda-admission', 'spec.minReplicaCount', 'is 0 with only cpu/memory triggers: the HPA cannot scale to zero on resource metrics, and KEDA refuses it. Add an event trigger or set minReplicaCount to 1', min);
    }
    const ref = isObject(spec.scaleTargetRef) ? spec.scaleTargetRef : {};
    const targetKind = typeof ref.kind === 'string' ? ref.kind : 'Deployment';
    const target = items.find((i) => i.object.kind === targetKind && namespaceOf(i.object) === namespace && nameOf(i.object) === ref.name)?.object;
    const pod = target ? podOf(target) : undefined;
    if (pod) {
      for (const trigger of resourceTriggers) {
        const containerName = typeof trigger.metadata?.containerName === 'string' ? trigger.metadata.containerName : undefined;
        for (const container of list(pod.spec.containers)) {
          if (containerName && container.name !== containerName) continue;
          const set = [container.resources?.requests?.[trigger.type], container.resources?.limits?.[trigger.type]].some((v) => v !== undefined && v !== 0 && v !== '0');
          const hasLimitRange = items.some((i) => i.object.kind === 'LimitRange' && namespaceOf(i.object) === namespace);
          if (!set && !hasLimitRange) reporter.report('keda-admission', 'spec.triggers', `has a ${trigger.type} trigger, but container ${String(container.name)} of ${targetKind} ${String(ref.name)} requests no ${trigger.type}: KEDA refuses it (utilization needs a request)`, trigger.type);
        }
      }
    }
    // One autoscaler per workload: KEDA refuses a second ScaledObject, or one on a workload an HPA scales.
    const sameTarget = (o: KubeObject) => namespaceOf(o) === namespace && ((o.spec as Json)?.scaleTargetRef?.kind ?? 'Deployment') === targetKind && (o.spec as Json)?.scaleTargetRef?.name === ref.name;
    const earlier = scaled.slice(0, scaled.findIndex((s) => s.object === object)).find((s) => s.object.kind === 'ScaledObject' && sameTarget(s.object));
    if (earlier) reporter.report('keda-admission', 'spec.scaleTargetRef', `names ${targetKind} ${String(ref.name)}, which ScaledObject ${nameOf(earlier.object)} already scales: KEDA refuses a second one`, ref.name);
    const hpa = items.find((i) => i.object.kind === 'HorizontalPodAutoscaler' && sameTarget(i.object) && nameOf(i.object) !== hpaName);
    if (hpa) reporter.report('keda-admission', 'spec.scaleTargetRef', `names ${targetKind} ${String(ref.name)}, which HorizontalPodAutoscaler ${nameOf(hpa.object)} already scales: KEDA refuses it (two autoscalers would fight over the replica count). Remove the HPA, or name it in spec.advanced.horizontalPodAutoscalerConfig.name to hand it over`, ref.name);
  }
}
