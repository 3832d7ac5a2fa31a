import { describe, expect, it } from 'vitest';
import { classifyAddress, parseIPv6 } from '../../../shared/preview/ip';

const blocked: [string, RegExp][] = [
  ['0.0.0.0', /this network/],
  ['0.1.2.3', /this network/],
  ['10.0.0.1', /private/],
  ['10.255.255.255', /private/],
  ['100.64.0.1', /CGNAT/],
  ['100.127.255.254', /CGNAT/],
  ['127.0.0.1', /loopback/],
  ['127.255.255.254', /loopback/],
  ['169.254.169.254', /link-local, cloud metadata/],
  ['172.16.0.1', /private/],
  ['172.31.255.255', /private/],
  ['192.0.0.8', /IETF/],
  ['192.0.2.10', /documentation/],
  ['192.88.99.1', /6to4 relay/],
  ['192.168.1.1', /private/],
  ['198.18.0.1', /benchmarking/],
  ['198.19.255.255', /benchmarking/],
  ['198.51.100.7', /documentation/],
  ['203.0.113.9', /documentation/],
  ['224.0.0.1', /multicast/],
  ['239.255.255.250', /multicast/],
  ['240.0.0.1', /reserved/],
  ['255.255.255.255', /broadcast/],
  ['::', /unspecified/],
  ['::1', /loopback/],
  ['0:0:0:0:0:0:0:1', /loopback/],
  ['::ffff:127.0.0.1', /IPv4-mapped loopback/],
  ['::ffff:7f00:1', /IPv4-mapped loopback/],
  ['::ffff:169.254.169.254', /IPv4-mapped link-local/],
  ['::ffff:a9fe:a9fe', /IPv4-mapped link-local/],
  ['::ffff:10.0.0.1', /IPv4-mapped private/],
  ['::127.0.0.1', /IPv4-compatible/],
  ['::7f00:1', /IPv4-compatible/],
  ['::8.8.8.8', /IPv4-compatible/],
  ['64:ff9b::127.0.0.1', /NAT64 loopback/],
  ['64:ff9b::7f00:1', /NAT64 loopback/],
  ['64:ff9b::a9fe:a9fe', /NAT64 link-local/],
  ['64:ff9b::c0a8:101', /NAT64 private/],
  ['64:ff9b:1::1', /local-use NAT64/],
  ['2002:7f00:1::', /6to4 loopback/],
  ['2002:c0a8:101::1', /6to4 private/],
  ['2002:a9fe:a9fe::', /6to4 link-local/],
  ['2001:db8::1', /documentation/],
  ['3fff::1', /documentation/],
  ['2001::1', /IETF/],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /IETF/],
  ['fc00::1', /unique local/],
  ['fd12:3456:789a::1', /unique local/],
  ['fe80::1', /link-local/],
  ['febf::1', /link-local/],
  ['fec0::1', /site-local/],
  ['ff02::1', /multicast/],
  ['100::1', /discard/],
  ['fe80::1%eth0', /zone id/],
  ['[::1]', /loopback/],
  // Only the URL parser may turn these into addresses; as resolver output they are refused.
  ['0177.0.0.1', /not an IP address/],
  ['127.1', /not an IP address/],
  ['2130706433', /not an IP address/],
  ['0x7f.0.0.1', /not an IP address/],
  ['localhost', /not an IP address/],
  ['', /not an IP address/],
];

const allowed = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.216.34',
  '100.63.255.255',
  '100.128.0.0',
  '172.15.255.255',
  '172.32.0.0',
  '192.167.255.255',
  '192.169.0.0',
  '223.255.255.255',
  '2606:4700:4700::1111',
  '2a00:1450:4001:81c::200e',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  '2002:808:808::1',
  '[2606:4700::1111]',
];

describe('classifyAddress', () => {
  it.each(blocked)('refuses %s', (address, range) => {
    const verdict = classifyAddress(address);
    expect(verdict.public).toBe(false);
    if (!verdict.public) expect(verdict.range).toMatch(range);
  });

  it.each(allowed)('accepts the public address %s', (address) => {
    expect(classifyAddress(address)).toEqual({ public: true });
  });
});

describe('parseIPv6', () => {
  it('expands :: and a dotted IPv4 tail to 16 bytes', () => {
    expect([...(parseIPv6('::ffff:127.0.0.1') ?? [])]).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1,
    ]);
    expect([...(parseIPv6('2001:db8::8:800:200c:417a') ?? [])]).toEqual([
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 8, 8, 0, 0x20, 0x0c, 0x41, 0x7a,
    ]);
  });

  it('rejects what is not an IPv6 address', () => {
    expect(parseIPv6('1.2.3.4')).toBeUndefined();
    expect(parseIPv6('1::2::3')).toBeUndefined();
    expect(parseIPv6('12345::')).toBeUndefined();
  });
});
