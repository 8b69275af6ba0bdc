import { Construct } from 'constructs';
import { NamespacedChart, WorkloadChartProps } from '../lib/constructs/chart-props';
import { fail } from '../lib/config/errors';
import { execProbe, httpProbe } from '../lib/constructs/probes';
import { isQuantity, parseQuantity, toMi } from 'karpenter-validate/model';
import { ENCRYPTED_GP3 } from '../lib/constructs/storage';
import { WorkloadNetwork } from '../lib/constructs/workload-network';
import { Workload } from '../lib/constructs/workload';

const PORT = 11434;
const DATA = '/data';
// The ollama server itself (runtime, HTTP, buffers) beside the loaded model.
const SERVER_MEMORY = 1024 * 2 ** 20;
const GiB = 2 ** 30;

/**
 * The server's start: serve, pull the model only when the volume does not hold it yet (a
 * restart serves from disk and needs no registry), then load it into memory, where
 * OLLAMA_KEEP_ALIVE=-1 keeps it. Readiness waits for the load.
 */
function startScript(model: string): string {
  return [
    'ollama serve &',
    'server=$!',
    'until ollama list >/dev/null 2>&1; do sleep 1; done',
    `ollama show "${model}" >/dev/null 2>&1 || ollama pull "${model}"`,
    `ollama run "${model}" "" </dev/null >/dev/null`,
    'wait "$server"',
  ].join('\n');
}

/**
 * The LLM server (seeds 000, 003) on the arm64 LLM pools, on CPU, with ollama. The documents
 * request a GPU on a t4g pool, which has none, and an amd64-only image on arm64 nodes: that pod
 * could never start. A StatefulSet, so that each server keeps its pulled model on its own gp3
 * volume: a pod the HPA adds pulls the model once, a restarted one not at all, and no pod is
 * Ready before the model is loaded.
 */
export class LlmChart extends NamespacedChart {
  constructor(scope: Construct, id: string, props: WorkloadChartProps<'llm'>) {
    const { workload } = props;
    super(scope, id, workload.namespace);
    const { server } = workload.components;
    const { model, volumeSize } = workload.settings;
    const subject = `workload "llm"`;
    for (const [field, value] of [['settings.model.memory', model.memory], ['settings.model.disk', model.disk], ['settings.volumeSize', volumeSize]] as const) {
      if (!isQuantity(value)) fail(subject, field, value, 'be a Kubernetes quantity ("2560Mi", "20Gi")');
    }
    if (!/^[a-z0-9][a-z0-9._/-]*:[A-Za-z0-9._-]+$/.test(model.name)) fail(subject, 'settings.model.name', model.name, 'be an ollama model "name:tag" (e.g. "qwen2.5:1.5b"): an untagged name follows "latest"');
    if (parseQuantity(model.disk) * 2 > parseQuantity(volumeSize)) fail(subject, 'settings.volumeSize', volumeSize, `hold the model (${model.disk}) twice over: a pull of a new version writes beside the old one`);
    const request = parseQuantity(model.memory) + SERVER_MEMORY;
    // Twice the model's memory as the limit: a second context (parallel request) fits, a leak does not.
    const limit = request + Math.max(parseQuantity(model.memory), GiB);

    const network = new WorkloadNetwork(this, 'network', { workload: workload.name, namespace: workload.namespace });
    const llm = new Workload(this, 'llm-server', {
      name: 'llm-server',
      kind: 'StatefulSet',
      pools: server.pools,
      replicas: server.minReplicas,
      autoscaling: { maxReplicas: server.maxReplicas, metric: { type: 'cpu', averageUtilization: 70 } },
      // New servers start together; each pulls into its own volume.
      podManagementPolicy: 'Parallel',
      services: [
        { name: 'llm-server-headless', headless: true, ports: [{ name: 'http', port: PORT }] },
        { name: 'llm-server', ports: [{ name: 'http', port: PORT }] },
      ],
      volumeClaimTemplates: [{ name: 'models', storage: volumeSize, storageClassName: ENCRYPTED_GP3 }],
      containers: [
        {
          name: 'server',
          image: workload.images.ollama,
          command: ['/bin/sh', '-c', startScript(model.name)],
          env: [
            { name: 'OLLAMA_HOST', value: `0.0.0.0:${PORT}` },
            // Models and keys on the volume; the image's default is root's home.
            { name: 'HOME', value: DATA },
            { name: 'OLLAMA_MODELS', value: `${DATA}/models` },
            // Keep the model loaded for good, and only that one.
            { name: 'OLLAMA_KEEP_ALIVE', value: '-1' },
            { name: 'OLLAMA_MAX_LOADED_MODELS', value: '1' },
          ],
          ports: [{ name: 'http', containerPort: PORT }],
          requests: { cpu: '2', memory: toMi(request) },
          limits: { cpu: '4', memory: toMi(limit) },
          volumeMounts: [{ name: 'models', mountPath: DATA }],
          // Pulling a model takes minutes on the first start; liveness waits for the API.
          startupProbe: httpProbe('/api/version', PORT, { periodSeconds: 10, failureThreshold: 60 }),
          // Ready only when the model is loaded: `ollama ps` lists the models in memory.
          readinessProbe: execProbe(['/bin/sh', '-c', `ollama ps | grep -q "^${model.name.replace(/\./g, '\\.')} "`], { periodSeconds: 10, timeoutSeconds: 5 }),
          livenessProbe: httpProbe('/api/version', PORT, { periodSeconds: 20, timeoutSeconds: 5 }),
        },
      ],
    });
    network.addComponent('server', { name: 'llm-server', workload: llm });
  }
}
