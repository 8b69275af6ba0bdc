import { boolCoreTag, boolYaml11Tag, CORE_SCHEMA, defineScalarTag, FAILSAFE_SCHEMA, floatCoreTag, intCoreTag, load, mergeTag, NOT_RESOLVED, nullCoreTag, nullYaml11Tag, Schema } from 'js-yaml';
import { child } from './json-path';

/**
 * YAML read as kubectl and Argo CD read it: sigs.k8s.io/yaml converts YAML to JSON with go-yaml v2
 * (gopkg.in/yaml.v2 2.4.0, resolve.go), whose plain scalars follow YAML 1.1, not 1.2: `yes`, `on`
 * and `y` are booleans, `0644` is octal (420), `1_000` is 1000, `1e3` a float, `2024-01-01` a
 * timestamp that reaches the API server as "2024-01-01T00:00:00Z"; `<<` merges. What the
 * validator checks is then what the API server receives. Quoted scalars are strings, as always.
 */
const DIGITS = [...'0123456789'];

// strconv.ParseInt(s, 0, 64) after go-yaml drops every underscore: 0x, 0o, 0b and a leading 0 (octal).
const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|(0[0-7]*)|([1-9][0-9]*))$/;
// go-yaml's yamlStyleFloat.
const GO_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const SPECIAL_FLOATS: Readonly<Record<string, number>> = Object.fromEntries([
  ...['.nan', '.NaN', '.NAN'].map((s) => [s, Number.NaN]),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((s) => [s, Number.POSITIVE_INFINITY]),
  ...['-.inf', '-.Inf', '-.INF'].map((s) => [s, Number.NEGATIVE_INFINITY]),
]);

function goInt(source: string): number | typeof NOT_RESOLVED {
  const m = GO_INT.exec(source.replace(/_/g, ''));
  if (!m) return NOT_RESOLVED;
  const [, sign, hex, oct, bin, leadingZero, dec] = m;
  const digits = hex ?? oct ?? bin ?? leadingZero ?? dec!;
  const radix = hex !== undefined ? 16 : oct !== undefined || leadingZero !== undefined ? 8 : bin !== undefined ? 2 : 10;
  const magnitude = [...digits].reduce((n, d) => n * BigInt(radix) + BigInt(parseInt(d, radix)), 0n);
  const value = sign === '-' ? -magnitude : magnitude;
  // Beyond int64 (and uint64 for positive values) ParseInt fails and the text is tried as a float.
  if (value < -(2n ** 63n) || value >= 2n ** 64n) return NOT_RESOLVED;
  return Number(value);
}

// Set when a plain scalar is read otherwise than YAML 1.2's core schema reads it: the document is
// then read the 1.2 way too, to say where (`readAsKubectl`).
let differsFrom12 = false;

const CORE_SCALARS = [nullCoreTag, boolCoreTag, intCoreTag, floatCoreTag];

/** Notes `value`, kubectl's reading of the plain scalar `source`, when YAML 1.2 reads it otherwise. */
function noted<T>(source: string, value: T): T {
  if (value === NOT_RESOLVED) return value;
  let core: unknown = source;
  for (const tag of CORE_SCALARS) {
    const read = tag.resolve(source, false, tag.tagName);
    if (read !== NOT_RESOLVED) {
      core = read;
      break;
    }
  }
  if (!Object.is(core, value)) differsFrom12 = true;
  return value;
}

const goBoolTag = defineScalarTag('tag:yaml.org,2002:bool', {
  implicit: true,
  implicitFirstChars: boolYaml11Tag.implicitFirstChars,
  resolve: (source, explicit, tag) => noted(source, boolYaml11Tag.resolve(source, explicit, tag)),
  identify: boolYaml11Tag.identify,
});

const goIntTag = defineScalarTag('tag:yaml.org,2002:int', {
  implicit: true,
  implicitFirstChars: [...DIGITS, '+', '-'],
  resolve: (source) => noted(source, goInt(source)),
  identify: (data) => typeof data === 'number' && Number.isInteger(data),
});

const goFloatTag = defineScalarTag('tag:yaml.org,2002:float', {
  implicit: true,
  implicitFirstChars: [...DIGITS, '+', '-', '.'],
  resolve: (source) => {
    if (Object.hasOwn(SPECIAL_FLOATS, source)) return noted(source, SPECIAL_FLOATS[source]!);
    // A leading '.' is parsed as it is; otherwise go-yaml drops underscores first.
    const plain = source.startsWith('.') ? source : source.replace(/_/g, '');
    return noted(source, GO_FLOAT.test(plain) ? Number(plain) : NOT_RESOLVED);
  },
  identify: (data) => typeof data === 'number',
});

const DATE = '(\\d{4})-(\\d{1,2})-(\\d{1,2})';
const TIME = '(\\d{1,2}):(\\d{1,2}):(\\d{1,2})(\\.\\d+)?';
// go-yaml's allowedTimestampFormats, as time.Parse reads them.
const ZONED = new RegExp(`^${DATE}[Tt]${TIME}(Z|[-+]\\d{2}:\\d{2})$`);
const LOCAL = new RegExp(`^${DATE} ${TIME}$`);
const DATE_ONLY = new RegExp(`^${DATE}$`);

const pad = (n: string) => n.padStart(2, '0');
const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** A go-yaml timestamp as encoding/json writes a time.Time (RFC 3339, nanoseconds without trailing zeros), or undefined. */
function goTimestamp(source: string): string | undefined {
  const m = ZONED.exec(source) ?? LOCAL.exec(source) ?? DATE_ONLY.exec(source);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction, zone] = m;
  const [year, month, day] = [Number(y), Number(mo), Number(d)];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  const nanos = fraction ? fraction.slice(1, 10).replace(/0+$/, '') : '';
  return `${y}-${pad(mo!)}-${pad(d!)}T${pad(h)}:${pad(mi)}:${pad(s)}${nanos ? `.${nanos}` : ''}${zone === undefined || zone === 'Z' || zone === '+00:00' ? 'Z' : zone}`;
}

const goTimestampTag = defineScalarTag('tag:yaml.org,2002:timestamp', {
  implicit: true,
  implicitFirstChars: DIGITS,
  resolve: (source) => noted(source, goTimestamp(source) ?? NOT_RESOLVED),
  identify: () => false,
});

/** The schema kubectl's YAML reader amounts to (timestamps before numbers, as go-yaml tries them). */
export const KUBECTL_SCHEMA = new Schema([...FAILSAFE_SCHEMA.tags, nullYaml11Tag, goBoolTag, goTimestampTag, goIntTag, goFloatTag, mergeTag]);

// YAML 1.2's core schema, merge keys included: how the document reads to a 1.2 reader.
const YAML12_SCHEMA = CORE_SCHEMA.withTags(mergeTag);

/** A plain scalar read one way by kubectl and Argo CD, another by YAML 1.2 readers. */
export interface ReadDifference {
  readonly path: string;
  readonly kubectl: unknown;
  readonly yaml12: unknown;
}

type LoadOptions = NonNullable<Parameters<typeof load>[1]>;

/** One YAML document as kubectl reads it, and where a YAML 1.2 reader would read it otherwise. */
export function readAsKubectl(text: string, options: Omit<LoadOptions, 'schema'>): { value: unknown; differences: ReadDifference[] } {
  differsFrom12 = false;
  const value = load(text, { ...options, schema: KUBECTL_SCHEMA });
  if (!differsFrom12) return { value, differences: [] };
  const differences: ReadDifference[] = [];
  compare(value, load(text, { ...options, schema: YAML12_SCHEMA }), '', differences);
  return { value, differences };
}

function compare(kubectl: unknown, yaml12: unknown, path: string, out: ReadDifference[]): void {
  if (kubectl !== null && yaml12 !== null && typeof kubectl === 'object' && typeof yaml12 === 'object') {
    if (Array.isArray(kubectl) && Array.isArray(yaml12)) {
      kubectl.forEach((item, i) => compare(item, yaml12[i], child(path, i), out));
      return;
    }
    // A key kubectl reads otherwise (`on:` is "true" to it) is a key only one of them has: said
    // once, at the key as written.
    for (const key of Object.keys(kubectl)) if (Object.hasOwn(yaml12, key)) compare((kubectl as Record<string, unknown>)[key], (yaml12 as Record<string, unknown>)[key], child(path, key), out);
    for (const key of Object.keys(yaml12)) if (!Object.hasOwn(kubectl, key)) out.push({ path: child(path, key), kubectl: undefined, yaml12: key });
    return;
  }
  if (!Object.is(kubectl, yaml12)) out.push({ path, kubectl, yaml12 });
}
