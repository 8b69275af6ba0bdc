import { Checked } from './cluster';
import { child, KubeObject, Severity } from './findings';
import { isObject, Json, podOf } from './pods';

/**
 * References from objects of the set to objects it does not hold: a Secret or ConfigMap a pod's
 * environment or volumes read, a claim it mounts, its ServiceAccount, a Service its
 * configuration names by DNS, a namespace. Missing, they make pods wait (CreateContainerConfigError,
 * Pending), the Application goes Degraded and later sync waves never run. In synth the set is
 * everything that will exist besides the declared prerequisites (config/), so an undeclared one
 * is an error; for the CLI it is a warning, since the object may exist in the cluster.
 */

/** Something the set says exists outside it. */
export interface KnownObject {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

/** Namespaces every cluster has. */
const SYSTEM_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

// A Service by its cluster DNS name: <service>.<namespace>.svc[.cluster.local][:port].
const SERVICE_DNS = /\b([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?\b/g;

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** An object another object needs, and where it says so. */
export interface Reference {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly path: string;
}

/** The objects a pod spec needs to start. */
function podReferences(spec: Json, path: string, namespace: string): Reference[] {
  const refs: Reference[] = [];
  const add = (kind: string, name: unknown, at: string, ns = namespace) => {
    const n = str(name);
    if (n) refs.push({ kind, name: n, namespace: ns, path: at });
  };
  const account = str(spec.serviceAccountName) ?? str(spec.serviceAccount);
  if (account && account !== 'default') add('ServiceAccount', account, child(path, 'serviceAccountName'));
  (Array.isArray(spec.imagePullSecrets) ? spec.imagePullSecrets : []).forEach((s: Json, i: number) => add('Secret', s?.name, child(child(path, 'imagePullSecrets'), i)));
  (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((v: Json, i: number) => {
    if (!isObject(v)) return;
    const at = child(child(path, 'volumes'), i);
    if (isObject(v.secret) && v.secret.optional !== true) add('Secret', v.secret.secretName, child(at, 'secret'));
    if (isObject(v.configMap) && v.configMap.optional !== true) add('ConfigMap', v.configMap.name, child(at, 'configMap'));
    if (isObject(v.persistentVolumeClaim)) add('PersistentVolumeClaim', v.persistentVolumeClaim.claimName, child(at, 'persistentVolumeClaim'));
    for (const [j, source] of (Array.isArray(v.projected?.sources) ? v.projected.sources : []).entries()) {
      if (isObject(source?.secret) && source.secret.optional !== true) add('Secret', source.secret.name, child(child(`${at}.projected.sources`, j), 'secret'));
      if (isObject(source?.configMap) && source.configMap.optional !== true) add('ConfigMap', source.configMap.name, child(child(`${at}.projected.sources`, j), 'configMap'));
    }
  });
  for (const field of ['initContainers', 'containers'] as const) {
    (Array.isArray(spec[field]) ? spec[field] : []).forEach((c: Json, i: number) => {
      if (!isObject(c)) return;
      const at = child(child(path, field), i);
      (Array.isArray(c.env) ? c.env : []).forEach((e: Json, j: number) => {
        const from = isObject(e) && isObject(e.valueFrom) ? e.valueFrom : undefined;
        const envAt = child(child(at, 'env'), j);
        if (isObject(from?.secretKeyRef) && from.secretKeyRef.optional !== true) add('Secret', from.secretKeyRef.name, `${envAt}.valueFrom.secretKeyRef`);
        if (isObject(from?.configMapKeyRef) && from.configMapKeyRef.optional !== true) add('ConfigMap', from.configMapKeyRef.name, `${envAt}.valueFrom.configMapKeyRef`);
        if (typeof e?.value === 'string') for (const m of e.value.matchAll(SERVICE_DNS)) add('Service', m[1], child(envAt, 'value'), m[3]!);
      });
      (Array.isArray(c.envFrom) ? c.envFrom : []).forEach((e: Json, j: number) => {
        if (isObject(e?.secretRef) && e.secretRef.optional !== true) add('Secret', e.secretRef.name, child(child(at, 'envFrom'), j));
        if (isObject(e?.configMapRef) && e.configMapRef.optional !== true) add('ConfigMap', e.configMapRef.name, child(child(at, 'envFrom'), j));
      });
    });
  }
  return refs;
}

/** The objects an object needs, beyond its pods: bindings' subjects, KEDA's authentication and scaler addresses, a claim's volume. */
function otherReferences(object: KubeObject, namespace: string): Reference[] {
  const spec = isObject(object.spec) ? object.spec : {};
  const refs: Reference[] = [];
  if (object.kind === 'RoleBinding' || object.kind === 'ClusterRoleBinding') {
    (Array.isArray(object.subjects) ? object.subjects : []).forEach((s: Json, i: number) => {
      if (s?.kind === 'ServiceAccount' && str(s.name)) refs.push({ kind: 'ServiceAccount', name: s.name, namespace: str(s.namespace) ?? namespace, path: `subjects[${i}]` });
    });
  }
  if (object.kind === 'TriggerAuthentication') {
    (Array.isArray(spec.secretTargetRef) ? spec.secretTargetRef : []).forEach((r: Json, i: number) => {
      if (str(r?.name)) refs.push({ kind: 'Secret', name: r.name, namespace, path: `spec.secretTargetRef[${i}]` });
    });
  }
  if (object.kind === 'ScaledObject') {
    (Array.isArray(spec.triggers) ? spec.triggers : []).forEach((t: Json, i: number) => {
      const auth = isObject(t?.authenticationRef) ? t.authenticationRef : undefined;
      if (str(auth?.name)) refs.push({ kind: auth!.kind === 'ClusterTriggerAuthentication' ? 'ClusterTriggerAuthentication' : 'TriggerAuthentication', name: auth!.name, namespace, path: `spec.triggers[${i}].authenticationRef` });
      for (const value of Object.values(isObject(t?.metadata) ? t.metadata : {})) {
        if (typeof value === 'string') for (const m of value.matchAll(SERVICE_DNS)) refs.push({ kind: 'Service', name: m[1]!, namespace: m[3]!, path: `spec.triggers[${i}].metadata` });
      }
    });
  }
  if (object.kind === 'PersistentVolumeClaim' && str(spec.volumeName)) refs.push({ kind: 'PersistentVolume', name: spec.volumeName, namespace: '', path: 'spec.volumeName' });
  return refs;
}

/** Everything an object needs to exist for it (or its pods) to work, in the object's namespace unless named otherwise. */
export function referencesOf(object: KubeObject, namespace: string): Reference[] {
  const pod = podOf(object);
  return [...(pod ? podReferences(pod.spec, pod.path, namespace) : []), ...otherReferences(object, namespace)];
}

/**
 * Reports references to objects neither the set nor the declared prerequisites hold, and
 * namespaced objects whose namespace neither defines.
 */
export function checkReferences(items: readonly Checked[], others: readonly KubeObject[], options: { readonly complete: boolean; readonly prerequisites: readonly KnownObject[]; readonly clusterScoped: (object: KubeObject) => boolean | undefined }): void {
  const severity: Severity = options.complete ? 'error' : 'warning';
  const key = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;
  const known = new Set<string>();
  const namespaces = new Set(SYSTEM_NAMESPACES);
  for (const o of [...items.map((i) => i.object), ...others]) {
    const scoped = options.clusterScoped(o);
    known.add(key(String(o.kind), scoped ? '' : String(o.metadata?.namespace ?? 'default'), String(o.metadata?.name)));
    if (o.kind === 'Namespace') namespaces.add(String(o.metadata?.name));
  }
  for (const p of options.prerequisites) {
    if (p.kind === 'Namespace') namespaces.add(p.name);
    else known.add(key(p.kind, p.namespace ?? '', p.name));
  }
  const where = options.complete ? 'the set, nor declared as a prerequisite' : 'the files given (it may exist in the cluster)';
  for (const { object, reporter } of items) {
    const scoped = options.clusterScoped(object);
    const namespace = typeof object.metadata?.namespace === 'string' ? object.metadata.namespace : 'default';
    if (scoped === false && !namespaces.has(namespace)) {
      reporter.report('namespace-exists', 'metadata.namespace', `namespace "${namespace}" is not in ${where}: the API server refuses ${String(object.kind)} ${String(object.metadata?.name)} until it exists, and the sync fails. Create it first, or declare it`, namespace, severity);
    }
    const refs = referencesOf(object, namespace);
    // A StatefulSet's claim templates make the claims its pods mount.
    const claims = object.kind === 'StatefulSet' && Array.isArray((object.spec as Json)?.volumeClaimTemplates) ? ((object.spec as Json).volumeClaimTemplates as Json[]).map((c) => c?.metadata?.name) : [];
    // One finding per missing object, at its first reference, with how many there are.
    const missing = new Map<string, { ref: Reference; count: number }>();
    for (const ref of refs) {
      if (ref.kind === 'PersistentVolumeClaim' && claims.some((c) => typeof c === 'string' && ref.name.startsWith(`${c}-`))) continue;
      const ns = ref.kind === 'PersistentVolume' || ref.kind === 'ClusterTriggerAuthentication' ? '' : ref.namespace;
      if (known.has(key(ref.kind, ns, ref.name))) continue;
      const id = key(ref.kind, ns, ref.name);
      const entry = missing.get(id);
      if (entry) entry.count++;
      else missing.set(id, { ref: { ...ref, namespace: ns }, count: 1 });
    }
    for (const { ref, count } of missing.values()) {
      const named = ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
      const effect = object.kind === 'TriggerAuthentication' || object.kind === 'ScaledObject' ? 'KEDA cannot read the trigger, so the workload is never scaled' : 'the pods that need it wait (Pending or CreateContainerConfigError)';
      reporter.report('external-reference', ref.path, `${named}${count > 1 ? ` (referenced ${count} times)` : ''} is not in ${where}: until it exists ${effect}, the Application stays Degraded and later sync waves never run. Emit it, or declare it with what provides it`, ref.name, severity);
    }
  }
}
