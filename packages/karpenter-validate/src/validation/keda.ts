import { editDistance, nearest } from '../edit-distance';
import SCALERS_JSON from './keda-scalers.json';
import { Checked } from './cluster';
import { child, KubeObject, Reporter } from './findings';
import { checkAuthenticationAdmission, checkScaledObjectAdmission, targetOf } from './keda-admission';
import { hasTypedModel, typedVerdict, UNKNOWN } from './keda-typed';
import { isObject, Json, podOf } from './pods';

/**
 * KEDA's ScaledObjects, ScaledJobs and TriggerAuthentications as KEDA would treat them.
 *
 * `keda-admission`: what KEDA's admission webhooks refuse (src/validation/keda-admission.ts).
 *
 * `keda-trigger`: trigger metadata against the scaler's parameters: an unknown type, an unknown
 * parameter (KEDA ignores it, so a typo silently becomes the default), a required one missing or
 * a malformed value (the scaler fails to build and the ScaledObject never turns Ready), a
 * deprecated parameter. The scalers modelled in keda-typed.ts (redis, redis-sentinel,
 * redis-cluster, prometheus, cpu, memory, cron) are read as KEDA's typed config reads them, with
 * the TriggerAuthentication's parameters and the target's environment resolved from the set; the
 * others against KEDA's generated schema (src/validation/keda-scalers.json).
 *
 * Both are held to KEDA v2.20.2's own webhook and scaler builders on a seeded corpus
 * (oracle/keda, test/oracle-keda.test.ts, verdicts recorded in test/oracle/keda/).
 */

interface Parameter {
  readonly optional?: boolean;
  readonly default?: string;
  readonly allowed?: readonly string[];
  readonly from: readonly string[];
  /** KEDA reads it and announces its deprecation. */
  readonly deprecated?: string;
  /** KEDA refuses the trigger when it is set. */
  readonly removed?: string;
}

const SCALERS: ReadonlyMap<string, Readonly<Record<string, Parameter>>> = new Map(Object.entries(SCALERS_JSON.scalers as Record<string, Record<string, Parameter>>));
export const KEDA_VERSION: string = SCALERS_JSON.kedaVersion;

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

/** The TriggerAuthentication (or ClusterTriggerAuthentication) a trigger names, when the set holds it. */
function authenticationOf(items: readonly Checked[], namespace: string, ref: unknown): { found: Json | undefined; named: boolean } {
  if (!isObject(ref) || typeof ref.name !== 'string' || ref.name === '') return { found: undefined, named: false };
  const kind = ref.kind === 'ClusterTriggerAuthentication' ? 'ClusterTriggerAuthentication' : 'TriggerAuthentication';
  const found = items.find((i) => i.object.kind === kind && nameOf(i.object) === ref.name && (kind === 'ClusterTriggerAuthentication' || namespaceOf(i.object) === namespace))?.object;
  return { found: found as Json | undefined, named: true };
}

/** The parameters a TriggerAuthentication supplies, by name. */
function authParameterNames(auth: Json): Set<string> {
  const spec = isObject(auth.spec) ? auth.spec : {};
  const params = new Set<string>();
  for (const field of ['secretTargetRef', 'env', 'configMapTargetRef']) for (const r of list(spec[field])) if (typeof r.parameter === 'string') params.add(r.parameter);
  return params;
}

const decode = (value: unknown): string | undefined => (typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : undefined);

/** A key of a Secret or ConfigMap of the set: its value, "" when the object lacks the key, UNKNOWN when the set lacks the object. */
function keyOf(items: readonly Checked[], kind: 'Secret' | 'ConfigMap', namespace: string, name: unknown, key: unknown): string {
  const object = items.find((i) => i.object.kind === kind && namespaceOf(i.object) === namespace && nameOf(i.object) === name)?.object as Json | undefined;
  if (!object) return UNKNOWN;
  if (kind === 'ConfigMap') return typeof object.data?.[String(key)] === 'string' ? object.data[String(key)] : '';
  // The API server merges stringData into data on write.
  if (isObject(object.stringData) && typeof object.stringData[String(key)] === 'string') return object.stringData[String(key)];
  return decode(object.data?.[String(key)]) ?? '';
}

/**
 * A container's environment as KEDA resolves it (pkg/scaling/resolver/scale_resolvers.go
 * resolveEnv): envFrom, then env values and Secret or ConfigMap keys; a name it cannot tell is
 * UNKNOWN. Without the pod (a target outside the set), every name is UNKNOWN.
 */
function environmentOf(items: readonly Checked[], namespace: string, pod: Json | undefined, containerName: unknown): (name: string) => string | undefined {
  if (!pod) return () => UNKNOWN;
  const containers = list(pod.containers);
  const container = typeof containerName === 'string' && containerName !== '' ? containers.find((c) => c.name === containerName) : containers[0];
  if (!container) return () => undefined;
  const env = new Map<string, string>();
  let open = false;
  for (const source of list(container.envFrom)) {
    const prefix = typeof source.prefix === 'string' ? source.prefix : '';
    const ref = isObject(source.secretRef) ? source.secretRef : isObject(source.configMapRef) ? source.configMapRef : undefined;
    const object = ref ? items.find((i) => i.object.kind === (source.secretRef ? 'Secret' : 'ConfigMap') && namespaceOf(i.object) === namespace && nameOf(i.object) === ref.name)?.object as Json | undefined : undefined;
    if (!object) {
      open = true;
      continue;
    }
    for (const key of Object.keys({ ...(isObject(object.data) ? object.data : {}), ...(isObject(object.stringData) ? object.stringData : {}) })) env.set(prefix + key, keyOf(items, source.secretRef ? 'Secret' : 'ConfigMap', namespace, ref!.name, key));
  }
  for (const variable of list(container.env)) {
    if (typeof variable.name !== 'string') continue;
    if (typeof variable.value === 'string' && variable.value !== '') env.set(variable.name, variable.value);
    else if (isObject(variable.valueFrom?.secretKeyRef)) env.set(variable.name, keyOf(items, 'Secret', namespace, variable.valueFrom.secretKeyRef.name, variable.valueFrom.secretKeyRef.key));
    else if (isObject(variable.valueFrom?.configMapKeyRef)) env.set(variable.name, keyOf(items, 'ConfigMap', namespace, variable.valueFrom.configMapKeyRef.name, variable.valueFrom.configMapKeyRef.key));
    else if (variable.valueFrom === undefined) env.set(variable.name, '');
  }
  return (name) => env.get(name) ?? (open ? UNKNOWN : undefined);
}

/** A TriggerAuthentication's parameters as KEDA resolves them (resolveAuthRef); all UNKNOWN when the set does not hold it. */
function authenticationParameters(items: readonly Checked[], namespace: string, ref: unknown, pod: Json | undefined): (parameter: string) => string | undefined {
  const { found, named } = authenticationOf(items, namespace, ref);
  if (!named) return () => undefined;
  if (!found) return () => UNKNOWN;
  const spec = isObject(found.spec) ? found.spec : {};
  const params = new Map<string, string>();
  // A ClusterTriggerAuthentication reads its Secrets in KEDA's namespace, which the set cannot tell.
  const home = found.kind === 'ClusterTriggerAuthentication' ? undefined : namespace;
  for (const e of list(spec.env)) if (typeof e.parameter === 'string') params.set(e.parameter, environmentOf(items, namespace, pod, e.containerName)(String(e.name)) ?? '');
  for (const e of list(spec.configMapTargetRef)) if (typeof e.parameter === 'string') params.set(e.parameter, home ? keyOf(items, 'ConfigMap', home, e.name, e.key) : UNKNOWN);
  for (const e of list(spec.secretTargetRef)) if (typeof e.parameter === 'string') params.set(e.parameter, home ? keyOf(items, 'Secret', home, e.name, e.key) : UNKNOWN);
  const open = ['hashiCorpVault', 'azureKeyVault', 'awsSecretManager', 'gcpSecretManager'].some((f) => isObject(spec[f]));
  return (parameter) => params.get(parameter) ?? (open ? UNKNOWN : undefined);
}

/** What a trigger's scaler does with a metadata key the trigger sets but the scaler does not read. */
function ignoredMessage(type: string, key: string, names: readonly string[], authOnly: boolean): string {
  if (authOnly) return `is read by the ${type} scaler only from a TriggerAuthentication, not from metadata: KEDA ignores it here`;
  return `is not a parameter of the ${type} scaler${closest(key, names)}: KEDA ignores it, so what it meant to set keeps its default`;
}

/** A trigger of a modelled scaler, read as KEDA's typed config reads it (keda-typed.ts). */
function checkTypedTrigger(trigger: Json, at: string, reporter: Reporter, inputs: Parameters<typeof typedVerdict>[0], known: Readonly<Record<string, Parameter>> | undefined): void {
  const type = inputs.type;
  const verdict = typedVerdict(inputs);
  const metadataAt = child(at, 'metadata');
  const names = known ? Object.keys(known) : [];
  for (const key of verdict.unmatched) {
    const authOnly = known?.[key] !== undefined && !known[key]!.from.includes('metadata') && known[key]!.from.includes('auth');
    reporter.report('keda-trigger', `${metadataAt}.${key}`, ignoredMessage(type, key, names, authOnly), key);
  }
  for (const key of verdict.envIgnored) {
    const base = key.slice(0, -'FromEnv'.length);
    reporter.report('keda-trigger', `${metadataAt}.${key}`, `is not read: the ${type} scaler reads ${base} only from metadata${known?.[base]?.from.includes('auth') ? ' or a TriggerAuthentication' : ''}, never from the environment, so KEDA ignores the variable`, key, 'warning');
  }
  for (const { key, note } of verdict.announced) reporter.report('keda-trigger', `${metadataAt}.${key}`, `is deprecated: ${note}`, key, 'warning');
  if (verdict.error) {
    const { message, key } = verdict.error;
    const path = key !== undefined && Object.hasOwn(inputs.metadata, key) ? `${metadataAt}.${key}` : key === undefined && /metricType/.test(message) && trigger.metricType !== undefined ? child(at, 'metricType') : metadataAt;
    const value = key !== undefined && Object.hasOwn(inputs.metadata, key) ? inputs.metadata[key] : path.endsWith('metricType') ? trigger.metricType : type;
    reporter.report('keda-trigger', path, `${message}: the scaler fails to build and the ScaledObject never turns Ready`, value);
  }
}

function checkTrigger(trigger: Json, at: string, reporter: Reporter, context: { items: readonly Checked[]; namespace: string; pod: Json | undefined; envContainer: unknown }): void {
  const type = trigger.type;
  if (typeof type !== 'string') return;
  const parameters = SCALERS.get(type);
  if (!parameters) {
    reporter.report('keda-trigger', child(at, 'type'), `is not a scaler of KEDA ${KEDA_VERSION}${closest(type, [...SCALERS.keys()])}: the ScaledObject never turns Ready`, type);
    return;
  }
  const metadata: Record<string, unknown> = isObject(trigger.metadata) ? trigger.metadata : {};
  const auth = authenticationOf(context.items, context.namespace, trigger.authenticationRef);
  if (hasTypedModel(type)) {
    const strings = Object.fromEntries(Object.entries(metadata).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    checkTypedTrigger(trigger, at, reporter, {
      type,
      metadata: strings,
      auth: authenticationParameters(context.items, context.namespace, trigger.authenticationRef, context.pod),
      env: environmentOf(context.items, context.namespace, context.pod, context.envContainer),
      ...(typeof trigger.metricType === 'string' ? { metricType: trigger.metricType } : {}),
    }, parameters);
  } else {
    checkSchemaTrigger(type, metadata, at, reporter, parameters);
  }
  if (auth.found) {
    const names = Object.keys(parameters);
    for (const parameter of authParameterNames(auth.found)) {
      const known = parameters[parameter];
      if (!known || !known.from.includes('auth')) reporter.report('keda-trigger', child(at, 'authenticationRef'), `TriggerAuthentication ${String(trigger.authenticationRef?.name)} supplies "${parameter}", which the ${type} scaler does not read from an authentication${closest(parameter, names.filter((n) => parameters[n]!.from.includes('auth')))}: it is ignored`, parameter, 'warning');
    }
  }
}

/** A trigger of a scaler not modelled in keda-typed.ts, against KEDA's generated schema of its parameters. */
function checkSchemaTrigger(type: string, metadata: Record<string, unknown>, at: string, reporter: Reporter, parameters: Readonly<Record<string, Parameter>>): void {
  const names = Object.keys(parameters);
  for (const [key, value] of Object.entries(metadata)) {
    const fromEnv = key.endsWith('FromEnv') ? key.slice(0, -'FromEnv'.length) : undefined;
    const parameter = parameters[key] ?? (fromEnv !== undefined ? parameters[fromEnv] : undefined);
    const path = `${child(at, 'metadata')}.${key}`;
    if (!parameter || (fromEnv !== undefined && !parameters[key] && !parameter.from.includes('env'))) {
      reporter.report('keda-trigger', path, ignoredMessage(type, key, names, false), key);
      continue;
    }
    if (fromEnv === undefined && !parameter.from.includes('metadata')) {
      reporter.report('keda-trigger', path, `is read by the ${type} scaler only from ${parameter.from.map((f) => (f === 'auth' ? 'a TriggerAuthentication' : `${key}FromEnv`)).join(' or ')}, not from metadata: KEDA ignores it here`, key);
      continue;
    }
    if (parameter.removed) {
      reporter.report('keda-trigger', path, `is refused by the ${type} scaler, which no longer reads it (${parameter.removed.replace(/\.$/, '')}): the scaler fails to build and the ScaledObject never turns Ready`, key);
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
  // environment variable may give is not checked here).
  for (const [name, parameter] of Object.entries(parameters)) {
    if (parameter.optional || name in metadata || `${name}FromEnv` in metadata) continue;
    const onlyMetadata = parameter.from.length === 1 && parameter.from[0] === 'metadata';
    if (onlyMetadata) reporter.report('keda-trigger', child(at, 'metadata'), `has no ${name}, which the ${type} scaler requires: the scaler fails to build and the ScaledObject never turns Ready`, type);
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

/** Checks the ScaledObjects, ScaledJobs and TriggerAuthentications of the set, with the workloads and autoscalers around them. */
export function checkKeda(items: readonly Checked[]): void {
  checkHpaConflicts(items);
  for (const { object, reporter } of items) {
    if ((object.kind === 'TriggerAuthentication' || object.kind === 'ClusterTriggerAuthentication') && String(object.apiVersion).startsWith('keda.sh/')) checkAuthenticationAdmission(object, reporter);
  }
  const scaled = items.filter((i) => (i.object.kind === 'ScaledObject' || i.object.kind === 'ScaledJob') && String(i.object.apiVersion).startsWith('keda.sh/'));
  scaled.forEach(({ object, reporter }, index) => {
    const spec = isObject(object.spec) ? object.spec : {};
    const namespace = namespaceOf(object);
    const target = object.kind === 'ScaledObject' ? targetOf(object) : undefined;
    const workload = target ? items.find((i) => i.object.kind === target.kind && namespaceOf(i.object) === namespace && nameOf(i.object) === target.name)?.object : undefined;
    const pod = object.kind === 'ScaledJob' ? (isObject(spec.jobTargetRef?.template?.spec) ? spec.jobTargetRef.template.spec : undefined) : workload ? podOf(workload)?.spec : undefined;
    const context = { items, namespace, pod, envContainer: object.kind === 'ScaledJob' ? spec.envSourceContainerName : spec.scaleTargetRef?.envSourceContainerName };
    list(spec.triggers).forEach((trigger, t) => checkTrigger(trigger, child(child('spec', 'triggers'), t), reporter, context));
    if (object.kind !== 'ScaledObject') {
      if (list(spec.triggers).length === 0) reporter.report('keda-admission', 'spec.triggers', 'is empty: KEDA refuses a ScaledObject or ScaledJob without triggers');
      return;
    }
    const earlier = scaled.slice(0, index).filter((s) => s.object.kind === 'ScaledObject' && namespaceOf(s.object) === namespace).map((s) => s.object);
    checkScaledObjectAdmission(object, reporter, items, earlier);
  });
}
