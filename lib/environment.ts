import { AmiFamilyAlias, EnvironmentConfig, SelectorTerms } from '../config/types';
import { AMI_VERSIONS } from '../config/versions';
import { fail } from './errors';
import { isDns1123Label } from './labels';

// AMI release tags: amazon-eks-ami's vYYYYMMDD, Bottlerocket's vX.Y.Z.
const AMI_VERSION_FORMAT: Readonly<Record<AmiFamilyAlias, RegExp>> = {
  al2023: /^v[0-9]{8}$/,
  bottlerocket: /^v[0-9]+\.[0-9]+\.[0-9]+$/,
};
const ID_FORMAT = { subnets: /^subnet-[0-9a-z]+$/, securityGroups: /^sg-[0-9a-z]+$/ } as const;

/** The AMI alias (`al2023@v20250715`) a node class of `family` uses in `env`. */
export function amiAlias(env: EnvironmentConfig, family: AmiFamilyAlias): string {
  return `${family}@${env.amiVersions?.[family] ?? AMI_VERSIONS[family]}`;
}

/** Checks an environment's own fields; pools and workloads are checked where they are resolved. */
export function checkEnvironment(env: EnvironmentConfig): void {
  const subject = `environment "${env.name}"`;
  if (!isDns1123Label(env.name) || env.name === 'argocd') {
    fail(subject, 'name', env.name, 'be a DNS-1123 label (lower case alphanumerics and "-") other than "argocd"');
  }
  if (env.cluster.name.trim() === '') fail(subject, 'cluster.name', env.cluster.name, 'not be empty');
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
    const version = env.amiVersions?.[family] ?? AMI_VERSIONS[family];
    const field = `amiVersions.${family}`;
    if (version === 'latest') {
      if (env.production) {
        fail(subject, field, version, `be pinned in production (e.g. "${AMI_VERSIONS[family]}"): @latest rolls every node to an untested AMI as soon as it is released`);
      }
    } else if (!AMI_VERSION_FORMAT[family].test(version)) {
      fail(subject, field, version, `be a release tag like "${AMI_VERSIONS[family]}" (or "latest" outside production)`);
    }
  }
  for (const [name, sizing] of Object.entries(env.workloads ?? {})) {
    const min = sizing?.minReplicas;
    const max = sizing?.maxReplicas;
    if (min !== undefined && !(Number.isInteger(min) && min >= 1)) {
      fail(subject, `workloads.${name}.minReplicas`, min, 'be an integer >= 1 (an HPA minimum of 0 needs the HPAScaleToZero feature gate)');
    }
    if (min !== undefined && max !== undefined && max < min) {
      fail(subject, `workloads.${name}.maxReplicas`, max, `be >= 'minReplicas' (${min})`);
    }
  }
}

function checkSelector(subject: string, field: 'subnets' | 'securityGroups', terms: SelectorTerms | undefined): void {
  if (terms === undefined) fail(subject, field, terms, 'be set: discovery tags ({ tags: { "karpenter.sh/discovery": "<cluster>" } }) or explicit IDs ({ ids: [...] })');
  if ('ids' in terms) {
    if (terms.ids.length === 0) fail(subject, `${field}.ids`, terms.ids, 'name at least one ID');
    for (const id of terms.ids) {
      if (!ID_FORMAT[field].test(id)) fail(subject, `${field}.ids`, id, `match ${ID_FORMAT[field].source}`);
    }
  } else {
    const entries = Object.entries(terms.tags);
    if (entries.length === 0) fail(subject, `${field}.tags`, terms.tags, 'hold at least one tag');
    for (const [key, value] of entries) {
      if (key === '' || value === '') fail(subject, `${field}.tags`, { [key]: value }, 'have non-empty keys and values');
    }
  }
}
