import { ErrorObject } from 'ajv';
import { child, KubeObject, pointerToPath, Reporter } from './findings';

/**
 * Core kinds are checked against the Kubernetes OpenAPI schema compiled by kubernetes-models
 * (generated from the upstream swagger of Kubernetes 1.33). Each kind's validator loads on
 * first use: a manifest set that has no CronJob never pays for its schema.
 */
type Model = new (data: unknown) => { validate(): void };

// `require` keeps loading lazy; every entry is a model of the kubernetes-models package.
const MODELS: Readonly<Record<string, () => Model>> = {
  'v1/Namespace': () => require('kubernetes-models/v1/Namespace').Namespace,
  'v1/ServiceAccount': () => require('kubernetes-models/v1/ServiceAccount').ServiceAccount,
  'v1/Service': () => require('kubernetes-models/v1/Service').Service,
  'v1/ConfigMap': () => require('kubernetes-models/v1/ConfigMap').ConfigMap,
  'v1/Secret': () => require('kubernetes-models/v1/Secret').Secret,
  'v1/PersistentVolumeClaim': () => require('kubernetes-models/v1/PersistentVolumeClaim').PersistentVolumeClaim,
  'v1/PersistentVolume': () => require('kubernetes-models/v1/PersistentVolume').PersistentVolume,
  'v1/Pod': () => require('kubernetes-models/v1/Pod').Pod,
  'v1/LimitRange': () => require('kubernetes-models/v1/LimitRange').LimitRange,
  'v1/ResourceQuota': () => require('kubernetes-models/v1/ResourceQuota').ResourceQuota,
  'apps/v1/Deployment': () => require('kubernetes-models/apps/v1/Deployment').Deployment,
  'apps/v1/StatefulSet': () => require('kubernetes-models/apps/v1/StatefulSet').StatefulSet,
  'apps/v1/DaemonSet': () => require('kubernetes-models/apps/v1/DaemonSet').DaemonSet,
  'apps/v1/ReplicaSet': () => require('kubernetes-models/apps/v1/ReplicaSet').ReplicaSet,
  'batch/v1/Job': () => require('kubernetes-models/batch/v1/Job').Job,
  'batch/v1/CronJob': () => require('kubernetes-models/batch/v1/CronJob').CronJob,
  'autoscaling/v2/HorizontalPodAutoscaler': () => require('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler').HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': () => require('kubernetes-models/policy/v1/PodDisruptionBudget').PodDisruptionBudget,
  'storage.k8s.io/v1/StorageClass': () => require('kubernetes-models/storage.k8s.io/v1/StorageClass').StorageClass,
  'networking.k8s.io/v1/NetworkPolicy': () => require('kubernetes-models/networking.k8s.io/v1/NetworkPolicy').NetworkPolicy,
  'networking.k8s.io/v1/Ingress': () => require('kubernetes-models/networking.k8s.io/v1/Ingress').Ingress,
  'rbac.authorization.k8s.io/v1/Role': () => require('kubernetes-models/rbac.authorization.k8s.io/v1/Role').Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': () => require('kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding').RoleBinding,
  'rbac.authorization.k8s.io/v1/ClusterRole': () => require('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole').ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': () => require('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding').ClusterRoleBinding,
  'scheduling.k8s.io/v1/PriorityClass': () => require('kubernetes-models/scheduling.k8s.io/v1/PriorityClass').PriorityClass,
};

/** Cluster-scoped core kinds (the rest of MODELS is namespaced). */
export const CLUSTER_SCOPED_CORE = new Set(['Namespace', 'PersistentVolume', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass']);

const loaded = new Map<string, Model>();

/** Whether a schema is bundled for `apiVersion/kind`. */
export function hasCoreSchema(key: string): boolean {
  return key in MODELS;
}


function describe(error: ErrorObject, siblings: readonly ErrorObject[]): { rule: string; message: string } {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { rule: 'schema', message: 'Required value' };
    case 'type':
      return { rule: 'schema', message: `must be of type ${String(p.type)}` };
    case 'enum':
      return { rule: 'schema', message: `Unsupported value: supported values: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'oneOf':
      return siblings.some((e) => e.keyword === 'format' && (e.params as { format?: string }).format === 'quantity')
        ? { rule: 'quantity', message: 'must be a quantity: a number with an optional suffix (e.g. 500m, 1.5, 4Gi, 1e3)' }
        : { rule: 'schema', message: 'must be an integer or a string' };
    default:
      return { rule: 'schema', message: error.message ?? error.keyword };
  }
}

/** The model of `apiVersion/kind`, loaded once; undefined when none is bundled. */
export function loadCoreModel(key: string): Model | undefined {
  const load = MODELS[key];
  if (!load) return undefined;
  let model = loaded.get(key);
  if (!model) {
    model = load();
    loaded.set(key, model);
  }
  return model;
}

/** Validates a core object against its kind's OpenAPI schema; false when no schema is bundled. */
export function validateCoreSchema(key: string, object: KubeObject, reporter: Reporter): boolean {
  const model = loadCoreModel(key);
  if (!model) return false;
  try {
    new model(object).validate();
  } catch (error) {
    const errors = (error as { errors?: ErrorObject[] }).errors;
    if (!errors) throw error;
    // A oneOf (int-or-string, quantity) failure restates its branches' errors at the same path.
    const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
    for (const e of errors) {
      if (e.keyword !== 'oneOf' && oneOfPaths.has(e.instancePath)) continue;
      const at = pointerToPath(e.instancePath, object);
      const { rule, message } = describe(e, errors.filter((s) => s.instancePath === e.instancePath));
      const path = e.keyword === 'required' ? child(at.path, String(e.params.missingProperty)) : at.path;
      reporter.report(rule, path, message, e.keyword === 'required' ? undefined : at.value);
    }
  }
  return true;
}
