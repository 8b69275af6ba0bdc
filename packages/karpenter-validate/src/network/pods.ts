import { embeddedPods } from '../validation/embedded';
import type { KubeObject } from '../validation/findings';
import { isObject, Json, podOf } from '../validation/pods';
import type { ContainerPort, Endpoint } from './engine';
import { isNetworkPolicy, Policy, policyOf, Protocol } from './policies';

/**
 * The pods of a set of objects as NetworkPolicy sees them: namespace, labels and container
 * ports, one group per object that runs pods (a Deployment, a StatefulSet, a Job, a JCasC pod
 * template...), and the set's policies.
 */

/** The label the API server sets on every namespace to its name (immutable since Kubernetes 1.22). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** The pods of one object of the set. */
export interface PodGroup {
  /** `namespace/name`: how reports and findings name it. */
  readonly ref: string;
  readonly namespace: string;
  readonly name: string;
  readonly kind: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly ContainerPort[];
  /** The object that runs them (for an embedded pod, the pod itself). */
  readonly object: KubeObject;
  /** A pod another object describes (a JCasC pod template), created at run time. */
  readonly embedded: boolean;
}

/** The pods, namespaces and NetworkPolicies of a set. */
export interface NetworkSet {
  readonly groups: readonly PodGroup[];
  /** Labels of every namespace the set creates, with its name label. */
  readonly namespaces: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly policies: readonly Policy[];
}

const namespaceOf = (o: KubeObject) => (typeof o.metadata?.namespace === 'string' ? o.metadata.namespace : 'default');

function containerPorts(spec: Json): ContainerPort[] {
  return ['initContainers', 'containers'].flatMap((field) =>
    (Array.isArray(spec[field]) ? spec[field] : []).filter(isObject).flatMap((c: Json) =>
      (Array.isArray(c.ports) ? c.ports : []).filter(isObject).flatMap((p: Json) =>
        typeof p.containerPort === 'number' ? [{ port: p.containerPort, protocol: ((['TCP', 'UDP', 'SCTP'] as const).find((x) => x === p.protocol) ?? 'TCP') as Protocol, ...(typeof p.name === 'string' ? { name: p.name } : {}) }] : [],
      ),
    ),
  );
}

/** The pod group of an object that runs pods, or undefined. */
export function groupOf(object: KubeObject, embedded = false): PodGroup | undefined {
  const pod = podOf(object);
  if (!pod) return undefined;
  const namespace = namespaceOf(object);
  const name = String(object.metadata?.name ?? '');
  return { ref: `${namespace}/${name}`, namespace, name, kind: String(object.kind), labels: pod.labels, ports: containerPorts(pod.spec), object, embedded };
}

/**
 * The network view of a set: each object's pods (JCasC pod templates included, unless the
 * caller passes them as objects of their own: `withEmbedded` false), its namespaces, its policies.
 */
export function networkSet(objects: readonly KubeObject[], options: { readonly embedded?: readonly KubeObject[]; readonly withEmbedded?: boolean } = {}): NetworkSet {
  const groups: PodGroup[] = [];
  for (const object of objects) {
    const group = groupOf(object);
    if (group) groups.push(group);
    if (options.withEmbedded ?? true) for (const pod of embeddedPods({ object })) groups.push(groupOf(pod.object, true)!);
  }
  for (const pod of options.embedded ?? []) {
    const group = groupOf(pod, true);
    if (group) groups.push(group);
  }
  const namespaces = new Map<string, Record<string, string>>();
  for (const o of objects) {
    if (o.kind !== 'Namespace' || typeof o.metadata?.name !== 'string') continue;
    const labels = isObject(o.metadata.labels) ? (o.metadata.labels as Record<string, string>) : {};
    namespaces.set(o.metadata.name, { ...labels, [NAMESPACE_NAME_LABEL]: o.metadata.name });
  }
  return { groups, namespaces, policies: objects.filter(isNetworkPolicy).map(policyOf) };
}

/** The labels of a namespace: the set's, or only its name label for one outside the set. */
export function namespaceLabels(set: NetworkSet, namespace: string): Readonly<Record<string, string>> {
  return set.namespaces.get(namespace) ?? { [NAMESPACE_NAME_LABEL]: namespace };
}

/** A pod group as an endpoint of the engine (its address unknown: one of the pod network's). */
export function endpointOf(set: NetworkSet, group: PodGroup): Endpoint {
  return { namespace: group.namespace, namespaceLabels: namespaceLabels(set, group.namespace), podLabels: group.labels, ports: group.ports };
}

/** Pods of a namespace with some labels, outside the set (a prerequisite's), as an endpoint. */
export function podsOutside(set: NetworkSet, namespace: string, labels: Readonly<Record<string, string>> = {}, ports: readonly ContainerPort[] = []): Endpoint {
  return { namespace, namespaceLabels: namespaceLabels(set, namespace), podLabels: labels, ports };
}
