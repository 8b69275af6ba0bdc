import { isQuantity, parseQuantity } from '../quantity';
import { amiFamilyOf, KUBELET_VOLUME } from '../ami-families';
import { pinnedAliasExample } from '../ami-releases';
import { child, KubeObject, Reporter } from './findings';
import { isObject, Json, objectOr, objectsOf, own, podOf } from './pods';
import { WAIVER_PREFIX } from './rules';

/**
 * Our reliability and security rules. Each can be waived on one object with the annotation
 * `waivers.karpenter-as-code.io/<rule id>: <reason>` (see waivers.ts).
 */

export interface PolicyOptions {
  /** Production rules apply (no `@latest` AMI). */
  readonly production: boolean;
}

// Words of an env var name that say it holds a credential; its value must come from a Secret.
const CREDENTIAL_WORDS = new Set(['PASSWORD', 'PASSWORDS', 'PASSWD', 'PASS', 'PWD', 'SECRET', 'SECRETS', 'TOKEN', 'TOKENS', 'AUTH', 'KEY', 'KEYS', 'APIKEY', 'ACCESSKEY', 'PRIVATEKEY', 'CREDENTIAL', 'CREDENTIALS', 'CREDS', 'DSN']);

/**
 * Whether an env var name looks like it holds a credential: one of its words (split at `_`,
 * `-`, `.` and camelCase) is PASSWORD, PASS, SECRET, TOKEN, AUTH, KEY, CREDENTIALS, DSN and the
 * like, or it names a connection string. `KAFKA_PARTITION_KEY` is a false positive: waive the
 * rule on that object with the reason.
 */
export function isCredentialName(name: string): boolean {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase().split(/[^A-Z0-9]+/).filter(Boolean);
  return words.some((word) => CREDENTIAL_WORDS.has(word)) || /CONNECTION_?STRING|CONN_?STR/.test(words.join('_'));
}
// Values that are credentials whatever their name: AWS access keys, private keys, URLs with a password.
const CREDENTIAL_VALUE = /(AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@)/;

/** Whether an image reference names a version: a tag other than `latest`, or a digest. */
export function isPinnedImage(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) return false;
  const tag = image.slice(colon + 1);
  return tag !== '' && tag !== 'latest';
}

const WAIVE_PRIVILEGED = `if it must, waive the rule with the reason (annotation ${WAIVER_PREFIX}privileged)`;

function checkContainers(object: KubeObject, reporter: Reporter): void {
  const pod = podOf(object);
  if (!pod) return;
  // Host namespaces and host paths reach past the container as surely as privilege does.
  for (const [field, namespace] of [['hostNetwork', 'network'], ['hostPID', 'PID'], ['hostIPC', 'IPC']] as const) {
    if (pod.spec[field] === true) reporter.report('privileged', child(pod.path, field), `the pod shares the node's ${namespace} namespace: ${WAIVE_PRIVILEGED}`, true);
  }
  (Array.isArray(pod.spec.volumes) ? (pod.spec.volumes as unknown[]) : []).forEach((volume, index) => {
    if (!isObject(volume) || volume.hostPath === undefined || volume.hostPath === null) return;
    const path = objectOr(volume.hostPath).path;
    reporter.report('privileged', child(child(child(pod.path, 'volumes'), index), 'hostPath'), `volume ${JSON.stringify(volume.name)} mounts the node's ${JSON.stringify(path)}: ${WAIVE_PRIVILEGED}`, path);
  });
  const podContext = objectOr(pod.spec.securityContext);
  const longRunning = object.kind === 'Deployment' || object.kind === 'StatefulSet';
  for (const field of ['initContainers', 'containers'] as const) {
    (Array.isArray(pod.spec[field]) ? (pod.spec[field] as unknown[]) : []).forEach((item, index) => {
      const at = child(child(pod.path, field), index);
      // Not an object: the schema layer reports it where it knows the kind; nothing here to read.
      if (!isObject(item)) return;
      const c = item;
      if (typeof c.image !== 'string' || !isPinnedImage(c.image)) {
        reporter.report('image-pinned', child(at, 'image'), `image ${JSON.stringify(c.image)} must name a version tag other than latest, or a digest (e.g. "nginx:1.27.3")`, c.image);
      }
      (Array.isArray(c.env) ? (c.env as unknown[]) : []).forEach((env, e) => {
        if (!isObject(env) || typeof env.value !== 'string' || env.value === '') return;
        if (isCredentialName(String(env.name)) || CREDENTIAL_VALUE.test(env.value)) {
          reporter.report('no-inline-credentials', child(child(child(at, 'env'), e), 'value'), `env ${JSON.stringify(env.name)} holds a credential inline: use valueFrom.secretKeyRef`);
        }
      });
      const resources = objectOr(c.resources);
      const requests = objectOr(resources.requests);
      const limits = objectOr(resources.limits);
      const missing = [requests.cpu === undefined && limits.cpu === undefined ? 'requests.cpu' : undefined, requests.memory === undefined && limits.memory === undefined ? 'requests.memory' : undefined, limits.memory === undefined ? 'limits.memory' : undefined].filter(Boolean);
      if (missing.length > 0) reporter.report('requests-limits', child(at, 'resources'), `container ${JSON.stringify(c.name)} must set ${missing.join(', ')}`);
      if (longRunning && field === 'containers' && c.readinessProbe === undefined && c.livenessProbe === undefined) {
        reporter.report('health-probes', at, `container ${JSON.stringify(c.name)} must have a readinessProbe or a livenessProbe`);
      }
      const securityContext = objectOr(c.securityContext);
      const context = { ...podContext, ...securityContext };
      // A privileged container is root by nature: the `privileged` rule and its waiver cover it.
      if (context.privileged !== true && (context.runAsNonRoot !== true || context.runAsUser === 0)) {
        reporter.report('run-as-non-root', child(at, 'securityContext'), `container ${JSON.stringify(c.name)} must set runAsNonRoot: true (pod or container securityContext) and a non-zero runAsUser`);
      }
      if (securityContext.privileged === true) reporter.report('privileged', child(child(at, 'securityContext'), 'privileged'), `container ${JSON.stringify(c.name)} is privileged, which gives it the node: ${WAIVE_PRIVILEGED}`, true);
      // Capabilities the restricted Pod Security level does not allow.
      const add = objectOr(securityContext.capabilities).add;
      const added = (Array.isArray(add) ? (add as unknown[]) : []).map(String).filter((cap) => cap !== 'NET_BIND_SERVICE');
      if (added.length > 0) reporter.report('privileged', child(child(child(at, 'securityContext'), 'capabilities'), 'add'), `container ${JSON.stringify(c.name)} adds capabilities ${added.join(', ')}: ${WAIVE_PRIVILEGED}`, added);
    });
  }
}

function checkNodeClass(object: KubeObject, reporter: Reporter, options: PolicyOptions): void {
  const spec = objectOr(object.spec);
  const metadata = objectOr(spec.metadataOptions);
  if (metadata.httpTokens !== 'required') reporter.report('imdsv2', 'spec.metadataOptions.httpTokens', 'must be "required" (IMDSv2)', metadata.httpTokens);
  if (metadata.httpEndpoint !== 'disabled' && typeof metadata.httpPutResponseHopLimit === 'number' && metadata.httpPutResponseHopLimit > 1) {
    reporter.report('imdsv2', 'spec.metadataOptions.httpPutResponseHopLimit', 'must be 1 so that pods cannot reach the instance credentials through IMDS', metadata.httpPutResponseHopLimit);
  }
  const mappings = (Array.isArray(spec.blockDeviceMappings) ? spec.blockDeviceMappings : []) as unknown[];
  mappings.forEach((mapping, index) => {
    const ebs = isObject(mapping) ? mapping.ebs : undefined;
    if (isObject(ebs) && ebs.encrypted !== true) reporter.report('encrypted-volumes', `spec.blockDeviceMappings[${index}].ebs.encrypted`, 'must be true', ebs.encrypted);
  });
  checkRootVolume(spec, objectsOf(mappings), reporter);
  const kubelet = objectOr(spec.kubelet);
  const reserved = objectOr(kubelet.kubeReserved).memory;
  if (typeof reserved === 'string' && isQuantity(reserved) && typeof kubelet.maxPods === 'number') {
    // Karpenter's (and the EKS AMIs') own figure for that many pods.
    const needed = (11 * kubelet.maxPods + 255) * 2 ** 20;
    if (parseQuantity(reserved) < needed) {
      reporter.report(
        'kube-reserved',
        'spec.kubelet.kubeReserved.memory',
        `reserves ${reserved} for the kubelet and runtime of up to ${kubelet.maxPods} pods, where Karpenter and the EKS AMIs reserve ${Math.ceil(needed / 2 ** 20)}Mi (11Mi per pod + 255Mi): a full node can starve the kubelet and go NotReady. Raise it, lower maxPods, or waive the rule saying why`,
        reserved,
      );
    }
  }
  if (options.production) {
    (Array.isArray(spec.amiSelectorTerms) ? (spec.amiSelectorTerms as unknown[]) : []).forEach((term, index) => {
      const alias = isObject(term) ? term.alias : undefined;
      if (typeof alias === 'string' && alias.endsWith('@latest')) reporter.report('ami-pinned', `spec.amiSelectorTerms[${index}].alias`, `must pin an AMI version in production (e.g. "${pinnedAliasExample(alias)}")`, alias);
    });
  }
}

/**
 * Karpenter sizes a node's ephemeral storage from the block device mapping marked rootVolume,
 * which must be the volume the kubelet and containers use: AL2023's OS volume, Bottlerocket's
 * data volume. Marking Bottlerocket's 4Gi OS volume leaves its nodes with under 3Gi for pods.
 * @see https://karpenter.sh/docs/concepts/nodeclasses/#specblockdevicemappings
 */
function checkRootVolume(spec: Json, mappings: readonly Json[], reporter: Reporter): void {
  const terms = objectsOf(spec.amiSelectorTerms);
  const family = terms.map((t) => (typeof t.alias === 'string' ? amiFamilyOf(t.alias) : undefined)).find((f) => f !== undefined) ?? (typeof spec.amiFamily === 'string' ? spec.amiFamily.toLowerCase() : undefined);
  const expected = family !== undefined ? own(KUBELET_VOLUME, family) : undefined;
  const index = mappings.findIndex((m) => m.rootVolume === true);
  if (!expected || index < 0) return;
  const device = mappings[index]!.deviceName;
  if (device !== expected) {
    reporter.report(
      'root-volume',
      `spec.blockDeviceMappings[${index}].rootVolume`,
      `marks ${JSON.stringify(device)} as the root volume, but ${family}'s kubelet and containers use ${expected}: Karpenter sizes each node's ephemeral storage from the rootVolume mapping, so pods asking for more than it leaves never get a node. Mark ${expected} as rootVolume`,
      device,
    );
  }
}

/** The policy rules for one object. */
export function checkPolicy(object: KubeObject, reporter: Reporter, options: PolicyOptions): void {
  checkContainers(object, reporter);
  if (object.kind === 'EC2NodeClass') checkNodeClass(object, reporter, options);
  if (object.kind === 'NodePool') {
    const spec = objectOr(object.spec);
    // A static pool (replicas) may only limit nodes; its size is fixed anyway.
    if (spec.replicas === undefined) {
      const limits = objectOr(spec.limits);
      const missing = ['cpu', 'memory'].filter((r) => own(limits, r) === undefined);
      if (missing.length > 0) reporter.report('pool-limits', 'spec.limits', `must set ${missing.join(' and ')}: without them the pool can grow without bound`, spec.limits);
    }
  }
  if (object.kind === 'StorageClass' && object.provisioner === 'ebs.csi.aws.com') {
    const parameters = objectOr(object.parameters);
    if (parameters.encrypted !== 'true') reporter.report('encrypted-volumes', 'parameters.encrypted', 'must be "true" for EBS volumes', parameters.encrypted);
  }
}
