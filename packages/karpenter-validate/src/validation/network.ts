import { cidrs, subtract } from '../network/addresses';
import { CLIENTS_ANNOTATION, DeclaredPods, DeclaredPort, describeDeclared, FLOWS_ANNOTATION, isDeclaredAddresses, readClients, readFlows } from '../network/declared';
import { allowedPorts, Endpoint, hasPort, isolating } from '../network/engine';
import { describePolicies, egressAddresses, missingAddresses, whyDenied } from '../network/explain';
import { endpointOf, groupOf, NAMESPACE_NAME_LABEL, NetworkSet, PodGroup, podsOutside } from '../network/pods';
import { isNetworkPolicy, policyOf, Protocol } from '../network/policies';
import type { Checked } from './cluster';
import { child, KubeObject, Severity } from './findings';
import { isObject, Json, podOf } from './pods';
import { isEmptySelector, selects } from './selectors';

/**
 * What the set's NetworkPolicies do to its own pods, with Kubernetes' semantics
 * (src/network/engine.ts): namespaces left open, policies that select nothing, pods that
 * cannot resolve names, and flows the output declares (Services' clients, pods' flows) that the
 * policies deny. The sync succeeds in each case; the workload does not work, or is not isolated.
 */

export interface NetworkOptions {
  /** The set is everything that will exist (synth). */
  readonly complete: boolean;
  /** Production rules apply: every namespace with pods needs a policy, whether or not the set uses them elsewhere. */
  readonly production: boolean;
}

/**
 * The CoreDNS pods of an EKS cluster (the CoreDNS add-on's Deployment in kube-system, ports
 * `dns` 53/UDP and `dns-tcp` 53/TCP), used when the set does not hold them.
 */
const COREDNS: Endpoint = {
  namespace: 'kube-system',
  namespaceLabels: { [NAMESPACE_NAME_LABEL]: 'kube-system' },
  podLabels: { 'k8s-app': 'kube-dns', 'eks.amazonaws.com/component': 'coredns' },
  ports: [
    { name: 'dns', port: 53, protocol: 'UDP' },
    { name: 'dns-tcp', port: 53, protocol: 'TCP' },
    { name: 'metrics', port: 9153, protocol: 'TCP' },
  ],
};

interface Member {
  readonly group: PodGroup;
  readonly item: Checked;
}

const namespaceOf = (o: KubeObject) => (typeof o.metadata?.namespace === 'string' ? o.metadata.namespace : 'default');
const annotationsOf = (o: KubeObject): Record<string, unknown> => (isObject(o.metadata?.annotations) ? (o.metadata!.annotations as Record<string, unknown>) : {});

/** The pods a declaration names: the set's, or pods outside it with the labels its selector requires. */
function podsOf(set: NetworkSet, members: readonly Member[], pods: DeclaredPods): { name: string; endpoint: Endpoint }[] {
  const selector = pods.podSelector;
  const found = members.filter((m) => m.group.namespace === pods.namespace && (selector === undefined || isEmptySelector(selector) || selects(selector, m.group.labels)));
  if (found.length > 0) return found.map((m) => ({ name: `${m.group.kind} ${m.group.ref}`, endpoint: endpointOf(set, m.group) }));
  const labels: Record<string, string> = { ...(selector?.matchLabels ?? {}) };
  for (const e of selector?.matchExpressions ?? []) if (e.operator === 'In' && e.values?.[0] !== undefined) labels[e.key] = e.values[0];
  return [{ name: describeDeclared(pods), endpoint: podsOutside(set, pods.namespace, labels) }];
}

// What an endpoint is to a NetworkPolicy: two with the same key get the same verdict from any policy.
const ENDPOINT_KEYS = new WeakMap<Endpoint, string>();
const endpointKey = (e: Endpoint): string => {
  let k = ENDPOINT_KEYS.get(e);
  if (k === undefined) {
    k = JSON.stringify([e.namespace, e.namespaceLabels, e.podLabels && Object.entries(e.podLabels).sort(), e.ip, e.within, e.ports]);
    ENDPOINT_KEYS.set(e, k);
  }
  return k;
};

/**
 * One of each kind of endpoint, with how many more are alike: pods of several workloads with the
 * same labels in one namespace get the same verdict from every policy, so a Service that selects
 * many of them, or a declared client that is many, is checked once per kind, not once per pair
 * (which grew with the cube of the objects, copies of one workload being the worst case).
 */
function alike<T>(items: readonly T[], endpoint: (item: T) => Endpoint): { item: T; others: number }[] {
  const byKey = new Map<string, { item: T; others: number }>();
  for (const item of items) {
    const key = endpointKey(endpoint(item));
    const seen = byKey.get(key);
    if (seen) seen.others++;
    else byKey.set(key, { item, others: 0 });
  }
  return [...byKey.values()];
}

/** How many more pods of the set are alike an endpoint: the members {@link alike} folded into one kind. */
type AlikeCount = (endpoint: Endpoint) => number;

const andOthers = (others: number) => (others === 0 ? '' : ` (and ${others} more alike)`);

/** The ports of a declared port or range that a port set lacks (the first few, for a message). */
function missingPorts(allowed: ReturnType<typeof allowedPorts>, port: DeclaredPort): number[] {
  const last = port.endPort ?? port.port;
  const missing: number[] = [];
  for (let p = port.port; p <= last && missing.length < 3; p++) if (!hasPort(allowed, p, port.protocol)) missing.push(p);
  return missing;
}

const show = (port: DeclaredPort) => `${port.endPort !== undefined ? `${port.port}-${port.endPort}` : port.port}/${port.protocol}`;

/** Namespaces whose pods no NetworkPolicy governs (CIS Kubernetes Benchmark 5.3.2). */
function checkMissing(members: readonly Member[], items: readonly Checked[], set: NetworkSet, options: NetworkOptions, severity: Severity): void {
  if (!options.production && set.policies.length === 0) return;
  const governed = new Set(set.policies.map((p) => p.namespace));
  const byNamespace = new Map<string, Member[]>();
  for (const m of members) if (!governed.has(m.group.namespace)) byNamespace.set(m.group.namespace, [...(byNamespace.get(m.group.namespace) ?? []), m]);
  for (const [namespace, open] of byNamespace) {
    const pods = open.map((m) => `${m.group.kind} ${m.group.ref}`);
    const message = `namespace "${namespace}" runs pods (${pods.join(', ')}) and has no NetworkPolicy${options.complete ? '' : ' in the files given'}: every pod of the cluster can reach them and they can reach anything (CIS Kubernetes Benchmark 5.3.2). Add a default deny (podSelector {}, policyTypes Ingress and Egress) and allow what they need, or waive the rule with the reason`;
    const ns = items.find((i) => i.object.kind === 'Namespace' && i.object.metadata?.name === namespace);
    if (ns) ns.reporter.report('network-policy-missing', 'metadata.name', message, namespace, severity);
    else for (const m of open) m.item.reporter.report('network-policy-missing', 'metadata.namespace', message, namespace, severity);
  }
}

/** Policies whose pod selector picks no pod of their namespace: a typo leaves the pods meant open. */
function checkSelectsNothing(policies: readonly Checked[], members: readonly Member[], severity: Severity, complete: boolean): void {
  for (const { object, reporter } of policies) {
    const policy = policyOf(object);
    if (isEmptySelector(policy.podSelector)) continue;
    if (members.some((m) => m.group.namespace === policy.namespace && selects(policy.podSelector, m.group.labels))) continue;
    const labels = members.filter((m) => m.group.namespace === policy.namespace).map((m) => `${m.group.ref} {${Object.entries(m.group.labels).map(([k, v]) => `${k}=${v}`).join(', ')}}`);
    reporter.report(
      'network-policy-selects-nothing',
      'spec.podSelector',
      `selects no pod of namespace "${policy.namespace}"${complete ? '' : ' in the files given'} (its pods: ${labels.join('; ') || 'none'}): it isolates nothing and allows nothing, and the pods it was meant for stay as they were. Fix the selector's labels`,
      policy.podSelector,
      severity,
    );
  }
}

/** Pods whose egress is isolated must still reach CoreDNS on 53 over UDP and TCP. */
function checkDns(members: readonly Member[], set: NetworkSet, severity: Severity): void {
  const inSet = members.filter((m) => m.group.namespace === 'kube-system' && m.group.labels['k8s-app'] === 'kube-dns');
  const servers = inSet.length > 0 ? inSet.map((m) => endpointOf(set, m.group)) : [COREDNS];
  for (const m of members) {
    const source = endpointOf(set, m.group);
    const isolated = isolating(set.policies, source, 'egress');
    if (isolated.length === 0) continue;
    const missing = (['UDP', 'TCP'] as const).filter((protocol) => !servers.some((dns) => hasPort(allowedPorts(set.policies, source, dns), 53, protocol)));
    if (missing.length === 0) continue;
    const pod = podOf(m.item.object);
    m.item.reporter.report(
      'dns-egress-denied',
      pod?.path ?? '',
      `its pods cannot resolve names: ${describePolicies(isolated)} isolate${isolated.length === 1 ? 's' : ''} their egress and allow${isolated.length === 1 ? 's' : ''} no ${missing.map((p) => `53/${p}`).join(' or ')} to CoreDNS (namespace kube-system, pods k8s-app=kube-dns). Allow egress to it on 53/UDP and 53/TCP (answers that do not fit in UDP are retried over TCP)`,
      missing.map((p) => `53/${p}`),
      severity,
    );
  }
}

/** The port a Service port reaches on a pod group: targetPort as a number or a container port name. */
function targetOf(port: Json, group: PodGroup): { port: number; protocol: Protocol } | undefined {
  const protocol = (['TCP', 'UDP', 'SCTP'] as const).find((p) => p === port.protocol) ?? 'TCP';
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return { port: target, protocol };
  const named = group.ports.find((p) => p.name === target && p.protocol === protocol);
  return named ? { port: named.port, protocol } : undefined;
}

/** Each Service port, from each client its `karpenter-as-code.io/clients` declares; `members`, one of each kind of endpoint. */
function checkServices(services: readonly Checked[], members: readonly Member[], set: NetworkSet, severity: Severity, alikeCount: AlikeCount): void {
  for (const { object, reporter } of services) {
    const text = annotationsOf(object)[CLIENTS_ANNOTATION];
    if (typeof text !== 'string') continue;
    const path = child(child('metadata', 'annotations'), CLIENTS_ANNOTATION);
    const clients = readClients(text);
    if ('error' in clients) {
      reporter.report('service-unreachable', path, clients.error as string, text, severity);
      continue;
    }
    const spec = isObject(object.spec) ? object.spec : {};
    const selector = isObject(spec.selector) ? (spec.selector as Record<string, string>) : undefined;
    if (!selector || Object.keys(selector).length === 0) continue;
    const backends = members.filter((m) => m.group.namespace === namespaceOf(object) && selects({ matchLabels: selector }, m.group.labels));
    const ports = (Array.isArray(spec.ports) ? spec.ports : []).filter(isObject);
    for (const [name, declared] of Object.entries(clients)) {
      const port = ports.find((p: Json) => p.name === name);
      if (!port) {
        reporter.report('service-unreachable', path, `declares clients of port "${name}", which the Service does not have (ports: ${ports.map((p: Json) => p.name).join(', ')})`, name, severity);
        continue;
      }
      const clientKinds = alike(declared.flatMap((pods) => podsOf(set, members, pods)), (c) => c.endpoint);
      for (const backend of backends) {
        const target = targetOf(port, backend.group);
        if (!target) continue;
        const destination = endpointOf(set, backend.group);
        for (const { item: client } of clientKinds) {
          const why = whyDenied(set.policies, { source: client.endpoint, destination, port: target.port, protocol: target.protocol }, { source: client.name, destination: `${backend.group.kind} ${backend.group.ref}` });
          if (why) reporter.report('service-unreachable', child(path, name), `port "${name}" (${target.port}/${target.protocol} on its pods) is not reachable from its declared client ${client.name}${andOthers(alikeCount(client.endpoint))}: ${why}. The sync succeeds and the client's connections time out: allow the flow, or drop the client from the annotation`, target.port, severity);
        }
      }
    }
  }
}

/** Whether a Service's clients annotation already states (and so checks) an ingress flow on a port. */
function statedByService(services: readonly Checked[], member: Member, from: DeclaredPods, port: number): boolean {
  return services.some(({ object }) => {
    if (namespaceOf(object) !== member.group.namespace) return false;
    const spec = isObject(object.spec) ? object.spec : {};
    if (!isObject(spec.selector) || !selects({ matchLabels: spec.selector as Record<string, string> }, member.group.labels)) return false;
    const text = annotationsOf(object)[CLIENTS_ANNOTATION];
    const clients = typeof text === 'string' ? readClients(text) : undefined;
    if (!clients || 'error' in clients) return false;
    return (Array.isArray(spec.ports) ? spec.ports : []).filter(isObject).some((p: Json) => targetOf(p, member.group)?.port === port && (clients[String(p.name)] ?? []).some((c) => JSON.stringify(c) === JSON.stringify(from)));
  });
}

/** Every flow an object's `karpenter-as-code.io/flows` declares, against the policies. */
function checkFlows(members: readonly Member[], kinds: readonly Member[], services: readonly Checked[], set: NetworkSet, severity: Severity, alikeCount: AlikeCount): void {
  for (const member of members) {
    const text = annotationsOf(member.group.object)[FLOWS_ANNOTATION];
    if (typeof text !== 'string') continue;
    const { reporter } = member.item;
    const path = child(child('metadata', 'annotations'), FLOWS_ANNOTATION);
    const flows = readFlows(text);
    if ('error' in flows) {
      reporter.report('declared-flow-denied', path, flows.error as string, text, severity);
      continue;
    }
    const self = endpointOf(set, member.group);
    const me = `${member.group.kind} ${member.group.ref}`;
    (flows.ingress ?? []).forEach((flow, i) => {
      for (const { item: client } of alike(podsOf(set, kinds, flow.from), (c) => c.endpoint)) {
        const allowed = allowedPorts(set.policies, client.endpoint, self);
        for (const port of flow.ports) {
          const missing = missingPorts(allowed, port).filter((p) => !statedByService(services, member, flow.from, p));
          if (missing.length === 0) continue;
          const why = whyDenied(set.policies, { source: client.endpoint, destination: self, port: missing[0]!, protocol: port.protocol }, { source: client.name, destination: me });
          reporter.report('declared-flow-denied', `${path} ingress[${i}]`, `declares that ${client.name}${andOthers(alikeCount(client.endpoint))} connects to its pods on ${show(port)}, but the NetworkPolicies deny ${missing.map((p) => `${p}/${port.protocol}`).join(', ')}: ${why}. Allow the flow in the policies (or in what they are made from), or drop it from the declaration`, show(port), severity);
        }
      }
    });
    (flows.egress ?? []).forEach((flow, i) => {
      const to = flow.to;
      if (isDeclaredAddresses(to)) {
        const wanted = subtract(cidrs(to.cidrs), cidrs(to.except ?? []));
        for (const port of flow.ports) {
          const last = port.endPort ?? port.port;
          // A long range is checked at its ends; the ports between are rarely treated otherwise.
          const sample = last - port.port <= 256 ? Array.from({ length: last - port.port + 1 }, (_, k) => port.port + k) : [port.port, last];
          for (const p of sample) {
            const missing = missingAddresses(egressAddresses(set.policies, self, p, port.protocol), wanted);
            if (!missing) continue;
            const isolated = isolating(set.policies, self, 'egress');
            reporter.report('declared-flow-denied', `${path} egress[${i}]`, `declares that its pods connect to ${describeDeclared(to)} on ${show(port)}, but the egress its ${describePolicies(isolated)} allow${isolated.length === 1 ? 's' : ''} on ${p}/${port.protocol} misses ${missing}. Allow the flow in the policies, or drop it from the declaration`, show(port), severity);
            break;
          }
        }
        return;
      }
      for (const { item: server } of alike(podsOf(set, kinds, to), (c) => c.endpoint)) {
        const allowed = allowedPorts(set.policies, self, server.endpoint);
        for (const port of flow.ports) {
          const missing = missingPorts(allowed, port);
          if (missing.length === 0) continue;
          const why = whyDenied(set.policies, { source: self, destination: server.endpoint, port: missing[0]!, protocol: port.protocol }, { source: me, destination: server.name });
          reporter.report('declared-flow-denied', `${path} egress[${i}]`, `declares that its pods connect to ${server.name}${andOthers(alikeCount(server.endpoint))} on ${show(port)}, but the NetworkPolicies deny ${missing.map((p) => `${p}/${port.protocol}`).join(', ')}: ${why}. Allow the flow in the policies, or drop it from the declaration`, show(port), severity);
        }
      }
    });
  }
}

/** The network rules over a set: its pods (JCasC pod templates included) against its NetworkPolicies. */
export function checkNetwork(items: readonly Checked[], options: NetworkOptions): void {
  const severity: Severity = options.complete ? 'error' : 'warning';
  const members: Member[] = items.flatMap((item) => {
    const group = groupOf(item.object, item.embedded ?? false);
    return group ? [{ group, item }] : [];
  });
  const objects = items.filter((i) => !i.embedded).map((i) => i.object);
  const namespaces = new Map<string, Readonly<Record<string, string>>>();
  for (const o of objects) if (o.kind === 'Namespace' && typeof o.metadata?.name === 'string') namespaces.set(o.metadata.name, { ...(isObject(o.metadata.labels) ? (o.metadata.labels as Record<string, string>) : {}), [NAMESPACE_NAME_LABEL]: o.metadata.name });
  const policyItems = items.filter((i) => !i.embedded && isNetworkPolicy(i.object));
  const set: NetworkSet = { groups: members.map((m) => m.group), namespaces, policies: policyItems.map((i) => policyOf(i.object)) };
  const services = items.filter((i) => !i.embedded && i.object.kind === 'Service');
  checkMissing(members, items, set, options, severity);
  checkSelectsNothing(policyItems, members, severity, options.complete);
  checkDns(members, set, severity);
  // One member of each kind of endpoint (alike): what clients and backends are looked up in.
  const folded = alike(members, (m) => endpointOf(set, m.group));
  const kinds = folded.map((k) => k.item);
  const othersByKey = new Map(folded.map((k) => [endpointKey(endpointOf(set, k.item.group)), k.others]));
  const alikeCount: AlikeCount = (e) => othersByKey.get(endpointKey(e)) ?? 0;
  checkServices(services, kinds, set, severity, alikeCount);
  checkFlows(members, kinds, services, set, severity, alikeCount);
}
