import { isObject } from '../validation/pods';
import type { LabelSelector } from '../validation/selectors';
import type { Protocol } from './policies';

/**
 * Flows as the output declares them, for the validator: what config/ declares, resolved to
 * namespaces, pod selectors and port numbers, in annotations any manifest may carry.
 *
 * - `karpenter-as-code.io/clients` on a Service: by Service port name, the pods meant to reach
 *   it (`[]`: none in the cluster, e.g. kubectl port-forward only). Rule `service-unreachable`.
 * - `karpenter-as-code.io/flows` on an object that runs pods: the connections its pods are
 *   meant to accept (`ingress`) and to open outside the set (`egress`). Rule `declared-flow-denied`.
 */

/** Annotation of a Service: its declared clients, by port name. */
export const CLIENTS_ANNOTATION = 'karpenter-as-code.io/clients';
/** Annotation of a pod carrier: its declared flows. */
export const FLOWS_ANNOTATION = 'karpenter-as-code.io/flows';

/** Pods of a namespace (all of them, or those a selector picks). */
export interface DeclaredPods {
  readonly namespace: string;
  /** @default every pod of the namespace */
  readonly podSelector?: LabelSelector;
}

/** Addresses outside the cluster: CIDR blocks minus exceptions. */
export interface DeclaredAddresses {
  readonly cidrs: readonly string[];
  /** @default none */
  readonly except?: readonly string[];
}

/** A port or a range of a declared flow, resolved to numbers. */
export interface DeclaredPort {
  readonly port: number;
  readonly endPort?: number;
  readonly protocol: Protocol;
}

export interface DeclaredFlows {
  readonly ingress?: readonly { readonly from: DeclaredPods; readonly ports: readonly DeclaredPort[] }[];
  readonly egress?: readonly { readonly to: DeclaredPods | DeclaredAddresses; readonly ports: readonly DeclaredPort[] }[];
}

/** Declared clients of a Service, by port name. */
export type DeclaredClients = Readonly<Record<string, readonly DeclaredPods[]>>;

const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);

function isPort(value: unknown): value is DeclaredPort {
  return isObject(value) && Number.isInteger(value.port) && (value.endPort === undefined || Number.isInteger(value.endPort)) && PROTOCOLS.has(value.protocol);
}

function isPods(value: unknown): value is DeclaredPods {
  return isObject(value) && typeof value.namespace === 'string' && (value.podSelector === undefined || isObject(value.podSelector));
}

function isAddresses(value: unknown): value is DeclaredAddresses {
  return isObject(value) && Array.isArray(value.cidrs) && value.cidrs.every((c: unknown) => typeof c === 'string') && (value.except === undefined || (Array.isArray(value.except) && value.except.every((c: unknown) => typeof c === 'string')));
}

/** Whether a declared destination is addresses rather than pods. */
export function isDeclaredAddresses(value: DeclaredPods | DeclaredAddresses): value is DeclaredAddresses {
  return 'cidrs' in value;
}

const SHAPE_FLOWS = '{"ingress": [{"from": {"namespace", "podSelector"?}, "ports": [{"port", "endPort"?, "protocol"}]}], "egress": [{"to": {"namespace", "podSelector"?} or {"cidrs", "except"?}, "ports": [...]}]}';
const SHAPE_CLIENTS = '{"<Service port name>": [{"namespace", "podSelector"?}]}';

/** The declared flows of an annotation value, or why it cannot be read. */
export function readFlows(text: string): DeclaredFlows | { readonly error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: `is not JSON: write ${SHAPE_FLOWS}` };
  }
  const ok =
    isObject(value) &&
    (value.ingress === undefined || (Array.isArray(value.ingress) && value.ingress.every((f: unknown) => isObject(f) && isPods(f.from) && Array.isArray(f.ports) && f.ports.every(isPort)))) &&
    (value.egress === undefined || (Array.isArray(value.egress) && value.egress.every((f: unknown) => isObject(f) && (isPods(f.to) || isAddresses(f.to)) && Array.isArray(f.ports) && f.ports.every(isPort))));
  return ok ? (value as DeclaredFlows) : { error: `must be ${SHAPE_FLOWS}` };
}

/** The declared clients of an annotation value, or why it cannot be read. */
export function readClients(text: string): DeclaredClients | { readonly error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: `is not JSON: write ${SHAPE_CLIENTS}` };
  }
  const ok = isObject(value) && Object.values(value).every((list) => Array.isArray(list) && list.every(isPods));
  return ok ? (value as DeclaredClients) : { error: `must be ${SHAPE_CLIENTS}` };
}

/** `spark pods app.kubernetes.io/name=spark-worker`, `namespace redis`, `0.0.0.0/0 except 10.0.0.0/8`. */
export function describeDeclared(value: DeclaredPods | DeclaredAddresses): string {
  if (isDeclaredAddresses(value)) return `${value.cidrs.join(', ')}${value.except && value.except.length > 0 ? ` except ${value.except.join(', ')}` : ''}`;
  const selector = value.podSelector;
  const terms = [
    ...Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(selector?.matchExpressions ?? []).map((e) => `${e.key} ${e.operator}${e.values ? ` (${e.values.join(', ')})` : ''}`),
  ];
  return terms.length > 0 ? `${value.namespace} pods ${terms.join(', ')}` : `namespace ${value.namespace}`;
}
