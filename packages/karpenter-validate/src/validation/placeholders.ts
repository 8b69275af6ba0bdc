import { child, KubeObject, Reporter } from './findings';

/**
 * Values that only documentation uses: an example account, key, file system, endpoint or
 * domain copied from the docs (or from this project's example config, which uses the same ones)
 * and never replaced. In a manifest they point at someone else's account or at nothing: IAM
 * refuses the role, the CSI driver finds no file system, the endpoint does not resolve. Rule
 * `placeholder-value` warns on each in anyone's manifests; synth also lists where the config
 * holds them (REPORT.md, "Placeholders to replace").
 */
export interface Placeholder {
  /** What the value is, in words: "the AWS documentation account ID". */
  readonly what: string;
  readonly pattern: RegExp;
}

export const PLACEHOLDERS: readonly Placeholder[] = [
  // The account IDs AWS's documentation uses in examples (IAM User Guide, "AWS account identifiers"; EKS and KMS guides).
  { what: 'an AWS documentation account ID (111122223333)', pattern: /\b111122223333\b/ },
  { what: 'an AWS documentation account ID (123456789012)', pattern: /\b123456789012\b/ },
  { what: 'an AWS documentation account ID (444455556666)', pattern: /\b444455556666\b/ },
  // The key ID of the AWS KMS Developer Guide's examples.
  { what: 'the AWS KMS documentation key ID', pattern: /\b1234abcd-12ab-34cd-56ef-1234567890ab\b/ },
  // The file system ID of the Amazon EFS User Guide's examples.
  { what: 'the Amazon EFS documentation file system ID', pattern: /\bfs-0123456789abcdef0\b/ },
  // An EKS API endpoint whose hash is the alphabet, not a cluster's.
  { what: 'an example EKS API server endpoint', pattern: /\b(?:(?:0123456789ABCDEF){2}|(?:ABCDEF0123456789){2})/i },
  // Domains reserved for documentation (RFC 2606, RFC 6761): they never resolve to anyone.
  { what: 'a domain reserved for examples (RFC 2606)', pattern: /(?:[@/.]|^)(?:[a-z0-9-]+\.)*example(?:\.(?:com|net|org))?(?=$|[/:"'\s])|\.(?:test|invalid)(?=$|[/:"'\s])/i },
];

/** The placeholders a string holds. */
export function placeholdersIn(value: string): Placeholder[] {
  return PLACEHOLDERS.filter((p) => p.pattern.test(value));
}

/** Every string under `value` that holds a placeholder, with its path and what it holds (several kinds joined by '; '). */
export function findPlaceholders(value: unknown, path = '', out: { path: string; value: string; what: string }[] = []): typeof out {
  if (typeof value === 'string') {
    const found = placeholdersIn(value);
    if (found.length > 0) out.push({ path, value, what: found.map((p) => p.what).join('; ') });
  } else if (Array.isArray(value)) value.forEach((item, i) => findPlaceholders(item, child(path, i), out));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) findPlaceholders(item, child(path, key), out);
  return out;
}

/** Rule placeholder-value: a documentation placeholder in a manifest, unless it holds a value the caller lists (`listed`). */
export function checkPlaceholders(object: KubeObject, reporter: Reporter, listed: readonly string[] = []): void {
  const { status: _status, ...rest } = object as Record<string, unknown>;
  for (const found of findPlaceholders(rest)) {
    if (listed.some((value) => found.value.includes(value))) continue;
    reporter.report('placeholder-value', found.path, `holds ${found.what}, which only documentation uses: it points at an account, key, file system or host that is not yours. Set the real value where the manifest comes from`, found.value.length > 120 ? `${found.value.slice(0, 117)}...` : found.value);
  }
}
