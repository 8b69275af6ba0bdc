import { ApiObject, JsonPatch } from 'cdk8s';

/** StorageClass for per-replica volumes: gp3, encrypted, bound where the pod lands. */
export const ENCRYPTED_GP3 = 'gp3-encrypted';

/**
 * Marks an object a namespaced chart defines as cluster-scoped (a PersistentVolume a workload
 * owns): cdk8s stamps the chart's namespace on every object, which the API server would
 * reject or ignore for a cluster-scoped kind.
 */
export function clusterScoped<T extends ApiObject>(object: T): T {
  object.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return object;
}
