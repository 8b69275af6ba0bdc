import type { KubeObject } from '../validation/findings';
import { isObject, Json } from '../validation/pods';
import type { LabelSelector } from '../validation/selectors';

/** Transport protocols of NetworkPolicy ports and container ports. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** The protocols, in the order reports list them. */
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** A port of a rule, its protocol defaulted. */
export interface PolicyPort {
  /** A number, a container port's name, or none (every port of the protocol). */
  readonly port?: number | string;
  /** The end of a range that starts at `port`. */
  readonly endPort?: number;
  readonly protocol: Protocol;
}

/** A peer of a rule: pods by namespace and labels, or addresses. */
export interface PolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr: string; readonly except: readonly string[] };
}

/** An ingress or egress rule: no port means every port, no peer every peer. */
export interface PolicyRule {
  readonly ports: readonly PolicyPort[];
  readonly peers: readonly PolicyPeer[];
}

/**
 * A NetworkPolicy as the API server stores it. A direction is present when its policy type is:
 * then the pods the policy selects are isolated in that direction, and its rules (possibly none)
 * say what is allowed.
 */
export interface Policy {
  readonly name: string;
  readonly namespace: string;
  readonly podSelector: LabelSelector;
  readonly ingress?: readonly PolicyRule[];
  readonly egress?: readonly PolicyRule[];
  readonly object: KubeObject;
}

const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);
const selector = (value: unknown): LabelSelector | undefined => (isObject(value) ? (value as LabelSelector) : undefined);

function port(value: Json): PolicyPort {
  const protocol = (['TCP', 'UDP', 'SCTP'] as const).find((p) => p === value.protocol) ?? 'TCP';
  return {
    // Any undefined protocol is TCP: k8s.io/kubernetes v1.35.4 pkg/apis/networking/v1/defaults.go SetDefaults_NetworkPolicyPort.
    protocol,
    ...(typeof value.port === 'number' || typeof value.port === 'string' ? { port: value.port } : {}),
    ...(typeof value.endPort === 'number' ? { endPort: value.endPort } : {}),
  };
}

function peer(value: Json): PolicyPeer {
  const block = isObject(value.ipBlock) ? { cidr: String(value.ipBlock.cidr ?? ''), except: (Array.isArray(value.ipBlock.except) ? value.ipBlock.except : []).map(String) } : undefined;
  return {
    ...(selector(value.podSelector) ? { podSelector: selector(value.podSelector)! } : {}),
    ...(selector(value.namespaceSelector) ? { namespaceSelector: selector(value.namespaceSelector)! } : {}),
    ...(block ? { ipBlock: block } : {}),
  };
}

function rules(value: unknown, peersKey: 'from' | 'to'): PolicyRule[] {
  return list(value).map((rule) => ({ ports: list(rule.ports).map(port), peers: list(rule[peersKey]).map(peer) }));
}

/** Whether an object is a NetworkPolicy of networking.k8s.io/v1, the version the API serves. */
export function isNetworkPolicy(object: KubeObject): boolean {
  return object.kind === 'NetworkPolicy' && object.apiVersion === 'networking.k8s.io/v1';
}

/**
 * A NetworkPolicy with the API server's defaults applied: with no policyTypes, it is an Ingress
 * policy, and an Egress policy too when it has egress rules (k8s.io/kubernetes v1.35.4
 * pkg/apis/networking/v1/defaults.go SetDefaults_NetworkPolicy); an unset namespace is "default".
 */
export function policyOf(object: KubeObject): Policy {
  const spec = isObject(object.spec) ? object.spec : {};
  const declared = (Array.isArray(spec.policyTypes) ? spec.policyTypes : []).map(String);
  const types = declared.length > 0 ? declared : ['Ingress', ...(list(spec.egress).length > 0 ? ['Egress'] : [])];
  return {
    name: String(object.metadata?.name ?? ''),
    namespace: typeof object.metadata?.namespace === 'string' ? object.metadata.namespace : 'default',
    podSelector: selector(spec.podSelector) ?? {},
    ...(types.includes('Ingress') ? { ingress: rules(spec.ingress, 'from') } : {}),
    ...(types.includes('Egress') ? { egress: rules(spec.egress, 'to') } : {}),
    object,
  };
}
