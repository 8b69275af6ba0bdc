// Types of scripts/pinned-crds.mjs, for the TypeScript that imports it (tests, scripts/verify.ts).
export interface PinnedCrdSource {
  readonly url: string;
  readonly module: string;
  readonly version: string;
  readonly path: string;
}
export function pinnedCrdSources(): PinnedCrdSource[];
export function pinnedCrdFiles(): string[];
export function moduleDir(module: string, version: string): string;
