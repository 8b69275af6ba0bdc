/**
 * karpenter-validate: Kubernetes manifests judged as the API server, Karpenter, the scheduler,
 * Pod Security Admission, KEDA, Prometheus and Argo CD would judge them, offline.
 *
 *   import { loadInputs, validate, formatText } from 'karpenter-validate';
 *   const result = validate(loadInputs(['dist/prod']), { production: true });
 *   console.log(formatText(result, inputs.length));
 *
 * The Karpenter and Kubernetes model the rules reason with (pools, placement, overhead, the
 * instance catalog, quantities) is `karpenter-validate/model`; the NetworkPolicy engine
 * `karpenter-validate/network`; PromQL and scrape labels `karpenter-validate/monitoring`; the
 * cdk8s validation plugin `karpenter-validate/plugin`.
 */
export { validate, preload } from './validation';
export { DEFAULT_KARPENTER_RELEASE, isKarpenterRelease, KARPENTER_RELEASES } from './karpenter-release';
export type { KarpenterRelease } from './karpenter-release';
export type { ValidateOptions, ValidationResult } from './validation';
export { child, describeRef, refOf, Reporter } from './validation/findings';
export type { Finding, Input, KubeObject, ObjectRef, Severity } from './validation/findings';
export type { Layer } from './validation/rules';
export { clusterSets, DeepLoadError, inputsOf, LoadError, loadInputs, manifestFiles, objectsOfText } from './validation/load';
export { formatJson, formatText, formatWarnings } from './validation/format';
export { RULE_CATALOG, WAIVER_PREFIX } from './validation/rules';
export { embeddedPods } from './validation/embedded';
export type { EmbeddedPod } from './validation/embedded';
export { findPlaceholders, PLACEHOLDERS, placeholdersIn } from './validation/placeholders';
export type { Placeholder } from './validation/placeholders';
export { cacheIsWarm, validationCache } from './validation-cache';
export type { ValidationCache } from './validation-cache';
// The cdk8s validation plugin, from the main entry: cdk8s-cli loads a plugin package by its path,
// which node resolves through package.json "main", not "exports".
export { KarpenterValidation } from './plugin';
export type { KarpenterValidationProperties } from './plugin';
