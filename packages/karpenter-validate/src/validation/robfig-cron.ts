/**
 * Cron schedules as github.com/robfig/cron v3.0.1 parses them (parser.go Parse, spec.go bounds), the
 * library KEDA's cron scaler (kedacore/keda v2.20.2 pkg/scalers/cron_scaler.go) parses start and
 * end with, given Minute | Hour | Dom | Month | Dow: why a schedule fails, or undefined.
 */

/**
 * Five fields; each a comma list of `*`, `?`, `a`, `a-b`, with `/step`; names for months and
 * weekdays; the fields' bounds. A `TZ=`/`CRON_TZ=` prefix names a location (without a space
 * after it, the library panics, which KEDA reports as an error too). Descriptors (`@daily`,
 * `@every 1h`) only with `descriptors`: KEDA's parser leaves them out, cron.ParseStandard
 * (parser.go standardParser: Minute | Hour | Dom | Month | Dow | Descriptor) takes them.
 */
export function cronError(spec: string, options: { readonly descriptors?: boolean } = {}): string | undefined {
  if (spec.length === 0) return 'empty spec string';
  let rest = spec;
  if (rest.startsWith('TZ=') || rest.startsWith('CRON_TZ=')) {
    const space = rest.indexOf(' ');
    if (space < 0) return 'a TZ= prefix with no schedule after it';
    const zone = rest.slice(rest.indexOf('=') + 1, space);
    if (!validTimeZone(zone)) return `provided bad location ${zone}`;
    rest = goTrimSpace(rest.slice(space));
  }
  if (rest.startsWith('@')) return options.descriptors ? descriptorError(rest) : `parser does not accept descriptors: ${rest}`;
  const fields = rest.split(GO_SPACE).filter((f) => f !== '');
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}`;
  const bounds: readonly [number, number, Readonly<Record<string, number>>?][] = [
    [0, 59],
    [0, 23],
    [1, 31],
    [1, 12, { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 }],
    [0, 6, { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 }],
  ];
  for (let i = 0; i < 5; i++) {
    const [min, max, names] = bounds[i]!;
    for (const expr of fields[i]!.split(',').filter((r) => r !== '')) {
      const error = rangeError(expr, min, max, names);
      if (error) return error;
    }
  }
  return undefined;
}

// Go's unicode.IsSpace, which strings.Fields and strings.TrimSpace split and trim at: JavaScript's
// \s differs (it has U+FEFF, and lacks U+0085).
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
const goTrimSpace = (text: string): string => text.replace(new RegExp(`^${GO_SPACE.source}|${GO_SPACE.source}$`, 'g'), '');

// parser.go parseDescriptor: the named schedules, and `@every <Go duration>`.
function descriptorError(descriptor: string): string | undefined {
  if (['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'].includes(descriptor)) return undefined;
  if (descriptor.startsWith('@every ')) {
    const duration = descriptor.slice('@every '.length);
    return isGoDuration(duration) ? undefined : `failed to parse duration ${descriptor}: time: invalid duration ${JSON.stringify(duration)}`;
  }
  return `unrecognized descriptor: ${descriptor}`;
}

// time.ParseDuration's grammar: an optional sign, then one or more decimal numbers with a unit ("0" alone too).
function isGoDuration(text: string): boolean {
  return text === '0' || /^[-+]?((\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/.test(text) || /^[-+]0$/.test(text);
}

// strconv.Atoi: an optional sign and decimal digits, within int64.
const atoi = (s: string): number | undefined => (/^[-+]?\d+$/.test(s) && BigInt(s) <= 2n ** 63n - 1n && BigInt(s) >= -(2n ** 63n) ? Number(s) : undefined);

function intOrName(s: string, names: Readonly<Record<string, number>> | undefined): number | string {
  const named = names && Object.hasOwn(names, s.toLowerCase()) ? names[s.toLowerCase()] : undefined;
  if (named !== undefined) return named;
  const n = atoi(s);
  if (n === undefined) return `failed to parse int from ${s}`;
  if (n < 0) return `negative number (${n}) not allowed: ${s}`;
  return n;
}

function rangeError(expr: string, min: number, max: number, names?: Readonly<Record<string, number>>): string | undefined {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  let start: number;
  let end: number;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = min;
    end = max;
  } else {
    const s = intOrName(lowAndHigh[0]!, names);
    if (typeof s === 'string') return s;
    start = s;
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) {
      const e = intOrName(lowAndHigh[1]!, names);
      if (typeof e === 'string') return e;
      end = e;
    } else return `too many hyphens: ${expr}`;
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    const s = atoi(rangeAndStep[1]!);
    if (s === undefined) return `failed to parse int from ${rangeAndStep[1]}`;
    if (s < 0) return `negative number (${s}) not allowed: ${rangeAndStep[1]}`;
    step = s;
    if (lowAndHigh.length === 1) end = max;
  } else if (rangeAndStep.length > 2) return `too many slashes: ${expr}`;
  if (start < min) return `beginning of range (${start}) below minimum (${min}): ${expr}`;
  if (end > max) return `end of range (${end}) above maximum (${max}): ${expr}`;
  if (start > end) return `beginning of range (${start}) beyond end of range (${end}): ${expr}`;
  if (step === 0) return `step of range should be a positive number: ${expr}`;
  return undefined;
}

/**
 * Whether Go's time.LoadLocation knows a zone name: UTC, Local, or a file of the IANA database,
 * whose names are case-sensitive where ICU's (Intl) are not: `utc` or `europe/berlin` fail in Go.
 */
function validTimeZone(zone: string): boolean {
  if (zone === '' || zone === 'UTC' || zone === 'Local') return true;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    return resolved === zone || resolved.toLowerCase() !== zone.toLowerCase();
  } catch {
    return false;
  }
}
