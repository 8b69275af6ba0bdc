/**
 * IP addresses and CIDR blocks as ranges of numbers, with the arithmetic NetworkPolicy's
 * `ipBlock` needs (a block minus its exceptions; whether it meets a set of ranges).
 *
 * Parsing follows Go's net.ParseIP and net.ParseCIDR, which decide what an ipBlock covers
 * (mattfenwick/cyclonus v0.5.6 pkg/kube/ipaddress.go IsIPAddressMatchForIPBlock, over
 * IPNet.Contains): an IPv4 address, or an IPv4-mapped IPv6 one, is an IPv4 address; a CIDR's
 * host bits are masked off; an IPv6 block never contains an IPv4 address, except an IPv4-mapped
 * block (::ffff:a.b.c.d/n), which is the IPv4 block of its last n-96 bits.
 */

/** An address family: IPv4 numbers are 32 bits, IPv6 128. */
export type Family = 4 | 6;

/** Consecutive addresses of one family, both ends included. */
export interface AddressRange {
  readonly family: Family;
  readonly first: bigint;
  readonly last: bigint;
}

const BITS: Readonly<Record<Family, number>> = { 4: 32, 6: 128 };

function ipv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // Go refuses leading zeros (ambiguous octal) and anything but decimal digits.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function ipv6(text: string): bigint | undefined {
  let head = text;
  let tail4: bigint | undefined;
  // A trailing dotted quad stands for the last 32 bits.
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tail4 = ipv4(text.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  let value = 0n;
  for (const group of [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(`0x${group}`);
  }
  if (tail4 !== undefined) value = (value & ~0xffffffffn) | tail4;
  return value;
}

const MAPPED = 0xffffn << 32n;

/** An address as Go's net.ParseIP reads it (IPv4-mapped IPv6 addresses are IPv4), or undefined. */
export function parseAddress(text: string): { family: Family; value: bigint } | undefined {
  if (!text.includes(':')) {
    const value = ipv4(text);
    return value === undefined ? undefined : { family: 4, value };
  }
  const value = ipv6(text);
  if (value === undefined) return undefined;
  return value >> 32n === 0xffffn ? { family: 4, value: value & 0xffffffffn } : { family: 6, value };
}

/** The addresses of a CIDR block as Go's net.ParseCIDR and IPNet.Contains see them, or undefined. */
export function parseCidr(text: string): AddressRange | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const prefixText = text.slice(slash + 1);
  // Go's dtoi: decimal digits, leading zeros allowed.
  if (!/^[0-9]{1,4}$/.test(prefixText)) return undefined;
  let prefix = Number(prefixText);
  const address = text.slice(0, slash);
  let family: Family;
  let value: bigint;
  if (address.includes(':')) {
    const v6 = ipv6(address);
    if (v6 === undefined || prefix > 128) return undefined;
    if ((v6 & ~0xffffffffn) === MAPPED) {
      // IPNet.Contains reads an IPv4-mapped network as IPv4, with the mask's last 32 bits.
      family = 4;
      value = v6 & 0xffffffffn;
      prefix = Math.max(0, prefix - 96);
    } else {
      family = 6;
      value = v6;
    }
  } else {
    const v4 = ipv4(address);
    if (v4 === undefined || prefix > 32) return undefined;
    family = 4;
    value = v4;
  }
  const hostBits = BigInt(BITS[family] - prefix);
  const first = (value >> hostBits) << hostBits;
  return { family, first, last: first + (1n << hostBits) - 1n };
}

/** Whether a range holds an address. */
export function contains(range: AddressRange, address: { family: Family; value: bigint }): boolean {
  return range.family === address.family && range.first <= address.value && address.value <= range.last;
}

/** A set of addresses as sorted, disjoint ranges. */
export type AddressSet = readonly AddressRange[];

/** The addresses of `from` that are in none of `minus`. */
export function subtract(from: AddressSet, minus: AddressSet): AddressRange[] {
  let result: AddressRange[] = [...from];
  for (const cut of minus) {
    result = result.flatMap((r) => {
      if (r.family !== cut.family || cut.last < r.first || cut.first > r.last) return [r];
      const pieces: AddressRange[] = [];
      if (cut.first > r.first) pieces.push({ family: r.family, first: r.first, last: cut.first - 1n });
      if (cut.last < r.last) pieces.push({ family: r.family, first: cut.last + 1n, last: r.last });
      return pieces;
    });
  }
  return result;
}

/** Whether two sets share an address. */
export function overlaps(a: AddressSet, b: AddressSet): boolean {
  return a.some((x) => b.some((y) => x.family === y.family && x.first <= y.last && y.first <= x.last));
}

/** Whether every address of `inner` is in `outer`. */
export function covers(outer: AddressSet, inner: AddressSet): boolean {
  return subtract(inner, outer).length === 0;
}

/** Ranges of CIDR texts, skipping any that do not parse (the API server refuses them). */
export function cidrs(texts: readonly string[]): AddressRange[] {
  return texts.flatMap((t) => parseCidr(t) ?? []);
}

/** An address in dotted or colon notation (the first of a range, for messages). */
export function formatAddress(family: Family, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return groups.join(':');
}

/**
 * The addresses pods of an EKS cluster take: the VPC CNI gives each pod an address of its node's
 * VPC subnets (or of the subnets custom networking names), and VPC CIDRs come from the private
 * (RFC 1918) and shared (RFC 6598) ranges. A pod whose address is not known is somewhere here.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html
 */
export const POD_NETWORK: AddressSet = cidrs(['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16']);

/** Everything outside the pod network: where a peer outside the cluster may be. */
export const OUTSIDE: AddressSet = subtract(cidrs(['0.0.0.0/0', '::/0']), POD_NETWORK);
