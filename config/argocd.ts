/**
 * Where ArgoCD finds the rendered manifests and how it syncs them.
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/cluster-bootstrapping/ (app of apps)
 */
export const ARGOCD = {
  /** ArgoCD release the output targets (NodePool, EC2NodeClass and ScaledObject health are built in from 3.1). */
  version: 'v3.1',
  /** Namespace of the ArgoCD installation: AppProject and Applications live there. */
  namespace: 'argocd',
  /**
   * The AppProject of the bootstrap (emitted, not assumed): the root Applications, which may only
   * create Applications and AppProjects in Argo CD's namespace. Each environment's Applications
   * belong to a project of their own, named after the environment, that travels with the
   * environment's revision.
   */
  project: 'platform',
  repoURL: 'https://github.com/hihypipe/eks-platform.git',
  /**
   * The revision the bootstrap follows, and every environment whose `argocdRevision` does not say
   * otherwise (config/environments/): a change merged here reaches them at once.
   */
  targetRevision: 'main',
  /**
   * The destination namespace of each environment's Application (`platform-<env>`): where Argo CD
   * puts an object without one, as `kubectl apply -f dist/<env>/` would (every object we emit
   * names its own). An Application needs one: without it Argo CD matches the empty namespace
   * against the project's destinations, which none permits (argo-cd v3.1.16 app_project_types.go
   * isDestinationMatched), and refuses to sync.
   */
  destinationNamespace: 'default',
  /** Sync automatically, pruning removed objects and reverting drift. */
  automated: true,
  /**
   * How a failed sync is retried: ArgoCD never retries an automated sync of the same commit on
   * its own, so a transient failure (a webhook not ready, a CRD established a moment late)
   * would otherwise wait for the next commit.
   */
  retry: { limit: 10, backoff: { duration: '15s', factor: 2, maxDuration: '10m' } },
} as const;

/**
 * Karpenter's Helm charts (OCI), pinned to the release the CRDs and imports come from, installed
 * into this namespace. The repoURL has no scheme: that is how Argo CD tells an OCI registry from
 * a Helm repository (util/helm/client.go IsHelmOciRepo at v3.1.9: no host once parsed as a URL),
 * and a public registry needs no repository Secret.
 */
export const KARPENTER_CHARTS = {
  repoURL: 'public.ecr.aws/karpenter',
  namespace: 'kube-system',
} as const;

/** KEDA's Helm chart, pinned in config/versions.ts, installed into this namespace. */
export const KEDA_CHART = {
  repoURL: 'https://kedacore.github.io/charts',
  namespace: 'keda',
} as const;
