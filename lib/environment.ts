import { AmiFamilyAlias, EnvironmentConfig, SelectorTerms } from '../config/types';
import { AMI_VERSIONS } from '../config/versions';
import { fail } from './errors';
import { isDns1123Label } from './labels';
import { KUBERNETES_MINOR } from './validation/openapi';

// AMI release tags: amazon-eks-ami's vYYYYMMDD, Bottlerocket's vX.Y.Z; examples of each format.
const AMI_VERSION_FORMAT: Readonly<Record<AmiFamilyAlias, { readonly pattern: RegExp; readonly example: string }>> = {
  al2023: { pattern: /^v[0-9]{8}$/, example: 'v20250715' },
  bottlerocket: { pattern: /^v[0-9]+\.[0-9]+\.[0-9]+$/, example: 'v1.43.0' },
};
const ID_FORMAT = { subnets: /^subnet-[0-9a-z]+$/, securityGroups: /^sg-[0-9a-z]+$/ } as const;

/** How errors name an environment: `environment "prod" (config/environments/prod.ts)`. */
export function environmentSubject(env: EnvironmentConfig): string {
  return `environment "${env.name}" (config/environments/${env.name}.ts)`;
}

/** The AMI alias (`al2023@v20250715`) a node class of `family` uses in `env`. */
export function amiAlias(env: EnvironmentConfig, family: AmiFamilyAlias): string {
  return `${family}@${env.amiVersions?.[family] ?? AMI_VERSIONS[family]}`;
}

/** A pinned example of a family's AMI version: the default when it is pinned, else the format's example. */
function pinnedExample(family: AmiFamilyAlias): string {
  const pinned: string = AMI_VERSIONS[family];
  return AMI_VERSION_FORMAT[family].pattern.test(pinned) ? pinned : AMI_VERSION_FORMAT[family].example;
}

/** Checks an environment's own fields; pools and workloads are checked where they are resolved. */
export function checkEnvironment(env: EnvironmentConfig): void {
  const subject = environmentSubject(env);
  if (!isDns1123Label(env.name) || env.name === 'argocd') {
    fail(subject, 'name', env.name, 'be a DNS-1123 label (lower case alphanumerics and "-") other than "argocd"');
  }
  if (env.cluster.name.trim() === '') fail(subject, 'cluster.name', env.cluster.name, 'not be empty');
  if (!/^1\.[0-9]+$/.test(String(env.kubernetesVersion))) {
    fail(subject, 'kubernetesVersion', env.kubernetesVersion, `be a Kubernetes minor version like "${KUBERNETES_MINOR}" (no patch: EKS picks it)`);
  }
  if (env.kubernetesVersion !== KUBERNETES_MINOR) {
    fail(subject, 'kubernetesVersion', env.kubernetesVersion, `be ${KUBERNETES_MINOR}, the release the validator and npm run verify hold the output to (schemas/kubernetes/v${KUBERNETES_MINOR}, from oracle/controlplane's kube-apiserver); for another minor, pin k8s.io/kubernetes in oracle/controlplane/go.mod to it and run npm run openapi`);
  }
  if (env.cluster.zones.length === 0) fail(subject, 'cluster.zones', env.cluster.zones, 'name at least one zone');
  for (const zone of env.cluster.zones) {
    if (!zone.startsWith(env.cluster.region)) fail(subject, 'cluster.zones', zone, `be a zone of region "${env.cluster.region}"`);
  }
  checkSelector(subject, 'subnets', env.subnets);
  checkSelector(subject, 'securityGroups', env.securityGroups);
  if (env.nodeRole.trim() === '' || env.nodeRole.startsWith('arn:')) {
    fail(subject, 'nodeRole', env.nodeRole, 'be an IAM role name (not an ARN and not empty); Karpenter creates the instance profile from it');
  }
  for (const family of Object.keys(AMI_VERSION_FORMAT) as AmiFamilyAlias[]) {
    const version: string = env.amiVersions?.[family] ?? AMI_VERSIONS[family];
    const field = env.amiVersions?.[family] !== undefined ? `amiVersions.${family}` : `amiVersions.${family} (from config/versions.ts)`;
    if (version === 'latest') {
      if (env.production) {
        fail(subject, field, version, `be pinned in production (e.g. "${pinnedExample(family)}"): @latest rolls every node to an untested AMI as soon as it is released`);
      }
    } else if (!AMI_VERSION_FORMAT[family].pattern.test(version)) {
      fail(subject, field, version, `be a release tag like "${pinnedExample(family)}" (or "latest" outside production)`);
    }
  }
  if (env.production && (env.karpenter.interruptionQueue ?? '').trim() === '') {
    fail(
      subject,
      'karpenter.interruptionQueue',
      env.karpenter.interruptionQueue,
      'name the SQS queue of the EventBridge interruption rules in production: without it Karpenter never drains a spot node before EC2 reclaims it (two minutes notice), and pods die without SIGTERM',
    );
  }
}

function checkSelector(subject: string, field: 'subnets' | 'securityGroups', terms: SelectorTerms | undefined): void {
  const how = 'be discovery tags ({ tags: { "karpenter.sh/discovery": "<cluster>" } }) or explicit IDs ({ ids: [...] })';
  if (terms === undefined || terms === null || typeof terms !== 'object') fail(subject, field, terms, how);
  if ('ids' in terms) {
    if (!Array.isArray(terms.ids) || terms.ids.length === 0) fail(subject, `${field}.ids`, terms.ids, 'name at least one ID');
    for (const id of terms.ids) {
      if (!ID_FORMAT[field].test(id)) fail(subject, `${field}.ids`, id, `match ${ID_FORMAT[field].source}`);
    }
  } else if ('tags' in terms) {
    const entries = Object.entries(terms.tags ?? {});
    if (entries.length === 0) fail(subject, `${field}.tags`, terms.tags, 'hold at least one tag');
    for (const [key, value] of entries) {
      if (key === '' || value === '') fail(subject, `${field}.tags`, { [key]: value }, 'have non-empty keys and values');
    }
  } else {
    fail(subject, field, terms, how);
  }
}
