/**
 * Which IP addresses the preview fetcher may connect to: public unicast only. Everything
 * private, loopback, link-local, shared (CGNAT), multicast, reserved or documentation is
 * refused, and so is an IPv6 address that carries such an IPv4 address inside it.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type AddressVerdict = { public: true } | { public: false; range: string };

type Range4 = readonly [base: string, prefix: number, range: string];

/** IANA's IPv4 special-purpose registry, less nothing: none of these is a web server. */
const IPV4_BLOCKED: readonly Range4[] = [
  ['0.0.0.0', 8, 'this network (0.0.0.0/8)'],
  ['10.0.0.0', 8, 'private (10.0.0.0/8)'],
  ['100.64.0.0', 10, 'shared address space / CGNAT (100.64.0.0/10)'],
  ['127.0.0.0', 8, 'loopback (127.0.0.0/8)'],
  ['169.254.0.0', 16, 'link-local, cloud metadata (169.254.0.0/16)'],
  ['172.16.0.0', 12, 'private (172.16.0.0/12)'],
  ['192.0.0.0', 24, 'IETF protocol assignments (192.0.0.0/24)'],
  ['192.0.2.0', 24, 'documentation (192.0.2.0/24)'],
  ['192.88.99.0', 24, '6to4 relay anycast (192.88.99.0/24)'],
  ['192.168.0.0', 16, 'private (192.168.0.0/16)'],
  ['198.18.0.0', 15, 'benchmarking (198.18.0.0/15)'],
  ['198.51.100.0', 24, 'documentation (198.51.100.0/24)'],
  ['203.0.113.0', 24, 'documentation (203.0.113.0/24)'],
  ['224.0.0.0', 4, 'multicast (224.0.0.0/4)'],
  ['255.255.255.255', 32, 'broadcast (255.255.255.255)'],
  ['240.0.0.0', 4, 'reserved (240.0.0.0/4)'],
];

function ipv4ToInt(address: string): number {
  let value = 0;
  for (const part of address.split('.')) value = value * 256 + Number(part);
  return value;
}

const IPV4_TABLE = IPV4_BLOCKED.map(([base, prefix, range]) => {
  // `>>> 0` keeps the mask an unsigned 32-bit number (a /0 would need 2^32).
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { network: ipv4ToInt(base) & mask, mask, range };
});

function classifyIPv4Int(value: number): AddressVerdict {
  for (const { network, mask, range } of IPV4_TABLE) {
    if ((value & mask) >>> 0 === network >>> 0) return { public: false, range };
  }
  return { public: true };
}

/**
 * The 16 bytes of a textual IPv6 address, or undefined. Accepts what `net.isIPv6` accepts
 * (`::`, a dotted IPv4 tail); the caller has already refused zone identifiers.
 */
export function parseIPv6(address: string): Uint8Array | undefined {
  if (!isIPv6(address)) return undefined;
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const groups = (text: string | undefined): number[] | undefined => {
    if (!text) return [];
    const out: number[] = [];
    const parts = text.split(':');
    for (const [index, part] of parts.entries()) {
      if (index === parts.length - 1 && part.includes('.')) {
        if (!isIPv4(part)) return undefined;
        const v4 = ipv4ToInt(part);
        out.push(Math.floor(v4 / 65536), v4 % 65536);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
        out.push(Number.parseInt(part, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return bytes;
}

/** Whether the first `bits` bits of `bytes` equal those of `prefix` (a hex string of bytes). */
function startsWith(bytes: Uint8Array, prefix: readonly number[], bits: number): boolean {
  for (let bit = 0; bit < bits; bit += 8) {
    const take = Math.min(8, bits - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    const index = bit / 8;
    if (((bytes[index] ?? 0) & mask) !== ((prefix[index] ?? 0) & mask)) return false;
  }
  return true;
}

const v4At = (bytes: Uint8Array, offset: number) =>
  (((bytes[offset] ?? 0) << 24) |
    ((bytes[offset + 1] ?? 0) << 16) |
    ((bytes[offset + 2] ?? 0) << 8) |
    (bytes[offset + 3] ?? 0)) >>>
  0;

/** An IPv6 address that reaches an IPv4 one is judged by the IPv4 address it embeds. */
function embedded(kind: string, value: number): AddressVerdict {
  const inner = classifyIPv4Int(value);
  return inner.public ? inner : { public: false, range: `${kind} ${inner.range}` };
}

function classifyIPv6Bytes(bytes: Uint8Array): AddressVerdict {
  const zeroUpTo = (n: number) => bytes.subarray(0, n).every((b) => b === 0);
  // ::ffff:a.b.c.d, IPv4-mapped: the socket really goes to a.b.c.d.
  if (zeroUpTo(10) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return embedded('IPv4-mapped', v4At(bytes, 12));
  }
  if (zeroUpTo(12)) {
    const last = v4At(bytes, 12);
    if (last === 0) return { public: false, range: 'unspecified (::)' };
    if (last === 1) return { public: false, range: 'loopback (::1)' };
    // ::a.b.c.d, IPv4-compatible: deprecated since 2006; no public server uses it.
    return { public: false, range: 'IPv4-compatible (::/96, deprecated)' };
  }
  // NAT64's well-known prefix reaches the embedded IPv4 address through the translator.
  if (startsWith(bytes, [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96)) {
    return embedded('NAT64', v4At(bytes, 12));
  }
  if (startsWith(bytes, [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48)) {
    return { public: false, range: 'local-use NAT64 (64:ff9b:1::/48)' };
  }
  // Only global unicast (2000::/3) is public; carve out its special blocks.
  if (!startsWith(bytes, [0x20], 3)) {
    if (startsWith(bytes, [0xfc], 7)) return { public: false, range: 'unique local (fc00::/7)' };
    if (startsWith(bytes, [0xfe, 0x80], 10))
      return { public: false, range: 'link-local (fe80::/10)' };
    if (startsWith(bytes, [0xfe, 0xc0], 10))
      return { public: false, range: 'site-local (fec0::/10)' };
    if (startsWith(bytes, [0xff], 8)) return { public: false, range: 'multicast (ff00::/8)' };
    if (startsWith(bytes, [0x01, 0x00, 0, 0, 0, 0, 0, 0], 64))
      return { public: false, range: 'discard-only (100::/64)' };
    return { public: false, range: 'reserved (outside 2000::/3)' };
  }
  if (startsWith(bytes, [0x20, 0x02], 16)) return embedded('6to4', v4At(bytes, 2));
  if (startsWith(bytes, [0x20, 0x01, 0x0d, 0xb8], 32))
    return { public: false, range: 'documentation (2001:db8::/32)' };
  if (startsWith(bytes, [0x3f, 0xff], 20))
    return { public: false, range: 'documentation (3fff::/20)' };
  // Teredo (2001::/32, an obfuscated IPv4 inside), benchmarking, ORCHID and the like.
  if (startsWith(bytes, [0x20, 0x01, 0x00], 23))
    return { public: false, range: 'IETF protocol assignments (2001::/23)' };
  return { public: true };
}

/**
 * Whether a connection may go to `address`, a textual IPv4 or IPv6 address as a resolver
 * or a URL's host gives it (brackets allowed). Anything that is not a plain address
 * (`0177.0.0.1`, a zone id, garbage) is refused: only the WHATWG URL parser may turn such
 * forms into addresses, and it has already run by the time a host gets here.
 */
export function classifyAddress(address: string): AddressVerdict {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (isIPv4(bare)) return classifyIPv4Int(ipv4ToInt(bare));
  if (bare.includes('%')) return { public: false, range: 'scoped IPv6 address (zone id)' };
  const bytes = parseIPv6(bare);
  if (!bytes) return { public: false, range: 'not an IP address' };
  return classifyIPv6Bytes(bytes);
}
