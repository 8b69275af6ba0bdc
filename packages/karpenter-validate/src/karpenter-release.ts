/**
 * The Karpenter releases the validator knows: for each, the CRDs its API server admits by
 * (schemas/crds/*-v<release>.*), the instance types it launches (src/catalog/) and the
 * metrics it exports (src/monitoring/), all generated from that release's own files in its Go
 * modules (github.com/aws/karpenter-provider-aws, sigs.k8s.io/karpenter).
 */

/** Every release the validator has data for, oldest first. */
export const KARPENTER_RELEASES = ['1.14.1', '1.15.0'] as const;

/** A Karpenter release the validator judges by. */
export type KarpenterRelease = (typeof KARPENTER_RELEASES)[number];

/**
 * The release judged by when none is named: the oldest supported. Its API server refuses what the
 * later one's refuses and more (1.15.0 only adds optional fields and defaults, and moves the
 * kubelet checks to the controller, which the validator keeps as the `kubelet-config` rule).
 */
export const DEFAULT_KARPENTER_RELEASE: KarpenterRelease = '1.14.1';

export const isKarpenterRelease = (value: unknown): value is KarpenterRelease => typeof value === 'string' && (KARPENTER_RELEASES as readonly string[]).includes(value);

/** `'<option>' (<value>) must be one of ...`, for an option naming a release the validator has no data for. */
export function karpenterReleaseProblem(option: string, value: unknown): string | undefined {
  if (value === undefined || isKarpenterRelease(value)) return undefined;
  const written = typeof value === 'string' ? value.replace(/^v/, '') : '';
  const hint = isKarpenterRelease(written) ? ` (without the "v": ${written})` : '';
  return `'${option}' (${JSON.stringify(value)}) must be a Karpenter release the validator knows: ${KARPENTER_RELEASES.join(', ')}${hint}`;
}

// The release of the validation running now. validate() is synchronous and sets it for its run
// (withKarpenterRelease), so the rules deep inside it (a custom kind's schema, the instance catalog,
// the metric list) read their release's data without each taking it as a parameter.
let active: KarpenterRelease = DEFAULT_KARPENTER_RELEASE;

/** Runs `run` judging by `release`: the catalog, schemas and metrics default to it meanwhile. */
export function withKarpenterRelease<T>(release: KarpenterRelease, run: () => T): T {
  const previous = active;
  active = release;
  try {
    return run();
  } finally {
    active = previous;
  }
}

/** The release being judged by: the one validate() runs with, else the default. */
export const activeKarpenterRelease = (): KarpenterRelease => active;
