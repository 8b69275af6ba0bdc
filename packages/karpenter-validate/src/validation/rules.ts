/** `error` fails synth and the CLI; `warning` is reported and lets them pass. */
export type Severity = 'error' | 'warning';

/**
 * Where a rule comes from. `admission`: the API server itself refuses the object (what
 * `--admission-only` runs). `cluster`: the object is accepted but Karpenter or the scheduler
 * would not do what it says. `policy`: our reliability and security rules, waivable per object.
 */
export type Layer = 'admission' | 'cluster' | 'policy';

export interface Rule {
  readonly id: string;
  readonly layer: Layer;
  readonly severity: Severity;
  /** Why the rule exists, in one line. */
  readonly rationale: string;
}

/** Annotation prefix of waivers: `waivers.karpenter-as-code.io/<rule id>: <reason>`. */
export const WAIVER_PREFIX = 'waivers.karpenter-as-code.io/';

const RULES: readonly Rule[] = [
  // What the API server enforces.
  { id: 'schema', layer: 'admission', severity: 'error', rationale: 'The API server rejects objects that do not match the OpenAPI schema of their kind.' },
  { id: 'unknown-field', layer: 'admission', severity: 'error', rationale: 'kubectl and ArgoCD apply with strict field validation; without it the field is silently dropped.' },
  { id: 'cel', layer: 'admission', severity: 'error', rationale: "The CRD's x-kubernetes-validations rules reject the object on create." },
  { id: 'removed-api', layer: 'admission', severity: 'error', rationale: 'An object in an API version Kubernetes no longer serves is refused.' },
  { id: 'unknown-kind', layer: 'admission', severity: 'warning', rationale: 'No schema is known for this kind (a CRD of a group not pinned here), so only its metadata is checked.' },
  { id: 'unserved-kind', layer: 'admission', severity: 'error', rationale: 'A kind or version the API server does not serve, in a group only it (or a pinned CRD) defines, is refused: kubectl finds no match for it and applies nothing.' },
  { id: 'name', layer: 'admission', severity: 'error', rationale: 'Object names must be DNS-1123 subdomains (labels for Namespaces and Services).' },
  { id: 'labels', layer: 'admission', severity: 'error', rationale: 'Label keys and values, and annotation keys, have a fixed syntax.' },
  { id: 'selector', layer: 'admission', severity: 'error', rationale: 'A controller whose selector does not match its pod template labels is rejected.' },
  { id: 'quantity', layer: 'admission', severity: 'error', rationale: 'Resource amounts must be Kubernetes quantities.' },
  { id: 'hpa-replicas', layer: 'admission', severity: 'error', rationale: 'An HPA needs minReplicas >= 1 and minReplicas <= maxReplicas.' },
  { id: 'pdb-budget', layer: 'admission', severity: 'error', rationale: 'A PDB sets exactly one of minAvailable and maxUnavailable.' },
  { id: 'containers', layer: 'admission', severity: 'error', rationale: 'Container names are unique DNS labels within a pod.' },
  { id: 'ports', layer: 'admission', severity: 'error', rationale: 'Port names are unique IANA service names; port numbers are 1-65535.' },
  { id: 'resources', layer: 'admission', severity: 'error', rationale: 'A container request may not exceed its limit.' },
  { id: 'probes', layer: 'admission', severity: 'error', rationale: 'A probe has exactly one handler.' },
  { id: 'validation', layer: 'admission', severity: 'error', rationale: "What the API server's validation functions refuse beyond its schema (pkg/apis/<group>/validation): required fields, ranges, formats and combinations, per kind." },
  // What Karpenter and the scheduler would not do.
  { id: 'duplicate-object', layer: 'cluster', severity: 'error', rationale: 'A cluster holds one object per kind, namespace and name: a second definition replaces the first.' },
  { id: 'node-class-ref', layer: 'cluster', severity: 'error', rationale: 'A NodePool whose EC2NodeClass does not exist never launches a node.' },
  { id: 'scale-target', layer: 'cluster', severity: 'error', rationale: 'An HPA whose target does not exist scales nothing.' },
  { id: 'nodepool-name', layer: 'cluster', severity: 'error', rationale: 'Karpenter labels nodes karpenter.sh/nodepool=<name>, so the name must be a valid label value.' },
  { id: 'volume-claim-templates', layer: 'admission', severity: 'error', rationale: "The API server validates a StatefulSet's claim templates as claims: access modes and a positive storage request." },
  { id: 'placement', layer: 'cluster', severity: 'error', rationale: 'A pod that matches no pool stays Pending; one that matches a pool it is not meant for lands there.' },
  { id: 'kubelet-config', layer: 'cluster', severity: 'error', rationale: "From Karpenter 1.15.0 the API server no longer checks an EC2NodeClass's kubelet: Karpenter's controller refuses a bad one (ValidationSucceeded=False), the class is not Ready and its pools launch no node. Checked as the controller checks it." },
  { id: 'instance-types', layer: 'cluster', severity: 'error', rationale: 'A pool whose requirements allow no instance type Karpenter knows never launches a node.' },
  { id: 'fits-instance', layer: 'cluster', severity: 'error', rationale: "A pod larger than the largest instance's allocatable resources is never scheduled." },
  { id: 'gpu-pool', layer: 'cluster', severity: 'error', rationale: 'GPU requests are only satisfiable on pools whose instance types have GPUs.' },
  { id: 'architecture', layer: 'cluster', severity: 'error', rationale: 'An image built for one architecture crashes on nodes of another.' },
  { id: 'pool-capacity', layer: 'cluster', severity: 'warning', rationale: "An HPA that can scale past its pool's limits leaves the extra pods Pending." },
  { id: 'pdb-budget-missing', layer: 'cluster', severity: 'error', rationale: 'A PDB with neither minAvailable nor maxUnavailable states no budget.' },
  { id: 'pdb-selects', layer: 'cluster', severity: 'error', rationale: 'A PDB that selects no pods protects nothing.' },
  { id: 'pdb-allows-disruption', layer: 'cluster', severity: 'error', rationale: 'A PDB that allows no disruption blocks every drain, so Karpenter can never replace the node.' },
  { id: 'pdb-overlap', layer: 'cluster', severity: 'error', rationale: 'The eviction API refuses pods matched by two PDBs, which stalls every drain.' },
  { id: 'do-not-disrupt-grace', layer: 'cluster', severity: 'error', rationale: 'Without a terminationGracePeriod, a node holding a do-not-disrupt pod is never drained, not even when it expires.' },
  { id: 'root-volume', layer: 'cluster', severity: 'error', rationale: "Karpenter sizes ephemeral storage from the rootVolume mapping, which must be the AMI family's kubelet volume (Bottlerocket: /dev/xvdb)." },
  { id: 'do-not-disrupt-spot', layer: 'cluster', severity: 'error', rationale: 'On a spot interruption, do-not-disrupt pods are not evicted: EC2 reclaims the node and they die without SIGTERM.' },
  { id: 'stateful-expiry', layer: 'cluster', severity: 'error', rationale: "Expiry ignores disruption budgets: a StatefulSet's nodes created together drain together unless the pool refreshes them through drift, one at a time." },
  { id: 'pdb-blocks-eviction', layer: 'cluster', severity: 'error', rationale: 'maxUnavailable 0 or minAvailable 100% blocks every eviction, whatever the replica count.' },
  { id: 'zone-spread', layer: 'cluster', severity: 'error', rationale: 'Spreading over zones needs a pool that launches nodes in at least two zones.' },
  { id: 'cluster-scoped-namespace', layer: 'cluster', severity: 'error', rationale: 'A namespace on a cluster-scoped object is a chart mistake that tools handle inconsistently.' },
  { id: 'pod-security', layer: 'cluster', severity: 'error', rationale: "Pod Security Admission refuses the pods of a workload the API server accepted, when they break the namespace's enforce level." },
  { id: 'namespace-exists', layer: 'cluster', severity: 'error', rationale: 'An object in a namespace that does not exist is refused, and the sync fails.' },
  { id: 'yaml-1.1', layer: 'cluster', severity: 'warning', rationale: 'kubectl and Argo CD read YAML as 1.1 (go-yaml v2): a plain yes, on, y, 0644, 1_000 or 2024-01-01 reaches the API server as a boolean, an octal number or a timestamp, where a YAML 1.2 reader sees a string or another number.' },
  { id: 'external-reference', layer: 'cluster', severity: 'error', rationale: 'A Secret, ConfigMap, claim, ServiceAccount or Service outside the set that is not declared as a prerequisite makes pods wait and later sync waves never run.' },
  { id: 'argocd-project', layer: 'cluster', severity: 'error', rationale: 'An Application whose AppProject does not exist, or does not permit its source or destination, is never synced.' },
  { id: 'argocd-whitelist', layer: 'cluster', severity: 'error', rationale: "A cluster-scoped kind the AppProject does not whitelist fails the Application's sync." },
  { id: 'immutable-field', layer: 'admission', severity: 'error', rationale: 'An update that changes a field the API server holds immutable (StatefulSet claim templates, selectors, a claim shrinking, a StorageClass parameter, a CRD transition rule) is refused: the sync fails on it until the object is replaced by hand.' },
  { id: 'keda-admission', layer: 'admission', severity: 'error', rationale: "What KEDA's admission webhook refuses: name or HPA name over 63 characters, replica bounds, no or repeated triggers, cpu/memory triggers without requests or scaling to zero, a workload another autoscaler already scales." },
  { id: 'keda-trigger', layer: 'cluster', severity: 'error', rationale: "Trigger metadata against the scaler's parameters (KEDA 2.20.2): an unknown parameter is silently ignored, a missing required one or a malformed value keeps the ScaledObject from ever turning Ready." },
  { id: 'autoscaler-conflict', layer: 'cluster', severity: 'error', rationale: 'Two HPAs on one workload: the HPA controller scales neither.' },
  { id: 'promql', layer: 'cluster', severity: 'error', rationale: 'An alert or dashboard query that does not parse is refused (Prometheus Operator webhook, Prometheus) or shows nothing; one on a metric Karpenter does not export never fires.' },
  { id: 'promql-labels', layer: 'cluster', severity: 'error', rationale: "A label an alert or dashboard query (or an alert's template) names must be one the series carry once scraped: the Prometheus Operator gives a ServiceMonitor's targets namespace, service, pod, container, endpoint, job and instance, and with honorLabels false renames a metric's own label of the same name to exported_<name>; a query on a label the series lack matches or groups on an empty value." },
  { id: 'sync-order', layer: 'cluster', severity: 'error', rationale: 'Argo CD starts a sync wave only once the previous one is healthy: an object that needs something from a later wave (a Secret, a claim, its scale target) stops the sync, as does a claim left waiting for a consumer in a later wave, or a workload whose scale-to-zero autoscaler syncs after it (its defaulted replica must come up first), and a wave annotation that is not an integer is silently wave 0.' },
  { id: 'argocd-retry', layer: 'cluster', severity: 'warning', rationale: 'Argo CD never retries a failed automated sync of the same commit without syncPolicy.retry.' },
  // Policy: reliability and security.
  { id: 'image-pinned', layer: 'policy', severity: 'error', rationale: 'An image without a version tag or digest changes under the same manifest.' },
  { id: 'no-inline-credentials', layer: 'policy', severity: 'error', rationale: 'Credentials belong in Secrets, not in env values committed to git.' },
  { id: 'requests-limits', layer: 'policy', severity: 'error', rationale: 'Without requests Karpenter sizes nodes wrongly; without a memory limit one pod can starve a node.' },
  { id: 'health-probes', layer: 'policy', severity: 'error', rationale: 'Without a readiness or liveness probe, traffic reaches pods that cannot serve and hung pods stay.' },
  { id: 'run-as-non-root', layer: 'policy', severity: 'error', rationale: 'Containers run as non-root unless running as root is explicitly allowed.' },
  { id: 'privileged', layer: 'policy', severity: 'error', rationale: 'A privileged container, added capabilities, host namespaces or host paths reach the node; each needs an explicit, reasoned allowance.' },
  { id: 'imdsv2', layer: 'policy', severity: 'error', rationale: "IMDSv2 with hop limit 1 keeps pods away from the node's instance credentials." },
  { id: 'encrypted-volumes', layer: 'policy', severity: 'error', rationale: 'Node and persistent volumes are encrypted at rest.' },
  { id: 'ami-pinned', layer: 'policy', severity: 'error', rationale: 'An @latest AMI in production replaces every node whenever AWS publishes an image.' },
  { id: 'kube-reserved', layer: 'policy', severity: 'warning', rationale: "kube-reserved memory below what Karpenter and EKS reserve for the node's pods (11Mi per pod + 255Mi) lets pods starve the kubelet." },
  { id: 'pod-security-warn', layer: 'policy', severity: 'warning', rationale: "A pod that breaks its namespace's warn or audit Pod Security level is admitted with a warning, or logged." },
  { id: 'argocd-sync-loop', layer: 'policy', severity: 'error', rationale: "Fields the API server or a controller fills in after apply keep Argo CD's server-side diff OutOfSync forever: with self-heal, a sync loop." },
  { id: 'alert-metadata', layer: 'policy', severity: 'warning', rationale: 'An alert without a severity label, summary, description and runbook cannot be routed, and leaves the person paged guessing.' },
  { id: 'pool-limits', layer: 'policy', severity: 'error', rationale: 'A pool without cpu and memory limits can scale the bill without bound.' },
  { id: 'placeholder-value', layer: 'policy', severity: 'warning', rationale: "A value only documentation uses (AWS's example accounts 111122223333 and 123456789012, the KMS and EFS guides' example IDs, an EKS endpoint spelt from the alphabet, a domain reserved for examples) points at someone else's account or at nothing: IAM refuses the role, the CSI driver finds no file system, the host does not resolve." },
  // The validator itself.
  { id: 'validator', layer: 'admission', severity: 'error', rationale: 'An object the validator failed on is reported as not checked, never passed.' },
  // Waivers themselves.
  { id: 'waiver', layer: 'policy', severity: 'error', rationale: 'A waiver names a policy rule and says why.' },
  // Network policies (src/validation/network.ts, src/network/): what the set's NetworkPolicies allow, with Kubernetes' semantics.
  { id: 'network-policy-missing', layer: 'policy', severity: 'error', rationale: 'A namespace running pods without a NetworkPolicy lets every pod of the cluster reach them and them reach anything (CIS Kubernetes Benchmark 5.3.2); checked in production, and in any set that uses NetworkPolicies.' },
  { id: 'network-policy-selects-nothing', layer: 'cluster', severity: 'error', rationale: 'A NetworkPolicy whose pod selector matches no pod of its namespace isolates and allows nothing: the pods it was meant for stay as they were.' },
  { id: 'dns-egress-denied', layer: 'cluster', severity: 'error', rationale: 'A pod whose egress is isolated and not allowed to CoreDNS on 53/UDP and 53/TCP cannot resolve a single name.' },
  { id: 'service-unreachable', layer: 'cluster', severity: 'error', rationale: 'A Service port that the NetworkPolicies keep from a client its karpenter-as-code.io/clients annotation declares: the sync succeeds and the client times out.' },
  { id: 'declared-flow-denied', layer: 'cluster', severity: 'error', rationale: 'A flow the output declares (karpenter-as-code.io/flows, derived from config/workloads.ts network) that the emitted NetworkPolicies deny: the workload would not work.' },
  { id: 'privileged-shared-node', layer: 'policy', severity: 'error', rationale: "A pod that can take its node (privileged, CAP_SYS_ADMIN, the host's PID or IPC namespace) must not share a node with another workload: an escape is root over every pod there, with the node's IAM role." },
  // Sync order, sync hooks and disruption windows (src/validation/sync-order.ts, disruption-windows.ts, liveness.ts).
  { id: 'argocd-job-retry', layer: 'cluster', severity: 'error', rationale: 'A plain Job in a wave Argo CD waits for keeps its name and its Failed status once it fails: every later sync stops on it until someone deletes it; a Sync hook with hook-delete-policy BeforeHookCreation is deleted and created anew by each sync.' },
  { id: 'pdb-spot', layer: 'cluster', severity: 'error', rationale: "A spot reclaim drains through the Eviction API, which a PDB holds, while EC2 takes the instances two minutes after the notice: pods on spot capacity only that their budget holds back die without SIGTERM. A warning where a pool also consolidates busy nodes, which the budget paces." },
  { id: 'disruption-window', layer: 'cluster', severity: 'error', rationale: "Karpenter deletes a draining node's pods so that their grace period ends with the pool's terminationGracePeriod: a pod grace longer than it is cut short, and a do-not-disrupt duration plus the grace longer than it cannot be honoured when the node expires or drifts." },
  { id: 'liveness-external', layer: 'policy', severity: 'error', rationale: 'A liveness probe that goes through another service (a broker, a database, a remote host) fails in every replica at once when that service fails over, and the kubelet kills them all with their work.' },
  { id: 'airflow-parallelism', layer: 'policy', severity: 'error', rationale: "With LocalExecutor an Airflow scheduler runs up to [core] parallelism tasks (32 by default) as processes of its own container: a memory limit that cannot hold them gets the scheduler OOM-killed with every running task." },
];

/** The rule catalog, by id. */
export const RULE_CATALOG: ReadonlyMap<string, Rule> = new Map(RULES.map((rule) => [rule.id, rule]));

/** A rule by id; a typo in a rule id is a bug in the validator, not in the user's objects. */
export function rule(id: string): Rule {
  const found = RULE_CATALOG.get(id);
  if (!found) throw new Error(`no validation rule "${id}" in src/validation/rules.ts`);
  return found;
}
