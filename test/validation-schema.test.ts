import { describe, expect, it } from 'vitest';
import { evaluate } from '../packages/karpenter-validate/src/validation/cel';
import { CUSTOM_KINDS, validateCustomResource } from '../packages/karpenter-validate/src/validation/crd';
import { Reporter } from '../packages/karpenter-validate/src/validation/findings';
import { re2Test } from '../packages/karpenter-validate/src/validation/regex';
import { changed, findings, lines, pick } from './validation-helpers';

const pool = (set: any[]) => pick(set, 'NodePool');
const nodeClass = (set: any[]) => pick(set, 'EC2NodeClass');
const deployment = (set: any[]) => pick(set, 'Deployment');
const errorsOf = (change: (set: any[]) => void, options = {}) => lines(findings(changed(change), { complete: true, ...options }));

describe('Karpenter objects against the v1.14.1 structural schemas', () => {
  it('applies the schema defaults before CEL runs, as the API server stores the object', () => {
    const stored = validateCustomResource(
      { apiVersion: 'karpenter.k8s.aws/v1', kind: 'EC2NodeClass', metadata: { name: 'x' }, spec: { role: 'r', amiSelectorTerms: [{ alias: 'al2023@latest' }], subnetSelectorTerms: [{ id: 'subnet-1' }], securityGroupSelectorTerms: [{ id: 'sg-1' }] } },
      CUSTOM_KINDS.get('karpenter.k8s.aws/v1/EC2NodeClass')!,
      new Reporter({ kind: 'EC2NodeClass', name: 'x' }),
    ) as any;
    expect(stored.spec.metadataOptions).toEqual({ httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'required' });
  });

  it('gives CEL integers as ints, so size() compares with minValues', () => {
    expect(errorsOf((s) => pool(s).spec.template.spec.requirements.push({ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['m7g', 'c7g'], minValues: 2 }))).toEqual([]);
  });

  it('reads int-or-string limits as either, and checks the quantity pattern on strings only', () => {
    expect(errorsOf((s) => (pool(s).spec.limits.cpu = 64))).toEqual([]);
    expect(errorsOf((s) => (pool(s).spec.limits.cpu = '64 cores'))).toContainEqual(expect.stringContaining('schema NodePool/general spec.limits.cpu ("64 cores"): should match'));
    expect(errorsOf((s) => (pool(s).spec.limits.cpu = true))).toContain('schema NodePool/general spec.limits.cpu (true): must be an integer or a string');
  });

  it('reports a wrong type and skips CEL, as the API server does', () => {
    expect(errorsOf((s) => (pool(s).spec.template.spec.requirements = 'arm64'))).toEqual([
      'schema NodePool/general spec.template.spec.requirements ("arm64"): must be of type array',
      'cel NodePool/general : some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    ]);
  });

  it('reports enums, patterns, bounds, list sizes and required fields with the field path', () => {
    expect(errorsOf((s) => (pool(s).spec.template.spec.requirements[0].operator = 'Equals'))).toContain(
      'schema NodePool/general spec.template.spec.requirements[0].operator ("Equals"): Unsupported value: supported values: "Gte", "Lte", "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"',
    );
    expect(errorsOf((s) => (pool(s).spec.template.spec.expireAfter = '30d'))).toContain(
      `schema NodePool/general spec.template.spec.expireAfter ("30d"): should match '^(([0-9]+(s|m|h))+|Never)$'`,
    );
    expect(errorsOf((s) => (nodeClass(s).spec.connectionTracking = { udpTimeout: 10 }))).toContain('schema EC2NodeClass/default spec.connectionTracking.udpTimeout (10): should be greater than or equal to 30');
    expect(errorsOf((s) => (nodeClass(s).spec.subnetSelectorTerms = Array.from({ length: 31 }, (_, i) => ({ id: `subnet-${i}` }))))).toContainEqual(
      expect.stringContaining('schema EC2NodeClass/default spec.subnetSelectorTerms ('),
    );
    expect(errorsOf((s) => delete pool(s).spec.template.spec.requirements)).toEqual(['schema NodePool/general spec.template.spec.requirements: Required value']);
  });

  it('reports a duplicate in a set-typed list', () => {
    expect(errorsOf((s) => (pool(s).spec.disruption.budgets = [{ nodes: '1', reasons: ['Drifted', 'Drifted'] }]))).toEqual([
      'schema NodePool/general spec.disruption.budgets[0].reasons (["Drifted","Drifted"]): Duplicate value: items 1 and 0 are equal',
    ]);
  });

  it('reports unknown fields at any depth (the API server would prune them silently)', () => {
    expect(errorsOf((s) => (pool(s).spec.template.spec.requirements[1].minvalues = 2))).toEqual([
      'unknown-field NodePool/general spec.template.spec.requirements[1].minvalues: unknown field "spec.template.spec.requirements[1].minvalues": not in the "spec.template.spec.requirements[1]" schema (allowed: key, minValues, operator, values)',
    ]);
  });

  it('refuses Karpenter versions that 1.14.1 does not serve', () => {
    expect(errorsOf((s) => (pool(s).apiVersion = 'karpenter.sh/v1beta1'))).toContain(
      'schema NodePool/general apiVersion ("karpenter.sh/v1beta1"): NodePool karpenter.sh/v1beta1 is not served by Karpenter 1.14.1: use karpenter.sh/v1 NodePool (see Karpenter\'s v1 migration guide)',
    );
    const provisioner = { apiVersion: 'karpenter.sh/v1alpha5', kind: 'Provisioner', metadata: { name: 'default' }, spec: {} };
    expect(lines(findings([provisioner], { admissionOnly: true }))).toEqual([
      'schema Provisioner/default apiVersion ("karpenter.sh/v1alpha5"): Provisioner karpenter.sh/v1alpha5 is not served by Karpenter 1.14.1: use karpenter.sh/v1 NodePool (see Karpenter\'s v1 migration guide)',
    ]);
  });

  it('ignores status, which the API server drops on create', () => {
    expect(errorsOf((s) => (pool(s).status = { nodes: 'three', whatever: true }))).toEqual([]);
  });

  it('checks the object name like the API server: a DNS-1123 subdomain', () => {
    expect(errorsOf((s) => (nodeClass(s).metadata.name = 'Default_Class'))).toContainEqual(expect.stringContaining('name EC2NodeClass/Default_Class metadata.name ("Default_Class"): EC2NodeClass name "Default_Class" must be a DNS-1123 subdomain'));
  });

  it("evaluates Kubernetes' regex library functions", () => {
    const list = { type: 'array' as const, items: { type: 'string' as const } };
    expect(evaluate("self.all(x, x.find('[0-9]+') == '42')", ['a42b7'], list)).toBe(true);
    expect(evaluate("self[0].findAll('a$') == ['a'] && self[0].findAll('[0-9]') == ['4', '2', '7'] && self[0].findAll('[0-9]', 2) == ['4', '2']", ['a42b7a'], list)).toBe(true);
    expect(evaluate("self[0].find('z') == ''", ['abc'], list)).toBe(true);
  });

  it('matches patterns with RE2 semantics, not ECMAScript ones', () => {
    // \z is RE2's end of text; ECMAScript reads it as a literal "z".
    expect(re2Test('^a\\z', 'a')).toBe(true);
    expect(/^a\z/.test('a')).toBe(false);
  });
});

// The API server's verdicts on changes like these are held to the real kube-apiserver by
// test/oracle-controlplane.test.ts; these pin the messages.
describe('core objects against the OpenAPI schema kube-apiserver 1.35 serves, and its validation', () => {
  it('reports enums from the schema and what validation requires', () => {
    const found = errorsOf((s) => Object.assign(deployment(s).spec.template.spec.containers[0], { imagePullPolicy: 'Sometimes', name: undefined }));
    expect(found).toContain('schema Deployment/api spec.template.spec.containers[0].imagePullPolicy ("Sometimes"): Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"');
    expect(found).toContain('validation Deployment/api spec.template.spec.containers[0].name: Required value');
  });

  it('refuses a value of the wrong shape as the typed apply does, and stops there', () => {
    expect(errorsOf((s) => (deployment(s).spec.replicas = 'two'))).toEqual(['schema Deployment/api spec.replicas ("two"): expected numeric (int or float), got string: the API server refuses the apply']);
  });

  it('reports unknown fields of core kinds at any depth, as field validation Strict does', () => {
    expect(errorsOf((s) => (deployment(s).spec.template.spec.containers[0].resource = { limits: { cpu: '1' } }))).toEqual([
      'unknown-field Deployment/api spec.template.spec.containers[0].resource: unknown field "spec.template.spec.containers[0].resource": not declared in the schema of "spec.template.spec.containers[0]" (field validation Strict refuses it; without it the field would be dropped)',
    ]);
    expect(errorsOf((s) => (pick(s, 'Service').spec.type_ = 'ClusterIP'))).toEqual(['unknown-field Service/api spec.type_: unknown field "spec.type_": not declared in the schema of "spec" (field validation Strict refuses it; without it the field would be dropped)']);
    expect(errorsOf((s) => (deployment(s).kindd = 'Deployment'))).toEqual(['unknown-field Deployment/api kindd: unknown field "kindd": not declared in the schema of the object (field validation Strict refuses it; without it the field would be dropped)']);
  });

  it('reads a null field of a core kind as unset, as the API server decodes it, and an own __proto__ field as an unknown field', () => {
    // Unset, containers are refused by validation: not a wrong type.
    expect(errorsOf((s) => (deployment(s).spec.template.spec.containers = null))).toEqual(['validation Deployment/api spec.template.spec.containers: Required value']);
    // A field named __proto__, as JSON.parse makes it: reported with the other typed errors.
    const found = errorsOf((s) => {
      Object.defineProperty(deployment(s).spec, '__proto__', { value: { replicas: 'two' }, enumerable: true });
      deployment(s).spec.replicas = 'three';
    });
    expect(found).toEqual([
      'unknown-field Deployment/api spec.__proto__: unknown field "spec.__proto__": not declared in the schema of "spec" (field validation Strict refuses it; without it the field would be dropped)',
      'schema Deployment/api spec.replicas ("three"): expected numeric (int or float), got string: the API server refuses the apply',
    ]);
  });

  it('names Services and Namespaces as DNS labels, other objects as subdomains', () => {
    const found = errorsOf((s) => {
      pick(s, 'Service').metadata.name = 'api.v2';
      pick(s, 'ConfigMap').metadata.name = 'api.v2';
    });
    expect(found).toEqual(['name Service/api.v2 metadata.name ("api.v2"): Service name "api.v2" must be a DNS-1123 label: at most 63 lowercase alphanumerics or \'-\', starting and ending alphanumeric (e.g. "my-name")']);
  });

  it('accepts RBAC names that are path segments, as the API server does', () => {
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:aggregate-to-view' }, rules: [] };
    expect(lines(findings([role], { admissionOnly: true }))).toEqual([]);
    expect(lines(findings([{ ...role, metadata: { name: 'a/b' } }], { admissionOnly: true }))).toEqual([
      `name ClusterRole/a/b metadata.name ("a/b"): ClusterRole name "a/b" must be a path segment: not '.' or '..', without '/' or '%' (e.g. "my-name")`,
    ]);
  });

  it('reports unknown metadata fields', () => {
    expect(errorsOf((s) => (pick(s, 'ConfigMap').metadata.label = { a: 'b' }))).toEqual(['unknown-field ConfigMap/api metadata.label: unknown field "metadata.label": not a field of ObjectMeta']);
  });

  it('requires port names on multi-port Services and mounts that name a volume', () => {
    expect(errorsOf((s) => pick(s, 'Service').spec.ports.push({ port: 443 }))).toEqual(['ports Service/api spec.ports[1].name: Required value: every port of a multi-port Service needs a name']);
    expect(errorsOf((s) => (deployment(s).spec.template.spec.containers[0].volumeMounts = [{ name: 'cache', mountPath: '/cache' }]))).toEqual([
      'containers Deployment/api spec.template.spec.containers[0].volumeMounts[0].name ("cache"): Not found: no volume named "cache" in the pod',
    ]);
  });

  it('checks selector syntax', () => {
    expect(errorsOf((s) => (pick(s, 'PodDisruptionBudget').spec.selector = { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['api'] }] }))).toContain(
      "selector PodDisruptionBudget/api spec.selector.matchExpressions[0].values ([\"api\"]): may not be specified when `operator` is 'Exists'",
    );
  });

  it('refuses probes on init containers that are not sidecars', () => {
    expect(errorsOf((s) => (deployment(s).spec.template.spec.initContainers = [{ ...deployment(s).spec.template.spec.containers[0], name: 'migrate', ports: [] }]))).toContain(
      'probes Deployment/api spec.template.spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
    );
  });

  it("validates a StatefulSet's pod template as the API server does (ValidatePodTemplateSpecForStatefulSet)", () => {
    const broken = (s: any[]) => (pick(s, 'StatefulSet').spec.template.spec.containers[0].resources.requests.memory = '1Gi');
    const refused = ['resources StatefulSet/queue spec.template.spec.containers[0].resources.requests ("1Gi"): Invalid value: "1Gi": must be less than or equal to memory limit of 512Mi'];
    expect(errorsOf(broken)).toEqual(refused);
    expect(errorsOf(broken, { admissionOnly: true })).toEqual(refused);
  });

  it('runs no cluster or policy rule with --admission-only', () => {
    expect(errorsOf((s) => (deployment(s).spec.template.spec.containers[0].image = 'nginx'), { admissionOnly: true })).toEqual([]);
  });
});

describe('policy details', () => {
  it('treats host namespaces, host paths and added capabilities like privilege', () => {
    const found = lines(
      findings(
        changed((s) => {
          const spec = deployment(s).spec.template.spec;
          Object.assign(spec, { hostNetwork: true, volumes: [{ name: 'docker', hostPath: { path: '/var/run/docker.sock' } }] });
          spec.containers[0].securityContext = { runAsNonRoot: true, runAsUser: 1000, capabilities: { add: ['NET_BIND_SERVICE', 'SYS_ADMIN'] } };
        }),
      ),
      'privileged',
    );
    expect(found).toEqual([
      'privileged Deployment/api spec.template.spec.hostNetwork (true): the pod shares the node\'s network namespace: if it must, waive the rule with the reason (annotation waivers.karpenter-as-code.io/privileged)',
      'privileged Deployment/api spec.template.spec.volumes[0].hostPath ("/var/run/docker.sock"): volume "docker" mounts the node\'s "/var/run/docker.sock": if it must, waive the rule with the reason (annotation waivers.karpenter-as-code.io/privileged)',
      'privileged Deployment/api spec.template.spec.containers[0].securityContext.capabilities.add (["SYS_ADMIN"]): container "api" adds capabilities SYS_ADMIN: if it must, waive the rule with the reason (annotation waivers.karpenter-as-code.io/privileged)',
    ]);
  });
});

describe('robustness', () => {
  // Every field of every fixture object replaced, in turn, by values of the wrong shape.
  function* paths(value: unknown, prefix: (string | number)[] = []): Generator<(string | number)[]> {
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      const path = [...prefix, Array.isArray(value) ? Number(key) : key];
      yield path;
      yield* paths(child, path);
    }
  }

  it('reports, and never throws, whatever shape a field has', () => {
    const base = changed(() => undefined);
    let runs = 0;
    base.forEach((object, index) => {
      for (const path of paths(object)) {
        for (const wrong of [null, 7, 'x', [], {}, [{}], -1]) {
          const set = structuredClone(base);
          const parent = path.slice(0, -1).reduce((o: any, k) => o[k], set[index]);
          parent[path[path.length - 1]!] = wrong;
          expect(() => findings(set), `${set[index].kind} ${path.join('.')} = ${JSON.stringify(wrong)}`).not.toThrow();
          runs++;
        }
      }
    });
    expect(runs).toBeGreaterThan(1000);
  });
});

describe('admission the API server does and we emulate (issue 10)', () => {
  it('reads nulls as a server-side apply does: unset in a core kind, a default where a CRD field has one, refused where it has none', () => {
    expect(errorsOf((s) => (deployment(s).spec.template.spec.nodeSelector = null))).toEqual([]);
    // expireAfter defaults to 720h: a null is the default.
    expect(errorsOf((s) => (pool(s).spec.template.spec.expireAfter = null))).toEqual([]);
    expect(errorsOf((s) => (nodeClass(s).spec.capacityReservationSelectorTerms = null))).toEqual([
      'schema EC2NodeClass/default spec.capacityReservationSelectorTerms (null): must be of type array',
      'cel EC2NodeClass/default : some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    ]);
    expect(errorsOf((s) => (nodeClass(s).spec.role = 5))).toContainEqual(expect.stringContaining('spec.role (5): must be of type string'));
  });

  it('refuses a Job whose pods would restart Always (the default), and accepts OnFailure and Never', () => {
    const job = (restartPolicy?: string) => (s: any[]) =>
      s.push({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once', namespace: 'web' }, spec: { template: { spec: { ...(restartPolicy ? { restartPolicy } : {}), containers: [{ name: 'c', image: 'busybox:1.36', resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '16Mi' } } }] } } } });
    const schema = (change: (s: any[]) => void) => errorsOf(change).filter((l) => l.startsWith('schema Job/once'));
    expect(schema(job())).toEqual(['schema Job/once spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
    expect(schema(job('Always'))).toEqual(['schema Job/once spec.template.spec.restartPolicy ("Always"): Required value: valid values: "OnFailure", "Never" (not "Always")']);
    expect(schema(job('Never'))).toEqual([]);
    expect(schema(job('OnFailure'))).toEqual([]);
  });

  it('refuses topology spread with maxSkew or minDomains of 0, and minDomains without DoNotSchedule', () => {
    const spread = (c: object) => (s: any[]) => (deployment(s).spec.template.spec.topologySpreadConstraints = [{ topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'api' } }, maxSkew: 1, ...c }]);
    expect(errorsOf(spread({ maxSkew: 0 }))).toContainEqual(expect.stringContaining('spec.template.spec.topologySpreadConstraints[0].maxSkew (0): must be greater than zero'));
    expect(errorsOf(spread({ minDomains: 0 }))).toContainEqual(expect.stringContaining('topologySpreadConstraints[0].minDomains (0): must be greater than zero'));
    expect(errorsOf(spread({ minDomains: 2, whenUnsatisfiable: 'ScheduleAnyway' }))).toContainEqual(expect.stringContaining('minDomains (2): can only be set when whenUnsatisfiable is DoNotSchedule'));
    expect(errorsOf(spread({ minDomains: 2 })).filter((l) => l.includes('topologySpreadConstraints'))).toEqual([]);
  });

  it('allows the same port name in an init container and a main container (names are unique per container)', () => {
    const both = (s: any[]) => {
      const pod = deployment(s).spec.template.spec;
      const name = pod.containers[0].ports[0].name;
      pod.initContainers = [{ name: 'warm', image: 'busybox:1.36', ports: [{ name, containerPort: 9000 }], resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '16Mi' } } }];
    };
    expect(errorsOf(both).filter((l) => l.includes('port'))).toEqual([]);
    const twice = (s: any[]) => {
      const c = deployment(s).spec.template.spec.containers[0];
      c.ports.push({ name: c.ports[0].name, containerPort: 9001 });
    };
    expect(errorsOf(twice)).toContainEqual(expect.stringContaining('Duplicate value'));
  });
});
