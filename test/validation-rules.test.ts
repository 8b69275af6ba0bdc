import { describe, expect, it } from 'vitest';
import { validate, ValidateOptions } from '../packages/karpenter-validate/src/validation';
import { objectsOfText } from '../packages/karpenter-validate/src/validation/load';
import { RULE_CATALOG } from '../packages/karpenter-validate/src/validation/rules';
import { child } from '../packages/karpenter-validate/src/validation/findings';
import { cloneJson } from '../packages/karpenter-validate/src/validation/pods';
import { changed, findings, lines, pick, validSet } from './validation-helpers';
import { goDurationSeconds } from '../packages/karpenter-validate/src/validation/disruption-windows';

/**
 * One failing and one passing fixture per rule of the catalog. Each starts from the valid set
 * (test/fixtures/valid) and changes one thing; the passing fixture is the nearest change that
 * must not trip the rule (or the valid set itself).
 */
interface RuleCase {
  readonly rule: string;
  readonly fail: (set: any[]) => void;
  /** Part of the expected message, naming the object, field or value. */
  readonly message: string;
  readonly pass?: (set: any[]) => void;
  /** YAML documents added to the set, read as the validate command reads files (for rules about the text itself). */
  readonly failYaml?: string;
  readonly passYaml?: string;
  readonly options?: ValidateOptions;
  /** Options for the passing fixture only, when they are what makes it pass (declared prerequisites). */
  readonly passOptions?: ValidateOptions;
}

const deployment = (set: any[]) => pick(set, 'Deployment', 'api');
const pod = (set: any[]) => deployment(set).spec.template.spec;
const container = (set: any[]) => pod(set).containers[0];
const statefulSet = (set: any[]) => pick(set, 'StatefulSet', 'queue');
const pool = (set: any[]) => pick(set, 'NodePool', 'general');
const nodeClass = (set: any[]) => pick(set, 'EC2NodeClass', 'default');
const pdb = (set: any[]) => pick(set, 'PodDisruptionBudget', 'api');
const hpa = (set: any[]) => pick(set, 'HorizontalPodAutoscaler', 'api');
const requirement = (set: any[], key: string) => pool(set).spec.template.spec.requirements.find((r: any) => r.key === key);
const KINDS = 'karpenter-as-code.io/cluster-scoped-kinds';
// An Argo CD Application and AppProject (in the argocd namespace, declared to exist) for the Argo CD rules.
const application = (spec: object, annotations: Record<string, string> = {}) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'web', namespace: 'web', annotations },
  spec: { source: { repoURL: 'https://git.example.com/web.git', path: 'dist', targetRevision: 'main' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'web' }, ...spec },
});
const scaledObject = (spec: object = {}, name = 'queue') => ({
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name, namespace: 'web' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'queue' }, minReplicaCount: 1, maxReplicaCount: 3, triggers: [{ type: 'redis', metadata: { address: 'queue.web.svc:6379', listName: 'jobs', listLength: '5' } }], ...spec },
});
const prometheusRule = (rule: object) => ({
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PrometheusRule',
  metadata: { name: 'karpenter', namespace: 'web' },
  spec: { groups: [{ name: 'karpenter', rules: [{ alert: 'KarpenterPodsWaiting', expr: 'max(karpenter_scheduler_unschedulable_pods_count) > 0', for: '15m', labels: { severity: 'warning' }, annotations: { summary: 's', description: 'd', runbook_url: 'https://runbooks.example.com/karpenter' } }].map((r) => ({ ...r, ...rule })) }] },
});
const project = (clusterResourceWhitelist: object[] = []) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AppProject',
  metadata: { name: 'platform', namespace: 'web' },
  spec: { sourceRepos: ['https://git.example.com/*'], destinations: [{ server: 'https://kubernetes.default.svc', namespace: '*' }], clusterResourceWhitelist },
});

// NetworkPolicies in the valid set's namespace, and the annotations that declare clients and flows.
const netpol = (name: string, spec: object) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'web' }, spec });
const DNS_EGRESS = { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] };
const clients = (set: any[], value: object) => (pick(set, 'Service', 'api').metadata.annotations = { 'karpenter-as-code.io/clients': JSON.stringify(value) });
const flows = (set: any[], value: object) => (deployment(set).metadata.annotations['karpenter-as-code.io/flows'] = JSON.stringify(value));

const CASES: readonly RuleCase[] = [
  { rule: 'schema', fail: (s) => (pool(s).spec.disruption.consolidationPolicy = 'Sometimes'), message: 'spec.disruption.consolidationPolicy ("Sometimes"): Unsupported value: supported values: "WhenEmpty", "WhenEmptyOrUnderutilized"', pass: (s) => (pool(s).spec.disruption.consolidationPolicy = 'WhenEmpty') },
  { rule: 'unknown-field', fail: (s) => (pool(s).spec.template.spec.instanceTypes = ['m7g.large']), message: 'spec.template.spec.instanceTypes: unknown field "spec.template.spec.instanceTypes"' },
  { rule: 'cel', fail: (s) => pool(s).spec.template.spec.requirements.push({ key: 'team', operator: 'In', values: [] }), message: "requirements with operator 'In' must have a value defined", pass: (s) => pool(s).spec.template.spec.requirements.push({ key: 'team', operator: 'DoesNotExist' }) },
  { rule: 'unknown-kind', fail: (s) => s.push({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'web', namespace: 'web' } }), message: 'no schema is known for cert-manager.io/v1/Certificate' },
  { rule: 'promql-labels', fail: (s) => s.push(prometheusRule({ expr: 'max by (namespace, name) (karpenter_pods_unbound_time_seconds) > 600' })), message: "label namespace of karpenter_pods_unbound_time_seconds is the scrape target's (the Service's namespace), not Karpenter's own", pass: (s) => s.push(prometheusRule({ expr: 'max by (exported_namespace, name) (karpenter_pods_unbound_time_seconds) > 600' })) },
  { rule: 'unserved-kind', fail: (s) => (deployment(s).kind = 'Deploymnet'), message: 'apps/v1 has no kind "Deploymnet": did you mean Deployment?', pass: (s) => s.push({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'web' } }) },
  { rule: 'validation', fail: (s) => (container(s).securityContext = { ...container(s).securityContext, runAsUser: -1 }), message: 'securityContext.runAsUser (-1): Invalid value: -1: must be between 0 and 2147483647, inclusive', pass: (s) => (container(s).securityContext = { ...container(s).securityContext, runAsUser: 2147483647 }) },
  { rule: 'name', fail: (s) => (deployment(s).metadata.name = 'Api'), message: 'Deployment name "Api" must be a DNS-1123 subdomain', pass: (s) => (hpa(s).spec.scaleTargetRef.name = deployment(s).metadata.name = 'api.v2') },
  { rule: 'labels', fail: (s) => (deployment(s).metadata.labels = { tier: 'front end' }), message: 'label value "front end" must be at most 63 alphanumerics', pass: (s) => (deployment(s).metadata.labels = { 'example.com/tier': 'front_end.v2' }) },
  { rule: 'selector', fail: (s) => (deployment(s).spec.selector = { matchLabels: { app: 'web' } }), message: '`selector` does not match template `labels`', pass: (s) => (deployment(s).spec.selector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['api', 'web'] }] }) },
  { rule: 'quantity', fail: (s) => (container(s).resources.requests.cpu = 'half'), message: 'spec.template.spec.containers[0].resources.requests.cpu ("half"): "half" is not a quantity', pass: (s) => (container(s).resources.requests.cpu = 0.5) },
  { rule: 'hpa-replicas', fail: (s) => (hpa(s).spec.minReplicas = 7), message: 'spec.maxReplicas (6): Invalid value: 6: must be greater than or equal to `minReplicas` (7)', pass: (s) => (hpa(s).spec.minReplicas = 6) },
  { rule: 'pdb-budget', fail: (s) => (pdb(s).spec.minAvailable = 1), message: 'minAvailable and maxUnavailable cannot be both set', pass: (s) => Object.assign(pdb(s).spec, { minAvailable: 1, maxUnavailable: undefined }) },
  { rule: 'containers', fail: (s) => pod(s).containers.push({ ...container(s), name: 'Side_car', ports: [] }), message: 'container name "Side_car" must be a DNS-1123 label', pass: (s) => pod(s).containers.push({ ...container(s), name: 'sidecar', ports: [] }) },
  { rule: 'ports', fail: (s) => (container(s).ports[0].name = 'http_port'), message: 'port name "http_port" must be an IANA service name', pass: (s) => (container(s).ports[0].name = 'http-alt') },
  { rule: 'resources', fail: (s) => (container(s).resources.requests.memory = '2Gi'), message: 'resources.requests ("2Gi"): Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi', pass: (s) => (container(s).resources.requests.memory = '1024Mi') },
  { rule: 'probes', fail: (s) => (container(s).readinessProbe.exec = { command: ['true'] }), message: 'readinessProbe.httpGet: Forbidden: may not specify more than 1 handler type' },
  { rule: 'volume-claim-templates', fail: (s) => delete statefulSet(s).spec.volumeClaimTemplates[0].spec.accessModes, message: 'spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode is required' },
  { rule: 'duplicate-object', fail: (s) => s.push(structuredClone(pdb(s))), message: 'PodDisruptionBudget/api metadata.name: is defined twice in the set (first at object 10)', pass: (s) => s.push({ ...structuredClone(pdb(s)), metadata: { name: 'api', namespace: 'other' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'none' } } } }) },
  { rule: 'node-class-ref', fail: (s) => (pool(s).spec.template.spec.nodeClassRef.name = 'gpu'), message: 'EC2NodeClass "gpu" is not in the set: the pool could never launch a node' },
  { rule: 'scale-target', fail: (s) => (hpa(s).spec.scaleTargetRef.name = 'web'), message: 'Deployment "web" is not in the set: the autoscaler scales nothing' },
  { rule: 'nodepool-name', fail: (s) => (pool(s).metadata.name = `general-${'x'.repeat(60)}`), message: 'must be a valid label value (at most 63 characters)' },
  { rule: 'placement', fail: (s) => (pod(s).nodeSelector = { workload: 'batch' }), message: 'can land on none of the 1 NodePools, so its pods stay Pending: "general": nodeSelector workload=batch, but its nodes have workload=web', pass: (s) => (pod(s).nodeSelector = { 'kubernetes.io/arch': 'arm64' }) },
  { rule: 'instance-types', fail: (s) => (requirement(s, 'node.kubernetes.io/instance-type').values = ['m7g.xlage']), message: 'instance types m7g.xlage are not among the 1336 types Karpenter v1.14.1 knows: the pool can never launch a node', pass: (s) => (requirement(s, 'node.kubernetes.io/instance-type').values = ['m7g.xlarge', 'm8g.xlarge']) },
  { rule: 'fits-instance', fail: (s) => Object.assign(container(s).resources, { requests: { cpu: '500m', memory: '16Gi' }, limits: { memory: '16Gi' } }), message: 'requests (500m CPU, 16Gi memory) do not fit any instance type of NodePool "general": the largest, m7g.xlarge (4 vCPU, 16Gi)', pass: (s) => Object.assign(container(s).resources, { requests: { cpu: '3', memory: '12Gi' }, limits: { memory: '12Gi' } }) },
  { rule: 'gpu-pool', fail: (s) => (container(s).resources.limits['nvidia.com/gpu'] = 1), message: 'requests 1 nvidia.com/gpu but can land on NodePool "general", whose instance types (m7g.large, m7g.xlarge) have 0 GPUs' },
  { rule: 'architecture', fail: (s) => (deployment(s).metadata.annotations['karpenter-as-code.io/architectures'] = 'amd64'), message: 'its images are published for [amd64] but it can land on NodePool "general", which launches arm64 nodes', pass: (s) => (deployment(s).metadata.annotations['karpenter-as-code.io/architectures'] = 'arm64') },
  { rule: 'pool-capacity', fail: (s) => (hpa(s).spec.maxReplicas = 200), message: 'HorizontalPodAutoscaler "api" may scale to 200 replicas x 500m cpu = 100000m, more than the cpu limits of [general] (64000m)', pass: (s) => (hpa(s).spec.maxReplicas = 128) },
  { rule: 'pdb-budget-missing', fail: (s) => delete pdb(s).spec.maxUnavailable, message: 'sets neither minAvailable nor maxUnavailable' },
  { rule: 'pdb-selects', fail: (s) => (pdb(s).spec.selector.matchLabels.app = 'web'), message: 'selects no pods of any workload in namespace "web"' },
  { rule: 'pdb-allows-disruption', fail: (s) => Object.assign(pdb(s).spec, { maxUnavailable: undefined, minAvailable: 2 }), message: 'allows no disruption with 2 replica(s) of Deployment api', pass: (s) => Object.assign(pdb(s).spec, { maxUnavailable: undefined, minAvailable: '50%' }) },
  { rule: 'pdb-blocks-eviction', fail: (s) => { pdb(s).spec.maxUnavailable = 0; pdb(s).spec.selector.matchLabels.app = 'not-in-the-set'; }, message: 'allows no eviction whatever the number of replicas', pass: (s) => (pdb(s).spec.maxUnavailable = '50%') },
  { rule: 'pdb-overlap', fail: (s) => s.push({ ...pdb(s), metadata: { name: 'api-copy', namespace: 'web' } }), message: 'selects the pods of Deployment api, which PodDisruptionBudget "api" selects too', pass: (s) => s.push({ ...pdb(s), metadata: { name: 'queue', namespace: 'web' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'queue' } } } }) },
  { rule: 'do-not-disrupt-grace', fail: (s) => { deployment(s).spec.template.metadata.annotations = { 'karpenter.sh/do-not-disrupt': 'true' }; delete pool(s).spec.template.spec.terminationGracePeriod; }, message: 'pods marked do-not-disrupt can land on NodePool "general", which has no spec.template.spec.terminationGracePeriod', pass: (s) => (deployment(s).spec.template.metadata.annotations = { 'karpenter.sh/do-not-disrupt': 'true' }) },
  { rule: 'zone-spread', fail: (s) => (requirement(s, 'topology.kubernetes.io/zone').values = ['eu-west-1a']), message: 'spreads over zones with DoNotSchedule, but its pools [general] launch only in [eu-west-1a]', pass: (s) => { requirement(s, 'topology.kubernetes.io/zone').values = ['eu-west-1a']; pod(s).topologySpreadConstraints[0].whenUnsatisfiable = 'ScheduleAnyway'; } },
  { rule: 'cluster-scoped-namespace', fail: (s) => (pool(s).metadata.namespace = 'web'), message: 'NodePool is cluster-scoped and must not set a namespace' },
  { rule: 'image-pinned', fail: (s) => (container(s).image = 'nginx:latest'), message: 'image "nginx:latest" must name a version tag other than latest, or a digest', pass: (s) => (container(s).image = `registry.example.com:5000/nginx@sha256:${'a'.repeat(64)}`) },
  { rule: 'no-inline-credentials', fail: (s) => (container(s).env = [{ name: 'DB_PASSWORD', value: 'hunter2' }]), message: 'env "DB_PASSWORD" holds a credential inline: use valueFrom.secretKeyRef', pass: (s) => (container(s).env = [{ name: 'DB_HOST', value: 'db.web.svc' }]) },
  { rule: 'requests-limits', fail: (s) => delete container(s).resources.limits.memory, message: 'container "api" must set limits.memory' },
  { rule: 'health-probes', fail: (s) => { delete container(s).readinessProbe; delete container(s).livenessProbe; }, message: 'container "api" must have a readinessProbe or a livenessProbe', pass: (s) => delete container(s).readinessProbe },
  { rule: 'run-as-non-root', fail: (s) => (pod(s).securityContext = { runAsUser: 1000 }), message: 'container "api" must set runAsNonRoot: true', pass: (s) => { pod(s).securityContext = {}; container(s).securityContext = { runAsNonRoot: true, runAsUser: 1000 }; } },
  { rule: 'privileged', fail: (s) => (container(s).securityContext = { privileged: true }), message: 'container "api" is privileged, which gives it the node: if it must, waive the rule with the reason (annotation waivers.karpenter-as-code.io/privileged)', pass: (s) => { container(s).securityContext = { privileged: true }; deployment(s).metadata.annotations['waivers.karpenter-as-code.io/privileged'] = 'api: loads a kernel module for the VPN'; } },
  { rule: 'imdsv2', fail: (s) => (nodeClass(s).spec.metadataOptions = { httpTokens: 'optional' }), message: 'spec.metadataOptions.httpTokens ("optional"): must be "required" (IMDSv2)', pass: (s) => delete nodeClass(s).spec.metadataOptions },
  { rule: 'encrypted-volumes', fail: (s) => (nodeClass(s).spec.blockDeviceMappings[0].ebs.encrypted = false), message: 'spec.blockDeviceMappings[0].ebs.encrypted (false): must be true', pass: (s) => delete nodeClass(s).spec.blockDeviceMappings },
  { rule: 'ami-pinned', fail: (s) => (nodeClass(s).spec.amiSelectorTerms[0].alias = 'al2023@latest'), options: { complete: true, production: true }, message: 'must pin an AMI version in production (e.g. "al2023@v20260714")', pass: (s) => (nodeClass(s).spec.amiSelectorTerms[0].alias = 'al2023@v20251001') },
  {
    rule: 'kubelet-config',
    fail: (s) => (nodeClass(s).spec.kubelet = { evictionSoft: { 'memory.available': '10%' } }),
    message: 'Karpenter 1.15.0 refuses this kubelet (the API server no longer checks it: the EC2NodeClass gets ValidationSucceeded=False, reason InvalidKubeletConfiguration, and no pool using it launches a node): spec.kubelet.evictionSoft[memory.available]: has no matching evictionSoftGracePeriod',
    pass: (s) => (nodeClass(s).spec.kubelet = { evictionSoft: { 'memory.available': '10%' }, evictionSoftGracePeriod: { 'memory.available': '1m' } }),
    options: { complete: true, karpenterVersion: '1.15.0' },
  },
  { rule: 'kube-reserved', fail: (s) => (nodeClass(s).spec.kubelet = { maxPods: 110, kubeReserved: { memory: '200Mi' } }), message: 'reserves 200Mi for the kubelet and runtime of up to 110 pods, where Karpenter and the EKS AMIs reserve 1465Mi', pass: (s) => (nodeClass(s).spec.kubelet = { maxPods: 110, kubeReserved: { memory: '1500Mi' } }) },
  { rule: 'pool-limits', fail: (s) => delete pool(s).spec.limits.memory, message: 'spec.limits ({"cpu":"64"}): must set memory: without them the pool can grow without bound' },
  { rule: 'placeholder-value', fail: (s) => (deployment(s).metadata.annotations['eks.amazonaws.com/role-arn'] = 'arn:aws:iam::111122223333:role/api'), message: "holds an AWS documentation account ID (111122223333), which only documentation uses: it points at an account, key, file system or host that is not yours", pass: (s) => (deployment(s).metadata.annotations['eks.amazonaws.com/role-arn'] = 'arn:aws:iam::210987654321:role/api') },
  {
    rule: 'validator',
    // A validator bug, simulated: reading the field throws. The object is reported as not checked, never passed.
    fail: (s) => Object.defineProperty(deployment(s).spec, 'replicas', { enumerable: true, get: () => { throw new Error('boom'); } }),
    message: 'could not be checked: the validator failed on it (boom); this is a bug in the validator, please report it',
  },
  { rule: 'removed-api', fail: (s) => (deployment(s).apiVersion = 'extensions/v1beta1'), message: 'Deployment extensions/v1beta1 is not served since Kubernetes 1.16 (the target is 1.35): use apps/v1', pass: (s) => (pdb(s).apiVersion = 'policy/v1') },
  { rule: 'namespace-exists', fail: (s) => (s.find((o: any) => o.kind === 'Namespace').metadata.name = 'other'), message: 'namespace "web" is not in the set, nor declared as a prerequisite', pass: (s) => (s.find((o: any) => o.kind === 'Namespace').metadata.name = 'other'), options: { complete: true }, passOptions: { complete: true, prerequisites: [{ kind: 'Namespace', name: 'web' }] } },
  { rule: 'external-reference', fail: (s) => s.splice(s.findIndex((o: any) => o.kind === 'Secret'), 1), message: 'Secret web/api is not in the set, nor declared as a prerequisite', pass: (s) => s.splice(s.findIndex((o: any) => o.kind === 'Secret'), 1), options: { complete: true }, passOptions: { complete: true, prerequisites: [{ kind: 'Secret', name: 'api', namespace: 'web' }] } },
  { rule: 'pod-security', fail: (s) => { s.find((o: any) => o.kind === 'Namespace').metadata.labels = { 'pod-security.kubernetes.io/enforce': 'restricted' }; }, message: 'namespace "web" enforces Pod Security "restricted", which refuses the pods of Deployment api: allowPrivilegeEscalation must be false', pass: (s) => { s.find((o: any) => o.kind === 'Namespace').metadata.labels = { 'pod-security.kubernetes.io/enforce': 'baseline' }; } },
  { rule: 'pod-security-warn', fail: (s) => { s.find((o: any) => o.kind === 'Namespace').metadata.labels = { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted' }; }, message: 'namespace "web" warns and audits at Pod Security "restricted"', pass: (s) => { s.find((o: any) => o.kind === 'Namespace').metadata.labels = { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'baseline' }; } },
  { rule: 'root-volume', fail: (s) => Object.assign(nodeClass(s).spec, { amiSelectorTerms: [{ alias: 'bottlerocket@v1.43.0' }] }), message: 'marks "/dev/xvda" as the root volume, but bottlerocket\'s kubelet and containers use /dev/xvdb', pass: (s) => Object.assign(nodeClass(s).spec, { amiSelectorTerms: [{ alias: 'bottlerocket@v1.43.0' }], blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '4Gi', encrypted: true } }, { deviceName: '/dev/xvdb', rootVolume: true, ebs: { volumeSize: '50Gi', encrypted: true } }] }) },
  { rule: 'do-not-disrupt-spot', fail: (s) => { requirement(s, 'karpenter.sh/capacity-type').values = ['spot']; deployment(s).spec.template.metadata.annotations = { 'karpenter.sh/do-not-disrupt': '30m' }; }, message: 'pods marked do-not-disrupt can land on spot NodePool "general": on a spot interruption', pass: (s) => { requirement(s, 'karpenter.sh/capacity-type').values = ['on-demand']; deployment(s).spec.template.metadata.annotations = { 'karpenter.sh/do-not-disrupt': '30m' }; } },
  { rule: 'stateful-expiry', fail: (s) => { pool(s).spec.template.spec.expireAfter = '24h'; s.push({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'queue', namespace: 'web' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'queue' } } } }); }, message: 'its pods can land on NodePool "general", which expires nodes after 24h: expiry ignores disruption budgets', pass: (s) => { pool(s).spec.template.spec.expireAfter = '720h'; pool(s).spec.disruption.budgets = [{ nodes: '1' }]; s.push({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'queue', namespace: 'web' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'queue' } } } }); } },
  { rule: 'argocd-project', fail: (s) => s.push(application({ project: 'platform' })), message: 'AppProject "platform" is not in the set: Argo CD refuses to sync the Application', pass: (s) => s.push(application({ project: 'platform' }), project()) },
  { rule: 'argocd-whitelist', fail: (s) => s.push(application({ project: 'platform' }, { [KINDS]: 'karpenter.sh/NodePool,/Namespace' }), project([{ group: '', kind: 'Namespace' }])), message: 'syncs cluster-scoped karpenter.sh/NodePool, which AppProject "platform" does not whitelist', pass: (s) => s.push(application({ project: 'platform' }, { [KINDS]: 'karpenter.sh/NodePool,/Namespace' }), project([{ group: '', kind: 'Namespace' }, { group: 'karpenter.sh', kind: '*' }])) },
  { rule: 'immutable-field', fail: (s) => (statefulSet(s).spec.serviceName = 'queue'), options: { complete: true, previous: validSet() }, message: 'spec.serviceName ("queue"): changes from "api" to "queue", which the API server refuses on update', pass: (s) => (statefulSet(s).spec.replicas = 3) },
  { rule: 'keda-admission', fail: (s) => s.push(scaledObject({ minReplicaCount: 0, triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '70' } }] })), message: 'is 0 with only cpu/memory triggers: the HPA cannot scale to zero on resource metrics, and KEDA refuses it', pass: (s) => s.push(scaledObject({ minReplicaCount: 1, triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '70' } }] })) },
  { rule: 'keda-trigger', fail: (s) => s.push(scaledObject({ triggers: [{ type: 'redis', metadata: { address: 'queue.web.svc:6379', listName: 'jobs', listLenght: '5' } }] })), message: 'spec.triggers[0].metadata.listLenght ("listLenght"): is not a parameter of the redis scaler (did you mean "listLength"?)', pass: (s) => s.push(scaledObject()) },
  { rule: 'autoscaler-conflict', fail: (s) => s.push({ ...structuredClone(pick(s, 'HorizontalPodAutoscaler', 'api')), metadata: { name: 'api-memory', namespace: 'web' } }), message: 'names Deployment api, which HorizontalPodAutoscaler api already scales', pass: (s) => s.push({ ...structuredClone(pick(s, 'HorizontalPodAutoscaler', 'api')), metadata: { name: 'queue', namespace: 'web' }, spec: { ...structuredClone(pick(s, 'HorizontalPodAutoscaler', 'api').spec), scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'queue' } } }) },
  { rule: 'promql', fail: (s) => s.push(prometheusRule({ expr: 'max(karpenter_scheduler_unschedulable_pod_count) > 0' })), message: 'metric karpenter_scheduler_unschedulable_pod_count is not one Karpenter 1.14.1 exports (did you mean karpenter_scheduler_unschedulable_pods_count?)', pass: (s) => s.push(prometheusRule({})) },
  { rule: 'alert-metadata', fail: (s) => s.push(prometheusRule({ annotations: { summary: 's' } })), message: 'alert KarpenterPodsWaiting has no annotations.description, annotations.runbook_url (or runbook)', pass: (s) => s.push(prometheusRule({})) },
  { rule: 'sync-order', fail: (s) => (s.find((o: any) => o.kind === 'Secret').metadata.annotations = { 'argocd.argoproj.io/sync-wave': '5' }), message: 'needs Secret web/api, which syncs in wave 5, after this object\'s wave 0', pass: (s) => (s.find((o: any) => o.kind === 'Secret').metadata.annotations = { 'argocd.argoproj.io/sync-wave': '-1' }) },
  {
    rule: 'argocd-job-retry',
    fail: (s) => s.push({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'web', annotations: { 'argocd.argoproj.io/sync-wave': '-1' } }, spec: { template: { spec: { ...pod(s), restartPolicy: 'OnFailure' } } } }),
    message: 'is a plain Job in wave -1, which Argo CD waits for: a Job that fails keeps its name and its Failed status',
    pass: (s) => s.push({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'web', annotations: { 'argocd.argoproj.io/sync-wave': '-1', 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' } }, spec: { template: { spec: { ...pod(s), restartPolicy: 'OnFailure' } } } }),
  },
  { rule: 'pdb-spot', fail: (s) => ((requirement(s, 'karpenter.sh/capacity-type').values = ['spot']), (pool(s).spec.disruption.consolidationPolicy = 'WhenEmpty')), message: 'lets 1 of the up to 6 pods of Deployment api be evicted at once, and they run on spot capacity only (NodePool general)', pass: (s) => ((requirement(s, 'karpenter.sh/capacity-type').values = ['spot']), (pool(s).spec.disruption.consolidationPolicy = 'WhenEmpty'), (pdb(s).spec.maxUnavailable = '100%')) },
  { rule: 'disruption-window', fail: (s) => (pod(s).terminationGracePeriodSeconds = 7200), message: 'asks for 2h to stop, but NodePool "general" gives a draining node terminationGracePeriod 1h', pass: (s) => (pod(s).terminationGracePeriodSeconds = 3600) },
  { rule: 'liveness-external', fail: (s) => (container(s).livenessProbe = { exec: { command: ['/bin/sh', '-c', 'celery -A app inspect ping -d "celery@$HOSTNAME"'] } }), message: 'container "api" has a liveness probe that depends on another service: `celery inspect` is a remote-control command, sent and answered through the broker', pass: (s) => (container(s).livenessProbe = { exec: { command: ['redis-cli', '-h', 'localhost', 'ping'] } }) },
  {
    rule: 'airflow-parallelism',
    fail: (s) => Object.assign(container(s), { command: ['airflow', 'scheduler'], env: [...container(s).env, { name: 'AIRFLOW__CORE__EXECUTOR', value: 'LocalExecutor' }] }),
    message: "runs Airflow's LocalExecutor with parallelism 32 (Airflow's default: no AIRFLOW__CORE__PARALLELISM): its tasks run in this container, 32 x at least 0.2Gi each",
    pass: (s) => Object.assign(container(s), { command: ['airflow', 'scheduler'], env: [...container(s).env, { name: 'AIRFLOW__CORE__EXECUTOR', value: 'LocalExecutor' }, { name: 'AIRFLOW__CORE__PARALLELISM', value: '4' }], resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } } }),
  },
  { rule: 'argocd-retry', fail: (s) => s.push(application({ project: 'platform', syncPolicy: { automated: { prune: true } } }), project()), message: 'syncs automatically without syncPolicy.retry', pass: (s) => s.push(application({ project: 'platform', syncPolicy: { automated: { prune: true }, retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } } } }), project()) },
  { rule: 'argocd-sync-loop', fail: (s) => delete statefulSet(s).spec.volumeClaimTemplates[0].apiVersion, message: 'has no apiVersion and kind: the API server fills them in, and Argo CD with server-side apply then shows the StatefulSet OutOfSync forever' },
  { rule: 'yaml-1.1', fail: () => undefined, failYaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\n  namespace: web\ndata:\n  enabled: yes\n', message: 'data.enabled (true): this plain scalar is read by kubectl and Argo CD (YAML 1.1, go-yaml v2) as true, by a YAML 1.2 reader as "yes"', passYaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\n  namespace: web\ndata:\n  enabled: "yes"\n' },
  { rule: 'waiver', fail: (s) => (deployment(s).metadata.annotations['waivers.karpenter-as-code.io/image-pinned'] = 'ok'), message: 'must give the reason for the waiver (at least 10 characters)', pass: (s) => (deployment(s).metadata.annotations['waivers.karpenter-as-code.io/image-pinned'] = 'the vendor publishes no tags') },
  { rule: 'network-policy-missing', fail: () => undefined, options: { complete: true, production: true }, message: 'namespace "web" runs pods (Deployment web/api, StatefulSet web/queue) and has no NetworkPolicy: every pod of the cluster can reach them', pass: (s) => s.push(netpol('default-deny', { podSelector: {}, policyTypes: ['Ingress'] })) },
  { rule: 'network-policy-selects-nothing', fail: (s) => s.push(netpol('api', { podSelector: { matchLabels: { app: 'apii' } }, policyTypes: ['Ingress'] })), message: 'spec.podSelector ({"matchLabels":{"app":"apii"}}): selects no pod of namespace "web"', pass: (s) => s.push(netpol('api', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'] })) },
  { rule: 'dns-egress-denied', fail: (s) => s.push(netpol('api-egress', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'queue' } } }], ports: [{ port: 6379 }] }] })), message: 'its pods cannot resolve names: NetworkPolicy web/api-egress isolates their egress and allows no 53/UDP or 53/TCP to CoreDNS', pass: (s) => s.push(netpol('api-egress', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'queue' } } }], ports: [{ port: 6379 }] }, DNS_EGRESS] })) },
  { rule: 'service-unreachable', fail: (s) => { clients(s, { http: [{ namespace: 'web', podSelector: { matchLabels: { app: 'queue' } } }] }); s.push(netpol('default-deny', { podSelector: {}, policyTypes: ['Ingress'] })); }, message: 'port "http" (8080/TCP on its pods) is not reachable from its declared client StatefulSet web/queue: the ingress of Deployment web/api is isolated by NetworkPolicy web/default-deny, and none of their rules allows 8080/TCP from StatefulSet web/queue', pass: (s) => { clients(s, { http: [{ namespace: 'web', podSelector: { matchLabels: { app: 'queue' } } }] }); s.push(netpol('default-deny', { podSelector: {}, policyTypes: ['Ingress'] }), netpol('api', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'queue' } } }], ports: [{ port: 'http' }] }] })); } },
  { rule: 'declared-flow-denied', fail: (s) => { flows(s, { egress: [{ to: { cidrs: ['203.0.113.0/24'] }, ports: [{ port: 443, protocol: 'TCP' }] }] }); s.push(netpol('api-egress', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [DNS_EGRESS] })); }, message: 'declares that its pods connect to 203.0.113.0/24 on 443/TCP, but the egress its NetworkPolicy web/api-egress allows on 443/TCP misses 203.0.113.0-203.0.113.255', pass: (s) => { flows(s, { egress: [{ to: { cidrs: ['203.0.113.0/24'] }, ports: [{ port: 443, protocol: 'TCP' }] }] }); s.push(netpol('api-egress', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [DNS_EGRESS, { to: [{ ipBlock: { cidr: '203.0.0.0/16' } }], ports: [{ port: 443 }] }] })); } },
  { rule: 'privileged-shared-node', fail: (s) => (container(s).securityContext = { privileged: true }), message: 'can take its node (container "api" is privileged) and can land on NodePool "general" with StatefulSet web/queue: an escape from it is root on a node running them', pass: (s) => { container(s).securityContext = { privileged: true }; s.splice(s.indexOf(statefulSet(s)), 1); } },
];

describe('validation rules', () => {
  it('passes the valid fixture set without a finding', () => {
    expect(lines(findings(validSet()))).toEqual([]);
  });

  it('has a failing and a passing fixture for every rule of the catalog', () => {
    expect(CASES.map((c) => c.rule).sort()).toEqual([...RULE_CATALOG.keys()].sort());
  });

  // The set, and the objects of `yaml` read as the validate command reads a file.
  const withYaml = (set: any[], yaml: string | undefined, options: ValidateOptions = { complete: true }) =>
    validate([...set.map((object) => ({ object })), ...(yaml ? objectsOfText(yaml, 'case.yaml') : [])], options).findings;

  it.each(CASES.map((c) => [c.rule, c] as const))('%s: fails with its message', (_, c) => {
    const found = lines(withYaml(changed(c.fail), c.failYaml, c.options), c.rule);
    expect(found.some((line) => line.includes(c.message)), found.join('\n') || 'no finding of this rule').toBe(true);
  });

  it.each(CASES.map((c) => [c.rule, c] as const))('%s: passes its passing fixture', (_, c) => {
    expect(lines(withYaml(c.pass ? changed(c.pass) : validSet(), c.passYaml, c.passOptions ?? c.options), c.rule)).toEqual([]);
  });
});

describe('sync-order', () => {
  const wave = (object: any, value: string) => (object.metadata.annotations = { ...object.metadata.annotations, 'argocd.argoproj.io/sync-wave': value });
  const found = (set: any[], options = {}) => lines(findings(set, options), 'sync-order');

  it('reports an autoscaler synced before its target, which Argo CD would count Degraded', () => {
    const set = changed((s) => wave(pick(s, 'HorizontalPodAutoscaler', 'api'), '-1'));
    expect(found(set).join('\n')).toContain('targets Deployment api, which syncs in wave 0, after this object\'s wave -1');
  });

  it('reports a claim that waits for a consumer synced in a later wave, and accepts it in the same wave', () => {
    const withClaim = (claimWave: string) => changed((s) => {
      s.push({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'late' }, provisioner: 'ebs.csi.aws.com', volumeBindingMode: 'WaitForFirstConsumer', parameters: { encrypted: 'true' } });
      const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'web' }, spec: { storageClassName: 'late', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
      wave(claim, claimWave);
      s.push(claim);
      const pod = pick(s, 'Deployment', 'api').spec.template.spec;
      pod.volumes = [...(pod.volumes ?? []), { name: 'data', persistentVolumeClaim: { claimName: 'data' } }];
    });
    expect(found(withClaim('-2')).join('\n')).toContain('uses StorageClass late (WaitForFirstConsumer) and its first consumer syncs in wave 0: the claim stays Pending');
    expect(found(withClaim('0'))).toEqual([]);
  });

  it('reports a wave that is not an integer, which Argo CD silently reads as 0', () => {
    const set = changed((s) => wave(pick(s, 'Deployment', 'api'), 'late'));
    expect(found(set).join('\n')).toContain('is not an integer: Argo CD cannot parse it and syncs the object in wave 0');
  });

  it('orders hooks by phase: a PreSync Job may not need a Secret of the Sync phase', () => {
    const set = changed((s) => {
      s.push({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'web', annotations: { 'argocd.argoproj.io/hook': 'PreSync' } }, spec: { backoffLimit: 1, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'busybox:1.36', envFrom: [{ secretRef: { name: 'api' } }], resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '64Mi' } } }] } } } });
    });
    expect(found(set).join('\n')).toContain('needs Secret web/api, which syncs in wave 0, after this object\'s PreSync wave 0');
  });
});

describe('field paths in findings', () => {
  it('writes a key as .key when it is an identifier, and quoted in brackets otherwise', () => {
    expect(child('', 'spec')).toBe('spec');
    expect(child('spec', 'template')).toBe('spec.template');
    expect(child('spec', '_a1')).toBe('spec._a1');
    expect(child('data', 'karpenter-agents.yaml')).toBe('data["karpenter-agents.yaml"]');
    expect(child('spec', '1a')).toBe('spec["1a"]');
    expect(child('spec', '')).toBe('spec[""]');
    expect(child('spec', 'é')).toBe('spec["é"]');
    expect(child('items', 0)).toBe('items[0]');
  });
});

describe('cloneJson', () => {
  it('copies JSON deeply, drops undefined fields, and keeps a __proto__ field a field', () => {
    const source = JSON.parse('{"a":[1,{"b":"c"}],"__proto__":{"x":1},"n":null}') as Record<string, unknown>;
    const copy = cloneJson<Record<string, unknown>>({ ...source, gone: undefined });
    expect(copy).toEqual(source);
    expect(Object.keys(copy)).toEqual(['a', '__proto__', 'n']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy.a as unknown[])[1]).not.toBe((source.a as unknown[])[1]);
  });
});

describe('disruption-window: what a drain can give a pod on its pools (Karpenter v1.14.1 terminator.go podDeleteTimeWithGracePeriod)', () => {
  const found = (change: (s: any[]) => void) => lines(findings(changed(change)), 'disruption-window');
  const annotate = (s: any[], value: string) => (deployment(s).spec.template.metadata.annotations = { 'karpenter.sh/do-not-disrupt': value });

  it('fails a do-not-disrupt duration that, with the grace after it, outlasts the pool\'s terminationGracePeriod', () => {
    expect(found((s) => annotate(s, '1h'))).toEqual([
      'disruption-window Deployment/api spec.template.metadata.annotations["karpenter.sh/do-not-disrupt"] ("1h"): protects each pod for 1h after it starts, but NodePool "general" expires nodes after 720h and gives a draining node terminationGracePeriod 1h: a pod that started shortly before its node expired (or drifted) is deleted 59m30s into the drain, 30s before its protection and its 30s shutdown end. Raise the pool\'s terminationGracePeriod to 1h30s or more, or protect the pods for 59m30s at most',
    ]);
  });

  it('reads the duration as Go does, and passes what fits, what Karpenter ignores, and the permanent form', () => {
    expect(found((s) => annotate(s, '0.5h'))).toEqual([]);
    expect(found((s) => annotate(s, '59m30s'))).toEqual([]);
    expect(found((s) => annotate(s, '59m31s'))).toEqual([expect.stringContaining('is deleted 59m30s into the drain, 1s before')]);
    expect(found((s) => annotate(s, '2d'))).toEqual([]);
    expect(found((s) => annotate(s, 'true'))).toEqual([]);
  });

  it('passes any window on a pool without a terminationGracePeriod, whose drain waits for it', () => {
    expect(found((s) => {
      annotate(s, '3h');
      delete pool(s).spec.template.spec.terminationGracePeriod;
    })).toEqual([]);
  });
});

describe('goDurationSeconds: time.ParseDuration of Go 1.26, as Karpenter reads a do-not-disrupt duration', () => {
  it.each([
    ['1h', 3600], ['1h30m', 5400], ['1.5h', 5400], ['90m', 5400], ['500ms', 0.5], ['2h45m10s', 9910], ['0', 0], ['-1h', -3600], ['+15m', 900], ['.5h', 1800], ['1h1h', 7200], ['3000us', 0.003],
  ] as const)('reads %s as %d seconds', (text, seconds) => {
    expect(goDurationSeconds(text)).toBeCloseTo(seconds, 9);
  });

  it.each(['', '1', '1d', 'h', '.h', '1 h', '1H', 'true', '-', '1h-30m'])('refuses %j', (text) => {
    expect(goDurationSeconds(text)).toBeUndefined();
  });
});

describe('pdb-spot', () => {
  const spot = (s: any[]) => ((requirement(s, 'karpenter.sh/capacity-type').values = ['spot']), (pool(s).spec.disruption.consolidationPolicy = 'WhenEmpty'));
  const found = (change: (s: any[]) => void) => lines(findings(changed(change)), 'pdb-spot');

  it('is an error where the pools consolidate only empty nodes, and a warning where the budget also paces consolidation', () => {
    expect(findings(changed(spot)).filter((f) => f.rule === 'pdb-spot').map((f) => [f.severity, f.message.slice(f.message.indexOf('without SIGTERM'))])).toEqual([
      ['error', 'without SIGTERM, and nothing else needs it: their pools consolidate only empty nodes. Allow them all to go (maxUnavailable: 100%) or drop the budget'],
    ]);
    expect(findings(changed((s) => (requirement(s, 'karpenter.sh/capacity-type').values = ['spot']))).filter((f) => f.rule === 'pdb-spot').map((f) => [f.severity, f.message.slice(f.message.indexOf('without SIGTERM'))])).toEqual([
      ['warning', 'without SIGTERM. NodePool general also consolidates busy nodes, and there the budget keeps consolidation from evicting them all at once: weigh the two, or let them run on on-demand capacity too'],
    ]);
  });

  it('counts the autoscaler\'s maximum, and reads minAvailable as the pods that must stay', () => {
    expect(found((s) => {
      spot(s);
      pdb(s).spec = { minAvailable: '50%', selector: pdb(s).spec.selector };
    })).toEqual([expect.stringContaining('spec.minAvailable ("50%"): lets 3 of the up to 6 pods of Deployment api be evicted at once')]);
  });

  it('passes a budget of pods that can also land on on-demand capacity, and one that lets every pod go', () => {
    expect(found((s) => (requirement(s, 'karpenter.sh/capacity-type').values = ['spot', 'on-demand']))).toEqual([]);
    expect(found((s) => ((spot(s), (pdb(s).spec.maxUnavailable = 6))))).toEqual([]);
  });
});

describe('liveness-external: a liveness probe checks its own container', () => {
  const probe = (livenessProbe: object) => lines(findings(changed((s) => (container(s).livenessProbe = livenessProbe))), 'liveness-external');
  const exec = (...command: string[]) => ({ exec: { command } });

  it.each([
    [{ httpGet: { host: 'auth.example.com', path: '/healthz', port: 443 } }, 'its httpGet checks host auth.example.com'],
    [{ tcpSocket: { host: '10.0.0.12', port: 5432 } }, 'its tcpSocket checks host 10.0.0.12'],
    [exec('/bin/sh', '-c', 'celery -A app status'), '`celery status` is a remote-control command'],
    [exec('redis-cli', '-h', 'redis-master.redis.svc.cluster.local', 'ping'), 'its command reaches Service redis-master.redis.svc'],
    [exec('sh', '-c', 'psql postgres://app@db.internal:5432/app -c "select 1"'), 'its command reaches db.internal'],
    [exec('pg_isready', '--host=db.internal'), 'its command reaches host db.internal'],
  ])('fails %j', (livenessProbe, why) => {
    expect(probe(livenessProbe)).toEqual([expect.stringContaining(`has a liveness probe that depends on another service: ${why}`)]);
  });

  it.each([
    [{ httpGet: { path: '/healthz', port: 8080 } }],
    [{ httpGet: { host: '127.0.0.1', path: '/healthz', port: 8080 } }],
    [exec('redis-cli', 'ping')],
    [exec('pg_isready', '-h', 'localhost')],
    [exec('sh', '-c', 'curl -fs http://localhost:8080/healthz')],
    [exec('sh', '-c', 'nc -z $(POD_IP) 9092')],
  ])('passes %j', (livenessProbe) => {
    expect(probe(livenessProbe)).toEqual([]);
  });
});

describe('airflow-parallelism', () => {
  const scheduler = (s: any[], env: object[], memory: string, annotations?: Record<string, string>) => {
    Object.assign(container(s), { command: ['airflow', 'scheduler'], env: [{ name: 'AIRFLOW__CORE__EXECUTOR', value: 'LocalExecutor' }, ...env], resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory } } });
    if (annotations) deployment(s).spec.template.metadata.annotations = annotations;
  };
  const found = (change: (s: any[]) => void) => lines(findings(changed(change)), 'airflow-parallelism');
  const stated = { 'karpenter-as-code.io/airflow-task-memory': '256Mi' };

  it('holds the tasks at the memory the pod states for one, with the scheduler\'s own', () => {
    expect(found((s) => scheduler(s, [{ name: 'AIRFLOW__CORE__PARALLELISM', value: '12' }], '4Gi', stated))).toEqual([]);
    expect(found((s) => scheduler(s, [{ name: 'AIRFLOW__CORE__PARALLELISM', value: '13' }], '4Gi', stated))).toEqual([
      'airflow-parallelism Deployment/api spec.template.spec.containers[0].resources.limits.memory ("4Gi"): container "api" runs Airflow\'s LocalExecutor with parallelism 13: its tasks run in this container, 13 x 256Mi each (karpenter-as-code.io/airflow-task-memory) and the scheduler\'s own 1Gi make 4.25Gi, more than its memory limit 4Gi, so a busy scheduler is OOM-killed with every task it runs. Set AIRFLOW__CORE__PARALLELISM to 12 or less, or raise the limit to 4.25Gi',
    ]);
  });

  it("takes Airflow's default parallelism, 32, where none is set, and the floor of a task's memory where none is stated", () => {
    // The scheduler of this project before: 4Gi, with Airflow's default.
    expect(found((s) => scheduler(s, [], '4Gi'))).toEqual([expect.stringContaining('with parallelism 32 (Airflow\'s default: no AIRFLOW__CORE__PARALLELISM): its tasks run in this container, 32 x at least 0.2Gi each')]);
    expect(found((s) => scheduler(s, [], '8Gi', stated))).toEqual([expect.stringContaining('32 x 256Mi each (karpenter-as-code.io/airflow-task-memory) and the scheduler\'s own 1Gi make 9Gi')]);
  });

  it('passes a scheduler that does not run the tasks itself', () => {
    expect(found((s) => Object.assign(container(s), { command: ['airflow', 'scheduler'], env: [{ name: 'AIRFLOW__CORE__EXECUTOR', value: 'CeleryExecutor' }] }))).toEqual([]);
  });
});
