import { AddressSet, cidrs, contains, OUTSIDE, overlaps, parseAddress, parseCidr, POD_NETWORK, subtract } from './addresses';
import { Policy, PolicyPeer, PolicyPort, PolicyRule, Protocol, PROTOCOLS } from './policies';
import { isEmptySelector, LabelSelector, selects } from '../validation/selectors';

/**
 * What Kubernetes' NetworkPolicy API allows, as the upstream conformance tooling computes it
 * (mattfenwick/cyclonus v0.5.6 pkg/matcher: builder.go, policy.go, peermatcher.go,
 * podpeermatcher.go, ippeermatcher.go, portmatcher.go), and as the API reference defines it:
 * a pod is isolated in a direction once a policy of its namespace with that policy type selects
 * it, and then only what one of those policies' rules allows passes; traffic passes when its
 * egress (at the source) and its ingress (at the destination) both do. Held to cyclonus's
 * verdicts by test/oracle-netpol.test.ts.
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */

/** A container port of a pod, for named ports. */
export interface ContainerPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
}

/** One end of a connection: a pod (a namespace and labels), or an address outside the cluster. */
export interface Endpoint {
  /** The pod's namespace; undefined for an endpoint outside the cluster. */
  readonly namespace?: string;
  /** Labels of its namespace (with `kubernetes.io/metadata.name`). */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  readonly podLabels?: Readonly<Record<string, string>>;
  /** Its address; when unknown, it is one of `within`. */
  readonly ip?: string;
  /** The addresses it may have. @default POD_NETWORK for a pod, OUTSIDE otherwise */
  readonly within?: AddressSet;
  /** Its container ports: a named port of a rule is the destination's port of that name. */
  readonly ports?: readonly ContainerPort[];
}

/** A connection from one endpoint to another, on a port of the destination. */
export interface Traffic {
  readonly source: Endpoint;
  readonly destination: Endpoint;
  readonly port: number;
  readonly protocol: Protocol;
}

/** What the policies that isolate one side decide: allowed when none isolates it or one of them allows. */
export interface DirectionResult {
  readonly allowing: readonly Policy[];
  readonly denying: readonly Policy[];
  readonly allowed: boolean;
}

export interface Verdict {
  readonly ingress: DirectionResult;
  readonly egress: DirectionResult;
  readonly allowed: boolean;
}

export type Direction = 'ingress' | 'egress';

/** Whether a label selector matches labels. */
export type LabelMatch = (selector: LabelSelector, labels: Readonly<Record<string, string>>) => boolean;

/**
 * Kubernetes' own reading of label selectors (k8s.io/apimachinery v0.35.4 pkg/labels/selector.go
 * Requirement.Matches): NotIn matches a missing key. cyclonus v0.5.6 reads NotIn on a missing key
 * as no match (pkg/kube/labelselector.go IsMatchExpressionMatchForLabels), the one place it
 * departs from Kubernetes; test/oracle-netpol.test.ts holds this to apimachinery and the rest of
 * the engine to cyclonus.
 */
export const kubernetesMatch: LabelMatch = (selector, labels) => isEmptySelector(selector) || selects(selector, labels);

const matches = (match: LabelMatch, selector: LabelSelector | undefined, labels: Readonly<Record<string, string>> | undefined): boolean =>
  selector === undefined || match(selector, labels ?? {});

// What isolates an endpoint, per policy list and reading of selectors: a matrix asks it for every pair.
const ISOLATING = new WeakMap<Endpoint, { policies: readonly Policy[]; match: LabelMatch; ingress?: Policy[]; egress?: Policy[] }>();

/** The policies that isolate a pod in a direction: those of its namespace, of that type, that select it. */
export function isolating(policies: readonly Policy[], pod: Endpoint, direction: Direction, match: LabelMatch = kubernetesMatch): Policy[] {
  if (pod.namespace === undefined) return [];
  let cached = ISOLATING.get(pod);
  if (!cached || cached.policies !== policies || cached.match !== match) {
    cached = { policies, match };
    ISOLATING.set(pod, cached);
  }
  return (cached[direction] ??= policies.filter((p) => p[direction] !== undefined && p.namespace === pod.namespace && matches(match, p.podSelector, pod.podLabels)));
}

const BLOCKS = new WeakMap<object, AddressSet>();

/** The addresses an ipBlock covers: its CIDR minus its exceptions. */
export function blockAddresses(block: NonNullable<PolicyPeer['ipBlock']>): AddressSet {
  let addresses = BLOCKS.get(block);
  if (!addresses) {
    const range = parseCidr(block.cidr);
    addresses = range ? subtract([range], cidrs(block.except)) : [];
    BLOCKS.set(block, addresses);
  }
  return addresses;
}

// Whether a block meets the pod network, and the outside: asked for every pair of a matrix.
const MEETS = new WeakMap<object, { pods: boolean; outside: boolean }>();

/** Whether an ipBlock covers an endpoint's address (or, when unknown, one it may have). */
function blockMatches(block: NonNullable<PolicyPeer['ipBlock']>, endpoint: Endpoint): boolean {
  const covered = blockAddresses(block);
  if (endpoint.ip !== undefined) {
    const address = parseAddress(endpoint.ip);
    return address !== undefined && covered.some((r) => contains(r, address));
  }
  if (endpoint.within) return overlaps(covered, endpoint.within);
  let meets = MEETS.get(block);
  if (!meets) {
    meets = { pods: overlaps(covered, POD_NETWORK), outside: overlaps(covered, OUTSIDE) };
    MEETS.set(block, meets);
  }
  return endpoint.namespace !== undefined ? meets.pods : meets.outside;
}

/** Whether a peer of a rule of a policy in `namespace` is the endpoint; any port. */
export function peerMatches(peer: PolicyPeer, namespace: string, endpoint: Endpoint, match: LabelMatch = kubernetesMatch): boolean {
  if (peer.ipBlock) return blockMatches(peer.ipBlock, endpoint);
  // Pod peers never match an address outside the cluster (cyclonus PodPeerMatcher.Allows).
  if (endpoint.namespace === undefined) return false;
  // No namespaceSelector: the policy's own namespace; an empty one: every namespace.
  const namespaceOk = peer.namespaceSelector === undefined ? endpoint.namespace === namespace : matches(match, peer.namespaceSelector, endpoint.namespaceLabels);
  return namespaceOk && matches(match, peer.podSelector, endpoint.podLabels);
}

/** The name the destination gives a port (and protocol): what a named port of a rule matches. */
export function portName(destination: Endpoint, port: number, protocol: Protocol): string | undefined {
  return destination.ports?.find((p) => p.port === port && p.protocol === protocol)?.name;
}

/** Whether a port of a rule is the connection's port (cyclonus PortProtocolMatcher, PortRangeMatcher). */
function portMatches(rule: PolicyPort, port: number, name: string | undefined, protocol: Protocol): boolean {
  if (rule.protocol !== protocol) return false;
  if (rule.port === undefined) return true;
  if (rule.endPort !== undefined) return typeof rule.port === 'number' && rule.port <= port && port <= rule.endPort;
  return typeof rule.port === 'number' ? rule.port === port : name !== undefined && rule.port === name;
}

function ruleAllows(rule: PolicyRule, namespace: string, peer: Endpoint, port: number, name: string | undefined, protocol: Protocol, match: LabelMatch): boolean {
  if (rule.ports.length > 0 && !rule.ports.some((p) => portMatches(p, port, name, protocol))) return false;
  return rule.peers.length === 0 || rule.peers.some((p) => peerMatches(p, namespace, peer, match));
}

/** What one side's policies decide for a connection. */
export function directionOf(policies: readonly Policy[], traffic: Traffic, direction: Direction, match: LabelMatch = kubernetesMatch): DirectionResult {
  const [target, peer] = direction === 'ingress' ? [traffic.destination, traffic.source] : [traffic.source, traffic.destination];
  const name = portName(traffic.destination, traffic.port, traffic.protocol);
  const allowing: Policy[] = [];
  const denying: Policy[] = [];
  for (const policy of isolating(policies, target, direction, match)) {
    (policy[direction]!.some((r) => ruleAllows(r, policy.namespace, peer, traffic.port, name, traffic.protocol, match)) ? allowing : denying).push(policy);
  }
  return { allowing, denying, allowed: allowing.length > 0 || denying.length === 0 };
}

/** Whether a connection passes both its source's egress and its destination's ingress. */
export function verdict(policies: readonly Policy[], traffic: Traffic, match: LabelMatch = kubernetesMatch): Verdict {
  const ingress = directionOf(policies, traffic, 'ingress', match);
  const egress = directionOf(policies, traffic, 'egress', match);
  return { ingress, egress, allowed: ingress.allowed && egress.allowed };
}

/** Ports, by protocol, as sorted disjoint inclusive ranges. */
export type PortSet = Readonly<Record<Protocol, readonly (readonly [number, number])[]>>;

const FULL: PortSet = { TCP: [[1, 65535]], UDP: [[1, 65535]], SCTP: [[1, 65535]] };
const NONE = (): Record<Protocol, [number, number][]> => ({ TCP: [], UDP: [], SCTP: [] });

function normalize(ranges: readonly (readonly [number, number])[]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function intersect(a: readonly (readonly [number, number])[], b: readonly (readonly [number, number])[]): [number, number][] {
  const out: [number, number][] = [];
  for (const [alo, ahi] of a) for (const [blo, bhi] of b) if (Math.max(alo, blo) <= Math.min(ahi, bhi)) out.push([Math.max(alo, blo), Math.min(ahi, bhi)]);
  return normalize(out);
}

/** The ports a rule port stands for on a destination. */
function rulePorts(rule: PolicyPort, destination: Endpoint): [number, number][] {
  if (rule.port === undefined) return [[1, 65535]];
  if (typeof rule.port === 'number') return rule.endPort !== undefined ? (rule.endPort >= rule.port ? [[rule.port, rule.endPort]] : []) : [[rule.port, rule.port]];
  return (destination.ports ?? []).filter((p) => p.name === rule.port && p.protocol === rule.protocol).map((p) => [p.port, p.port]);
}

/** The ports one side lets through from or to a peer (every port when no policy isolates it). */
function sidePorts(policies: readonly Policy[], target: Endpoint, peer: Endpoint, destination: Endpoint, direction: Direction, match: LabelMatch): PortSet {
  const isolated = isolating(policies, target, direction, match);
  if (isolated.length === 0) return FULL;
  const set = NONE();
  for (const policy of isolated) {
    for (const rule of policy[direction]!) {
      if (rule.peers.length > 0 && !rule.peers.some((p) => peerMatches(p, policy.namespace, peer, match))) continue;
      if (rule.ports.length === 0) return FULL;
      for (const p of rule.ports) set[p.protocol].push(...rulePorts(p, destination));
    }
  }
  return { TCP: normalize(set.TCP), UDP: normalize(set.UDP), SCTP: normalize(set.SCTP) };
}

/**
 * Every port on which `source` can connect to `destination`: the same decision as
 * {@link verdict}, for all ports at once (test/network.test.ts checks the two agree).
 */
export function allowedPorts(policies: readonly Policy[], source: Endpoint, destination: Endpoint, match: LabelMatch = kubernetesMatch): PortSet {
  const egress = sidePorts(policies, source, destination, destination, 'egress', match);
  const ingress = sidePorts(policies, destination, source, destination, 'ingress', match);
  return { TCP: intersect(egress.TCP, ingress.TCP), UDP: intersect(egress.UDP, ingress.UDP), SCTP: intersect(egress.SCTP, ingress.SCTP) };
}

/** Whether a port set holds a port. */
export function hasPort(set: PortSet, port: number, protocol: Protocol): boolean {
  return set[protocol].some(([lo, hi]) => lo <= port && port <= hi);
}

/** Whether a port set is empty. */
export function noPorts(set: PortSet): boolean {
  return PROTOCOLS.every((p) => set[p].length === 0);
}

/** `7077/TCP`, `7100-7116/TCP`, `any TCP port`; `any port` when every port of every protocol. */
export function formatPorts(set: PortSet, names?: readonly ContainerPort[]): string {
  if (PROTOCOLS.every((p) => set[p].length === 1 && set[p][0]![0] === 1 && set[p][0]![1] === 65535)) return 'any port';
  const nameOf = (port: number, protocol: Protocol) => names?.find((n) => n.port === port && n.protocol === protocol)?.name;
  return PROTOCOLS.flatMap((protocol) =>
    set[protocol].flatMap(([lo, hi]) => {
      if (lo === 1 && hi === 65535) return [`any ${protocol} port`];
      // Adjacent named ports (Kafka's broker and controller) read better one by one.
      const ports = hi - lo < 16 ? Array.from({ length: hi - lo + 1 }, (_, i) => lo + i) : [];
      if (lo < hi && ports.length > 0 && ports.every((p) => nameOf(p, protocol) !== undefined)) return ports.map((p) => `${p}/${protocol} (${nameOf(p, protocol)})`);
      const name = lo === hi ? nameOf(lo, protocol) : undefined;
      return [`${lo === hi ? lo : `${lo}-${hi}`}/${protocol}${name ? ` (${name})` : ''}`];
    }),
  ).join(', ');
}
