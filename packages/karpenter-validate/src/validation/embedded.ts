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
  /**
   * How many such pods the controller runs at most, when set: the template's instanceCap, within
   * the cloud's containerCap, which bounds all its templates together (the Kubernetes plugin
   * counts every agent of the cloud against it). Where the templates' caps add up to more, the
   * cloud's cap is shared among them evenly, the earlier templates taking the remainder: which
   * template the builds ask for is not knowable offline, and this never counts more agents than
   * the cloud runs.
   */
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
      const positive = (value: unknown) => {
        const n = Number(value);
        return Number.isInteger(n) && n > 0 ? n : undefined;
      };
      const cloudCap = positive(kubernetes.containerCapStr) ?? positive(kubernetes.containerCap);
      const templates = list(kubernetes.templates);
      const caps = templates.map((template) => positive(template.instanceCap));
      const shared = cloudCap !== undefined && caps.reduce<number>((sum, cap) => sum + (cap ?? cloudCap), 0) > cloudCap;
      const capOf = (t: number) => {
        if (!shared) return caps[t] ?? cloudCap;
        const share = Math.floor(cloudCap! / templates.length) + (t < cloudCap! % templates.length ? 1 : 0);
        return Math.min(caps[t] ?? cloudCap!, share);
      };
      templates.forEach((template, t) => {
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
        const cap = capOf(t);
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
