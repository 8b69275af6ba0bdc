import { allowedPorts, Endpoint, hasPort, kubernetesMatch, LabelMatch, verdict } from '../../../packages/karpenter-validate/src/network/engine';
import { policyOf } from '../../../packages/karpenter-validate/src/network/policies';
import type { LabelSelector } from '../../../packages/karpenter-validate/src/validation/selectors';
import type { NetpolCase } from './corpus';

/**
 * cyclonus v0.5.6's reading of label selectors (pkg/kube/labelselector.go
 * IsLabelsMatchLabelSelector, IsMatchExpressionMatchForLabels): matchLabels compare with a
 * missing label read as "", and NotIn on a missing key is no match, where Kubernetes
 * (k8s.io/apimachinery pkg/labels Requirement.Matches) matches. Only for comparing with cyclonus.
 */
export const cyclonusMatch: LabelMatch = (selector, labels) => {
  const value = (key: string) => (Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined);
  return (
    Object.entries(selector.matchLabels ?? {}).every(([key, expected]) => (value(key) ?? '') === expected) &&
    (selector.matchExpressions ?? []).every((e) => {
      const have = value(e.key);
      if (e.operator === 'In') return have !== undefined && (e.values ?? []).includes(have);
      if (e.operator === 'NotIn') return have !== undefined && !(e.values ?? []).includes(have);
      if (e.operator === 'Exists') return have !== undefined;
      return have === undefined;
    })
  );
};

/** One end of a connection of a case: a pod (its endpoint) or an external address. */
function parties(c: NetpolCase): Endpoint[] {
  return [
    ...c.pods.map((p) => ({ namespace: p.namespace, namespaceLabels: c.namespaces[p.namespace] ?? {}, podLabels: p.labels, ip: p.ip, ports: p.ports })),
    ...c.externals.map((ip) => ({ ip })),
  ];
}

/** Every connection of a case in the oracle's order: sources x destinations (not external to external) x ports. */
export function connections(c: NetpolCase): { source: Endpoint; destination: Endpoint; port: NetpolCase['ports'][number] }[] {
  const all = parties(c);
  return all.flatMap((source) => all.flatMap((destination) => (source.namespace === undefined && destination.namespace === undefined ? [] : c.ports.map((port) => ({ source, destination, port })))));
}

/** Our engine's verdicts on a case, encoded as the oracle encodes them: a digit per connection, bit 0 ingress, bit 1 egress. */
export function ourVerdicts(c: NetpolCase, match: LabelMatch = kubernetesMatch): string {
  const policies = c.policies.map(policyOf);
  return connections(c)
    .map(({ source, destination, port }) => {
      const v = verdict(policies, { source, destination, port: port.port, protocol: port.protocol }, match);
      return String((v.ingress.allowed ? 1 : 0) | (v.egress.allowed ? 2 : 0));
    })
    .join('');
}

/** The policy types our defaulting gives each policy of a case. */
export function ourPolicyTypes(c: NetpolCase): string[][] {
  return c.policies.map(policyOf).map((p) => [...(p.ingress !== undefined ? ['Ingress'] : []), ...(p.egress !== undefined ? ['Egress'] : [])]);
}

/** The same order-free: the oracle keeps the order policyTypes were written in. */
export const sortedTypes = (types: readonly (readonly string[])[]) => types.map((t) => [...t].sort());

/** Connections where allowedPorts (every port at once) and verdict (one port) disagree. */
export function portSetDisagreements(c: NetpolCase): string[] {
  const policies = c.policies.map(policyOf);
  return connections(c).flatMap(({ source, destination, port }, i) => {
    const one = verdict(policies, { source, destination, port: port.port, protocol: port.protocol }).allowed;
    const all = hasPort(allowedPorts(policies, source, destination), port.port, port.protocol);
    return one === all ? [] : [`${c.name} #${i}: verdict ${one}, allowedPorts ${all}`];
  });
}

/** Where two verdict strings differ: `#index: oracle x, ours y` (ingress bit 1, egress bit 2). */
export function differences(name: string, theirs: string, ours: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.max(theirs.length, ours.length); i++) if (theirs[i] !== ours[i]) out.push(`${name} #${i}: oracle ${theirs[i]}, ours ${ours[i]}`);
  return out;
}

/**
 * Our selector matching in the oracle's order: each policy's podSelector, then each peer's
 * namespaceSelector and podSelector (ingress rules, then egress rules), against every pod's
 * labels and then every namespace's labels (by name): a digit per pair, 1 for a match.
 */
export function ourSelectors(c: NetpolCase, match: LabelMatch = kubernetesMatch): string {
  const selectors: LabelSelector[] = c.policies.flatMap((p) => {
    const spec = p.spec ?? {};
    const peers = [...(spec.ingress ?? []).flatMap((r: any) => r.from ?? []), ...(spec.egress ?? []).flatMap((r: any) => r.to ?? [])];
    return [spec.podSelector ?? {}, ...peers.flatMap((peer: any) => [...(peer.namespaceSelector ? [peer.namespaceSelector] : []), ...(peer.podSelector ? [peer.podSelector] : [])])];
  });
  const sets = [...c.pods.map((p) => p.labels), ...Object.keys(c.namespaces).sort().map((n) => c.namespaces[n]!)];
  return selectors.map((selector) => sets.map((labels) => (match(selector, labels) ? '1' : '0')).join('')).join('');
}
