/**
 * The model the validator reasons with, for tools that plan and render for Karpenter as it does:
 * Karpenter's instance catalog and overhead, how pods land on NodePools, Kubernetes quantities,
 * labels, selectors and durations, AMI releases. Each function cites the upstream code it follows.
 */
export { candidateTypes, catalog, closestTypes, instanceType, knownType, PRICE_REGION, priceRegion } from './catalog';
export { activeKarpenterRelease, DEFAULT_KARPENTER_RELEASE, isKarpenterRelease, KARPENTER_RELEASES, withKarpenterRelease } from './karpenter-release';
export type { KarpenterRelease } from './karpenter-release';
export type { Arch, InstanceType } from './catalog';
export { formatGiB, formatMilliCpu, goQuantity, isJvmSize, isQuantity, jvmBytes, parseQuantity, toMi } from './quantity';
export { isDns1123Label, isDns1123Subdomain, isLabelKey, isLabelValue, NODE_RESTRICTION_PREFIX, RESERVED_LABEL_DOMAINS, reservedDomain } from './labels';
export { allowedInstances, isInstanceRequirement, misspeltLabel, satisfies, WELL_KNOWN_LABELS } from './requirements';
export type { NodeRequirement } from './requirements';
export { durationSeconds, isBudgetDuration, isKarpenterDuration } from './durations';
export { editDistance, nearest } from './edit-distance';
export { amiFamilyOf, KUBELET_VOLUME } from './ami-families';
export { AMI_RELEASES, amiReleaseProblem, compareReleases, pinnedAliasExample } from './ami-releases';
export type { AmiFamilyAlias, FamilyReleases, MinorReleases } from './ami-releases';
export { ARCHITECTURES_ANNOTATION, daemonSetRequests, EKS_DAEMONSET_REQUESTS, POOLS_ANNOTATION, poolViews, replicasOf } from './validation/cluster';
export { poolView } from './validation/node-pools';
export type { PoolView } from './validation/node-pools';
export { allowsInstanceType, architecturesOn, mismatch, podRequests, poolsFor } from './validation/placement';
export { allocatable } from './validation/overhead';
export { isObject, podOf } from './validation/pods';
export type { Json } from './validation/pods';
export { isCredentialName, isPinnedImage } from './validation/policy';
export { isEmptySelector, selects } from './validation/selectors';
export type { LabelSelector } from './validation/selectors';
export { KUBERNETES_MINOR } from './validation/openapi';
export { CUSTOM_KINDS, customKinds, schemaOf, validateCustomResource } from './validation/crd';
export type { CustomKindEntry } from './validation/crd';
export type { StructuralSchema } from './validation/structural';
export { CLUSTER_SCOPED_KINDS_ANNOTATION } from './validation/argocd';
export { cronError } from './validation/robfig-cron';
