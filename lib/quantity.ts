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
