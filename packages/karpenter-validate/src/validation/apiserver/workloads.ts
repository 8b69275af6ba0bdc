import { goQuantity, isQuantity } from '../../quantity';
import { KubeObject, Reporter } from '../findings';
import { checkAnnotations, checkLabels } from '../metadata';
import { checkSelector, isEmptySelector, LabelSelector, selects } from '../selectors';
import { at, forbidden, invalid, isObject, Json, list, nonNegative, notSupported, obj, required, str } from './common';
import { checkPodSpec } from './pod';

/**
 * The workload kinds (k8s.io/kubernetes v1.35.4 pkg/apis/apps/validation, pkg/apis/batch/validation,
 * and ValidateReplicationController in pkg/apis/core/validation): replicas and rollout settings,
 * the selector and the template it must select, and the pod template itself (ValidatePodSpec).
 */

/** ValidatePositiveIntOrPercent and IsNotMoreThan100Percent. */
function intOrPercent(reporter: Reporter, value: unknown, path: string, rule = 'validation'): void {
  if (value === undefined || value === null) return;
  if (typeof value === 'number') {
    if (value < 0) reporter.report(rule, path, `Invalid value: ${value}: must be greater than or equal to 0`, value);
    return;
  }
  if (typeof value !== 'string') return;
  const percent = /^([0-9]+)%$/.exec(value);
  if (!percent) reporter.report(rule, path, `Invalid value: ${JSON.stringify(value)}: must be an integer or percentage (e.g '5%')`, value);
  else if (Number(percent[1]) > 100) reporter.report(rule, path, `Invalid value: ${JSON.stringify(value)}: must not be greater than 100%`, value);
}

const isZero = (value: unknown) => value === 0 || value === '0%' || value === undefined;

/** The selector and the template: required, not empty, selecting the template's labels. */
function checkSelectorAndTemplate(object: KubeObject, reporter: Reporter, kind: string): void {
  const spec = obj(object.spec);
  const template = spec.template;
  const labels = obj(obj(obj(template).metadata).labels) as Record<string, string>;
  if (kind === 'ReplicationController') {
    // A map selector, defaulted from the template's labels when unset or empty.
    const selector = isObject(spec.selector) && Object.keys(spec.selector).length > 0 ? (spec.selector as Record<string, string>) : labels;
    checkLabels(spec.selector, 'spec.selector', reporter, 'selector');
    if (Object.keys(selector).length === 0) required(reporter, 'spec.selector');
    else if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) reporter.report('selector', 'spec.template.metadata.labels', '`selector` does not match template `labels`', labels);
    return;
  }
  if (spec.selector === undefined || spec.selector === null) {
    required(reporter, 'spec.selector');
    if (isObject(template)) reporter.report('selector', 'spec.template.metadata.labels', '`selector` does not match template `labels`', labels);
    return;
  }
  checkSelector(spec.selector, 'spec.selector', reporter);
  if (isEmptySelector(spec.selector as LabelSelector)) reporter.report('selector', 'spec.selector', `Invalid value: empty selector is invalid for ${kind.toLowerCase()}`);
  else if (isObject(template) && !selects(spec.selector as LabelSelector, labels)) reporter.report('selector', 'spec.template.metadata.labels', '`selector` does not match template `labels`', labels);
}

/** The pod template: required, its labels and annotations, its spec. */
function checkTemplate(template: unknown, path: string, reporter: Reporter, claimNames: readonly string[] = []): void {
  if (!isObject(template)) {
    required(reporter, path);
    return;
  }
  checkLabels(obj(template.metadata).labels, `${path}.metadata.labels`, reporter);
  checkAnnotations(obj(template.metadata).annotations, `${path}.metadata.annotations`, reporter);
  checkPodSpec(template.spec ?? {}, `${path}.spec`, reporter, claimNames);
}

function restartAlways(template: unknown, path: string, reporter: Reporter, kind: string): void {
  const spec = obj(obj(template).spec);
  if (spec.restartPolicy !== undefined && spec.restartPolicy !== 'Always') notSupported(reporter, `${path}.spec.restartPolicy`, spec.restartPolicy, ['Always']);
  if (spec.activeDeadlineSeconds !== undefined) forbidden(reporter, `${path}.spec.activeDeadlineSeconds`, `activeDeadlineSeconds in ${kind} is not Supported`);
}

function deployment(object: KubeObject, reporter: Reporter): void {
  const spec = obj(object.spec);
  nonNegative(reporter, spec.replicas, 'spec.replicas');
  checkSelectorAndTemplate(object, reporter, 'Deployment');
  checkTemplate(spec.template, 'spec.template', reporter);
  restartAlways(spec.template, 'spec.template', reporter, 'Deployment');
  const strategy = obj(spec.strategy);
  const type = strategy.type ?? 'RollingUpdate';
  if (type === 'Recreate' && strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) forbidden(reporter, 'spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'");
  else if (type !== 'Recreate' && type !== 'RollingUpdate') notSupported(reporter, 'spec.strategy', type, ['Recreate', 'RollingUpdate']);
  if (type === 'RollingUpdate' && isObject(strategy.rollingUpdate)) {
    const { maxUnavailable, maxSurge } = strategy.rollingUpdate;
    intOrPercent(reporter, maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable');
    intOrPercent(reporter, maxSurge, 'spec.strategy.rollingUpdate.maxSurge');
    // Both default to 25%; set to zero together, a rollout could never progress.
    if (maxUnavailable !== undefined && maxSurge !== undefined && isZero(maxUnavailable) && isZero(maxSurge)) invalid(reporter, 'spec.strategy.rollingUpdate.maxUnavailable', maxUnavailable, 'may not be 0 when `maxSurge` is 0');
  }
  nonNegative(reporter, spec.minReadySeconds, 'spec.minReadySeconds');
  nonNegative(reporter, spec.revisionHistoryLimit, 'spec.revisionHistoryLimit');
  nonNegative(reporter, spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds');
  const deadline = spec.progressDeadlineSeconds ?? 600;
  if (typeof deadline === 'number' && deadline <= (typeof spec.minReadySeconds === 'number' ? spec.minReadySeconds : 0)) invalid(reporter, 'spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds');
}

function replicaSet(object: KubeObject, reporter: Reporter, kind: 'ReplicaSet' | 'ReplicationController'): void {
  const spec = obj(object.spec);
  nonNegative(reporter, spec.replicas, 'spec.replicas');
  nonNegative(reporter, spec.minReadySeconds, 'spec.minReadySeconds');
  checkSelectorAndTemplate(object, reporter, kind);
  checkTemplate(spec.template, 'spec.template', reporter);
  restartAlways(spec.template, 'spec.template', reporter, kind);
}

function daemonSet(object: KubeObject, reporter: Reporter): void {
  const spec = obj(object.spec);
  checkSelectorAndTemplate(object, reporter, 'DaemonSet');
  checkTemplate(spec.template, 'spec.template', reporter);
  restartAlways(spec.template, 'spec.template', reporter, 'DaemonSet');
  nonNegative(reporter, spec.minReadySeconds, 'spec.minReadySeconds');
  nonNegative(reporter, spec.revisionHistoryLimit, 'spec.revisionHistoryLimit');
  const strategy = obj(spec.updateStrategy);
  const type = strategy.type ?? 'RollingUpdate';
  if (type !== 'RollingUpdate' && type !== 'OnDelete') notSupported(reporter, 'spec.updateStrategy', type, ['OnDelete', 'RollingUpdate']);
  if (type === 'RollingUpdate' && isObject(strategy.rollingUpdate)) {
    const { maxUnavailable, maxSurge } = strategy.rollingUpdate;
    intOrPercent(reporter, maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable');
    intOrPercent(reporter, maxSurge, 'spec.updateStrategy.rollingUpdate.maxSurge');
    if (!isZero(maxUnavailable) && !isZero(maxSurge) && maxSurge !== undefined) invalid(reporter, 'spec.updateStrategy.rollingUpdate.maxSurge', maxSurge, 'may not be set when maxUnavailable is non-zero');
    if (maxUnavailable !== undefined && isZero(maxUnavailable) && isZero(maxSurge)) required(reporter, 'spec.updateStrategy.rollingUpdate.maxUnavailable', 'cannot be 0 when maxSurge is 0');
  }
}

function statefulSet(object: KubeObject, reporter: Reporter): void {
  const spec = obj(object.spec);
  if (spec.podManagementPolicy !== undefined && !['OrderedReady', 'Parallel'].includes(spec.podManagementPolicy)) invalid(reporter, 'spec.podManagementPolicy', spec.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'");
  const strategy = obj(spec.updateStrategy);
  const type = strategy.type ?? 'RollingUpdate';
  if (type !== 'RollingUpdate' && type !== 'OnDelete') invalid(reporter, 'spec.updateStrategy', spec.updateStrategy, "must be 'RollingUpdate' or 'OnDelete'");
  if (type === 'OnDelete' && strategy.rollingUpdate !== undefined) invalid(reporter, 'spec.updateStrategy.rollingUpdate', strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'");
  if (isObject(strategy.rollingUpdate)) nonNegative(reporter, strategy.rollingUpdate.partition, 'spec.updateStrategy.rollingUpdate.partition');
  nonNegative(reporter, spec.replicas, 'spec.replicas');
  nonNegative(reporter, spec.minReadySeconds, 'spec.minReadySeconds');
  if (isObject(spec.ordinals)) nonNegative(reporter, spec.ordinals.start, 'spec.ordinals.start');
  checkSelectorAndTemplate(object, reporter, 'StatefulSet');
  const claims = list(spec.volumeClaimTemplates);
  checkTemplate(spec.template, 'spec.template', reporter, claims.map((c) => obj(obj(c).metadata).name).filter((n): n is string => typeof n === 'string'));
  restartAlways(spec.template, 'spec.template', reporter, 'StatefulSet');
  claims.forEach((claim, index) => {
    const cat = at('spec.volumeClaimTemplates', index);
    const claimSpec = obj(obj(claim).spec);
    // validateVolumeClaimTemplates runs ValidatePersistentVolumeClaimSpec on each.
    if (list(claimSpec.accessModes).length === 0) reporter.report('volume-claim-templates', `${cat}.spec.accessModes`, 'Required value: at least 1 access mode is required');
    const storage = obj(obj(claimSpec.resources).requests).storage;
    if (storage === undefined) reporter.report('volume-claim-templates', `${cat}.spec.resources[storage]`, 'Required value: the claim needs a storage request');
    else if ((typeof storage === 'number' ? storage : goQuantity(String(storage)) ?? 1) <= 0) reporter.report('volume-claim-templates', `${cat}.spec.resources[storage]`, `Invalid value: ${JSON.stringify(storage)}: must be greater than zero`, storage);
  });
}

function job(spec: Json, path: string, reporter: Reporter): void {
  for (const field of ['parallelism', 'completions', 'backoffLimit'] as const) nonNegative(reporter, spec[field], at(path, field));
  nonNegative(reporter, spec.activeDeadlineSeconds, at(path, 'activeDeadlineSeconds'));
  nonNegative(reporter, spec.ttlSecondsAfterFinished, at(path, 'ttlSecondsAfterFinished'));
  if (spec.completionMode !== undefined && !['NonIndexed', 'Indexed'].includes(spec.completionMode)) notSupported(reporter, at(path, 'completionMode'), spec.completionMode, ['NonIndexed', 'Indexed']);
  if (spec.selector !== undefined && spec.manualSelector !== true) {
    // A Job's selector is generated unless manualSelector; one given is checked against the template then.
  }
  const template = spec.template;
  checkTemplate(template, at(path, 'template'), reporter);
  const podSpec = obj(obj(template).spec);
  // A Job's pods run to completion: the default restartPolicy (Always) is refused.
  if (isObject(template) && podSpec.restartPolicy !== 'OnFailure' && podSpec.restartPolicy !== 'Never') {
    reporter.report('schema', `${path}.template.spec.restartPolicy`, `Required value: valid values: "OnFailure", "Never"${podSpec.restartPolicy !== undefined ? ` (not ${JSON.stringify(podSpec.restartPolicy)})` : ''}`, podSpec.restartPolicy);
  }
}

function cronJob(object: KubeObject, reporter: Reporter): void {
  const spec = obj(object.spec);
  const name = str(object.metadata?.name);
  // The Jobs it creates are named <name>-<11 digits>, and must be DNS labels.
  if (name.length > 52) invalid(reporter, 'metadata.name', name, 'must be no more than 52 characters');
  if (str(spec.schedule) === '') required(reporter, 'spec.schedule');
  if (spec.concurrencyPolicy !== undefined && !['Allow', 'Forbid', 'Replace'].includes(spec.concurrencyPolicy)) notSupported(reporter, 'spec.concurrencyPolicy', spec.concurrencyPolicy, ['Allow', 'Forbid', 'Replace']);
  nonNegative(reporter, spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds');
  nonNegative(reporter, spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit');
  nonNegative(reporter, spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit');
  job(obj(obj(spec.jobTemplate).spec), 'spec.jobTemplate.spec', reporter);
}

/** The workload kinds' own rules; false for other kinds. */
export function checkWorkload(object: KubeObject, reporter: Reporter): boolean {
  switch (object.kind) {
    case 'Deployment':
      deployment(object, reporter);
      return true;
    case 'ReplicaSet':
    case 'ReplicationController':
      replicaSet(object, reporter, object.kind);
      return true;
    case 'DaemonSet':
      daemonSet(object, reporter);
      return true;
    case 'StatefulSet':
      statefulSet(object, reporter);
      return true;
    case 'Job':
      // The controller labels its pods job-name=<name>: a label value, at most 63 characters.
      if (str(object.metadata?.name).length > 63) invalid(reporter, 'spec.template.labels', object.metadata?.name, 'must be no more than 63 bytes');
      job(obj(object.spec), 'spec', reporter);
      return true;
    case 'CronJob':
      cronJob(object, reporter);
      return true;
    case 'Pod':
      checkLabels(object.metadata?.labels, 'metadata.labels', reporter);
      checkPodSpec(object.spec ?? {}, 'spec', reporter);
      return true;
    case 'PodTemplate':
      checkTemplate(object.template, 'template', reporter);
      return true;
    default:
      return false;
  }
}

export { isQuantity };
