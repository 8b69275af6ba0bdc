/**
 * What AWS accepts as a region, an ARN and a resource ID: config names AWS resources, and a
 * malformed one passes every Kubernetes schema (they are plain strings there) and fails only when
 * Karpenter, the EBS CSI driver or IRSA first use it, on the cluster.
 */

/**
 * The regions of each partition, as the AWS SDK Karpenter 1.14.1 is built with knows them
 * (github.com/aws/aws-sdk-go-v2 v1.42.1 internal/endpoints/awsrulesfn/partitions.json, its
 * `regions`, without the `*-global` pseudo-regions).
 */
export const PARTITION_REGIONS: Readonly<Record<string, readonly string[]>> = {
  aws: [
    'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2', 'ap-southeast-1',
    'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7', 'ca-central-1', 'ca-west-1',
    'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'il-central-1',
    'me-central-1', 'me-south-1', 'mx-central-1', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  ],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
  'aws-eusc': ['eusc-de-east-1'],
  'aws-iso': ['us-iso-east-1', 'us-iso-west-1'],
  'aws-iso-b': ['us-isob-east-1', 'us-isob-west-1'],
  'aws-iso-e': ['eu-isoe-west-1'],
  'aws-iso-f': ['us-isof-east-1', 'us-isof-south-1'],
  'aws-us-gov': ['us-gov-east-1', 'us-gov-west-1'],
};

/** Every region AWS has. */
export const REGIONS: readonly string[] = Object.values(PARTITION_REGIONS).flat();

/** The partition a region belongs to (`aws`, `aws-cn`...), when it is a region. */
export function partitionOf(region: string): string | undefined {
  return Object.entries(PARTITION_REGIONS).find(([, regions]) => regions.includes(region))?.[0];
}

/** An ARN's parts: `arn:<partition>:<service>:<region>:<account>:<resource>`. */
export interface Arn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

/**
 * Why `text` is not an ARN of `service` (with a resource matching `resource`), or its parts. The
 * account is 12 digits; a global service (IAM) leaves the region empty, a regional one names a
 * region. @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
export function parseArn(text: string, service: string, resource: { readonly pattern: RegExp; readonly example: string }): Arn | { readonly problem: string } {
  const example = `e.g. "${resource.example}"`;
  const parts = text.split(':');
  if (parts[0] !== 'arn' || parts.length < 6) return { problem: `be an ARN, arn:<partition>:${service}:<region>:<account>:<resource> (${example}); it has ${parts.length - 1} colons where an ARN has at least 5` };
  const [, partition, named, region, account] = parts as [string, string, string, string, string];
  const rest = parts.slice(5).join(':');
  if (!(partition in PARTITION_REGIONS)) return { problem: `name an AWS partition (${Object.keys(PARTITION_REGIONS).join(', ')}) after "arn:", not ${JSON.stringify(partition)} (${example})` };
  if (named !== service) return { problem: `be an ARN of ${service}, not ${JSON.stringify(named)} (${example})` };
  const global = service === 'iam';
  if (global && region !== '') return { problem: `leave the region empty: ${service} is global (arn:${partition}:${service}::<account>:...; ${example})` };
  if (!global && partitionOf(region) !== partition) return { problem: `name a region of partition ${partition} in its fourth field, not ${JSON.stringify(region)} (${example})` };
  if (!/^[0-9]{12}$/.test(account)) return { problem: `name a 12-digit account in its fifth field, not ${JSON.stringify(account)} (${account.length} characters; ${example})` };
  if (!resource.pattern.test(rest)) return { problem: `end with a resource like ${JSON.stringify(resource.example.split(':').slice(5).join(':'))}, not ${JSON.stringify(rest)}` };
  return { partition, service: named, region, account, resource: rest };
}

/** IAM role ARNs: `role/` then an optional path and the role name. */
export const IAM_ROLE = { pattern: /^role\/([\x21-\x7e]+\/)*[\w+=,.@-]{1,64}$/, example: 'arn:aws:iam::111122223333:role/karpenter-controller' } as const;

/** KMS key and alias ARNs. */
export const KMS_KEY = {
  pattern: /^(key\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})|alias\/[\w/_-]{1,250})$/,
  example: 'arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
} as const;

/**
 * EC2 resource IDs: a prefix, a hyphen, then 8 or 17 hexadecimal characters (the short IDs of
 * older resources, the long ones of every resource since 2018).
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html
 */
export function isEc2Id(prefix: 'subnet' | 'sg', id: string): boolean {
  return new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`).test(id);
}

/**
 * EFS file system IDs, as the EFS API and its CSI driver take them (FileSystemId pattern:
 * `fs-` and 8 to 40 hexadecimal characters).
 * @see https://docs.aws.amazon.com/efs/latest/ug/API_FileSystemDescription.html
 */
export function isEfsId(id: string): boolean {
  return /^fs-[0-9a-f]{8,40}$/.test(id);
}

/**
 * Names AWS gives IAM roles and SQS queues: what Karpenter's settings take as plain names.
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (RoleName)
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html (QueueName)
 */
export const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
export const SQS_QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
