/**
 * KEDA's typed scaler configuration (kedacore/keda v2.20.2 pkg/scalers/scalersconfig/typed_config.go
 * TypedConfig), for the scalers whose metadata structs are modelled here, and what their
 * constructors check after it (pkg/scaling/scalers_builder.go buildScaler calls them). The schema
 * KEDA generates (src/validation/keda-scalers.json) drops what decides a verdict: the Go type of
 * each parameter (a number KEDA parses as JSON, a boolean with strconv.ParseBool, a duration), a
 * parameter's other names (`address;addresses`), nested structs that make every field optional
 * (the Redis connection, Prometheus' authentication), and each struct's Validate. Held to KEDA's
 * own verdicts by test/oracle-keda.test.ts.
 */

import { cronError } from './robfig-cron';

type Order = 'triggerMetadata' | 'authParams' | 'resolvedEnv';
type Kind = 'string' | 'int' | 'int64' | 'int32' | 'float64' | 'bool' | 'duration' | 'map' | 'urlValues' | 'stringSlice';

interface Field {
  readonly names: readonly string[];
  readonly order: readonly Order[];
  readonly kind: Kind;
  readonly optional?: boolean;
  readonly default?: string;
  /** typed_config.go `deprecated`: the parameter's presence is an error. */
  readonly deprecated?: string;
  /** `deprecatedAnnounce`: the parameter is read, and KEDA records an event saying it is deprecated. */
  readonly deprecatedAnnounce?: string;
  readonly enum?: readonly string[];
  readonly exclusiveSet?: readonly string[];
}

interface Nested {
  readonly nested: Struct;
  readonly optional?: boolean;
}

interface Struct {
  readonly fields: readonly (Field | Nested)[];
  /** The struct's Validate (a CustomValidator), given the values parsed, by first name. */
  readonly validate?: (values: ReadonlyMap<string, Parsed>) => string | undefined;
}

type Parsed = string | number | boolean | readonly string[] | ReadonlyMap<string, string>;

/** What KEDA does with a trigger: the error building it, the metadata keys it did not read, its deprecation notes. */
export interface TypedVerdict {
  readonly error?: { readonly message: string; readonly key?: string };
  readonly unmatched: readonly string[];
  readonly announced: readonly { readonly key: string; readonly note: string }[];
  /**
   * `<name>FromEnv` keys KEDA's own check passes (the parameter was read, from metadata) though the
   * parameter is never read from the environment: the variable is ignored.
   */
  readonly envIgnored: readonly string[];
}

/**
 * A value the set cannot tell (a Secret or ConfigMap outside it, a TriggerAuthentication or scale
 * target it does not hold): present, and taken as valid.
 */
export const UNKNOWN = '\u0000unknown';

/** The inputs of a scaler's configuration, as KEDA's scale handler resolves them. */
export interface ScalerInputs {
  readonly type: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** A parameter of the TriggerAuthentication, its Secret read (pkg/scaling/resolver/scale_resolvers.go resolveAuthRef). */
  readonly auth: (parameter: string) => string | undefined;
  /** A variable of the scale target's container environment (ResolveContainerEnv). */
  readonly env: (name: string) => string | undefined;
  /** The trigger's metricType. */
  readonly metricType?: string;
}

const M: readonly Order[] = ['triggerMetadata'];
const A: readonly Order[] = ['authParams'];

// JSON number grammar: json.Unmarshal of the value into the field (setConfigValueHelper's fallback).
const JSON_INT = /^-?(0|[1-9]\d*)$/;
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/;
// strconv.ParseBool
const BOOLS: Readonly<Record<string, boolean>> = { 1: true, t: true, T: true, TRUE: true, true: true, True: true, 0: false, f: false, F: false, FALSE: false, false: false, False: false };
const RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  int: [-(2n ** 63n), 2n ** 63n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
};

/** Go's time.ParseDuration: a sequence of decimal numbers with units, optionally signed; "0" alone. */
function goDuration(value: string): number | undefined {
  if (value === '0' || value === '+0' || value === '-0') return 0;
  const m = /^([-+]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(value);
  if (!m) return undefined;
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, μs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  for (const part of m[2]!.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(part[1]) * units[part[2]!]!;
  return m[1] === '-' ? -total : total;
}

/** setConfigValueHelper for one value of a field's Go type: the value, or why it does not parse. */
function parseValue(kind: Kind, value: string): { value: Parsed } | { error: string } {
  if (value === UNKNOWN) return { value: kind === 'stringSlice' ? [UNKNOWN] : kind === 'map' ? new Map<string, string>() : value };
  switch (kind) {
    case 'string':
      return { value };
    case 'int':
    case 'int64':
    case 'int32': {
      // JSON null leaves setConfigValueHelper's interface nil, and reflect panics on it: KEDA
      // recovers the panic as the parse's error (typed_config.go TypedConfig).
      if (value === 'null') return { error: 'must be a number (KEDA panics reading null)' };
      if (!JSON_INT.test(value)) return { error: `must be a whole number (read as JSON into a Go ${kind})` };
      const [min, max] = RANGES[kind]!;
      const n = BigInt(value);
      if (n < min || n > max) return { error: `is out of range for a Go ${kind}` };
      return { value: Number(value) };
    }
    case 'float64':
      if (value === 'null') return { error: 'must be a number (KEDA panics reading null)' };
      if (!JSON_NUMBER.test(value) || !Number.isFinite(Number(value))) return { error: 'must be a number (read as JSON into a Go float64)' };
      return { value: Number(value) };
    case 'bool':
      return Object.hasOwn(BOOLS, value) ? { value: BOOLS[value]! } : { error: 'must be true or false (strconv.ParseBool: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False)' };
    case 'duration': {
      const d = goDuration(value);
      if (d !== undefined) return d < 0 ? { error: 'must not be a negative duration' } : { value: d };
      if (/^[-+]?\d+$/.test(value)) return Number(value) < 0 ? { error: 'must not be a negative number of milliseconds' } : { value: Number(value) / 1000 };
      return { error: "must be a duration ('30s', '5m') or a number of milliseconds" };
    }
    case 'map': {
      const out = new Map<string, string>();
      for (const item of value.split(',')) {
        const kv = item.trim().split('=');
        if (kv.length !== 2) return { error: `must be key=value pairs separated by commas (${JSON.stringify(item.trim())} is not one)` };
        out.set(kv[0]!.trim(), kv[1]!.trim());
      }
      return { value: out };
    }
    case 'urlValues':
      // url.ParseQuery refuses a semicolon and a malformed escape.
      if (value.includes(';') || /%(?![0-9a-fA-F]{2})/.test(value)) return { error: 'must be a URL query (a=1&b=2)' };
      return { value };
    case 'stringSlice':
      return { value: value.split(',').map((s) => s.trim()) };
  }
}

interface Parse {
  readonly values: Map<string, Parsed>;
  readonly parsedNames: string[];
  readonly errors: { message: string; key?: string }[];
  readonly announced: { key: string; note: string }[];
}

/** configParamValue: the first non-blank value in the field's order, by each of its names. */
function lookup(field: Field, inputs: ScalerInputs): { value: string; key: string; from: Order } | undefined {
  for (const from of field.order) {
    for (const name of field.names) {
      const variable = inputs.metadata[`${name}FromEnv`];
      const raw = from === 'triggerMetadata' ? (Object.hasOwn(inputs.metadata, name) ? inputs.metadata[name] : undefined) : from === 'authParams' ? inputs.auth(name) : variable !== undefined ? inputs.env(variable) : undefined;
      const value = raw?.trim();
      if (value) return { value, key: from === 'resolvedEnv' ? `${name}FromEnv` : name, from };
    }
  }
  return undefined;
}

/** parseTypedConfig, recursively: each field's value (setValue), then the struct's Validate. */
function parseStruct(struct: Struct, inputs: ScalerInputs, parentOptional: boolean, out: Parse): void {
  const values = new Map<string, Parsed>();
  for (const entry of struct.fields) {
    if ('nested' in entry) {
      parseStruct(entry.nested, inputs, parentOptional || (entry.optional ?? false), out);
      continue;
    }
    const field = entry;
    const optional = (field.optional ?? false) || parentOptional;
    const found = lookup(field, inputs);
    const name = field.names.join(',');
    const metadataKey = found?.key;
    if (found && field.deprecated) {
      out.errors.push({ message: `is refused by the ${inputs.type} scaler, which no longer reads it (${field.deprecated.replace(/\.$/, '')})`, key: metadataKey });
      continue;
    }
    if (found && field.deprecatedAnnounce) out.announced.push({ key: found.key, note: field.deprecatedAnnounce });
    let value = found?.value;
    if (value === undefined && field.default !== undefined && field.default !== '') value = field.default;
    if (value === undefined) {
      if (optional || field.deprecated) continue;
      out.errors.push({ message: `has no ${field.names.join(' or ')}, which the ${inputs.type} scaler requires (from ${field.order.map((o) => (o === 'triggerMetadata' ? 'metadata' : o === 'authParams' ? 'a TriggerAuthentication' : `${field.names[0]}FromEnv`)).join(' or ')})` });
      continue;
    }
    const items = value === UNKNOWN ? [] : value.split(',').map((s) => s.trim());
    if (field.enum && items.some((s) => !field.enum!.includes(s))) {
      out.errors.push({ message: `must be one of ${field.enum.map((e) => JSON.stringify(e)).join(', ')} for the ${inputs.type} scaler`, key: metadataKey ?? name });
      continue;
    }
    if (field.exclusiveSet && items.filter((s) => field.exclusiveSet!.includes(s)).length > 1) {
      out.errors.push({ message: `may name only one of ${field.exclusiveSet.join(', ')} for the ${inputs.type} scaler`, key: metadataKey ?? name });
      continue;
    }
    const parsed = parseValue(field.kind, value);
    if ('error' in parsed) {
      out.errors.push({ message: `${parsed.error} for the ${inputs.type} scaler`, key: metadataKey ?? name });
      continue;
    }
    values.set(field.names[0]!, parsed.value);
    out.parsedNames.push(...field.names);
  }
  for (const [k, v] of values) out.values.set(k, v);
  // errors.Join collects every field's error and the Validate error alike: Validate runs either way.
  const invalid = struct.validate?.(out.values);
  if (invalid) out.errors.push({ message: invalid });
}

/**
 * TypedConfig and its unexpected-parameter check (checkUnexpectedParameterExist, which KEDA runs
 * only after a successful parse): the metadata keys whose name, less a `FromEnv` suffix, no field
 * parsed.
 */
function typedConfig(struct: Struct, inputs: ScalerInputs): Parse {
  const out: Parse = { values: new Map(), parsedNames: [], errors: [], announced: [] };
  parseStruct(struct, inputs, false, out);
  return out;
}

// --- The modelled scalers, as their metadata structs declare them at v2.20.2. ---

/** pkg/scalers/redis_scaler.go redisConnectionInfo: a nested optional struct, so every field is optional. */
const REDIS_CONNECTION: Struct = {
  fields: [
    { names: ['address', 'addresses'], order: ['triggerMetadata', 'authParams', 'resolvedEnv'], kind: 'stringSlice' },
    { names: ['username'], order: ['triggerMetadata', 'resolvedEnv', 'authParams'], kind: 'string' },
    { names: ['password'], order: ['triggerMetadata', 'resolvedEnv', 'authParams'], kind: 'string' },
    { names: ['sentinelUsername'], order: ['triggerMetadata', 'authParams', 'resolvedEnv'], kind: 'string' },
    { names: ['sentinelPassword'], order: ['triggerMetadata', 'authParams', 'resolvedEnv'], kind: 'string' },
    { names: ['sentinelMaster'], order: ['triggerMetadata', 'authParams', 'resolvedEnv'], kind: 'string' },
    { names: ['host', 'hosts'], order: ['triggerMetadata', 'resolvedEnv', 'authParams'], kind: 'stringSlice' },
    { names: ['port', 'ports'], order: ['triggerMetadata', 'resolvedEnv', 'authParams'], kind: 'stringSlice' },
    { names: ['unsafeSsl'], order: M, kind: 'bool', default: 'false' },
    { names: ['Cert', 'cert'], order: A, kind: 'string' },
    { names: ['key'], order: A, kind: 'string' },
    { names: ['keyPassword'], order: A, kind: 'string' },
    { names: ['ca'], order: A, kind: 'string' },
  ],
};

/** pkg/scalers/redis_scaler.go redisMetadata, with Validate: validateRedisAddress, then SetEnableTLS. */
const REDIS: Struct = {
  fields: [
    { names: ['listLength'], order: M, kind: 'int64', default: '5' },
    { names: ['activationListLength'], order: M, kind: 'int64', optional: true },
    { names: ['listName'], order: M, kind: 'string' },
    { names: ['databaseIndex'], order: M, kind: 'int', optional: true },
    { names: ['enableTLS'], order: M, kind: 'string', optional: true },
    { names: ['tls'], order: A, kind: 'string', optional: true },
    { nested: REDIS_CONNECTION, optional: true },
  ],
  validate: (v) => {
    const list = (key: string): readonly string[] => {
      const value = v.get(key);
      return Array.isArray(value) ? value : [];
    };
    const hosts = list('host');
    const ports = list('port');
    const addresses = [...list('address')];
    if (hosts.length > 0 && ports.length > 0) {
      // A value the set cannot tell may hold any number of hosts or ports.
      if (hosts.length !== ports.length && !hosts.includes(UNKNOWN) && !ports.includes(UNKNOWN)) return `has ${hosts.length} host(s) but ${ports.length} port(s): give one port per host`;
      hosts.forEach((h, i) => addresses.push(`${h}:${ports[i]}`));
    }
    if (addresses.length === 0 || addresses[0] === '') return 'has no address, addresses, or host and port: set address (host:port, comma-separated for several), or host and port';
    const enableTLS = v.get('enableTLS') as string | undefined;
    const tls = v.get('tls') as string | undefined;
    if (enableTLS !== undefined && tls !== undefined && tls !== UNKNOWN) return 'sets enableTLS while its TriggerAuthentication sets tls: set one of them';
    if (enableTLS !== undefined && enableTLS !== UNKNOWN && !Object.hasOwn(BOOLS, enableTLS)) return `has enableTLS "${enableTLS}", which must be true or false`;
    if (tls !== undefined && tls !== UNKNOWN && tls !== 'enable' && tls !== 'disable') return `gets tls "${tls}" from its TriggerAuthentication, which must be enable or disable`;
    return undefined;
  },
};

/** pkg/scalers/authentication/authentication_types.go Config, nested optional in Prometheus' metadata, with its Validate. */
const AUTHENTICATION: Struct = {
  fields: [
    { names: ['authModes', 'authMode'], order: ['triggerMetadata', 'authParams'], kind: 'stringSlice', enum: ['apiKey', 'basic', 'tls', 'bearer', 'custom', 'oauth'], exclusiveSet: ['bearer', 'basic', 'oauth'], optional: true },
    { names: ['bearerToken', 'token'], order: A, kind: 'string', optional: true },
    { nested: { fields: [{ names: ['username'], order: A, kind: 'string' }, { names: ['password'], order: A, kind: 'string' }] }, optional: true },
    { nested: { fields: [{ names: ['cert'], order: A, kind: 'string' }, { names: ['key'], order: A, kind: 'string' }, { names: ['ca'], order: A, kind: 'string' }] }, optional: true },
    {
      nested: {
        fields: [
          { names: ['oauthTokenURI'], order: A, kind: 'string' },
          { names: ['scopes', 'scope'], order: A, kind: 'stringSlice' },
          { names: ['clientID'], order: A, kind: 'string' },
          { names: ['clientSecret'], order: A, kind: 'string' },
          { names: ['endpointParams'], order: A, kind: 'urlValues' },
        ],
      },
      optional: true,
    },
    { nested: { fields: [{ names: ['customAuthHeader'], order: A, kind: 'string' }, { names: ['customAuthValue'], order: A, kind: 'string' }] }, optional: true },
    {
      nested: {
        fields: [
          { names: ['apiKey'], order: ['triggerMetadata', 'authParams'], kind: 'string' },
          { names: ['method'], order: ['triggerMetadata', 'authParams'], kind: 'string', default: 'header', enum: ['header', 'query'] },
          { names: ['keyParamName'], order: ['triggerMetadata', 'authParams'], kind: 'string', optional: true },
        ],
      },
      optional: true,
    },
  ],
  validate: (v) => {
    const value = v.get('authModes');
    const modes: readonly string[] = Array.isArray(value) ? value : [];
    if (modes.length === 0) return undefined;
    const has = (key: string) => typeof v.get(key) === 'string' && v.get(key) !== '';
    if (modes.includes('bearer') && !has('bearerToken')) return 'names authModes bearer, which needs bearerToken from a TriggerAuthentication';
    if (modes.includes('basic') && !has('username')) return 'names authModes basic, which needs username from a TriggerAuthentication';
    if (modes.includes('tls') && (!has('cert') || !has('key'))) return 'names authModes tls, which needs cert and key from a TriggerAuthentication';
    if (modes.includes('oauth') && (!has('oauthTokenURI') || !has('clientID'))) return 'names authModes oauth, which needs oauthTokenURI and clientID from a TriggerAuthentication';
    if (modes.includes('custom') && (!has('customAuthHeader') || !has('customAuthValue'))) return 'names authModes custom, which needs customAuthHeader and customAuthValue from a TriggerAuthentication';
    if (modes.includes('apiKey') && !has('apiKey')) return 'names authModes apiKey, which needs apiKey';
    return undefined;
  },
};

/** pkg/scalers/prometheus_scaler.go prometheusMetadata. */
const PROMETHEUS: Struct = {
  fields: [
    { nested: AUTHENTICATION, optional: true },
    { names: ['serverAddress'], order: M, kind: 'string' },
    { names: ['query'], order: M, kind: 'string' },
    { names: ['queryParameters'], order: M, kind: 'map', optional: true },
    { names: ['threshold'], order: M, kind: 'float64' },
    { names: ['activationThreshold'], order: M, kind: 'float64', optional: true },
    { names: ['namespace'], order: M, kind: 'string', optional: true },
    { names: ['customHeaders'], order: M, kind: 'map', optional: true },
    { names: ['ignoreNullValues'], order: M, kind: 'bool', default: 'true' },
    { names: ['unsafeSsl'], order: M, kind: 'bool', optional: true },
    { names: ['awsRegion'], order: ['triggerMetadata', 'authParams'], kind: 'string', optional: true },
    { names: ['timeout'], order: M, kind: 'duration', optional: true },
    { names: ['identityOwner'], order: M, kind: 'string', optional: true },
  ],
};

/** pkg/scalers/cpu_memory_scaler.go cpuMemoryMetadata. */
const CPU_MEMORY: Struct = {
  fields: [
    { names: ['type'], order: M, kind: 'string', enum: ['Utilization', 'AverageValue'], optional: true, deprecated: "The 'type' setting is DEPRECATED and is removed in v2.18 - Use 'metricType' instead." },
    { names: ['value'], order: M, kind: 'string' },
    { names: ['containerName'], order: M, kind: 'string', optional: true },
  ],
};

/** pkg/scalers/cron_scaler.go cronMetadata, with Validate. */
const CRON: Struct = {
  fields: [
    { names: ['start'], order: M, kind: 'string' },
    { names: ['end'], order: M, kind: 'string' },
    { names: ['timezone'], order: M, kind: 'string' },
    { names: ['desiredReplicas'], order: M, kind: 'int64' },
  ],
  validate: (v) => {
    const start = v.get('start') as string | undefined;
    const end = v.get('end') as string | undefined;
    if (start === undefined || end === undefined) return undefined;
    const startError = cronError(start);
    if (startError) return `has start "${start}", which KEDA's cron parser refuses: ${startError}`;
    const endError = cronError(end);
    if (endError) return `has end "${end}", which KEDA's cron parser refuses: ${endError}`;
    if (start === end) return 'has the same start and end schedule';
    if (v.get('desiredReplicas') === 0) return 'has desiredReplicas 0: KEDA needs at least 1';
    return undefined;
  },
};

/** Kubernetes quantities as resource.MustParse reads them (k8s.io/apimachinery pkg/api/resource ParseQuantity). */
const QUANTITY = /^[+-]?(\d+\.?\d*|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/;

interface Model {
  readonly struct: Struct;
  /** GetMetricTargetType before parsing: an event scaler refuses metricType Utilization (pkg/scalers/scaler.go). */
  readonly metricTarget?: boolean;
  /** What the constructor checks after TypedConfig. */
  readonly after?: (inputs: ScalerInputs, values: ReadonlyMap<string, Parsed>) => { message: string; key?: string } | undefined;
}

/** cpu_memory_scaler.go parseResourceMetadata after TypedConfig: the trigger's metricType decides how value is read. */
function resourceValue(inputs: ScalerInputs, values: ReadonlyMap<string, Parsed>): { message: string; key?: string } | undefined {
  const value = values.get('value') as string;
  switch (inputs.metricType) {
    case 'AverageValue':
      // resource.MustParse panics on a malformed quantity: the scaler never builds.
      return QUANTITY.test(value) ? undefined : { message: `must be a Kubernetes quantity when metricType is AverageValue (KEDA panics on "${value}")`, key: 'value' };
    case 'Utilization': {
      const n = /^[-+]?\d+$/.test(value) ? BigInt(value) : undefined;
      return n !== undefined && n >= -(2n ** 31n) && n < 2n ** 31n ? undefined : { message: 'must be a whole number of percent when metricType is Utilization', key: 'value' };
    }
    default:
      return { message: `needs the trigger's metricType, Utilization or AverageValue (got ${inputs.metricType === undefined ? 'none' : JSON.stringify(inputs.metricType)}): KEDA no longer reads metadata.type` };
  }
}

const MODELS: ReadonlyMap<string, Model> = new Map<string, Model>([
  ['redis', { struct: REDIS, metricTarget: true }],
  ['redis-cluster', { struct: REDIS, metricTarget: true }],
  ['redis-sentinel', { struct: REDIS, metricTarget: true }],
  ['prometheus', { struct: PROMETHEUS, metricTarget: true }],
  ['cpu', { struct: CPU_MEMORY, after: resourceValue }],
  ['memory', { struct: CPU_MEMORY, after: resourceValue }],
  ['cron', { struct: CRON, metricTarget: true }],
]);

/** Every field of a struct, nested ones included. */
function fields(struct: Struct): Field[] {
  return struct.fields.flatMap((f) => ('nested' in f ? fields(f.nested) : [f]));
}

/** Whether the trigger type's configuration is modelled here. */
export function hasTypedModel(type: string): boolean {
  return MODELS.has(type);
}

/** What KEDA's scale handler makes of a trigger of a modelled type. */
export function typedVerdict(inputs: ScalerInputs): TypedVerdict {
  const model = MODELS.get(inputs.type)!;
  if (model.metricTarget && inputs.metricType === 'Utilization') {
    return { error: { message: `does not support metricType Utilization (an external metric: use AverageValue or Value)` }, unmatched: [], announced: [], envIgnored: [] };
  }
  const parse = typedConfig(model.struct, inputs);
  if (parse.errors.length > 0) return { error: parse.errors[0]!, unmatched: [], announced: parse.announced, envIgnored: [] };
  const after = model.after?.(inputs, parse.values);
  const unmatched = Object.keys(inputs.metadata)
    .filter((key) => !parse.parsedNames.includes(key.endsWith('FromEnv') ? key.slice(0, -'FromEnv'.length) : key))
    .sort();
  const fromEnv = new Set(fields(model.struct).filter((f) => f.order.includes('resolvedEnv')).flatMap((f) => f.names));
  const envIgnored = Object.keys(inputs.metadata).filter((key) => key.endsWith('FromEnv') && !unmatched.includes(key) && !fromEnv.has(key.slice(0, -'FromEnv'.length))).sort();
  // checkUnexpectedParameterExist runs when TypedConfig succeeds, before the constructor's own checks.
  return { ...(after ? { error: after } : {}), unmatched, announced: parse.announced, envIgnored };
}
