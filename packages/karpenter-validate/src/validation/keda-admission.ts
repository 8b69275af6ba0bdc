import { parseQuantity } from '../quantity';
import { Checked } from './cluster';
import { child, KubeObject, Reporter } from './findings';
import { formulaError } from './keda-formula';
import { isObject, Json, podOf } from './pods';

/**
 * What KEDA's admission webhooks refuse, and the warnings they answer with (kedacore/keda v2.20.2
 * apis/keda/v1alpha1/scaledobject_webhook.go validateWorkload, triggerauthentication_webhook.go
 * validateSpec): a name or HPA name over 63 characters; replica bounds (a minimum of 0 counts as
 * the HPA's 1); no triggers, a trigger name used twice, cached metrics on cpu, memory or cron; a
 * fallback with only resource triggers; a scaling formula expr-lang does not compile against the
 * named triggers, or a target that is not a number above 0; a workload another ScaledObject scales
 * or an HPA of the namespace scales unless it is handed over (the transfer annotation and its name)
 * or opts out; an HPA name another ScaledObject manages; a cpu or memory trigger on a container
 * with no request, limit or LimitRange default for it; scaling to zero on resource triggers alone;
 * pollingInterval and cooldownPeriod that do nothing (warnings); a TriggerAuthentication's pod
 * identity or OAuth2 settings KEDA refuses. Held to KEDA's own webhook by test/oracle-keda.test.ts.
 */

const MAX_LABEL_VALUE = 63;
const RESOURCE_TRIGGERS = new Set(['cpu', 'memory']);
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);
const nameOf = (o: KubeObject) => String(o.metadata?.name ?? '');
const namespaceOf = (o: KubeObject) => String(o.metadata?.namespace ?? 'default');

/** The HPA name KEDA gives a ScaledObject's HPA (scaledobject_webhook.go getHpaName). */
function hpaNameOf(object: KubeObject): string {
  const name = (object.spec as Json)?.advanced?.horizontalPodAutoscalerConfig?.name;
  return typeof name === 'string' && name !== '' ? name : `keda-hpa-${nameOf(object)}`;
}

/** A scale target as KEDA's webhook compares them (ParseGVKR: apiVersion defaults to apps/v1, kind to Deployment). */
export function targetOf(object: KubeObject): { apiVersion: string; kind: string; name: unknown } {
  const ref = isObject((object.spec as Json)?.scaleTargetRef) ? (object.spec as Json).scaleTargetRef : {};
  return { apiVersion: typeof ref.apiVersion === 'string' && ref.apiVersion !== '' ? ref.apiVersion : 'apps/v1', kind: typeof ref.kind === 'string' && ref.kind !== '' ? ref.kind : 'Deployment', name: ref.name };
}

const quantity = (value: unknown): number => {
  try {
    return typeof value === 'string' || typeof value === 'number' ? parseQuantity(value) : 0;
  } catch {
    return 0;
  }
};

/** A LimitRange of the namespace that gives containers a default request or limit for the resource (isContainerResourceLimitSet). */
function limitRangeDefault(items: readonly Checked[], namespace: string, resource: string): boolean {
  return items.some((i) => i.object.kind === 'LimitRange' && namespaceOf(i.object) === namespace && list((i.object.spec as Json)?.limits).some((l) => l.type === 'Container' && (quantity(l.defaultRequest?.[resource]) > 0 || quantity(l.default?.[resource]) > 0) && (l.defaultRequest?.[resource] !== undefined || l.default?.[resource] !== undefined)));
}

/**
 * What KEDA's ScaledObject webhook refuses (apis/keda/v1alpha1/scaledobject_webhook.go v2.20.2
 * validateWorkload), and the warnings it answers with. `earlier` are the ScaledObjects the cluster
 * already holds (those before it in the set).
 */
export function checkScaledObjectAdmission(object: KubeObject, reporter: Reporter, items: readonly Checked[], earlier: readonly KubeObject[]): void {
  const spec = isObject(object.spec) ? object.spec : {};
  const namespace = namespaceOf(object);
  const triggers = list(spec.triggers);
  // verifyName
  if (nameOf(object).length > MAX_LABEL_VALUE) reporter.report('keda-admission', 'metadata.name', `is ${nameOf(object).length} characters: KEDA labels the HPA with it, so it must be at most ${MAX_LABEL_VALUE}`, nameOf(object));
  const hpaName = hpaNameOf(object);
  if (hpaName.length > MAX_LABEL_VALUE) reporter.report('keda-admission', 'metadata.name', `makes the HPA name "${hpaName}" (${hpaName.length} characters), over ${MAX_LABEL_VALUE}: KEDA refuses it. Shorten the name or set spec.advanced.horizontalPodAutoscalerConfig.name`, nameOf(object));
  // verifyReplicaCount (CheckReplicaCountBoundsAreValid): a minimum of 0 is the HPA's 1.
  const setMin = typeof spec.minReplicaCount === 'number' ? spec.minReplicaCount : undefined;
  const min = setMin === undefined ? 0 : Math.max(setMin, 1);
  const max = typeof spec.maxReplicaCount === 'number' ? spec.maxReplicaCount : 100;
  if (min > max) reporter.report('keda-admission', 'spec.minReplicaCount', `(${setMin}) must not exceed maxReplicaCount (${max}${spec.maxReplicaCount === undefined ? ', the default' : ''}): KEDA refuses it`, setMin);
  if (typeof spec.idleReplicaCount === 'number' && spec.idleReplicaCount >= min) reporter.report('keda-admission', 'spec.idleReplicaCount', `must be below minReplicaCount (${min}${setMin === 0 ? ': KEDA counts a minimum of 0 as the HPA\'s 1' : ''}): KEDA refuses it`, spec.idleReplicaCount);
  // verifyTriggers (ValidateTriggers)
  if (triggers.length === 0) reporter.report('keda-admission', 'spec.triggers', 'is empty: KEDA refuses a ScaledObject or ScaledJob without triggers');
  const names = new Set<string>();
  triggers.forEach((trigger, t) => {
    if (trigger.useCachedMetrics === true && ['cpu', 'memory', 'cron'].includes(trigger.type)) reporter.report('keda-admission', `${child(child('spec', 'triggers'), t)}.useCachedMetrics`, `is not supported for the ${trigger.type} scaler: KEDA refuses it`, true);
    if (typeof trigger.name === 'string' && trigger.name !== '') {
      if (names.has(trigger.name)) reporter.report('keda-admission', `${child(child('spec', 'triggers'), t)}.name`, 'names an earlier trigger too: KEDA refuses trigger names that repeat', trigger.name);
      names.add(trigger.name);
    }
  });
  const resourceTriggers = triggers.filter((t) => RESOURCE_TRIGGERS.has(t.type));
  const modifiers = isObject(spec.advanced?.scalingModifiers) && Object.keys(spec.advanced.scalingModifiers).length > 0 ? spec.advanced.scalingModifiers : undefined;
  // verifyFallback (CheckFallbackValid)
  if (isObject(spec.fallback)) {
    if (spec.fallback.failureThreshold < 0 || spec.fallback.replicas < 0) reporter.report('keda-admission', 'spec.fallback', 'failureThreshold and replicas must both be 0 or more: KEDA refuses it');
    else if (!modifiers && resourceTriggers.length === triggers.length) reporter.report('keda-admission', 'spec.fallback', 'needs a trigger other than cpu or memory (an AverageValue metric) to fall back on: KEDA refuses it');
  }
  // verifyScaledObjects: warnings, then the other ScaledObjects of the namespace, then the formula.
  const minReplicas = setMin ?? 0;
  const idleNotZero = spec.idleReplicaCount !== 0;
  if (spec.pollingInterval !== undefined && minReplicas > 0 && idleNotZero && !triggers.some((t) => t.useCachedMetrics === true)) {
    reporter.report('keda-admission', 'spec.pollingInterval', `is not used: KEDA polls at this interval only to scale from zero (minReplicaCount or idleReplicaCount 0) or with useCachedMetrics; the HPA polls otherwise`, spec.pollingInterval, 'warning');
  }
  if (spec.cooldownPeriod !== undefined && minReplicas > 0 && idleNotZero) {
    reporter.report('keda-admission', 'spec.cooldownPeriod', 'is not used: KEDA waits it only before scaling to zero (minReplicaCount or idleReplicaCount 0)', spec.cooldownPeriod, 'warning');
  }
  const target = targetOf(object);
  for (const other of earlier) {
    const theirs = targetOf(other);
    if (theirs.apiVersion === target.apiVersion && theirs.kind === target.kind && theirs.name === target.name) {
      reporter.report('keda-admission', 'spec.scaleTargetRef', `names ${target.kind} ${String(target.name)}, which ScaledObject ${nameOf(other)} already scales: KEDA refuses a second one`, target.name);
      break;
    }
    if (hpaNameOf(other) === hpaName) {
      reporter.report('keda-admission', 'spec.advanced.horizontalPodAutoscalerConfig.name', `names HPA ${hpaName}, which ScaledObject ${nameOf(other)} already manages: KEDA refuses it`, hpaName);
      break;
    }
  }
  if (modifiers) {
    const formula = typeof modifiers.formula === 'string' ? modifiers.formula : '';
    const at = 'spec.advanced.scalingModifiers';
    if (formula === '') reporter.report('keda-admission', at, 'has no formula: KEDA refuses scalingModifiers without one', modifiers);
    else {
      const inputs = new Set(triggers.filter((t) => !RESOURCE_TRIGGERS.has(t.type) && typeof t.name === 'string' && t.name !== '').map((t) => t.name as string));
      const targetValue = typeof modifiers.target === 'string' ? modifiers.target : '';
      const error = targetValue === '' ? undefined : formulaError(formula, inputs);
      if (targetValue === '') reporter.report('keda-admission', `${at}.target`, 'is empty while a formula is given: KEDA refuses it (the formula becomes one metric, compared with the target)', modifiers.target ?? '');
      else if (error) reporter.report('keda-admission', `${at}.formula`, `does not compile against the named triggers other than cpu and memory [${[...inputs].join(', ')}] (expr-lang): ${error}. KEDA refuses it`, formula);
      else if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(targetValue.trim()) || Number(targetValue) <= 0) reporter.report('keda-admission', `${at}.target`, 'must be a number above 0: KEDA refuses it', targetValue);
      // metricType Utilization, which KEDA refuses too, never reaches it: the CRD's enum allows AverageValue and Value only.
    }
  }
  if (spec.fallback?.behavior === 'scalingModifiers' && (!modifiers || (typeof modifiers.formula === 'string' ? modifiers.formula : '') === '')) {
    reporter.report('keda-admission', 'spec.fallback.behavior', 'is scalingModifiers, which needs spec.advanced.scalingModifiers.formula: KEDA refuses it', spec.fallback.behavior);
  }
  // verifyHpas: an HPA of the namespace on the same target, unless it is KEDA's own, opts out, or is handed over.
  const hpa = items.find((i) => {
    if (i.object.kind !== 'HorizontalPodAutoscaler' || namespaceOf(i.object) !== namespace) return false;
    if ((i.object.metadata?.annotations as Record<string, unknown> | undefined)?.['validations.keda.sh/hpa-ownership'] === 'false') return false;
    const theirs = targetOf(i.object);
    if (theirs.apiVersion !== target.apiVersion || theirs.kind !== target.kind || theirs.name !== target.name) return false;
    return !(Array.isArray(i.object.metadata?.ownerReferences) && i.object.metadata.ownerReferences.some((o: Json) => o?.kind === 'ScaledObject' && o?.name === nameOf(object)));
  })?.object;
  if (hpa) {
    const transfer = (object.metadata?.annotations as Record<string, unknown> | undefined)?.['scaledobject.keda.sh/transfer-hpa-ownership'] === 'true';
    const named = spec.advanced?.horizontalPodAutoscalerConfig?.name === nameOf(hpa);
    if (!transfer) reporter.report('keda-admission', 'spec.scaleTargetRef', `names ${target.kind} ${String(target.name)}, which HorizontalPodAutoscaler ${nameOf(hpa)} already scales: KEDA refuses it (two autoscalers would fight over the replica count). Remove the HPA, or hand it over: annotate the ScaledObject scaledobject.keda.sh/transfer-hpa-ownership: "true" and name it in spec.advanced.horizontalPodAutoscalerConfig.name`, target.name);
    else if (!named) reporter.report('keda-admission', 'spec.advanced.horizontalPodAutoscalerConfig.name', `must name HorizontalPodAutoscaler ${nameOf(hpa)} to take it over (transfer-hpa-ownership is "true"): KEDA refuses it otherwise`, spec.advanced?.horizontalPodAutoscalerConfig?.name ?? '');
  }
  // verifyCPUMemoryScalers: the target's containers need a request (or limit, or a LimitRange default) for the resource.
  if (resourceTriggers.length > 0 && target.apiVersion === 'apps/v1' && (target.kind === 'Deployment' || target.kind === 'StatefulSet')) {
    const workload = items.find((i) => i.object.kind === target.kind && namespaceOf(i.object) === namespace && nameOf(i.object) === target.name)?.object;
    const pod = workload ? podOf(workload) : undefined;
    if (pod) {
      for (const trigger of resourceTriggers) {
        const containerName = typeof trigger.metadata?.containerName === 'string' ? trigger.metadata.containerName : '';
        for (const container of list(pod.spec.containers)) {
          if (containerName !== '' && container.name !== containerName) continue;
          const requests = container.resources?.requests?.[trigger.type];
          const limits = container.resources?.limits?.[trigger.type];
          const set = (requests !== undefined || limits !== undefined) && (quantity(requests) > 0 || quantity(limits) > 0);
          if (!set && !limitRangeDefault(items, namespace, trigger.type)) reporter.report('keda-admission', 'spec.triggers', `has a ${trigger.type} trigger, but container ${String(container.name)} of ${target.kind} ${String(target.name)} requests no ${trigger.type}: KEDA refuses it (utilization needs a request)`, trigger.type);
        }
      }
    }
    if (resourceTriggers.length === triggers.length && (setMin === undefined || setMin === 0)) {
      reporter.report('keda-admission', 'spec.minReplicaCount', 'is 0 with only cpu/memory triggers: the HPA cannot scale to zero on resource metrics, and KEDA refuses it. Add an event trigger or set minReplicaCount to 1', setMin ?? 0);
    }
  }
}

/** What KEDA's TriggerAuthentication webhook refuses (triggerauthentication_webhook.go validateSpec). */
export function checkAuthenticationAdmission(object: KubeObject, reporter: Reporter): void {
  const spec = isObject(object.spec) ? object.spec : {};
  const identity = isObject(spec.podIdentity) ? spec.podIdentity : undefined;
  if (identity?.provider === 'azure-workload') {
    if (identity.identityId === '') reporter.report('keda-admission', 'spec.podIdentity.identityId', 'must not be empty when set: KEDA refuses it', '');
    else if (typeof identity.identityAuthorityHost === 'string' && identity.identityAuthorityHost !== '') {
      if (typeof identity.identityTenantId !== 'string' || identity.identityTenantId === '') reporter.report('keda-admission', 'spec.podIdentity.identityTenantId', 'must be set with identityAuthorityHost: KEDA refuses it', identity.identityTenantId ?? '');
    } else if (identity.identityTenantId === '') reporter.report('keda-admission', 'spec.podIdentity.identityTenantId', 'must not be empty when set: KEDA refuses it', '');
    return;
  }
  if (identity?.provider === 'aws') {
    const roleArn = typeof identity.roleArn === 'string' ? identity.roleArn : '';
    if (roleArn !== '' && identity.identityOwner === 'workload') reporter.report('keda-admission', 'spec.podIdentity.roleArn', "can't be set when the workload owns the identity (identityOwner workload): KEDA refuses it", roleArn);
    else if (typeof identity.externalID === 'string' && identity.externalID !== '' && roleArn === '') reporter.report('keda-admission', 'spec.podIdentity.externalID', 'needs roleArn: KEDA refuses it', identity.externalID);
    return;
  }
  if (identity) return;
  if (isObject(spec.oauth2)) {
    const oauth = spec.oauth2;
    const tokenUrl = typeof oauth.tokenUrl === 'string' ? oauth.tokenUrl : '';
    let url: URL | undefined;
    try {
      url = new URL(tokenUrl);
    } catch {
      url = undefined;
    }
    if ((oauth.type ?? 'clientCredentials') !== 'clientCredentials') reporter.report('keda-admission', 'spec.oauth2.type', "must be 'clientCredentials': KEDA refuses it", oauth.type);
    else if (typeof oauth.clientId !== 'string' || oauth.clientId === '') reporter.report('keda-admission', 'spec.oauth2.clientId', 'is required with oauth2: KEDA refuses it', oauth.clientId ?? '');
    else if (tokenUrl === '') reporter.report('keda-admission', 'spec.oauth2.tokenUrl', 'is required with oauth2: KEDA refuses it', tokenUrl);
    else if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.host === '') reporter.report('keda-admission', 'spec.oauth2.tokenUrl', 'must be an http or https URL: KEDA refuses it', tokenUrl);
  }
}
