import { AddressRange, AddressSet, cidrs, covers, formatAddress, subtract } from './addresses';
import { blockAddresses, Endpoint, isolating, Traffic, verdict } from './engine';
import type { Policy, Protocol } from './policies';

/** `NetworkPolicy ns/a, ns/b`. */
export function describePolicies(policies: readonly Policy[]): string {
  return `NetworkPolic${policies.length === 1 ? 'y' : 'ies'} ${policies.map((p) => `${p.namespace}/${p.name}`).join(', ')}`;
}

/** Why a connection is denied: which side isolates it, by which policies. Undefined when it is allowed. */
export function whyDenied(policies: readonly Policy[], traffic: Traffic, names: { readonly source: string; readonly destination: string }): string | undefined {
  const v = verdict(policies, traffic);
  if (v.allowed) return undefined;
  const port = `${traffic.port}/${traffic.protocol}`;
  const reasons: string[] = [];
  if (!v.egress.allowed) reasons.push(`the egress of ${names.source} is isolated by ${describePolicies(v.egress.denying)}, and none of their rules allows ${port} to ${names.destination}`);
  if (!v.ingress.allowed) reasons.push(`the ingress of ${names.destination} is isolated by ${describePolicies(v.ingress.denying)}, and none of their rules allows ${port} from ${names.source}`);
  return reasons.join('; ');
}

/**
 * The addresses outside the cluster a pod may connect to on a port: everything when no policy
 * isolates its egress, otherwise what the ipBlocks (and peer-less rules) of its isolating
 * policies' rules that allow the port cover.
 */
export function egressAddresses(policies: readonly Policy[], source: Endpoint, port: number, protocol: Protocol): AddressSet {
  const everything = cidrs(['0.0.0.0/0', '::/0']);
  const isolated = isolating(policies, source, 'egress');
  if (isolated.length === 0) return everything;
  const allowed: AddressRange[] = [];
  for (const policy of isolated) {
    for (const rule of policy.egress!) {
      const portOk = rule.ports.length === 0 || rule.ports.some((p) => p.protocol === protocol && (p.port === undefined || (typeof p.port === 'number' && (p.endPort !== undefined ? p.port <= port && port <= p.endPort : p.port === port))));
      if (!portOk) continue;
      if (rule.peers.length === 0) return everything;
      for (const peer of rule.peers) if (peer.ipBlock) allowed.push(...blockAddresses(peer.ipBlock));
    }
  }
  return allowed;
}

/** The first addresses of `wanted` that `allowed` lacks, for a message; undefined when it has them all. */
export function missingAddresses(allowed: AddressSet, wanted: AddressSet): string | undefined {
  if (covers(allowed, wanted)) return undefined;
  const missing = subtract(wanted, allowed);
  return missing
    .slice(0, 3)
    .map((r) => (r.first === r.last ? formatAddress(r.family, r.first) : `${formatAddress(r.family, r.first)}-${formatAddress(r.family, r.last)}`))
    .join(', ') + (missing.length > 3 ? ', ...' : '');
}
