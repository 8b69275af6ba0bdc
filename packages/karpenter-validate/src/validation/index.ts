import { checkCluster, Checked } from './cluster';
import { validateBuiltin } from './builtin';
import { builtinKind, isBuiltinGroup, kindSchema, KUBERNETES_MINOR, servedVersions } from './openapi';
import { nearest } from '../edit-distance';
import { customKinds, preloadKind, validateCustomResource, validateCustomResourceUpdate } from './crd';
import { activeKarpenterRelease, DEFAULT_KARPENTER_RELEASE, karpenterReleaseProblem, KarpenterRelease, withKarpenterRelease } from '../karpenter-release';
import { Finding, Input, KubeObject, refOf, Reporter } from './findings';
import type { ReadDifference } from './kubectl-yaml';
import { checkArgoCd, checkServerSideDiff } from './argocd';
import { embeddedPods } from './embedded';
import { checkPodSecurity } from './pod-security';
import { checkReferences } from './references';
import { checkSyncOrder } from './sync-order';
import { checkDisruptionWindows } from './disruption-windows';
import { checkLiveness } from './liveness';
import { checkAirflowParallelism } from './airflow-executor';
import { checkCoreUpdate } from './updates';
import { checkKeda } from './keda';
import { checkMonitoringSet } from './monitoring';
import { removedApi } from './removed-apis';
import { own } from './pods';
import { checkMetadata } from './metadata';
import { checkPolicy } from './policy';
import { checkKubelet } from './kubelet';
import { checkPlaceholders } from './placeholders';
import { checkNetwork } from './network';
import { checkPrivilegedIsolation } from './privileged-isolation';
import { checkServerRules } from './apiserver';
import { applyWaivers, waiversOf } from './waivers';

export interface ValidateOptions {
  /**
   * The set is everything that will exist (synth): a reference to an object outside it is an
   * error. Otherwise (the CLI) it is a warning, since the object may live in the cluster.
   * @default false
   */
  readonly complete?: boolean;
  /**
   * The objects as they are now (the previous render): each object of the set with the same
   * identity is checked as an update of it (immutable fields, CRD transition rules). @default none
   */
  readonly previous?: readonly KubeObject[];
  /** Only what the API server itself enforces: schema, CEL and its own rules. @default false */
  readonly admissionOnly?: boolean;
  /** Production rules apply (no `@latest` AMI). @default false */
  readonly production?: boolean;
  /**
   * Objects outside the set that are known to exist (declared prerequisites): references to
   * them are not reported. @default none
   */
  readonly prerequisites?: readonly { readonly kind: string; readonly name: string; readonly namespace?: string }[];
  /**
   * The Pod Security level assumed for namespaces the set does not define (the CLI's
   * --pod-security). @default none: pods in such namespaces are not checked against a level
   */
  readonly podSecurityDefault?: 'privileged' | 'baseline' | 'restricted';
  /**
   * Documentation placeholder values the caller already lists with where to set them (synth:
   * those of config/, in REPORT.md): `placeholder-value` does not report them again; any other
   * placeholder still is. @default none
   */
  readonly listedPlaceholders?: readonly string[];
  /**
   * The Karpenter release the cluster runs (`1.14.1`, `1.15.0`): Karpenter's objects are admitted
   * by its CRDs, pools placed on its instance catalog, alert and dashboard queries checked
   * against its metrics, and, from 1.15.0, whose API server no longer checks an EC2NodeClass's
   * kubelet, that kubelet checked as its controller checks it (`kubelet-config`).
   * @default 1.14.1, the oldest release the validator knows: its API server refuses what 1.15.0's does, and more
   */
  readonly karpenterVersion?: string;
}

export interface ValidationResult {
  /** What stands, grouped by object in input order. */
  readonly findings: readonly Finding[];
  /** Policy findings covered by a waiver, with the object's reason. */
  readonly waived: readonly (Finding & { readonly reason: string })[];
  readonly errors: number;
  readonly warnings: number;
}

// What names an object in a cluster: its group, kind, namespace (if namespaced) and name.
function identity(object: KubeObject): string {
  const group = String(object.apiVersion).includes('/') ? String(object.apiVersion).split('/')[0] : '';
  const namespace = scopeOf(object) === 'Cluster' ? '' : String(object.metadata?.namespace ?? 'default');
  return `${group}/${String(object.kind)}/${namespace}/${String(object.metadata?.name)}`;
}

function scopeOf(object: KubeObject): 'Cluster' | 'Namespaced' | undefined {
  const custom = customKinds().get(`${String(object.apiVersion)}/${String(object.kind)}`);
  if (custom) return custom.scope;
  return builtinKind(`${String(object.apiVersion)}/${String(object.kind)}`)?.scope;
}

// Kinds of Karpenter's alpha APIs and the v1 kinds that replaced them.
const KARPENTER_PREDECESSORS: Readonly<Record<string, string>> = { Provisioner: 'NodePool', AWSNodeTemplate: 'EC2NodeClass' };

/**
 * Runs a check of one object; if the validator itself fails on it (a bug), the object is reported
 * as not checked rather than passed, and the rest of the set is still validated.
 */
function guarded<T>(reporter: Reporter, fallback: T, check: () => T): T {
  try {
    return check();
  } catch (error) {
    reporter.report('validator', '', `could not be checked: the validator failed on it (${(error as Error).message ?? String(error)}); this is a bug in the validator, please report it`);
    return fallback;
  }
}

// What the API server checks on create; returns the object as it would be stored.
function admit(object: KubeObject, reporter: Reporter): KubeObject {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    reporter.report('schema', typeof apiVersion !== 'string' ? 'apiVersion' : 'kind', 'Required value: every object needs apiVersion and kind', undefined);
    return object;
  }
  checkMetadata(object, '', reporter, { nameRequired: true, kind });
  const key = `${apiVersion}/${kind}`;
  const custom = customKinds().get(key);
  if (custom) return validateCustomResource(object, custom, reporter);
  const replacement = own(KARPENTER_PREDECESSORS, kind) ?? kind;
  const served = [...customKinds().values()].find((k) => k.kind === replacement && k.apiVersion.split('/')[0] === apiVersion.split('/')[0]);
  if (served) {
    // The documents' v1alpha5 and v1beta1 objects: Karpenter 1.14.1 serves v1 only.
    reporter.report('schema', 'apiVersion', `${kind} ${apiVersion} is not served by Karpenter ${activeKarpenterRelease()}: use ${served.apiVersion} ${served.kind} (see Karpenter's v1 migration guide)`, apiVersion);
    return object;
  }
  const removed = removedApi(apiVersion, kind);
  if (removed) {
    reporter.report('removed-api', 'apiVersion', removed, apiVersion);
    return object;
  }
  const builtin = builtinKind(key);
  if (!builtin) {
    const unserved = unservedKind(apiVersion, kind);
    if (unserved) reporter.report('unserved-kind', unserved.path, unserved.message, unserved.path === 'kind' ? kind : apiVersion);
    else reporter.report('unknown-kind', '', `no schema is known for ${key} (no CRD of its group is pinned here): only its metadata was checked`);
    return object;
  }
  const stored = validateBuiltin(builtin, object, reporter);
  if (!stored) return object;
  checkServerRules(stored, reporter);
  return stored;
}

/**
 * Why the API server refuses a kind it does not serve, in a group only it (or a pinned CRD)
 * defines: kubectl reports "no matches for kind ... in version ..." and applies nothing. Other
 * groups may come from a CRD we do not know, and are only warned about.
 */
function unservedKind(apiVersion: string, kind: string): { path: string; message: string } | undefined {
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
  const custom = [...customKinds().values()].filter((k) => k.apiVersion.split('/')[0] === group);
  const versions = custom.length > 0 ? new Map<string, string[]>(custom.map((k) => [k.apiVersion.split('/')[1]!, custom.filter((c) => c.apiVersion === k.apiVersion).map((c) => c.kind)])) : isBuiltinGroup(group) ? servedVersions(group) : undefined;
  if (!versions) return undefined;
  const who = custom.length > 0 ? `the pinned CRDs of ${group}` : `Kubernetes ${KUBERNETES_MINOR}`;
  const kinds = versions.get(version);
  if (!kinds) {
    const known = [...versions.keys()].map((v) => (group ? `${group}/${v}` : v));
    return { path: 'apiVersion', message: `${apiVersion} is not served by ${who}${known.length > 0 ? `: ${group === '' ? 'the core group' : group} is served at ${known.join(', ')}` : ''}; kubectl finds no kind ${kind} in it and applies nothing` };
  }
  const byCase = kinds.find((k) => k.toLowerCase() === kind.toLowerCase());
  const close = nearest(kind, kinds);
  const near = byCase ?? (close && close.distance <= 3 ? close.candidate : undefined);
  return { path: 'kind', message: `${apiVersion} has no kind ${JSON.stringify(kind)}${near ? `: did you mean ${near}? (kinds are case-sensitive)` : ` (it serves ${kinds.join(', ')})`}; kubectl finds no match and applies nothing` };
}


/**
 * Loads and compiles everything validation needs ahead of the first object: the CRD
 * validators, every CEL program, and the Kubernetes models of the kinds synth emits.
 */
export function preload(release: KarpenterRelease = DEFAULT_KARPENTER_RELEASE): void {
  // The custom kinds of the environments; Argo CD's are loaded only when an object needs them (the
  // shared set, validated last: preloading them delays the first environment, measured).
  for (const kind of customKinds(release).values()) if (!kind.apiVersion.startsWith('argoproj.io/')) preloadKind(kind);
  for (const key of ['v1/Namespace', 'v1/ServiceAccount', 'v1/Service', 'v1/ConfigMap', 'v1/PersistentVolumeClaim', 'v1/PersistentVolume', 'apps/v1/Deployment', 'apps/v1/StatefulSet', 'autoscaling/v2/HorizontalPodAutoscaler', 'policy/v1/PodDisruptionBudget', 'storage.k8s.io/v1/StorageClass']) {
    const kind = builtinKind(key);
    if (kind) kindSchema(kind);
  }
}

const shown = (v: unknown) => (v === undefined ? 'another key' : JSON.stringify(v) ?? String(v));

/** A plain scalar that kubectl and YAML 1.2 readers take for different values (rule yaml-1.1). */
function reportReadDifference(reporter: Reporter, d: ReadDifference): void {
  const message = d.kubectl === undefined
    ? `the key ${shown(d.yaml12)} is read by kubectl and Argo CD (YAML 1.1, go-yaml v2) as another key (yes, on, y are booleans to them): quote it`
    : `this plain scalar is read by kubectl and Argo CD (YAML 1.1, go-yaml v2) as ${shown(d.kubectl)}, by a YAML 1.2 reader as ${shown(d.yaml12)}: quote it to mean the string, or write the value you mean`;
  reporter.report('yaml-1.1', d.path, message, d.kubectl);
}

/** Each object against its previous version, as the API server judges an update. */
function checkUpdates(items: readonly Checked[], previous: readonly KubeObject[], guarded: <T>(reporter: Reporter, fallback: T, check: () => T) => T): void {
  const before = new Map<string, KubeObject>();
  for (const old of previous) {
    // Stored as the API server stored it (defaults applied): what the update is compared with.
    const scratch = new Reporter({ kind: String(old.kind), name: String(old.metadata?.name ?? '') });
    const stored = guarded(scratch, old, () => admit(old, scratch));
    if (!scratch.findings.some((f) => f.severity === 'error')) before.set(identity(old), stored);
  }
  for (const { object, reporter } of items) {
    const old = before.get(identity(object));
    if (!old) continue;
    guarded(reporter, undefined, () => {
      const custom = customKinds().get(`${String(object.apiVersion)}/${String(object.kind)}`);
      if (custom) validateCustomResourceUpdate(object, old, custom, reporter);
      else checkCoreUpdate(object, old, reporter);
    });
  }
}

/**
 * Validates a set of objects as the API server, Karpenter and the scheduler would treat them,
 * then against our policy. Never throws for anything in the objects.
 */
export function validate(inputs: readonly Input[], options: ValidateOptions = {}): ValidationResult {
  const problem = karpenterReleaseProblem('karpenterVersion', options.karpenterVersion);
  if (problem) throw new Error(problem);
  return withKarpenterRelease((options.karpenterVersion as KarpenterRelease | undefined) ?? DEFAULT_KARPENTER_RELEASE, () => validateSet(inputs, options));
}

function validateSet(inputs: readonly Input[], options: ValidateOptions): ValidationResult {
  const checked: (Checked & { input: Input })[] = inputs.flatMap((input) => {
    const reporter = new Reporter(refOf(input));
    for (const d of input.readDifferences ?? []) reportReadDifference(reporter, d);
    const object = guarded(reporter, input.object, () => admit(input.object, reporter));
    // Pods an object carries (JCasC pod templates) are checked as pods, reported on their carrier.
    const embedded = guarded(reporter, [], () => embeddedPods(input)).map((pod) => {
      // Findings of its own (and so waivers of its own), filed on the carrier.
      const within = new Reporter(refOf(input)).within(pod.at);
      return { input: { object: pod.object, ...(input.source !== undefined ? { source: input.source } : {}) }, object: guarded(within, pod.object, () => admit(pod.object, within)), reporter: within, embedded: true };
    });
    return [{ input, object, reporter }, ...embedded];
  });
  const findings: Finding[] = [];
  const waived: (Finding & { reason: string })[] = [];
  // A cluster holds one object per identity: a second definition (another cluster's files,
  // or a name used twice) would replace the first, so only the first takes part below.
  const first = new Map<string, Checked & { input: Input }>();
  const unique: (Checked & { input: Input })[] = [];
  for (const item of checked) {
    const key = identity(item.object);
    const earlier = first.get(key);
    if (earlier) {
      if (!options.admissionOnly) item.reporter.report('duplicate-object', 'metadata.name', `is defined twice in the set (first at ${earlier.input.source ?? `object ${checked.indexOf(earlier) + 1}`}): a cluster holds one, so the later definition replaces the earlier. Validate one cluster's objects at a time`);
    } else {
      first.set(key, item);
      unique.push(item);
    }
  }
  // The API server would refuse these: later rules would only guess at what they mean.
  const admitted = unique.filter((c) => !c.reporter.findings.some((f) => f.severity === 'error'));
  // Admission too: an update the API server refuses, and the pods Pod Security admission refuses.
  // On every object, refused or not: the API server reports an update's immutable fields with its other errors.
  if (options.previous) checkUpdates(unique.filter((c) => !c.embedded), options.previous, guarded);
  checkPodSecurity(admitted, options.podSecurityDefault);
  if (!options.admissionOnly) {
    checkCluster(admitted, { complete: options.complete ?? false, refused: unique.filter((c) => !admitted.includes(c)).map((c) => c.object), guard: guarded });
    checkArgoCd(admitted, options.complete ?? false);
    checkSyncOrder(admitted, options.complete ?? false);
    checkDisruptionWindows(admitted.filter((i) => !i.embedded));
    checkKeda(admitted.filter((i) => !i.embedded));
    // The labels a query may name follow the ServiceMonitor that scrapes Karpenter, when the set holds it.
    checkMonitoringSet(admitted.filter((i) => !i.embedded), guarded);
    checkNetwork(admitted, { complete: options.complete ?? false, production: options.production ?? false });
    checkPrivilegedIsolation(admitted);
    checkReferences(admitted, unique.filter((c) => !admitted.includes(c)).map((c) => c.object), {
      complete: options.complete ?? false,
      prerequisites: options.prerequisites ?? [],
      clusterScoped: (object) => {
        const scope = scopeOf(object);
        return scope === undefined ? undefined : scope === 'Cluster';
      },
    });
    for (const { object, reporter } of admitted) {
      guarded(reporter, undefined, () => {
        if (scopeOf(object) === 'Cluster' && object.metadata?.namespace !== undefined) {
          reporter.report('cluster-scoped-namespace', 'metadata.namespace', `${String(object.kind)} is cluster-scoped and must not set a namespace (a chart namespace stamped on it by cdk8s?)`, object.metadata.namespace);
        }
        if (object.kind === 'EC2NodeClass' && object.apiVersion === 'karpenter.k8s.aws/v1') checkKubelet(object, reporter);
        checkPolicy(object, reporter, { production: options.production ?? false });
        checkLiveness(object, reporter);
        checkAirflowParallelism(object, reporter);
        checkServerSideDiff(object, reporter);
        checkPlaceholders(object, reporter, options.listedPlaceholders ?? []);
      });
    }
  }
  for (const { object, reporter } of checked) {
    const waivers = options.admissionOnly ? new Map<string, string>() : guarded(reporter, new Map<string, string>(), () => waiversOf(object, reporter));
    const split = applyWaivers(reporter.findings, waivers);
    findings.push(...split.kept);
    waived.push(...split.waived.map((f) => ({ ...f, reason: waivers.get(f.rule)! })));
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { findings, waived, errors, warnings: findings.length - errors };
}
