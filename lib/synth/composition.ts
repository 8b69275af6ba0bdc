import type { Prerequisite } from '../../config/types';
import type { EnvironmentConfig } from '../../config/environment-config';
import type { CapacityPlan } from '../plan/capacity';
import type { Manifest } from './layout';
import type { ResolvedPool } from '../config/pools';
import type { LeftOut, ResolvedWorkload } from '../config/workload-config';

// What a composition (compose.ts) hands the synthesis pipeline (lib/synth/synth.ts) and what the
// pipeline hands back: the types both sides and REPORT.md share, apart from the code that runs them.

/** One environment, synthesized: its objects, and what they were made from. */
export interface BuiltEnvironment {
  readonly env: EnvironmentConfig;
  readonly manifests: Manifest[];
  readonly pools: readonly ResolvedPool[];
  readonly workloads: readonly ResolvedWorkload[];
  /** Workloads of config/workloads.ts this environment does not run, and why. */
  readonly leftOut: readonly LeftOut[];
  /** What the set needs from outside it. */
  readonly prerequisites: readonly Prerequisite[];
  /** The capacity plan of its objects, when the composition made one (REPORT.md reuses it). */
  readonly capacity?: CapacityPlan;
  /** The construct that made each object, by the object's name (what cdk8s-cli's validation report looks up). */
  readonly constructPaths?: readonly (readonly [string, string])[];
}

/** What the shared files need to know of an environment once it is built (its objects are let go). */
export interface EnvironmentSummary {
  readonly env: EnvironmentConfig;
  /** Cluster-scoped kinds of its objects, as `group/Kind` (`karpenter.sh/NodePool`, `/Namespace`). */
  readonly clusterScopedKinds: readonly string[];
  /** Namespaces its namespaced objects live in. */
  readonly namespaces: readonly string[];
  /** The construct that made each object, by the object's name. */
  readonly constructPaths: readonly (readonly [string, string])[];
}

/** Files every environment shares: objects to validate and lay out by file, and texts written as they are. */
export interface SharedOutput {
  /** Objects by file (`argocd/bootstrap.yaml`), validated together as one set. */
  readonly objects: ReadonlyMap<string, readonly Manifest[]>;
  /** Other files, by path (`argocd/patches/argocd-cm.yaml`). */
  readonly texts: ReadonlyMap<string, string>;
  /** What the shared objects need from outside them (the Argo CD installation). */
  readonly prerequisites: readonly Prerequisite[];
}

/**
 * How environments are made: the composition at the top of the project (compose.ts) says which
 * charts make an environment; this module only runs it, validates and writes.
 */
export interface Composition {
  /** Checks the config every environment shares, once, before the first is built. */
  checkShared(): void;
  /** Builds one environment's objects, without validating them. */
  build(env: EnvironmentConfig): BuiltEnvironment;
  /** Files every environment shares (ArgoCD's), by path relative to dist/. */
  shared(envs: readonly EnvironmentSummary[]): SharedOutput;
}
