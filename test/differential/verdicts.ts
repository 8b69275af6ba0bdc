// Verdicts on a case, in one form for both sides: what kubectl read (or could not) and, per
// object, whether the API server accepts it (with the fields it names) and whether it admits the
// pod the object's template makes (Pod Security: refused, or accepted with a warning).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from '../../packages/karpenter-validate/src/validation';
import { CUSTOM_KINDS } from '../../packages/karpenter-validate/src/validation/crd';
import { builtinKind } from '../../packages/karpenter-validate/src/validation/openapi';
import { Finding, Input, KubeObject } from '../../packages/karpenter-validate/src/validation/findings';
import { LoadError, objectsOfText } from '../../packages/karpenter-validate/src/validation/load';
import { emitYaml } from '../../lib/synth/yaml-emit';
import type { Case, CaseFile, Json } from './corpus';
import { OracleVerdict } from '../../scripts/controlplane-verdict';

export interface PodOutcome {
  readonly accepted: boolean;
  /** Accepted with a Pod Security warning (the namespace's warn level). */
  readonly warned: boolean;
}

export interface ObjectOutcome {
  /** `Kind namespace/name`. */
  readonly ref: string;
  readonly accepted: boolean;
  /** The fields a refusal names (index paths); empty when it names none. */
  readonly fields: readonly string[];
  readonly pod?: PodOutcome;
}

export interface CaseOutcome {
  /** Every document read (kubectl: no read error; ours: no LoadError). */
  readonly readable: boolean;
  readonly objects: readonly ObjectOutcome[];
  /**
   * Documents kubectl read but could not map to a kind it is served or decode (an unknown kind, a
   * label that is not a string): refused, by no name. Ours refuses them as objects.
   */
  readonly unread?: number;
  /** The previous version could not be stored: the update was not judged. */
  readonly previousRefused?: boolean;
}

const refString = (kind: unknown, namespace: unknown, name: unknown) => `${String(kind)} ${typeof namespace === 'string' && namespace !== '' ? `${namespace}/` : ''}${typeof name === 'string' ? name : ''}`;

// --- the API server's side (the Go tier) ---

interface OracleCase {
  id: string;
  readErrors?: string[];
  previousRefused?: string[];
  unread?: string[];
  objects: { ref: { kind: string; namespace?: string; name: string }; verdict: OracleVerdict; pod?: OracleVerdict }[];
}

const POD_SECURITY = /violates PodSecurity|would violate PodSecurity/;

function podOutcome(v: OracleVerdict): PodOutcome {
  return { accepted: v.accepted, warned: (v.warnings ?? []).some((w) => POD_SECURITY.test(w)) };
}

export function outcomeOfOracle(c: OracleCase): CaseOutcome {
  return {
    readable: (c.readErrors ?? []).length === 0,
    ...(c.previousRefused && c.previousRefused.length > 0 ? { previousRefused: true } : {}),
    ...((c.unread ?? []).length > 0 ? { unread: c.unread!.length } : {}),
    objects: c.objects.map((o) => ({
      ref: refString(o.ref.kind, o.ref.namespace, o.ref.name),
      accepted: o.verdict.accepted,
      // "<nil>" (the "some validation rules were not checked" cause) and "[]" (a whole ConfigMap's
      // size) name the object itself.
      fields: [...new Set((o.verdict.causes ?? []).map((cause) => (cause.field === '<nil>' || cause.field === '[]' ? '' : cause.field ?? '')))].sort(),
      ...(o.pod ? { pod: podOutcome(o.pod) } : {}),
    })),
  };
}

function writeFiles(dir: string, files: readonly CaseFile[]): string[] {
  mkdirSync(dir, { recursive: true });
  return files.map((f) => {
    const path = join(dir, f.name);
    writeFileSync(path, f.content);
    return path;
  });
}

/**
 * The API server's verdicts on the cases: each case's files written to a scratch folder, read by
 * kubectl and applied (dry run) by the control plane oracle, with the pinned CRDs installed and
 * the setup objects stored first.
 */
export function serverOutcomes(binary: string, crds: readonly string[], setup: readonly Json[], cases: readonly Case[], raw?: Map<string, unknown>): Map<string, CaseOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'differential-'));
  try {
    const setupFile = join(dir, 'setup.yaml');
    writeFileSync(setupFile, setup.map((o) => emitYaml(o)).join('---\n'));
    const input = {
      crds,
      setup: [setupFile],
      cases: cases.map((c, i) => ({
        id: c.id,
        files: writeFiles(join(dir, String(i)), c.files),
        ...(c.previous ? { previous: writeFiles(join(dir, `${i}-previous`), c.previous) } : {}),
      })),
    };
    const stdout = execFileSync(binary, ['admit'], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024, stdio: ['pipe', 'pipe', 'pipe'] });
    const results = JSON.parse(stdout) as OracleCase[];
    for (const r of results) raw?.set(r.id, r);
    return new Map(results.map((r) => [r.id, outcomeOfOracle(r)]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- ours ---

function read(files: readonly CaseFile[]): Input[] {
  return files.flatMap((f) => [...objectsOfText(f.content, f.name)]);
}

// Rules that judge the pod a template makes rather than the object (Pod Security admission).
const POD_RULES = new Set(['pod-security']);
const POD_WARNINGS = new Set(['pod-security-warn']);

/**
 * Our verdict: the case read by our reader (packages/karpenter-validate/src/validation/load.ts) and validated as
 * `validate --admission-only` does, in a set that also holds the setup objects (the namespaces
 * and their Pod Security levels, which the cluster has).
 */
export function ourOutcome(c: Case, setup: readonly Json[]): CaseOutcome {
  let inputs: Input[];
  let previous: Input[] | undefined;
  try {
    previous = c.previous ? read(c.previous) : undefined;
    inputs = read(c.files);
  } catch (error) {
    if (!(error instanceof LoadError)) throw error;
    return { readable: false, objects: [] };
  }
  const context: Input[] = setup.map((object) => ({ object: object as KubeObject, source: 'setup' }));
  if (previous) {
    const stored = validate([...context, ...previous], { admissionOnly: true });
    if (stored.findings.some((f) => f.severity === 'error' && f.object.source !== 'setup')) return { readable: true, previousRefused: true, objects: [] };
  }
  const result = validate([...context, ...inputs], { admissionOnly: true, ...(previous ? { previous: previous.map((i) => i.object) } : {}) });
  const bySource = new Map<string, Finding[]>();
  for (const f of result.findings) bySource.set(f.object.source ?? '', [...(bySource.get(f.object.source ?? '') ?? []), f]);
  return {
    readable: true,
    objects: inputs.map((input) => {
      const findings = bySource.get(input.source ?? '') ?? [];
      // A Pod is itself what Pod Security admission judges.
      const isPod = input.object.kind === 'Pod';
      const errors = findings.filter((f) => f.severity === 'error' && (isPod || !POD_RULES.has(f.rule)));
      const metadata = (input.object.metadata ?? {}) as Json;
      // kubectl puts a namespaced object without a namespace in "default".
      const namespace = metadata.namespace ?? (builtinKind(`${String(input.object.apiVersion)}/${String(input.object.kind)}`)?.scope === 'Namespaced' || CUSTOM_KINDS.get(`${String(input.object.apiVersion)}/${String(input.object.kind)}`)?.scope === 'Namespaced' ? 'default' : undefined);
      const outcome: ObjectOutcome = {
        ref: refString(input.object.kind, namespace, metadata.name),
        accepted: errors.length === 0,
        fields: [...new Set(errors.map((f) => f.path))].sort(),
      };
      if (!outcome.accepted || previous) return outcome;
      const podErrors = findings.filter((f) => f.severity === 'error' && POD_RULES.has(f.rule));
      // Audit mode logs; only warn mode answers the client with a warning.
      const podWarnings = findings.filter((f) => POD_WARNINGS.has(f.rule) && /\bwarns\b/.test(f.message));
      return hasPodTemplate(input.object) ? { ...outcome, pod: { accepted: podErrors.length === 0, warned: podWarnings.length > 0 } } : outcome;
    }),
  };
}

const TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob']);
function hasPodTemplate(object: KubeObject): boolean {
  return TEMPLATE_KINDS.has(String(object.kind)) && String(object.apiVersion).endsWith('v1');
}

// --- comparing them ---

/**
 * A path with its separators dropped: the API server writes a map key as `.key`, `[key]` or
 * `[key]` with dots inside (`spec.selector.matchLabels.app.kubernetes.io/name`), ours as
 * `["key"]` when it is not an identifier; dropping `.`, `[`, `]` and `"` makes them comparable.
 */
const canonical = (path: string) => path.replace(/[.[\]"]/g, '');

/** Whether our path names the server's field: the same, or one inside the other. */
function sameField(ours: string, theirs: string): boolean {
  const [a, b] = [canonical(ours), canonical(theirs)];
  return a.startsWith(b) || b.startsWith(a);
}

/** Why two outcomes disagree, or undefined when they agree. */
export function disagreement(ours: CaseOutcome, theirs: CaseOutcome): string | undefined {
  if (ours.readable !== theirs.readable) return `read: kubectl ${theirs.readable ? 'reads' : 'cannot read'} it, ours ${ours.readable ? 'reads' : 'cannot read'} it`;
  if (!theirs.readable) return undefined;
  if (Boolean(ours.previousRefused) !== Boolean(theirs.previousRefused)) return `previous version: the API server ${theirs.previousRefused ? 'refuses' : 'stores'} it, ours ${ours.previousRefused ? 'refuses' : 'accepts'} it`;
  if (theirs.previousRefused) return undefined;
  const refs = (o: CaseOutcome) => o.objects.map((x) => x.ref).join(', ');
  // Theirs in order, ours in order with the documents kubectl could not map among them: those
  // must be refused by ours, as many as kubectl refused.
  const matched: ObjectOutcome[] = [];
  const rest: ObjectOutcome[] = [];
  let j = 0;
  for (const o of ours.objects) {
    if (j < theirs.objects.length && theirs.objects[j]!.ref === o.ref) {
      matched.push(o);
      j++;
    } else rest.push(o);
  }
  if (j < theirs.objects.length || rest.length !== (theirs.unread ?? 0)) return `objects: kubectl reads [${refs(theirs)}]${theirs.unread ? ` and cannot map ${theirs.unread}` : ''}, ours [${refs(ours)}]`;
  const accepted = rest.find((o) => o.accepted);
  if (accepted) return `${accepted.ref}: kubectl cannot map or decode it, ours accepts it`;
  for (const [i, t] of theirs.objects.entries()) {
    const o = matched[i]!;
    if (o.accepted !== t.accepted) return `${t.ref}: the API server ${t.accepted ? 'accepts' : `refuses (${t.fields.join(', ') || 'no field named'})`}, ours ${o.accepted ? 'accepts' : `refuses (${o.fields.join(', ')})`}`;
    if (!t.accepted) {
      const missed = t.fields.filter((f) => !o.fields.some((p) => sameField(p, f)));
      if (missed.length > 0) return `${t.ref}: the API server names ${missed.join(', ')}, ours only ${o.fields.join(', ')}`;
    }
    if (t.pod && o.pod) {
      if (t.pod.accepted !== o.pod.accepted) return `${t.ref}: its pod is ${t.pod.accepted ? 'admitted' : 'refused'} by the API server, ${o.pod.accepted ? 'admitted' : 'refused'} by ours`;
      if (t.pod.warned !== o.pod.warned) return `${t.ref}: its pod ${t.pod.warned ? 'draws' : 'draws no'} Pod Security warning from the API server, ${o.pod.warned ? 'one' : 'none'} from ours`;
    } else if (Boolean(t.pod) !== Boolean(o.pod)) return `${t.ref}: a pod ${t.pod ? 'is' : 'is not'} made from its template by the server's side, ${o.pod ? 'is' : 'is not'} by ours`;
  }
  return undefined;
}
