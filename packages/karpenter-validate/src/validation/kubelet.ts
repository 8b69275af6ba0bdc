import { goQuantity } from '../quantity';
import { activeKarpenterRelease, KarpenterRelease } from '../karpenter-release';
import { customKinds, schemaOf } from './crd';
import { Reporter } from './findings';
import { isObject, Json } from './pods';
import { readSchemaJson } from './schema-files';

/**
 * An EC2NodeClass's kubelet, checked as Karpenter's controller checks it once the CRD no longer
 * does. From 1.15.0 `spec.kubelet` is an open map (x-kubernetes-preserve-unknown-fields): the API
 * server admits any kubelet, and the provider's nodeclass validation controller judges it instead,
 * setting ValidationSucceeded=False (the class is not Ready and no pool using it launches a node).
 * The validator keeps these checks (rule `kubelet-config`), so synth still refuses what 1.14.1's
 * CRD refused, and what 1.15.0's controller refuses besides. Ported from
 * aws/karpenter-provider-aws v1.15.0:
 *
 * - pkg/apis/v1/kubeletconfiguration_validation.go ValidateKubeletConfig: a strict decode into
 *   k8s.io/kubelet config/v1beta1 KubeletConfiguration (validateAgainstUpstreamType: an unknown
 *   field, or a value of the wrong JSON type; the fields are generated into the release's
 *   schemas/crds/kubelet-configuration-v<release>.json), then validateKubeletSemantics,
 *   whose messages are kept word for word;
 * - pkg/controllers/nodeclass/validation.go Reconcile: a CEL expression in maxPods, kubeReserved or
 *   systemReserved while the NodeClassCEL gate is off (its default), and
 *   validateKubeletFieldsSupported: fields an AMI family other than AL2023 (and Custom) would drop.
 *
 * Nested fields of the upstream struct's objects (`authentication.webhook`) are not checked.
 * Held to the provider's own code on a seeded corpus by test/oracle-kubelet.test.ts.
 */

const EVICTION_SIGNALS = ['memory.available', 'nodefs.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree', 'pid.available'];
const RESERVED_RESOURCES = ['cpu', 'memory', 'ephemeral-storage', 'pid'];
const KARPENTER_OWNED: Readonly<Record<string, string>> = {
  registerWithTaints: "Karpenter sets it from the NodeClaim's taints so the node registers unschedulable until it's ready",
};
/** The fields Karpenter maps itself (pkg/apis/v1/kubeletconfiguration.go ParsedKubeletConfig's JSON tags). */
const MANAGED = new Set(['clusterDNS', 'maxPods', 'podsPerCore', 'systemReserved', 'kubeReserved', 'evictionHard', 'evictionSoft', 'evictionSoftGracePeriod', 'evictionMaxPodGracePeriod', 'imageGCHighThresholdPercent', 'imageGCLowThresholdPercent', 'cpuCFSQuota']);

/** A field of the upstream struct as encoding/json sees it (scripts/schemas.mjs kubeletConfiguration). */
interface GoField {
  /** The type as encoding/json names it in errors (`int32`, `map[string]string`, `v1beta1.KubeletAuthentication`). */
  readonly go: string;
  /** int32, int64, bool, string, float64... for a basic type; duration (metav1.Duration), struct, slice or map. */
  readonly kind: string;
  readonly elem?: GoField;
  readonly pointer?: boolean;
}

const configurations = new Map<KarpenterRelease, Readonly<Record<string, GoField>> | null>();

/**
 * The kubelet fields a release's controller decodes the kubelet into, or null where its CRD still
 * types the kubelet (1.14.1: the API server checks it, rules `cel` and `schema`).
 */
export function kubeletFields(release: KarpenterRelease = activeKarpenterRelease()): Readonly<Record<string, GoField>> | null {
  if (!configurations.has(release)) {
    const kind = customKinds(release).get('karpenter.k8s.aws/v1/EC2NodeClass');
    const open = kind !== undefined && schemaOf(kind).properties?.spec?.properties?.kubelet?.['x-kubernetes-preserve-unknown-fields'] === true;
    configurations.set(release, open ? readSchemaJson<{ fields: Record<string, GoField> }>('crds', `kubelet-configuration-v${release}.json`).fields : null);
  }
  return configurations.get(release)!;
}

const UNITS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 6e10, h: 3.6e12 };

/**
 * Go's time.ParseDuration (src/time/format.go): the duration in nanoseconds, or its error message
 * (`time: invalid duration "x"`, `time: missing unit in duration "30"`, `time: unknown unit "d" in duration "1d"`).
 */
export function parseGoDuration(orig: string): { readonly ns: number } | { readonly error: string } {
  const quote = (v: string) => JSON.stringify(v);
  const invalid = { error: `time: invalid duration ${quote(orig)}` };
  let s = orig;
  let negative = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { ns: 0 };
  if (s === '') return invalid;
  let total = 0;
  while (s !== '') {
    if (!(s[0] === '.' || (s[0]! >= '0' && s[0]! <= '9'))) return invalid;
    const number = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    if (number[1] === '' && (number[2] ?? '') === '') return invalid;
    s = s.slice(number[0].length);
    const unit = /^[^.0-9]*/.exec(s)![0];
    if (unit === '') return { error: `time: missing unit in duration ${quote(orig)}` };
    if (!Object.hasOwn(UNITS, unit)) return { error: `time: unknown unit ${quote(unit)} in duration ${quote(orig)}` };
    s = s.slice(unit.length);
    total += Number(`${number[1] || '0'}.${number[2] ?? '0'}`) * UNITS[unit]!;
    // Past int64 nanoseconds Go refuses it.
    if (total > 9223372036854775807) return invalid;
  }
  return { ns: negative ? -total : total };
}

/** Go's time.ParseDuration in nanoseconds; undefined where it refuses the string. */
export function goDuration(value: string): number | undefined {
  const parsed = parseGoDuration(value);
  return 'ns' in parsed ? parsed.ns : undefined;
}

/** Go's strconv.ParseFloat(s, 64): decimal and hexadecimal floats, inf, infinity and nan in any case; undefined where it refuses. */
export function goParseFloat(value: string): number | undefined {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(value);
  if (special) return special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  if (/^[+-]?((\d+(_\d+)*)(\.(\d+(_\d+)*)?)?|\.\d+(_\d+)*)([eE][+-]?\d+)?$/.test(value)) {
    // Underscores are allowed only with a base prefix.
    if (value.includes('_')) return undefined;
    const n = Number(value);
    // Out of range is an error (ErrRange) in Go; Number gives Infinity.
    return Number.isFinite(n) ? n : undefined;
  }
  const hex = /^([+-]?)0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?\d+)$/.exec(value);
  if (hex && (hex[2] || hex[3])) {
    const digits = `${hex[2] ?? ''}${hex[3] ?? ''}`.replace(/_/g, '');
    const mantissa = parseInt(digits || '0', 16) / 16 ** (hex[3] ?? '').replace(/_/g, '').length;
    const n = mantissa * 2 ** Number(hex[4]);
    return Number.isFinite(n) ? (hex[1] === '-' ? -n : n) : undefined;
  }
  return undefined;
}

/** The JSON type encoding/json names in its errors. */
const jsonType = (v: unknown) => (Array.isArray(v) ? 'array' : v !== null && typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v);

const INT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  int8: [-(2 ** 7), 2 ** 7 - 1], int16: [-(2 ** 15), 2 ** 15 - 1], int32: [-(2 ** 31), 2 ** 31 - 1], int64: [-(2 ** 63), 2 ** 63 - 1], int: [-(2 ** 63), 2 ** 63 - 1],
  uint8: [0, 2 ** 8 - 1], uint16: [0, 2 ** 16 - 1], uint32: [0, 2 ** 32 - 1], uint64: [0, 2 ** 64 - 1], uint: [0, 2 ** 64 - 1],
};

/**
 * How a value fails to decode into a field of the upstream struct, with encoding/json's message
 * (decode.go UnmarshalTypeError: `json: cannot unmarshal <JSON type> into Go struct field
 * KubeletConfiguration.<field> of type <Go type>`): `hard` where decoding stops (an unmarshaler's
 * error: metav1.Duration's), otherwise it goes on and the first such error is returned.
 */
function decodeProblem(field: string, type: GoField, value: unknown): { hard: boolean; message: string } | undefined {
  const mismatch = (what = jsonType(value), go = type.go, hard = false) => ({ hard, message: `json: cannot unmarshal ${what} into Go struct field KubeletConfiguration.${field} of type ${go}` });
  if (value === null) {
    // A null leaves a pointer nil and a plain value as it is, but metav1.Duration.UnmarshalJSON reads it as "".
    return type.kind === 'duration' && !type.pointer ? { hard: true, message: (parseGoDuration('') as { error: string }).error } : undefined;
  }
  if (type.kind === 'duration') {
    if (typeof value !== 'string') return mismatch(jsonType(value), 'string', true);
    const parsed = parseGoDuration(value);
    return 'error' in parsed ? { hard: true, message: parsed.error } : undefined;
  }
  if (type.kind === 'string') return typeof value === 'string' ? undefined : mismatch();
  if (type.kind === 'bool') return typeof value === 'boolean' ? undefined : mismatch();
  if (type.kind === 'float64' || type.kind === 'float32') return typeof value === 'number' ? undefined : mismatch();
  const range = INT_RANGES[type.kind];
  if (range) {
    if (typeof value !== 'number') return mismatch();
    return Number.isInteger(value) && value >= range[0] && value <= range[1] ? undefined : mismatch(`number ${JSON.stringify(value)}`);
  }
  if (type.kind === 'slice') {
    if (!Array.isArray(value)) return mismatch();
    for (const item of value) {
      const problem = decodeProblem(field, type.elem!, item);
      if (problem) return problem;
    }
    return undefined;
  }
  if (type.kind === 'map') {
    if (jsonType(value) !== 'object') return mismatch();
    for (const item of Object.values(value as Json)) {
      const problem = decodeProblem(field, type.elem!, item);
      if (problem) return problem;
    }
    return undefined;
  }
  // A struct: an object (its own fields are not checked here).
  return jsonType(value) === 'object' ? undefined : mismatch();
}

/** json.Unmarshal into map[string]string: a null value decodes as "", any other non-string fails (and the field is skipped). */
const stringMap = (value: unknown): Record<string, string> | undefined =>
  isObject(value) && Object.values(value).every((v) => v === null || typeof v === 'string') ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v ?? ''])) as Record<string, string> : undefined;
const intValue = (value: unknown): number | undefined => (typeof value === 'number' && Number.isInteger(value) ? value : undefined);

/** The messages of validateKubeletSemantics, in its order, word for word. */
function semantics(kc: Json): string[] {
  const errs: string[] = [];
  for (const field of Object.keys(KARPENTER_OWNED).sort()) if (field in kc) errs.push(`spec.kubelet.${field}: can't be set, ${KARPENTER_OWNED[field]}`);
  for (const field of ['evictionHard', 'evictionSoft', 'evictionSoftGracePeriod', 'evictionMinimumReclaim']) {
    const signals = stringMap(kc[field]);
    if (!signals) continue;
    for (const key of Object.keys(signals).sort()) {
      if (!EVICTION_SIGNALS.includes(key)) errs.push(`spec.kubelet.${field}: ${JSON.stringify(key)} isn't a valid eviction signal, must be one of ${EVICTION_SIGNALS.join(', ')}`);
      const value = signals[key]!;
      if (field === 'evictionSoftGracePeriod') {
        const d = goDuration(value);
        if (d === undefined) errs.push(`spec.kubelet.${field}[${key}]: ${JSON.stringify(value)} must be a duration`);
        else if (d < 0) errs.push(`spec.kubelet.${field}[${key}]: ${JSON.stringify(value)} can't be a negative duration`);
        continue;
      }
      if (value.endsWith('%')) {
        const pct = goParseFloat(value.slice(0, -1));
        // NaN compares false both ways: Go lets "NaN%" through.
        if (pct === undefined || pct < 0 || pct > 100) errs.push(`spec.kubelet.${field}[${key}]: ${JSON.stringify(value)} must be a percentage or a resource quantity`);
        continue;
      }
      const q = goQuantity(value);
      if (q === undefined) errs.push(`spec.kubelet.${field}[${key}]: ${JSON.stringify(value)} must be a percentage or a resource quantity`);
      else if (q < 0) errs.push(`spec.kubelet.${field}[${key}]: ${JSON.stringify(value)} can't be a negative resource quantity`);
    }
  }
  const soft = stringMap(kc.evictionSoft) ?? {};
  const grace = stringMap(kc.evictionSoftGracePeriod) ?? {};
  for (const signal of Object.keys(soft).sort()) if (!(signal in grace)) errs.push(`spec.kubelet.evictionSoft[${signal}]: has no matching evictionSoftGracePeriod`);
  for (const signal of Object.keys(grace).sort()) if (!(signal in soft)) errs.push(`spec.kubelet.evictionSoftGracePeriod[${signal}]: has no matching evictionSoft`);
  for (const field of ['kubeReserved', 'systemReserved']) {
    const reserved = stringMap(kc[field]);
    if (!reserved) continue;
    for (const key of Object.keys(reserved).sort()) {
      if (!RESERVED_RESOURCES.includes(key)) errs.push(`spec.kubelet.${field}: ${JSON.stringify(key)} isn't a reservable resource, must be one of ${RESERVED_RESOURCES.join(', ')}`);
      if (reserved[key]!.startsWith('-')) errs.push(`spec.kubelet.${field}[${key}]: ${JSON.stringify(reserved[key])} can't be a negative resource quantity`);
    }
  }
  for (const field of ['imageGCHighThresholdPercent', 'imageGCLowThresholdPercent']) {
    const value = intValue(kc[field]);
    if (value !== undefined && (value < 0 || value > 100)) errs.push(`spec.kubelet.${field}: ${value} must be between 0 and 100`);
  }
  for (const field of ['podsPerCore', 'evictionMaxPodGracePeriod']) {
    const value = intValue(kc[field]);
    if (value !== undefined && value < 0) errs.push(`spec.kubelet.${field}: ${value} can't be negative`);
  }
  const maxPods = intValue(kc.maxPods);
  if (maxPods !== undefined && maxPods < 0) errs.push(`spec.kubelet.maxPods: ${maxPods} can't be negative`);
  const [high, low] = [intValue(kc.imageGCHighThresholdPercent), intValue(kc.imageGCLowThresholdPercent)];
  if (high !== undefined && low !== undefined && high <= low) errs.push(`spec.kubelet: imageGCHighThresholdPercent (${high}) must be greater than imageGCLowThresholdPercent (${low})`);
  return errs;
}

/** validateAgainstUpstreamType: a strict decode's first error alone, else every unknown field. */
function upstream(kc: Json, fields: Readonly<Record<string, GoField>>): string[] {
  let firstType: string | undefined;
  const unknown: string[] = [];
  // json.Marshal sorts the map's keys; the decoder reads them in that order.
  for (const key of Object.keys(kc).sort()) {
    const type = fields[key];
    if (type === undefined) {
      unknown.push(`spec.kubelet: unknown field ${JSON.stringify(key)}`);
      continue;
    }
    // A string maxPods is an expression: checked with 0 in its place.
    if (key === 'maxPods' && typeof kc[key] === 'string') continue;
    const problem = decodeProblem(key, type, kc[key]);
    if (problem?.hard) return [`spec.kubelet: ${problem.message}`];
    if (problem && firstType === undefined) firstType = `spec.kubelet: ${problem.message}`;
  }
  return firstType !== undefined ? [firstType] : unknown;
}

/** The AMI family Karpenter resolves (EC2NodeClass.AMIFamily): amiFamily, else the first alias's family, else Custom. */
function amiFamily(spec: Json): string {
  if (typeof spec.amiFamily === 'string') return spec.amiFamily;
  const alias = (Array.isArray(spec.amiSelectorTerms) ? spec.amiSelectorTerms : []).map((t: unknown) => (isObject(t) ? t.alias : undefined)).find((a): a is string => typeof a === 'string');
  if (!alias) return 'Custom';
  const family = alias.split('@')[0]!.toLowerCase();
  return ({ al2: 'AL2', al2023: 'AL2023', bottlerocket: 'Bottlerocket', windows2019: 'Windows2019', windows2022: 'Windows2022', windows2025: 'Windows2025' } as Record<string, string>)[family] ?? family;
}

const isExpression = (value: unknown) => typeof value === 'string' && goQuantity(value) === undefined;

/**
 * What a release's controller says about an EC2NodeClass's kubelet, in its order: the reason it
 * would set on ValidationSucceeded=False and the message, or undefined when it accepts it (or the
 * release's CRD still checks the kubelet).
 */
export function kubeletVerdict(spec: Json, release: KarpenterRelease = activeKarpenterRelease()): { readonly reason: string; readonly message: string } | undefined {
  const fields = kubeletFields(release);
  const kc = spec.kubelet;
  if (!fields || !isObject(kc) || Object.keys(kc).length === 0) return undefined;
  const errors = [...upstream(kc, fields), ...semantics(kc)];
  if (errors.length > 0) return { reason: 'InvalidKubeletConfiguration', message: errors.join('; ') };
  const expression = (typeof kc.maxPods === 'string') || ['kubeReserved', 'systemReserved'].some((f) => Object.values(stringMap(kc[f]) ?? {}).some(isExpression));
  if (expression) return { reason: 'KubeletExpressionsDisabled', message: 'spec.kubelet contains a CEL expression, but the NodeClassCEL feature gate is disabled' };
  const family = amiFamily(spec);
  if (family === 'Custom' || family === 'AL2023') return undefined;
  const messages: string[] = [];
  const unsupported = new Set(Object.keys(kc).filter((k) => !MANAGED.has(k)));
  if (kc.podsPerCore !== undefined && kc.podsPerCore !== null && family === 'Bottlerocket') unsupported.add('podsPerCore');
  if (unsupported.size > 0) messages.push(`spec.kubelet has fields not applied by the ${family} AMI family that would be silently dropped: ${[...unsupported].sort().join(', ')}`);
  const dns = Array.isArray(kc.clusterDNS) ? kc.clusterDNS.length : 0;
  if (dns > 1) messages.push(`spec.kubelet.clusterDNS: the ${family} AMI family doesn't accept multiple entries, only one, but ${dns} were set`);
  return messages.length > 0 ? { reason: 'UnsupportedKubeletConfiguration', message: messages.join('; ') } : undefined;
}

/** Reports an EC2NodeClass (as stored) whose kubelet the release's controller refuses (rule kubelet-config). */
export function checkKubelet(object: Json, reporter: Reporter): void {
  const spec = isObject(object.spec) ? object.spec : {};
  const verdict = kubeletVerdict(spec);
  if (!verdict) return;
  reporter.report(
    'kubelet-config',
    'spec.kubelet',
    `Karpenter ${activeKarpenterRelease()} refuses this kubelet (the API server no longer checks it: the EC2NodeClass gets ValidationSucceeded=False, reason ${verdict.reason}, and no pool using it launches a node): ${verdict.message}`,
  );
}
