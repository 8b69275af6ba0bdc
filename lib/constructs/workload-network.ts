import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import type { ComponentNetwork, EgressFlow, FlowPort, IngressFlow, NamespacePeer, Prerequisite, WorkloadPeer } from '../../config/types';
import { NamespacedChart } from './chart-props';
import { WORKLOADS, WorkloadName } from '../../config/workloads';
import { fail } from '../config/errors';
import { isObject, Json } from 'karpenter-validate/model';
import type { LabelSelector } from 'karpenter-validate/model';
import type { Workload } from './workload';
import { parseCidr } from 'karpenter-validate/network';
import { CLIENTS_ANNOTATION, DeclaredAddresses, DeclaredFlows, DeclaredPods, DeclaredPort, FLOWS_ANNOTATION } from 'karpenter-validate/network';
import { NAMESPACE_NAME_LABEL } from 'karpenter-validate/network';
import type { Protocol } from 'karpenter-validate/network';

/**
 * The CoreDNS pods every pod resolves names through: the EKS CoreDNS add-on's, in kube-system,
 * labelled k8s-app=kube-dns, serving on 53 over UDP and TCP (a resolver retries over TCP when an
 * answer does not fit in UDP).
 * @see https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html
 */
export const CLUSTER_DNS = { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, port: 53 } as const;

/**
 * Where "the public internet" is: everything but the private (RFC 1918), shared (RFC 6598) and
 * link-local ranges, so that an egress rule to an endpoint outside the cluster reaches no pod
 * (EKS pods take VPC addresses) and not the instance metadata service (169.254.169.254): the
 * workloads use their service account's role (IRSA), never the node's.
 */
export const INTERNET = { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] } as const;

/**
 * What enforces the policies: the VPC CNI's network policy agent. Without it the API server
 * stores the NetworkPolicies and nothing enforces them.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html
 */
export const POLICY_ENFORCEMENT: Prerequisite = {
  kind: 'EKS add-on',
  name: 'vpc-cni, network policy enabled',
  purpose:
    'enforces the NetworkPolicies: VPC CNI 1.14 or later with configuration {"enableNetworkPolicy": "true"} (the aws-network-policy-agent container of aws-node); without it they are stored and enforce nothing. In its default standard mode a new pod\'s traffic is allowed until its policies are programmed; NETWORK_POLICY_ENFORCING_MODE=strict denies it until then, but then kube-system (CoreDNS) needs policies of its own',
};

/** A port of a part of a workload: a container port, or a range its software binds. */
export interface PartPort {
  readonly port: number;
  /** @default a single port */
  readonly endPort?: number;
  /** @default 'TCP' */
  readonly protocol?: Protocol;
}

/** Props of {@link WorkloadNetwork.addComponent}. */
export interface NetworkPartProps {
  /** Name of the part's NetworkPolicy: its pods' name (`spark-worker`). */
  readonly name: string;
  /** The part, when built with the Workload construct: its selector, container ports, controller and Services. @default none */
  readonly workload?: Workload;
  /** Its pods' selector. @default the workload's (app.kubernetes.io/name) */
  readonly selector?: LabelSelector;
  /** Ports beyond its containers' named ports: ranges its software binds, by name. @default none */
  readonly ports?: Readonly<Record<string, PartPort>>;
  /** Further objects that run its pods (Jobs): each carries the part's declared flows. @default none */
  readonly carriers?: readonly ApiObject[];
}

/** Props of {@link WorkloadNetwork}. */
export interface WorkloadNetworkProps {
  /** The workload, by its name in config/workloads.ts. */
  readonly workload: WorkloadName;
  /** Its namespace. */
  readonly namespace: string;
}

interface Part {
  readonly workload: WorkloadName;
  readonly component: string;
  readonly namespace: string;
  readonly selector: LabelSelector;
  readonly ports: Readonly<Record<string, PartPort>>;
}

/** The parts of every workload an App's charts register, and the namespaces that already have their default deny. */
interface Registry {
  readonly parts: Map<string, Part>;
  readonly namespaces: Set<string>;
  /** Whether a chart of the App declares the enforcement prerequisite already. */
  enforcement: boolean;
}

// One registry per App (a construct tree): each environment's charts resolve their peers among their own.
const REGISTRIES = new WeakMap<IConstruct, Registry>();

function registryOf(scope: IConstruct): Registry {
  const root = scope.node.root;
  let registry = REGISTRIES.get(root);
  if (!registry) {
    registry = { parts: new Map(), namespaces: new Set(), enforcement: false };
    REGISTRIES.set(root, registry);
  }
  return registry;
}

const key = (workload: string, component: string) => `${workload}/${component}`;
const isWorkloadPeer = (peer: WorkloadPeer | NamespacePeer): peer is WorkloadPeer => 'workload' in peer;
const protocolOf = (p: { readonly protocol?: Protocol }): Protocol => p.protocol ?? 'TCP';
const portKey = (p: DeclaredPort) => `${p.protocol}/${String(p.port).padStart(5, '0')}-${p.endPort ?? ''}`;

function uniquePorts(ports: readonly DeclaredPort[]): DeclaredPort[] {
  const byKey = new Map(ports.map((p) => [portKey(p), p]));
  return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
}

/** The container ports of a controller's pod template, by name. */
function containerPorts(controller: ApiObject): Record<string, PartPort> {
  const spec = (controller.toJson() as Json).spec?.template?.spec ?? {};
  const ports: Record<string, PartPort> = {};
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])] as Json[]) {
    for (const p of (c.ports ?? []) as Json[]) if (typeof p.name === 'string') ports[p.name] = { port: p.containerPort, protocol: p.protocol ?? 'TCP' };
  }
  return ports;
}

/**
 * A workload's NetworkPolicies, derived from its `network` entry in config/workloads.ts: a
 * default deny for its namespace (ingress and egress, every pod), then per part of the workload
 * one policy that allows exactly its declared clients on their ports, DNS, the servers of the
 * set that declare it as a client, and its declared egress. Its chart adds each part
 * ({@link addComponent}); peers in other workloads resolve once every chart of the App is built,
 * and a peer left out of the environment allows nothing. The flows are also written where the
 * validator reads them: on the objects that run the pods (`karpenter-as-code.io/flows`) and on
 * their Services (`karpenter-as-code.io/clients`).
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export class WorkloadNetwork extends Construct {
  private readonly registry: Registry;
  private readonly config: Readonly<Record<string, ComponentNetwork>>;
  private readonly subject: string;
  private readonly added = new Set<string>();

  constructor(scope: Construct, id: string, private readonly props: WorkloadNetworkProps) {
    super(scope, id);
    this.registry = registryOf(this);
    this.config = WORKLOADS[props.workload].network as Readonly<Record<string, ComponentNetwork>>;
    this.subject = `config/workloads.ts: workload "${props.workload}"`;
    this.checkDeclarations();
    const chart = Chart.of(this);
    if (chart instanceof NamespacedChart && !this.registry.enforcement) {
      (chart as NamespacedChart).prerequisites.push(POLICY_ENFORCEMENT);
      this.registry.enforcement = true;
    }
    if (!this.registry.namespaces.has(props.namespace)) {
      this.registry.namespaces.add(props.namespace);
      this.addDefaultDeny();
    }
    this.node.addValidation({
      validate: () =>
        Object.keys(this.config)
          .filter((c) => !this.added.has(c))
          .map((c) => `network.${c} of workload "${props.workload}" (config/workloads.ts) names pods its chart does not add: add them with WorkloadNetwork.addComponent("${c}", ...) or remove the entry`),
    });
  }

  /** Checks what config declares that needs no other chart: peers name real entries, ports are numbers where no pod names them, CIDRs parse. */
  private checkDeclarations(): void {
    for (const [component, network] of Object.entries(this.config)) {
      (network.ingress ?? []).forEach((flow, i) => {
        const field = `network.${component}.ingress[${i}]`;
        if (flow.why.trim().length < 10) fail(this.subject, `${field}.why`, flow.why, 'say why the client connects (at least 10 characters)');
        if (!isWorkloadPeer(flow.from)) return;
        const entry = (WORKLOADS as unknown as Readonly<Record<string, { readonly network: object } | undefined>>)[flow.from.workload];
        if (!entry) fail(this.subject, `${field}.from.workload`, flow.from.workload, `name a workload of config/workloads.ts: [${Object.keys(WORKLOADS).join(', ')}]`);
        if (!(flow.from.component in entry.network)) fail(this.subject, `${field}.from.component`, flow.from.component, `name a key of workload "${flow.from.workload}"'s network entry: [${Object.keys(entry.network).join(', ')}]`);
      });
      (network.egress ?? []).forEach((flow, i) => {
        const field = `network.${component}.egress[${i}]`;
        if (flow.why.trim().length < 10) fail(this.subject, `${field}.why`, flow.why, 'say why it connects (at least 10 characters)');
        flow.ports.forEach((p, j) => {
          if (typeof p.port !== 'number') fail(this.subject, `${field}.ports[${j}].port`, p.port, 'be a number: a port name means a port of the pods reached, and these are not the set\'s');
        });
        if ('external' in flow.to) {
          for (const cidr of flow.to.cidrs ?? []) if (!parseCidr(cidr)) fail(this.subject, `${field}.to.cidrs`, cidr, 'be CIDR blocks ("10.0.0.0/16")');
        }
      });
    }
  }

  /** Every pod of the namespace isolated both ways: what is not allowed below is denied. */
  private addDefaultDeny(): void {
    new ApiObject(this, 'default-deny', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny' },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  }

  /**
   * Adds a part of the workload (a component, or another group of its pods its network entry
   * names): its NetworkPolicy, and its declared flows on the objects that run its pods.
   */
  public addComponent(component: string, props: NetworkPartProps): void {
    const declared = this.config[component];
    if (!declared) fail(this.subject, `network.${component}`, undefined, `be declared: the chart adds pods "${props.name}" under "${component}" (keys: [${Object.keys(this.config).join(', ')}])`);
    if (this.added.has(component)) fail(this.subject, `network.${component}`, component, 'be added once by the chart');
    this.added.add(component);
    const selector = props.selector ?? (props.workload ? { matchLabels: { ...props.workload.selector } } : undefined);
    if (!selector) fail(this.subject, `network.${component}`, props.name, 'have a pod selector (give a workload or a selector)');
    const ports = { ...(props.workload ? containerPorts(props.workload.controller) : {}), ...props.ports };
    const part: Part = { workload: this.props.workload, component, namespace: this.props.namespace, selector, ports };
    (declared.ingress ?? []).forEach((flow, i) =>
      flow.ports.forEach((p, j) => {
        if (typeof p.port === 'string' && !ports[p.port]) fail(this.subject, `network.${component}.ingress[${i}].ports[${j}].port`, p.port, `name a port of pods "${props.name}": [${Object.keys(ports).join(', ')}]`);
      }),
    );
    this.registry.parts.set(key(this.props.workload, component), part);

    new ApiObject(this, `policy-${component}`, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: props.name },
      spec: Lazy.any({ produce: () => this.policySpec(part, declared) }),
    });
    const flows = Lazy.any({ produce: () => this.flowsOf(component) });
    for (const carrier of [...(props.workload ? [props.workload.controller] : []), ...(props.carriers ?? [])]) carrier.metadata.addAnnotation(FLOWS_ANNOTATION, flows);
    if (props.workload) this.annotateServices(props.workload, part, declared);
  }

  /** The flows declared for a part, as the `karpenter-as-code.io/flows` annotation holds them (call once the App is built). */
  public flowsOf(component: string): string {
    const part = this.registry.parts.get(key(this.props.workload, component));
    const declared = this.config[component];
    if (!part || !declared) throw new Error(`network part "${component}" of workload "${this.props.workload}" was not added`);
    const flows: DeclaredFlows = {
      ingress: this.ingressFlows(part, declared).map(({ from, ports }) => ({ from, ports })),
      egress: (declared.egress ?? []).map((flow) => ({ to: this.egressTarget(flow), ports: flow.ports.map((p) => this.port(p)) })),
    };
    return JSON.stringify(flows);
  }

  /** The part's clients, resolved: those of workloads left out of the environment drop out. */
  private ingressFlows(part: Part, declared: ComponentNetwork): { from: DeclaredPods; ports: DeclaredPort[] }[] {
    return (declared.ingress ?? []).flatMap((flow: IngressFlow) => {
      const from = this.pods(flow.from);
      return from ? [{ from, ports: uniquePorts(flow.ports.map((p) => this.port(p, part))) }] : [];
    });
  }

  /** Pods a peer names, or undefined for a workload left out of this environment. */
  private pods(peer: WorkloadPeer | NamespacePeer): DeclaredPods | undefined {
    if (!isWorkloadPeer(peer)) return { namespace: peer.namespace, ...(peer.podLabels ? { podSelector: { matchLabels: { ...peer.podLabels } } } : {}) };
    const other = this.registry.parts.get(key(peer.workload, peer.component));
    return other ? { namespace: other.namespace, podSelector: other.selector } : undefined;
  }

  private egressTarget(flow: EgressFlow): DeclaredPods | DeclaredAddresses {
    if ('external' in flow.to) return flow.to.cidrs ? { cidrs: [...flow.to.cidrs] } : { cidrs: [INTERNET.cidr], except: [...INTERNET.except] };
    return this.pods(flow.to)!;
  }

  /** A port of a flow as numbers: a name is a port of the part reached. */
  private port(p: FlowPort, part?: Part): DeclaredPort {
    if (typeof p.port === 'string') {
      const named = part?.ports[p.port];
      if (!named) throw new Error(`port "${p.port}" is not a port of ${part ? `${part.workload}/${part.component}` : 'the pods reached'}`);
      return { port: named.port, ...(named.endPort !== undefined ? { endPort: named.endPort } : {}), protocol: protocolOf(named) };
    }
    return { port: p.port, ...(p.endPort !== undefined ? { endPort: p.endPort } : {}), protocol: protocolOf(p) };
  }

  /** A peer of a rule of a policy in `namespace`. */
  private peerJson(pods: DeclaredPods, namespace: string): Json {
    const podSelector = pods.podSelector ? { podSelector: pods.podSelector } : {};
    if (pods.namespace === namespace && pods.podSelector) return podSelector;
    return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: pods.namespace } }, ...podSelector };
  }

  private portsJson(ports: readonly DeclaredPort[]): Json[] {
    return uniquePorts(ports).map((p) => ({ protocol: p.protocol, port: p.port, ...(p.endPort !== undefined ? { endPort: p.endPort } : {}) }));
  }

  /** Rules with the same peers become one, with the union of their ports. */
  private rules(entries: readonly { peers: Json[]; ports: DeclaredPort[] }[], peersKey: 'from' | 'to'): Json[] {
    const merged = new Map<string, { peers: Json[]; ports: DeclaredPort[] }>();
    for (const entry of entries) {
      const id = JSON.stringify(entry.peers);
      const existing = merged.get(id);
      if (existing) existing.ports.push(...entry.ports);
      else merged.set(id, { peers: entry.peers, ports: [...entry.ports] });
    }
    return [...merged.values()].map((e) => ({ [peersKey]: e.peers, ports: this.portsJson(e.ports) }));
  }

  private policySpec(part: Part, declared: ComponentNetwork): Json {
    const ns = part.namespace;
    const ingress = this.ingressFlows(part, declared).map((f) => ({ peers: [this.peerJson(f.from, ns)], ports: f.ports }));
    const dns = { peers: [this.peerJson({ namespace: CLUSTER_DNS.namespace, podSelector: { matchLabels: { ...CLUSTER_DNS.podLabels } } }, ns)], ports: [{ port: CLUSTER_DNS.port, protocol: 'UDP' as const }, { port: CLUSTER_DNS.port, protocol: 'TCP' as const }] };
    // Servers of the set that name this part as a client: the egress their ingress needs.
    const servers = [...this.registry.parts.values()].flatMap((server) => {
      const network = (WORKLOADS[server.workload].network as Readonly<Record<string, ComponentNetwork>>)[server.component];
      return (network?.ingress ?? [])
        .filter((f) => isWorkloadPeer(f.from) && f.from.workload === part.workload && f.from.component === part.component)
        .map((f) => ({ peers: [this.peerJson({ namespace: server.namespace, podSelector: server.selector }, ns)], ports: f.ports.map((p) => this.port(p, server)) }));
    });
    const egress = (declared.egress ?? []).map((flow) => {
      const target = this.egressTarget(flow);
      const peers = 'cidrs' in target ? target.cidrs.map((cidr) => ({ ipBlock: { cidr, ...(target.except ? { except: [...target.except] } : {}) } })) : [this.peerJson(target, ns)];
      return { peers, ports: flow.ports.map((p) => this.port(p)) };
    });
    return {
      podSelector: part.selector,
      policyTypes: ['Ingress', 'Egress'],
      ...(ingress.length > 0 ? { ingress: this.rules(ingress, 'from') } : {}),
      egress: this.rules([dns, ...servers, ...egress], 'to'),
    };
  }

  /** Each Service of the part: its declared clients, by port (`[]`: no pod of the cluster). */
  private annotateServices(workload: Workload, part: Part, declared: ComponentNetwork): void {
    const services = workload.node.children.filter((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Service');
    for (const service of services) {
      const ports = (((service.toJson() as Json).spec?.ports ?? []) as Json[]).filter((p) => typeof p.name === 'string');
      service.metadata.addAnnotation(
        CLIENTS_ANNOTATION,
        Lazy.any({
          produce: () => {
            const flows = this.ingressFlows(part, declared);
            const clients: Record<string, DeclaredPods[]> = {};
            for (const p of ports) {
              const target = typeof p.targetPort === 'number' ? p.targetPort : isObject(p.targetPort) ? undefined : part.ports[String(p.targetPort ?? p.name)]?.port ?? p.port;
              const protocol = (p.protocol ?? 'TCP') as Protocol;
              const reaching = target === undefined ? [] : flows.filter((f) => f.ports.some((fp) => fp.protocol === protocol && fp.port <= target && target <= (fp.endPort ?? fp.port)));
              const unique = new Map(reaching.map((f) => [JSON.stringify(f.from), f.from]));
              clients[p.name] = [...unique.values()];
            }
            return JSON.stringify(clients);
          },
        }),
      );
    }
  }
}
