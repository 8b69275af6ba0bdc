/**
 * Where ArgoCD finds the rendered manifests and how it syncs them.
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/
 */
export const ARGOCD = {
  /** ArgoCD release the output targets (NodePool and EC2NodeClass health is built in from 3.1). */
  version: 'v3.1',
  namespace: 'argocd',
  project: 'platform',
  repoURL: 'https://github.com/hihypipe/eks-platform.git',
  targetRevision: 'main',
  /** Sync automatically, pruning removed objects and reverting drift. */
  automated: true,
} as const;

/** Karpenter's Helm charts, pinned to the release the CRDs and imports come from. */
export const KARPENTER_CHARTS = {
  repoURL: 'public.ecr.aws/karpenter',
  namespace: 'kube-system',
} as const;
