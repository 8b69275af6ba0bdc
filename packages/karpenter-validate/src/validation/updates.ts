import { parseQuantity, isQuantity } from '../quantity';
import { KubeObject, Reporter } from './findings';
import { cloneJson, isObject, Json } from './pods';

/**
 * Updates the API server refuses for core kinds: fields that are immutable once the object exists
 * (Kubernetes pkg/apis/*\/validation ValidateXUpdate). An ArgoCD sync that applies one fails on
 * that object, every time, until someone deletes it by hand; so each finding says what to do.
 * Custom resources' transition rules are checked in crd.ts (validateCustomResourceUpdate).
 */

/** JSON with keys sorted, so two values compare by content. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value as object).sort().filter((k) => (value as Json)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((value as Json)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);
const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v).length > 80 ? `${JSON.stringify(v).slice(0, 77)}...` : JSON.stringify(v));
const spec = (o: KubeObject): Json => (isObject(o.spec) ? o.spec : {});
const nameOf = (o: KubeObject) => String(o.metadata?.name ?? '');

function report(reporter: Reporter, path: string, before: unknown, after: unknown, why: string, wayOut: string): void {
  reporter.report('immutable-field', path, `changes from ${show(before)} to ${show(after)}, which the API server refuses on update (${why}): the sync fails on this object until it is replaced. ${wayOut}`, after);
}

// The StatefulSet spec fields an update may change (ValidateStatefulSetUpdate, Kubernetes 1.31+).
const STATEFULSET_MUTABLE = new Set(['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']);

function statefulSet(object: KubeObject, old: KubeObject, reporter: Reporter): void {
  const [now, before] = [spec(object), spec(old)];
  const orphan = `Delete it keeping its pods and claims (kubectl delete statefulset ${nameOf(object)} -n ${String(object.metadata?.namespace ?? 'default')} --cascade=orphan) and let the sync recreate it`;
  for (const key of [...new Set([...Object.keys(now), ...Object.keys(before)])].sort()) {
    if (STATEFULSET_MUTABLE.has(key) || same(now[key], before[key])) continue;
    if (key === 'volumeClaimTemplates') {
      const grown = growthOnly(now[key], before[key]);
      if (grown) {
        const claims = now[key] as Json[];
        claims.forEach((claim, i) => {
          const [was, is] = [(before[key] as Json[])[i]?.spec?.resources?.requests?.storage, claim?.spec?.resources?.requests?.storage];
          if (was === is) return;
          report(reporter, `spec.volumeClaimTemplates[${i}].spec.resources.requests.storage`, was, is, 'a StatefulSet may change only replicas, ordinals, template, updateStrategy, revisionHistoryLimit, persistentVolumeClaimRetentionPolicy and minReadySeconds; its claim templates never', `${orphan}; the existing claims keep their size: grow each (kubectl -n ${String(object.metadata?.namespace ?? 'default')} patch pvc ${String(claim?.metadata?.name)}-${nameOf(object)}-<ordinal> -p '{"spec":{"resources":{"requests":{"storage":"${String(is)}"}}}}'; the StorageClass must allow volume expansion)`);
        });
      } else {
        report(reporter, 'spec.volumeClaimTemplates', before[key], now[key], 'a StatefulSet may change only replicas, ordinals, template, updateStrategy, revisionHistoryLimit, persistentVolumeClaimRetentionPolicy and minReadySeconds; its claim templates never', `${orphan}; claims made from the old templates stay as they are`);
      }
    } else {
      report(reporter, `spec.${key}`, before[key], now[key], 'a StatefulSet may change only replicas, ordinals, template, updateStrategy, revisionHistoryLimit, persistentVolumeClaimRetentionPolicy and minReadySeconds', `${orphan}, or give it a new name`);
    }
  }
}

/** Whether claim templates differ only in growing storage requests. */
function growthOnly(now: unknown, before: unknown): boolean {
  if (!Array.isArray(now) || !Array.isArray(before) || now.length !== before.length) return false;
  return now.every((claim, i) => {
    const a = cloneJson(claim) as Json;
    const b = cloneJson(before[i]) as Json;
    const size = (c: Json) => c?.spec?.resources?.requests?.storage;
    const [x, y] = [size(a), size(b)];
    if (typeof x !== 'string' || typeof y !== 'string' || !isQuantity(x) || !isQuantity(y) || parseQuantity(x) < parseQuantity(y)) return false;
    delete a.spec.resources.requests.storage;
    delete b.spec.resources.requests.storage;
    return same(a, b);
  });
}

function selectorImmutable(object: KubeObject, old: KubeObject, reporter: Reporter): void {
  const [now, before] = [spec(object).selector, spec(old).selector];
  if (!same(now, before)) report(reporter, 'spec.selector', before, now, `a ${String(object.kind)}'s selector is immutable in apps/v1`, `Give it a new name (ArgoCD prunes the old one after the new one is healthy), or delete it with --cascade=orphan and let the sync recreate it`);
}

function service(object: KubeObject, old: KubeObject, reporter: Reporter): void {
  const [now, before] = [spec(object), spec(old)];
  // An unset clusterIP keeps the allocated one; set, it must not change (headless "None" included), unless the type becomes ExternalName.
  if (now.type !== 'ExternalName' && now.clusterIP !== undefined && before.clusterIP !== undefined && now.clusterIP !== before.clusterIP) {
    report(reporter, 'spec.clusterIP', before.clusterIP, now.clusterIP, 'spec.clusterIP is immutable', 'Give the Service a new name, or delete it and let the sync recreate it (clients see a new address)');
  } else if (now.type !== 'ExternalName' && before.clusterIP === undefined && now.clusterIP !== undefined && now.clusterIP !== '' && now.clusterIP !== 'None') {
    // Created without one, the Service got an address from the API server: a set one differs from it.
    report(reporter, 'spec.clusterIP', '(allocated by the API server)', now.clusterIP, 'spec.clusterIPs may not change once set, and the address allocated at creation is not this one', 'Leave clusterIP unset, or give the Service a new name');
  } else if (now.type !== 'ExternalName' && (now.clusterIP === 'None') !== (before.clusterIP === 'None')) {
    report(reporter, 'spec.clusterIP', before.clusterIP, now.clusterIP, 'a Service cannot become headless, or stop being headless, in place', 'Give the Service a new name, or delete it and let the sync recreate it');
  }
}

function persistentVolumeClaim(object: KubeObject, old: KubeObject, reporter: Reporter): void {
  const [now, before] = [cloneJson(spec(object)), cloneJson(spec(old))];
  const [x, y] = [now.resources?.requests?.storage, before.resources?.requests?.storage];
  if (typeof x === 'string' && typeof y === 'string' && isQuantity(x) && isQuantity(y) && parseQuantity(x) < parseQuantity(y)) {
    report(reporter, 'spec.resources.requests.storage', y, x, 'a claim can grow but never shrink', 'Keep the size, or create a new claim and move the data');
  }
  for (const s of [now, before]) {
    if (s.resources?.requests) delete s.resources.requests.storage;
    delete s.volumeAttributesClassName;
  }
  // The binder fills volumeName in; only a change from one set value to another is the manifest's doing.
  if (now.volumeName === undefined) delete before.volumeName;
  if (!same(now, before)) report(reporter, 'spec', spec(old), spec(object), "a claim's spec is immutable after creation except for growing its storage request", 'Create a claim with a new name and move the data, or delete this one (its data goes with it unless the volume is retained)');
}

function persistentVolume(object: KubeObject, old: KubeObject, reporter: Reporter): void {
  const source = (s: Json) => Object.fromEntries(Object.entries(s).filter(([k]) => !['capacity', 'accessModes', 'claimRef', 'persistentVolumeReclaimPolicy', 'storageClassName', 'mountOptions', 'volumeMode', 'nodeAffinity', 'volumeAttributesClassName'].includes(k)));
  const [now, before] = [source(spec(object)), source(spec(old))];
  if (!same(now, before)) report(reporter, 'spec', before, now, "a volume's source is immutable after creation", 'Create a PersistentVolume with a new name (and point the claim at it), or delete this one: with reclaim policy Retain the storage itself stays');
  if (spec(old).volumeMode !== undefined && spec(object).volumeMode !== undefined && spec(old).volumeMode !== spec(object).volumeMode) report(reporter, 'spec.volumeMode', spec(old).volumeMode, spec(object).volumeMode, 'volumeMode is immutable', 'Create a PersistentVolume with a new name');
}

function storageClass(object: KubeObject, old: KubeObject, reporter: Reporter): void {
  for (const field of ['provisioner', 'parameters', 'reclaimPolicy', 'volumeBindingMode']) {
    const [now, before] = [(object as Json)[field], (old as Json)[field]];
    if (!same(now, before)) report(reporter, field, before, now, `a StorageClass's ${field} is immutable`, 'Create a StorageClass with a new name and point new claims at it (existing volumes keep what they were created with), or delete this one and let the sync recreate it');
  }
}

function job(object: KubeObject, old: KubeObject, reporter: Reporter): void {
  for (const field of ['template', 'selector', 'completions', 'completionMode', 'podFailurePolicy', 'backoffLimitPerIndex']) {
    const [now, before] = [spec(object)[field], spec(old)[field]];
    if (!same(now, before)) report(reporter, `spec.${field}`, before, now, `a Job's ${field} is immutable once it exists`, 'Give the Job a new name (a hash of its spec, say), or delete it and let the sync recreate it');
  }
}

function roleBinding(object: KubeObject, old: KubeObject, reporter: Reporter): void {
  const [now, before] = [(object as Json).roleRef, (old as Json).roleRef];
  if (!same(now, before)) report(reporter, 'roleRef', before, now, "a binding's roleRef is immutable", 'Give the binding a new name, or delete it and let the sync recreate it');
}

function immutableData(object: KubeObject, old: KubeObject, reporter: Reporter): void {
  if ((old as Json).immutable !== true) return;
  for (const field of ['data', 'binaryData', 'stringData']) {
    if (!same((object as Json)[field], (old as Json)[field])) report(reporter, field, '(previous data)', '(new data)', `the ${String(object.kind)} is immutable: true`, 'Give it a new name (and point its users at it), or delete it and let the sync recreate it');
  }
  if ((object as Json).immutable !== true) report(reporter, 'immutable', true, (object as Json).immutable, 'immutable cannot be unset', 'Delete it and let the sync recreate it');
}

/** A top-level field, or a spec field, that never changes once set (ValidateImmutableField). */
function immutableField(path: string, why: string) {
  return (object: KubeObject, old: KubeObject, reporter: Reporter): void => {
    const get = (o: KubeObject) => path.split('.').reduce<unknown>((v, k) => (isObject(v) ? v[k] : undefined), o);
    const [now, before] = [get(object), get(old)];
    if (!same(now, before)) report(reporter, path, before, now, why, `Give the ${String(object.kind)} a new name, or delete it and let the sync recreate it`);
  };
}

function secret(object: KubeObject, old: KubeObject, reporter: Reporter): void {
  // Defaulted to Opaque: an unset type compares as Opaque.
  const [now, before] = [(object as Json).type ?? 'Opaque', (old as Json).type ?? 'Opaque'];
  if (now !== before) report(reporter, 'type', before, now, "a Secret's type is immutable", 'Give the Secret a new name, or delete it and let the sync recreate it');
  immutableData(object, old, reporter);
}

const CHECKS: Readonly<Record<string, (object: KubeObject, old: KubeObject, reporter: Reporter) => void>> = {
  'apps/v1/StatefulSet': (o, p, r) => {
    statefulSet(o, p, r);
  },
  'apps/v1/Deployment': selectorImmutable,
  'apps/v1/DaemonSet': selectorImmutable,
  'apps/v1/ReplicaSet': selectorImmutable,
  'v1/Service': service,
  'v1/PersistentVolumeClaim': persistentVolumeClaim,
  'v1/PersistentVolume': persistentVolume,
  'storage.k8s.io/v1/StorageClass': storageClass,
  'batch/v1/Job': job,
  'rbac.authorization.k8s.io/v1/RoleBinding': roleBinding,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': roleBinding,
  'v1/ConfigMap': immutableData,
  'v1/Secret': secret,
  'scheduling.k8s.io/v1/PriorityClass': immutableField('value', "a PriorityClass's value may not be changed in an update"),
  'node.k8s.io/v1/RuntimeClass': immutableField('handler', "a RuntimeClass's handler is immutable"),
  'networking.k8s.io/v1/IngressClass': immutableField('spec.controller', "an IngressClass's controller is immutable"),
};

/** Checks an update of a core object from `old`; kinds without immutable fields pass. */
export function checkCoreUpdate(object: KubeObject, old: KubeObject, reporter: Reporter): void {
  if (object.apiVersion !== old.apiVersion) return;
  CHECKS[`${String(object.apiVersion)}/${String(object.kind)}`]?.(object, old, reporter);
}
