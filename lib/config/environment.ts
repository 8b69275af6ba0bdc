import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AmiFamilyAlias, SelectorTerms } from '../../config/types';
import type { EnvironmentConfig } from '../../config/environment-config';
import { AMI_VERSIONS, KARPENTER_RELEASES, KARPENTER_VERSION, KarpenterVersion } from '../../config/versions';
import { amiReleaseProblem, AMI_RELEASES } from 'karpenter-validate/model';
import { IAM_ROLE, IAM_ROLE_NAME, isEc2Id, isEfsId, KMS_KEY, parseArn, REGIONS, SQS_QUEUE_NAME } from './aws';
import { any, boolean, checkShape, list, map, object, Shape, string } from './config-shape';
import { fail, suggest } from './errors';
import { isDns1123Label, isLabelKey, isLabelValue } from 'karpenter-validate/model';
import { POOL_OVERRIDE_SHAPE } from './pool-shape';
import { KUBERNETES_MINOR } from 'karpenter-validate/model';

// AMI release tags: amazon-eks-ami's vYYYYMMDD, Bottlerocket's vX.Y.Z.
const AMI_VERSION_FORMAT: Readonly<Record<AmiFamilyAlias, RegExp>> = {
  al2023: /^v[0-9]{8}$/,
  bottlerocket: /^v[0-9]+\.[0-9]+\.[0-9]+$/,
};
const ID_PREFIX = { subnets: 'subnet', securityGroups: 'sg' } as const;

/** The runtime shape of an environment (config/types.ts EnvironmentConfig); unions and workloads are checked by their own code. */
const ENVIRONMENT_SHAPE: Shape = object(
  {
    name: string(),
    production: boolean,
    kubernetesVersion: string('a Kubernetes minor like "1.35"'),
    karpenterVersion: string('a Karpenter release like "1.14.1"'),
    cluster: object({ name: string(), region: string(), zones: list(string()) }, ['name', 'region', 'zones']),
    subnets: any,
    securityGroups: any,
    nodeRole: string(),
    ebsKmsKeyId: string(),
    amiVersions: object({ al2023: string(), bottlerocket: string() }),
    pools: map(POOL_OVERRIDE_SHAPE),
    workloads: any,
    modelsFileSystemId: string(),
    argocdDestination: string(),
    argocdRevision: string(),
    karpenter: object({ controllerRoleArn: string(), interruptionQueue: string() }, ['controllerRoleArn']),
    systemNodeSelector: map(string()),
    prerequisites: list(object({ kind: string(), name: string(), namespace: string(), purpose: string() }, ['kind', 'name', 'purpose'])),
  },
  ['name', 'production', 'kubernetesVersion', 'cluster', 'nodeRole', 'modelsFileSystemId', 'argocdDestination', 'karpenter', 'systemNodeSelector'],
);

const ENVIRONMENTS_DIR = join('config', 'environments');
// Per folder: `file:<name>.ts` and `name:<declared name>` → file name. Read once per run.
const declarations = new Map<string, Map<string, string>>();

function declarationsIn(dir: string): Map<string, string> {
  const known = declarations.get(dir);
  if (known) return known;
  const index = new Map<string, string>();
  declarations.set(dir, index);
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
  } catch {
    // Not run from the project's root: no file is named.
  }
  for (const file of files) {
    index.set(`file:${file}`, file);
    let text = '';
    try {
      text = readFileSync(join(dir, file), 'utf8');
    } catch {
      continue;
    }
    for (const match of text.matchAll(/\bname:\s*(['"`])([^'"`]*)\1/g)) if (!index.has(`name:${match[2]}`)) index.set(`name:${match[2]}`, file);
  }
  return index;
}

/**
 * The file of config/environments/ that declares an environment: `<name>.ts` by convention, else
 * the one whose text names it (`name: 'Dev'` in dev.ts). Undefined where neither exists (synth run
 * elsewhere than the project's root, or an environment built in code): then no file is named,
 * rather than one that does not exist.
 */
export function environmentFile(name: string, dir: string = ENVIRONMENTS_DIR): string | undefined {
  const index = declarationsIn(dir);
  const file = index.get(`file:${name}.ts`) ?? index.get(`name:${name}`);
  return file !== undefined ? `config/environments/${file}` : undefined;
}

/** How errors name an environment: `environment "prod" (config/environments/prod.ts)`, with the file that declares it. */
export function environmentSubject(env: EnvironmentConfig): string {
  const name = typeof env.name === 'string' ? env.name : String(env.name);
  const file = environmentFile(name);
  return `environment "${name}" (${file ?? 'config/environments/'})`;
}

/** The Karpenter release an environment runs: its own `karpenterVersion`, else the project's default (config/versions.ts). */
export function karpenterVersionOf(env: EnvironmentConfig): KarpenterVersion {
  return env.karpenterVersion ?? KARPENTER_VERSION;
}

/** Whether Karpenter's node repair runs in an environment: its `karpenter.nodeRepair`, on by default (config/environment-config.ts says why). */
export function nodeRepairOf(env: EnvironmentConfig): boolean {
  return env.karpenter.nodeRepair ?? true;
}

/** The AMI alias (`al2023@v20260714`) a node class of `family` uses in `env`. */
export function amiAlias(env: EnvironmentConfig, family: AmiFamilyAlias): string {
  return `${family}@${env.amiVersions?.[family] ?? AMI_VERSIONS[family]}`;
}

/** A pinned example of a family's AMI version, for messages: the project's pin when it is one, else a known release. */
function pinnedExample(family: AmiFamilyAlias): string {
  const pinned: string = AMI_VERSIONS[family];
  return AMI_VERSION_FORMAT[family].test(pinned) ? pinned : AMI_RELEASES[family].example;
}

/** Checks an environment's own fields; pools and workloads are checked where they are resolved. */
export function checkEnvironment(env: EnvironmentConfig): void {
  // The shape first: every check below reads the fields as their types promise.
  checkShape(environmentSubject(env), '', env, ENVIRONMENT_SHAPE);
  const bad = (field: string, value: unknown, rule: string): never => fail(environmentSubject(env), field, value, rule);
  if (!isDns1123Label(env.name) || env.name === 'argocd') {
    bad('name', env.name, 'be a DNS-1123 label (lower case alphanumerics and "-") other than "argocd": it names the folder dist/<name>/ and the Environment tag');
  }
  // EKS: 1-100 characters, alphanumerics, hyphens and underscores, starting alphanumeric (CreateCluster name).
  if (!/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(env.cluster.name)) bad('cluster.name', env.cluster.name, 'be an EKS cluster name: 1 to 100 letters, digits, "-" or "_", starting with a letter or digit');
  if (!/^1\.[0-9]+$/.test(env.kubernetesVersion)) {
    bad('kubernetesVersion', env.kubernetesVersion, `be a Kubernetes minor version like "${KUBERNETES_MINOR}" (no patch: EKS picks it)`);
  }
  if (env.kubernetesVersion !== KUBERNETES_MINOR) {
    bad('kubernetesVersion', env.kubernetesVersion, `be ${KUBERNETES_MINOR}, the release the validator and npm run verify hold the output to (schemas/kubernetes/v${KUBERNETES_MINOR}, from oracle/controlplane's kube-apiserver); for another minor, pin k8s.io/kubernetes in oracle/controlplane/go.mod to it and run npm run openapi`);
  }
  checkKarpenterVersion(env, bad);
  checkRegionAndZones(env, bad);
  checkSelector(bad, 'subnets', env.subnets);
  checkSelector(bad, 'securityGroups', env.securityGroups);
  if (!IAM_ROLE_NAME.test(env.nodeRole)) {
    bad('nodeRole', env.nodeRole, 'be an IAM role name (1 to 64 letters, digits or +=,.@_-; not an ARN and not empty): Karpenter creates the instance profile from it');
  }
  checkAmiVersions(env, bad);
  checkArns(env, bad);
  if (!isEfsId(env.modelsFileSystemId)) {
    bad('modelsFileSystemId', env.modelsFileSystemId, 'be an EFS file system ID: "fs-" and 8 to 40 hexadecimal digits (e.g. "fs-0a1b2c3d4e5f60718"), as `aws efs describe-file-systems` lists it');
  }
  checkArgocdDestination(env, bad);
  const queue = env.karpenter.interruptionQueue;
  if (env.production && (queue ?? '').trim() === '') {
    bad(
      'karpenter.interruptionQueue',
      queue,
      'name the SQS queue of the EventBridge interruption rules in production: without it Karpenter never drains a spot node before EC2 reclaims it (two minutes notice), and pods die without SIGTERM',
    );
  }
  if (queue !== undefined && queue !== '' && !SQS_QUEUE_NAME.test(queue)) {
    bad('karpenter.interruptionQueue', queue, "be an SQS queue name (1 to 80 letters, digits, '-' or '_'; not its URL or ARN): Karpenter looks the queue up by name");
  }
  for (const [key, value] of Object.entries(env.systemNodeSelector)) {
    if (!isLabelKey(key) || !isLabelValue(value)) bad(`systemNodeSelector.${key}`, value, 'be a valid label key and value (the managed node group\'s labels, e.g. { "eks.amazonaws.com/nodegroup": "<cluster>-system" })');
  }
}

/**
 * A release the project supports: its charts are pinned and its CRDs, instance catalog and metrics
 * generated (config/versions.ts KARPENTER_RELEASES); a patch release or a typo is neither.
 */
function checkKarpenterVersion(env: EnvironmentConfig, bad: (field: string, value: unknown, rule: string) => never): void {
  const version: string | undefined = env.karpenterVersion;
  if (version === undefined) return;
  const supported = Object.keys(KARPENTER_RELEASES);
  if (!supported.includes(version)) {
    // No nearest-name suggestion: a release one digit off is another release, not a typo.
    const written = version.replace(/^v/, '');
    const hint = supported.includes(written) ? ` (without the "v": "${written}")` : '';
    bad(
      'karpenterVersion',
      version,
      `be one of the Karpenter releases the project supports: ${supported.map((v) => `"${v}"`).join(', ')}${hint}. Each has its charts pinned and its CRDs, instance catalog and metrics generated (config/versions.ts KARPENTER_RELEASES); another release needs an entry there and its data generated (README, Upgrading Karpenter)`,
    );
  }
}

/** The region first: with a mistyped region every zone would fail, and the zones are not the mistake. */
function checkRegionAndZones(env: EnvironmentConfig, bad: (field: string, value: unknown, rule: string) => never): void {
  const { region, zones } = env.cluster;
  if (!REGIONS.includes(region)) bad('cluster.region', region, `be an AWS region${suggest(region, REGIONS)}`);
  if (zones.length === 0) bad('cluster.zones', zones, 'name at least one zone');
  for (const zone of zones) {
    // A zone is its region and a letter (ap-northeast-2a); a Local Zone adds a location (us-west-2-lax-1a).
    if (!new RegExp(`^${region}([a-z]|-[a-z0-9-]*[a-z0-9])$`).test(zone)) bad('cluster.zones', zone, `be a zone of region "${region}" (e.g. "${region}a")`);
  }
  if (new Set(zones).size !== zones.length) bad('cluster.zones', zones, 'name each zone once');
}

function checkSelector(bad: (field: string, value: unknown, rule: string) => never, field: 'subnets' | 'securityGroups', terms: SelectorTerms | undefined): void {
  const how = 'be discovery tags ({ tags: { "karpenter.sh/discovery": "<cluster>" } }) or explicit IDs ({ ids: [...] })';
  if (terms === undefined || terms === null || typeof terms !== 'object' || Array.isArray(terms)) bad(field, terms, how);
  if ('ids' in terms) {
    if (!Array.isArray(terms.ids) || terms.ids.length === 0) bad(`${field}.ids`, terms.ids, 'name at least one ID');
    for (const id of terms.ids) {
      const prefix = ID_PREFIX[field];
      if (typeof id !== 'string' || !isEc2Id(prefix, id)) bad(`${field}.ids`, id, `be an EC2 ID: "${prefix}-" and 8 or 17 hexadecimal digits (e.g. "${prefix}-0457482d8fd4633d2")`);
    }
  } else if ('tags' in terms) {
    if (terms.tags === null || typeof terms.tags !== 'object' || Array.isArray(terms.tags)) bad(`${field}.tags`, terms.tags, 'be an object of tag keys and values');
    const entries = Object.entries(terms.tags);
    if (entries.length === 0) bad(`${field}.tags`, terms.tags, 'hold at least one tag');
    for (const [key, value] of entries) {
      if (key === '' || typeof value !== 'string' || value === '') bad(`${field}.tags`, { [key]: value }, 'have non-empty string keys and values');
    }
  } else {
    bad(field, terms, how);
  }
}

/**
 * Each family's version: a release tag (or `latest` outside production) published for the
 * cluster's Kubernetes minor, since Karpenter resolves the alias through an SSM parameter named
 * for that minor (packages/karpenter-validate/src/ami-releases.ts).
 */
function checkAmiVersions(env: EnvironmentConfig, bad: (field: string, value: unknown, rule: string) => never): void {
  for (const family of Object.keys(AMI_VERSION_FORMAT) as AmiFamilyAlias[]) {
    const version: string = env.amiVersions?.[family] ?? AMI_VERSIONS[family];
    const field = env.amiVersions?.[family] !== undefined ? `amiVersions.${family}` : `amiVersions.${family} (from config/versions.ts)`;
    if (version === 'latest') {
      if (env.production) {
        bad(field, version, `be pinned in production (e.g. "${pinnedExample(family)}"): @latest rolls every node to an untested AMI as soon as it is released`);
      }
      continue;
    }
    if (!AMI_VERSION_FORMAT[family].test(version)) bad(field, version, `be a release tag like "${pinnedExample(family)}" (or "latest" outside production)`);
    const problem = amiReleaseProblem(family, version, env.kubernetesVersion);
    if (problem) bad(field, version, problem);
  }
}

/** The ARNs of the environment: well formed, in its partition, and a KMS key in its own region (EBS cannot use a key of another region). */
function checkArns(env: EnvironmentConfig, bad: (field: string, value: unknown, rule: string) => never): void {
  const role = parseArn(env.karpenter.controllerRoleArn, 'iam', IAM_ROLE);
  if ('problem' in role) bad('karpenter.controllerRoleArn', env.karpenter.controllerRoleArn, role.problem);
  const key = env.ebsKmsKeyId;
  if (key === undefined) return;
  // EC2 takes a key ID, an alias, or their ARNs; Karpenter passes it on to the launch template.
  if (/^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|alias\/[\w/_-]{1,250})$/.test(key)) return;
  const arn = parseArn(key, 'kms', KMS_KEY);
  if ('problem' in arn) bad('ebsKmsKeyId', key, `${arn.problem}, or a key ID or alias`);
  if (arn.region !== env.cluster.region) {
    bad('ebsKmsKeyId', key, `be a key of the cluster's region ${env.cluster.region}, not ${arn.region}: EBS encrypts a volume only with a key of its own region, so every node launch would fail`);
  }
}

/** Argo CD matches a destination's server against registered clusters' URLs, exactly. */
function checkArgocdDestination(env: EnvironmentConfig, bad: (field: string, value: unknown, rule: string) => never): void {
  const server = env.argocdDestination;
  let url: URL | undefined;
  try {
    url = new URL(server);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || url.hostname === '') {
    bad('argocdDestination', server, 'be the https:// URL of the API server, as `argocd cluster list` shows it (e.g. "https://kubernetes.default.svc", or the EKS endpoint "https://<id>.gr7.<region>.eks.amazonaws.com"): Argo CD matches it against the registered clusters\' URLs, scheme included');
  }
}
