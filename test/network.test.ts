import { describe, expect, it } from 'vitest';
import { dev } from '../config/environments/dev';
import { prod } from '../config/environments/prod';
import type { ComponentNetwork, FlowPort } from '../config/types';
import { WORKLOADS } from '../config/workloads';
import type { Manifest } from '../lib/synth/layout';
import { contains, parseAddress, parseCidr } from '../packages/karpenter-validate/src/network/addresses';
import { allowedPorts, Endpoint, hasPort, verdict } from '../packages/karpenter-validate/src/network/engine';
import { endpointOf, networkSet, PodGroup } from '../packages/karpenter-validate/src/network/pods';
import { policyOf } from '../packages/karpenter-validate/src/network/policies';
import { ANY_OTHER_POD, OUTSIDE_CLUSTER, reachability } from '../lib/synth/reachability';
import { networkSection } from '../lib/synth/report';
import { validate } from '../packages/karpenter-validate/src/validation';
import { EXAMPLES, manifests, synth } from './helpers';
import { changed, lines, pick } from './validation-helpers';

const NAME = 'kubernetes.io/metadata.name';

describe('addresses, as Go reads them (what an ipBlock covers)', () => {
  it('masks the host bits of a CIDR', () => {
    const range = parseCidr('10.0.0.1/8')!;
    expect(contains(range, parseAddress('10.255.255.255')!)).toBe(true);
    expect(contains(range, parseAddress('11.0.0.0')!)).toBe(false);
  });

  it('reads an IPv4-mapped block as the IPv4 block of its last bits, and an IPv6 block as holding no IPv4 address', () => {
    expect(contains(parseCidr('::ffff:10.0.0.0/104')!, parseAddress('10.1.2.3')!)).toBe(true);
    expect(contains(parseCidr('::ffff:10.0.0.0/104')!, parseAddress('11.0.0.1')!)).toBe(false);
    expect(contains(parseCidr('::/0')!, parseAddress('10.1.2.3')!)).toBe(false);
    expect(contains(parseCidr('::/0')!, parseAddress('2001:db8::1')!)).toBe(true);
  });

  it('refuses what Go refuses: octets with leading zeros, prefixes past the family', () => {
    expect(parseAddress('010.0.0.1')).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0.0')).toBeUndefined();
  });
});

// The NetworkPolicy page's own examples and statements
// (kubernetes.io/docs/concepts/services-networking/network-policies/), as expectations.
describe("the engine on the Kubernetes documentation's examples", () => {
  const ns = (name: string, labels: Record<string, string> = {}) => ({ [NAME]: name, ...labels });
  const pod = (namespace: string, labels: Record<string, string>, ip: string, ports: Endpoint['ports'] = [], namespaceLabels = ns(namespace)): Endpoint => ({ namespace, namespaceLabels, podLabels: labels, ip, ports });
  const db = pod('default', { role: 'db' }, '10.0.1.5', [{ name: 'redis', port: 6379, protocol: 'TCP' }]);
  const frontend = pod('default', { role: 'frontend' }, '10.0.1.6');
  const inProject = pod('myproject', { app: 'x' }, '10.0.2.7', [], ns('myproject', { project: 'myproject' }));
  const aliceClient = pod('other', { role: 'client' }, '172.17.0.9', [], ns('other', { user: 'alice' }));
  const aliceOther = pod('other', { role: 'other' }, '172.17.1.9', [], ns('other', { user: 'alice' }));
  const at = (ip: string): Endpoint => ({ ip });
  const allows = (policies: object[], source: Endpoint, destination: Endpoint, port: number, protocol: 'TCP' | 'UDP' = 'TCP') =>
    verdict(policies.map((spec, i) => policyOf({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `p${i}`, namespace: 'default' }, spec })), { source, destination, port, protocol }).allowed;

  it('test-network-policy: its three kinds of ingress peers on 6379 only, and egress to 10.0.0.0/24 on 5978 only', () => {
    const policy = {
      podSelector: { matchLabels: { role: 'db' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } }, { namespaceSelector: { matchLabels: { project: 'myproject' } } }, { podSelector: { matchLabels: { role: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 6379 }] }],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 5978 }] }],
    };
    expect([frontend, inProject, aliceClient].map((from) => allows([policy], from, db, 6379))).toEqual([true, true, true]);
    expect(allows([policy], aliceOther, db, 6379), 'an address of the except').toBe(false);
    expect(allows([policy], frontend, db, 80), 'another port').toBe(false);
    expect(allows([policy], db, at('10.0.0.20'), 5978)).toBe(true);
    expect(allows([policy], db, at('10.0.1.20'), 5978), 'outside the block').toBe(false);
    expect(allows([policy], db, frontend, 80), "db's egress to a pod").toBe(false);
  });

  it('a peer with namespaceSelector and podSelector takes pods of both (AND); two peers take either (OR)', () => {
    const and = { podSelector: { matchLabels: { role: 'db' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: 'alice' } }, podSelector: { matchLabels: { role: 'client' } } }] }] };
    const or = { podSelector: { matchLabels: { role: 'db' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: 'alice' } } }, { podSelector: { matchLabels: { role: 'client' } } }] }] };
    expect([aliceClient, aliceOther].map((from) => allows([and], from, db, 6379))).toEqual([true, false]);
    expect([aliceClient, aliceOther].map((from) => allows([or], from, db, 6379))).toEqual([true, true]);
  });

  it('default deny, allow all, and policyTypes defaulted to Ingress (and Egress with egress rules)', () => {
    const denyIngress = { podSelector: {}, policyTypes: ['Ingress'] };
    expect(allows([denyIngress], frontend, db, 6379)).toBe(false);
    expect(allows([denyIngress, { podSelector: {}, ingress: [{}] }], frontend, db, 6379)).toBe(true);
    expect(allows([denyIngress], db, at('203.0.113.9'), 443), 'egress is not isolated by an Ingress policy').toBe(true);
    const egressRules = { podSelector: { matchLabels: { role: 'frontend' } }, egress: [{ to: [{ podSelector: { matchLabels: { role: 'db' } } }], ports: [{ port: 6379 }] }] };
    expect(allows([egressRules], frontend, db, 80), 'Egress type implied by the egress rules').toBe(false);
    expect(allows([{ ...egressRules, policyTypes: ['Ingress'] }], frontend, db, 80), 'egress rules ignored without the Egress type').toBe(true);
  });

  it('a named port is the destination pod\'s port of that name, and endPort a range', () => {
    const http80 = pod('default', { role: 'web' }, '10.0.1.7', [{ name: 'http', port: 80, protocol: 'TCP' }]);
    const http8080 = pod('default', { role: 'web' }, '10.0.1.8', [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const named = { podSelector: { matchLabels: { role: 'web' } }, ingress: [{ ports: [{ port: 'http' }] }] };
    expect([allows([named], frontend, http80, 80), allows([named], frontend, http8080, 8080), allows([named], frontend, http80, 8080)]).toEqual([true, true, false]);
    const range = { podSelector: { matchLabels: { role: 'db' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] }] };
    expect([32000, 32768, 32769].map((p) => allows([range], db, at('10.0.0.9'), p))).toEqual([true, true, false]);
  });

  it('a namespace by its name label; NotIn matches a pod without the label, as Kubernetes reads it', () => {
    const byName = { podSelector: { matchLabels: { role: 'db' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { [NAME]: 'myproject' } } }] }] };
    expect([allows([byName], inProject, db, 6379), allows([byName], aliceClient, db, 6379)]).toEqual([true, false]);
    const notIn = { podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, policyTypes: ['Ingress'] };
    expect(allows([notIn], frontend, db, 6379), 'db has no tier label: selected, so isolated').toBe(false);
  });
});

/** The pods of each part of each workload, as the charts name them (the test's own table of intent). */
const PARTS: Readonly<Record<string, string>> = {
  'jenkins/agent': 'ci/jenkins-agent',
  'kafka/brokers': 'kafka/kafka',
  'spark/master': 'spark/spark-master',
  'spark/worker': 'spark/spark-worker',
  'airflow/webserver': 'airflow/airflow-webserver',
  'airflow/scheduler': 'airflow/airflow-scheduler',
  'airflow/jobs': 'airflow/airflow-db-migrate',
  'llm/server': 'llm/llm-server',
  'ai-worker/worker': 'ai/ai-worker',
};

describe.each(EXAMPLES)('the network policies of $name', (env) => {
  const objects = manifests(env);
  const set = networkSet(objects);
  const group = (ref: string): PodGroup => set.groups.find((g) => g.ref === ref || g.ref.startsWith(`${ref}-`))!;
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');

  it('isolates every namespace that runs pods, both ways, with a default deny', () => {
    const namespaces = [...new Set(set.groups.map((g) => g.namespace))].sort();
    const denies = policies.filter((p) => p.metadata.name === 'default-deny').map((p) => [p.metadata.namespace, (p as any).spec]);
    expect(denies.map(([ns]) => ns).sort()).toEqual(namespaces);
    for (const [, spec] of denies) expect(spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  it('allows every declared flow between workloads, and nothing else between them', () => {
    const expected = new Map<string, [number, number][]>();
    for (const [workload, entry] of Object.entries(WORKLOADS)) {
      for (const [component, network] of Object.entries(entry.network as Record<string, ComponentNetwork>)) {
        const to = group(PARTS[`${workload}/${component}`]!);
        for (const flow of network.ingress ?? []) {
          if (!('workload' in flow.from)) continue;
          const from = group(PARTS[`${flow.from.workload}/${flow.from.component}`]!);
          const ranges = flow.ports.map((p: FlowPort): [number, number] => (typeof p.port === 'number' ? [p.port, p.endPort ?? p.port] : [to.ports.find((c) => c.name === p.port)!.port, to.ports.find((c) => c.name === p.port)!.port]));
          expected.set(`${from.ref} -> ${to.ref}`, [...(expected.get(`${from.ref} -> ${to.ref}`) ?? []), ...ranges]);
        }
      }
    }
    const jobs = set.groups.filter((g) => g.kind === 'Job').map((g) => g.ref);
    for (const from of set.groups) {
      for (const to of set.groups) {
        const key = `${from.ref} -> ${to.ref}`;
        const allowed = allowedPorts(set.policies, endpointOf(set, from), endpointOf(set, to));
        const declared = expected.get(key) ?? [];
        for (const [lo, hi] of declared) for (const p of [lo, hi]) expect(hasPort(allowed, p, 'TCP'), `${key} ${p}/TCP declared`).toBe(true);
        // Nothing beyond: no UDP or SCTP, and every allowed TCP port is a declared one.
        expect(allowed.UDP.length + allowed.SCTP.length, key).toBe(0);
        for (const [lo, hi] of allowed.TCP) {
          for (const p of hi - lo < 100 ? Array.from({ length: hi - lo + 1 }, (_, i) => lo + i) : [lo, hi]) expect(declared.some(([a, b]) => a <= p && p <= b), `${key} allows ${p}/TCP, not declared`).toBe(true);
        }
      }
    }
    expect(jobs.length).toBe(2);
  });

  it('shows ports as REPORT.md reads them: named ports by name, ranges as ranges', () => {
    const rows = reachability(objects).reaches.map((r) => `${r.from} -> ${r.to}: ${r.ports}`);
    expect(rows).toContain('kafka/kafka -> kafka/kafka: 9092/TCP (broker), 9093/TCP (controller)');
    expect(rows).toContain('spark/spark-worker -> airflow/airflow-scheduler: 7100-7116/TCP, 7200-7216/TCP');
  });

  it('lets nothing in from any other pod or from outside the cluster, and every pod resolve names', () => {
    const { reaches } = reachability(objects);
    expect(reaches.filter((r) => r.from === ANY_OTHER_POD || r.from === OUTSIDE_CLUSTER)).toEqual([]);
    for (const g of set.groups) {
      const dns = reaches.find((r) => r.from === g.ref && r.to === 'kube-system pods k8s-app=kube-dns');
      expect(dns?.ports, g.ref).toMatch(/53\/TCP.*53\/UDP/);
    }
  });

  it('lets out of the cluster only HTTPS, and Postgres within the VPC, where declared', () => {
    const { leaves } = reachability(objects);
    const internet = '0.0.0.0/0 except 10.0.0.0/8, 100.64.0.0/10, 169.254.0.0/16, 172.16.0.0/12, 192.168.0.0/16';
    expect(leaves.map((l) => `${l.from} | ${l.to} | ${l.ports}`).sort()).toEqual(
      ['ci/jenkins-agent-arm64', 'ci/jenkins-agent-amd64', 'airflow/airflow-webserver', 'airflow/airflow-scheduler', 'llm/llm-server', 'ai/ai-worker'].map((g) => `${g} | ${internet} | 443/TCP`).sort(),
    );
  });

  it('is clean: no finding of the network rules or of the privileged isolation', () => {
    const found = validate(objects.map((object) => ({ object })), { complete: true, production: env.production }).findings;
    expect(found.filter((f) => /network|dns-egress|service-unreachable|declared-flow|privileged-shared/.test(f.rule))).toEqual([]);
  });
});

describe('a change to an emitted policy shows in the matrix and in the rules', () => {
  const clone = () => structuredClone(manifests(prod)) as Manifest[];
  const policy = (objects: Manifest[], namespace: string, name: string) => objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === namespace && o.metadata.name === name) as any;
  const findings = (objects: Manifest[]) => validate(objects.map((object) => ({ object })), { complete: true, production: true }).findings;

  it('drops a flow: the matrix loses it, and the declared clients of the Service are reported', () => {
    const objects = clone();
    const kafka = policy(objects, 'kafka', 'kafka');
    // A rule whose peers all go is dropped: a rule with no peer would allow every peer.
    kafka.spec.ingress = kafka.spec.ingress.map((rule: any) => ({ ...rule, from: rule.from.filter((p: any) => p.namespaceSelector?.matchLabels?.[NAME] !== 'spark') })).filter((rule: any) => rule.from.length > 0);
    expect(reachability(manifests(prod)).reaches.some((r) => r.from === 'spark/spark-worker' && r.to === 'kafka/kafka')).toBe(true);
    expect(reachability(objects).reaches.some((r) => r.from === 'spark/spark-worker' && r.to === 'kafka/kafka')).toBe(false);
    const found = lines(findings(objects), 'service-unreachable');
    expect(found.join('\n')).toContain('Service/kafka metadata.annotations["karpenter-as-code.io/clients"].broker (9092): port "broker" (9092/TCP on its pods) is not reachable from its declared client Deployment spark/spark-worker: the ingress of StatefulSet kafka/kafka is isolated by NetworkPolicies kafka/default-deny, kafka/kafka');
  });

  it('checks pods with the same namespace and labels once: a copy of a client is folded into its finding, not checked again', () => {
    const objects = clone();
    const kafka = policy(objects, 'kafka', 'kafka');
    kafka.spec.ingress = kafka.spec.ingress.map((rule: any) => ({ ...rule, from: rule.from.filter((p: any) => p.namespaceSelector?.matchLabels?.[NAME] !== 'spark') })).filter((rule: any) => rule.from.length > 0);
    const worker = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'spark-worker')!;
    objects.push({ ...structuredClone(worker), metadata: { ...structuredClone(worker.metadata), name: 'spark-worker-copy' } } as Manifest);
    const found = lines(findings(objects), 'service-unreachable').filter((l) => l.includes('Service/kafka metadata') && l.includes('"broker"'));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/from its declared client Deployment spark\/spark-worker(-copy)? \(and 1 more alike\): /);
  });

  it('drops a flow no Service carries (the master to the workers): declared-flow-denied names it', () => {
    const objects = clone();
    const worker = policy(objects, 'spark', 'spark-worker');
    worker.spec.ingress = worker.spec.ingress.filter((rule: any) => rule.from[0].podSelector?.matchLabels['app.kubernetes.io/name'] !== 'spark-master');
    const found = lines(findings(objects), 'declared-flow-denied');
    expect(found.join('\n')).toContain('declares that Deployment spark/spark-master connects to its pods on 7078/TCP, but the NetworkPolicies deny 7078/TCP');
  });

  it('opens a workload: the matrix shows who else reaches it', () => {
    const objects = clone();
    objects.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'open', namespace: 'llm' }, spec: { podSelector: {}, ingress: [{}] } } as Manifest);
    const rows = reachability(objects).reaches.filter((r) => r.to === 'llm/llm-server').map((r) => `${r.from}: ${r.ports}`);
    expect(rows).toContain(`${ANY_OTHER_POD}: any port`);
    expect(networkSection(reachability(objects)).join('\n')).toContain(`| ${ANY_OTHER_POD} | llm/llm-server | any port |`);
  });

  it('drops DNS from a policy: dns-egress-denied says which protocols', () => {
    const objects = clone();
    const llm = policy(objects, 'llm', 'llm-server');
    llm.spec.egress = llm.spec.egress.map((rule: any) => ({ ...rule, ports: rule.ports.filter((p: any) => p.protocol !== 'UDP') }));
    expect(lines(findings(objects), 'dns-egress-denied').join('\n')).toContain('StatefulSet/llm-server spec.template.spec (["53/UDP"]): its pods cannot resolve names');
  });

  it('selects no pod after a typo: network-policy-selects-nothing', () => {
    const objects = clone();
    policy(objects, 'ai', 'ai-worker').spec.podSelector.matchLabels['app.kubernetes.io/name'] = 'ai-wroker';
    expect(lines(findings(objects), 'network-policy-selects-nothing').join('\n')).toContain('NetworkPolicy/ai-worker spec.podSelector');
  });

  it('removes every policy of a namespace: network-policy-missing names it', () => {
    const objects = clone().filter((o) => !(o.kind === 'NetworkPolicy' && o.metadata.namespace === 'llm'));
    expect(lines(findings(objects), 'network-policy-missing')).toEqual([expect.stringContaining('Namespace/llm metadata.name ("llm"): namespace "llm" runs pods (StatefulSet llm/llm-server) and has no NetworkPolicy')]);
  });
});

describe('privileged builds run alone', () => {
  it('gives the Jenkins agents a tainted pool of their own, which no other workload tolerates', () => {
    for (const env of EXAMPLES) {
      const casc = manifests(env).find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'jenkins-agents-casc')!;
      const text = Object.values((casc as any).data)[0] as string;
      expect(text).toContain('karpenter-as-code.io/pools: ci-build-ondemand');
      const tolerating = manifests(env).filter((o) => JSON.stringify((o as any).spec?.template?.spec?.tolerations ?? []).includes('ci-build'));
      expect(tolerating.map((o) => o.metadata.name)).toEqual([]);
    }
  });

  it('reports an agent moved back beside the Spark master', () => {
    const objects = structuredClone(manifests(prod)) as Manifest[];
    const casc = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'jenkins-agents-casc') as any;
    const key = Object.keys(casc.data)[0]!;
    casc.data[key] = casc.data[key].replace(/workload: ci-build\n/, 'workload: core\n');
    const found = lines(validate(objects.map((object) => ({ object })), { complete: true, production: true }).findings, 'privileged-shared-node');
    expect(found.join('\n')).toContain('can take its node (container "podman" is privileged) and can land on NodePool "core-arm-ondemand" with Deployment spark/spark-master');
  });

  it('reports a privileged pod alone on a pool that keeps nobody out (no NoSchedule taint)', () => {
    const set = changed((s) => {
      pick(s, 'Deployment', 'api').spec.template.spec.containers[0].securityContext = { privileged: true };
      s.splice(s.indexOf(pick(s, 'StatefulSet', 'queue')), 1);
      pick(s, 'NodePool', 'general').spec.template.spec.taints = [];
    });
    expect(lines(validate(set.map((object) => ({ object })), { complete: true }).findings, 'privileged-shared-node')).toEqual([
      expect.stringContaining('can take its node (container "api" is privileged) and can land on NodePool "general", which has no NoSchedule taint'),
    ]);
  });
});

describe("Spark's shared-secret authentication", () => {
  it('turns spark.authenticate on in the master and the workers, with the secret from the Secret, and fixes the worker port', () => {
    const spark = manifests(prod).filter((o) => o.kind === 'Deployment' && o.metadata.namespace === 'spark') as any[];
    expect(spark.length).toBe(2);
    for (const d of spark) {
      const c = d.spec.template.spec.containers[0];
      const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
      expect(env.SPARK_AUTH_SECRET).toEqual({ secretKeyRef: { name: 'spark-auth', key: 'secret' } });
      expect(env.SPARK_DAEMON_JAVA_OPTS).toBe('-Dspark.authenticate=true -Dspark.authenticate.secret=$(SPARK_AUTH_SECRET)');
    }
    const worker = spark.find((d) => d.metadata.name === 'spark-worker').spec.template.spec.containers[0];
    expect(worker.command.join(' ')).toContain('--port 7078');
  });
});

describe('flows declared in config that name nothing stop synth', () => {
  it('a port name the reached pods do not have', () => {
    const flow = (WORKLOADS.kafka.network.brokers.ingress![1]!.ports as FlowPort[])[0]!;
    const original = flow.port;
    (flow as { port: number | string }).port = 'brokr';
    try {
      expect(() => synth(dev)).toThrow(`config/workloads.ts: workload "kafka": 'network.brokers.ingress[1].ports[0].port' ("brokr") must name a port of pods "kafka": [broker, controller]`);
    } finally {
      (flow as { port: number | string }).port = original;
    }
  });

  it('a client component its workload does not declare', () => {
    const from = WORKLOADS.llm.network.server.ingress![0]!.from as { component: string };
    const original = from.component;
    from.component = 'schedulers';
    try {
      expect(() => synth(dev)).toThrow(`config/workloads.ts: workload "llm": 'network.server.ingress[0].from.component' ("schedulers") must name a key of workload "airflow"'s network entry: [webserver, scheduler, jobs]`);
    } finally {
      from.component = original;
    }
  });
});
