import { describe, expect, it } from 'vitest';
import { FaultInjector, FaultSpecError, parseFaults } from '../../../infra/local/sandbox/faults';

describe('sandbox faults', () => {
  it('reads the contract form and the optional cap', () => {
    expect(parseFaults('*:429:0.1, mastodon:503:1:2')).toEqual([
      { platform: '*', fault: '429', probability: 0.1, remaining: undefined },
      { platform: 'mastodon', fault: '503', probability: 1, remaining: 2 },
    ]);
    expect(parseFaults('')).toEqual([]);
  });

  it.each(['x:418:1', 'myspace:500:1', 'x:500:2', 'x:500', 'x:500:1:0', 'x:500:1:2:3'])(
    'refuses %s with a message naming it',
    (spec) => {
      expect(() => parseFaults(spec)).toThrow(FaultSpecError);
      expect(() => parseFaults(spec)).toThrow(spec);
    },
  );

  it('fires a capped rule exactly that many times', () => {
    const faults = new FaultInjector('mastodon:503:1:2');
    expect([1, 2, 3].map(() => faults.pick('mastodon'))).toEqual(['503', '503', undefined]);
    expect(faults.describe()).toBe('');
  });

  it('applies a wildcard to every network, and only faults the route can play', () => {
    const faults = new FaultInjector('*:timeout:1');
    expect(faults.pick('x')).toBe('timeout');
    expect(faults.pick('bluesky', ['429', '503'])).toBeUndefined();
  });

  it('follows the probability', () => {
    let n = 0;
    const values = [0.05, 0.5];
    const faults = new FaultInjector('x:500:0.1', 5, () => values[n++] ?? 1);
    expect(faults.pick('x')).toBe('500');
    expect(faults.pick('x')).toBeUndefined();
  });
});
