import { random } from '../../random';

/**
 * The seeded corpus the upstream policy engine (oracle/netpol: cyclonus v0.5.6's pkg/matcher, on
 * policies defaulted by k8s.io/kubernetes v1.35.4) judges and packages/karpenter-validate/src/network/engine.ts must agree
 * with: the examples of the Kubernetes documentation's NetworkPolicy page, the shape of what
 * lib/constructs/workload-network.ts emits, and NETPOL_GENERATED cases drawn with NETPOL_SEED over
 * selectors (empty, matchLabels, every matchExpressions operator), namespaceSelector and
 * podSelector alone and together, empty and missing rule lists, policyTypes given or defaulted,
 * ports by number, by name (the same name on different numbers), by protocol alone and by range,
 * and ipBlocks with exceptions over pod and external addresses (IPv4 and IPv6). Fixed inputs:
 * never derived from the live dist/.
 */
export const NETPOL_SEED = 2626;
const NETPOL_GENERATED = 300;

export interface CorpusPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
}

export interface CorpusPod {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ip: string;
  readonly ports: readonly CorpusPort[];
}

export interface NetpolCase {
  readonly name: string;
  readonly pods: readonly CorpusPod[];
  /** Every namespace's labels, its kubernetes.io/metadata.name among them. */
  readonly namespaces: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly externals: readonly string[];
  readonly policies: readonly Record<string, any>[];
  /** The ports every connection is tried on. */
  readonly ports: readonly CorpusPort[];
}

const NAME = 'kubernetes.io/metadata.name';
const policy = (name: string, namespace: string, spec: object) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });

// The documentation's examples (kubernetes.io/docs/concepts/services-networking/network-policies/).
const DOCS_NAMESPACES = {
  default: { [NAME]: 'default' },
  myproject: { [NAME]: 'myproject', project: 'myproject' },
  other: { [NAME]: 'other', user: 'alice' },
};
const DOCS_PODS: CorpusPod[] = [
  { namespace: 'default', name: 'db', labels: { role: 'db' }, ip: '10.0.1.5', ports: [{ name: 'redis', port: 6379, protocol: 'TCP' }] },
  { namespace: 'default', name: 'frontend', labels: { role: 'frontend' }, ip: '10.0.1.6', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  { namespace: 'myproject', name: 'any', labels: { app: 'x' }, ip: '10.0.2.7', ports: [] },
  { namespace: 'other', name: 'client', labels: { role: 'client' }, ip: '172.17.0.9', ports: [] },
  { namespace: 'other', name: 'bystander', labels: { role: 'other' }, ip: '172.17.1.9', ports: [] },
];
const DOCS_PORTS: CorpusPort[] = [
  { port: 6379, protocol: 'TCP' },
  { port: 5978, protocol: 'TCP' },
  { port: 80, protocol: 'TCP' },
  { port: 32000, protocol: 'TCP' },
  { port: 32768, protocol: 'TCP' },
  { port: 32769, protocol: 'TCP' },
  { port: 53, protocol: 'UDP' },
];
const docs = (name: string, policies: Record<string, any>[], externals: string[] = ['10.0.0.20', '172.17.1.2', '203.0.113.9']): NetpolCase => ({ name: `docs: ${name}`, pods: DOCS_PODS, namespaces: DOCS_NAMESPACES, externals, policies, ports: DOCS_PORTS });

const DOCS_CASES: NetpolCase[] = [
  docs('test-network-policy (ipBlock with except, namespaceSelector, podSelector; egress to an ipBlock)', [
    policy('test-network-policy', 'default', {
      podSelector: { matchLabels: { role: 'db' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } }, { namespaceSelector: { matchLabels: { project: 'myproject' } } }, { podSelector: { matchLabels: { role: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 6379 }] }],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 5978 }] }],
    }),
  ]),
  docs('namespaceSelector and podSelector in one peer (AND)', [policy('and', 'default', { podSelector: { matchLabels: { role: 'db' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: 'alice' } }, podSelector: { matchLabels: { role: 'client' } } }] }] })]),
  docs('namespaceSelector and podSelector in two peers (OR)', [policy('or', 'default', { podSelector: { matchLabels: { role: 'db' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: 'alice' } } }, { podSelector: { matchLabels: { role: 'client' } } }] }] })]),
  docs('default-deny-ingress', [policy('default-deny-ingress', 'default', { podSelector: {}, policyTypes: ['Ingress'] })]),
  docs('allow-all-ingress', [policy('default-deny-ingress', 'default', { podSelector: {}, policyTypes: ['Ingress'] }), policy('allow-all-ingress', 'default', { podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] })]),
  docs('default-deny-egress', [policy('default-deny-egress', 'default', { podSelector: {}, policyTypes: ['Egress'] })]),
  docs('allow-all-egress', [policy('default-deny-egress', 'default', { podSelector: {}, policyTypes: ['Egress'] }), policy('allow-all-egress', 'default', { podSelector: {}, egress: [{}], policyTypes: ['Egress'] })]),
  docs('default-deny-all', [policy('default-deny-all', 'default', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })]),
  docs('multi-port-egress (endPort)', [policy('multi-port-egress', 'default', { podSelector: { matchLabels: { role: 'db' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] }] })]),
  docs('targeting a namespace by its name', [policy('by-name', 'default', { podSelector: { matchLabels: { role: 'db' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { [NAME]: 'myproject' } } }] }] })]),
  docs('policyTypes defaulted: Ingress, and Egress with egress rules', [policy('defaulted', 'default', { podSelector: { matchLabels: { role: 'frontend' } }, egress: [{ to: [{ podSelector: { matchLabels: { role: 'db' } } }], ports: [{ port: 6379 }] }] })]),
  docs('policyTypes Ingress only: its egress rules are ignored', [policy('ingress-only', 'default', { podSelector: { matchLabels: { role: 'frontend' } }, policyTypes: ['Ingress'], egress: [{ to: [{ podSelector: { matchLabels: { role: 'db' } } }] }] })]),
];

// The shape of what lib/constructs/workload-network.ts emits: a default deny per namespace, DNS to
// CoreDNS, flows by namespace name and pod labels, the public internet with exceptions, ranges.
const OURS_NAMESPACES = {
  kafka: { [NAME]: 'kafka' },
  spark: { [NAME]: 'spark' },
  airflow: { [NAME]: 'airflow' },
  'kube-system': { [NAME]: 'kube-system' },
  redis: { [NAME]: 'redis' },
};
const OURS_PODS: CorpusPod[] = [
  { namespace: 'kafka', name: 'kafka', labels: { 'app.kubernetes.io/name': 'kafka' }, ip: '10.1.0.10', ports: [{ name: 'broker', port: 9092, protocol: 'TCP' }, { name: 'controller', port: 9093, protocol: 'TCP' }] },
  { namespace: 'spark', name: 'spark-master', labels: { 'app.kubernetes.io/name': 'spark-master' }, ip: '10.1.1.10', ports: [{ name: 'cluster', port: 7077, protocol: 'TCP' }, { name: 'http-ui', port: 8080, protocol: 'TCP' }] },
  { namespace: 'spark', name: 'spark-worker', labels: { 'app.kubernetes.io/name': 'spark-worker' }, ip: '10.1.1.11', ports: [{ name: 'worker', port: 7078, protocol: 'TCP' }, { name: 'http-ui', port: 8081, protocol: 'TCP' }] },
  { namespace: 'airflow', name: 'airflow-scheduler', labels: { 'app.kubernetes.io/name': 'airflow-scheduler' }, ip: '10.1.2.10', ports: [] },
  { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ip: '10.1.3.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] },
  { namespace: 'redis', name: 'redis', labels: { app: 'redis' }, ip: '10.1.4.10', ports: [{ name: 'redis', port: 6379, protocol: 'TCP' }] },
];
const ns = (name: string) => ({ namespaceSelector: { matchLabels: { [NAME]: name } } });
const app = (name: string) => ({ podSelector: { matchLabels: { 'app.kubernetes.io/name': name } } });
const dns = { to: [{ ...ns('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] };
const internet = { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] } };
const OURS_CASE: NetpolCase = {
  name: 'ours: default deny, DNS, flows by namespace name and pod labels, the internet, port ranges',
  pods: OURS_PODS,
  namespaces: OURS_NAMESPACES,
  externals: ['203.0.113.9', '169.254.169.254', '10.200.0.1'],
  ports: [
    { port: 53, protocol: 'UDP' },
    { port: 53, protocol: 'TCP' },
    { port: 443, protocol: 'TCP' },
    { port: 5432, protocol: 'TCP' },
    { port: 7077, protocol: 'TCP' },
    { port: 7078, protocol: 'TCP' },
    { port: 7100, protocol: 'TCP' },
    { port: 7116, protocol: 'TCP' },
    { port: 7117, protocol: 'TCP' },
    { port: 8080, protocol: 'TCP' },
    { port: 9092, protocol: 'TCP' },
    { port: 9093, protocol: 'TCP' },
    { port: 26379, protocol: 'TCP' },
  ],
  policies: [
    ...['kafka', 'spark', 'airflow'].map((n) => policy('default-deny', n, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })),
    policy('kafka', 'kafka', { ...app('kafka'), policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [app('kafka')], ports: [{ port: 9092, protocol: 'TCP' }, { port: 9093, protocol: 'TCP' }] }, { from: [{ ...ns('spark'), ...app('spark-worker') }, { ...ns('airflow'), ...app('airflow-scheduler') }], ports: [{ port: 'broker', protocol: 'TCP' }] }], egress: [dns, { to: [app('kafka')], ports: [{ port: 9092, protocol: 'TCP' }, { port: 9093, protocol: 'TCP' }] }] }),
    policy('spark-master', 'spark', { ...app('spark-master'), policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [app('spark-worker'), { ...ns('airflow'), ...app('airflow-scheduler') }], ports: [{ port: 'cluster', protocol: 'TCP' }] }], egress: [dns, { to: [app('spark-worker')], ports: [{ port: 7078, protocol: 'TCP' }, { port: 7100, endPort: 7116, protocol: 'TCP' }] }] }),
    policy('spark-worker', 'spark', { ...app('spark-worker'), policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [app('spark-master')], ports: [{ port: 'worker', protocol: 'TCP' }, { port: 7100, endPort: 7116, protocol: 'TCP' }] }], egress: [dns, { to: [app('spark-master')], ports: [{ port: 7077, protocol: 'TCP' }] }, { to: [{ ...ns('kafka'), ...app('kafka') }], ports: [{ port: 9092, protocol: 'TCP' }] }] }),
    policy('airflow-scheduler', 'airflow', { ...app('airflow-scheduler'), policyTypes: ['Ingress', 'Egress'], egress: [dns, { to: [{ ...ns('spark'), ...app('spark-master') }], ports: [{ port: 7077, protocol: 'TCP' }] }, { to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 5432, protocol: 'TCP' }] }, { to: [internet], ports: [{ port: 443, protocol: 'TCP' }] }, { to: [ns('redis')], ports: [{ port: 26379, protocol: 'TCP' }] }] }),
  ],
};

// --- generated ---

type Rand = () => number;
const pick = <T>(r: Rand, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
const chance = (r: Rand, p: number) => r() < p;
const some = <T>(r: Rand, items: readonly T[], max: number): T[] => {
  const n = 1 + Math.floor(r() * max);
  return Array.from({ length: n }, () => pick(r, items));
};

const NAMESPACES = ['x', 'y', 'z'];
const APPS = ['web', 'db', 'api'];
const TIERS = ['front', 'back'];
// The same name on different numbers, two names on one number with different protocols.
const PORT_POOL: CorpusPort[] = [
  { name: 'http', port: 80, protocol: 'TCP' },
  { name: 'http', port: 8080, protocol: 'TCP' },
  { name: 'dns', port: 53, protocol: 'UDP' },
  { name: 'dns-tcp', port: 53, protocol: 'TCP' },
  { name: 'https', port: 443, protocol: 'TCP' },
  { name: 'metrics', port: 9090, protocol: 'TCP' },
  { name: 'assoc', port: 7777, protocol: 'SCTP' },
];
const QUERY_PORTS: CorpusPort[] = [
  { port: 80, protocol: 'TCP' },
  { port: 8080, protocol: 'TCP' },
  { port: 53, protocol: 'UDP' },
  { port: 53, protocol: 'TCP' },
  { port: 443, protocol: 'TCP' },
  { port: 9090, protocol: 'TCP' },
  { port: 7777, protocol: 'SCTP' },
  { port: 32500, protocol: 'TCP' },
];
const CIDRS: readonly { cidr: string; except: readonly string[] }[] = [
  { cidr: '10.0.0.0/8', except: ['10.0.1.0/24', '10.0.2.128/25'] },
  { cidr: '10.0.1.0/24', except: ['10.0.1.8/29'] },
  { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '192.168.0.0/16'] },
  { cidr: '192.168.0.0/16', except: [] },
  { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] },
  { cidr: '::/0', except: ['fd00::/8'] },
  { cidr: 'fd00::/8', except: [] },
  { cidr: '10.0.2.0/23', except: [] },
];
const IPS = ['10.0.1.5', '10.0.1.9', '10.0.2.200', '10.3.0.1', '192.168.1.1', 'fd00::12', '10.0.2.7'];
const EXTERNALS = ['203.0.113.9', '203.0.113.200', '198.51.100.20', '2001:db8::5', '10.9.9.9'];

function selector(r: Rand, forNamespace: boolean): Record<string, any> {
  const roll = r();
  if (roll < 0.2) return {};
  if (forNamespace) {
    if (roll < 0.5) return { matchLabels: { team: pick(r, ['a', 'b']) } };
    if (roll < 0.7) return { matchLabels: { [NAME]: pick(r, NAMESPACES) } };
    return { matchExpressions: [pick(r, [{ key: 'env', operator: 'In', values: ['prod'] }, { key: 'env', operator: 'NotIn', values: ['prod'] }, { key: 'env', operator: 'Exists' }, { key: 'env', operator: 'DoesNotExist' }])] };
  }
  if (roll < 0.6) return { matchLabels: { app: pick(r, APPS) } };
  return {
    ...(chance(r, 0.3) ? { matchLabels: { app: pick(r, APPS) } } : {}),
    matchExpressions: [pick(r, [{ key: 'app', operator: 'In', values: [pick(r, APPS), pick(r, APPS)] }, { key: 'tier', operator: 'NotIn', values: ['front'] }, { key: 'tier', operator: 'Exists' }, { key: 'tier', operator: 'DoesNotExist' }])],
  };
}

function peer(r: Rand): Record<string, any> {
  const roll = r();
  if (roll < 0.3) return { podSelector: selector(r, false) };
  if (roll < 0.55) return { namespaceSelector: selector(r, true) };
  if (roll < 0.75) return { namespaceSelector: selector(r, true), podSelector: selector(r, false) };
  const block = pick(r, CIDRS);
  return { ipBlock: { cidr: block.cidr, ...(block.except.length > 0 && chance(r, 0.7) ? { except: [...block.except] } : {}) } };
}

function port(r: Rand): Record<string, any> {
  const roll = r();
  const protocol = chance(r, 0.3) ? { protocol: pick(r, ['TCP', 'UDP', 'SCTP']) } : {};
  if (roll < 0.45) return { port: pick(r, [80, 8080, 53, 443, 9090, 7777, 32500]), ...protocol };
  if (roll < 0.75) {
    const named = pick(r, PORT_POOL);
    return { port: named.name, ...(chance(r, 0.5) ? { protocol: named.protocol } : protocol) };
  }
  if (roll < 0.9) {
    const start = pick(r, [53, 80, 443, 8000, 32000]);
    return { port: start, endPort: start + pick(r, [0, 27, 600, 9000]), ...protocol };
  }
  return { protocol: pick(r, ['TCP', 'UDP', 'SCTP']) };
}

function rules(r: Rand, peersKey: 'from' | 'to'): Record<string, any>[] | undefined {
  const roll = r();
  if (roll < 0.15) return undefined;
  if (roll < 0.25) return [];
  if (roll < 0.3) return [{}];
  return Array.from({ length: 1 + Math.floor(r() * 2) }, () => {
    const rule: Record<string, any> = {};
    const portsRoll = r();
    if (portsRoll < 0.6) rule.ports = some(r, [0], 2).map(() => port(r));
    else if (portsRoll < 0.7) rule.ports = [];
    const peersRoll = r();
    if (peersRoll < 0.75) rule[peersKey] = some(r, [0], 2).map(() => peer(r));
    else if (peersRoll < 0.85) rule[peersKey] = [];
    return rule;
  });
}

function generated(r: Rand, index: number): NetpolCase {
  const namespaces: Record<string, Record<string, string>> = {};
  for (const name of NAMESPACES) namespaces[name] = { [NAME]: name, ...(chance(r, 0.6) ? { team: pick(r, ['a', 'b']) } : {}), ...(chance(r, 0.5) ? { env: pick(r, ['prod', 'dev']) } : {}) };
  const pods: CorpusPod[] = [];
  const ips = [...IPS];
  for (const namespace of NAMESPACES) {
    const count = 1 + Math.floor(r() * 2);
    for (let i = 0; i < count && ips.length > 0; i++) {
      const ip = ips.splice(Math.floor(r() * ips.length), 1)[0]!;
      const ports = [...new Map(some(r, PORT_POOL, 3).map((p) => [`${p.port}/${p.protocol}`, p])).values()];
      pods.push({ namespace, name: `${namespace}-${i}`, labels: { app: pick(r, APPS), ...(chance(r, 0.5) ? { tier: pick(r, TIERS) } : {}) }, ip, ports });
    }
  }
  const policies = Array.from({ length: 1 + Math.floor(r() * 4) }, (_, i) => {
    const spec: Record<string, any> = { podSelector: selector(r, false) };
    const typesRoll = r();
    if (typesRoll < 0.3) {
      // left to the API server's defaulting
    } else spec.policyTypes = pick(r, [['Ingress'], ['Egress'], ['Ingress', 'Egress'], ['Egress', 'Ingress']]);
    const ingress = rules(r, 'from');
    const egress = rules(r, 'to');
    if (ingress !== undefined) spec.ingress = ingress;
    if (egress !== undefined) spec.egress = egress;
    return policy(`p${i}`, pick(r, NAMESPACES), spec);
  });
  return { name: `generated ${index}`, pods, namespaces, externals: [pick(r, EXTERNALS), pick(r, EXTERNALS)].filter((e, i, all) => all.indexOf(e) === i), policies, ports: QUERY_PORTS };
}

/** The corpus: the documentation's examples, our shape, and the generated cases. */
export function netpolCorpus(): NetpolCase[] {
  const r = random(NETPOL_SEED);
  return [...DOCS_CASES, OURS_CASE, ...Array.from({ length: NETPOL_GENERATED }, (_, i) => generated(r, i))];
}
