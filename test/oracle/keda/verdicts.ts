import { validate } from '../../../packages/karpenter-validate/src/validation';
import type { Finding } from '../../../packages/karpenter-validate/src/validation/findings';

/** What KEDA's oracle (oracle/keda) prints for one KEDA object of a case. */
export interface KedaObjectVerdict {
  readonly kind: string;
  readonly name: string;
  readonly webhook?: { readonly allowed: boolean; readonly message?: string; readonly warnings?: readonly string[] };
  readonly triggers?: readonly { readonly index: number; readonly type: string; readonly error?: string; readonly connects?: boolean; readonly unmatched?: readonly string[]; readonly announced?: readonly string[] }[];
}

/** A verdict reduced to what the emulation is held to: refused or not, which keys are ignored, how many notes and warnings. */
export interface Classes {
  readonly object: string;
  /** The API server refuses the object (our schema or CEL rules): KEDA never sees it, nothing else is compared. */
  readonly apiServer?: true;
  readonly webhook?: { readonly refused: boolean; readonly warnings: number };
  readonly triggers?: readonly { readonly index: number; readonly refused: boolean; readonly unmatched?: readonly string[]; readonly announced?: number }[];
}

/** KEDA's verdict as classes. */
export function kedaClasses(verdict: readonly KedaObjectVerdict[]): Classes[] {
  return verdict.map((v) => ({
    object: `${v.kind}/${v.name}`,
    ...(v.webhook ? { webhook: { refused: !v.webhook.allowed, warnings: v.webhook.warnings?.length ?? 0 } } : {}),
    ...(v.triggers ? { triggers: v.triggers.map((t) => (t.error ? { index: t.index, refused: true } : { index: t.index, refused: false, unmatched: [...(t.unmatched ?? [])].sort(), announced: t.announced?.length ?? 0 })) } : {}),
  }));
}

const API_SERVER_RULES = new Set(['schema', 'cel', 'unknown-field', 'name', 'labels']);
const IGNORED = /is not a parameter of the|only from a TriggerAuthentication, not from metadata/;

/** Our emulation's verdict on the same objects: the findings of validate() on the case's cluster, as classes. */
export function ourClasses(objects: readonly Record<string, any>[], verdict: readonly KedaObjectVerdict[]): Classes[] {
  const findings = validate(objects.map((object) => ({ object })), { complete: false }).findings;
  return verdict.map((v) => {
    const own = findings.filter((f) => f.object.kind === v.kind && f.object.name === v.name);
    const object = `${v.kind}/${v.name}`;
    if (own.some((f) => f.severity === 'error' && API_SERVER_RULES.has(f.rule))) return { object, apiServer: true as const };
    const admission = own.filter((f) => f.rule === 'keda-admission');
    return {
      object,
      ...(v.webhook ? { webhook: { refused: admission.some((f) => f.severity === 'error'), warnings: admission.filter((f) => f.severity === 'warning').length } } : {}),
      ...(v.triggers ? { triggers: v.triggers.map((t) => triggerClasses(own, t.index)) } : {}),
    };
  });
}

function triggerClasses(own: readonly Finding[], index: number): NonNullable<Classes['triggers']>[number] {
  const prefix = `spec.triggers[${index}]`;
  const mine = own.filter((f) => f.rule === 'keda-trigger' && (f.path === prefix || f.path.startsWith(`${prefix}.`)));
  const refused = mine.some((f) => f.severity === 'error' && !IGNORED.test(f.message));
  if (refused) return { index, refused: true };
  const unmatched = mine.filter((f) => f.severity === 'error' && IGNORED.test(f.message)).map((f) => String(f.value)).sort();
  const announced = mine.filter((f) => f.severity === 'warning' && /is deprecated/.test(f.message)).length;
  return { index, refused: false, unmatched, announced };
}

/** Classes as comparable per object, for the API server's refusals: KEDA's side of an object our schema refuses is not compared. */
export function comparable(keda: readonly Classes[], ours: readonly Classes[]): { keda: Classes[]; ours: Classes[] } {
  return {
    keda: keda.map((k, i) => (ours[i]?.apiServer ? ours[i]! : k)),
    ours: [...ours],
  };
}
