import type { KubeObject } from 'karpenter-validate';
import { isEmptySelector, LabelSelector, selects } from 'karpenter-validate/model';
import { OUTSIDE, overlaps } from 'karpenter-validate/network';
import { allowedPorts, blockAddresses, Endpoint, formatPorts, isolating, noPorts, PortSet } from 'karpenter-validate/network';
import { endpointOf, NAMESPACE_NAME_LABEL, namespaceLabels, NetworkSet, networkSet, PodGroup } from 'karpenter-validate/network';
import { Policy, PolicyPeer, Protocol, PROTOCOLS } from 'karpenter-validate/network';

/**
 * Who can reach whom, computed from the NetworkPolicies of a set (never from config/): every
 * pair of the set's pods, the pods outside the set its policies name (CoreDNS, the Jenkins
 * controller, Redis...), any other pod of the cluster and any address outside it, with the ports
 * the engine (engine.ts) allows between them; and, per pod group, the addresses outside the
 * cluster its egress rules allow.
 */

/** A connection the policies allow. */
export interface Reach {
  readonly from: string;
  readonly to: string;
  readonly ports: string;
}

export interface Reachability {
  /** Pairs with at least one port allowed; a row per pair. */
  readonly reaches: readonly Reach[];
  /** Per pod group of the set, the addresses outside the cluster it may connect to. */
  readonly leaves: readonly Reach[];
  /** Pod groups of the set no policy isolates, by direction: anything reaches them, or they reach anything. */
  readonly open: { readonly ingress: readonly string[]; readonly egress: readonly string[] };
}

/** Any pod of a namespace outside the set that no policy names. */
export const ANY_OTHER_POD = 'any other pod';
/** Any address outside the cluster. */
export const OUTSIDE_CLUSTER = 'outside the cluster';
const OTHER_NAMESPACE = 'another namespace';

interface Party {
  readonly name: string;
  readonly endpoint: Endpoint;
  /** A pod group of the set (its rows and columns are the matrix's subject). */
  readonly inSet: boolean;
}

function describeLabels(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ');
}

/** The pods outside the set a peer of a policy names, as one endpoint (when a namespace and labels say who they are). */
function outsidePeer(set: NetworkSet, policy: Policy, peer: PolicyPeer): Party | undefined {
  if (peer.ipBlock) return undefined;
  const nsSelector = peer.namespaceSelector;
  let namespace: string;
  let labels: Readonly<Record<string, string>>;
  if (nsSelector === undefined) {
    namespace = policy.namespace;
    labels = namespaceLabels(set, namespace);
  } else if (nsSelector.matchLabels?.[NAMESPACE_NAME_LABEL] !== undefined && (nsSelector.matchExpressions ?? []).length === 0) {
    namespace = nsSelector.matchLabels[NAMESPACE_NAME_LABEL];
    labels = { ...namespaceLabels(set, namespace), ...nsSelector.matchLabels };
  } else if (isEmptySelector(nsSelector)) {
    namespace = OTHER_NAMESPACE;
    labels = {};
  } else {
    namespace = `namespaces ${describeLabels(nsSelector.matchLabels ?? {})}${(nsSelector.matchExpressions ?? []).length > 0 ? ' (and expressions)' : ''}`;
    labels = { ...nsSelector.matchLabels };
  }
  const podLabels: Record<string, string> = { ...(peer.podSelector?.matchLabels ?? {}) };
  // matchExpressions: a pod that satisfies In with its first value (the others only narrow).
  for (const e of peer.podSelector?.matchExpressions ?? []) if (e.operator === 'In' && e.values?.[0] !== undefined) podLabels[e.key] = e.values[0];
  const endpoint: Endpoint = { namespace, namespaceLabels: labels, podLabels };
  // Pods of the set it names are in the matrix already.
  if (set.groups.some((g) => g.namespace === namespace && (peer.podSelector === undefined || isEmptySelector(peer.podSelector) || selects(peer.podSelector as LabelSelector, g.labels)))) return undefined;
  const who = Object.keys(podLabels).length > 0 ? `${namespace} pods ${describeLabels(podLabels)}` : namespace === OTHER_NAMESPACE ? 'any pod of any namespace' : `${namespace.startsWith('namespaces ') ? namespace : `namespace ${namespace}`} (any pod)`;
  return { name: who, endpoint, inSet: false };
}

/** The addresses outside the cluster a group's egress rules allow, with their ports. */
function leaving(set: NetworkSet, group: PodGroup): Reach[] {
  const isolated = isolating(set.policies, endpointOf(set, group), 'egress');
  if (isolated.length === 0) return [{ from: group.ref, to: 'anywhere (no policy isolates its egress)', ports: 'any port' }];
  const byTarget = new Map<string, Record<Protocol, (readonly [number, number])[]>>();
  const add = (to: string, ports: PortSet) => {
    const existing = byTarget.get(to) ?? { TCP: [], UDP: [], SCTP: [] };
    for (const p of PROTOCOLS) existing[p].push(...ports[p]);
    byTarget.set(to, existing);
  };
  for (const policy of isolated) {
    for (const rule of policy.egress!) {
      const blocks = rule.peers.length === 0 ? [{ cidr: '0.0.0.0/0', except: [] as string[] }, { cidr: '::/0', except: [] as string[] }] : rule.peers.flatMap((p) => (p.ipBlock ? [p.ipBlock] : []));
      for (const block of blocks) {
        const addresses = blockAddresses(block);
        if (!overlaps(addresses, OUTSIDE)) continue;
        const to = `${block.cidr}${block.except.length > 0 ? ` except ${block.except.join(', ')}` : ''}`;
        // The rule's ports, on an address of the block: the same engine decides.
        const outside: Endpoint = { within: addresses };
        add(to, allowedPorts([{ ...policy, egress: [rule] }], endpointOf(set, group), outside));
      }
    }
  }
  return [...byTarget.entries()].map(([to, ports]) => ({ from: group.ref, to, ports: formatPorts(normalized(ports)) }));
}

function normalized(set: PortSet): PortSet {
  const merge = (ranges: readonly (readonly [number, number])[]) => {
    const out: [number, number][] = [];
    for (const [lo, hi] of [...ranges].sort((a, b) => a[0] - b[0])) {
      const last = out[out.length - 1];
      if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
      else out.push([lo, hi]);
    }
    return out;
  };
  return { TCP: merge(set.TCP), UDP: merge(set.UDP), SCTP: merge(set.SCTP) };
}

/** The reachability of a set of objects (a synthesized environment, or any manifests). */
export function reachability(objects: readonly KubeObject[]): Reachability {
  const set = networkSet(objects);
  const groups = set.groups;
  const inSet: Party[] = groups.map((g) => ({ name: g.ref, endpoint: endpointOf(set, g), inSet: true }));
  const outside = new Map<string, Party>();
  for (const policy of set.policies) {
    for (const rule of [...(policy.ingress ?? []), ...(policy.egress ?? [])]) {
      for (const peer of rule.peers) {
        const party = outsidePeer(set, policy, peer);
        if (party && !outside.has(party.name)) outside.set(party.name, party);
      }
    }
  }
  const others: Party[] = [
    ...[...outside.values()].sort((a, b) => a.name.localeCompare(b.name)),
    { name: ANY_OTHER_POD, endpoint: { namespace: OTHER_NAMESPACE, namespaceLabels: {}, podLabels: {} }, inSet: false },
    { name: OUTSIDE_CLUSTER, endpoint: {}, inSet: false },
  ];
  const parties = [...inSet, ...others];
  const reaches: Reach[] = [];
  for (const from of parties) {
    for (const to of [...inSet, ...others.filter((o) => o.name !== ANY_OTHER_POD && o.name !== OUTSIDE_CLUSTER)]) {
      if (!from.inSet && !to.inSet) continue;
      const ports = allowedPorts(set.policies, from.endpoint, to.endpoint);
      if (!noPorts(ports)) reaches.push({ from: from.name, to: to.name, ports: formatPorts(ports, to.endpoint.ports) });
    }
  }
  const open = {
    ingress: groups.filter((g) => isolating(set.policies, endpointOf(set, g), 'ingress').length === 0).map((g) => g.ref),
    egress: groups.filter((g) => isolating(set.policies, endpointOf(set, g), 'egress').length === 0).map((g) => g.ref),
  };
  return { reaches, leaves: groups.flatMap((g) => leaving(set, g)), open };
}
