/**
 * The core kinds the validator knows, by `apiVersion/kind`, which is also their module path in
 * kubernetes-models. Each model loads on first use: a manifest set that has no CronJob never
 * pays for its schema. (`require` with a literal path, so that bundles include them.)
 */
export type Model = new (data: unknown) => { validate(): void };

export const MODELS: Readonly<Record<string, () => Model>> = {
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

