import { KUBERNETES_MINOR } from './openapi';

/**
 * API versions Kubernetes no longer serves (the target is src/validation/openapi.ts' release): an
 * object in one of them is refused outright. The version to use, and the
 * release that removed it, from the Kubernetes deprecated API migration guide.
 * @see https://kubernetes.io/docs/reference/using-api/deprecation-guide/
 */
interface Removal {
  /** The served apiVersion for the same kind; undefined when the kind is gone with no successor. */
  readonly use?: string;
  readonly removedIn: string;
}

const APPS = { use: 'apps/v1', removedIn: '1.16' };
const REMOVED: Readonly<Record<string, Readonly<Record<string, Removal>>>> = {
  'extensions/v1beta1': {
    Deployment: APPS,
    DaemonSet: APPS,
    ReplicaSet: APPS,
    NetworkPolicy: { use: 'networking.k8s.io/v1', removedIn: '1.16' },
    Ingress: { use: 'networking.k8s.io/v1', removedIn: '1.22' },
    PodSecurityPolicy: { removedIn: '1.25' },
  },
  'apps/v1beta1': { Deployment: APPS, StatefulSet: APPS, ReplicaSet: APPS },
  'apps/v1beta2': { Deployment: APPS, StatefulSet: APPS, DaemonSet: APPS, ReplicaSet: APPS },
  'batch/v1beta1': { CronJob: { use: 'batch/v1', removedIn: '1.25' } },
  'batch/v2alpha1': { CronJob: { use: 'batch/v1', removedIn: '1.21' } },
  'policy/v1beta1': { PodDisruptionBudget: { use: 'policy/v1', removedIn: '1.25' }, PodSecurityPolicy: { removedIn: '1.25' } },
  'autoscaling/v2beta1': { HorizontalPodAutoscaler: { use: 'autoscaling/v2', removedIn: '1.25' } },
  'autoscaling/v2beta2': { HorizontalPodAutoscaler: { use: 'autoscaling/v2', removedIn: '1.26' } },
  'networking.k8s.io/v1beta1': { Ingress: { use: 'networking.k8s.io/v1', removedIn: '1.22' }, IngressClass: { use: 'networking.k8s.io/v1', removedIn: '1.22' } },
  'rbac.authorization.k8s.io/v1beta1': Object.fromEntries(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].map((k) => [k, { use: 'rbac.authorization.k8s.io/v1', removedIn: '1.22' }])),
  'rbac.authorization.k8s.io/v1alpha1': Object.fromEntries(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].map((k) => [k, { use: 'rbac.authorization.k8s.io/v1', removedIn: '1.22' }])),
  'storage.k8s.io/v1beta1': {
    ...Object.fromEntries(['StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment'].map((k) => [k, { use: 'storage.k8s.io/v1', removedIn: '1.22' }])),
    CSIStorageCapacity: { use: 'storage.k8s.io/v1', removedIn: '1.27' },
  },
  'scheduling.k8s.io/v1beta1': { PriorityClass: { use: 'scheduling.k8s.io/v1', removedIn: '1.22' } },
  'scheduling.k8s.io/v1alpha1': { PriorityClass: { use: 'scheduling.k8s.io/v1', removedIn: '1.17' } },
  'apiextensions.k8s.io/v1beta1': { CustomResourceDefinition: { use: 'apiextensions.k8s.io/v1', removedIn: '1.22' } },
  'admissionregistration.k8s.io/v1beta1': {
    MutatingWebhookConfiguration: { use: 'admissionregistration.k8s.io/v1', removedIn: '1.22' },
    ValidatingWebhookConfiguration: { use: 'admissionregistration.k8s.io/v1', removedIn: '1.22' },
  },
  'apiregistration.k8s.io/v1beta1': { APIService: { use: 'apiregistration.k8s.io/v1', removedIn: '1.22' } },
  'certificates.k8s.io/v1beta1': { CertificateSigningRequest: { use: 'certificates.k8s.io/v1', removedIn: '1.22' } },
  'coordination.k8s.io/v1beta1': { Lease: { use: 'coordination.k8s.io/v1', removedIn: '1.22' } },
  'discovery.k8s.io/v1beta1': { EndpointSlice: { use: 'discovery.k8s.io/v1', removedIn: '1.25' } },
  'events.k8s.io/v1beta1': { Event: { use: 'events.k8s.io/v1', removedIn: '1.25' } },
  'node.k8s.io/v1beta1': { RuntimeClass: { use: 'node.k8s.io/v1', removedIn: '1.25' } },
  'flowcontrol.apiserver.k8s.io/v1beta1': { FlowSchema: { use: 'flowcontrol.apiserver.k8s.io/v1', removedIn: '1.26' }, PriorityLevelConfiguration: { use: 'flowcontrol.apiserver.k8s.io/v1', removedIn: '1.26' } },
  'flowcontrol.apiserver.k8s.io/v1beta2': { FlowSchema: { use: 'flowcontrol.apiserver.k8s.io/v1', removedIn: '1.29' }, PriorityLevelConfiguration: { use: 'flowcontrol.apiserver.k8s.io/v1', removedIn: '1.29' } },
  'flowcontrol.apiserver.k8s.io/v1beta3': { FlowSchema: { use: 'flowcontrol.apiserver.k8s.io/v1', removedIn: '1.32' }, PriorityLevelConfiguration: { use: 'flowcontrol.apiserver.k8s.io/v1', removedIn: '1.32' } },
};

/** Why the API server does not serve `apiVersion` `kind`, or undefined when it does (or the version is not a removed one). */
export function removedApi(apiVersion: string, kind: string): string | undefined {
  const versions = Object.prototype.hasOwnProperty.call(REMOVED, apiVersion) ? REMOVED[apiVersion]! : undefined;
  const removal = versions && Object.prototype.hasOwnProperty.call(versions, kind) ? versions[kind] : undefined;
  if (!removal) return undefined;
  return `${kind} ${apiVersion} is not served since Kubernetes ${removal.removedIn} (the target is ${KUBERNETES_MINOR}): ${removal.use ? `use ${removal.use}` : `${kind} was removed with no successor`} (see the deprecated API migration guide)`;
}
