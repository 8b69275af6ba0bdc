import { load } from 'js-yaml';
import { Input, KubeObject } from './findings';
import { isObject, Json } from './pods';

/**
 * Pods an object describes without being a workload: the pod templates of a Jenkins
 * Kubernetes cloud, written as configuration-as-code (JCasC) in a ConfigMap the controller loads
 * (the official Jenkins chart's pattern). The controller creates these pods for queued builds,
 * so they must pass what any pod passes: admission, Pod Security, placement, fit and policy.
 * Each is validated as a Pod; its findings name the ConfigMap and the path to the template.
 * @see https://plugins.jenkins.io/kubernetes/ (pod templates, `yaml`)
 */
export interface EmbeddedPod {
  /** The Pod, with the namespace the plugin creates it in. */
  readonly object: KubeObject;
  /** Where it sits in its carrier: `data["agents.yaml"] jenkins.clouds[0].kubernetes.templates[0].yaml`. */
  readonly at: string;
  /** How many such pods the controller runs at most (the template's instanceCap, else the cloud's containerCap), when set. */
  readonly maxInstances?: number;
}

const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);

/** The pods a JCasC ConfigMap's Kubernetes clouds declare; none for any other object or unreadable YAML. */
export function embeddedPods(input: Input): EmbeddedPod[] {
  const object = input.object;
  if (object.kind !== 'ConfigMap' || !isObject(object.data)) return [];
  const pods: EmbeddedPod[] = [];
  for (const [key, text] of Object.entries(object.data)) {
    // Cheap test first: only configuration-as-code with a Kubernetes cloud is parsed.
    if (typeof text !== 'string' || !text.includes('clouds:') || !text.includes('templates:')) continue;
    let casc: unknown;
    try {
      casc = load(text, { maxAliases: 100, maxDepth: 100 });
    } catch {
      continue;
    }
    if (!isObject(casc) || !isObject(casc.jenkins)) continue;
    list(casc.jenkins.clouds).forEach((cloud, c) => {
      const kubernetes = isObject(cloud.kubernetes) ? cloud.kubernetes : undefined;
      if (!kubernetes) return;
      list(kubernetes.templates).forEach((template, t) => {
        if (typeof template.yaml !== 'string') return;
        let pod: unknown;
        try {
          pod = load(template.yaml, { maxAliases: 100, maxDepth: 100 });
        } catch {
          return;
        }
        if (!isObject(pod)) return;
        const namespace = template.namespace ?? kubernetes.namespace ?? (object.metadata?.namespace as string | undefined);
        const metadata = isObject(pod.metadata) ? pod.metadata : {};
        const cap = [template.instanceCap, kubernetes.containerCapStr, kubernetes.containerCap].map(Number).find((n) => Number.isInteger(n) && n > 0);
        pods.push({
          ...(cap !== undefined ? { maxInstances: cap } : {}),
          object: { apiVersion: 'v1', kind: 'Pod', ...pod, metadata: { ...metadata, name: String(template.name ?? metadata.name ?? `template-${t}`), ...(typeof namespace === 'string' ? { namespace } : {}) } },
          at: `data[${JSON.stringify(key)}] jenkins.clouds[${c}].kubernetes.templates[${t}].yaml`,
        });
      });
    });
  }
  return pods;
}
