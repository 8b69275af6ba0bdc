// Types of scripts/pinned-crds.mjs, for the TypeScript that imports it (tests, scripts/verify.ts).
export interface PinnedCrdSource {
  readonly url: string;
  readonly module: string;
  readonly version: string;
  readonly path: string;
}
/** Karpenter's CRDs at `karpenter` (a release, `1.15.0`) when given, else cdk8s.yaml's. */
export function pinnedCrdSources(karpenter?: string): PinnedCrdSource[];
export function pinnedCrdFiles(karpenter?: string): string[];
export function moduleDir(module: string, version: string): string;
