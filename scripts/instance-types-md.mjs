// Reads Karpenter's instance-types reference page (aws/karpenter-provider-aws
// website/content/en/docs/reference/instance-types.md): a `### \`type\`` heading per instance
// type, then a `#### Labels` and a `#### Resources` table. Shared by the generators of the
// catalog (scripts/catalog.mjs) and of the Karpenter oracle's EC2 data (scripts/ec2-instance-types.mjs).

/** The label prefix of the instance labels Karpenter derives from EC2's description of a type. */
export const INSTANCE_LABEL_PREFIX = 'karpenter.k8s.aws/instance-';

/** Every type of the page, by name: its labels and resources, as the tables spell them. */
export function parseInstanceTypes(text) {
  const types = new Map();
  let current;
  let table;
  for (const line of text.split('\n')) {
    const heading = /^### `([^`]+)`/.exec(line);
    if (heading) {
      current = { labels: {}, resources: {} };
      types.set(heading[1], current);
      continue;
    }
    if (!current) continue;
    if (line.startsWith('#### Labels')) table = 'labels';
    else if (line.startsWith('#### Resources')) table = 'resources';
    const row = /^\s*\|([^|]+)\|([^|]*)\|\s*$/.exec(line);
    if (!row || !table) continue;
    const [key, value] = [row[1].trim(), row[2].trim()];
    if (key === 'Label' || key === 'Resource' || key.startsWith('--')) continue;
    current[table][key] = value;
  }
  return types;
}
