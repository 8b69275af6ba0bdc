import { durationSeconds } from 'karpenter-validate/model';
import { isQuantity, parseQuantity } from 'karpenter-validate/model';
import type { KarpenterRelease } from 'karpenter-validate/model';

/**
 * When two NodePool templates or two EC2NodeClasses hash the same for a Karpenter release (1.14.1,
 * and 1.15.0 where it differs, below): a view of each that is equal exactly when their hashes are. Karpenter hashes the Go structs with
 * github.com/mitchellh/hashstructure/v2 (FormatV2, SlicesAsSets, IgnoreZeroValue, ZeroNil):
 * kubernetes-sigs/karpenter v1.14.1 pkg/apis/v1/nodepool.go NodePool.Hash (spec.template) and
 * aws/karpenter-provider-aws v1.14.1 pkg/apis/v1/ec2nodeclass.go EC2NodeClass.Hash (spec, the
 * resolved AMI family, the CA bundle). What follows from the Go types, and the YAML alone does not say:
 *
 * - a field at its zero value is left out, unless it is a pointer: `detailedMonitoring: false`
 *   or `terminationGracePeriod: 0s` hash differently from no field at all, `role: ""` does not;
 * - an empty map or list (`tags: {}`, `taints: []`) is not the absent one;
 * - lists are sets in which two equal items cancel out (the hash XORs them);
 * - durations hash as their length (`60m` is `1h`); `expireAfter: Never` as no field;
 * - `volumeSize` hashes as the quantity's canonical string (`102400Mi` is `100Gi`, `107374182400` is not);
 * - fields tagged `hash:"ignore"` are left out: a template's requirements; a node class's
 *   subnet, security group, capacity reservation and AMI selector terms, amiFamily (the resolved
 *   family is hashed instead) and ipPrefixCount.
 *
 * Karpenter 1.15.0 hashes an EC2NodeClass differently (aws/karpenter-provider-aws v1.15.0
 * pkg/apis/v1/ec2nodeclass.go EC2NodeClass.Hash, hash version v6): `kubelet` is an open map tagged
 * `hash:"ignore"`, and its JSON text is hashed instead (pkg/apis/v1/kubeletconfiguration.go
 * KubeletConfiguration.String: `null` when absent or empty, else the map's JSON with its keys sorted
 * and each value as the API server stores it), so a respelt value (`90s` for `1m30s`) changes the
 * hash where 1.14.1's typed struct did not; `enclaveOptions` is new and hashed. The NodePool hash
 * is the same at both releases (core pkg/apis/v1/nodepool.go NodePool.Hash, version v3).
 */

/**
 * The hash versions each release stamps on a NodePool and its NodeClaims
 * (`karpenter.sh/nodepool-hash-version`, sigs.k8s.io/karpenter pkg/apis/v1/nodepool.go
 * NodePoolHashVersion) and on an EC2NodeClass and its NodeClaims
 * (`karpenter.k8s.aws/ec2nodeclass-hash-version`, aws/karpenter-provider-aws pkg/apis/v1/ec2nodeclass.go
 * EC2NodeClassHashVersion). A release whose version differs from a NodeClaim's re-stamps the
 * NodeClaim instead of comparing hashes (lib/plan/upgrade-drift.ts).
 */
export const HASH_VERSIONS: Readonly<Record<KarpenterRelease, { readonly nodePool: string; readonly ec2NodeClass: string }>> = {
  '1.14.1': { nodePool: 'v3', ec2NodeClass: 'v5' },
  '1.15.0': { nodePool: 'v3', ec2NodeClass: 'v6' },
};

type GoType =
  | { readonly kind: 'string' | 'bool' | 'int' | 'duration' | 'nillableDuration' | 'quantityString' }
  | { readonly kind: 'ptr' | 'slice' | 'map'; readonly elem: GoType }
  | { readonly kind: 'struct'; readonly fields: Readonly<Record<string, GoType>> };

const STRING: GoType = { kind: 'string' };
const BOOL: GoType = { kind: 'bool' };
const INT: GoType = { kind: 'int' };
const ptr = (elem: GoType): GoType => ({ kind: 'ptr', elem });
const slice = (elem: GoType): GoType => ({ kind: 'slice', elem });
const map = (elem: GoType): GoType => ({ kind: 'map', elem });
const struct = (fields: Record<string, GoType>): GoType => ({ kind: 'struct', fields });
/** metav1.Duration, a struct of one time.Duration. */
const DURATION: GoType = { kind: 'duration' };

/** k8s.io/api core/v1 Taint. */
const TAINT = struct({ key: STRING, value: STRING, effect: STRING, timeAdded: ptr(STRING) });

/** karpenter v1 NodeClaimTemplate (pkg/apis/v1/nodepool.go), requirements ignored. */
const NODE_CLAIM_TEMPLATE = struct({
  metadata: struct({ labels: map(STRING), annotations: map(STRING) }),
  spec: struct({
    taints: slice(TAINT),
    startupTaints: slice(TAINT),
    nodeClassRef: ptr(struct({ kind: STRING, name: STRING, group: STRING })),
    terminationGracePeriod: ptr(DURATION),
    expireAfter: { kind: 'nillableDuration' },
  }),
});

/** The typed kubelet of 1.14.1's EC2NodeClassSpec (pkg/apis/v1/ec2nodeclass.go KubeletConfiguration). */
const KUBELET_1_14 = ptr(
  struct({
    clusterDNS: slice(STRING),
    maxPods: ptr(INT),
    podsPerCore: ptr(INT),
    systemReserved: map(STRING),
    kubeReserved: map(STRING),
    evictionHard: map(STRING),
    evictionSoft: map(STRING),
    evictionSoftGracePeriod: map(DURATION),
    evictionMaxPodGracePeriod: ptr(INT),
    imageGCHighThresholdPercent: ptr(INT),
    imageGCLowThresholdPercent: ptr(INT),
    cpuCFSQuota: ptr(BOOL),
  }),
);

/** karpenter-provider-aws v1.14.1 v1 EC2NodeClassSpec (pkg/apis/v1/ec2nodeclass.go), ignored fields left out. */
const EC2_NODE_CLASS_SPEC = struct({
  placementGroupSelector: ptr(struct({ name: ptr(STRING), id: ptr(STRING) })),
  associatePublicIPAddress: ptr(BOOL),
  userData: ptr(STRING),
  role: STRING,
  instanceProfile: ptr(STRING),
  tags: map(STRING),
  kubelet: KUBELET_1_14,
  blockDeviceMappings: slice(
    ptr(
      struct({
        deviceName: ptr(STRING),
        ebs: ptr(
          struct({
            deleteOnTermination: ptr(BOOL),
            encrypted: ptr(BOOL),
            iops: ptr(INT),
            kmsKeyID: ptr(STRING),
            snapshotID: ptr(STRING),
            throughput: ptr(INT),
            volumeInitializationRate: ptr(INT),
            volumeSize: { kind: 'quantityString' },
            volumeType: ptr(STRING),
          }),
        ),
        rootVolume: BOOL,
      }),
    ),
  ),
  instanceStorePolicy: ptr(STRING),
  networkInterfaces: slice(ptr(struct({ networkCardIndex: INT, deviceIndex: INT, interfaceType: STRING }))),
  detailedMonitoring: ptr(BOOL),
  metadataOptions: ptr(struct({ httpEndpoint: ptr(STRING), httpProtocolIPv6: ptr(STRING), httpPutResponseHopLimit: ptr(INT), httpTokens: ptr(STRING) })),
  connectionTracking: ptr(struct({ tcpEstablishedTimeout: ptr(INT), udpStreamTimeout: ptr(INT), udpTimeout: ptr(INT) })),
  context: ptr(STRING),
  cpuOptions: ptr(struct({ nestedVirtualization: ptr(STRING) })),
});

/**
 * karpenter-provider-aws v1.15.0 v1 EC2NodeClassSpec: the kubelet left out (`hash:"ignore"`, hashed as
 * text instead) and enclaveOptions added (`*EnclaveOptions`, `enabled bool`).
 */
const EC2_NODE_CLASS_SPEC_1_15 = (() => {
  const { kubelet: _kubelet, ...fields } = (EC2_NODE_CLASS_SPEC as { fields: Record<string, GoType> }).fields;
  return struct({ ...fields, enclaveOptions: ptr(struct({ enabled: BOOL })) });
})();

const BINARY = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const DECIMAL = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/**
 * resource.Quantity's canonical String() for whole amounts: the largest suffix of the quantity's
 * own format (binary for Ki..Ei, decimal otherwise) that leaves a whole number.
 */
export function canonicalQuantity(value: string): string {
  if (!isQuantity(value)) return value;
  const amount = parseQuantity(value);
  if (!Number.isInteger(amount)) return String(amount);
  const binary = /[KMGTPE]i$/.test(value);
  const [base, suffixes] = binary ? [1024, BINARY] : [1000, DECIMAL];
  let [mantissa, i] = [amount, 0];
  while (mantissa !== 0 && mantissa % base === 0 && i < suffixes.length - 1) [mantissa, i] = [mantissa / base, i + 1];
  return `${mantissa}${suffixes[i]}`;
}

const absent = (v: unknown) => v === undefined || v === null;
const sortedJson = (items: unknown[]) => items.map((i) => JSON.stringify(i)).sort();

/** The value as the hash sees it, or undefined where IgnoreZeroValue leaves the field out. */
function view(value: unknown, type: GoType): unknown {
  switch (type.kind) {
    case 'string':
      return absent(value) || value === '' ? undefined : String(value);
    case 'bool':
      return value === true ? true : undefined;
    case 'int':
      return absent(value) || Number(value) === 0 ? undefined : Number(value);
    case 'duration': {
      const seconds = typeof value === 'string' ? durationSeconds(value) : 0;
      return seconds === 0 ? undefined : { Duration: seconds };
    }
    case 'nillableDuration':
      return typeof value !== 'string' || value === 'Never' ? undefined : { Duration: durationSeconds(value) };
    case 'quantityString':
      return absent(value) ? undefined : canonicalQuantity(String(value));
    case 'ptr':
      // A pointer that is set is hashed even when it points at a zero value.
      return absent(value) ? undefined : (view(value, type.elem) ?? zeroOf(type.elem));
    case 'slice': {
      if (!Array.isArray(value)) return undefined;
      // SlicesAsSets: an unordered XOR of the items' hashes, so that a pair of equal items cancels out.
      const counts = new Map<string, number>();
      for (const item of sortedJson(value.map((v) => view(v, type.elem) ?? zeroOf(type.elem)))) counts.set(item, (counts.get(item) ?? 0) + 1);
      return { set: [...counts].filter(([, n]) => n % 2 === 1).map(([item]) => item) };
    }
    case 'map': {
      if (absent(value) || typeof value !== 'object') return undefined;
      const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, view(v, type.elem) ?? zeroOf(type.elem)]);
      return { map: sortedJson(entries) };
    }
    case 'struct': {
      if (absent(value) || typeof value !== 'object') return undefined;
      const fields = Object.entries(type.fields)
        .map(([name, fieldType]) => [name, view((value as Record<string, unknown>)[name], fieldType)] as const)
        .filter(([, v]) => v !== undefined);
      return fields.length === 0 ? undefined : Object.fromEntries(fields);
    }
  }
}

/** The hash of a zero value (a struct with no set field, an empty string...): present, but empty. */
function zeroOf(type: GoType): unknown {
  return type.kind === 'struct' || type.kind === 'duration' || type.kind === 'nillableDuration' ? {} : type.kind === 'bool' ? false : type.kind === 'int' ? 0 : '';
}

/** What NodePool.Hash() sees of a NodePool's spec (as stored: CRD defaults applied). */
export function nodePoolHashView(poolSpec: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(view(poolSpec.template ?? {}, NODE_CLAIM_TEMPLATE) ?? {});
}

/** The AMI family Karpenter resolves for a node class: amiFamily, else its alias's family (EC2NodeClass.AMIFamily()). */
export function amiFamilyOf(spec: Readonly<Record<string, unknown>>): string {
  if (typeof spec.amiFamily === 'string') return spec.amiFamily;
  const terms = Array.isArray(spec.amiSelectorTerms) ? (spec.amiSelectorTerms as Record<string, unknown>[]) : [];
  const alias = terms.map((t) => t?.alias).find((a): a is string => typeof a === 'string');
  if (!alias) return 'Custom';
  const family = alias.split('@')[0]!.toLowerCase();
  return { al2: 'AL2', al2023: 'AL2023', bottlerocket: 'Bottlerocket', windows2019: 'Windows2019', windows2022: 'Windows2022', windows2025: 'Windows2025' }[family] ?? family;
}

/** JSON with every object's keys sorted, as Go marshals a map (and the API server stores an object). */
function goJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${goJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * KubeletConfiguration.String() of Karpenter 1.15.0 (aws/karpenter-provider-aws v1.15.0
 * pkg/apis/v1/kubeletconfiguration.go): `null` for no kubelet or an empty one, else its JSON.
 */
export function kubeletText(kubelet: unknown): string {
  if (kubelet === undefined || kubelet === null || typeof kubelet !== 'object' || Object.keys(kubelet).length === 0) return 'null';
  return goJson(kubelet);
}

/**
 * What EC2NodeClass.Hash() of a release sees of an EC2NodeClass's spec (as stored): the spec and
 * its resolved AMI family, and from 1.15.0 the kubelet's text. Views of different releases never
 * compare equal: the hash input changed with the hash version.
 */
export function nodeClassHashView(nodeClassSpec: Readonly<Record<string, unknown>>, release: KarpenterRelease = '1.14.1'): string {
  if (release === '1.14.1') return JSON.stringify([view(nodeClassSpec, EC2_NODE_CLASS_SPEC) ?? {}, amiFamilyOf(nodeClassSpec)]);
  return JSON.stringify([view(nodeClassSpec, EC2_NODE_CLASS_SPEC_1_15) ?? {}, amiFamilyOf(nodeClassSpec), '', kubeletText(nodeClassSpec.kubelet)]);
}
