import { isLabelKey } from '../../labels';
import { KubeObject, Reporter } from '../findings';
import { at, invalid, list } from './common';
import { checkCore } from './core';
import { checkOthers } from './others';
import { checkWorkload } from './workloads';

/**
 * What the API server's validation functions refuse beyond its schema, for the built-in kinds
 * (k8s.io/kubernetes v1.35.4 pkg/apis/<group>/validation, ported: one file per family), on the
 * object as src/validation/builtin.ts converted it. Each rule names the field and what is
 * allowed; the differential tests hold them to the real API server (test/oracle-controlplane.test.ts).
 */

// Standard finalizers (pkg/apis/core/helper IsStandardFinalizerName); any other must be domain-qualified.
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

// Kinds whose validation does not run ValidateObjectMeta (policy/validation ValidatePodDisruptionBudget):
// only the generic checks of every object apply (a finalizer need only be a qualified name).
const GENERIC_METADATA = new Set(['PodDisruptionBudget']);

/** ValidateObjectMeta's part beyond names and labels (metadata.ts): finalizers. */
function checkObjectMeta(object: KubeObject, reporter: Reporter): void {
  const metadata = object.metadata ?? {};
  const generic = GENERIC_METADATA.has(String(object.kind));
  list(metadata.finalizers).forEach((finalizer, index) => {
    const path = at('metadata.finalizers', index);
    if (typeof finalizer !== 'string') return;
    if (!isLabelKey(finalizer)) invalid(reporter, path, finalizer, "name part must consist of alphanumeric characters, '-', '_' or '.', with an optional DNS subdomain prefix and '/'");
    else if (!generic && !finalizer.includes('/') && !STANDARD_FINALIZERS.has(finalizer)) invalid(reporter, path, finalizer, 'name is neither a standard finalizer name nor is it fully qualified');
  });
}

/** The API server's rules beyond the schema, for the kinds that have them. */
export function checkServerRules(object: KubeObject, reporter: Reporter): void {
  checkObjectMeta(object, reporter);
  // ValidateStatefulSetName: its pods are named <name>-<ordinal>, and their hostnames are labels.
  if (object.kind === 'StatefulSet' && typeof object.metadata?.name === 'string') {
    if (object.metadata.name.includes('.')) invalid(reporter, 'metadata.name', object.metadata.name, 'must not contain dots');
    else if (object.metadata.name.length > 63) invalid(reporter, 'metadata.name', object.metadata.name, 'must be no more than 63 characters');
  }
  if (checkWorkload(object, reporter)) return;
  if (checkCore(object, reporter)) return;
  checkOthers(object, reporter);
}
