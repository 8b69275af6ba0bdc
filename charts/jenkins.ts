import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { emitYaml } from '../lib/synth/yaml-emit';
import { NamespacedChart, WorkloadChartProps } from '../lib/constructs/chart-props';
import { FLOWS_ANNOTATION } from 'karpenter-validate/network';
import { WorkloadNetwork } from '../lib/constructs/workload-network';
import { placementFor } from '../lib/constructs/placement';
import type { Arch } from '../config/types';
import { failSetting } from '../lib/config/workload-config';
import { ARCHITECTURES } from '../lib/config/pools';
import { ARCHITECTURES_ANNOTATION, POOLS_ANNOTATION } from 'karpenter-validate/model';
import { container, NAME_LABEL, privilegeWaivers, WorkloadContainer } from '../lib/constructs/workload';

const AGENT = 'jenkins-agent';
const ARCH_LABEL = 'kubernetes.io/arch';
const AGENT_USER = 1000; // the `jenkins` user of the inbound-agent image
// The Kubernetes plugin mounts its workspace volume here in every container of the pod.
const WORKSPACE = '/home/jenkins/agent';
const IDLE = { command: ['sleep'], args: ['infinity'] } as const;

/**
 * Jenkins agents (seed 003) as pod templates for the controller's Kubernetes cloud, delivered as
 * configuration-as-code (JCasC) the official chart's config-reload sidecar loads. Why not a
 * Deployment of agents: seed 003's agent is a pod of tool containers (python, podman, aws-cli)
 * beside the agent, which pipelines reach with `container('podman') { ... }`; only agents the
 * Kubernetes plugin launches can do that. The plugin starts one pod per queued build (up to
 * the component's maxReplicas) and deletes it after `idleMinutes`: the queue scales the agents,
 * to zero, and Karpenter buys core nodes only while builds wait. The controller injects the
 * agent's name and secret into the `jnlp` container; the workspace volume is shared by every
 * container.
 */
export class JenkinsChart extends NamespacedChart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps<'jenkins'>) {
    const { workload } = props;
    super(scope, id, workload.namespace);
    const { agent } = workload.components;
    const { settings, images } = workload;
    const { controller } = settings;

    const network = new WorkloadNetwork(this, 'network', { workload: workload.name, namespace: workload.namespace });
    network.addComponent('agent', { name: AGENT, selector: { matchLabels: { [NAME_LABEL]: AGENT } } });

    new k8s.KubeServiceAccount(this, 'agent-sa', {
      metadata: { name: AGENT },
      // Builds do not call this cluster's API.
      automountServiceAccountToken: false,
    });

    // What the controller's service account needs to run agents here, and nothing more.
    const role = new k8s.KubeRole(this, 'agents-role', {
      metadata: { name: 'jenkins-agents' },
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'watch'] },
        { apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'get'] },
        { apiGroups: [''], resources: ['pods/log'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'agents-binding', {
      metadata: { name: 'jenkins-agents' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: controller.serviceAccount, namespace: controller.namespace }],
    });

    const placement = placementFor(AGENT, agent.pools);
    const tools: WorkloadContainer[] = [
      { name: 'jnlp', image: images.jnlp, requests: { cpu: '200m', memory: '512Mi' }, limits: { cpu: '500m', memory: '1Gi' } },
      { name: 'python', image: images.python, ...IDLE, requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } },
      {
        name: 'podman',
        image: images.podman,
        ...IDLE,
        requests: { cpu: '500m', memory: '1Gi' },
        limits: { cpu: '2', memory: '4Gi' },
        privileged: { reason: 'podman builds container images: it needs user namespaces, overlay mounts and device access that only a privileged container has' },
      },
      { name: 'aws-cli', image: images.awsCli, ...IDLE, requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '200m', memory: '512Mi' } },
    ];
    const containers = tools.map((c) => ({ ...container(`workload "${AGENT}"`, c, AGENT_USER, 'job'), workingDir: WORKSPACE }));
    // One template per architecture images are built for, each on nodes of that architecture:
    // a build is native, never emulated.
    const published = ARCHITECTURES.filter((arch) => tools.every((c) => c.image.architectures.includes(arch)));
    const unpublished = settings.architectures.filter((arch) => !published.includes(arch));
    if (unpublished.length > 0 || settings.architectures.length === 0) {
      failSetting(props.env, 'jenkins', 'architectures', settings.architectures, `name at least one architecture, and only architectures every agent image is published for (${published.join(', ')})${unpublished.length > 0 ? `: not ${unpublished.join(', ')}` : ''}`);
    }
    const podFor = (arch: Arch) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        labels: { [NAME_LABEL]: AGENT },
        annotations: {
          [POOLS_ANNOTATION]: agent.pools.map((p) => p.name).join(','),
          [ARCHITECTURES_ANNOTATION]: published.join(','),
          ...privilegeWaivers(tools),
        },
      },
      // Serialized as the API server reads it (quantities as strings), by cdk8s's own serializer.
      spec: k8s.toJson_PodSpec({
        serviceAccountName: AGENT,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        restartPolicy: 'Never',
        nodeSelector: { ...placement.nodeSelector, [ARCH_LABEL]: arch },
        tolerations: placement.tolerations.length > 0 ? placement.tolerations : undefined,
        securityContext: { fsGroup: AGENT_USER, seccompProfile: { type: 'RuntimeDefault' } },
        containers,
      }),
    });
    // Each pod carries its declared flows, for the validator; they resolve once every chart is built.
    const withFlows = (pod: ReturnType<typeof podFor>) => ({ ...pod, metadata: { ...pod.metadata, annotations: { ...pod.metadata.annotations, [FLOWS_ANNOTATION]: network.flowsOf('agent') } } });
    const casc = () => ({
      jenkins: {
        clouds: [
          {
            kubernetes: {
              name: `karpenter-${props.env.name}`,
              // In-cluster: the controller's service account, through the Role above.
              namespace: workload.namespace,
              jenkinsUrl: controller.url,
              // Agents connect over WebSocket through the controller's HTTP port: no TCP agent port to expose.
              webSocket: true,
              containerCapStr: String(agent.maxReplicas),
              podLabels: [{ key: NAME_LABEL, value: AGENT }],
              // containerCap bounds the agents of every template together.
              templates: settings.architectures.map((arch, i) => ({
                name: `${AGENT}-${arch}`,
                // Jenkins labels are space-separated: the first architecture also answers the plain label.
                label: i === 0 ? `${settings.label} ${settings.label}-${arch}` : `${settings.label}-${arch}`,
                namespace: workload.namespace,
                instanceCap: agent.maxReplicas,
                idleMinutes: settings.idleMinutes,
                podRetention: 'never',
                // The pod below is the whole template: nothing is merged from the plugin's defaults.
                yamlMergeStrategy: 'override',
                yaml: emitYaml(withFlows(podFor(arch))),
              })),
            },
          },
        ],
      },
    });
    new ApiObject(this, 'casc', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'jenkins-agents-casc',
        namespace: controller.namespace,
        // The label the official chart's config-reload sidecar loads JCasC ConfigMaps by.
        labels: { [controller.configLabel]: 'true' },
      },
      data: { 'karpenter-agents.yaml': Lazy.any({ produce: () => emitYaml(casc()) }) },
    });
  }
}
