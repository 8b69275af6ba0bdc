/**
 * Kubernetes resource quantities (`500m`, `4Gi`, `1e3`), parsed to plain numbers for
 * arithmetic: CPU in cores, memory in bytes, counts as counts.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */

// The grammar of resource.Quantity, as the CRDs spell it.
const QUANTITY = /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;

const SUFFIX: Readonly<Record<string, number>> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Whether `value` is a valid Kubernetes quantity string. */
export function isQuantity(value: string): boolean {
  return QUANTITY.test(value);
}

/** The numeric value of a quantity (`"500m"` → 0.5, `"1Gi"` → 1073741824). */
export function parseQuantity(value: string | number): number {
  if (typeof value === 'number') return value;
  if (!QUANTITY.test(value)) throw new Error(`not a Kubernetes quantity: ${JSON.stringify(value)}`);
  const match = /^([+-]?[0-9.]+)(.*)$/.exec(value)!;
  const number = Number(match[1]);
  const suffix = match[2]!;
  if (/^[eE]/.test(suffix)) return number * 10 ** Number(suffix.slice(1));
  return number * SUFFIX[suffix]!;
}

/** Memory in GiB, rounded to two decimals, for messages. */
export function formatGiB(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2).replace(/\.?0+$/, '')}Gi`;
}

/** CPU in millicores, for messages. */
export function formatMilliCpu(cores: number): string {
  return `${Math.round(cores * 1000)}m`;
}

/** Bytes in a JVM memory size (`-Xmx` style: `512m`, `2g`, `1024k`; binary units). */
export function jvmBytes(value: string): number {
  const match = /^([0-9]+)([kmgtKMGT]?)$/.exec(value);
  if (!match) throw new Error(`not a JVM memory size: ${JSON.stringify(value)}`);
  const power = { '': 0, k: 1, m: 2, g: 3, t: 4 }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Number(match[1]) * 1024 ** power;
}

/** Whether `value` is a JVM memory size (`512m`, `2g`). */
export function isJvmSize(value: string): boolean {
  return /^[0-9]+[kmgtKMGT]?$/.test(value);
}

/** A byte count as a Kubernetes quantity in Mi, rounded up (`3328Mi`). */
export function toMi(bytes: number): string {
  return `${Math.ceil(bytes / 2 ** 20)}Mi`;
}

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { '': 0, n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/**
 * A quantity as the API server reads it (k8s.io/apimachinery v0.35.4 pkg/api/resource/quantity.go
 * ParseQuantity and parseQuantityString), which is laxer than the grammar the CRDs spell: an
 * absent number is 0 (`Gi` is 0, `.5` is 0.5, `1.G` is 1e9), then a suffix of
 * `eEinumkKMGTP` letters with an optional signed exponent; undefined where it refuses the string.
 */
export function goQuantity(text: string): number | undefined {
  if (text.length === 0) return undefined;
  if (text === '0') return 0;
  let pos = 0;
  let positive = true;
  if (text[0] === '-' || text[0] === '+') {
    positive = text[0] === '+';
    pos++;
  }
  while (pos < text.length && text[pos] === '0') pos++;
  if (pos >= text.length) return 0;
  const digits = (from: number) => {
    let i = from;
    while (i < text.length && text[i]! >= '0' && text[i]! <= '9') i++;
    return i;
  };
  let end = digits(pos);
  const num = text.slice(pos, end) || '0';
  pos = end;
  let denom = '';
  if (pos < text.length && text[pos] === '.') {
    end = digits(pos + 1);
    denom = text.slice(pos + 1, end);
    pos = end;
  }
  const suffixStart = pos;
  while (pos < text.length && 'eEinumkKMGTP'.includes(text[pos]!)) pos++;
  if (pos < text.length && (text[pos] === '-' || text[pos] === '+')) pos++;
  if (digits(pos) !== text.length) return undefined;
  const suffix = text.slice(suffixStart);
  const magnitude = Number(`${num}.${denom || '0'}`);
  let value: number;
  if (Object.hasOwn(DECIMAL_SUFFIXES, suffix)) value = magnitude * 10 ** DECIMAL_SUFFIXES[suffix]!;
  else if (Object.hasOwn(BINARY_SUFFIXES, suffix)) value = magnitude * 2 ** BINARY_SUFFIXES[suffix]!;
  else {
    const exponent = /^[eE]([-+]?[0-9]+)$/.exec(suffix);
    if (!exponent) return undefined;
    value = magnitude * 10 ** Number(exponent[1]);
  }
  return positive ? value : -value;
}
