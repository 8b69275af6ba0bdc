// Types of scripts/karpenter-release.mjs, for the TypeScript that imports it (tests).
export interface PinnedKarpenterRelease {
  /** `1.15.0` */
  readonly release: string;
  /** The oracle's modfile that pins it (`go.mod`, `go.v1.15.0.mod`). */
  readonly modfile: string;
  /** github.com/aws/karpenter-provider-aws's version (`v1.15.0`). */
  readonly provider: string;
  /** sigs.k8s.io/karpenter's version. */
  readonly core: string;
  readonly text: string;
}
export const PROVIDER: string;
export const CORE: string;
export function karpenterReleases(): PinnedKarpenterRelease[];
export function karpenterRelease(release: string): PinnedKarpenterRelease;
export function karpenterEnv(release: string): Record<string, string>;
export function downloadModule(module: string, version: string, release?: PinnedKarpenterRelease): string;
export function releaseModuleDirs(release: PinnedKarpenterRelease, modules: readonly string[]): Map<string, string>;
export function providerDir(release: PinnedKarpenterRelease): string;
export function karpenterCrdFiles(release: PinnedKarpenterRelease, names?: readonly string[]): string[];
export function buildReleaseTool(release: PinnedKarpenterRelease, pkg: string, name: string): string;
